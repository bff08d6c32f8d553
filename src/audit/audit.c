/* The audit log in the store: the signing key, appending, tree heads,
 * proofs and listing. The tree math is in merkle.c, the byte formats in
 * format.c, verification in verify.c. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "audit/audit.h"

/* A key file is a comment and one line of hex: never large. */
#define KEY_FILE_MAX 4096
#define SEED_BYTES crypto_sign_SEEDBYTES
/* Object types and actions are short identifiers. */
#define NAME_MAX_LEN 64
#define TYPES_MAX 64

static const char KEY_FILE_COMMENT[] =
    "# penholder audit signing key: the Ed25519 seed, in hex. Whoever holds this file can\n"
    "# sign audit tree heads: keep it secret, back it up, never put it in the database.\n";

/* ---- small helpers ---- */

static void put_u32(ph_buf *b, uint32_t v) {
    char bytes[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    ph_buf_append(b, bytes, sizeof bytes);
}

static int copy_blob(store_stmt *st, int col, unsigned char *out, size_t n) {
    size_t len;
    const void *p = store_col_blob(st, col, &len);
    if (!p || len != n) return PH_ERR;
    memcpy(out, p, n);
    return PH_OK;
}

static void key_id_of(const unsigned char pk[AUDIT_PUBLIC_KEY_BYTES], char out[AUDIT_KEY_ID_HEX]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, AUDIT_PUBLIC_KEY_BYTES);
    ph_hex(h, (AUDIT_KEY_ID_HEX - 1) / 2, out);
}

/* ---- object types ---- */

static struct {
    char name[NAME_MAX_LEN + 1];
    audit_state_fn fn;
} registered[TYPES_MAX];
static size_t nregistered;

/* Lower-case identifier: [a-z][a-z0-9_]*; with dots between words when
 * `dotted` (at least two words: "licence.suspend"). */
static int valid_name(const char *s, int dotted) {
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN) return 0;
    int words = 1, at_word_start = 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' && dotted && !at_word_start) {
            words++;
            at_word_start = 1;
            continue;
        }
        if (at_word_start ? !(c >= 'a' && c <= 'z')
                          : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
        at_word_start = 0;
    }
    return !at_word_start && (!dotted || words >= 2);
}

int audit_register_type(const char *object_type, audit_state_fn fn) {
    if (!object_type || !valid_name(object_type, 0) || !fn) return PH_EUSAGE;
    for (size_t i = 0; i < nregistered; i++)
        if (strcmp(registered[i].name, object_type) == 0)
            return registered[i].fn == fn ? PH_OK : PH_ECONFLICT;
    if (nregistered == TYPES_MAX) return PH_ERR;
    ph_strlcpy(registered[nregistered].name, object_type, sizeof registered[nregistered].name);
    registered[nregistered].fn = fn;
    nregistered++;
    return PH_OK;
}

audit_state_fn audit_type_state_fn(const char *object_type) {
    for (size_t i = 0; i < nregistered; i++)
        if (strcmp(registered[i].name, object_type) == 0) return registered[i].fn;
    return NULL;
}

int audit_object_state_hash(store *db, const char *object_type, const char *object_id,
                            audit_hash out, ph_err *err) {
    audit_state_fn fn = audit_type_state_fn(object_type);
    if (!fn)
        return ph_fail(err, PH_ERR, "no state function is registered for object type '%s'",
                       object_type);
    ph_buf b;
    ph_buf_init(&b);
    int rc = fn(db, object_id, &b, err);
    if (rc == PH_OK)
        crypto_hash_sha256(out, (const unsigned char *)b.data, b.len);
    else if (rc == PH_ENOTFOUND) {
        memset(out, 0, AUDIT_HASH_BYTES);
        ph_err_clear(err);
        rc = PH_OK;
    }
    ph_buf_free(&b);
    return rc;
}

int audit_canon_rows(store *db, ph_buf *out, ph_err *err, const char *sql, const char *types, ...) {
    store_stmt *st;
    /* Kept on the connection: every audited write runs its object's queries
     * (a case has a dozen), and parsing them each time was a large part of a
     * write. The SQL is the state function's constant. */
    if (store_prepare_cached(db, sql, &st, err)) return err->rc;
    va_list ap;
    va_start(ap, types);
    store_bind_va(st, types, ap);
    va_end(ap);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        int ncols = store_col_count(st);
        ph_buf_putc(out, 'R');
        put_u32(out, (uint32_t)ncols);
        for (int i = 0; i < ncols; i++) {
            if (store_col_is_null(st, i)) {
                ph_buf_putc(out, 'N');
                continue;
            }
            /* Numbers are encoded by their text form, blobs by their bytes. */
            size_t len;
            const void *p = store_col_blob(st, i, &len);
            ph_buf_putc(out, 'T');
            put_u32(out, (uint32_t)len);
            if (len) ph_buf_append(out, p, len);
        }
    }
    store_finalize(st);
    if (rc != STORE_DONE) return rc;
    ph_buf_putc(out, 'E');
    return PH_OK;
}

/* ---- the key file ---- */

char *audit_key_path(store *db) {
    const char *env = getenv("PENHOLDER_AUDIT_KEY");
    if (env && *env) return ph_strdup(env);
    return ph_asprintf("%s.audit-key", store_path(db));
}

/* Reads the seed. PH_ENOTFOUND when the file does not exist. */
static int key_file_read(const char *path, unsigned char seed[SEED_BYTES], ph_err *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return ph_fail(err, PH_ENOTFOUND, "%s: the audit signing key file is missing", path);
        return ph_fail(err, PH_ERR, "%s: cannot read the audit signing key: %s", path,
                       strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ph_fail(err, PH_ERR, "%s: the audit signing key is not a regular file", path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return ph_fail(err, PH_ERR,
                       "%s: the audit signing key file can be read by others (mode %04o); "
                       "run `chmod 600 %s`",
                       path, (unsigned)(st.st_mode & 07777), path);
    }
    char buf[KEY_FILE_MAX + 1];
    ssize_t n = read(fd, buf, KEY_FILE_MAX + 1);
    close(fd);
    if (n < 0) return ph_fail(err, PH_ERR, "%s: %s", path, strerror(errno));
    if (n > KEY_FILE_MAX)
        return ph_fail(err, PH_ERR, "%s: too large for an audit signing key", path);
    buf[n] = '\0';
    int found = 0, rc = PH_OK, line_no = 0;
    for (char *line = buf; line && *line && rc == PH_OK;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        line_no++;
        ph_trim(line);
        if (*line && *line != '#') {
            if (found || audit_bytes_from_hex(line, seed, SEED_BYTES))
                rc =
                    ph_fail(err, PH_ERR, "%s:%d: expected one line of %d hex digits (the key seed)",
                            path, line_no, 2 * SEED_BYTES);
            found = 1;
        }
        line = next;
    }
    if (rc == PH_OK && !found)
        rc = ph_fail(err, PH_ERR, "%s: holds no key (expected a line of %d hex digits)", path,
                     2 * SEED_BYTES);
    sodium_memzero(buf, sizeof buf);
    if (rc) sodium_memzero(seed, SEED_BYTES);
    return rc;
}

/* Creates the key file; never replaces one. */
static int key_file_write(const char *path, const unsigned char seed[SEED_BYTES], ph_err *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ph_fail(err, PH_ERR, "%s: cannot create the audit signing key: %s", path,
                       strerror(errno));
    char hex[2 * SEED_BYTES + 2];
    ph_hex(seed, SEED_BYTES, hex);
    hex[2 * SEED_BYTES] = '\n';
    hex[2 * SEED_BYTES + 1] = '\0';
    size_t clen = strlen(KEY_FILE_COMMENT);
    int ok = fchmod(fd, 0600) == 0 && write(fd, KEY_FILE_COMMENT, clen) == (ssize_t)clen &&
             write(fd, hex, 2 * SEED_BYTES + 1) == 2 * SEED_BYTES + 1 && fsync(fd) == 0;
    int saved = errno;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0) ok = 0;
    if (!ok) {
        unlink(path);
        return ph_fail(err, PH_ERR, "%s: cannot write the audit signing key: %s", path,
                       strerror(saved));
    }
    return PH_OK;
}

int audit_public_key(store *db, audit_key_info *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT key_id, public_key, created_at FROM audit_key ORDER BY created_at DESC, "
            "key_id DESC LIMIT 1",
            &st, err))
        return err->rc;
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ph_strlcpy(out->key_id, store_col_text(st, 0), sizeof out->key_id);
        ph_strlcpy(out->created_at, store_col_text(st, 2), sizeof out->created_at);
        rc = copy_blob(st, 1, out->public_key, AUDIT_PUBLIC_KEY_BYTES)
                 ? ph_fail(err, PH_ERR, "%s: the audit public key is damaged (not 32 bytes)",
                           store_path(db))
                 : PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND,
                     "%s: the audit log has no signing key yet; run `penholder init`",
                     store_path(db));
    }
    store_finalize(st);
    return rc;
}

/* The key pair that signs, checked against the public key the database
 * records. Wiped by signer_clear. */
typedef struct signer {
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    char key_id[AUDIT_KEY_ID_HEX];
} signer;

static void signer_clear(signer *s) {
    sodium_memzero(s, sizeof *s);
}

/* Deriving the key pair from the seed costs as much as a signature, and a
 * busy server appends often, so the derived pair is kept between appends.
 * It is reused only while the key file is the same file, unchanged (device,
 * inode, size, modification time), still private, and the database records
 * the same public key; each append checks that with one stat() and one
 * look-up, so a removed or replaced key file is noticed at once. This is
 * the only state the module keeps between calls. */
static struct {
    pthread_mutex_t lock;
    int valid;
    char path[1024];
    struct stat st;
    signer s;
} signer_cache = {PTHREAD_MUTEX_INITIALIZER, 0, "", {0}, {{0}, {0}, ""}};

static int same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mode == b->st_mode && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int signer_load(store *db, signer *s, ph_err *err) {
    memset(s, 0, sizeof *s);
    audit_key_info k;
    if (audit_public_key(db, &k, err)) return err->rc;
    char *path = audit_key_path(db);
    struct stat before;
    int have_stat = stat(path, &before) == 0;
    pthread_mutex_lock(&signer_cache.lock);
    if (have_stat && signer_cache.valid && strcmp(signer_cache.path, path) == 0 &&
        same_file(&signer_cache.st, &before) &&
        ph_memeq_const(signer_cache.s.pk, k.public_key, AUDIT_PUBLIC_KEY_BYTES)) {
        *s = signer_cache.s;
        pthread_mutex_unlock(&signer_cache.lock);
        free(path);
        return PH_OK;
    }
    pthread_mutex_unlock(&signer_cache.lock);

    unsigned char seed[SEED_BYTES];
    int rc = key_file_read(path, seed, err);
    if (rc == PH_ENOTFOUND) {
        rc =
            ph_fail(err, PH_ERR,
                    "%s: the audit signing key file is missing, so the write cannot be audited and "
                    "nothing was written; restore the file from backup, or set PENHOLDER_AUDIT_KEY "
                    "to its path",
                    path);
    } else if (rc == PH_OK) {
        crypto_sign_seed_keypair(s->pk, s->sk, seed);
        sodium_memzero(seed, sizeof seed);
        if (!ph_memeq_const(s->pk, k.public_key, AUDIT_PUBLIC_KEY_BYTES)) {
            signer_clear(s);
            rc = ph_fail(err, PH_ERR,
                         "%s: this signing key does not belong to %s (its public key is not key %s "
                         "recorded there); nothing was written",
                         path, store_path(db), k.key_id);
        } else {
            ph_strlcpy(s->key_id, k.key_id, sizeof s->key_id);
            pthread_mutex_lock(&signer_cache.lock);
            signer_clear(&signer_cache.s);
            signer_cache.valid = have_stat && strlen(path) < sizeof signer_cache.path;
            if (signer_cache.valid) {
                ph_strlcpy(signer_cache.path, path, sizeof signer_cache.path);
                signer_cache.st = before;
                signer_cache.s = *s;
            }
            pthread_mutex_unlock(&signer_cache.lock);
        }
    }
    free(path);
    return rc;
}

static int insert_head(store *db, const signer *s, uint64_t size, const audit_hash root,
                       const char *time, audit_tree_head *out, ph_err *err) {
    ph_buf msg;
    ph_buf_init(&msg);
    audit_tree_head_message(size, root, time, &msg);
    audit_tree_head h;
    memset(&h, 0, sizeof h);
    h.tree_size = size;
    memcpy(h.root_hash, root, AUDIT_HASH_BYTES);
    ph_strlcpy(h.timestamp, time, sizeof h.timestamp);
    ph_strlcpy(h.key_id, s->key_id, sizeof h.key_id);
    crypto_sign_detached(h.signature, NULL, (const unsigned char *)msg.data, msg.len, s->sk);
    ph_buf_free(&msg);
    store_stmt *st;
    if (store_prepare(
            db,
            "INSERT INTO audit_tree_head(tree_size, root_hash, signed_at, signature, key_id) "
            "VALUES (?, ?, ?, ?, ?)",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, (int64_t)size);
    store_bind_blob(st, 2, root, AUDIT_HASH_BYTES);
    store_bind_text(st, 3, time);
    store_bind_blob(st, 4, h.signature, AUDIT_SIGNATURE_BYTES);
    store_bind_text(st, 5, s->key_id);
    int rc = store_step(st, err);
    store_finalize(st);
    if (rc != STORE_DONE) return rc;
    if (out) *out = h;
    return PH_OK;
}

int audit_init_keys(store *db, audit_key_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    char *path = audit_key_path(db);
    ph_strlcpy(report->path, path, sizeof report->path);
    audit_key_info k;
    int rc = audit_public_key(db, &k, err);
    if (rc == PH_OK) {
        /* The database has its key: the file must be there and match. */
        signer s;
        rc = signer_load(db, &s, err);
        signer_clear(&s);
        if (rc == PH_OK) {
            ph_strlcpy(report->key_id, k.key_id, sizeof report->key_id);
            memcpy(report->public_key, k.public_key, AUDIT_PUBLIC_KEY_BYTES);
        }
        free(path);
        return rc;
    }
    if (rc != PH_ENOTFOUND) {
        free(path);
        return rc;
    }
    ph_err_clear(err);

    unsigned char seed[SEED_BYTES];
    rc = key_file_read(path, seed, err);
    if (rc == PH_OK) {
        report->adopted = 1;
    } else if (rc == PH_ENOTFOUND) {
        ph_err_clear(err);
        randombytes_buf(seed, sizeof seed);
        rc = key_file_write(path, seed, err);
        report->created = rc == PH_OK;
    }
    if (rc) {
        free(path);
        return rc;
    }
    signer s;
    memset(&s, 0, sizeof s);
    crypto_sign_seed_keypair(s.pk, s.sk, seed);
    sodium_memzero(seed, sizeof seed);
    key_id_of(s.pk, s.key_id);
    char now[AUDIT_TIME_LEN];
    audit_hash empty;
    audit_empty_root(empty);
    rc = audit_clock(now, err);
    if (!rc) rc = store_begin(db, err);
    if (!rc) {
        store_stmt *st;
        rc = store_prepare(
            db, "INSERT INTO audit_key(key_id, public_key, created_at) VALUES (?, ?, ?)", &st, err);
        if (!rc) {
            store_bind_text(st, 1, s.key_id);
            store_bind_blob(st, 2, s.pk, AUDIT_PUBLIC_KEY_BYTES);
            store_bind_text(st, 3, now);
            rc = store_step(st, err) == STORE_DONE ? PH_OK : err->rc;
            store_finalize(st);
        }
        /* The empty tree's head: every database has a signed head from the start. */
        if (!rc) rc = insert_head(db, &s, 0, empty, now, NULL, err);
        if (!rc) rc = store_commit(db, err);
        if (rc) store_rollback(db);
    }
    if (rc == PH_OK) {
        ph_strlcpy(report->key_id, s.key_id, sizeof report->key_id);
        memcpy(report->public_key, s.pk, AUDIT_PUBLIC_KEY_BYTES);
    } else if (report->created) {
        /* Nothing refers to the new key: do not leave a stray secret. */
        unlink(path);
        report->created = 0;
    }
    signer_clear(&s);
    free(path);
    return rc;
}

/* ---- the stored tree ---- */

/* Looks up perfect subtrees in audit_node (an audit_subtree_fn). */
typedef struct node_reader {
    store *db;
    store_stmt *st;
} node_reader;

static int stored_subtree(void *ctx, unsigned level, uint64_t index, audit_hash out, ph_err *err) {
    node_reader *r = ctx;
    if (!r->st && store_prepare(r->db, "SELECT hash FROM audit_node WHERE level = ? AND idx = ?",
                                &r->st, err))
        return err->rc;
    store_reset(r->st);
    store_bind_int(r->st, 1, level);
    store_bind_int(r->st, 2, (int64_t)index);
    int rc = store_step(r->st, err);
    if (rc == STORE_ROW) {
        rc = copy_blob(r->st, 0, out, AUDIT_HASH_BYTES)
                 ? ph_fail(err, PH_ERR,
                           "%s: audit tree node (level %u, index %llu) is damaged; "
                           "run `penholder audit verify`",
                           store_path(r->db), level, (unsigned long long)index)
                 : PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(
            err, PH_ERR,
            "%s: audit tree node (level %u, index %llu) is missing; run `penholder audit verify`",
            store_path(r->db), level, (unsigned long long)index);
    }
    store_reset(r->st);
    return rc;
}

static void node_reader_close(node_reader *r) {
    store_finalize(r->st);
}

static int newest_size(store *db, uint64_t *size, ph_err *err) {
    int64_t v;
    int rc = store_one_int(
        db, &v, err, "SELECT tree_size FROM audit_tree_head ORDER BY tree_size DESC LIMIT 1", NULL);
    if (rc == PH_ENOTFOUND)
        return ph_fail(err, PH_ENOTFOUND,
                       "%s: the audit log has no signed tree head; run `penholder init`",
                       store_path(db));
    if (rc) return rc;
    *size = (uint64_t)v;
    return PH_OK;
}

static int check_text(const char *what, const char *s, ph_err *err) {
    if (!s || !*s) return ph_fail(err, PH_EUSAGE, "audit: the %s is empty", what);
    size_t n = strlen(s);
    if (n > AUDIT_FIELD_MAX)
        return ph_fail(err, PH_EUSAGE, "audit: the %s is longer than %d bytes", what,
                       AUDIT_FIELD_MAX);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) return ph_fail(err, PH_EUSAGE, "audit: the %s is not valid UTF-8", what);
        if (cp < 0x20 || cp == 0x7f)
            return ph_fail(err, PH_EUSAGE, "audit: the %s holds a control character", what);
        i += (size_t)len;
    }
    return PH_OK;
}

static int check_event(const audit_event *ev, ph_err *err) {
    if (check_text("actor", ev->actor, err) || check_text("object id", ev->object_id, err))
        return err->rc;
    if (!ev->action || !valid_name(ev->action, 1))
        return ph_fail(err, PH_EUSAGE,
                       "audit: action '%.64s' is not a lower-case dotted verb like licence.suspend",
                       ev->action ? ev->action : "");
    if (!ev->object_type || !valid_name(ev->object_type, 0))
        return ph_fail(err, PH_EUSAGE,
                       "audit: object type '%.64s' is not a lower-case word like licence",
                       ev->object_type ? ev->object_type : "");
    if (ev->time && !audit_time_valid(ev->time))
        return ph_fail(err, PH_EUSAGE,
                       "audit: time '%.40s' is not a UTC time like 2026-11-29T14:08:40Z", ev->time);
    return PH_OK;
}

static int insert_node(store *db, store_stmt **st, unsigned level, uint64_t index,
                       const audit_hash hash, ph_err *err) {
    if (!*st &&
        store_prepare(db, "INSERT INTO audit_node(level, idx, hash) VALUES (?, ?, ?)", st, err))
        return err->rc;
    store_reset(*st);
    store_bind_int(*st, 1, level);
    store_bind_int(*st, 2, (int64_t)index);
    store_bind_blob(*st, 3, hash, AUDIT_HASH_BYTES);
    int rc = store_step(*st, err);
    store_reset(*st);
    return rc == STORE_DONE ? PH_OK : rc;
}

int audit_append_object(store *db, const char *actor, const char *action, const char *object_type,
                        const char *object_id, audit_state_fn fn, ph_err *err) {
    ph_buf state;
    ph_buf_init(&state);
    int rc = fn(db, object_id, &state, err);
    audit_event ev = {.actor = actor,
                      .action = action,
                      .object_type = object_type,
                      .object_id = object_id,
                      .state = state.data,
                      .state_len = state.len};
    if (!rc) rc = audit_append(db, &ev, NULL, err);
    ph_buf_free(&state);
    return rc;
}

int audit_append(store *db, const audit_event *ev, audit_entry_info *out, ph_err *err) {
    if (!store_in_transaction(db))
        return ph_fail(err, PH_ERR,
                       "internal: audit_append must run inside the write's transaction");
    if (check_event(ev, err)) return err->rc;
    audit_entry e;
    memset(&e, 0, sizeof e);
    e.actor = ev->actor;
    e.action = ev->action;
    e.object_type = ev->object_type;
    e.object_id = ev->object_id;
    if (ev->time)
        ph_strlcpy(e.time, ev->time, sizeof e.time);
    else if (audit_clock(e.time, err))
        return err->rc;
    if (ev->state_sha256) {
        memcpy(e.state_sha256, ev->state_sha256, AUDIT_HASH_BYTES);
    } else if (ev->state) {
        crypto_hash_sha256(e.state_sha256, ev->state, ev->state_len);
    } else if (!audit_type_state_fn(ev->object_type)) {
        return ph_fail(err, PH_ERR,
                       "internal: object type '%s' has no registered state function and the event "
                       "gives no state",
                       ev->object_type);
    } else if (audit_object_state_hash(db, ev->object_type, ev->object_id, e.state_sha256, err)) {
        return err->rc;
    }

    /* The key first: when it is missing nothing of the entry is written. */
    signer s;
    if (signer_load(db, &s, err)) return err->rc;

    /* Both look-ups use the primary keys: O(log n). */
    uint64_t n = 0;
    int64_t entries = 0;
    int rc = newest_size(db, &n, err);
    if (!rc) {
        rc = store_one_int(db, &entries, err,
                           "SELECT seq + 1 FROM audit_entry ORDER BY seq DESC LIMIT 1", NULL);
        if (rc == PH_ENOTFOUND) {
            ph_err_clear(err);
            rc = PH_OK;
            entries = 0;
        }
    }
    if (!rc && (uint64_t)entries != n)
        rc = ph_fail(err, PH_ERR,
                     "%s: the audit log is inconsistent (its entries run to sequence %lld, but the "
                     "newest signed tree head covers %llu entries); nothing was written: run "
                     "`penholder audit verify`",
                     store_path(db), (long long)entries - 1, (unsigned long long)n);
    if (rc) {
        signer_clear(&s);
        return rc;
    }
    e.seq = n;
    audit_hash leaf;
    audit_entry_leaf_hash(&e, leaf);

    store_stmt *ins = NULL, *ins_node = NULL;
    node_reader reader = {db, NULL};
    rc = store_prepare(db,
                       "INSERT INTO audit_entry(seq, at, actor, action, object_type, object_id, "
                       "state_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &ins, err);
    if (!rc) {
        store_bind_int(ins, 1, (int64_t)e.seq);
        store_bind_text(ins, 2, e.time);
        store_bind_text(ins, 3, e.actor);
        store_bind_text(ins, 4, e.action);
        store_bind_text(ins, 5, e.object_type);
        store_bind_text(ins, 6, e.object_id);
        store_bind_blob(ins, 7, e.state_sha256, AUDIT_HASH_BYTES);
        if (store_step(ins, err) != STORE_DONE) rc = err->rc;
    }
    /* The new leaf completes one perfect subtree per trailing 1 bit of n:
     * merge it with the left siblings on the right edge, storing each. */
    audit_hash h;
    memcpy(h, leaf, AUDIT_HASH_BYTES);
    unsigned level = 0;
    uint64_t index = n;
    if (!rc) rc = insert_node(db, &ins_node, 0, index, h, err);
    while (!rc && (index & 1)) {
        audit_hash left;
        rc = stored_subtree(&reader, level, index - 1, left, err);
        if (rc) break;
        audit_node_hash(left, h, h);
        level++;
        index >>= 1;
        rc = insert_node(db, &ins_node, level, index, h, err);
    }
    /* The root of the n+1 tree folds the right edge, smallest subtree first. */
    audit_hash root;
    if (!rc) rc = audit_range_root(stored_subtree, &reader, 0, n + 1, root, err);
    if (!rc) rc = insert_head(db, &s, n + 1, root, e.time, NULL, err);
    store_finalize(ins);
    store_finalize(ins_node);
    node_reader_close(&reader);
    signer_clear(&s);
    if (rc) return rc;
    if (out) {
        out->seq = e.seq;
        out->tree_size = n + 1;
        ph_strlcpy(out->time, e.time, sizeof out->time);
        memcpy(out->leaf_hash, leaf, AUDIT_HASH_BYTES);
        memcpy(out->state_sha256, e.state_sha256, AUDIT_HASH_BYTES);
        memcpy(out->root_hash, root, AUDIT_HASH_BYTES);
    }
    return PH_OK;
}

/* ---- heads and proofs ---- */

static int read_head(store *db, const char *sql, int64_t size, audit_tree_head *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    if (size >= 0) store_bind_int(st, 1, size);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        out->tree_size = (uint64_t)store_col_int(st, 0);
        const char *ts = store_col_text(st, 2), *key_id = store_col_text(st, 4);
        ph_strlcpy(out->timestamp, ts ? ts : "", sizeof out->timestamp);
        ph_strlcpy(out->key_id, key_id ? key_id : "", sizeof out->key_id);
        rc = copy_blob(st, 1, out->root_hash, AUDIT_HASH_BYTES) ||
                     copy_blob(st, 3, out->signature, AUDIT_SIGNATURE_BYTES)
                 ? ph_fail(err, PH_ERR,
                           "%s: the signed tree head of size %llu is damaged; run "
                           "`penholder audit verify`",
                           store_path(db), (unsigned long long)out->tree_size)
                 : PH_OK;
    } else if (rc == STORE_DONE) {
        rc = size >= 0 ? ph_fail(err, PH_ENOTFOUND, "%s: there is no signed tree head of size %lld",
                                 store_path(db), (long long)size)
                       : ph_fail(err, PH_ENOTFOUND,
                                 "%s: the audit log has no signed tree head; run `penholder init`",
                                 store_path(db));
    }
    store_finalize(st);
    return rc;
}

#define HEAD_COLUMNS                                                                               \
    "SELECT tree_size, root_hash, signed_at, signature, key_id FROM audit_tree_head "

int audit_head(store *db, audit_tree_head *out, ph_err *err) {
    return read_head(db, HEAD_COLUMNS "ORDER BY tree_size DESC LIMIT 1", -1, out, err);
}

int audit_head_at(store *db, uint64_t tree_size, audit_tree_head *out, ph_err *err) {
    return read_head(db, HEAD_COLUMNS "WHERE tree_size = ?", (int64_t)tree_size, out, err);
}

/* The root recomputed from the stored tree must be the one that was signed. */
static int root_matches_head(store *db, const audit_tree_head *head, const audit_hash root,
                             ph_err *err) {
    if (memcmp(head->root_hash, root, AUDIT_HASH_BYTES) != 0)
        return ph_fail(
            err, PH_ERR,
            "%s: the stored audit tree does not match the signed tree head of size %llu; "
            "run `penholder audit verify`",
            store_path(db), (unsigned long long)head->tree_size);
    return PH_OK;
}

static int prove_inclusion(store *db, uint64_t index, uint64_t size, uint64_t newest,
                           audit_inclusion_proof *out, ph_err *err);
static int prove_consistency(store *db, uint64_t first, uint64_t second, uint64_t newest,
                             audit_consistency_proof *out, ph_err *err);

/* Reads the newest head's size with a statement left open until
 * snapshot_close: while it is open, every other read of the proof shares
 * its read transaction, so the proof comes from one consistent state of the
 * log (and its look-ups do not each start a transaction of their own). */
static int snapshot_open(store *db, store_stmt **st, uint64_t *newest, ph_err *err) {
    if (store_prepare(db, "SELECT tree_size FROM audit_tree_head ORDER BY tree_size DESC LIMIT 1",
                      st, err))
        return err->rc;
    int rc = store_step(*st, err);
    if (rc == STORE_ROW) {
        *newest = (uint64_t)store_col_int(*st, 0);
        return PH_OK;
    }
    store_finalize(*st);
    *st = NULL;
    if (rc == STORE_DONE)
        return ph_fail(err, PH_ENOTFOUND,
                       "%s: the audit log has no signed tree head; run `penholder init`",
                       store_path(db));
    return rc;
}

int audit_prove_inclusion(store *db, uint64_t index, uint64_t size, audit_inclusion_proof *out,
                          ph_err *err) {
    memset(out, 0, sizeof *out);
    uint64_t newest;
    store_stmt *snapshot;
    if (snapshot_open(db, &snapshot, &newest, err)) return err->rc;
    int rc = prove_inclusion(db, index, size, newest, out, err);
    store_finalize(snapshot);
    return rc;
}

static int prove_inclusion(store *db, uint64_t index, uint64_t size, uint64_t newest,
                           audit_inclusion_proof *out, ph_err *err) {
    if (size == 0) size = newest;
    if (size > newest)
        return ph_fail(err, PH_EUSAGE,
                       "the audit log has %llu entries; there is no tree of size %llu",
                       (unsigned long long)newest, (unsigned long long)size);
    if (index >= size)
        return ph_fail(err, PH_EUSAGE,
                       "entry %llu is not in the tree of size %llu (entries 0 to %lld)",
                       (unsigned long long)index, (unsigned long long)size, (long long)size - 1);
    if (audit_head_at(db, size, &out->head, err)) return err->rc;
    node_reader reader = {db, NULL};
    int rc = stored_subtree(&reader, 0, index, out->leaf_hash, err);
    if (!rc)
        rc = audit_inclusion_path(stored_subtree, &reader, index, size, out->path, &out->path_len,
                                  err);
    if (!rc) rc = audit_range_root(stored_subtree, &reader, 0, size, out->root_hash, err);
    node_reader_close(&reader);
    if (!rc) rc = root_matches_head(db, &out->head, out->root_hash, err);
    out->leaf_index = index;
    out->tree_size = size;
    return rc;
}

int audit_prove_consistency(store *db, uint64_t first, uint64_t second,
                            audit_consistency_proof *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    uint64_t newest;
    store_stmt *snapshot;
    if (snapshot_open(db, &snapshot, &newest, err)) return err->rc;
    int rc = prove_consistency(db, first, second, newest, out, err);
    store_finalize(snapshot);
    return rc;
}

static int prove_consistency(store *db, uint64_t first, uint64_t second, uint64_t newest,
                             audit_consistency_proof *out, ph_err *err) {
    if (first > second)
        return ph_fail(err, PH_EUSAGE, "--from %llu is after --to %llu", (unsigned long long)first,
                       (unsigned long long)second);
    if (second > newest)
        return ph_fail(err, PH_EUSAGE,
                       "the audit log has %llu entries; there is no tree of size %llu",
                       (unsigned long long)newest, (unsigned long long)second);
    if (audit_head_at(db, first, &out->first_head, err) ||
        audit_head_at(db, second, &out->second_head, err))
        return err->rc;
    node_reader reader = {db, NULL};
    int rc = audit_consistency_path(stored_subtree, &reader, first, second, out->path,
                                    &out->path_len, err);
    if (!rc) rc = audit_range_root(stored_subtree, &reader, 0, first, out->first_root, err);
    if (!rc) rc = audit_range_root(stored_subtree, &reader, 0, second, out->second_root, err);
    node_reader_close(&reader);
    if (!rc) rc = root_matches_head(db, &out->first_head, out->first_root, err);
    if (!rc) rc = root_matches_head(db, &out->second_head, out->second_root, err);
    out->first = first;
    out->second = second;
    return rc;
}

/* ---- listing ---- */

void audit_records_free(audit_record *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].entry.actor);
        free((char *)v[i].entry.action);
        free((char *)v[i].entry.object_type);
        free((char *)v[i].entry.object_id);
    }
    free(v);
}

static char *dup_col(store_stmt *st, int i) {
    const char *s = store_col_text(st, i);
    return ph_strdup(s ? s : "");
}

int audit_log(store *db, const audit_log_filter *f, audit_record **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    int by_object = f && f->object_type && f->object_id;
    int64_t limit = f ? f->limit : 0;
    ph_buf sql;
    ph_buf_init(&sql);
    ph_buf_puts(&sql, "SELECT e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, "
                      "e.state_sha256, n.hash FROM audit_entry e "
                      "LEFT JOIN audit_node n ON n.level = 0 AND n.idx = e.seq");
    if (by_object) ph_buf_puts(&sql, " WHERE e.object_type = ? AND e.object_id = ?");
    ph_buf_puts(&sql, " ORDER BY e.seq DESC");
    if (limit > 0) ph_buf_puts(&sql, " LIMIT ?");
    store_stmt *st;
    int rc = store_prepare(db, sql.data, &st, err);
    ph_buf_free(&sql);
    if (rc) return rc;
    int param = 1;
    if (by_object) {
        store_bind_text(st, param++, f->object_type);
        store_bind_text(st, param++, f->object_id);
    }
    if (limit > 0) store_bind_int(st, param, limit);
    size_t cap = 0;
    audit_record *v = NULL;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        v = ph_grow(v, &cap, *n + 1, sizeof *v);
        audit_record *r = &v[(*n)++];
        memset(r, 0, sizeof *r);
        r->entry.seq = (uint64_t)store_col_int(st, 0);
        const char *t = store_col_text(st, 1);
        ph_strlcpy(r->entry.time, t ? t : "", sizeof r->entry.time);
        r->entry.actor = dup_col(st, 2);
        r->entry.action = dup_col(st, 3);
        r->entry.object_type = dup_col(st, 4);
        r->entry.object_id = dup_col(st, 5);
        copy_blob(st, 6, r->entry.state_sha256, AUDIT_HASH_BYTES);
        r->leaf_recorded = copy_blob(st, 7, r->leaf_hash, AUDIT_HASH_BYTES) == PH_OK;
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        audit_records_free(v, *n);
        *n = 0;
        return rc;
    }
    /* Read newest first (for the limit); listed oldest first. */
    for (size_t i = 0; i < *n / 2; i++) {
        audit_record tmp = v[i];
        v[i] = v[*n - 1 - i];
        v[*n - 1 - i] = tmp;
    }
    *out = v;
    return PH_OK;
}
