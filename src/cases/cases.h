/*
 * cases — applications for licences, from the exporter's draft to a
 * decision: parties and goods, screening hits and their dispositions, the
 * assessment against the criteria, advice revisions, countersignatures,
 * requests for information, notes, decisions, appeals, and the licence a
 * decision issues.
 *
 * Owns the tables of src/store/sql/006_cases.sql. Every write runs in one
 * transaction that also appends an audit entry (audit.h: object type
 * "case", its id the case reference); every write checks the workflow table
 * (workflow.h), the actor's role and the case's version (an ETag for
 * optimistic concurrency). Reads build one of two separate views: the staff
 * view, and the exporter view, which is built from its own short list of
 * fields, so internal advice, assessments, screening detail and internal
 * notes can never reach an exporter by accident.
 *
 * Screening and assessment are services given by the caller (the server
 * keeps a loaded screening index and policy; the command line loads them
 * per run): cases never loads a list or a policy itself.
 */
#ifndef PH_CASES_H
#define PH_CASES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/util.h"

#define CASES_REFERENCE_MAX 64
#define CASES_MAX_BODY (1u << 20)
#define CASES_APPEAL_DAYS 28
#define CASES_SLA_WORKING_DAYS 20

/* Who is acting. role is one of the account roles (auth.h); organisation
 * is the exporter's organisation (NULL for staff); team the adviser's team. */
typedef struct cases_actor {
    const char *name;
    const char *role;
    const char *team;
    const char *organisation;
} cases_actor;

/* ---- services the caller provides ---- */

/* A screening hit on one party. */
typedef struct cases_hit {
    char *list;
    char *list_version;
    char *entity_id;
    char *listed_name;
    char *matched_name;
    double score;
    char *explanation_json; /* the engine's explanation, as JSON text */
} cases_hit;

/* Screens one name; fills *hits (caller frees with cases_hits_free) with
 * the hits at or above the alert threshold. */
typedef int (*cases_screen_fn)(void *ctx, store *db, const char *name, const char *party_type,
                               const char *country, cases_hit **hits, size_t *n, ph_err *err);
void cases_hits_free(cases_hit *v, size_t n);

/* Assesses an application given as JSON (docs/application.md) with the
 * screening outcome of each party (POLICY_SCREENING_*, in party order);
 * returns the result JSON (caller decrefs) and the recommendation. */
typedef int (*cases_assess_fn)(void *ctx, store *db, const char *application_json,
                               const int *screening, size_t nparties, json_t **result,
                               char recommendation[32], ph_err *err);

typedef struct cases_services {
    cases_screen_fn screen; /* NULL: no lists loaded; parties stay not_screened */
    /* The list versions screen() uses now, as a JSON array text of
     * {"list", "version", "sha256"} (caller frees; NULL: no list loaded).
     * NULL: not recorded. Same context as screen. */
    int (*screen_lists)(void *ctx, store *db, char **json, ph_err *err);
    void *screen_ctx;
    cases_assess_fn assess; /* NULL: no assessment is recorded */
    void *assess_ctx;
    const char *today; /* YYYY-MM-DD; NULL: the real date (tests fix it) */
    /* Open formal concerns about a case (their ids; caller frees each and
     * the array). NULL: no concerns are tracked. */
    int (*open_concerns)(void *ctx, store *db, const char *reference, char ***ids, size_t *n,
                         ph_err *err);
    void *concerns_ctx;
    /* Records on each open concern about the case that the decision maker
     * read it (called inside the decision's transaction, once its guards
     * pass). NULL: nothing is recorded. */
    int (*concerns_noted)(void *ctx, store *db, const char *reference, const char *actor,
                          const char *decision, ph_err *err);
    /* 1: an open formal concern about a case blocks its decision (deployment
     * setting); 0: the decision maker must acknowledge each one explicitly. */
    int concerns_block;
} cases_services;

/* The engines behind the services (services.c): the policy in force on a
 * date with its context, and the screening index when lists are loaded.
 * Read-only once open, so one runtime serves every server thread. */
typedef struct cases_runtime cases_runtime;
int cases_runtime_open(store *db, const char *date, cases_runtime **out, ph_err *err);
/* Fills svc with the runtime's services (the caller may then set today,
 * concerns and so on). */
void cases_runtime_services(cases_runtime *rt, cases_services *svc);
void cases_runtime_close(cases_runtime *rt);
/* The screening index of the services' runtime for the lists now loaded
 * (rebuilt when a list changed); *out is NULL when no list is loaded. The
 * index stays valid until the runtime is closed. */
struct screen_index;
int cases_screen_index(const cases_services *svc, store *db, struct screen_index **out,
                       ph_err *err);

/* Registers the "case" object type with the audit log (once per process). */
int cases_register_audit(void);

/* ---- writes ---- every one checks the role, the workflow and, when
 * if_version > 0, that the case is still at that version (PH_ESTALE). */

/* Creates a draft from application JSON (docs/application.md); the exporter
 * organisation is the actor's. Writes the new reference. */
int cases_create(store *db, const cases_actor *who, const char *json, size_t len,
                 char reference[CASES_REFERENCE_MAX], ph_err *err);
/* Replaces a draft's content (only while in draft). */
int cases_update(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                 const char *json, size_t len, ph_err *err);

typedef struct cases_event_params {
    const char *reason;   /* decisions, returns, withdrawals */
    const char *criteria; /* refusals: "2c;7" or "2c, 7" */
    const char *grounds;  /* appeals */
    /* For a decision: open concerns about the case the decision maker has
     * read (their ids, comma-separated), when concerns do not block. */
    const char *concerns_acknowledged;
} cases_event_params;

/* Fires a workflow event (submit, start_checks, send_to_technical,
 * complete_technical, send_to_advisers, consolidate, return_to_advice,
 * issue, refuse, no_licence_required, appeal, allow_appeal, dismiss_appeal,
 * withdraw). An event not allowed from the case's state is PH_ECONFLICT
 * with the allowed events named; a guard that fails is PH_ECONFLICT saying
 * what is missing. */
int cases_fire(store *db, const cases_services *svc, const cases_actor *who, const char *reference,
               const char *event, const cases_event_params *p, int64_t if_version, ph_err *err);

/* A technical assessor confirms a goods line's rating. */
int cases_rate(store *db, const cases_actor *who, const char *reference, int64_t if_version,
               int line_no, const char *rating, const char *report_summary, ph_err *err);
/* A case officer disposes of a screening hit; the case is assessed again. */
int cases_dispose(store *db, const cases_services *svc, const cases_actor *who,
                  const char *reference, int64_t if_version, int64_t hit_id,
                  const char *disposition, const char *reason, ph_err *err);

typedef struct cases_advice_input {
    const char
        *advice; /* approve, approve_with_provisos, refuse, no_licence_required, conflicting */
    const char *text;
    const char *provisos;      /* approve_with_provisos */
    const char *criteria;      /* refuse */
    const char *change_reason; /* required when the team already advised */
} cases_advice_input;
/* An adviser gives advice for their team: a new revision, never an edit. */
int cases_advise(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                 const cases_advice_input *in, int64_t *advice_id, ph_err *err);
/* A countersigner accepts or rejects an advice revision; never its author
 * nor anyone who advised on the case. */
int cases_countersign(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                      int64_t advice_id, int accepted, const char *reasons, ph_err *err);
/* Requests for information: raising pauses the service-level clock,
 * answering restarts it. */
int cases_rfi_raise(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                    const char *question, int64_t *rfi_id, ph_err *err);
int cases_rfi_answer(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                     int64_t rfi_id, const char *response, ph_err *err);
int cases_note(store *db, const cases_actor *who, const char *reference, int64_t if_version,
               const char *text, int exporter_visible, int64_t *note_id, ph_err *err);
/* The metadata of a document the exporter supports the application with
 * (an end-user undertaking, a specification): its name, SHA-256 (which
 * fixes the file held elsewhere), size and media type. Exporters only, while
 * the case is not final; audited as case.document. */
typedef struct cases_document_input {
    const char *name;
    const char *sha256; /* 64 lower-case hex digits */
    int64_t size;       /* bytes */
    const char *content_type;
} cases_document_input;
int cases_document(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                   const cases_document_input *in, int64_t *document_id, ph_err *err);

/* ---- reads ---- */

/* The case as the actor may see it (staff view or exporter view), and its
 * version for the ETag. Exporters of another organisation get PH_ENOTFOUND. */
int cases_get(store *db, const cases_actor *who, const char *reference, json_t **out,
              int64_t *version, ph_err *err);

/* The same view already serialised as compact JSON (caller frees *json):
 * the stored assessment result is copied in as recorded instead of being
 * parsed and written again, which is most of the cost of reading a case. */
int cases_get_json(store *db, const cases_actor *who, const char *reference, char **json,
                   size_t *len, int64_t *version, ph_err *err);

typedef struct cases_filter {
    const char *status;
    const char *destination;
    const char *type;
    long limit; /* default 50, at most 500 */
    long offset;
} cases_filter;
/* {"total": N, "cases": [summaries]} as the actor may see them. */
int cases_list(store *db, const cases_actor *who, const cases_filter *f, json_t **out, ph_err *err);

/* The application JSON of a case (docs/application.md), as assessed. */
int cases_application_json(store *db, const char *reference, char **json, ph_err *err);

/* 1 when the role is a member of staff (sees internal detail). */
int cases_is_staff(const char *role);

#endif
