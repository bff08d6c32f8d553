/*
 * register — the licence register: importing published and exported
 * licence records, listing them with filters, and the statistics the
 * authority publishes (licences, refusals and value by destination, rating,
 * year and refusal criterion).
 *
 * Owns the licence, licence_line, licence_criterion and import_batch
 * tables. An import is one transaction: a malformed row stops it with
 * "FILE:LINE: reason" and nothing from the file is stored, unless the caller
 * asks to skip bad rows, which are then all listed in the report. Importing
 * a file already imported (same SHA-256) adds nothing; so does importing a
 * licence whose reference is already in the register.
 */
#ifndef PH_REGISTER_H
#define PH_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/util.h"

typedef struct register_import_options {
    const char *format;        /* "caat-values" or "penholder-csv" */
    const char *criteria_file; /* caat-values: refusal criteria file, optional */
    const char *actor;         /* who imports: on the audit log (required) */
    int skip_bad;              /* store good rows, list bad ones */
    /* Called now and then with bytes read and the file's size. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} register_import_options;

/* A line that was skipped, or a name that could not be resolved. */
typedef struct register_note {
    char *file;
    long line; /* first line where it was seen */
    char *text;
    long count; /* rows affected */
} register_note;

typedef struct register_import_report {
    int already_imported; /* every file had been imported before */
    long rows;            /* data rows read */
    long licences_added;
    long licences_present; /* already in the register: skipped */
    long lines_added;
    long criteria_added;
    register_note *skipped; /* bad rows (only with skip_bad) */
    size_t nskipped;
    register_note *unknown_destinations;
    size_t nunknown_destinations;
    register_note *unknown_ratings;
    size_t nunknown_ratings;
} register_import_report;

int register_import(store *db, const char *path, const register_import_options *opts,
                    register_import_report *report, ph_err *err);
void register_import_report_free(register_import_report *r);

/* Licence filters; NULL or 0 means no restriction. */
typedef struct register_filter {
    const char *destination; /* a code or name; resolved through the aliases */
    const char *rating;      /* this rating or anything beneath it */
    const char *from, *to;   /* dates, inclusive */
    const char *outcome;     /* issued, refused, ... */
    const char *status;      /* issued, suspended, expired, ... */
    /* Only licences issued on applications of this exporter organisation
     * (its name); imported licences belong to none. */
    const char *organisation;
    long limit;
    long offset;
} register_filter;

typedef struct register_licence {
    int64_t id;
    char *reference;
    char *type;
    char *issued_on;
    char *expires_on;
    char *destination;      /* code, or "" when unresolved */
    char *destination_name; /* report name (or the name as written) */
    char *end_user;
    char *end_user_type;
    char *end_use;
    char *tags;    /* "f35-global-programme;..." */
    char *ratings; /* "ML10, ML4" */
    char *outcome;
    char *status;
    char *criteria; /* "1, 7" */
    int64_t value_pence;
    char *application;  /* reference of the application it was issued on, "" when imported */
    char *organisation; /* that application's exporter organisation, "" when imported */
} register_licence;

int register_list(store *db, const register_filter *f, register_licence **out, size_t *n,
                  ph_err *err);
void register_licences_free(register_licence *v, size_t n);
void register_licences_free_one(register_licence *l);

typedef struct register_line {
    int line_no;
    char *rating;
    int known_rating;
    char *goods_summary;
    int64_t quantity;    /* -1 when not recorded */
    int64_t value_pence; /* -1 when not recorded */
} register_line;

/* One licence by reference, with its goods lines. PH_ENOTFOUND if unknown. */
int register_get(store *db, const char *reference, register_licence *out, register_line **lines,
                 size_t *nlines, ph_err *err);
void register_lines_free(register_line *v, size_t n);

typedef struct register_stat {
    char *key;
    int64_t licences;
    int64_t refused;
    int64_t value_pence;
} register_stat;

/* by: "destination", "rating", "year" or "criterion". A licence counts once
 * per key it touches; value is the sum of its lines under that key. */
int register_stats(store *db, const char *by, const register_filter *f, register_stat **out,
                   size_t *n, ph_err *err);
void register_stats_free(register_stat *v, size_t n);

/* Counts for a summary: licences, lines, destinations used, import batches. */
typedef struct register_summary {
    int64_t licences, lines, refused, destinations, batches;
    char first_date[11], last_date[11];
} register_summary;
int register_summarise(store *db, register_summary *s, ph_err *err);

/* ---- licence status changes (licence_status.c) ----
 * Every change of a licence's status goes through the licence workflow
 * (wf_licence in workflow.h, drawn in docs/workflow.md): suspension,
 * reinstatement, revocation, surrender, exhaustion and expiry, each with a
 * reason, the criteria cited where the workflow's guard asks for them
 * (checked against the criteria version in force), the role of whoever acts
 * checked against the workflow's role column, and an audit entry.
 * Owns the licence_status_change table. */

/* The audit object type of a licence; its id is the licence reference. */
#define REGISTER_LICENCE_OBJECT "licence"

/* The workflow role of penholder's own routines (expiry). */
#define REGISTER_ROLE_SYSTEM "system"

typedef struct register_status_change {
    const char *reference;
    const char *event;    /* suspend, reinstate, revoke, surrender, exhaust, expire */
    const char *reason;   /* required */
    const char *criteria; /* "2c", "1a, 2c": required when the workflow's guard says so */
    const char *actor;    /* who decided: an account name */
    /* The role the actor acts in (auth_role_name, or REGISTER_ROLE_SYSTEM):
     * it must be in the workflow's role column for the transition. */
    const char *role;
    /* An exporter acting: the licence must have been issued on one of this
     * organisation's applications, otherwise it is not found. NULL for staff. */
    const char *organisation;
} register_status_change;

typedef struct register_status_result {
    char from[32], to[32];
    char criteria[256];        /* normalised: "1a, 2c" */
    char criteria_version[64]; /* the version the criteria were cited under */
    audit_entry_info audit;
} register_status_result;

/* Changes the licence's status, records the change and appends the audit
 * entry (action "licence.<event>"). Must run inside a transaction
 * (store_begin); on failure the caller rolls back. PH_EFORBIDDEN when the
 * role may not fire the event (the message starts "forbidden:" and names
 * the roles that may), PH_ENOTFOUND for an unknown reference (or another
 * organisation's licence), PH_ECONFLICT for a transition the table forbids
 * (the message lists the allowed events), PH_EUSAGE for a missing reason or
 * criteria or an unknown criterion. */
int register_licence_change_status(store *db, const register_status_change *c,
                                   register_status_result *out, ph_err *err);

/* ---- expiry ----
 * Every extant licence (a status from which the workflow allows `expire`)
 * whose expires_on is before `as_of` becomes expired, each through
 * register_licence_change_status (role system) with its own reason and
 * audit entry. The work is done in batches, each its own transaction, so a
 * failure leaves whole batches done and running again carries on; a licence
 * already expired is no longer extant, so a second run changes nothing. */

/* Licences expired per transaction unless the caller says otherwise. */
#define REGISTER_EXPIRE_BATCH_DEFAULT 500

typedef struct register_expiry {
    /* YYYY-MM-DD; NULL: today, the date of the audit clock (audit_clock).
     * Never later than that date, so that no licence is recorded as expired
     * on a day before its end date has passed. */
    const char *as_of;
    const char *actor; /* the account that runs the expiry, on the audit log */
    /* Its role (auth_role_name): a staff role the licence workflow names
     * (case_officer, decision_maker); exporters and other roles are refused. */
    const char *actor_role;
    long batch; /* licences per transaction; 0: REGISTER_EXPIRE_BATCH_DEFAULT */
} register_expiry;

typedef struct register_expired {
    char *reference;
    char *expires_on;
    char from[32]; /* the status it expired from */
    uint64_t audit_seq;
} register_expired;

typedef struct register_expiry_report {
    char as_of[11];
    register_expired *licences; /* in the order expired: by expires_on, then reference */
    size_t n;
} register_expiry_report;

/* Must be called outside a transaction: it runs its own, one per batch.
 * PH_EUSAGE for a bad or future as_of, PH_EFORBIDDEN for a role that may
 * not run it. On failure, report->n says how many expired before it. */
int register_licences_expire(store *db, const register_expiry *e, register_expiry_report *report,
                             ph_err *err);
void register_expiry_report_free(register_expiry_report *r);

/* The status an event leads to from `status`, or NULL when not allowed. */
const char *register_licence_next_status(const char *status, const char *event);
/* The events allowed from `status`, "suspend, revoke", or "none". */
void register_licence_events(const char *status, char *out, size_t size);
int register_is_licence_event(const char *event);
/* The canonical bytes of a licence's state for the audit log (an
 * audit_state_fn): the licence row, its goods lines, refusal criteria and
 * status changes. PH_ENOTFOUND when the reference is unknown. */
int register_licence_state(store *db, const char *reference, ph_buf *out, ph_err *err);
/* Each file imported into the register is an audited object too: type
 * "register_import", id the import's number, state its import_batch row
 * (format, file name, SHA-256, counts, time); action "register.import". */
#define REGISTER_IMPORT_OBJECT "register_import"
int register_import_state(store *db, const char *id, ph_buf *out, ph_err *err);

#endif
