/*
 * refdata — the project's reference tables: licensing destinations and the
 * names they are known by, arms embargoes, the licensing criteria and their
 * versions; and loading every reference table (with the control list, see
 * control.h) from the files built into the binary.
 *
 * Owns the destination, destination_alias, embargo, criteria_version,
 * criterion and refdata_version tables. Loading is idempotent: a table whose
 * file has the same SHA-256 as the loaded version is left alone.
 */
#ifndef PH_REFDATA_H
#define PH_REFDATA_H

#include <stddef.h>

#include "store/store.h"
#include "util/util.h"

#define REFDATA_CODE_MAX 16

typedef struct refdata_load_report {
    int tables_loaded;  /* tables whose content changed */
    int tables_current; /* tables already up to date */
    int rows;           /* rows written */
} refdata_load_report;

/* Loads every reference table in one transaction. */
int refdata_load(store *db, refdata_load_report *report, ph_err *err);

/* Resolves a destination given as a code or a name in any of its forms
 * ("US", "USA", "United States of America") to its code. PH_ENOTFOUND with a
 * message when unknown. */
int refdata_resolve_destination(store *db, const char *text, char code[REFDATA_CODE_MAX],
                                ph_err *err);

typedef struct refdata_destination {
    char code[REFDATA_CODE_MAX];
    char *name;
    char *report_name;
    char *kind;
} refdata_destination;

int refdata_destination_get(store *db, const char *code, refdata_destination *out, ph_err *err);
void refdata_destination_clear(refdata_destination *d);
/* Every destination, by code. */
int refdata_destinations_list(store *db, refdata_destination **out, size_t *n, ph_err *err);
void refdata_destinations_free(refdata_destination *v, size_t n);

/* All destination names in memory, for bulk resolution during imports. */
typedef struct refdata_names refdata_names;
int refdata_names_load(store *db, refdata_names **out, ph_err *err);
/* The code for a name or code, or NULL. */
const char *refdata_names_resolve(const refdata_names *n, const char *text);
void refdata_names_free(refdata_names *n);

typedef struct refdata_embargo {
    char destination[REFDATA_CODE_MAX];
    char source[8]; /* UN, UK, EU, OSCE */
    char scope[8];  /* full, partial */
    char *description;
    char since[11]; /* YYYY-MM-DD or "" */
    char *authority;
} refdata_embargo;

/* Embargoes on a destination in force on a date ("" = any). */
int refdata_embargoes(store *db, const char *destination, const char *on_date,
                      refdata_embargo **out, size_t *n, ph_err *err);
void refdata_embargoes_free(refdata_embargo *v, size_t n);

#endif
