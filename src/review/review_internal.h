/* Shared by the files of the review module; not part of its interface. */
#ifndef PH_REVIEW_INTERNAL_H
#define PH_REVIEW_INTERNAL_H

#include "audit/audit.h"
#include "review/review.h"

/* A review row as stored. */
typedef struct review_row {
    int64_t id;
    char ref[REVIEW_REF_MAX];
    review_kind kind;
    char *title, *reason, *criteria, *definition, *definition_sha256;
    char status[16];
    char *created_by, *created_at;
    int approved_run; /* 0 when not approved */
    char *approved_by, *approved_at, *approval_note;
    char *applied_by, *applied_at;
    int latest_run; /* 0 when never run */
} review_row;

/* PH_ENOTFOUND "no review RV-0007" when there is none. */
int review_row_load(store *db, int64_t id, review_row *r, ph_err *err);
void review_row_free(review_row *r);
/* The stored definition, read back. */
int review_row_def(const review_row *r, review_def *d, ph_err *err);
/* The id of run `number` of a review. */
int review_run_id(store *db, int64_t review, int number, int64_t *run_id, ph_err *err);
/* The audit clock's time and its date (date may be NULL). */
int review_now(char when[AUDIT_TIME_LEN], char date[11], ph_err *err);
/* Adds a pending customs notification to the outbox. */
int review_notify_customs(store *db, const char *reference, const char *event, int64_t review,
                          const char *criteria, const char *reason, const char *when, ph_err *err);

/* The fields of a result hashed into the run's results_sha256, in order:
 * position, reference, status, action, proposed, criteria, rules, reason,
 * exception (NULL when none), end_user, end_user_type, ratings,
 * capabilities, goods, value_pence; each as text. */
#define REVIEW_RESULT_FIELDS 15
#define REVIEW_RESULT_COLUMNS                                                                      \
    "position, reference, status, action, proposed, criteria, rules, reason, exception, "          \
    "end_user, "                                                                                   \
    "end_user_type, ratings, capabilities, goods, value_pence"
/* The canonical bytes of one result (out is reset first). */
void review_result_canon(ph_buf *out, const char *const *fields, size_t n);

#endif

/* ---- reading results (read.c) ---- */

enum {
    RF_POSITION,
    RF_REFERENCE,
    RF_STATUS,
    RF_ACTION,
    RF_PROPOSED,
    RF_CRITERIA,
    RF_RULES,
    RF_REASON,
    RF_EXCEPTION,
    RF_END_USER,
    RF_END_USER_TYPE,
    RF_RATINGS,
    RF_CAPABILITIES,
    RF_GOODS,
    RF_VALUE
};

/* One stored result with what became of it; valid during the callback. */
typedef struct review_result_row {
    const char *fields[REVIEW_RESULT_FIELDS]; /* RF_*: the text forms hashed */
    int64_t value_pence;
    int exception;                                     /* from 1; 0 when none */
    const char *applied, *applied_note;                /* NULL when not acted on */
    int64_t audit_seq;                                 /* -1 when none */
    const char *referral, *decision, *decision_reason; /* NULL when not referred */
} review_result_row;

typedef int (*review_result_fn)(void *ctx, const review_result_row *r, ph_err *err);
/* Every result of a run in order. */
int review_results_each(store *db, int64_t review, int64_t run_id, review_result_fn fn, void *ctx,
                        ph_err *err);
/* A result as JSON (d gives the exceptions' authority and reason). */
json_t *review_result_json(const review_result_row *r, const review_def *d);
/* The header of a run: number, as_of, policy, evidence, summary... and its id. */
int review_run_header_json(store *db, int64_t review, int number, int64_t *run_id, json_t **out,
                           ph_err *err);
/* "a, b" -> ["a", "b"]. */
json_t *review_split_list(const char *s);
