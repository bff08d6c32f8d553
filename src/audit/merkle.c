/* The Merkle tree of RFC 6962 section 2.1 and the proof verifiers of RFC 9162
 * section 2.1: pure functions, no I/O. Proof generation asks a subtree source
 * for the hashes of perfect subtrees, so that the same code serves a tree in
 * memory (tests, fuzzing) and the tree stored in the database, where every
 * perfect subtree's hash is one row and a proof costs O(log n) look-ups. */
#include <sodium.h>
#include <string.h>

#include "audit/audit.h"

/* Tree sizes are below 2^64, so no path is longer than 64 hashes. */
#define TREE_HEIGHT_MAX 64

void audit_leaf_hash(const void *data, size_t len, audit_hash out) {
    static const unsigned char leaf_prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &leaf_prefix, 1);
    if (len) crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void audit_node_hash(const audit_hash left, const audit_hash right, audit_hash out) {
    /* Copied first so that out may be left or right. */
    unsigned char buf[1 + 2 * AUDIT_HASH_BYTES];
    buf[0] = 0x01;
    memcpy(buf + 1, left, AUDIT_HASH_BYTES);
    memcpy(buf + 1 + AUDIT_HASH_BYTES, right, AUDIT_HASH_BYTES);
    crypto_hash_sha256(out, buf, sizeof buf);
}

void audit_empty_root(audit_hash out) {
    crypto_hash_sha256(out, (const unsigned char *)"", 0);
}

static int is_power_of_two(uint64_t n) {
    return n && (n & (n - 1)) == 0;
}

/* The largest power of two smaller than n (n >= 2): RFC 6962's split k. */
static uint64_t split_point(uint64_t n) {
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static int hash_eq(const audit_hash a, const audit_hash b) {
    return memcmp(a, b, AUDIT_HASH_BYTES) == 0;
}

void audit_tree_root(const audit_hash *leaves, uint64_t n, audit_hash out) {
    if (n == 0) {
        audit_empty_root(out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], AUDIT_HASH_BYTES);
        return;
    }
    uint64_t k = split_point(n);
    audit_hash left, right;
    audit_tree_root(leaves, k, left);
    audit_tree_root(leaves + k, n - k, right);
    audit_node_hash(left, right, out);
}

int audit_leaf_array_subtree(void *ctx, unsigned level, uint64_t index, audit_hash out,
                             ph_err *err) {
    const audit_leaf_array *a = ctx;
    if (level >= TREE_HEIGHT_MAX || index > (UINT64_MAX >> level))
        return ph_fail(err, PH_EUSAGE, "subtree level %u index %llu is outside any tree", level,
                       (unsigned long long)index);
    uint64_t span = (uint64_t)1 << level, start = index << level;
    if (start > a->count || span > a->count - start)
        return ph_fail(err, PH_EUSAGE,
                       "subtree level %u index %llu is outside the tree of %llu leaves", level,
                       (unsigned long long)index, (unsigned long long)a->count);
    audit_tree_root(a->leaves + start, span, out);
    return PH_OK;
}

/* The roots of ragged ranges already computed during one proof. Every
 * ragged range a proof meets is a suffix [x, size) of the tree, and each is
 * the sibling or part of the sibling of the next: remembering them makes a
 * proof O(log n) look-ups instead of O(log^2 n). */
typedef struct range_memo {
    uint64_t lo[2 * TREE_HEIGHT_MAX], hi[2 * TREE_HEIGHT_MAX];
    audit_hash hash[2 * TREE_HEIGHT_MAX];
    size_t count;
} range_memo;

static int range_root(audit_subtree_fn subtree, void *ctx, uint64_t lo, uint64_t hi, audit_hash out,
                      range_memo *memo, ph_err *err) {
    if (hi < lo)
        return ph_fail(err, PH_EUSAGE, "empty range %llu..%llu", (unsigned long long)lo,
                       (unsigned long long)hi);
    uint64_t n = hi - lo;
    if (n == 0) {
        audit_empty_root(out);
        return PH_OK;
    }
    if (is_power_of_two(n) && (lo & (n - 1)) == 0) {
        unsigned level = (unsigned)__builtin_ctzll(n);
        return subtree(ctx, level, lo >> level, out, err);
    }
    for (size_t i = 0; memo && i < memo->count; i++)
        if (memo->lo[i] == lo && memo->hi[i] == hi) {
            memcpy(out, memo->hash[i], AUDIT_HASH_BYTES);
            return PH_OK;
        }
    /* Not a stored subtree: split as the tree does. The left part is a
     * perfect subtree whenever lo is aligned, which it is for every range a
     * proof asks for, so this costs one look-up per level. */
    uint64_t k = split_point(n);
    audit_hash left, right;
    if (range_root(subtree, ctx, lo, lo + k, left, memo, err)) return err->rc;
    if (range_root(subtree, ctx, lo + k, hi, right, memo, err)) return err->rc;
    audit_node_hash(left, right, out);
    if (memo && memo->count < 2 * TREE_HEIGHT_MAX) {
        memo->lo[memo->count] = lo;
        memo->hi[memo->count] = hi;
        memcpy(memo->hash[memo->count], out, AUDIT_HASH_BYTES);
        memo->count++;
    }
    return PH_OK;
}

int audit_range_root(audit_subtree_fn subtree, void *ctx, uint64_t lo, uint64_t hi, audit_hash out,
                     ph_err *err) {
    return range_root(subtree, ctx, lo, hi, out, NULL, err);
}

int audit_inclusion_path(audit_subtree_fn subtree, void *ctx, uint64_t index, uint64_t size,
                         audit_hash *path, size_t *path_len, ph_err *err) {
    *path_len = 0;
    if (index >= size)
        return ph_fail(err, PH_EUSAGE, "entry %llu is not in a tree of %llu entries",
                       (unsigned long long)index, (unsigned long long)size);
    /* Walk from the root to the leaf collecting the sibling of each step;
     * the path lists them leaf first. */
    audit_hash siblings[TREE_HEIGHT_MAX];
    size_t count = 0;
    range_memo memo;
    memo.count = 0;
    uint64_t lo = 0, hi = size;
    while (hi - lo > 1) {
        uint64_t k = split_point(hi - lo);
        int rc;
        if (index < lo + k) {
            rc = range_root(subtree, ctx, lo + k, hi, siblings[count], &memo, err);
            hi = lo + k;
        } else {
            rc = range_root(subtree, ctx, lo, lo + k, siblings[count], &memo, err);
            lo += k;
        }
        if (rc) return rc;
        count++;
    }
    for (size_t i = 0; i < count; i++)
        memcpy(path[i], siblings[count - 1 - i], AUDIT_HASH_BYTES);
    *path_len = count;
    return PH_OK;
}

int audit_consistency_path(audit_subtree_fn subtree, void *ctx, uint64_t first, uint64_t second,
                           audit_hash *path, size_t *path_len, ph_err *err) {
    *path_len = 0;
    if (first > second)
        return ph_fail(err, PH_EUSAGE, "a tree of %llu entries cannot extend one of %llu",
                       (unsigned long long)second, (unsigned long long)first);
    if (first == 0 || first == second) return PH_OK;
    /* RFC 6962 SUBPROOF(m, D[lo:hi], b), unrolled: the hashes found on the
     * way down are listed after the one found at the bottom, last found
     * first. */
    audit_hash found[TREE_HEIGHT_MAX];
    size_t nfound = 0, out = 0;
    range_memo memo;
    memo.count = 0;
    uint64_t lo = 0, hi = second, m = first;
    int whole_old_tree = 1; /* b: [lo, lo+m) is still the whole first tree */
    for (;;) {
        uint64_t n = hi - lo;
        if (m == n) {
            if (!whole_old_tree) {
                if (range_root(subtree, ctx, lo, hi, path[out], &memo, err)) return err->rc;
                out++;
            }
            break;
        }
        uint64_t k = split_point(n);
        int rc;
        if (m <= k) {
            rc = range_root(subtree, ctx, lo + k, hi, found[nfound], &memo, err);
            hi = lo + k;
        } else {
            rc = range_root(subtree, ctx, lo, lo + k, found[nfound], &memo, err);
            m -= k;
            lo += k;
            whole_old_tree = 0;
        }
        if (rc) return rc;
        nfound++;
    }
    for (size_t i = 0; i < nfound; i++)
        memcpy(path[out++], found[nfound - 1 - i], AUDIT_HASH_BYTES);
    *path_len = out;
    return PH_OK;
}

/* RFC 9162: "right-shift both fn and sn equally until either LSB(fn) is set
 * or fn is 0". */
static void shift_to_set_bit(uint64_t *fn, uint64_t *sn) {
    while (!(*fn & 1) && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int audit_verify_inclusion(uint64_t index, uint64_t size, const audit_hash leaf_hash,
                           const audit_hash *path, size_t path_len, const audit_hash root) {
    if (index >= size || path_len > AUDIT_PROOF_MAX) return 0;
    if (path_len && !path) return 0;
    uint64_t fn = index, sn = size - 1;
    audit_hash r;
    memcpy(r, leaf_hash, AUDIT_HASH_BYTES);
    for (size_t i = 0; i < path_len; i++) {
        if (sn == 0) return 0;
        if ((fn & 1) || fn == sn) {
            audit_node_hash(path[i], r, r);
            if (!(fn & 1)) shift_to_set_bit(&fn, &sn);
        } else {
            audit_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_eq(r, root);
}

int audit_verify_consistency(uint64_t first, uint64_t second, const audit_hash first_root,
                             const audit_hash second_root, const audit_hash *path,
                             size_t path_len) {
    if (first > second || path_len > AUDIT_PROOF_MAX) return 0;
    if (path_len && !path) return 0;
    if (first == second) return path_len == 0 && hash_eq(first_root, second_root);
    if (first == 0) {
        audit_hash empty;
        audit_empty_root(empty);
        return path_len == 0 && hash_eq(first_root, empty);
    }
    if (path_len == 0) return 0;
    /* When the first tree is a perfect subtree of the second, its root is
     * the first hash of the proof (RFC 9162 step 2: prepend it). */
    int prepend = is_power_of_two(first);
    size_t total = path_len + (size_t)prepend;
#define PROOF_AT(i) (prepend ? ((i) == 0 ? first_root : path[(i)-1]) : path[(i)])
    uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    audit_hash fr, sr;
    memcpy(fr, PROOF_AT(0), AUDIT_HASH_BYTES);
    memcpy(sr, PROOF_AT(0), AUDIT_HASH_BYTES);
    for (size_t i = 1; i < total; i++) {
        const unsigned char *c = PROOF_AT(i);
        if (sn == 0) return 0;
        if ((fn & 1) || fn == sn) {
            audit_node_hash(c, fr, fr);
            audit_node_hash(c, sr, sr);
            if (!(fn & 1)) shift_to_set_bit(&fn, &sn);
        } else {
            audit_node_hash(sr, c, sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
#undef PROOF_AT
    return sn == 0 && hash_eq(fr, first_root) && hash_eq(sr, second_root);
}
