/* screen — structures shared by the engine's files; not part of the API. */
#ifndef PH_SCREEN_INTERNAL_H
#define PH_SCREEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "screen.h"

/* Key namespaces of the candidate tables (mixed into the hash). */
enum {
    SC_KEY_EXACT = 'E',
    SC_KEY_DELETE = 'D',
    SC_KEY_SKELETON = 'S', /* Latin skeletons of SC_SKELETON_KEY_MIN letters or more */
    SC_KEY_ABJAD = 'A',    /* skeletons of tokens transliterated from an abjad */
    SC_KEY_SHORT = 'T',    /* two-letter Latin skeletons of short words */
    SC_KEY_FOR_ABJAD = 'U' /* one- and two-letter Latin skeletons, for abjad queries only */
};

/* Tokens of at least this many letters get deletion keys; of at least
 * SC_DELETE2_MIN, two deletions (typos grow with length). */
#define SC_DELETE1_MIN 3
#define SC_DELETE2_MIN 8
/* Latin skeletons shorter than this match too many words to be a key. */
#define SC_SKELETON_KEY_MIN 3
/* Two-letter skeletons are keys for short words only ("tayr"/"teir"). */
#define SC_SHORT_KEY_MAX_LEN 5

/* A distinct list token (single words, and pairs of adjacent words joined). */
typedef struct sc_vocab {
    uint32_t text; /* offset in the string arena */
    uint32_t skel;
    uint32_t post_start, post_count; /* names holding it */
    float weight;                    /* weight as a single token (rarity, by kind) */
    float bound; /* largest weight it can carry in a name: a joined pair weighs its parts */
    uint32_t df;
    uint32_t nb_start; /* its neighbourhood: the list tokens its lookup finds */
    uint16_t nb_count;
    uint8_t len, kind, flags, skel_len;
    uint8_t joined; /* made of two adjacent list tokens */
} sc_vocab;

/* One token of a list name: a single word (span 1) or a joined pair (span 2). */
typedef struct sc_entry {
    uint32_t vocab;
    uint8_t pos;
    uint8_t span;
} sc_entry;

typedef struct sc_name {
    uint32_t entity;
    uint32_t text; /* as written */
    uint32_t entries;
    uint8_t nentries;
    uint8_t ntokens; /* single tokens: entries [0, ntokens) are the singles, in order */
    uint8_t kind;
    uint8_t weak;
    uint8_t informative; /* words and numbers */
} sc_name;

typedef struct sc_entity {
    uint32_t list;
    uint32_t id;               /* string offset */
    uint32_t name;             /* primary name text, string offset */
    uint32_t dates, countries; /* starts in the dates and country arrays */
    uint16_t ndates, ncountries;
    uint8_t type;
} sc_entity;

/* Open-addressing table from a 64-bit key hash to a run of uint32 values.
 * A slot holds the high 32 bits of the hash (0 = empty) and where the run
 * starts in `values`, whose first entry is the run's length: 8 bytes a
 * slot. Two keys sharing 32 bits of hash and a slot neighbourhood would
 * share a run; candidates found by keys are verified anyway. */
typedef struct sc_slot {
    uint32_t tag;
    uint32_t start;
} sc_slot;

typedef struct sc_keytab {
    sc_slot *slots;
    size_t mask;
    uint32_t *values;
    size_t nvalues, nkeys;
} sc_keytab;

struct screen_index {
    screen_config cfg;
    text_normaliser *tn;
    char *strings;
    size_t strings_len;
    sc_vocab *vocab;
    size_t nvocab;
    uint32_t *postings;
    /* Beside each posting, the weight of the name's tokens that could be
     * left unmatched (words, numbers, legal forms; patronymics discounted),
     * in steps of 1/SC_REST_SCALE rounded down, and whether the name has
     * initials (SC_REST_INITIALS): bounds the cost of a name's extra words
     * before the name itself is read. */
    uint8_t *post_rest;
    size_t npostings;
    sc_name *names;
    size_t nnames;
    sc_entry *entries;
    size_t nentries;
    sc_entity *entities;
    size_t nentities;
    screen_date *dates;
    size_t ndates;
    uint32_t *countries; /* string offsets, folded */
    size_t ncountries;
    uint32_t *lists; /* string offsets of list names */
    size_t nlists;
    sc_keytab exact, fuzzy; /* fuzzy: deletion and skeleton keys */
    /* Neighbourhoods of list words, found at build time the way a query
     * word would find them: a query word the lists use needs no lookup. */
    uint32_t *nb_vocab;
    float *nb_sim;
    uint8_t *nb_how;
    size_t nnb;
    size_t names_skipped;
    double max_weight; /* weight of a token never seen in the lists */
    double log_names;
};

static inline const char *sc_str(const screen_index *idx, uint32_t off) {
    return idx->strings + off;
}

uint64_t sc_key_hash(int ns, const char *s, size_t n);
/* Values stored under a key, or NULL (and *count = 0). */
const uint32_t *sc_keytab_get(const sc_keytab *t, uint64_t key, uint32_t *count);

/* A token as the similarity functions see it. */
typedef struct sc_tokview {
    const char *text;
    size_t len;
    const char *skel;
    size_t skel_len;
    uint8_t kind, flags;
    uint8_t joined; /* two words joined: compared by spelling only, not by sound */
} sc_tokview;

/* Similarity of two words or particles (skeletons precomputed). */
double sc_word_similarity(const sc_tokview *a, const sc_tokview *b, const screen_config *cfg,
                          screen_how *how);
double sc_view_similarity(const sc_tokview *a, const sc_tokview *b, const screen_config *cfg,
                          screen_how *how);
double sc_edit_cost_bounded(const char *a, size_t na, const char *b, size_t nb, double limit);

/* Rarity weight of a word with document frequency df among the names. */
double sc_rarity_weight(const screen_index *idx, uint32_t df);
/* Weight of a token by kind, given its rarity weight. */
double sc_kind_weight(const screen_config *cfg, uint8_t kind, double rarity);

#define SC_REST_SCALE 8.0
#define SC_REST_MASK 0x7f
#define SC_REST_INITIALS 0x80

/* Shortest word after an article ("al" + "dabbas"). */
#define ARTICLE_WORD_MIN 4
/* Whether s starts with an article "al"/"el" before a consonant and a word
 * of ARTICLE_WORD_MIN letters or more ("aldabbas", not "alice"). */
int sc_article_stripped(const char *s, size_t n);

/* Computes every list word's neighbourhood (query.c). */
void sc_build_neighbourhoods(screen_index *idx);

/* Enumerates the deletion variants of s (1 deletion, and 2 when long
 * enough and max_deletions allows), calling fn for each distinct one. */
void sc_deletions(const char *s, size_t n, int max_deletions,
                  void (*fn)(void *ctx, const char *v, size_t nv), void *ctx);

#endif
