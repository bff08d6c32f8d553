/* Fuzzes the audit proof verifiers and the saved tree head parser. The
 * first byte picks the mode:
 *   0  arbitrary proofs: any index, size, hashes and path length must be
 *      judged without reading past the input, and no leaf outside the tree
 *      may ever be accepted;
 *   1  a tree built from the input: its genuine proofs must verify, and the
 *      same proofs with one bit flipped must not;
 *   2  tree head JSON as `audit verify --head` reads it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static uint64_t read_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void arbitrary_proofs(const uint8_t *data, size_t size) {
    if (size < 16 + 64) return;
    uint64_t a = read_u64(data), b = read_u64(data + 8);
    /* Small values are where the interesting shapes are. */
    if (data[0] & 0x80) a &= 0xff;
    if (data[8] & 0x80) b &= 0xff;
    audit_hash leaf, root;
    memcpy(leaf, data + 16, 32);
    memcpy(root, data + 48, 32);
    size_t count = (size - 80) / 32;
    /* An exact-size copy, so that any read past the path is caught. */
    audit_hash *path = count ? malloc(count * sizeof *path) : NULL;
    if (count) memcpy(path, data + 80, count * sizeof *path);
    int ok = audit_verify_inclusion(a, b, leaf, path, count, root);
    if (ok && a >= b) __builtin_trap();
    ok = audit_verify_consistency(a, b, leaf, root, path, count);
    if (ok && a > b) __builtin_trap();
    free(path);
}

#define TREE_MAX 48

static void genuine_proofs(const uint8_t *data, size_t size) {
    if (size < 4) return;
    uint64_t n = data[0] % TREE_MAX + 1, m = data[1] % n, first = data[2] % (n + 1);
    unsigned flip = data[3];
    audit_hash leaves[TREE_MAX];
    for (uint64_t i = 0; i < n; i++) {
        /* Leaves from the input, or from their index when it runs out. */
        size_t start = 4 + (size_t)i * 2;
        uint8_t bytes[3] = {(uint8_t)i, start < size ? data[start] : 0,
                            start + 1 < size ? data[start + 1] : 0};
        audit_leaf_hash(bytes, sizeof bytes, leaves[i]);
    }
    audit_leaf_array a = {leaves, n};
    audit_hash root, first_root, path[AUDIT_PROOF_MAX];
    size_t len;
    ph_err err = {0};
    audit_tree_root(leaves, n, root);
    audit_tree_root(leaves, first, first_root);
    if (audit_inclusion_path(audit_leaf_array_subtree, &a, m, n, path, &len, &err))
        __builtin_trap();
    if (!audit_verify_inclusion(m, n, leaves[m], path, len, root)) __builtin_trap();
    if (len) {
        path[flip % len][(flip / 8) % 32] ^= (uint8_t)(1u << (flip % 8));
        if (audit_verify_inclusion(m, n, leaves[m], path, len, root)) __builtin_trap();
    }
    if (audit_consistency_path(audit_leaf_array_subtree, &a, first, n, path, &len, &err))
        __builtin_trap();
    if (!audit_verify_consistency(first, n, first_root, root, path, len)) __builtin_trap();
    if (len) {
        path[flip % len][(flip / 8) % 32] ^= (uint8_t)(1u << (flip % 8));
        if (audit_verify_consistency(first, n, first_root, root, path, len)) __builtin_trap();
    }
}

static void head_json(const uint8_t *data, size_t size) {
    audit_tree_head h;
    ph_err err = {0};
    if (audit_tree_head_parse_json((const char *)data, size, &h, &err) == PH_OK) {
        if (!audit_time_valid(h.timestamp)) __builtin_trap();
    } else if (strncmp(err.msg, "tree head", 9) != 0) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    switch (data[0] % 3) {
    case 0: arbitrary_proofs(data + 1, size - 1); break;
    case 1: genuine_proofs(data + 1, size - 1); break;
    default: head_json(data + 1, size - 1); break;
    }
    return 0;
}
