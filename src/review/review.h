/*
 * review — reviews of extant licences. When the facts about a destination
 * change, every licence in a scope is re-assessed under the policy and
 * evidence in force; each gets an action with its criteria and reason
 * (suspend, refer, continue, or an exception that withholds a suspension);
 * the impact is summarised; a decision maker who did not create the review
 * approves it; and the approved actions are carried out licence by licence
 * through the licence workflow, each with its own reason and audit entry.
 * A reinstatement review does the same over suspended licences.
 *
 * Three layers:
 *   - the definition (review_def_parse): the review as JSON, checked with
 *     errors that name the JSON path. Pure.
 *   - the evaluation (review_engine_*, review_evaluate): scope, the
 *     assessment of each licence, its action, exceptions, and the impact
 *     summary, over licences in memory. Pure: no I/O, and no allocation per
 *     licence once warm, so a million licences take about a second.
 *   - the record (review_create ... review_resolve, review_report_*): the
 *     tables of src/store/sql/007_reviews.sql. Each step is one transaction
 *     with an audit entry on the review (object type "review", id
 *     "RV-0001"); apply runs in batches, each a transaction, and resumes
 *     where it stopped.
 *
 * Owns the tables review, review_evidence, review_run, review_result,
 * review_action, review_referral and customs_notification. Reads the
 * licence register, evidence, criteria and accounts, and changes a licence
 * only through register_licence_change_status (the licence workflow).
 * docs/reviews.md describes the file, the actions and the report.
 */
#ifndef PH_REVIEW_H
#define PH_REVIEW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assess/assess.h"
#include "store/store.h"
#include "util/util.h"

/* The audit object type; object ids are "RV-0001". */
#define REVIEW_OBJECT "review"
#define REVIEW_REF_MAX 24

/* Caps on a review file (a review is a reasoned decision, not a data set). */
#define REVIEW_MAX_FILE (1u << 20) /* bytes */
#define REVIEW_MAX_TITLE 200       /* bytes */
#define REVIEW_MAX_TEXT 4000       /* bytes of a reason */
#define REVIEW_MAX_WORD 200        /* bytes of one list item */
#define REVIEW_MAX_LIST 10000      /* items in one list (references) */
#define REVIEW_MAX_EXCEPTIONS 64
#define REVIEW_MAX_CRITERIA 16
/* Licences changed in one transaction by review_apply, unless told. */
#define REVIEW_APPLY_BATCH 500
#define REVIEW_APPLY_BATCH_MAX 1000000

/* "RV-0007"; and back (accepts "7" too). */
void review_ref(int64_t id, char out[REVIEW_REF_MAX]);
int review_parse_ref(const char *s, int64_t *id);

/* ==== the definition (pure) ==== */

typedef enum review_kind { REVIEW_SUSPENSION, REVIEW_REINSTATEMENT } review_kind;
const char *review_kind_name(review_kind k);

typedef struct review_list {
    char **items;
    size_t n;
} review_list;

/* Which licences an exception covers: every list given must match (an
 * empty list does not restrict); within a list any item matches. */
typedef struct review_selector {
    review_list references; /* exactly these licences */
    review_list tags;       /* licences carrying one of these tags */
    review_list ratings;    /* a goods line under one of these ratings */
    review_list end_users;  /* the end user's name, ignoring case */
} review_selector;

typedef struct review_exception {
    review_selector select;
    char *reason;
    char *authority; /* "HCWS64": where the measure was announced */
} review_exception;

typedef struct review_def {
    review_kind kind;
    char *title;
    char *reason;
    review_list criteria; /* "2c"; a parent ("2") covers its sub-criteria */
    review_list evidence; /* "EV-0001" */
    char as_of[11];       /* assess as on this date; "" = the day of each run */
    struct {
        review_list destinations;   /* codes (names are resolved by review_create) */
        review_list statuses;       /* default: issued, reinstated (suspended for reinstatement) */
        review_list ratings;        /* a goods line under one of these */
        review_list capabilities;   /* a goods line with one of these */
        review_list end_user_types; /* armed_forces, government, ... */
        review_list licence_types;  /* SIEL, OIEL, ... */
        char issued_from[11];       /* "" = open */
        char issued_to[11];
    } scope;
    review_exception *exceptions;
    size_t nexceptions;
} review_def;

/* Reads a review from JSON (docs/reviews.md). Errors name the path and
 * what is expected: "review.json: scope.statuses[1]: 'expired' ...". Any
 * bytes are safe. Missing statuses get the default of the kind. */
int review_def_parse(const char *name, const char *text, size_t len, review_def *out, ph_err *err);
/* The same from a parsed document; on error *path (when not NULL) holds
 * the JSON path alone ("" for the document) and err the reason. */
int review_def_from_json(const json_t *j, review_def *out, char *path, size_t path_size,
                         ph_err *err);
void review_def_free(review_def *d);
/* The definition as JSON, every key present, in a fixed order: the form
 * stored and hashed. Caller owns the reference. */
json_t *review_def_json(const review_def *d);

/* ==== the evaluation (pure) ==== */

typedef enum review_action {
    REVIEW_CONTINUE,
    REVIEW_REFER,
    REVIEW_SUSPEND,
    REVIEW_REINSTATE,
    REVIEW_EXCEPTION,
    REVIEW_ACTIONS
} review_action;
const char *review_action_name(int action);
/* The action for a name, or -1. */
int review_action_parse(const char *name);

/* A licence as a review sees it; strings may be NULL. */
typedef struct review_licence {
    int64_t id;
    assess_licence licence; /* reference, type, destination, end user, end use, lines */
    const char *status;
    const char *issued_on;
    const char *tags; /* "f35-global-programme;..." */
} review_licence;

typedef struct review_licence_set {
    review_licence *v;
    size_t n;
    assess_licence_line *lines;
    size_t nlines;
    void *strings;
} review_licence_set;

/* The licences of the scope's destinations with a status in scope, in
 * reference order, with their goods lines. The other scope conditions are
 * the engine's. */
int review_licences_load(store *db, const review_def *d, review_licence_set **out, ph_err *err);
void review_licences_free(review_licence_set *s);

typedef struct review_engine review_engine;

/* Compiles a definition against a context and a policy: the review's
 * criteria must be considered by the policy (PH_EUSAGE naming the
 * criterion otherwise). d, ctx and p must outlive the engine. */
int review_engine_new(const review_def *d, const assess_context *ctx, const policy *p,
                      review_engine **out, ph_err *err);
void review_engine_free(review_engine *e);

/* What the review found for one licence in scope. */
typedef struct review_outcome {
    size_t index; /* of the licence in the array given to review_evaluate */
    const review_licence *licence;
    int action;            /* review_action */
    int proposed;          /* the action before exceptions */
    int exception;         /* index into the definition's exceptions, or -1 */
    uint64_t criteria;     /* cited: bit i is the policy's considered criterion i */
    uint64_t capabilities; /* of all goods lines together */
    int64_t value_pence;   /* goods lines with a value, summed */
    /* Valid during the callback only: the facts and the assessment. */
    const assess_result *result;
} review_outcome;

/* Called for each licence in scope, in order; a non-zero return stops the
 * evaluation with that code. */
typedef int (*review_outcome_fn)(void *ctx, const review_outcome *o, ph_err *err);

/* Evaluates licences v[0..n) against the evidence snapshot, calling `each`
 * (may be NULL) for every licence in scope, and tallies the impact summary
 * (review_engine_summary), which is reset first. */
int review_evaluate(review_engine *e, const assess_evidence_snapshot *snapshot,
                    const review_licence *v, size_t n, review_outcome_fn each, void *ctx,
                    ph_err *err);

/* Text of an outcome (appended to out), during the callback:
 *   criteria      "2c" (", "-separated)
 *   rules         "2c-combat-capability"
 *   reason        each cited finding's reason with its facts, and the
 *                 exception's reason and authority when one applied
 *   capabilities  "combat-aircraft, technology"
 *   ratings       "ML10.a, ML22" (as the lines give them)
 *   goods         the goods descriptions, "; "-separated */
void review_outcome_criteria(const review_engine *e, const review_outcome *o, ph_buf *out);
void review_outcome_rules(const review_engine *e, const review_outcome *o, ph_buf *out);
void review_outcome_reason(const review_engine *e, const review_outcome *o, ph_buf *out);
void review_outcome_capabilities(const review_engine *e, const review_outcome *o, ph_buf *out);
void review_outcome_ratings(const review_outcome *o, ph_buf *out);
void review_outcome_goods(const review_outcome *o, ph_buf *out);

/* The impact: licences and value by action, overall and by rating,
 * capability and end-user type. A licence counts once under each key it
 * touches, with the value of its goods lines under that key. */
typedef struct review_tally {
    int64_t licences[REVIEW_ACTIONS];
    int64_t value_pence[REVIEW_ACTIONS];
} review_tally;

typedef struct review_breakdown {
    char **keys;
    review_tally *tallies;
    size_t n, cap;
    ph_map index;
} review_breakdown;

typedef struct review_summary {
    int64_t considered; /* licences given to the evaluation */
    int64_t in_scope;
    review_tally total;
    review_breakdown by_rating, by_capability, by_end_user_type;
    /* The evidence in force for the destinations assessed. */
    char evidence_sha256[PH_SHA256_HEX];
    char *evidence_in_force; /* "EV-0001, EV-0004", "" when none */
} review_summary;

const review_summary *review_engine_summary(const review_engine *e);
/* The summary as JSON (docs/reviews.md); `kind` decides which actions are
 * listed. Caller owns the reference. */
json_t *review_summary_json(const review_summary *s, review_kind kind);

/* ==== the record ==== */

/* Who is acting: an account name and its role (auth_role_name). */
typedef struct review_actor {
    const char *name;
    const char *role;
} review_actor;

/* Registers the "review" object type with the audit log (once per process). */
int review_register_audit(void);
/* The canonical state of a review for the audit log (an audit_state_fn). */
int review_state(store *db, const char *object_id, ph_buf *out, ph_err *err);

/* Creates a review from its JSON (own transaction). The actor must be a
 * case officer or a decision maker (PH_EFORBIDDEN). Destinations are
 * resolved to codes; criteria, evidence, ratings and capabilities must be
 * known (PH_EUSAGE naming the JSON path). Writes the new id. */
int review_create(store *db, const review_actor *who, const char *name, const char *text,
                  size_t len, int64_t *id, ph_err *err);
/* The same from a parsed document (HTTP); on a content error *path (when
 * not NULL) holds the JSON path. */
int review_create_json(store *db, const review_actor *who, const json_t *doc, int64_t *id,
                       char *path, size_t path_size, ph_err *err);

typedef struct review_run_info {
    int number;
    int64_t licences;
    char as_of[11];
} review_run_info;

/* The dry run: loads the licences in scope, re-assesses each under the
 * policy and evidence in force on the review's as_of (or today), and keeps
 * the results as the review's newest run (own transaction; no licence
 * changes). Refused (PH_ECONFLICT) once the review is approved. */
int review_run(store *db, const review_actor *who, int64_t id, review_run_info *out, ph_err *err);

/* Approves the newest run (own transaction). Only a decision maker, never
 * the review's creator (PH_EFORBIDDEN). `run` 0 means the newest; another
 * number must be the newest (PH_ECONFLICT otherwise). */
int review_approve(store *db, const review_actor *who, int64_t id, int run, const char *note,
                   ph_err *err);

typedef struct review_apply_report {
    int already_applied; /* nothing was left to do */
    int64_t done;        /* licences suspended or reinstated */
    int64_t skipped;     /* status changed since the run */
    int64_t referred;    /* referrals added to the work queue */
    int64_t notifications;
    int batches;
} review_apply_report;

/* Carries out an approved review: every suspend (or reinstate) result
 * becomes a licence status change through the licence workflow with the
 * review's id, the result's criteria and reason, and an audit entry; each
 * adds a customs notification to the outbox; refer results join the work
 * queue. Runs in batches of `batch` licences (0: REVIEW_APPLY_BATCH), each
 * one transaction that also records its progress, so a failure leaves
 * whole batches only and applying again carries on. Applying an applied
 * review does nothing. Only a decision maker (PH_EFORBIDDEN). `progress`
 * may be NULL. */
int review_apply(store *db, const review_actor *who, int64_t id, int batch,
                 void (*progress)(void *ctx, uint64_t done, uint64_t total), void *progress_ctx,
                 review_apply_report *out, ph_err *err);

/* Resolves a referral of the work queue (own transaction): `continue`
 * leaves the licence as it is; `suspend` or `reinstate` changes it through
 * the licence workflow with the reason given. Only a decision maker. */
int review_resolve(store *db, const review_actor *who, int64_t id, const char *reference,
                   const char *decision, const char *reason, ph_err *err);

/* ---- reading ----
 * Each fills *out with a new JSON value the caller releases (json_decref). */

/* Every review, newest first: [{id, kind, title, status, ...}]. */
int review_list_json(store *db, json_t **out, ph_err *err);
/* One review: its definition, runs, approval and application. */
int review_show_json(store *db, int64_t id, json_t **out, ph_err *err);
/* A run with its results: {"review", "run", ..., "summary", "licences"}.
 * run 0: the newest. */
int review_run_json(store *db, int64_t id, int run, json_t **out, ph_err *err);
/* The work queue: open referrals (of one review when id > 0). */
int review_queue_json(store *db, int64_t id, json_t **out, ph_err *err);
/* Customs notifications, pending first. */
int review_outbox_json(store *db, json_t **out, ph_err *err);

/* ---- the report (report.c) ----
 * The record a minister or a parliamentary committee reads: what was
 * reviewed, on what evidence and policy, what was decided for each licence
 * and why, the exceptions and their authority, the approval and what was
 * applied, and the impact. Of the approved run, else the newest; PH_ECONFLICT
 * when the review has never been run. The caller releases *out (json_decref)
 * or the buffer's text (ph_buf_free). */
int review_report_json(store *db, int64_t id, json_t **out, ph_err *err);
/* One row per licence (docs/reviews.md lists the columns). */
int review_report_csv(store *db, int64_t id, ph_buf *out, ph_err *err);
/* A self-contained page styled with the GOV.UK Design System classes: it
 * links /govuk/govuk-frontend.min.css (served by `penholder serve`) and
 * carries enough of its own style to read well as a file. */
int review_report_html(store *db, int64_t id, ph_buf *out, ph_err *err);

/* ==== the scenario (scenario.c) ====
 * A register of licences reproducing the September 2024 pattern: about 350
 * extant licences to Israel (ratings in the proportions of the published
 * 2008-2015 register, realistic end users and goods), including F-16,
 * helicopter and UAV components and ground-targeting items for the armed
 * forces, trainer-aircraft components, items not for military use, and
 * F-35 global-programme components tagged f35-global-programme; plus some
 * expired licences and licences to other destinations. Deterministic for a
 * seed. */
typedef struct review_scenario_options {
    long licences; /* extant licences to Israel; 0: 350 */
    uint64_t seed; /* 0: 2024 */
} review_scenario_options;

/* Writes the register as penholder-csv (docs/register-formats.md). */
int review_scenario_write(FILE *out, const review_scenario_options *o, ph_err *err);
/* Writes the built-in rating mix: rating,per_mille,goods_summary. */
void review_scenario_mix_write(FILE *out);

#endif
