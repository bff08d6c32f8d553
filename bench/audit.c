/* Audit log benchmark: append throughput at scale, the cost of an audited
 * write against a plain insert of the same row (the baseline, in the same
 * run), verification of the whole log, and proof generation.
 *
 * usage: bench/audit DIR [ENTRIES] [COMMITTED]
 *   ENTRIES    appended in transactions of BATCH entries (default 100000)
 *   COMMITTED  appended one transaction each, as real writes are (default 300)
 * Comparisons that could suffer from the machine's load changing during the
 * run (large log vs small log, audited vs plain commits) alternate between
 * the two sides in rounds.
 * Prints `name: value unit` lines. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "store/store.h"

#define BATCH 1000
#define ROUNDS 5       /* alternating rounds, so that load drift hits both sides */
#define SMALL_LOG 1000 /* entries in the small log the large one is compared with */
#define PROOFS 2000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const ph_err *err) {
    fprintf(stderr, "bench/audit: %s\n", err->msg);
    exit(1);
}

static const char *const TIME = "2026-11-29T10:00:00Z";

static void append_one(store *db, uint64_t i) {
    char id[32], state[64];
    snprintf(id, sizeof id, "GBSIEL/2026/%07llu/P", (unsigned long long)(i % 5000));
    snprintf(state, sizeof state, "state of the case after write %llu", (unsigned long long)i);
    audit_event ev = {.actor = "case.officer.17",
                      .action = "case.update",
                      .object_type = "case",
                      .object_id = id,
                      .state = state,
                      .state_len = strlen(state),
                      .time = TIME};
    ph_err err = {0};
    if (audit_append(db, &ev, NULL, &err)) die(&err);
}

/* The same row without the tree, the head and the signature. */
static void plain_one(store_stmt *st, uint64_t i) {
    char id[32], state[64];
    snprintf(id, sizeof id, "GBSIEL/2026/%07llu/P", (unsigned long long)(i % 5000));
    snprintf(state, sizeof state, "state of the case after write %llu", (unsigned long long)i);
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)state, strlen(state));
    store_reset(st);
    store_bind_int(st, 1, (int64_t)i);
    store_bind_text(st, 2, TIME);
    store_bind_text(st, 3, "case.officer.17");
    store_bind_text(st, 4, "case.update");
    store_bind_text(st, 5, "case");
    store_bind_text(st, 6, id);
    store_bind_blob(st, 7, h, sizeof h);
    ph_err err = {0};
    if (store_step(st, &err) != STORE_DONE) die(&err);
}

static store *open_db(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    ph_err err = {0};
    store *db;
    int applied;
    audit_key_report rep;
    if (store_open(path, STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || audit_init_keys(db, &rep, &err) ||
        store_exec(
            db,
            "CREATE TABLE bench_plain(seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT, "
            "object_type TEXT, object_id TEXT, state_sha256 BLOB);"
            "CREATE INDEX bench_plain_by_object ON bench_plain(object_type, object_id, seq)",
            &err))
        die(&err);
    return db;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0 || argc < 2) {
        fprintf(stderr, "usage: bench/audit DIR [ENTRIES] [COMMITTED]\n");
        return 2;
    }
    const char *dir = argv[1];
    uint64_t entries = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    uint64_t committed = argc > 3 ? strtoull(argv[3], NULL, 10) : 300;
    if (entries < 2 * SMALL_LOG) entries = 2 * SMALL_LOG;
    ph_err err = {0};

    /* ---- batched: the cost of the tree and signatures themselves ---- */
    store *db = open_db(dir, "batched");
    store_stmt *plain;
    if (store_prepare(db,
                      "INSERT INTO bench_plain(seq, at, actor, action, object_type, object_id, "
                      "state_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      &plain, &err))
        die(&err);
    double t0 = now();
    for (uint64_t i = 0; i < entries; i += BATCH) {
        if (store_begin(db, &err)) die(&err);
        for (uint64_t j = i; j < i + BATCH && j < entries; j++)
            append_one(db, j);
        if (store_commit(db, &err)) die(&err);
    }
    double appended = now() - t0;
    t0 = now();
    for (uint64_t i = 0; i < entries; i += BATCH) {
        if (store_begin(db, &err)) die(&err);
        for (uint64_t j = i; j < i + BATCH && j < entries; j++)
            plain_one(plain, j);
        if (store_commit(db, &err)) die(&err);
    }
    double plain_time = now() - t0;
    printf("audit_append_batched: %.0f entries/s\n", (double)entries / appended);
    printf("audit_append_batched_us: %.1f us/entry\n", appended / (double)entries * 1e6);
    printf("plain_insert_batched_us: %.1f us/row\n", plain_time / (double)entries * 1e6);
    printf("audit_append_vs_plain_insert_batched: %.1f ratio\n", appended / plain_time);

    /* Does an append cost more in a large log? BATCH appends to this log
     * and to a small one, alternately; O(log n) means a ratio near 1. */
    store *small = open_db(dir, "small");
    if (store_begin(small, &err)) die(&err);
    for (uint64_t j = 0; j < SMALL_LOG; j++)
        append_one(small, j);
    if (store_commit(small, &err)) die(&err);
    double in_large = 0, in_small = 0;
    uint64_t next_large = entries, next_small = SMALL_LOG;
    for (int round = 0; round < ROUNDS; round++) {
        t0 = now();
        if (store_begin(small, &err)) die(&err);
        for (int j = 0; j < BATCH; j++)
            append_one(small, next_small++);
        if (store_commit(small, &err)) die(&err);
        in_small += now() - t0;
        t0 = now();
        if (store_begin(db, &err)) die(&err);
        for (int j = 0; j < BATCH; j++)
            append_one(db, next_large++);
        if (store_commit(db, &err)) die(&err);
        in_large += now() - t0;
    }
    store_close(small);
    printf("audit_append_at_%lluk_us: %.1f us/entry\n", (unsigned long long)entries / 1000,
           in_large / (ROUNDS * BATCH) * 1e6);
    printf("audit_append_at_%dk_us: %.1f us/entry\n", SMALL_LOG / 1000,
           in_small / (ROUNDS * BATCH) * 1e6);
    printf("audit_append_large_vs_small_log: %.2f ratio\n", in_large / in_small);
    entries = next_large;
    /* the plain rows stay for the committed comparison below */
    store_finalize(plain);

    /* ---- verification of the whole log ---- */
    t0 = now();
    audit_verify_report r;
    if (audit_verify(db, NULL, &r, &err)) die(&err);
    double verified = now() - t0;
    if (r.problems_total || r.entries != entries) {
        fprintf(stderr, "bench/audit: verify found %llu problems\n",
                (unsigned long long)r.problems_total);
        return 1;
    }
    audit_verify_report_free(&r);
    printf("audit_verify_%lluk: %.2f s\n", (unsigned long long)entries / 1000, verified);
    printf("audit_verify_rate: %.0f entries/s\n", (double)entries / verified);

    /* ---- proofs at full size ---- */
    srand(7);
    t0 = now();
    for (int i = 0; i < PROOFS; i++) {
        audit_inclusion_proof p;
        uint64_t index = (uint64_t)rand() % entries;
        if (audit_prove_inclusion(db, index, 0, &p, &err)) die(&err);
        if (!audit_verify_inclusion(index, p.tree_size, p.leaf_hash, p.path, p.path_len,
                                    p.head.root_hash))
            return 1;
    }
    printf("audit_inclusion_proof: %.0f us/proof\n", (now() - t0) / PROOFS * 1e6);
    t0 = now();
    for (int i = 0; i < PROOFS; i++) {
        audit_consistency_proof p;
        uint64_t first = 1 + (uint64_t)rand() % (entries - 1);
        if (audit_prove_consistency(db, first, entries, &p, &err)) die(&err);
    }
    printf("audit_consistency_proof: %.0f us/proof\n", (now() - t0) / PROOFS * 1e6);
    store_close(db);

    /* ---- one transaction per write, as in real use (synchronous=FULL) ---- */
    db = open_db(dir, "committed");
    if (store_prepare(db,
                      "INSERT INTO bench_plain(seq, at, actor, action, object_type, object_id, "
                      "state_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      &plain, &err))
        die(&err);
    double audited_commits = 0, plain_commits = 0;
    uint64_t per_round = committed / ROUNDS ? committed / ROUNDS : 1;
    for (uint64_t i = 0; i < per_round * ROUNDS; i += per_round) {
        t0 = now();
        for (uint64_t j = i; j < i + per_round; j++) {
            if (store_begin(db, &err)) die(&err);
            append_one(db, j);
            if (store_commit(db, &err)) die(&err);
        }
        audited_commits += now() - t0;
        t0 = now();
        for (uint64_t j = i; j < i + per_round; j++) {
            if (store_begin(db, &err)) die(&err);
            plain_one(plain, j);
            if (store_commit(db, &err)) die(&err);
        }
        plain_commits += now() - t0;
    }
    committed = per_round * ROUNDS;
    store_finalize(plain);
    store_close(db);
    printf("audit_append_committed: %.0f writes/s\n", (double)committed / audited_commits);
    printf("plain_insert_committed: %.0f writes/s\n", (double)committed / plain_commits);
    printf("audit_append_vs_plain_insert_committed: %.2f ratio\n", audited_commits / plain_commits);
    return 0;
}
