/* audit: the Merkle tree math against RFC 6962 / RFC 9162 (published vectors
 * and a reference written straight from the RFC's definitions), the log in a
 * real database, tampering, keys, and licence status transitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "refdata/refdata.h"
#include "register/register.h"
#include "store/store.h"

/* ---- helpers ---- */

static void hex_to(const char *hex, audit_hash out) {
    assert_int_equal(audit_hash_from_hex(hex, out), PH_OK);
}

static void assert_hash_hex(const audit_hash h, const char *hex) {
    char got[65];
    ph_hex(h, AUDIT_HASH_BYTES, got);
    assert_string_equal(got, hex);
}

/* ---- a reference implementation, written from the RFC's text with list
 * slicing, sharing nothing with merkle.c but the two hash functions ---- */

static void ref_mth(const audit_hash *d, size_t n, audit_hash out) {
    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    audit_hash l, r;
    ref_mth(d, k, l);
    ref_mth(d + k, n - k, r);
    audit_node_hash(l, r, out);
}

/* PATH(m, D[n]) */
static void ref_path(size_t m, const audit_hash *d, size_t n, audit_hash *out, size_t *len) {
    if (n <= 1) return;
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m < k) {
        ref_path(m, d, k, out, len);
        ref_mth(d + k, n - k, out[(*len)++]);
    } else {
        ref_path(m - k, d + k, n - k, out, len);
        ref_mth(d, k, out[(*len)++]);
    }
}

/* SUBPROOF(m, D[n], b) */
static void ref_subproof(size_t m, const audit_hash *d, size_t n, int b, audit_hash *out,
                         size_t *len) {
    if (m == n) {
        if (!b) ref_mth(d, n, out[(*len)++]);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m <= k) {
        ref_subproof(m, d, k, b, out, len);
        ref_mth(d + k, n - k, out[(*len)++]);
    } else {
        ref_subproof(m - k, d + k, n - k, 0, out, len);
        ref_mth(d, k, out[(*len)++]);
    }
}

/* ---- the Certificate Transparency test vectors ---- */

static const char *const ct_leaves_hex[] = {"",
                                            "00",
                                            "10",
                                            "2021",
                                            "3031",
                                            "40414243",
                                            "5051525354555657",
                                            "606162636465666768696a6b6c6d6e6f"};
static const char *const ct_roots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void ct_leaf_hashes(audit_hash leaves[8]) {
    for (int i = 0; i < 8; i++) {
        unsigned char data[16];
        size_t n = strlen(ct_leaves_hex[i]) / 2;
        assert_int_equal(audit_bytes_from_hex(ct_leaves_hex[i], data, n), PH_OK);
        audit_leaf_hash(data, n, leaves[i]);
    }
}

static void test_ct_vectors(void **state) {
    (void)state;
    audit_hash leaves[8], root, path[AUDIT_PROOF_MAX];
    ct_leaf_hashes(leaves);
    for (int n = 0; n <= 8; n++) {
        audit_tree_root(leaves, (uint64_t)n, root);
        assert_hash_hex(root, ct_roots[n]);
    }
    audit_leaf_array a = {leaves, 8};
    ph_err err = {0};
    size_t len;
    /* inclusion of leaf 0 and leaf 5 in the tree of 8 */
    assert_int_equal(audit_inclusion_path(audit_leaf_array_subtree, &a, 0, 8, path, &len, &err),
                     PH_OK);
    assert_int_equal(len, 3);
    assert_hash_hex(path[0], "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    assert_hash_hex(path[1], "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
    assert_hash_hex(path[2], "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    assert_int_equal(audit_inclusion_path(audit_leaf_array_subtree, &a, 5, 8, path, &len, &err),
                     PH_OK);
    assert_int_equal(len, 3);
    assert_hash_hex(path[0], "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    assert_hash_hex(path[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
    assert_hash_hex(path[2], "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    audit_hash root8;
    hex_to(ct_roots[8], root8);
    assert_true(audit_verify_inclusion(5, 8, leaves[5], path, len, root8));
    /* consistency 2 -> 8 and 6 -> 8 */
    assert_int_equal(audit_consistency_path(audit_leaf_array_subtree, &a, 2, 8, path, &len, &err),
                     PH_OK);
    assert_int_equal(len, 2);
    assert_hash_hex(path[0], "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
    assert_hash_hex(path[1], "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
    audit_hash root2, root6;
    hex_to(ct_roots[2], root2);
    hex_to(ct_roots[6], root6);
    assert_true(audit_verify_consistency(2, 8, root2, root8, path, len));
    assert_int_equal(audit_consistency_path(audit_leaf_array_subtree, &a, 6, 8, path, &len, &err),
                     PH_OK);
    assert_int_equal(len, 3);
    assert_hash_hex(path[0], "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a");
    assert_hash_hex(path[1], "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
    assert_hash_hex(path[2], "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    assert_true(audit_verify_consistency(6, 8, root6, root8, path, len));
}

/* ---- every size up to 64 against the reference ---- */

#define N_LEAVES 64

static void make_leaves(audit_hash *leaves, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char data[2] = {(unsigned char)i, (unsigned char)(i * 7 + 1)};
        audit_leaf_hash(data, sizeof data, leaves[i]);
    }
}

static void test_roots_and_ranges(void **state) {
    (void)state;
    audit_hash leaves[N_LEAVES], got, want;
    make_leaves(leaves, N_LEAVES);
    audit_leaf_array a = {leaves, N_LEAVES};
    ph_err err = {0};
    for (size_t lo = 0; lo <= N_LEAVES; lo++)
        for (size_t hi = lo; hi <= N_LEAVES; hi++) {
            assert_int_equal(audit_range_root(audit_leaf_array_subtree, &a, lo, hi, got, &err),
                             PH_OK);
            ref_mth(leaves + lo, hi - lo, want);
            assert_memory_equal(got, want, 32);
        }
    /* a subtree outside the tree is an error, not a read past the end */
    assert_int_not_equal(audit_leaf_array_subtree(&a, 0, N_LEAVES, got, &err), PH_OK);
    assert_int_not_equal(audit_leaf_array_subtree(&a, 7, 0, got, &err), PH_OK);
    assert_int_not_equal(audit_leaf_array_subtree(&a, 63, 1, got, &err), PH_OK);
    assert_int_not_equal(audit_leaf_array_subtree(&a, 64, 0, got, &err), PH_OK);
}

static void test_inclusion_every_index(void **state) {
    (void)state;
    audit_hash leaves[N_LEAVES], roots[N_LEAVES + 1];
    make_leaves(leaves, N_LEAVES);
    for (size_t n = 0; n <= N_LEAVES; n++)
        ref_mth(leaves, n, roots[n]);
    ph_err err = {0};
    for (size_t n = 1; n <= N_LEAVES; n++) {
        audit_leaf_array a = {leaves, n};
        for (size_t m = 0; m < n; m++) {
            audit_hash path[AUDIT_PROOF_MAX], want[AUDIT_PROOF_MAX];
            size_t len = 0, want_len = 0;
            assert_int_equal(
                audit_inclusion_path(audit_leaf_array_subtree, &a, m, n, path, &len, &err), PH_OK);
            ref_path(m, leaves, n, want, &want_len);
            assert_int_equal(len, want_len);
            assert_memory_equal(path, want, len * 32);
            assert_true(audit_verify_inclusion(m, n, leaves[m], path, len, roots[n]));
            /* anything else is rejected */
            if (n > 1)
                assert_false(
                    audit_verify_inclusion(m, n, leaves[(m + 1) % n], path, len, roots[n]));
            if (m + 1 < n)
                assert_false(audit_verify_inclusion(m + 1, n, leaves[m], path, len, roots[n]));
            if (m > 0)
                assert_false(audit_verify_inclusion(m - 1, n, leaves[m], path, len, roots[n]));
            assert_false(audit_verify_inclusion(m, n, leaves[m], path, len, roots[n - 1]));
            if (n < N_LEAVES)
                assert_false(audit_verify_inclusion(m, n + 1, leaves[m], path, len, roots[n + 1]));
            assert_false(audit_verify_inclusion(n, n, leaves[m], path, len, roots[n]));
            for (size_t i = 0; i < len; i++)
                for (int bit = 0; bit < 256; bit += 85) {
                    path[i][bit / 8] ^= (unsigned char)(1 << (bit % 8));
                    assert_false(audit_verify_inclusion(m, n, leaves[m], path, len, roots[n]));
                    path[i][bit / 8] ^= (unsigned char)(1 << (bit % 8));
                }
            if (len) assert_false(audit_verify_inclusion(m, n, leaves[m], path, len - 1, roots[n]));
            memset(path[len], 0xab, 32);
            assert_false(audit_verify_inclusion(m, n, leaves[m], path, len + 1, roots[n]));
            if (len >= 2 && memcmp(path[0], path[1], 32) != 0) {
                audit_hash t;
                memcpy(t, path[0], 32);
                memcpy(path[0], path[1], 32);
                memcpy(path[1], t, 32);
                assert_false(audit_verify_inclusion(m, n, leaves[m], path, len, roots[n]));
            }
        }
    }
}

static void test_consistency_every_pair(void **state) {
    (void)state;
    audit_hash leaves[N_LEAVES], roots[N_LEAVES + 1];
    make_leaves(leaves, N_LEAVES);
    for (size_t n = 0; n <= N_LEAVES; n++)
        ref_mth(leaves, n, roots[n]);
    audit_leaf_array a = {leaves, N_LEAVES};
    ph_err err = {0};
    for (size_t n = 0; n <= N_LEAVES; n++)
        for (size_t m = 0; m <= n; m++) {
            audit_hash path[AUDIT_PROOF_MAX], want[AUDIT_PROOF_MAX];
            size_t len = 0, want_len = 0;
            assert_int_equal(
                audit_consistency_path(audit_leaf_array_subtree, &a, m, n, path, &len, &err),
                PH_OK);
            if (m > 0 && m < n) ref_subproof(m, leaves, n, 1, want, &want_len);
            assert_int_equal(len, want_len);
            assert_memory_equal(path, want, len * 32);
            assert_true(audit_verify_consistency(m, n, roots[m], roots[n], path, len));
            if (m == n) {
                if (n < N_LEAVES)
                    assert_false(audit_verify_consistency(m, n, roots[m], roots[n + 1], path, 0));
                continue;
            }
            if (m == 0) {
                /* the empty tree is the start of every tree: only its root matters */
                assert_false(audit_verify_consistency(0, n, roots[1], roots[n], path, 0));
                continue;
            }
            /* the wrong roots, sizes, or a damaged proof are rejected */
            assert_false(audit_verify_consistency(m, n, roots[n], roots[n], path, len));
            if (m > 0)
                assert_false(audit_verify_consistency(m, n, roots[m - 1], roots[n], path, len));
            assert_false(audit_verify_consistency(m, n, roots[m], roots[n - 1], path, len));
            assert_false(audit_verify_consistency(n, m, roots[n], roots[m], path, len));
            for (size_t i = 0; i < len; i++) {
                path[i][i % 32] ^= 0x80;
                assert_false(audit_verify_consistency(m, n, roots[m], roots[n], path, len));
                path[i][i % 32] ^= 0x80;
            }
            if (len)
                assert_false(audit_verify_consistency(m, n, roots[m], roots[n], path, len - 1));
            memset(path[len], 0xcd, 32);
            assert_false(audit_verify_consistency(m, n, roots[m], roots[n], path, len + 1));
        }
}

static void test_verifier_edges(void **state) {
    (void)state;
    audit_hash leaves[8], r0, r4, r8, path[AUDIT_PROOF_MAX];
    ct_leaf_hashes(leaves);
    audit_empty_root(r0);
    audit_tree_root(leaves, 4, r4);
    audit_tree_root(leaves, 8, r8);
    /* no leaf is in the empty tree; sizes are never negative */
    assert_false(audit_verify_inclusion(0, 0, leaves[0], NULL, 0, r0));
    assert_false(audit_verify_inclusion(UINT64_MAX, UINT64_MAX, leaves[0], NULL, 0, r8));
    /* a single leaf proves itself with an empty path */
    assert_true(audit_verify_inclusion(0, 1, leaves[0], NULL, 0, leaves[0]));
    assert_false(audit_verify_inclusion(0, 1, leaves[0], path, AUDIT_PROOF_MAX + 1, leaves[0]));
    /* the two trivial consistency cases */
    assert_true(audit_verify_consistency(4, 4, r4, r4, NULL, 0));
    assert_false(audit_verify_consistency(4, 4, r4, r8, NULL, 0));
    memset(path[0], 0, 32);
    assert_false(audit_verify_consistency(4, 4, r4, r4, path, 1));
    assert_true(audit_verify_consistency(0, 8, r0, r8, NULL, 0));
    assert_false(audit_verify_consistency(0, 8, r4, r8, NULL, 0));
    assert_false(audit_verify_consistency(0, 8, r0, r8, path, 1));
    assert_false(audit_verify_consistency(4, 8, r4, r8, NULL, 0));
    assert_false(audit_verify_consistency(8, 4, r8, r4, NULL, 0));
    /* generators refuse impossible requests */
    audit_leaf_array a = {leaves, 8};
    ph_err err = {0};
    size_t len;
    assert_int_equal(audit_inclusion_path(audit_leaf_array_subtree, &a, 8, 8, path, &len, &err),
                     PH_EUSAGE);
    assert_int_equal(audit_consistency_path(audit_leaf_array_subtree, &a, 5, 3, path, &len, &err),
                     PH_EUSAGE);
    assert_int_not_equal(
        audit_consistency_path(audit_leaf_array_subtree, &a, 3, 9, path, &len, &err), PH_OK);
}

static void test_formats(void **state) {
    (void)state;
    assert_true(audit_time_valid("2026-11-29T14:08:40Z"));
    assert_false(audit_time_valid("2026-11-29T24:00:00Z"));
    assert_false(audit_time_valid("2026-02-30T10:00:00Z"));
    assert_false(audit_time_valid("2026-11-29 14:08:40Z"));
    assert_false(audit_time_valid("2026-11-29T14:08:40"));
    assert_false(audit_time_valid("2026-11-29T14:08:40Z "));
    assert_false(audit_time_valid(NULL));

    /* The entry bytes, spelled out as in docs/audit.md. */
    audit_entry e = {.seq = 258,
                     .time = "2026-11-29T14:08:40Z",
                     .actor = "alice",
                     .action = "a.b",
                     .object_type = "t",
                     .object_id = "X"};
    memset(e.state_sha256, 0x11, 32);
    ph_buf b;
    ph_buf_init(&b);
    audit_entry_bytes(&e, &b);
    static const char tag[] = "penholder/audit/entry/v1";
    size_t at = sizeof tag;
    assert_int_equal(b.len, sizeof tag + 8 + (4 + 20) + (4 + 5) + (4 + 3) + (4 + 1) + (4 + 1) + 32);
    assert_memory_equal(b.data, tag, sizeof tag);
    assert_memory_equal(b.data + at, "\0\0\0\0\0\0\x01\x02", 8);
    assert_memory_equal(b.data + at + 8,
                        "\0\0\0\x14"
                        "2026-11-29T14:08:40Z",
                        24);
    assert_memory_equal(b.data + at + 32,
                        "\0\0\0\x05"
                        "alice",
                        9);
    ph_buf_free(&b);

    /* canonical text: length-prefixed, NULL distinct from "" */
    ph_buf_init(&b);
    audit_canon_text(&b, "ab");
    audit_canon_text(&b, NULL);
    audit_canon_text(&b, "");
    assert_int_equal(b.len, 7 + 1 + 5);
    assert_memory_equal(b.data,
                        "T\0\0\0\x02"
                        "abNT\0\0\0\0",
                        13);
    ph_buf_free(&b);

    /* tree heads: parse what audit_tree_head_json prints */
    audit_tree_head h = {
        .tree_size = 42, .timestamp = "2026-11-29T14:08:40Z", .key_id = "0123456789abcdef"};
    memset(h.root_hash, 0x5a, 32);
    memset(h.signature, 0xc3, 64);
    json_t *j = audit_tree_head_json(&h);
    char *text = json_dumps(j, 0);
    json_decref(j);
    audit_tree_head back;
    ph_err err = {0};
    assert_int_equal(audit_tree_head_parse_json(text, strlen(text), &back, &err), PH_OK);
    free(text);
    assert_int_equal(back.tree_size, 42);
    assert_memory_equal(back.root_hash, h.root_hash, 32);
    assert_memory_equal(back.signature, h.signature, 64);
    assert_string_equal(back.timestamp, h.timestamp);
    static const char *const bad[] = {
        "",
        "[]",
        "{",
        "{\"tree_size\": -1}",
        "{\"tree_size\": 1, \"timestamp\": \"x\"}",
        "{\"tree_size\": 1, \"timestamp\": \"2026-11-29T14:08:40Z\", \"root_hash\": \"zz\"}",
        "{\"tree_size\": 1, \"tree_size\": 2}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(audit_tree_head_parse_json(bad[i], strlen(bad[i]), &back, &err),
                             PH_OK);
    const char *missing =
        "{\"tree_size\": 1, \"timestamp\": \"2026-11-29T14:08:40Z\", \"root_hash\": "
        "\"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\"}";
    assert_int_not_equal(audit_tree_head_parse_json(missing, strlen(missing), &back, &err), PH_OK);
    assert_non_null(strstr(err.msg, "'signature'"));
}

static void test_licence_transitions(void **state) {
    (void)state;
    assert_string_equal(register_licence_next_status("issued", "suspend"), "suspended");
    assert_string_equal(register_licence_next_status("reinstated", "suspend"), "suspended");
    assert_string_equal(register_licence_next_status("suspended", "reinstate"), "reinstated");
    assert_string_equal(register_licence_next_status("suspended", "revoke"), "revoked");
    assert_string_equal(register_licence_next_status("issued", "revoke"), "revoked");
    assert_string_equal(register_licence_next_status("reinstated", "revoke"), "revoked");
    assert_null(register_licence_next_status("suspended", "suspend"));
    assert_null(register_licence_next_status("issued", "reinstate"));
    assert_null(register_licence_next_status("revoked", "reinstate"));
    assert_null(register_licence_next_status("revoked", "suspend"));
    assert_null(register_licence_next_status("refused", "suspend"));
    assert_null(register_licence_next_status("expired", "revoke"));
    char allowed[64];
    register_licence_events("revoked", allowed, sizeof allowed);
    assert_string_equal(allowed, "none");
    register_licence_events("suspended", allowed, sizeof allowed);
    assert_string_equal(allowed, "reinstate, revoke, expire");
    register_licence_events("issued", allowed, sizeof allowed);
    assert_string_equal(allowed, "suspend, revoke, surrender, exhaust, expire");
}

/* ---- the log in a database ---- */

typedef struct fixture {
    char dir[64];
    char path[128];
    char key[160];
    store *db;
} fixture;

static const char *const FIXED_TIME = "2026-11-29T10:00:00Z";

static int setup_db(void **state) {
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/penholder-audit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    snprintf(f->key, sizeof f->key, "%s.audit-key", f->path);
    ph_err err = {0};
    int applied;
    audit_key_report rep;
    if (store_open(f->path, STORE_CREATE | STORE_ANY_VERSION, &f->db, &err) ||
        store_migrate(f->db, &applied, &err) || audit_init_keys(f->db, &rep, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    if (!rep.created) return -1;
    *state = f;
    return 0;
}

static int teardown_db(void **state) {
    fixture *f = *state;
    store_close(f->db);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static int append_test(store *db, int i, audit_entry_info *info, ph_err *err) {
    char id[32], state[32];
    snprintf(id, sizeof id, "T-%d", i);
    snprintf(state, sizeof state, "state %d", i);
    audit_event ev = {.actor = i % 2 ? "alice" : "bob",
                      .action = "test.change",
                      .object_type = "test",
                      .object_id = id,
                      .state = state,
                      .state_len = strlen(state),
                      .time = FIXED_TIME};
    return audit_append(db, &ev, info, err);
}

static int64_t count(store *db, const char *sql) {
    int64_t n = -1;
    ph_err err = {0};
    store_one_int(db, &n, &err, sql, NULL);
    return n;
}

#define LOG_SIZE 70

static void fill_log(fixture *f, audit_hash *leaves) {
    ph_err err = {0};
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    for (int i = 0; i < LOG_SIZE; i++) {
        audit_entry_info info;
        assert_int_equal(append_test(f->db, i, &info, &err), PH_OK);
        assert_int_equal(info.seq, i);
        assert_int_equal(info.tree_size, i + 1);
        /* the leaf is recomputable from the entry as documented */
        char id[32];
        snprintf(id, sizeof id, "T-%d", i);
        audit_entry e = {.seq = (uint64_t)i,
                         .actor = i % 2 ? "alice" : "bob",
                         .action = "test.change",
                         .object_type = "test",
                         .object_id = id};
        ph_strlcpy(e.time, FIXED_TIME, sizeof e.time);
        memcpy(e.state_sha256, info.state_sha256, 32);
        audit_entry_leaf_hash(&e, leaves[i]);
        assert_memory_equal(leaves[i], info.leaf_hash, 32);
        audit_hash root;
        audit_tree_root(leaves, (uint64_t)i + 1, root);
        assert_memory_equal(root, info.root_hash, 32);
    }
    assert_int_equal(store_commit(f->db, &err), PH_OK);
}

static void test_log_append_and_prove(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    audit_hash leaves[LOG_SIZE];
    fill_log(f, leaves);
    audit_key_info key;
    assert_int_equal(audit_public_key(f->db, &key, &err), PH_OK);
    /* every size has a signed head whose root is the tree's */
    for (uint64_t size = 0; size <= LOG_SIZE; size++) {
        audit_tree_head h;
        assert_int_equal(audit_head_at(f->db, size, &h, &err), PH_OK);
        audit_hash root;
        audit_tree_root(leaves, size, root);
        assert_memory_equal(h.root_hash, root, 32);
        assert_true(audit_tree_head_signature_ok(&h, key.public_key));
        h.timestamp[3] ^= 1;
        assert_false(audit_tree_head_signature_ok(&h, key.public_key));
    }
    /* proofs from the store equal the reference and verify */
    static const uint64_t sizes[] = {1, 2, 3, 7, 8, 33, 64, LOG_SIZE};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        for (uint64_t m = 0; m < n; m++) {
            audit_inclusion_proof p;
            assert_int_equal(audit_prove_inclusion(f->db, m, n, &p, &err), PH_OK);
            audit_hash want[AUDIT_PROOF_MAX];
            size_t want_len = 0;
            ref_path(m, leaves, n, want, &want_len);
            assert_int_equal(p.path_len, want_len);
            assert_memory_equal(p.path, want, want_len * 32);
            assert_memory_equal(p.leaf_hash, leaves[m], 32);
            assert_true(
                audit_verify_inclusion(m, n, p.leaf_hash, p.path, p.path_len, p.head.root_hash));
        }
        for (uint64_t m = 0; m <= n; m++) {
            audit_consistency_proof p;
            assert_int_equal(audit_prove_consistency(f->db, m, n, &p, &err), PH_OK);
            assert_true(audit_verify_consistency(m, n, p.first_head.root_hash,
                                                 p.second_head.root_hash, p.path, p.path_len));
        }
    }
    audit_inclusion_proof p;
    assert_int_equal(audit_prove_inclusion(f->db, 3, 0, &p, &err), PH_OK);
    assert_int_equal(p.tree_size, LOG_SIZE);
    assert_int_equal(audit_prove_inclusion(f->db, LOG_SIZE, 0, &p, &err), PH_EUSAGE);
    assert_int_equal(audit_prove_inclusion(f->db, 0, LOG_SIZE + 1, &p, &err), PH_EUSAGE);
    audit_consistency_proof c;
    assert_int_equal(audit_prove_consistency(f->db, 5, LOG_SIZE + 1, &c, &err), PH_EUSAGE);

    /* the log lists oldest first, the newest `limit` */
    audit_record *v;
    size_t n;
    audit_log_filter lf = {.limit = 5};
    assert_int_equal(audit_log(f->db, &lf, &v, &n, &err), PH_OK);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].entry.seq, LOG_SIZE - 5);
    assert_true(v[4].leaf_recorded);
    assert_memory_equal(v[4].leaf_hash, leaves[LOG_SIZE - 1], 32);
    audit_records_free(v, n);
    audit_log_filter by_object = {.object_type = "test", .object_id = "T-7"};
    assert_int_equal(audit_log(f->db, &by_object, &v, &n, &err), PH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].entry.object_id, "T-7");
    audit_records_free(v, n);

    audit_verify_report r;
    assert_int_equal(audit_verify(f->db, NULL, &r, &err), PH_OK);
    assert_int_equal(r.problems_total, 0);
    assert_int_equal(r.entries, LOG_SIZE);
    assert_int_equal(r.tree_heads, LOG_SIZE + 1);
    assert_int_equal(r.signatures_checked, LOG_SIZE + 1);
    assert_int_equal(r.objects_unchecked, LOG_SIZE); /* type 'test' has no state function */
    audit_verify_report_free(&r);

    /* the private key is nowhere in the database files */
    char *keytext, *dbtext;
    size_t keylen, dblen;
    assert_int_equal(ph_read_file(f->key, 4096, &keytext, &keylen, &err), PH_OK);
    unsigned char seed[32];
    char *hexline = strrchr(keytext, '#');
    hexline = strchr(hexline, '\n') + 1;
    hexline[64] = '\0';
    assert_int_equal(audit_bytes_from_hex(hexline, seed, 32), PH_OK);
    static const char *const suffixes[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        char path[200];
        snprintf(path, sizeof path, "%s%s", f->path, suffixes[i]);
        if (ph_read_file(path, 64 << 20, &dbtext, &dblen, &err) != PH_OK) continue;
        assert_null(memmem(dbtext, dblen, seed, 32));
        assert_null(memmem(dbtext, dblen, hexline, 64));
        free(dbtext);
    }
    free(keytext);
    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

/* Runs verify on a tampered log inside a transaction that is then rolled
 * back, so that each case starts from the intact log. */
static audit_verify_report tampered(fixture *f, const char *sql, const audit_verify_options *o) {
    ph_err err = {0};
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(
        store_exec(
            f->db,
            "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete; "
            "DROP TRIGGER audit_tree_head_no_delete; DROP TRIGGER audit_tree_head_no_update; "
            "DROP TRIGGER audit_node_no_delete; DROP TRIGGER audit_node_no_update; "
            "DROP TRIGGER audit_key_no_update;",
            &err),
        PH_OK);
    if (store_exec(f->db, sql, &err)) fail_msg("%s", err.msg);
    audit_verify_report r;
    assert_int_equal(audit_verify(f->db, o, &r, &err), PH_OK);
    store_rollback(f->db);
    return r;
}

static int has_problem(const audit_verify_report *r, const char *kind, int64_t entry,
                       int64_t size) {
    for (size_t i = 0; i < r->nproblems; i++)
        if (strcmp(r->problems[i].kind, kind) == 0 &&
            (entry < 0 || r->problems[i].entry == entry) &&
            (size < 0 || r->problems[i].tree_size == size))
            return 1;
    return 0;
}

static int has_message(const audit_verify_report *r, const char *text) {
    for (size_t i = 0; i < r->nproblems; i++)
        if (strstr(r->problems[i].message, text)) return 1;
    return 0;
}

static void test_log_tampering(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    audit_hash leaves[LOG_SIZE];
    fill_log(f, leaves);
    audit_tree_head saved;
    assert_int_equal(audit_head(f->db, &saved, &err), PH_OK);

    /* the triggers stop a program error from rewriting history */
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(
        store_exec(f->db, "UPDATE audit_entry SET actor = 'x' WHERE seq = 1", &err), PH_OK);
    assert_int_not_equal(store_exec(f->db, "DELETE FROM audit_tree_head WHERE tree_size = 1", &err),
                         PH_OK);
    store_rollback(f->db);

    audit_verify_report r =
        tampered(f, "UPDATE audit_entry SET action = 'test.forged' WHERE seq = 40", NULL);
    assert_true(has_problem(&r, "entry_modified", 40, -1));
    assert_true(has_problem(&r, "entry_not_signed", 40, 41));
    assert_int_equal(r.problems_total, 2);
    audit_verify_report_free(&r);

    /* the tree rewritten to match the edit: the signed heads still name it */
    r = tampered(f,
                 "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 12;"
                 "DELETE FROM audit_node;",
                 NULL);
    assert_true(has_problem(&r, "entry_not_signed", 12, 13));
    audit_verify_report_free(&r);

    /* swapped contents: both entries named */
    r = tampered(f,
                 "UPDATE audit_entry SET seq = -1 WHERE seq = 10;"
                 "UPDATE audit_entry SET seq = 10 WHERE seq = 11;"
                 "UPDATE audit_entry SET seq = 11 WHERE seq = -1;",
                 NULL);
    assert_true(has_problem(&r, "entry_modified", 10, -1));
    assert_true(has_problem(&r, "entry_modified", 11, -1));
    assert_true(has_problem(&r, "entry_not_signed", 10, 11));
    audit_verify_report_free(&r);

    r = tampered(f, "DELETE FROM audit_entry WHERE seq = 50", NULL);
    assert_true(has_problem(&r, "entry_missing", 50, -1));
    assert_int_equal(r.problems_total, 1);
    audit_verify_report_free(&r);

    r = tampered(f,
                 "DELETE FROM audit_entry WHERE seq BETWEEN 20 AND 22; DELETE FROM audit_node "
                 "WHERE level = 0 AND idx = 21",
                 NULL);
    assert_true(has_problem(&r, "entry_missing", 20, -1));
    assert_true(has_message(&r, "entries 20 to 22 are missing"));
    assert_true(has_problem(&r, "entry_not_signed", 21, 22));
    audit_verify_report_free(&r);

    r = tampered(f, "DELETE FROM audit_tree_head WHERE tree_size = 30", NULL);
    assert_true(has_problem(&r, "tree_head_missing", -1, 30));
    assert_int_equal(r.problems_total, 1);
    audit_verify_report_free(&r);

    r = tampered(f, "UPDATE audit_tree_head SET root_hash = zeroblob(32) WHERE tree_size = 31",
                 NULL);
    assert_true(has_problem(&r, "tree_head_root", -1, 31));
    assert_true(has_problem(&r, "tree_head_signature", -1, 31));
    audit_verify_report_free(&r);

    r = tampered(f, "UPDATE audit_node SET hash = zeroblob(32) WHERE level = 2 AND idx = 3", NULL);
    assert_true(has_problem(&r, "node_modified", 12, -1));
    audit_verify_report_free(&r);

    /* rows where no row can be: reported, and the pass neither stalls nor runs away */
    r = tampered(f, "UPDATE audit_entry SET seq = -5 WHERE seq = 3", NULL);
    assert_true(has_problem(&r, "out_of_range", -5, -1));
    assert_true(has_problem(&r, "entry_missing", 3, -1));
    assert_false(has_problem(&r, "entry_missing", 4, -1));
    audit_verify_report_free(&r);
    r = tampered(
        f,
        "INSERT INTO audit_entry SELECT 1000000000000, at, actor, action, object_type, "
        "object_id, state_sha256 FROM audit_entry WHERE seq = 1;"
        "INSERT INTO audit_tree_head SELECT 9000000000000, root_hash, signed_at, signature, "
        "key_id FROM audit_tree_head WHERE tree_size = 1;"
        "INSERT INTO audit_tree_head SELECT -2, root_hash, signed_at, signature, "
        "key_id FROM audit_tree_head WHERE tree_size = 1",
        NULL);
    assert_true(has_problem(&r, "out_of_range", -1, -1));
    assert_true(has_problem(&r, "out_of_range", -1, -2));
    assert_int_equal(r.entries, LOG_SIZE);
    audit_verify_report_free(&r);

    /* the tail cut off cleanly: only a head held outside shows it */
    const char *truncate =
        "DELETE FROM audit_entry WHERE seq = 69; DELETE FROM audit_tree_head "
        "WHERE tree_size = 70; DELETE FROM audit_node WHERE idx * (1 << level) + "
        "(1 << level) > 69";
    r = tampered(f, truncate, NULL);
    assert_int_equal(r.problems_total, 0);
    audit_verify_report_free(&r);
    audit_verify_options o = {.trusted_head = &saved};
    r = tampered(f, truncate, &o);
    assert_true(has_problem(&r, "trusted_head", -1, LOG_SIZE));
    audit_verify_report_free(&r);

    /* a pinned key catches a database whose key was replaced */
    audit_key_info key;
    assert_int_equal(audit_public_key(f->db, &key, &err), PH_OK);
    unsigned char other[32];
    memset(other, 7, sizeof other);
    o = (audit_verify_options){.public_key = other};
    r = tampered(f, "SELECT 1", &o);
    assert_true(has_problem(&r, "key_mismatch", -1, -1));
    assert_true(has_problem(&r, "tree_head_signature", -1, 0));
    audit_verify_report_free(&r);
    o = (audit_verify_options){.public_key = key.public_key};
    r = tampered(f, "SELECT 1", &o);
    assert_int_equal(r.problems_total, 0);
    audit_verify_report_free(&r);
}

static void test_append_refusals(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    audit_entry_info info;
    /* outside a transaction */
    assert_int_not_equal(append_test(f->db, 0, &info, &err), PH_OK);
    assert_non_null(strstr(err.msg, "transaction"));

    assert_int_equal(store_begin(f->db, &err), PH_OK);
    static const struct {
        const char *actor, *action, *type, *id;
    } bad[] = {{"", "a.b", "t", "1"},    {"x", "suspend", "t", "1"}, {"x", "A.b", "t", "1"},
               {"x", "a..b", "t", "1"},  {"x", "a.b", "T", "1"},     {"x", "a.b", "t", ""},
               {"x\n", "a.b", "t", "1"}, {"x", "a.b.", "t", "1"},    {"\xff", "a.b", "t", "1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        audit_event ev = {.actor = bad[i].actor,
                          .action = bad[i].action,
                          .object_type = bad[i].type,
                          .object_id = bad[i].id,
                          .state = "s",
                          .state_len = 1};
        assert_int_equal(audit_append(f->db, &ev, &info, &err), PH_EUSAGE);
    }
    /* a registered type needs no state; an unregistered one does */
    audit_event no_state = {
        .actor = "x", .action = "a.b", .object_type = "nothing", .object_id = "1"};
    assert_int_not_equal(audit_append(f->db, &no_state, &info, &err), PH_OK);
    /* a bad fixed clock is refused, not ignored */
    setenv("PENHOLDER_AUDIT_TIME", "yesterday", 1);
    assert_int_equal(append_test(f->db, 0, &info, &err) == PH_OK, 1); /* explicit time wins */
    audit_event clocked = {.actor = "x",
                           .action = "a.b",
                           .object_type = "t",
                           .object_id = "1",
                           .state = "s",
                           .state_len = 1};
    assert_int_equal(audit_append(f->db, &clocked, &info, &err), PH_EUSAGE);
    setenv("PENHOLDER_AUDIT_TIME", "2026-01-02T03:04:05Z", 1);
    assert_int_equal(audit_append(f->db, &clocked, &info, &err), PH_OK);
    assert_string_equal(info.time, "2026-01-02T03:04:05Z");
    unsetenv("PENHOLDER_AUDIT_TIME");
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_entry"), 2);

    /* the key file missing: a clear error and nothing written */
    char moved[200];
    snprintf(moved, sizeof moved, "%s.moved", f->key);
    assert_int_equal(rename(f->key, moved), 0);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(append_test(f->db, 5, &info, &err), PH_OK);
    assert_non_null(strstr(err.msg, "missing"));
    assert_non_null(strstr(err.msg, "nothing was written"));
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_entry"), 2);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_node"), 3);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_tree_head"), 3);
    store_rollback(f->db);
    audit_key_report rep;
    assert_int_not_equal(audit_init_keys(f->db, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, f->key));

    /* ... found through PENHOLDER_AUDIT_KEY */
    setenv("PENHOLDER_AUDIT_KEY", moved, 1);
    assert_int_equal(audit_init_keys(f->db, &rep, &err), PH_OK);
    assert_false(rep.created);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(append_test(f->db, 5, &info, &err), PH_OK);
    assert_int_equal(store_commit(f->db, &err), PH_OK);

    /* readable by others: refused */
    assert_int_equal(chmod(moved, 0644), 0);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(append_test(f->db, 6, &info, &err), PH_OK);
    assert_non_null(strstr(err.msg, "chmod 600"));
    store_rollback(f->db);
    assert_int_equal(chmod(moved, 0600), 0);

    /* another database's key: refused */
    char foreign[200];
    snprintf(foreign, sizeof foreign, "%s/foreign.key", f->dir);
    FILE *kf = fopen(foreign, "w");
    assert_non_null(kf);
    fprintf(kf, "%s\n", "0101010101010101010101010101010101010101010101010101010101010101");
    fclose(kf);
    assert_int_equal(chmod(foreign, 0600), 0);
    setenv("PENHOLDER_AUDIT_KEY", foreign, 1);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(append_test(f->db, 6, &info, &err), PH_OK);
    assert_non_null(strstr(err.msg, "does not belong"));
    store_rollback(f->db);
    /* a damaged key file names its line */
    kf = fopen(foreign, "w");
    fprintf(kf, "# comment\nnot hex\n");
    fclose(kf);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(append_test(f->db, 6, &info, &err), PH_OK);
    assert_non_null(strstr(err.msg, "foreign.key:2:"));
    store_rollback(f->db);
    unsetenv("PENHOLDER_AUDIT_KEY");
    assert_int_equal(rename(moved, f->key), 0);

    audit_verify_report r;
    assert_int_equal(audit_verify(f->db, NULL, &r, &err), PH_OK);
    assert_int_equal(r.problems_total, 0);
    assert_int_equal(r.entries, 3);
    audit_verify_report_free(&r);
}

static int state_a(store *db, const char *id, ph_buf *out, ph_err *err) {
    (void)db, (void)id, (void)err;
    ph_buf_puts(out, "a");
    return PH_OK;
}
static int state_b(store *db, const char *id, ph_buf *out, ph_err *err) {
    (void)db, (void)id, (void)out, (void)err;
    return PH_ENOTFOUND;
}

static void test_registry(void **state) {
    (void)state;
    assert_int_equal(audit_register_type("widget", state_a), PH_OK);
    assert_int_equal(audit_register_type("widget", state_a), PH_OK);
    assert_int_equal(audit_register_type("widget", state_b), PH_ECONFLICT);
    assert_int_equal(audit_register_type("Widget", state_a), PH_EUSAGE);
    assert_int_equal(audit_register_type("gone", state_b), PH_OK);
    assert_ptr_equal(audit_type_state_fn("widget"), state_a);
    assert_null(audit_type_state_fn("gadget"));
    audit_hash h, want;
    ph_err err = {0};
    assert_int_equal(audit_object_state_hash(NULL, "widget", "1", h, &err), PH_OK);
    crypto_hash_sha256(want, (const unsigned char *)"a", 1);
    assert_memory_equal(h, want, 32);
    assert_int_equal(audit_object_state_hash(NULL, "gone", "1", h, &err), PH_OK);
    memset(want, 0, 32);
    assert_memory_equal(h, want, 32);
}

/* Licence status changes through the register, audited, and a licence
 * row changed behind penholder's back. */
static void test_licence_audit(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    refdata_load_report rep;
    assert_int_equal(refdata_load(f->db, &rep, &err), PH_OK);
    assert_int_equal(audit_register_type(REGISTER_LICENCE_OBJECT, register_licence_state), PH_OK);
    assert_int_equal(
        store_exec(f->db,
                   "INSERT INTO licence(id, reference, type, issued_on, destination_name, "
                   "outcome, status) VALUES (1, 'GBSIEL/2026/0000001/P', 'SIEL', "
                   "'2026-01-05', 'Israel', 'issued', 'issued');"
                   "INSERT INTO licence_line(licence_id, line_no, rating, value_pence) "
                   "VALUES (1, 1, 'ML10', 100000)",
                   &err),
        PH_OK);
    register_status_result res;
    register_status_change ch = {.reference = "GBSIEL/2026/0000001/P",
                                 .event = "suspend",
                                 .reason = "clear risk",
                                 .criteria = "2C",
                                 .actor = "alice",
                                 .role = "case_officer"};
    /* outside a transaction: refused */
    assert_int_not_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_OK);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_OK);
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_string_equal(res.to, "suspended");
    assert_string_equal(res.criteria, "2c");
    assert_int_equal(res.audit.seq, 0);

    /* the entry's state hash is the licence's state now */
    audit_hash now;
    assert_int_equal(audit_object_state_hash(f->db, "licence", "GBSIEL/2026/0000001/P", now, &err),
                     PH_OK);
    assert_memory_equal(now, res.audit.state_sha256, 32);

    ch.event = "suspend";
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_ECONFLICT);
    assert_non_null(strstr(err.msg, "reinstate, revoke"));
    store_rollback(f->db);

    audit_verify_report r;
    assert_int_equal(audit_verify(f->db, NULL, &r, &err), PH_OK);
    assert_int_equal(r.problems_total, 0);
    assert_int_equal(r.objects_checked, 1);
    audit_verify_report_free(&r);

    r = tampered(f, "UPDATE licence SET status = 'issued' WHERE id = 1", NULL);
    assert_true(has_problem(&r, "object_state", 0, -1));
    assert_non_null(strstr(r.problems[0].message, "GBSIEL/2026/0000001/P"));
    audit_verify_report_free(&r);
    r = tampered(f, "UPDATE licence_line SET value_pence = 1 WHERE licence_id = 1", NULL);
    assert_true(has_problem(&r, "object_state", 0, -1));
    audit_verify_report_free(&r);
    r = tampered(
        f, "DROP TRIGGER licence_status_change_no_delete; DELETE FROM licence_status_change", NULL);
    assert_true(has_problem(&r, "object_state", 0, -1));
    audit_verify_report_free(&r);
    r = tampered(f,
                 "DROP TRIGGER licence_status_change_no_delete; DELETE FROM licence_status_change; "
                 "DELETE FROM licence_line; DELETE FROM licence",
                 NULL);
    assert_true(has_problem(&r, "object_missing", 0, -1));
    audit_verify_report_free(&r);
}

/* The role column of the licence workflow, an exporter's own licences, and
 * the expiry of licences past their end date. */
static void test_licence_roles_and_expiry(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    refdata_load_report rep;
    assert_int_equal(refdata_load(f->db, &rep, &err), PH_OK);
    assert_int_equal(audit_register_type(REGISTER_LICENCE_OBJECT, register_licence_state), PH_OK);
    assert_int_equal(
        store_exec(f->db,
                   "INSERT INTO licence(id, reference, type, issued_on, expires_on, "
                   "destination_name, outcome, status) VALUES "
                   "(1, 'L1', 'SIEL', '2023-01-05', '2025-01-05', 'Israel', 'issued', 'issued'),"
                   "(2, 'L2', 'SIEL', '2023-01-05', '2026-03-01', 'Israel', 'issued', 'suspended'),"
                   "(3, 'L3', 'SIEL', '2023-01-05', '2026-03-02', 'Israel', 'issued', 'issued'),"
                   "(4, 'L4', 'SIEL', '2023-01-05', '2024-01-05', 'Israel', 'issued', 'revoked'),"
                   "(5, 'L5', 'SIEL', '2023-01-05', NULL, 'Israel', 'issued', 'reinstated'),"
                   "(6, 'L6', 'SIEL', '2023-01-05', '2024-06-30', 'Israel', 'issued', "
                   "'reinstated')",
                   &err),
        PH_OK);
    setenv("PENHOLDER_AUDIT_TIME", "2026-03-02T09:00:00Z", 1);
    register_status_result res;
    register_status_change ch = {
        .reference = "L3", .event = "suspend", .reason = "x", .criteria = "2c", .actor = "fiona"};
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_EFORBIDDEN);
    ch.role = "adviser";
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "forbidden: fiona (adviser) may not suspend"));
    assert_non_null(strstr(err.msg, "case_officer, decision_maker, system"));
    ch.role = "system";
    ch.event = "expire";
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_OK);
    store_rollback(f->db);
    /* the role is checked against the transition from the licence's status */
    ch = (register_status_change){.reference = "L2",
                                  .event = "reinstate",
                                  .reason = "x",
                                  .actor = "olivia",
                                  .role = "exporter"};
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_EFORBIDDEN);
    /* an exporter finds only its organisation's licences (these are imported: none's) */
    ch.event = "surrender";
    ch.reference = "L3";
    ch.organisation = "Acme Aerospace Ltd";
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_ENOTFOUND);
    ch.organisation = "";
    assert_int_equal(register_licence_change_status(f->db, &ch, &res, &err), PH_ENOTFOUND);
    store_rollback(f->db);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_entry"), 0);

    register_expiry_report er;
    register_expiry e = {.actor = "fiona", .actor_role = "adviser", .batch = 1};
    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_EFORBIDDEN);
    e.actor_role = "exporter";
    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_EFORBIDDEN);
    e.actor = "olivia";
    e.actor_role = "case_officer";
    e.as_of = "2026-03-03";
    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_EUSAGE);
    e.as_of = "2026-02-30";
    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_EUSAGE);
    e.as_of = NULL;
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_not_equal(register_licences_expire(f->db, &e, &er, &err), PH_OK);
    store_rollback(f->db);

    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_OK);
    assert_string_equal(er.as_of, "2026-03-02");
    assert_int_equal(er.n, 3);
    assert_string_equal(er.licences[0].reference, "L6");
    assert_string_equal(er.licences[0].from, "reinstated");
    assert_string_equal(er.licences[1].reference, "L1");
    assert_string_equal(er.licences[2].reference, "L2");
    assert_string_equal(er.licences[2].from, "suspended");
    register_expiry_report_free(&er);
    assert_int_equal(count(f->db, "SELECT count(*) FROM licence WHERE status = 'expired'"), 3);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_entry WHERE action = "
                                  "'licence.expire' AND actor = 'olivia'"),
                     3);
    assert_int_equal(count(f->db, "SELECT count(*) FROM licence WHERE status = 'revoked'"), 1);
    /* a second run changes nothing */
    assert_int_equal(register_licences_expire(f->db, &e, &er, &err), PH_OK);
    assert_int_equal(er.n, 0);
    register_expiry_report_free(&er);
    assert_int_equal(count(f->db, "SELECT count(*) FROM audit_entry"), 3);
    unsetenv("PENHOLDER_AUDIT_TIME");

    audit_verify_report r;
    assert_int_equal(audit_verify(f->db, NULL, &r, &err), PH_OK);
    assert_int_equal(r.problems_total, 0);
    audit_verify_report_free(&r);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    unsetenv("PENHOLDER_AUDIT_KEY");
    unsetenv("PENHOLDER_AUDIT_TIME");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct_vectors),
        cmocka_unit_test(test_roots_and_ranges),
        cmocka_unit_test(test_inclusion_every_index),
        cmocka_unit_test(test_consistency_every_pair),
        cmocka_unit_test(test_verifier_edges),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_licence_transitions),
        cmocka_unit_test(test_registry),
        cmocka_unit_test_setup_teardown(test_log_append_and_prove, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_log_tampering, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_append_refusals, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_licence_audit, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_licence_roles_and_expiry, setup_db, teardown_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
