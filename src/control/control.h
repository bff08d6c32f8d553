/*
 * control — the control list: ratings (ML10.a, 5A002.a.1, PL5001, MEND...),
 * their tree, kinds and regimes, and text search over them.
 *
 * Owns the control_entry table and the rules for writing a rating. Ratings
 * are accepted with or without dots and in any case ("ml10a", "ML10.a");
 * control_rating_key() gives the lookup form and control_rating_display()
 * the form printed everywhere.
 *
 * The catalogue (control_catalog) is the whole list in memory, for the hot
 * paths (imports, assessments): lookups by rating, ancestors, kind, regimes.
 */
#ifndef PH_CONTROL_H
#define PH_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/util.h"

#define CONTROL_RATING_MAX 64

/* "ML10.a" / "ml10a" -> "ML10A"; "End Use" -> "ENDUSE". */
void control_rating_key(const char *rating, char *out, size_t size);
/* "ml10a" -> "ML10.a", "9a008d3" -> "9A008.d.3"; codes of other shapes are
 * returned trimmed, as written. */
void control_rating_display(const char *rating, char *out, size_t size);

/* Regime bits. */
enum {
    REGIME_WASSENAAR = 1,
    REGIME_MTCR = 2,
    REGIME_NSG = 4,
    REGIME_AUSTRALIA_GROUP = 8,
    REGIME_CWC = 16
};
/* "Wassenaar;MTCR" -> bits; unknown names are ignored. */
unsigned control_regimes_parse(const char *s);

typedef struct control_entry {
    int64_t id;
    char *rating;
    char *parent; /* "" for a root */
    char *kind;   /* military, national-military, dual-use, national-dual-use, ... */
    char *title;
    char *regimes; /* "Wassenaar;MTCR" */
    char *keywords;
    int military; /* military or national-military */
    unsigned regime_bits;
} control_entry;

void control_entry_clear(control_entry *e);
void control_entries_free(control_entry *v, size_t n);

/* Replaces the control list with the CSV given (rating,parent,kind,title,
 * regimes,keywords) inside the caller's transaction, and rebuilds the text
 * index. */
int control_load_csv(store *db, const char *name, const char *data, size_t len, int *rows,
                     ph_err *err);

/* One entry by rating (any accepted form). PH_ENOTFOUND when unknown. */
int control_get(store *db, const char *rating, control_entry *out, ph_err *err);
/* The path from the root down to the entry (inclusive). */
int control_path(store *db, const char *rating, control_entry **path, size_t *n, ph_err *err);
/* Direct children, in list order. */
int control_children(store *db, const char *rating, control_entry **out, size_t *n, ph_err *err);
/* Ranked text search. */
int control_search(store *db, const char *query, int limit, control_entry **out, size_t *n,
                   ph_err *err);

/* ---- the in-memory catalogue ---- */
typedef struct control_catalog control_catalog;

int control_catalog_load(store *db, control_catalog **out, ph_err *err);
/* From CSV text directly (tests, tools). */
int control_catalog_from_csv(const char *name, const char *data, size_t len, control_catalog **out,
                             ph_err *err);
void control_catalog_free(control_catalog *c);
size_t control_catalog_size(const control_catalog *c);
/* Entry i (0 <= i < size), in list order: for building derived tables. */
const control_entry *control_catalog_at(const control_catalog *c, size_t i);
/* Entry for a rating in any accepted form, or NULL. */
const control_entry *control_catalog_find(const control_catalog *c, const char *rating);
/* The parent entry, or NULL at a root. */
const control_entry *control_catalog_parent(const control_catalog *c, const control_entry *e);
/* 1 when `rating` is `ancestor` or lies beneath it (ML10.a.1 under ML10). */
int control_catalog_is_under(const control_catalog *c, const char *rating, const char *ancestor);

#endif
