/*
 * assess — assessing an application against the licensing criteria: the
 * facts of an application (from its JSON, or from a licence in the
 * register), the capability table, the evidence store, choosing the policy
 * in force on a date, running it, and the result with its findings.
 *
 * Owns the evidence, policy_version and assessment tables
 * (src/store/sql/003_assessment.sql) and the built-in tables
 * data/capabilities.csv and data/embargo_scope.csv. Reads, and never
 * writes, the reference tables (refdata, control) and the licence register.
 *
 * The hot path is pure and allocation-light: build an assess_context once
 * (control list, destinations, embargoes, capabilities), an evidence
 * snapshot once, then for each application or licence build facts into a
 * reused assess_facts and run assess_run() into a reused assess_result.
 * Neither allocates once they have grown to the size of the largest case.
 * A context and a snapshot are read-only after loading and may be shared by
 * threads, each with its own facts and result.
 *
 * Determinism: the same policy, facts and evidence give the same result,
 * byte for byte; nothing in a result depends on the clock unless a date is
 * given.
 */
#ifndef PH_ASSESS_H
#define PH_ASSESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "refdata/refdata.h"
#include "store/store.h"
#include "util/util.h"

/* Caps on an application file. */
#define ASSESS_MAX_APPLICATION (4u << 20) /* bytes */
#define ASSESS_MAX_LINES 10000
#define ASSESS_MAX_PARTIES 1000
#define ASSESS_MAX_TEXT 65536                /* bytes in one text field */
#define ASSESS_MAX_LICENCE_LINES 1000000     /* goods lines of one licence */
#define ASSESS_MAX_EVIDENCE_FILE (16u << 20) /* bytes of an evidence import */
#define ASSESS_MAX_DEPTH 16                  /* levels of the control list */
#define ASSESS_EVIDENCE_REF_MAX 24

#define ASSESS_CAPABILITIES_FILE "data/capabilities.csv"
#define ASSESS_EMBARGO_SCOPE_FILE "data/embargo_scope.csv"
#define ASSESS_CRITERIA_FILE "data/criteria.csv"
#define ASSESS_POLICY_DIR "data/policy/"

/* ---- the context facts are built in ---- */
typedef struct assess_context assess_context;

/* Loads the control list, destinations and their embargoes in force on
 * `date` (YYYY-MM-DD) from the database, and the built-in capability,
 * embargo-scope and criteria tables. */
int assess_context_load(store *db, const char *date, assess_context **out, ph_err *err);
/* From the files built into penholder only: control list, criteria and
 * capabilities, no destinations. Enough to check a policy. */
int assess_context_builtin(assess_context **out, ph_err *err);
void assess_context_free(assess_context *ctx);
const char *assess_context_date(const assess_context *ctx); /* "" for built-in */
const char *assess_capabilities_sha256(const assess_context *ctx);
size_t assess_capability_count(const assess_context *ctx);
const char *assess_capability_name(const assess_context *ctx, size_t i);

/* ---- policies ---- */

/* Parses a policy and checks it against the context's criteria, control
 * list and capabilities. */
int assess_policy_parse(const assess_context *ctx, const char *name, const char *text, size_t len,
                        policy **out, ph_err *err);
int assess_policy_read(const assess_context *ctx, const char *path, policy **out, ph_err *err);
/* The policy in force on a date: among the built-in policies
 * (data/policy/) and those installed with assess_policy_install(), the one
 * valid on the date that started last; an installed policy wins a tie.
 * PH_ENOTFOUND when none is in force. */
int assess_policy_in_force(store *db, const assess_context *ctx, const char *date, policy **out,
                           ph_err *err);
/* Stores a policy (after checking it) so that it can be chosen by date,
 * with its audit entry ("policy.install" by actor; object "policy_version",
 * id "POLICY:VERSION"). Installing the same text again changes nothing
 * (*already = 1); another text under an installed id and version is
 * refused (PH_ECONFLICT). */
int assess_policy_install(store *db, const char *actor, const assess_context *ctx, const char *path,
                          int *already, policy **out, ph_err *err);
#define ASSESS_POLICY_OBJECT "policy_version"
int assess_policy_version_state(store *db, const char *id, ph_buf *out, ph_err *err);

typedef struct assess_policy_entry {
    char *policy_id, *version, *valid_from, *valid_to, *sha256;
    char *origin; /* "built-in data/policy/x.policy" or "installed 2026-...Z from FILE" */
} assess_policy_entry;
int assess_policy_list(store *db, const assess_context *ctx, assess_policy_entry **out, size_t *n,
                       ph_err *err);
void assess_policy_entries_free(assess_policy_entry *v, size_t n);

/* ---- facts ---- */
typedef struct assess_facts assess_facts;

assess_facts *assess_facts_new(void);
void assess_facts_free(assess_facts *f);
/* What the policy sees (evidence is attached by assess_run). Valid until
 * the facts are rebuilt or freed. */
const policy_facts *assess_facts_view(const assess_facts *f);

/* Reads an application (docs/application.md) into `out`, replacing what it
 * held. Errors name the file and the JSON path:
 * "app.json: parties[1].country: unknown destination 'Narnia'". */
int assess_application_from_json(const assess_context *ctx, const char *name, const char *text,
                                 size_t len, assess_facts *out, ph_err *err);

/* A licence as the register holds it; strings may be NULL. */
typedef struct assess_licence_line {
    const char *rating;
    const char *description;
    int64_t quantity;    /* -1 when not known */
    int64_t value_pence; /* -1 when not known */
} assess_licence_line;

typedef struct assess_licence {
    const char *reference;
    const char *type;          /* SIEL, OIEL... */
    const char *destination;   /* code; NULL or "" when unresolved */
    const char *end_user;      /* name, NULL when not recorded */
    const char *end_user_type; /* government, armed_forces..., NULL when not recorded */
    const char *end_use;
    const assess_licence_line *lines;
    size_t nlines;
} assess_licence;

/* Builds facts from a licence without JSON: the licence is assessed as if
 * it were a new application. Ratings not in the control list become lines
 * of kind "unlisted" (never an error: the register keeps what it was given). */
int assess_facts_from_licence(const assess_context *ctx, const assess_licence *l, assess_facts *out,
                              ph_err *err);

size_t assess_facts_party_count(const assess_facts *f);
const policy_party *assess_facts_party(const assess_facts *f, size_t i);
/* Sets a party's screening outcome (POLICY_SCREENING_*). */
void assess_facts_set_screening(assess_facts *f, size_t party, int outcome);

/* Every licence of the register (optionally of one destination), with its
 * goods lines, in reference order. */
typedef struct assess_licence_set {
    assess_licence *licences;
    size_t n;
    assess_licence_line *lines;
    size_t nlines;
    void *strings; /* where the licences' text lives */
} assess_licence_set;
int assess_licences_load(store *db, const char *destination, assess_licence_set **out, ph_err *err);
void assess_licences_free(assess_licence_set *s);

/* ---- evidence ---- */
typedef struct assess_evidence {
    int64_t id;
    char ref[ASSESS_EVIDENCE_REF_MAX]; /* "EV-0007" */
    char destination[REFDATA_CODE_MAX];
    int topic, severity, reliability, classification; /* POLICY_* values */
    char *summary;
    char *source;
    char source_date[11];
    char valid_from[11];
    char valid_to[11];     /* "" when open-ended */
    int64_t supersedes;    /* 0 when none */
    int64_t superseded_by; /* 0 when none */
    char recorded_at[21];
} assess_evidence;

/* An entry as given on the command line or in a JSON file; NULL = not given. */
typedef struct assess_evidence_input {
    const char *destination, *topic, *severity, *summary, *source, *date;
    const char *reliability;    /* default medium */
    const char *classification; /* default OFFICIAL */
    const char *valid_from;     /* default: the source date */
    const char *valid_to;
    const char *supersedes; /* "EV-0003" or "3" */
} assess_evidence_input;

/* "EV-0007"; and back (accepts "7" too). */
void assess_evidence_ref(int64_t id, char out[ASSESS_EVIDENCE_REF_MAX]);
int assess_evidence_parse_ref(const char *s, int64_t *id);

/* Adds one entry in its own transaction, with its audit entry
 * ("evidence.add", or "evidence.supersede" for a correction, by actor);
 * *id gets the new id. */
int assess_evidence_add(store *db, const char *actor, const assess_evidence_input *in, int64_t *id,
                        ph_err *err);
/* Adds every entry of a JSON array (docs/application.md), all or nothing,
 * one audit entry each. Errors name the path: "ev.json: [2].severity: ...". */
int assess_evidence_import(store *db, const char *actor, const char *name, const char *text,
                           size_t len, size_t *added, int64_t *first_id, ph_err *err);
/* The audit log's object type for evidence ("evidence", ids "EV-0007"),
 * its state function (the entry's columns: an entry never changes) and its
 * registration with the audit module. */
#define ASSESS_EVIDENCE_OBJECT "evidence"
int assess_evidence_state(store *db, const char *object_id, ph_buf *out, ph_err *err);
int assess_register_audit(void);
/* Every entry (of one destination when given), by id. */
int assess_evidence_list(store *db, const char *destination, assess_evidence **out, size_t *n,
                         ph_err *err);
void assess_evidence_free(assess_evidence *v, size_t n);

/* The evidence in force on a date for every destination: valid on the date
 * and not superseded by an entry valid on the date. */
typedef struct assess_evidence_snapshot assess_evidence_snapshot;
int assess_evidence_snapshot_load(store *db, const char *date, assess_evidence_snapshot **out,
                                  ph_err *err);
/* From entries in memory (copied); entries not in force on `date` are left out. */
assess_evidence_snapshot *assess_evidence_snapshot_from(const assess_evidence *v, size_t n,
                                                        const char *date);
void assess_evidence_snapshot_free(assess_evidence_snapshot *s);
size_t assess_evidence_snapshot_size(const assess_evidence_snapshot *s);

/* ---- running ---- */
typedef struct assess_result {
    const policy *policy;
    policy_facts facts;              /* the facts with the destination's evidence attached */
    const assess_evidence *evidence; /* the destination's entries in the snapshot */
    size_t nevidence;
    policy_result outcome;
} assess_result;

void assess_result_init(assess_result *r);
void assess_result_free(assess_result *r);

/* Pure: evaluates the policy over the facts and the evidence in force for
 * the facts' destination. The result points into p, f and snapshot, which
 * must outlive it. */
int assess_run(const policy *p, const assess_facts *f, const assess_evidence_snapshot *snapshot,
               assess_result *out, ph_err *err);

/* The recommendation: "refuse", "refer", "approve_with_provisos", "approve". */
const char *assess_recommendation(const assess_result *r);
/* The reason of finding i with the facts filled in (appended to out). */
void assess_finding_reason(const assess_result *r, size_t i, ph_buf *out);
/* SHA-256 over the evidence entries the result used. */
void assess_evidence_sha256(const assess_result *r, char out[PH_SHA256_HEX]);

/* The result as JSON, keys in a fixed order (docs/application.md).
 * `as_of` is printed only when given. Caller owns the reference. */
json_t *assess_result_json(const assess_context *ctx, const assess_result *r, const char *as_of);

/* Keeps a result on the record (assessment table); *id gets its id. */
int assess_record(store *db, const assess_result *r, const char *as_of, const char *result_json,
                  int64_t *id, ph_err *err);

#endif
