/* Nominated officers' keys and the sealed identities of confidential
 * concerns (docs/concerns.md, "Confidentiality").
 *
 * Each nominated officer has an X25519 key pair. The secret key is stored
 * only inside a crypto_secretbox whose key is derived from the officer's
 * password with Argon2id (crypto_pwhash), so the database alone opens
 * nothing. A confidential concern's identity is sealed (crypto_box_seal,
 * anonymous sender) to every officer's current key at raising, padded to a
 * fixed size so that the length of a name does not show. An officer who
 * joins later receives the seals from one who can open them (grant). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "concern_internal.h"
#include "workflow/workflow.h"

#define KEY_ID_HEX 17
#define IDENTITY_MAX 8192 /* bytes of a sealed identity before padding */

/* The first 8 bytes of SHA-256(public key), as hex. */
static void key_id_of(const unsigned char pk[crypto_box_PUBLICKEYBYTES], char out[KEY_ID_HEX]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, crypto_box_PUBLICKEYBYTES);
    ph_hex(h, 8, out);
}

typedef struct wrapped_key {
    char key_id[KEY_ID_HEX];
    char account[AUTH_NAME_MAX + 1];
    unsigned char public_key[crypto_box_PUBLICKEYBYTES];
    unsigned char box[crypto_box_SECRETKEYBYTES + crypto_secretbox_MACBYTES];
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    unsigned char salt[crypto_pwhash_SALTBYTES];
    int64_t opslimit, memlimit;
} wrapped_key;

static int require_officer(store *db, const concern_actor *who, ph_err *err) {
    if (!who || !who->name)
        return ph_fail(err, PH_EFORBIDDEN, "this is for a nominated officer's account");
    char role[32];
    if (concern_account(db, who->name, role, err)) return err->rc;
    if (strcmp(role, "nominated_officer") != 0)
        return ph_fail(err, PH_EFORBIDDEN, "this is for a nominated officer; %s is %s", who->name,
                       role);
    return PH_OK;
}

static int derive(const char *password, const unsigned char *salt, int64_t ops, int64_t mem,
                  unsigned char key[crypto_secretbox_KEYBYTES], ph_err *err) {
    if (!password || !*password)
        return ph_fail(err, PH_EUSAGE, "a password is required (on standard input)");
    size_t len = strlen(password);
    if (len > AUTH_PASSWORD_MAX)
        return ph_fail(err, PH_EUSAGE, "the password is longer than %d bytes", AUTH_PASSWORD_MAX);
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, password, len, salt, (unsigned long long)ops,
                      (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ph_fail(err, PH_ERR, "deriving the key from the password failed (out of memory?)");
    return PH_OK;
}

static int wrap(const unsigned char sk[crypto_box_SECRETKEYBYTES], const char *password,
                wrapped_key *w, ph_err *err) {
    randombytes_buf(w->salt, sizeof w->salt);
    randombytes_buf(w->nonce, sizeof w->nonce);
    w->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    w->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (derive(password, w->salt, w->opslimit, w->memlimit, key, err)) return err->rc;
    crypto_secretbox_easy(w->box, sk, crypto_box_SECRETKEYBYTES, w->nonce, key);
    sodium_memzero(key, sizeof key);
    return PH_OK;
}

static int unwrap(const wrapped_key *w, const char *password,
                  unsigned char sk[crypto_box_SECRETKEYBYTES], ph_err *err) {
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (w->opslimit < (int64_t)crypto_pwhash_OPSLIMIT_MIN ||
        w->opslimit > (int64_t)crypto_pwhash_OPSLIMIT_SENSITIVE ||
        w->memlimit < (int64_t)crypto_pwhash_MEMLIMIT_MIN ||
        w->memlimit > (int64_t)crypto_pwhash_MEMLIMIT_SENSITIVE)
        return ph_fail(err, PH_ERR, "key %s: stored Argon2id limits are out of range", w->key_id);
    if (derive(password, w->salt, w->opslimit, w->memlimit, key, err)) return err->rc;
    int bad = crypto_secretbox_open_easy(sk, w->box, sizeof w->box, w->nonce, key);
    sodium_memzero(key, sizeof key);
    if (bad) return ph_fail(err, PH_EFORBIDDEN, "the password does not open key %s", w->key_id);
    return PH_OK;
}

static int blob_into(store_stmt *st, int col, unsigned char *out, size_t want) {
    size_t len;
    const void *p = store_col_blob(st, col, &len);
    if (!p || len != want) return 0;
    memcpy(out, p, want);
    return 1;
}

#define KEY_COLUMNS                                                                                \
    "key_id, account, public_key, wrapped_secret, wrap_nonce, wrap_salt, wrap_opslimit, "          \
    "wrap_memlimit"

static int key_from(store_stmt *st, wrapped_key *w, ph_err *err) {
    memset(w, 0, sizeof *w);
    ph_strlcpy(w->key_id, store_col_text(st, 0), sizeof w->key_id);
    ph_strlcpy(w->account, store_col_text(st, 1), sizeof w->account);
    if (!blob_into(st, 2, w->public_key, sizeof w->public_key) ||
        !blob_into(st, 3, w->box, sizeof w->box) || !blob_into(st, 4, w->nonce, sizeof w->nonce) ||
        !blob_into(st, 5, w->salt, sizeof w->salt))
        return ph_fail(err, PH_ERR, "key %s: a stored field has the wrong length", w->key_id);
    w->opslimit = store_col_int(st, 6);
    w->memlimit = store_col_int(st, 7);
    return PH_OK;
}

/* The account's key as now wrapped; PH_ENOTFOUND when it has none. */
static int key_of_account(store *db, const char *account, wrapped_key *w, ph_err *err) {
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT " KEY_COLUMNS
                      " FROM concern_key WHERE account = ? ORDER BY id DESC LIMIT 1",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, account);
    int rc = store_step(st, err);
    if (rc == STORE_ROW)
        rc = key_from(st, w, err);
    else if (rc == STORE_DONE)
        rc = ph_fail(err, PH_ENOTFOUND,
                     "%s has no concern key: run `penholder concern keys init --actor %s`", account,
                     account);
    store_finalize(st);
    return rc;
}

static int insert_key(store *db, const wrapped_key *w, ph_err *err) {
    char now[21];
    ph_now_iso(now);
    store_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO concern_key(" KEY_COLUMNS
                      ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, w->key_id);
    store_bind_text(st, 2, w->account);
    store_bind_blob(st, 3, w->public_key, sizeof w->public_key);
    store_bind_blob(st, 4, w->box, sizeof w->box);
    store_bind_blob(st, 5, w->nonce, sizeof w->nonce);
    store_bind_blob(st, 6, w->salt, sizeof w->salt);
    store_bind_int(st, 7, w->opslimit);
    store_bind_int(st, 8, w->memlimit);
    store_bind_text(st, 9, now);
    int rc = store_step(st, err);
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

static int audit_key(store *db, const char *actor, const char *action, const char *key_id,
                     ph_err *err) {
    audit_event ev = {actor, action, CONCERN_KEY_OBJECT, key_id, NULL, 0, NULL, NULL};
    return audit_append(db, &ev, NULL, err);
}

/* Runs a write in one transaction. */
static int in_transaction(store *db, int rc, ph_err *err) {
    if (!rc) rc = store_commit(db, err);
    if (rc) store_rollback(db);
    return rc;
}

int concern_keys_init(store *db, const concern_actor *who, const char *password, char key_id[17],
                      ph_err *err) {
    key_id[0] = '\0';
    if (require_officer(db, who, err)) return err->rc;
    auth_policy policy;
    auth_policy_default(&policy);
    if (auth_password_check(&policy, password, err)) return err->rc;
    wrapped_key w;
    if (key_of_account(db, who->name, &w, err) == PH_OK)
        return ph_fail(err, PH_ECONFLICT,
                       "%s already has key %s: `concern keys rewrap` changes its password (a "
                       "second key would split "
                       "the seals)",
                       who->name, w.key_id);
    if (err->rc != PH_ENOTFOUND) return err->rc;
    ph_err_clear(err);
    unsigned char sk[crypto_box_SECRETKEYBYTES];
    memset(&w, 0, sizeof w);
    crypto_box_keypair(w.public_key, sk);
    key_id_of(w.public_key, w.key_id);
    ph_strlcpy(w.account, who->name, sizeof w.account);
    int rc = wrap(sk, password, &w, err);
    sodium_memzero(sk, sizeof sk);
    if (rc) return rc;
    if (store_begin(db, err)) return err->rc;
    rc = insert_key(db, &w, err);
    if (!rc) rc = audit_key(db, who->name, "concern_key.init", w.key_id, err);
    if ((rc = in_transaction(db, rc, err))) return rc;
    ph_strlcpy(key_id, w.key_id, KEY_ID_HEX);
    return PH_OK;
}

int concern_keys_rewrap(store *db, const concern_actor *who, const char *old_password,
                        const char *new_password, ph_err *err) {
    if (require_officer(db, who, err)) return err->rc;
    auth_policy policy;
    auth_policy_default(&policy);
    if (auth_password_check(&policy, new_password, err))
        return ph_err_prefix(err, "the new password: ");
    wrapped_key w;
    if (key_of_account(db, who->name, &w, err)) return err->rc;
    unsigned char sk[crypto_box_SECRETKEYBYTES];
    int rc = unwrap(&w, old_password, sk, err);
    if (!rc) rc = wrap(sk, new_password, &w, err);
    sodium_memzero(sk, sizeof sk);
    if (rc) return rc;
    if (store_begin(db, err)) return err->rc;
    rc = insert_key(db, &w, err);
    if (!rc) rc = audit_key(db, who->name, "concern_key.rewrap", w.key_id, err);
    return in_transaction(db, rc, err);
}

/* Current keys of active nominated officers: the ones seals go to. */
typedef struct public_key {
    char key_id[KEY_ID_HEX];
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
} public_key;

static int officer_keys(store *db, public_key **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT k.key_id, k.account, k.public_key FROM concern_key k WHERE k.id = "
            "(SELECT max(id) FROM concern_key x WHERE x.key_id = k.key_id) ORDER BY k.key_id",
            &st, err))
        return err->rc;
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        char role[32];
        ph_err ignored = {0};
        /* A disabled account, or one no longer a nominated officer, gets no new seals. */
        if (concern_account(db, store_col_text(st, 1), role, &ignored) ||
            strcmp(role, "nominated_officer") != 0)
            continue;
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        public_key *k = &(*out)[*n];
        ph_strlcpy(k->key_id, store_col_text(st, 0), sizeof k->key_id);
        if (blob_into(st, 2, k->pk, sizeof k->pk)) (*n)++;
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

static int seal_to(store *db, int64_t id, const char *key_id,
                   const unsigned char pk[crypto_box_PUBLICKEYBYTES], const unsigned char *padded,
                   size_t padded_len, ph_err *err) {
    size_t clen = padded_len + crypto_box_SEALBYTES;
    unsigned char *sealed = ph_malloc(clen);
    crypto_box_seal(sealed, padded, padded_len, pk);
    store_stmt *st;
    int rc = store_prepare(
        db, "INSERT INTO concern_seal(concern_id, key_id, sealed) VALUES (?, ?, ?)", &st, err);
    if (!rc) {
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, key_id);
        store_bind_blob(st, 3, sealed, clen);
        rc = store_step(st, err);
        store_finalize(st);
        rc = rc == STORE_DONE ? PH_OK : rc;
    }
    free(sealed);
    return rc;
}

/* Pads the identity to a multiple of CONCERN_SEAL_PADDED bytes (ISO/IEC
 * 7816-4 padding, sodium_pad). Caller frees. */
static unsigned char *pad(const char *text, size_t *padded_len, ph_err *err) {
    size_t len = strlen(text);
    if (len > IDENTITY_MAX) {
        ph_fail(err, PH_EUSAGE, "the identity to seal is longer than %d bytes", IDENTITY_MAX);
        return NULL;
    }
    size_t cap = len + CONCERN_SEAL_PADDED;
    unsigned char *buf = ph_calloc(1, cap);
    memcpy(buf, text, len);
    if (sodium_pad(padded_len, buf, len, CONCERN_SEAL_PADDED, cap) != 0) {
        free(buf);
        ph_fail(err, PH_ERR, "padding the sealed identity failed");
        return NULL;
    }
    return buf;
}

int concern_seal_identity(store *db, int64_t id, const char *identity_json, size_t *sealed,
                          ph_err *err) {
    *sealed = 0;
    public_key *keys;
    size_t n;
    if (officer_keys(db, &keys, &n, err)) return err->rc;
    size_t padded_len;
    unsigned char *padded = pad(identity_json, &padded_len, err);
    int rc = padded ? PH_OK : err->rc;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = seal_to(db, id, keys[i].key_id, keys[i].pk, padded, padded_len, err);
        if (!rc) (*sealed)++;
    }
    if (padded) {
        sodium_memzero(padded, padded_len);
        free(padded);
    }
    free(keys);
    return rc;
}

/* Opens a sealed identity into a NUL-terminated string (caller frees). */
static int open_seal(const unsigned char *sealed, size_t len, const wrapped_key *w,
                     const unsigned char sk[crypto_box_SECRETKEYBYTES], char **out,
                     size_t *padded_len, ph_err *err) {
    *out = NULL;
    if (len < crypto_box_SEALBYTES ||
        len > IDENTITY_MAX + CONCERN_SEAL_PADDED + crypto_box_SEALBYTES)
        return ph_fail(err, PH_ERR, "a sealed identity has an impossible length");
    size_t mlen = len - crypto_box_SEALBYTES;
    unsigned char *m = ph_malloc(mlen + 1);
    if (crypto_box_seal_open(m, sealed, len, w->public_key, sk) != 0) {
        free(m);
        return ph_fail(err, PH_ERR, "the seal does not open with key %s: it was altered",
                       w->key_id);
    }
    size_t unpadded;
    if (sodium_unpad(&unpadded, m, mlen, CONCERN_SEAL_PADDED) != 0) {
        sodium_memzero(m, mlen);
        free(m);
        return ph_fail(err, PH_ERR, "a sealed identity is badly padded");
    }
    m[unpadded] = '\0';
    *padded_len = mlen;
    *out = (char *)m;
    return PH_OK;
}

int concern_reveal(store *db, const concern_actor *who, int64_t id, const char *reason,
                   const char *password, const char *today, json_t **identity, ph_err *err) {
    *identity = NULL;
    if (require_officer(db, who, err)) return err->rc;
    if (concern_text_check("reason", reason, reason ? strlen(reason) : 0, CONCERN_REASON_MAX, err))
        return err->rc;
    char day[11];
    if (today && *today)
        ph_strlcpy(day, today, sizeof day);
    else
        concern_today(day);
    concern_row c;
    if (concern_row_load(db, id, &c, err)) return err->rc;
    int rc = PH_OK;
    if (!c.confidential)
        rc = ph_fail(err, PH_ECONFLICT,
                     "concern %lld is not confidential: its reporter, %s, is on the record",
                     (long long)id, c.reporter);
    /* The state decides whether the event may be recorded. */
    char state[32] = "raised";
    if (!rc) {
        store_stmt *st;
        rc = store_prepare(db,
                           "SELECT to_state FROM concern_event WHERE concern_id = ? AND to_state "
                           "IS NOT NULL ORDER BY id "
                           "DESC LIMIT 1",
                           &st, err);
        if (!rc) {
            store_bind_int(st, 1, id);
            if (store_step(st, err) == STORE_ROW)
                ph_strlcpy(state, store_col_text(st, 0), sizeof state);
            store_finalize(st);
        }
    }
    if (!rc && !wf_find(&wf_concern, state, "reveal"))
        rc = ph_fail(err, PH_ECONFLICT, "concern %lld is %s: its seal is no longer opened here",
                     (long long)id, state);
    wrapped_key w;
    if (!rc) rc = key_of_account(db, who->name, &w, err);
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    if (!rc) {
        store_stmt *st;
        rc = store_prepare(
            db, "SELECT sealed FROM concern_seal WHERE concern_id = ? AND key_id = ?", &st, err);
        if (!rc) {
            store_bind_int(st, 1, id);
            store_bind_text(st, 2, w.key_id);
            int s = store_step(st, err);
            if (s == STORE_ROW) {
                const void *p = store_col_blob(st, 0, &sealed_len);
                sealed = ph_malloc(sealed_len ? sealed_len : 1);
                if (p) memcpy(sealed, p, sealed_len);
            } else if (s == STORE_DONE) {
                rc = ph_fail(err, PH_EFORBIDDEN,
                             "concern %lld's identity was not sealed to your key %s: a nominated "
                             "officer who holds "
                             "it can grant it to you (`penholder concern keys grant --to %s`)",
                             (long long)id, w.key_id, who->name);
            } else {
                rc = s;
            }
            store_finalize(st);
        }
    }
    unsigned char sk[crypto_box_SECRETKEYBYTES];
    char *text = NULL;
    size_t padded_len = 0;
    /* Argon2id runs before the write lock is taken. */
    if (!rc) rc = unwrap(&w, password, sk, err);
    if (!rc) rc = open_seal(sealed, sealed_len, &w, sk, &text, &padded_len, err);
    sodium_memzero(sk, sizeof sk);
    free(sealed);
    json_t *parsed = NULL;
    if (!rc) {
        parsed = json_loads(text, 0, NULL);
        if (!json_is_object(parsed))
            rc = ph_fail(err, PH_ERR, "concern %lld: the sealed identity is not JSON",
                         (long long)id);
    }
    if (text) {
        sodium_memzero(text, padded_len);
        free(text);
    }
    if (!rc && !(rc = store_begin(db, err))) {
        rc = store_run(db, err,
                       "INSERT INTO concern_event(concern_id, event, to_state, actor, actor_role, "
                       "on_date, text) "
                       "VALUES (?, 'reveal', NULL, ?, 'nominated_officer', ?, ?)",
                       "ittt", id, who->name, day, reason);
        if (!rc) rc = concern_audit(db, who->name, "concern.reveal", id, 0, err);
        rc = in_transaction(db, rc, err);
    }
    concern_row_clear(&c);
    if (rc) {
        json_decref(parsed);
        return rc;
    }
    *identity = parsed;
    return PH_OK;
}

int concern_keys_grant(store *db, const concern_actor *who, const char *password,
                       const char *to_account, size_t *granted, ph_err *err) {
    *granted = 0;
    if (require_officer(db, who, err)) return err->rc;
    char role[32];
    if (concern_account(db, to_account, role, err)) return ph_err_prefix(err, "to: ");
    if (strcmp(role, "nominated_officer") != 0)
        return ph_fail(err, PH_EUSAGE, "to: %s is not a nominated officer", to_account);
    wrapped_key mine, theirs;
    if (key_of_account(db, who->name, &mine, err)) return err->rc;
    if (key_of_account(db, to_account, &theirs, err)) return err->rc;
    if (strcmp(mine.key_id, theirs.key_id) == 0)
        return ph_fail(err, PH_EUSAGE, "to: that is your own key");
    unsigned char sk[crypto_box_SECRETKEYBYTES];
    if (unwrap(&mine, password, sk, err)) return err->rc;
    int rc = store_begin(db, err);
    /* The seals this key holds and theirs does not. */
    typedef struct pending {
        int64_t id;
        unsigned char *sealed;
        size_t len;
    } pending;
    pending *v = NULL;
    size_t n = 0, cap = 0;
    if (!rc) {
        store_stmt *st;
        rc = store_prepare(
            db,
            "SELECT s.concern_id, s.sealed FROM concern_seal s WHERE s.key_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM concern_seal t WHERE t.concern_id = s.concern_id AND t.key_id = ?) "
            "ORDER BY s.concern_id",
            &st, err);
        if (!rc) {
            store_bind_text(st, 1, mine.key_id);
            store_bind_text(st, 2, theirs.key_id);
            int s;
            while ((s = store_step(st, err)) == STORE_ROW) {
                v = ph_grow(v, &cap, n + 1, sizeof *v);
                const void *p = store_col_blob(st, 1, &v[n].len);
                v[n].id = store_col_int(st, 0);
                v[n].sealed = ph_malloc(v[n].len ? v[n].len : 1);
                if (p) memcpy(v[n].sealed, p, v[n].len);
                n++;
            }
            if (s != STORE_DONE) rc = s;
            store_finalize(st);
        }
    }
    for (size_t i = 0; !rc && i < n; i++) {
        char *text;
        size_t padded_len;
        rc = open_seal(v[i].sealed, v[i].len, &mine, sk, &text, &padded_len, err);
        if (rc) break;
        size_t len;
        unsigned char *padded = pad(text, &len, err);
        sodium_memzero(text, padded_len);
        free(text);
        if (!padded) {
            rc = err->rc;
            break;
        }
        rc = seal_to(db, v[i].id, theirs.key_id, theirs.public_key, padded, len, err);
        sodium_memzero(padded, len);
        free(padded);
        if (!rc) rc = concern_audit(db, who->name, "concern.grant", v[i].id, 0, err);
        if (!rc) (*granted)++;
    }
    sodium_memzero(sk, sizeof sk);
    for (size_t i = 0; i < n; i++)
        free(v[i].sealed);
    free(v);
    if (!rc) rc = audit_key(db, who->name, "concern_key.grant", theirs.key_id, err);
    if (rc) *granted = 0;
    return in_transaction(db, rc, err);
}

int concern_keys_list(store *db, json_t **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT k.key_id, k.account, (SELECT min(created_at) FROM concern_key x WHERE x.key_id "
            "= k.key_id), "
            "(SELECT count(*) FROM concern_seal s WHERE s.key_id = k.key_id) FROM concern_key k "
            "WHERE k.id = (SELECT max(id) FROM concern_key x WHERE x.key_id = k.key_id) ORDER BY "
            "k.account",
            &st, err))
        return err->rc;
    json_t *a = json_array();
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}", "key_id", store_col_text(st, 0),
                                           "account", store_col_text(st, 1), "created_at",
                                           store_col_text(st, 2), "seals",
                                           (json_int_t)store_col_int(st, 3)));
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PH_OK;
}
