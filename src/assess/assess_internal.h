/* Shared by the files of the assess module; not part of its interface. */
#ifndef PH_ASSESS_INTERNAL_H
#define PH_ASSESS_INTERNAL_H

#include "assess/assess.h"
#include "control/control.h"

/* A rating of the control list with everything the policy needs about it,
 * worked out once when the context is loaded. */
typedef struct assess_rating {
    const control_entry *entry;
    char key[CONTROL_RATING_MAX];
    const char *ancestry[ASSESS_MAX_DEPTH]; /* keys: the rating, its parent, ... */
    uint8_t nancestry;
    uint8_t kind;
    uint8_t has_children; /* the control list breaks it down further */
    unsigned regimes;
    uint64_t capabilities;               /* from the nearest rating with a plain row */
    uint32_t phrase_first, phrase_count; /* rows matched on the description, nearest first */
} assess_rating;

typedef struct capability_row {
    char key[CONTROL_RATING_MAX];
    char *phrase; /* NULL for a plain row */
    uint64_t mask;
    long line;
} capability_row;

typedef struct rating_phrase {
    uint8_t level; /* 0 = the rating itself */
    uint32_t row;
} rating_phrase;

typedef struct assess_destination {
    char code[REFDATA_CODE_MAX];
    char *name;
    uint32_t embargo_first, embargo_count;
} assess_destination;

struct assess_context {
    char date[11];
    control_catalog *catalog;
    refdata_names *names; /* NULL in the built-in context */

    assess_rating *ratings;
    size_t nratings;
    ph_map rating_index; /* key -> index */
    rating_phrase *phrases;
    size_t nphrases;

    char **capability_names;
    size_t ncapability_names;
    capability_row *capability_rows;
    size_t ncapability_rows;
    char capabilities_sha256[PH_SHA256_HEX];

    assess_destination *destinations;
    size_t ndestinations;
    ph_map destination_index; /* code -> index */
    policy_embargo *embargoes;
    size_t nembargoes;

    ph_map criteria; /* "version|id" and "version|" */
};

const assess_rating *assess_rating_find(const assess_context *ctx, const char *rating);
uint64_t assess_rating_capabilities(const assess_context *ctx, const assess_rating *r,
                                    const char *description);
const assess_destination *assess_destination_find(const assess_context *ctx, const char *code);
/* Resolves a code or a name to a destination, or NULL. */
const assess_destination *assess_destination_resolve(const assess_context *ctx, const char *text);

/* The entries of one destination in a snapshot (none when code is NULL). */
void assess_snapshot_slice(const assess_evidence_snapshot *s, const char *code,
                           const assess_evidence **entries, const policy_evidence **views,
                           size_t *n);

/* A chunked allocator for strings that live as long as one set of facts. */
typedef struct assess_arena assess_arena;
assess_arena *assess_arena_new(void);
void assess_arena_reset(assess_arena *a);
void assess_arena_free(assess_arena *a);
void *assess_arena_alloc(assess_arena *a, size_t n);
const char *assess_arena_strndup(assess_arena *a, const char *s, size_t n);
const char *assess_arena_strdup(assess_arena *a, const char *s);

#endif
