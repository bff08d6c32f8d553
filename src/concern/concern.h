/*
 * concern — formal concerns: raised once, answered for certain, never
 * silently closed (docs/concerns.md).
 *
 * A concern is about a case, a licence, a review, an advice revision, an
 * assessment or a policy; a revision, assessment or policy is pinned by the
 * SHA-256 of its content when the concern was raised. Its life follows the
 * `wf_concern` table (workflow.h): an acknowledgement is a state, never an
 * end, and `closed` is reached only through a substantive response.
 *
 * Owns the tables of src/store/sql/008_concerns.sql (and the parts of a
 * response, 009_concern_responses.sql), all append-only: a
 * concern's state is derived from its history, a correction is a new
 * message, a setting is changed by a new row. Reads (never writes) the
 * objects concerns are about (application, advice, case_assessment,
 * licence, review, policies) and accounts through auth.
 *
 * Confidential concerns: the reporter's identity (and co-signatories) is
 * sealed with crypto_box_seal to the public key of each nominated officer,
 * padded to a fixed size, and stored nowhere else: the concern row, the
 * history, the audit log (whose actor is a pseudonym derived from the
 * receipt) and the dates (days, not times) cannot link it to a person. The
 * reporter follows the concern with a receipt code shown once and stored as
 * its SHA-256. Opening a seal needs a nominated officer's secret key, kept
 * inside a secretbox under a key derived from their password (Argon2id),
 * and is itself an event with a reason on the audit log.
 *
 * Deadlines come from deployment settings (acknowledge within 7 days,
 * respond within 3 months of acknowledgement by default, EU Directive
 * 2019/1937) counted in calendar days, working days (calendar.h) or months;
 * overdue concerns escalate up a configured chain, by hand or by the sweep
 * (from the command line, or on a timer in the server: concern_sweeper).
 *
 * Transactions: every write runs its own transaction with its audit entry;
 * the caller must hold none. The exception is concern_note_decision, which
 * runs inside the cases engine's transaction.
 */
#ifndef PH_CONCERN_H
#define PH_CONCERN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar/calendar.h"
#include "store/store.h"
#include "util/util.h"

#define CONCERN_TEXT_MAX 65536  /* bytes of a concern's text or a message */
#define CONCERN_REASON_MAX 4000 /* bytes of a reason */
#define CONCERN_ABOUT_MAX 200   /* bytes of an --about value */
#define CONCERN_COSIGNATORIES_MAX 50
#define CONCERN_RECEIPT_BYTES 20 /* 160 random bits */
#define CONCERN_RECEIPT_TEXT 48  /* "pcr-xxxx-...-xxxx" and its NUL */
#define CONCERN_PSEUDONYM_MAX 32
#define CONCERN_SEAL_PADDED 512 /* a sealed identity is padded to this many bytes */
#define CONCERN_LEVELS_MAX 8    /* levels of an escalation chain */
#define CONCERN_LEVEL_NAME_MAX 48
#define CONCERN_NO_DATE INT32_MIN
/* Each part of a substantive response (what was decided, what was done or
 * not done, and why) is at least this long: "noted", "n/a" or "see above"
 * answer nothing. Three parts of 20 bytes are the 60 bytes a response
 * needed when it was one text. */
#define CONCERN_RESPONSE_PART_MIN 20 /* bytes, without the white space around them */
#define CONCERN_RESPONSE_PART_WORDS 3

/* The audited object types. */
#define CONCERN_OBJECT "concern"                 /* id: the concern's number */
#define CONCERN_KEY_OBJECT "concern_key"         /* id: the key id */
#define CONCERN_SETTING_OBJECT "concern_setting" /* id: the setting's name */

/* ==== pure parts: no I/O ==== */

/* ---- durations and settings ---- */
typedef enum concern_unit { CONCERN_DAYS, CONCERN_WORKING_DAYS, CONCERN_MONTHS } concern_unit;

/* "7d" (calendar days), "2wd" (working days), "3m" (calendar months). n == 0: none. */
typedef struct concern_duration {
    int n;
    concern_unit unit;
} concern_duration;

int concern_duration_parse(const char *s, concern_duration *out, ph_err *err);
void concern_duration_format(const concern_duration *d, char *out, size_t size);
/* The last day that is still within the duration after `day`. A month
 * later than the 31st is the end of the shorter month. */
int32_t concern_duration_add(const calendar *cal, int32_t day, const concern_duration *d);

typedef struct concern_settings {
    concern_duration acknowledge_within;
    concern_duration respond_within;
    concern_duration
        respond_extended;     /* the longest a response may be put off with a reason; n 0: never */
    int respond_from_raising; /* 0: from acknowledgement (or the acknowledgement deadline), 1: from
                                 raising */
    char calendar[64];
    char chain[CONCERN_LEVELS_MAX][CONCERN_LEVEL_NAME_MAX];
    size_t nchain;
    int block_finalising; /* 1: an open concern about a case blocks its decision */
    int stats_min_count;  /* counts from 1 to this minus one are suppressed in statistics */
} concern_settings;

/* The named presets (eu-directive is the default), NULL-terminated. */
extern const char *const concern_presets[];
int concern_settings_preset(const char *name, concern_settings *out, ph_err *err);
/* Sets one setting from its text form ("acknowledge_within" "7d"). */
int concern_settings_apply(concern_settings *s, const char *key, const char *value, ph_err *err);
/* The setting's value as text (out holds at least 256 bytes). */
int concern_settings_value(const concern_settings *s, const char *key, char *out, size_t size,
                           ph_err *err);
/* The setting names, NULL-terminated. */
extern const char *const concern_setting_keys[];

/* ---- a concern's timeline ---- */

/* One entry of a concern's history, as the deadline rules read it. */
typedef struct concern_step {
    const char
        *event; /* raise, acknowledge, consider, respond, appeal, escalate, extend, close, ... */
    const char *to_state; /* NULL for an event that does not move */
    int32_t day;
    const char *level;   /* raise and escalate: the level of the chain */
    const char *outcome; /* respond */
} concern_step;

typedef struct concern_timeline {
    char state[32];
    char level[CONCERN_LEVEL_NAME_MAX];
    int level_index; /* in the chain; -1 when the level is no longer in it */
    int32_t raised;
    int32_t acknowledge_due; /* the first acknowledgement's deadline */
    int32_t respond_due;     /* the first substantive response's deadline */
    int32_t acknowledged;    /* first acknowledgement, or CONCERN_NO_DATE */
    int32_t responded;       /* first response, or CONCERN_NO_DATE */
    int32_t closed;          /* or CONCERN_NO_DATE */
    int32_t last_event;      /* the day of the newest event */
    int32_t due;             /* the deadline of the step awaited now, or CONCERN_NO_DATE */
    char due_for[64];        /* "acknowledgement", "response", "taking up at LEVEL"... */
    int extended;            /* the response was put off (extend) */
    char outcome[24];        /* the latest response's outcome, or "" */
} concern_timeline;

/* Replays the history under the settings. Pure. */
int concern_timeline_compute(const concern_settings *s, const calendar *cal,
                             const concern_step *steps, size_t n, concern_timeline *out,
                             ph_err *err);
/* 1 when the awaited step's deadline is before as_of. */
int concern_timeline_overdue(const concern_timeline *t, int32_t as_of);
/* The level after the current one in the chain, or NULL at the top. */
const char *concern_next_level(const concern_settings *s, const concern_timeline *t);

/* ---- receipt codes, texts, what a concern is about ---- */

/* Parses a receipt code as printed ("pcr-" prefix optional, case, dashes
 * and spaces ignored) into its 20 bytes. Any bytes are safe. */
int concern_receipt_parse(const char *s, size_t len, unsigned char out[CONCERN_RECEIPT_BYTES],
                          ph_err *err);
void concern_receipt_format(const unsigned char code[CONCERN_RECEIPT_BYTES],
                            char out[CONCERN_RECEIPT_TEXT]);
/* SHA-256 (hex) of the code's bytes: what is stored. */
void concern_receipt_hash(const unsigned char code[CONCERN_RECEIPT_BYTES], char out[PH_SHA256_HEX]);
/* The reporter's name on the record: "reporter-" and 12 hex digits of a
 * hash of the code, separate from the stored hash. */
void concern_receipt_pseudonym(const unsigned char code[CONCERN_RECEIPT_BYTES],
                               char out[CONCERN_PSEUDONYM_MAX]);

/* A text a person wrote: valid UTF-8, no control characters but tab and
 * newline, not blank, at most `max` bytes. `field` names it in errors. */
int concern_text_check(const char *field, const char *s, size_t len, size_t max, ph_err *err);

typedef struct concern_about {
    char kind[16]; /* case, licence, review, advice, assessment, policy */
    char id[CONCERN_ABOUT_MAX];
    char version[64]; /* policy:NAME@VERSION */
} concern_about;
/* "case:GBSIEL/2026/0000001/P", "advice:12", "review:RV-0001" (or "review:1";
 * the id is kept as the reference, RV-0001), "policy:uk-selc-2021@2021-12-08". */
int concern_about_parse(const char *s, concern_about *out, ph_err *err);

/* The parts of a substantive response, as the fields are named:
 * "decision" (what was decided), "actions" (what was done or not done),
 * "reasons" (why); NULL-terminated. */
extern const char *const concern_response_parts[];
/* Checks a substantive response: each part given, a text a person wrote
 * (concern_text_check), at least CONCERN_RESPONSE_PART_MIN bytes and
 * CONCERN_RESPONSE_PART_WORDS words, and not a copy of an earlier part.
 * On failure the message starts with the part's name and *field (if not
 * NULL) names it. */
int concern_response_check(const char *decision, const char *actions, const char *reasons,
                           const char **field, ph_err *err);

extern const char
    *const concern_categories[]; /* legal_risk, policy_dissent, implementation_dissent, conduct */
extern const char *const concern_outcomes[]; /* upheld, partly_upheld, not_upheld */
/* Accepts "legal-risk" and "legal_risk"; writes the stored form. */
int concern_category_parse(const char *s, char out[32], ph_err *err);
int concern_outcome_parse(const char *s, char out[24], ph_err *err);

/* ---- statistics (pure part) ---- */

typedef struct concern_stat_input {
    char category[32];
    int32_t raised;
    int32_t acknowledge_due, respond_due;
    int32_t acknowledged, responded; /* CONCERN_NO_DATE when not yet */
    char state[32];
    char outcome[24];
} concern_stat_input;

/* Anonymised statistics by quarter and category, with the totals of each
 * quarter and overall, under the suppression rule of docs/concerns.md:
 * a count from 1 to min_count - 1 is shown as suppressed, a median only
 * over min_count values or more, a row of fewer than min_count concerns
 * shows nothing but "suppressed", and a total is suppressed when exactly
 * one of its parts is (so it cannot be recovered by subtraction). Returns
 * {"min_count", "rows": [...]}; the caller decrefs. */
json_t *concern_stats_build(const concern_stat_input *v, size_t n, int min_count);
/* Writes the rows as CSV (suppressed counts as "<N"). */
void concern_stats_csv(const json_t *stats, FILE *out);

/* ---- a limiter of failed receipt look-ups, per client address ---- */
typedef struct concern_limiter concern_limiter;
concern_limiter *concern_limiter_new(int max_failures, int window_seconds);
void concern_limiter_free(concern_limiter *l);
/* 0 when the address may try now; else the seconds to wait. Thread-safe. */
int concern_limiter_check(concern_limiter *l, const char *address, int64_t now);
void concern_limiter_failure(concern_limiter *l, const char *address, int64_t now);

/* ==== in the store ==== */

/* Who acts: an account (name and role) or the holder of a receipt code. */
typedef struct concern_actor {
    const char *name;    /* account name; NULL for a receipt holder */
    const char *role;    /* the account's role (auth_role_name) */
    const char *receipt; /* the code, for a receipt holder */
} concern_actor;

/* The day used for events: $PENHOLDER_TODAY when it is a valid date (tests
 * and demonstrations fix the clock with it), else today (UTC). */
void concern_today(char out[11]);

/* Settings in force: the eu-directive preset overlaid with every setting
 * stored (newest row of each key). */
int concern_settings_load(store *db, concern_settings *out, ph_err *err);
/* Stores one setting (checked) or every setting of a preset; admin only. */
int concern_settings_store(store *db, const concern_actor *who, const char *key, const char *value,
                           ph_err *err);
int concern_settings_store_preset(store *db, const concern_actor *who, const char *preset,
                                  ph_err *err);
json_t *concern_settings_json(const concern_settings *s);

typedef struct concern_raise_input {
    const char *about;
    const char *category;
    const char *text;
    const char *criteria;             /* "2c;7", "2c, 7" or NULL */
    const char *const *cosignatories; /* account names */
    size_t ncosignatories;
    int confidential;
    const char *level; /* the level of the chain it goes to first; NULL: the first */
    const char *today; /* NULL: concern_today() */
} concern_raise_input;

/* Raises a concern. For a confidential one, the receipt code is written to
 * receipt (shown once; only its hash is kept), else receipt is "". */
int concern_raise(store *db, const concern_actor *who, const concern_raise_input *in, int64_t *id,
                  char receipt[CONCERN_RECEIPT_TEXT], ph_err *err);

typedef struct concern_event_input {
    const char *text;     /* respond: an optional note beside the three parts */
    const char *outcome;  /* respond */
    const char *reason;   /* escalate, appeal, extend */
    const char *today;    /* NULL: concern_today() */
    const char *decision; /* respond: what was decided */
    const char *actions;  /* respond: what was done or not done */
    const char *reasons;  /* respond: why */
} concern_event_input;

/* Fires a workflow event: acknowledge, consider, respond, appeal, escalate,
 * extend, close. The actor's part (nominated_officer, reporter) is found
 * from their role and the concern; wf_concern says who may do what. */
int concern_fire(store *db, const concern_actor *who, int64_t id, const char *event,
                 const concern_event_input *in, ph_err *err);
/* A message on the thread (corrects: a message id of the same author, or 0). */
int concern_message(store *db, const concern_actor *who, int64_t id, const char *text,
                    int64_t corrects, const char *today, int64_t *message_id, ph_err *err);
/* The concern as the actor may see it, with its deadlines as of as_of
 * (NULL: today). PH_ENOTFOUND when there is none they may read. */
int concern_get(store *db, const concern_actor *who, int64_t id, const char *as_of, json_t **out,
                ph_err *err);
/* The concern a receipt code belongs to (constant-time on the secret). */
int concern_receipt_find(store *db, const char *code, int64_t *id, ph_err *err);

typedef struct concern_filter {
    int overdue;       /* only those past their deadline on as_of */
    const char *as_of; /* NULL: today */
    const char *state; /* NULL: any */
    const char *case_reference;
} concern_filter;
/* {"as_of", "total", "concerns": [...]}: everything for nominated officers,
 * auditors and who (NULL, the command line); their own concerns for others. */
int concern_list(store *db, const concern_actor *who, const concern_filter *f, json_t **out,
                 ph_err *err);
/* Escalates every overdue concern one level (actor "system"), dated as_of;
 * running it again on the same day changes nothing. Writes a report. */
int concern_sweep(store *db, const char *as_of, json_t **report, ph_err *err);
/* One line (without "penholder: ") saying what a sweep report escalated:
 * "concern sweep as of 2026-04-07 escalated 2 overdue concerns: concern 2
 * to nominated_officer, concern 3 to nominated_officer", cut short with
 * "..." to fit. Returns 0 (and "") when it escalated nothing. Pure. */
int concern_sweep_summary(const json_t *report, char *out, size_t size);

/* The sweep on a timer (`penholder serve`): a thread with its own
 * connection to db_path runs concern_sweep (as of concern_today()) as soon
 * as it starts and then every interval_seconds (at least 1) until stopped,
 * each run its own transaction. A run that escalates writes its summary line to
 * `log` (stderr when NULL), a run that fails its error; neither stops the
 * timer. */
typedef struct concern_sweeper concern_sweeper;
int concern_sweeper_start(const char *db_path, unsigned interval_seconds, FILE *log,
                          concern_sweeper **out, ph_err *err);
/* Wakes the thread, waits for a run in progress to finish, and frees
 * everything. NULL is harmless. */
void concern_sweeper_stop(concern_sweeper *s);

/* Statistics over every concern (see concern_stats_build). */
int concern_stats(store *db, const char *as_of, json_t **out, ph_err *err);

/* ---- keys and seals ---- */

/* Makes the nominated officer's key pair; the secret key is stored inside
 * a secretbox under a key derived from the password. One key per officer. */
int concern_keys_init(store *db, const concern_actor *who, const char *password, char key_id[17],
                      ph_err *err);
/* The same key under a new password (the old one must open it). */
int concern_keys_rewrap(store *db, const concern_actor *who, const char *old_password,
                        const char *new_password, ph_err *err);
/* Seals every identity the officer can open to another officer's key too
 * (a nominated officer who joins later). Writes how many were granted. */
int concern_keys_grant(store *db, const concern_actor *who, const char *password,
                       const char *to_account, size_t *granted, ph_err *err);
/* [{"key_id", "account", "created_at", "seals"}] */
int concern_keys_list(store *db, json_t **out, ph_err *err);
/* Opens the sealed identity of a confidential concern with the officer's
 * own key; records the opening and its reason. *identity: {"reporter",
 * "cosignatories"} (caller decrefs). */
int concern_reveal(store *db, const concern_actor *who, int64_t id, const char *reason,
                   const char *password, const char *today, json_t **identity, ph_err *err);

/* ---- cases ---- */

/* The services cases calls (cases_services.open_concerns): ids of the
 * concerns about a case (itself, its advice, its assessments) not closed. */
int concern_open_about_case(void *ctx, store *db, const char *reference, char ***ids, size_t *n,
                            ph_err *err);
/* Records on each open concern about the case that the decision maker read
 * it before deciding (inside the caller's transaction). */
int concern_note_decision(void *ctx, store *db, const char *reference, const char *actor,
                          const char *decision, ph_err *err);
/* [{"id", "category", "criteria", "state", "raised_on", "about", "confidential", "due", "overdue"}]
 * for a case's staff view. */
int concern_case_summary(store *db, const char *reference, json_t **out, ph_err *err);

/* Registers the concern, concern_key and concern_setting object types. */
void concern_audit_register(void);

#endif
