/* Inside the concern module only: what concern.c and seal.c share. */
#ifndef PH_CONCERN_INTERNAL_H
#define PH_CONCERN_INTERNAL_H

#include "concern.h"

/* A concern row as stored. */
typedef struct concern_row {
    int64_t id;
    char about_kind[16];
    char *about_id, *about_version, *about_sha256, *case_reference;
    char category[32];
    char *criteria, *text;
    int confidential;
    char *reporter; /* NULL when confidential */
    char receipt_sha256[PH_SHA256_HEX];
    char pseudonym[CONCERN_PSEUDONYM_MAX];
    char raised_on[11];
} concern_row;

int concern_row_load(store *db, int64_t id, concern_row *out, ph_err *err);
void concern_row_clear(concern_row *r);

/* Appends the audit entry of a write to concern `id` (inside the caller's
 * transaction). A confidential concern's reporter appears as its
 * pseudonym, and the entry carries the time of the tree head before it,
 * so it tells no more than its position in the log. */
int concern_audit(store *db, const char *actor, const char *action, int64_t id, int pseudonymous,
                  ph_err *err);

/* Seals the identity (a JSON text) of concern `id` to every nominated
 * officer's current key. Returns in *sealed how many keys it went to. */
int concern_seal_identity(store *db, int64_t id, const char *identity_json, size_t *sealed,
                          ph_err *err);

/* The account, checked to exist and not be disabled; its role name. */
int concern_account(store *db, const char *name, char role[32], ph_err *err);

/* Verifies that `code` is the receipt of the concern (constant-time). */
int concern_receipt_matches(const concern_row *c, const char *code, ph_err *err);

#endif
