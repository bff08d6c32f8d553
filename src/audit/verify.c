/* audit_verify: recompute the whole log from the stored entries and compare
 * it with everything stored beside it.
 *
 * One pass over the entries in sequence order rebuilds the tree with a
 * frontier (the roots of the perfect subtrees on the right edge), so that the
 * root at every size is at hand when the signed head of that size is read.
 * Since a head is signed after every append, the first head that no longer
 * matches names the first entry that is not the one that was signed, even
 * when whoever edited it also rewrote the stored tree. Three independent
 * checks run side by side:
 *   - each entry against its recorded leaf hash (audit_node level 0);
 *   - the stored tree nodes against their stored children (proofs rely on
 *     them);
 *   - every signed head against the tree recomputed from the entries, and
 *     its signature.
 * Then each audited object's newest entry is compared with the object's
 * current state. Runs of the same problem over consecutive sizes are
 * reported once, naming the range. */
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"

#define DEFAULT_MAX_PROBLEMS 1000
#define FRONTIER_MAX 65
/* Signatures are checked in batches spread over the processors: an Ed25519
 * verification costs about 100 times a hash, and is nearly all the work. */
#define SIGNATURE_BATCH 4096
#define SIGNATURE_THREADS_MAX 8

typedef struct signature_job {
    audit_tree_head head;
    const unsigned char *public_key; /* NULL: the head names an unknown key */
    int ok;
} signature_job;

typedef struct frontier {
    audit_hash hash[FRONTIER_MAX];
    unsigned level[FRONTIER_MAX];
    size_t len;
} frontier;

typedef struct key_entry {
    char key_id[AUDIT_KEY_ID_HEX];
    unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES];
} key_entry;

/* A run of consecutive sizes (or entries) with the same problem. */
typedef struct run {
    int64_t start, end; /* start < 0: no open run */
} run;

typedef struct verifier {
    store *db;
    audit_verify_report *r;
    size_t max_problems;
    const unsigned char *pinned;
    key_entry *keys;
    size_t nkeys;
    store_stmt *node_st;
    frontier entries_tree; /* built from the entries' contents */
    run head_root, head_signature, head_missing, entry_missing;
    signature_job *jobs;
    size_t njobs;
} verifier;

static void problem(verifier *v, const char *kind, int64_t entry, int64_t tree_size,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(verifier *v, const char *kind, int64_t entry, int64_t tree_size,
                    const char *fmt, ...) {
    audit_verify_report *r = v->r;
    r->problems_total++;
    if (r->nproblems >= v->max_problems) return;
    r->problems = ph_realloc(r->problems, (r->nproblems + 1) * sizeof *r->problems);
    audit_problem *p = &r->problems[r->nproblems++];
    p->kind = kind;
    p->entry = entry;
    p->tree_size = tree_size;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    p->message = ph_malloc((size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(p->message, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
}

static void hex_short(const unsigned char *h, char out[17]) {
    ph_hex(h, 8, out);
}

/* ---- the stored tree ---- */

/* 1 found, 0 missing or damaged, <0 error. */
static int stored_node(verifier *v, unsigned level, uint64_t index, audit_hash out, ph_err *err) {
    if (!v->node_st &&
        store_prepare(v->db, "SELECT hash FROM audit_node WHERE level = ? AND idx = ?", &v->node_st,
                      err))
        return -1;
    store_reset(v->node_st);
    store_bind_int(v->node_st, 1, level);
    store_bind_int(v->node_st, 2, (int64_t)index);
    int rc = store_step(v->node_st, err);
    int found = 0;
    if (rc == STORE_ROW) {
        size_t len;
        const void *p = store_col_blob(v->node_st, 0, &len);
        if (p && len == AUDIT_HASH_BYTES) {
            memcpy(out, p, AUDIT_HASH_BYTES);
            found = 1;
        }
    } else if (rc != STORE_DONE) {
        found = -1;
    }
    store_reset(v->node_st);
    return found;
}

static void frontier_push(frontier *f, const audit_hash leaf) {
    memcpy(f->hash[f->len], leaf, AUDIT_HASH_BYTES);
    f->level[f->len] = 0;
    f->len++;
    while (f->len >= 2 && f->level[f->len - 2] == f->level[f->len - 1]) {
        audit_node_hash(f->hash[f->len - 2], f->hash[f->len - 1], f->hash[f->len - 2]);
        f->level[f->len - 2]++;
        f->len--;
    }
}

static void frontier_root(const frontier *f, audit_hash out) {
    if (f->len == 0) {
        audit_empty_root(out);
        return;
    }
    memcpy(out, f->hash[f->len - 1], AUDIT_HASH_BYTES);
    for (size_t i = f->len - 1; i-- > 0;)
        audit_node_hash(f->hash[i], out, out);
}

/* Leaf `index` completes one perfect subtree per trailing 1 bit of its
 * index. Each is recomputed from its stored children and compared with the
 * stored node, level by level, so that the node that differs is named. */
static int check_stored_nodes(verifier *v, uint64_t index, const audit_hash leaf, ph_err *err) {
    unsigned top = (unsigned)__builtin_ctzll(~index);
    audit_hash h;
    memcpy(h, leaf, AUDIT_HASH_BYTES);
    for (unsigned level = 1; level <= top; level++) {
        uint64_t node_index = index >> level;
        audit_hash left, stored;
        int got = stored_node(v, level - 1, (node_index << 1), left, err);
        if (got < 0) return err->rc;
        if (!got) memset(left, 0, sizeof left);
        audit_node_hash(left, h, h);
        got = stored_node(v, level, node_index, stored, err);
        if (got < 0) return err->rc;
        v->r->nodes_checked++;
        uint64_t first = node_index << level, last = first + ((uint64_t)1 << level) - 1;
        if (!got)
            problem(v, "node_missing", (int64_t)first, -1,
                    "the stored tree node over entries %llu to %llu (level %u) is missing: proofs "
                    "involving those entries cannot be produced",
                    (unsigned long long)first, (unsigned long long)last, level);
        else if (memcmp(stored, h, AUDIT_HASH_BYTES) != 0)
            problem(v, "node_modified", (int64_t)first, -1,
                    "the stored tree node over entries %llu to %llu (level %u) does not match its "
                    "children: proofs involving those entries would not verify",
                    (unsigned long long)first, (unsigned long long)last, level);
        if (got) memcpy(h, stored, AUDIT_HASH_BYTES); /* check the next level on its own */
    }
    return PH_OK;
}

/* ---- runs ---- */

static void run_extend(run *r, int64_t at) {
    if (r->start < 0) r->start = at;
    r->end = at;
}

static void close_entry_missing(verifier *v) {
    run *r = &v->entry_missing;
    if (r->start < 0) return;
    if (r->start == r->end)
        problem(v, "entry_missing", r->start, -1, "entry %lld is missing", (long long)r->start);
    else
        problem(v, "entry_missing", r->start, -1, "entries %lld to %lld are missing",
                (long long)r->start, (long long)r->end);
    r->start = -1;
}

static void close_head_missing(verifier *v) {
    run *r = &v->head_missing;
    if (r->start < 0) return;
    if (r->start == r->end)
        problem(v, "tree_head_missing", -1, r->start,
                "the signed tree head of size %lld is missing", (long long)r->start);
    else
        problem(v, "tree_head_missing", -1, r->start,
                "the signed tree heads of sizes %lld to %lld are missing", (long long)r->start,
                (long long)r->end);
    r->start = -1;
}

static void close_head_signature(verifier *v) {
    run *r = &v->head_signature;
    if (r->start < 0) return;
    if (r->start == r->end)
        problem(v, "tree_head_signature", -1, r->start,
                "the signature of the tree head of size %lld does not verify with key %s",
                (long long)r->start, v->r->key_id);
    else
        problem(v, "tree_head_signature", -1, r->start,
                "the signatures of the tree heads of sizes %lld to %lld do not verify with key %s",
                (long long)r->start, (long long)r->end, v->r->key_id);
    r->start = -1;
}

/* A run of heads whose roots differ from the recomputed tree. When it
 * lasts to the newest head, an entry changed: the first head of the run is
 * the first to cover it. When the heads match again afterwards, the
 * entries are the ones signed and the heads themselves were altered. */
static void close_head_root(verifier *v, int to_the_end) {
    run *r = &v->head_root;
    if (r->start < 0) return;
    if (to_the_end)
        problem(v, "entry_not_signed", r->start - 1, r->start,
                "entry %lld is not the entry that was signed: the tree recomputed from the entries "
                "differs from every signed tree head from size %lld on (to %lld); the entry was "
                "edited, replaced or moved after it was written",
                (long long)r->start - 1, (long long)r->start, (long long)r->end);
    else if (r->start == r->end)
        problem(v, "tree_head_root", -1, r->start,
                "the signed tree head of size %lld does not match the entries, though later heads "
                "do: the head was altered",
                (long long)r->start);
    else
        problem(
            v, "tree_head_root", -1, r->start,
            "the signed tree heads of sizes %lld to %lld do not match the entries, though later "
            "heads do: the heads were altered",
            (long long)r->start, (long long)r->end);
    r->start = -1;
}

/* ---- heads ---- */

static const unsigned char *key_for(verifier *v, const char *key_id) {
    if (v->pinned) return v->pinned;
    for (size_t i = 0; i < v->nkeys; i++)
        if (strcmp(v->keys[i].key_id, key_id) == 0) return v->keys[i].public_key;
    return NULL;
}

typedef struct signature_slice {
    signature_job *jobs;
    size_t from, to;
} signature_slice;

static void *check_signatures(void *arg) {
    signature_slice *w = arg;
    for (size_t i = w->from; i < w->to; i++)
        w->jobs[i].ok = w->jobs[i].public_key &&
                        audit_tree_head_signature_ok(&w->jobs[i].head, w->jobs[i].public_key);
    return NULL;
}

/* Checks the queued signatures, then reports them in size order. */
static void flush_signatures(verifier *v) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cpus < 1 ? 1 : (size_t)cpus;
    if (threads > SIGNATURE_THREADS_MAX) threads = SIGNATURE_THREADS_MAX;
    if (threads > v->njobs) threads = v->njobs ? v->njobs : 1;
    pthread_t tid[SIGNATURE_THREADS_MAX];
    signature_slice slice[SIGNATURE_THREADS_MAX];
    int started[SIGNATURE_THREADS_MAX] = {0};
    for (size_t t = 0; t < threads; t++) {
        slice[t] = (signature_slice){v->jobs, v->njobs * t / threads, v->njobs * (t + 1) / threads};
        /* The last slice runs here, and so does any whose thread cannot start. */
        if (t + 1 < threads && pthread_create(&tid[t], NULL, check_signatures, &slice[t]) == 0)
            started[t] = 1;
        else
            check_signatures(&slice[t]);
    }
    for (size_t t = 0; t < threads; t++)
        if (started[t]) pthread_join(tid[t], NULL);
    for (size_t i = 0; i < v->njobs; i++) {
        v->r->signatures_checked++;
        if (!v->jobs[i].ok)
            run_extend(&v->head_signature, (int64_t)v->jobs[i].head.tree_size);
        else
            close_head_signature(v);
    }
    v->njobs = 0;
}

static void check_head(verifier *v, const audit_tree_head *h, const audit_hash root) {
    v->r->tree_heads++;
    if (memcmp(h->root_hash, root, AUDIT_HASH_BYTES) != 0) {
        run_extend(&v->head_root, (int64_t)h->tree_size);
    } else {
        close_head_root(v, 0);
    }
    if (!v->jobs) v->jobs = ph_malloc(SIGNATURE_BATCH * sizeof *v->jobs);
    signature_job *job = &v->jobs[v->njobs++];
    job->head = *h;
    job->public_key = key_for(v, h->key_id);
    job->ok = 0;
    if (v->njobs == SIGNATURE_BATCH) flush_signatures(v);
}

static int read_head_row(store_stmt *st, audit_tree_head *h) {
    memset(h, 0, sizeof *h);
    h->tree_size = (uint64_t)store_col_int(st, 0);
    const char *ts = store_col_text(st, 2), *key_id = store_col_text(st, 4);
    ph_strlcpy(h->timestamp, ts ? ts : "", sizeof h->timestamp);
    ph_strlcpy(h->key_id, key_id ? key_id : "", sizeof h->key_id);
    size_t len;
    const void *p = store_col_blob(st, 1, &len);
    if (!p || len != AUDIT_HASH_BYTES) return PH_ERR;
    memcpy(h->root_hash, p, AUDIT_HASH_BYTES);
    p = store_col_blob(st, 3, &len);
    if (!p || len != AUDIT_SIGNATURE_BYTES) return PH_ERR;
    memcpy(h->signature, p, AUDIT_SIGNATURE_BYTES);
    return PH_OK;
}

/* ---- keys ---- */

static int load_keys(verifier *v, const audit_verify_options *o, ph_err *err) {
    store_stmt *st;
    if (store_prepare(v->db, "SELECT key_id, public_key FROM audit_key ORDER BY created_at, key_id",
                      &st, err))
        return err->rc;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        key_entry k;
        memset(&k, 0, sizeof k);
        const char *id = store_col_text(st, 0);
        ph_strlcpy(k.key_id, id ? id : "", sizeof k.key_id);
        size_t len;
        const void *p = store_col_blob(st, 1, &len);
        if (!p || len != AUDIT_PUBLIC_KEY_BYTES) {
            problem(v, "key_damaged", -1, -1, "the public key %s in the database is damaged",
                    k.key_id);
            continue;
        }
        memcpy(k.public_key, p, AUDIT_PUBLIC_KEY_BYTES);
        unsigned char digest[crypto_hash_sha256_BYTES];
        char expected_id[AUDIT_KEY_ID_HEX];
        crypto_hash_sha256(digest, k.public_key, AUDIT_PUBLIC_KEY_BYTES);
        ph_hex(digest, (AUDIT_KEY_ID_HEX - 1) / 2, expected_id);
        if (strcmp(expected_id, k.key_id) != 0)
            problem(v, "key_damaged", -1, -1,
                    "the public key recorded as %s in the database has the key id %s", k.key_id,
                    expected_id);
        v->keys = ph_realloc(v->keys, (v->nkeys + 1) * sizeof *v->keys);
        v->keys[v->nkeys++] = k;
    }
    store_finalize(st);
    if (rc != STORE_DONE) return rc;
    if (v->nkeys == 0 && !o->public_key)
        problem(v, "key_missing", -1, -1,
                "the database holds no audit public key, so no tree head can be checked");
    const unsigned char *current = v->nkeys ? v->keys[v->nkeys - 1].public_key : NULL;
    if (o->public_key) {
        v->pinned = o->public_key;
        memcpy(v->r->public_key, o->public_key, AUDIT_PUBLIC_KEY_BYTES);
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, o->public_key, AUDIT_PUBLIC_KEY_BYTES);
        ph_hex(digest, (AUDIT_KEY_ID_HEX - 1) / 2, v->r->key_id);
        if (current && memcmp(current, o->public_key, AUDIT_PUBLIC_KEY_BYTES) != 0)
            problem(
                v, "key_mismatch", -1, -1,
                "the database's public key %s is not the key given (%s): the database's key was "
                "replaced, or the wrong key was given",
                v->keys[v->nkeys - 1].key_id, v->r->key_id);
    } else if (current) {
        memcpy(v->r->public_key, current, AUDIT_PUBLIC_KEY_BYTES);
        ph_strlcpy(v->r->key_id, v->keys[v->nkeys - 1].key_id, sizeof v->r->key_id);
    }
    return PH_OK;
}

/* ---- objects ---- */

static audit_type_count *type_slot(audit_verify_report *r, const char *type) {
    for (size_t i = 0; i < r->ntypes; i++)
        if (strcmp(r->types[i].object_type, type) == 0) return &r->types[i];
    r->types = ph_realloc(r->types, (r->ntypes + 1) * sizeof *r->types);
    audit_type_count *t = &r->types[r->ntypes++];
    t->object_type = ph_strdup(type);
    t->objects = 0;
    t->checked = audit_type_state_fn(type) != NULL;
    return t;
}

static int check_objects(verifier *v, ph_err *err) {
    store_stmt *st;
    if (store_prepare(v->db,
                      "SELECT e.seq, e.object_type, e.object_id, e.state_sha256, e.action "
                      "FROM audit_entry e WHERE e.seq = (SELECT max(x.seq) FROM audit_entry x "
                      "WHERE x.object_type = e.object_type AND x.object_id = e.object_id) "
                      "ORDER BY e.object_type, e.seq",
                      &st, err))
        return err->rc;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        int64_t seq = store_col_int(st, 0);
        const char *type = store_col_text(st, 1), *id = store_col_text(st, 2);
        const char *action = store_col_text(st, 4);
        if (!type || !id) continue;
        audit_type_count *t = type_slot(v->r, type);
        t->objects++;
        if (!t->checked) {
            v->r->objects_unchecked++;
            continue;
        }
        audit_hash recorded, current;
        size_t len;
        const void *p = store_col_blob(st, 3, &len);
        memset(recorded, 0, sizeof recorded);
        if (p && len == AUDIT_HASH_BYTES) memcpy(recorded, p, AUDIT_HASH_BYTES);
        if (audit_object_state_hash(v->db, type, id, current, err)) {
            ph_err_prefix(err, "checking %s %s: ", type, id);
            store_finalize(st);
            return err->rc;
        }
        v->r->objects_checked++;
        if (memcmp(recorded, current, AUDIT_HASH_BYTES) == 0) continue;
        static const audit_hash none = {0};
        char want[17], got[17];
        hex_short(recorded, want);
        hex_short(current, got);
        if (memcmp(current, none, AUDIT_HASH_BYTES) == 0)
            problem(v, "object_missing", seq, -1,
                    "%s %s no longer exists, but its newest audit entry %lld (%s) records a state: "
                    "it was removed without an audit entry",
                    type, id, (long long)seq, action ? action : "");
        else
            problem(v, "object_state", seq, -1,
                    "%s %s was changed without an audit entry: its current state hashes to %s..., "
                    "but its newest audit entry %lld (%s) records %s...",
                    type, id, got, (long long)seq, action ? action : "", want);
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

/* ---- the pass over the log ---- */

static int max_value(store *db, const char *sql, int64_t *out, ph_err *err) {
    int rc = store_one_int(db, out, err, sql, NULL);
    if (rc == PH_ENOTFOUND) {
        ph_err_clear(err);
        *out = -1;
        return PH_OK;
    }
    return rc;
}

static int verify_log(verifier *v, const audit_verify_options *o, ph_err *err) {
    audit_verify_report *r = v->r;
    int64_t last_seq, last_head;
    if (max_value(v->db, "SELECT seq FROM audit_entry ORDER BY seq DESC LIMIT 1", &last_seq, err) ||
        max_value(v->db, "SELECT tree_size FROM audit_tree_head ORDER BY tree_size DESC LIMIT 1",
                  &last_head, err))
        return err->rc;
    r->tree_size = last_head < 0 ? 0 : (uint64_t)last_head;
    uint64_t total = (uint64_t)(last_seq + 1 > last_head ? last_seq + 1 : last_head);
    /* The pass walks every size up to the highest sequence or head. Rows
     * placed far beyond what the rows could fill (a sequence of 10^12)
     * would make that walk endless: the walk stops where the rows could
     * reach, and the rows beyond are reported. */
    int64_t entry_rows, head_rows;
    if (store_one_int(v->db, &entry_rows, err, "SELECT count(*) FROM audit_entry", NULL) ||
        store_one_int(v->db, &head_rows, err, "SELECT count(*) FROM audit_tree_head", NULL))
        return err->rc;
    uint64_t reach = (uint64_t)(entry_rows > head_rows ? entry_rows : head_rows);
    if (total > reach) {
        problem(v, "out_of_range", -1, -1,
                "entries or tree heads lie far beyond the log (sequence %lld, tree size %lld, "
                "with only %lld entries and %lld heads); only sizes up to %llu are checked",
                (long long)last_seq, (long long)last_head, (long long)entry_rows,
                (long long)head_rows, (unsigned long long)reach);
        total = reach;
    }

    store_stmt *entries = NULL, *heads = NULL;
    int rc = store_prepare(v->db,
                           "SELECT seq, at, actor, action, object_type, object_id, state_sha256 "
                           "FROM audit_entry ORDER BY seq",
                           &entries, err);
    if (!rc)
        rc = store_prepare(v->db,
                           "SELECT tree_size, root_hash, signed_at, signature, key_id "
                           "FROM audit_tree_head ORDER BY tree_size",
                           &heads, err);
    int entry_state = rc ? -1 : store_step(entries, err);
    int head_state = rc ? -1 : store_step(heads, err);
    ph_buf bytes;
    ph_buf_init(&bytes);
    for (uint64_t size = 0; !rc && size <= total; size++) {
        if (entry_state != STORE_ROW && entry_state != STORE_DONE) rc = entry_state;
        if (head_state != STORE_ROW && head_state != STORE_DONE) rc = head_state;
        if (rc) break;
        /* Rows at negative positions belong nowhere: report and pass them. */
        while (entry_state == STORE_ROW && store_col_int(entries, 0) < 0) {
            problem(v, "out_of_range", store_col_int(entries, 0), -1,
                    "an entry has the sequence number %lld, which is not a position in the log",
                    (long long)store_col_int(entries, 0));
            entry_state = store_step(entries, err);
        }
        while (head_state == STORE_ROW && store_col_int(heads, 0) < 0) {
            problem(v, "out_of_range", -1, store_col_int(heads, 0),
                    "a tree head has the size %lld, which is not a size",
                    (long long)store_col_int(heads, 0));
            head_state = store_step(heads, err);
        }
        if ((entry_state != STORE_ROW && entry_state != STORE_DONE) ||
            (head_state != STORE_ROW && head_state != STORE_DONE)) {
            rc = err->rc;
            break;
        }
        if (size > 0) {
            uint64_t index = size - 1;
            audit_hash leaf, recorded;
            int got = stored_node(v, 0, index, recorded, err);
            if (got < 0) {
                rc = err->rc;
                break;
            }
            if (entry_state == STORE_ROW && (uint64_t)store_col_int(entries, 0) == index) {
                close_entry_missing(v);
                r->entries++;
                audit_entry e;
                memset(&e, 0, sizeof e);
                e.seq = index;
                const char *t = store_col_text(entries, 1);
                ph_strlcpy(e.time, t ? t : "", sizeof e.time);
                e.actor = store_col_text(entries, 2);
                e.action = store_col_text(entries, 3);
                e.object_type = store_col_text(entries, 4);
                e.object_id = store_col_text(entries, 5);
                if (!e.actor) e.actor = "";
                if (!e.action) e.action = "";
                if (!e.object_type) e.object_type = "";
                if (!e.object_id) e.object_id = "";
                size_t len;
                const void *p = store_col_blob(entries, 6, &len);
                if (p && len == AUDIT_HASH_BYTES) memcpy(e.state_sha256, p, AUDIT_HASH_BYTES);
                ph_buf_reset(&bytes);
                audit_entry_bytes(&e, &bytes);
                audit_leaf_hash(bytes.data, bytes.len, leaf);
                if (!got)
                    problem(v, "node_missing", (int64_t)index, -1,
                            "the recorded leaf hash of entry %llu is missing",
                            (unsigned long long)index);
                else if (memcmp(leaf, recorded, AUDIT_HASH_BYTES) != 0)
                    problem(
                        v, "entry_modified", (int64_t)index, -1,
                        "entry %llu (%s, %s %s, by %s at %s) does not match the leaf hash recorded "
                        "when it was written: its contents were edited or swapped with another "
                        "entry's",
                        (unsigned long long)index, e.action, e.object_type, e.object_id, e.actor,
                        e.time);
                entry_state = store_step(entries, err);
            } else {
                /* Without its entry, the recorded leaf stands in so that
                 * later heads can still be checked. */
                run_extend(&v->entry_missing, (int64_t)index);
                if (got)
                    memcpy(leaf, recorded, AUDIT_HASH_BYTES);
                else
                    memset(leaf, 0, sizeof leaf);
            }
            frontier_push(&v->entries_tree, leaf);
            if ((rc = check_stored_nodes(v, index, got ? recorded : leaf, err))) break;
        }
        audit_hash root;
        frontier_root(&v->entries_tree, root);
        if (o->trusted_head && o->trusted_head->tree_size == size &&
            memcmp(o->trusted_head->root_hash, root, AUDIT_HASH_BYTES) != 0)
            problem(
                v, "trusted_head", (int64_t)size - 1, (int64_t)size,
                "the log no longer extends the tree head of size %llu you hold: it was rewritten "
                "at or before entry %lld",
                (unsigned long long)size, (long long)size - 1);
        if (head_state == STORE_ROW && (uint64_t)store_col_int(heads, 0) == size) {
            close_head_missing(v);
            audit_tree_head h;
            if (read_head_row(heads, &h) != PH_OK) {
                problem(
                    v, "tree_head_damaged", -1, (int64_t)size,
                    "the signed tree head of size %llu is damaged (wrong hash or signature length)",
                    (unsigned long long)size);
            } else {
                check_head(v, &h, root);
            }
            head_state = store_step(heads, err);
        } else {
            run_extend(&v->head_missing, (int64_t)size);
        }
    }
    ph_buf_free(&bytes);
    store_finalize(entries);
    store_finalize(heads);
    if (rc) return rc;
    flush_signatures(v);
    close_entry_missing(v);
    close_head_missing(v);
    close_head_signature(v);
    close_head_root(v, 1);
    if (o->trusted_head && o->trusted_head->tree_size > total)
        problem(
            v, "trusted_head", (int64_t)total, (int64_t)o->trusted_head->tree_size,
            "the log holds %llu entries, fewer than the tree head of size %llu you hold: it was "
            "truncated",
            (unsigned long long)total, (unsigned long long)o->trusted_head->tree_size);
    return PH_OK;
}

int audit_verify(store *db, const audit_verify_options *o, audit_verify_report *report,
                 ph_err *err) {
    static const audit_verify_options defaults = {0};
    if (!o) o = &defaults;
    memset(report, 0, sizeof *report);
    verifier v;
    memset(&v, 0, sizeof v);
    v.db = db;
    v.r = report;
    v.max_problems = o->max_problems ? o->max_problems : DEFAULT_MAX_PROBLEMS;
    v.head_root.start = v.head_signature.start = v.head_missing.start = v.entry_missing.start = -1;
    int rc = load_keys(&v, o, err);
    if (!rc && o->trusted_head) {
        const unsigned char *pk = key_for(&v, o->trusted_head->key_id);
        if (!pk && v.nkeys) pk = v.keys[v.nkeys - 1].public_key;
        if (!pk || !audit_tree_head_signature_ok(o->trusted_head, pk))
            problem(
                &v, "trusted_head", -1, (int64_t)o->trusted_head->tree_size,
                "the signature of the tree head of size %llu you hold does not verify with key %s",
                (unsigned long long)o->trusted_head->tree_size, report->key_id);
    }
    if (!rc) rc = verify_log(&v, o, err);
    if (!rc) rc = check_objects(&v, err);
    store_finalize(v.node_st);
    free(v.keys);
    free(v.jobs);
    if (rc) audit_verify_report_free(report);
    return rc;
}

void audit_verify_report_free(audit_verify_report *r) {
    for (size_t i = 0; i < r->nproblems; i++)
        free(r->problems[i].message);
    free(r->problems);
    for (size_t i = 0; i < r->ntypes; i++)
        free(r->types[i].object_type);
    free(r->types);
    memset(r, 0, sizeof *r);
}
