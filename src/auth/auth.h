/*
 * auth — accounts, roles, passwords, browser sessions and API tokens.
 *
 * Owns the tables account, organisation, team, session and api_token, and
 * must not touch any other module's tables. Knows nothing of HTTP: the http
 * module reads cookies and headers and hands the raw secrets here.
 *
 * Secrets are stored only as hashes. Passwords: Argon2id (libsodium
 * crypto_pwhash_str). Session and API tokens: 32 random bytes shown once and
 * stored as their SHA-256 — a high-entropy secret needs no slow hash, and
 * looking a token up by its hash means no comparison ever runs over the
 * secret itself. CSRF tokens are derived from the session token with a keyed
 * hash, so nothing more is stored. Nothing here logs a secret.
 *
 * Transactions: functions that write expect the caller to hold the
 * transaction (store_begin ... store_commit), so that the write and its
 * audit entry commit together. Two exceptions say so: auth_login checks the
 * password before taking the write lock (Argon2id is slow by design) and
 * runs its own short transactions; auth_session_check refreshes a session's
 * last use in its own transaction when the caller holds none.
 */
#ifndef PH_AUTH_H
#define PH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/util.h"

typedef enum auth_role {
    AUTH_ROLE_EXPORTER,
    AUTH_ROLE_CASE_OFFICER,
    AUTH_ROLE_TECHNICAL_ASSESSOR,
    AUTH_ROLE_ADVISER,
    AUTH_ROLE_COUNTERSIGNER,
    AUTH_ROLE_DECISION_MAKER,
    AUTH_ROLE_NOMINATED_OFFICER,
    AUTH_ROLE_AUDITOR,
    AUTH_ROLE_ADMIN,
    AUTH_ROLE_COUNT
} auth_role;

/* "case_officer" for AUTH_ROLE_CASE_OFFICER. */
const char *auth_role_name(auth_role role);
/* PH_OK and *out, or PH_EUSAGE with a message listing the roles. */
int auth_role_parse(const char *name, auth_role *out, ph_err *err);
/* Every role but exporter works inside the licensing authority. */
int auth_role_is_staff(auth_role role);

#define AUTH_NAME_MAX 64 /* account names: [a-z0-9][a-z0-9._@-]* */
#define AUTH_TEAM_MAX 32
#define AUTH_ORG_MAX 200
#define AUTH_LABEL_MAX 200
#define AUTH_PASSWORD_MAX 1024 /* bytes; longer passwords add nothing and cost hashing time */
#define AUTH_HASH_MAX 128      /* crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_MAX 64      /* a token or CSRF token as text, with its NUL */
#define AUTH_TIME_MAX 21       /* 2026-11-29T14:08:40Z and its NUL */

/* How strict logins are. Every field is configurable (see `penholder serve --help`). */
typedef struct auth_policy {
    int password_min_length;  /* characters (bytes), default 12 */
    int lockout_after;        /* consecutive failed logins that lock an account, default 5 */
    int lockout_seconds;      /* how long the lock lasts, default 900 */
    int failure_delay_ms;     /* added to a failed login per failure in a row, capped at 2 s */
    int session_idle_seconds; /* a session unused this long ends, default 1800 */
    int session_max_seconds;  /* a session ends this long after login whatever, default 43200 */
} auth_policy;

void auth_policy_default(auth_policy *p);

typedef struct auth_user {
    int64_t id;
    char name[AUTH_NAME_MAX + 1];
    auth_role role;
    char team[AUTH_TEAM_MAX + 1];        /* "" when none */
    int64_t organisation_id;             /* 0 for staff */
    char organisation[AUTH_ORG_MAX + 1]; /* "" for staff */
    int disabled;
    int failed_logins;
    char locked_until[AUTH_TIME_MAX]; /* "" when not locked */
    int64_t version;                  /* bumped by every change */
    char created_at[AUTH_TIME_MAX];
    char updated_at[AUTH_TIME_MAX];
} auth_user;

/* ---- names and passwords (no I/O) ---- */

/* An account name: 1..64 of lower-case letters, digits and . _ @ -, starting
 * with a letter or digit. */
int auth_name_check(const char *name, ph_err *err);
int auth_password_check(const auth_policy *p, const char *password, ph_err *err);
/* Argon2id with libsodium's interactive limits (about 64 MiB, 2 passes). */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], ph_err *err);
/* 1 when the password matches the hash (the check runs in constant time). */
int auth_password_verify(const char *hash, const char *password);

/* ---- accounts ---- */

typedef struct auth_user_new {
    const char *name;
    auth_role role;
    const char *team;         /* NULL or "" for none; required for advisers */
    const char *organisation; /* exporters only, required; created when new */
} auth_user_new;

/* A change to an account; only the fields whose set_ flag is 1 change. */
typedef struct auth_user_change {
    int set_role;
    auth_role role;
    int set_team;
    const char *team; /* NULL or "" clears */
    int set_organisation;
    const char *organisation;
    int set_disabled;
    int disabled;
    int unlock;                /* clears a lockout and the failure count */
    const char *password_hash; /* from auth_password_hash, or NULL */
} auth_user_change;

/* Errors about one field of an account name the field in *field (when not
 * NULL): "name", "role", "team", "organisation". */
int auth_user_create(store *db, const char *actor, const auth_user_new *u,
                     const char *password_hash, auth_user *out, const char **field, ph_err *err);
/* PH_ENOTFOUND when there is no such account. */
int auth_user_get(store *db, const char *name, auth_user *out, ph_err *err);
/* expected_version 0 skips the check; a different version is PH_ECONFLICT
 * and changes nothing. Disabling an account ends its sessions. */
int auth_user_update(store *db, const char *actor, const char *name, int64_t expected_version,
                     const auth_user_change *c, auth_user *out, const char **field, ph_err *err);

typedef struct auth_user_filter {
    int has_role;
    auth_role role;
    const char *organisation; /* NULL: any */
    int include_disabled;
    long limit; /* 0: no limit */
    long offset;
} auth_user_filter;

/* Accounts ordered by name. Caller frees *out with free(). */
int auth_user_list(store *db, const auth_user_filter *f, auth_user **out, size_t *n, ph_err *err);

/* ---- API tokens ---- */

typedef struct auth_token_info {
    int64_t id;
    char user[AUTH_NAME_MAX + 1];
    char label[AUTH_LABEL_MAX + 1];
    char created_at[AUTH_TIME_MAX];
    char expires_at[AUTH_TIME_MAX]; /* "" when it does not expire */
    char revoked_at[AUTH_TIME_MAX]; /* "" when not revoked */
} auth_token_info;

/* Makes a bearer token for the account ("ph_" and 43 base64url characters)
 * and stores its hash. expires_days 0: does not expire. The token is written
 * to token_out and can never be shown again. */
int auth_token_create(store *db, const char *actor, const char *user, const char *label,
                      int expires_days, char token_out[AUTH_TOKEN_MAX], auth_token_info *info,
                      ph_err *err);
/* PH_ENOTFOUND for an unknown id; revoking twice changes nothing. */
int auth_token_revoke(store *db, const char *actor, int64_t id, ph_err *err);
/* user NULL: every account's tokens. Caller frees *out with free(). */
int auth_token_list(store *db, const char *user, auth_token_info **out, size_t *n, ph_err *err);
/* The account a bearer token belongs to; PH_ENOTFOUND for an unknown,
 * revoked or expired token or a disabled account (one message for all). */
int auth_bearer_check(store *db, const char *token, size_t len, auth_user *out, ph_err *err);

/* ---- logins and sessions ---- */

typedef struct auth_session {
    char token[AUTH_TOKEN_MAX]; /* goes in the cookie; never stored */
    char csrf[AUTH_TOKEN_MAX];  /* must accompany cookie-authenticated writes */
    char expires_at[AUTH_TIME_MAX];
} auth_session;

/* Checks a name and password and starts a session. A wrong password, an
 * unknown name, a disabled or a locked account all give PH_EFORBIDDEN with
 * the same message, after the same work (an unknown name is checked against
 * a dummy hash), so a caller cannot tell them apart. Each failure counts
 * towards the lockout and is slowed by the policy's delay. Runs its own
 * transactions (see the header comment); the caller must hold none. */
int auth_login(store *db, const auth_policy *p, const char *name, const char *password,
               auth_user *user, auth_session *session, ph_err *err);
/* The account behind a session token; PH_ENOTFOUND for an unknown, idle or
 * expired session or a disabled account. Refreshes the session's last use
 * (at most once a minute, so reads stay reads). */
int auth_session_check(store *db, const auth_policy *p, const char *token, size_t len,
                       auth_user *out, ph_err *err);
/* Ends the session; PH_ENOTFOUND when there was none. Caller's transaction. */
int auth_session_end(store *db, const char *actor, const char *token, size_t len, ph_err *err);

/* The CSRF token of a session: a keyed BLAKE2b of a fixed label under the
 * session token, so only someone holding the (HttpOnly) cookie can know it. */
void auth_csrf_token(const char *session_token, size_t len, char out[AUTH_TOKEN_MAX]);
/* 1 when `presented` is the session's CSRF token (constant-time comparison). */
int auth_csrf_check(const char *session_token, size_t len, const char *presented, size_t plen);

/* ---- audit ----
 * Every write here appends an audit entry in the same transaction: account
 * creation and changes (role, team, organisation, disabled, password,
 * unlock), failed logins and lockouts, organisations created, tokens made and
 * revoked. The objects' states, as the audit log hashes them: */
#define AUTH_ACCOUNT_OBJECT "account"           /* id: the account name */
#define AUTH_TOKEN_OBJECT "api_token"           /* id: the token's number */
#define AUTH_ORGANISATION_OBJECT "organisation" /* id: the organisation's name */
/* An account's audited state: name, role, team, organisation, disabled and
 * password hash (not the failure count, which changes on every login). */
int auth_account_state(store *db, const char *name, ph_buf *out, ph_err *err);
int auth_token_state(store *db, const char *id, ph_buf *out, ph_err *err);
int auth_organisation_state(store *db, const char *name, ph_buf *out, ph_err *err);
/* Registers the three state functions with the audit log (at start-up). */
void auth_audit_register(void);

/* Current UTC time, and `seconds` from now, as ISO 8601. */
void auth_time_iso(int64_t seconds_from_now, char out[AUTH_TIME_MAX]);

#endif
