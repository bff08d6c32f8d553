/*
 * audit — the append-only, verifiable record of every write.
 *
 * Every state change (a licence suspended, advice revised, a concern
 * answered) appends one entry: sequence, time, actor, action, object and the
 * SHA-256 of the object's new state. Entries are the leaves of a Merkle tree
 * built as in Certificate Transparency (RFC 6962 / RFC 9162): leaf hash =
 * SHA-256(0x00 || entry bytes), node hash = SHA-256(0x01 || left || right).
 * After each append a tree head (size, root, time) is signed with Ed25519 and
 * stored in the same transaction, so a committed write is always covered by a
 * signed head. docs/audit.md specifies every byte, so that an outside auditor
 * can write an independent verifier.
 *
 * Owns the audit_key, audit_entry, audit_node and audit_tree_head tables and
 * the signing key file. The private key never enters the database: it lives
 * in `<database>.audit-key` (mode 0600) or the file named by
 * $PENHOLDER_AUDIT_KEY, so that whoever can edit the database cannot re-sign
 * a rewritten history. The module must not write any other module's tables;
 * it reads an object's current state only through the function that object's
 * module registers (audit_register_type).
 *
 * Three layers, each usable alone:
 *   - pure tree math (audit_leaf_hash ... audit_verify_consistency): no I/O,
 *     no database, fuzzed directly;
 *   - the log in the store: audit_append inside the caller's transaction,
 *     tree heads, proofs, listing;
 *   - verification: audit_verify recomputes everything from the stored
 *     entries and objects and reports each discrepancy with the entry it
 *     concerns.
 */
#ifndef PH_AUDIT_H
#define PH_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/util.h"

#define AUDIT_HASH_BYTES 32
#define AUDIT_PUBLIC_KEY_BYTES 32
#define AUDIT_SIGNATURE_BYTES 64
#define AUDIT_KEY_ID_HEX 17 /* 16 hex digits + NUL: the first 8 bytes of SHA-256(public key) */
#define AUDIT_TIME_LEN 21   /* "2026-11-29T14:08:40Z" + NUL */
/* Longest proof for any tree below 2^64 leaves (a consistency proof can
 * hold one hash more than the tree's height). */
#define AUDIT_PROOF_MAX 130
/* Cap on each text field of an entry (bytes). */
#define AUDIT_FIELD_MAX 512

typedef unsigned char audit_hash[AUDIT_HASH_BYTES];

/* ==== pure tree math (RFC 6962 section 2.1, RFC 9162 section 2.1) ==== */

/* SHA-256(0x00 || data). */
void audit_leaf_hash(const void *data, size_t len, audit_hash out);
/* SHA-256(0x01 || left || right). */
void audit_node_hash(const audit_hash left, const audit_hash right, audit_hash out);
/* The root of the empty tree: SHA-256 of nothing. */
void audit_empty_root(audit_hash out);

/* Hands out the hash of a perfect subtree: the 2^level leaves starting at
 * leaf index << level. Level 0 is a leaf hash. Proof generation only ever
 * asks for subtrees that lie wholly inside the tree it works on. */
typedef int (*audit_subtree_fn)(void *ctx, unsigned level, uint64_t index, audit_hash out,
                                ph_err *err);

/* A subtree source over leaf hashes held in memory (ctx is an
 * audit_leaf_array). Computes each subtree from its leaves: for tests,
 * fuzzing and small trees. */
typedef struct audit_leaf_array {
    const audit_hash *leaves;
    uint64_t count;
} audit_leaf_array;
int audit_leaf_array_subtree(void *ctx, unsigned level, uint64_t index, audit_hash out,
                             ph_err *err);

/* The Merkle Tree Hash of leaves [lo, hi): O(log n) subtree look-ups. */
int audit_range_root(audit_subtree_fn subtree, void *ctx, uint64_t lo, uint64_t hi, audit_hash out,
                     ph_err *err);
/* The root of leaf hashes in memory (n = 0 gives the empty root). */
void audit_tree_root(const audit_hash *leaves, uint64_t n, audit_hash out);

/* Inclusion path of leaf `index` in the tree of `size` leaves, bottom-up,
 * as RFC 6962 PATH(m, D[n]). path holds AUDIT_PROOF_MAX hashes. */
int audit_inclusion_path(audit_subtree_fn subtree, void *ctx, uint64_t index, uint64_t size,
                         audit_hash *path, size_t *path_len, ph_err *err);
/* Consistency proof between the trees of `first` and `second` leaves, as
 * RFC 6962 PROOF(m, D[n]); empty when first is 0 or equals second. */
int audit_consistency_path(audit_subtree_fn subtree, void *ctx, uint64_t first, uint64_t second,
                           audit_hash *path, size_t *path_len, ph_err *err);

/* RFC 9162 2.1.3.2. Returns 1 when the path proves that leaf_hash is leaf
 * `index` of the tree of `size` leaves whose root is `root`, else 0. Never
 * reads more than path_len hashes; any input is safe. */
int audit_verify_inclusion(uint64_t index, uint64_t size, const audit_hash leaf_hash,
                           const audit_hash *path, size_t path_len, const audit_hash root);
/* RFC 9162 2.1.4.2, plus the two trivial cases: first == second (the proof
 * must be empty and the roots equal) and first == 0 (the proof must be empty
 * and first_root the empty root). Returns 1 when consistent, else 0. */
int audit_verify_consistency(uint64_t first, uint64_t second, const audit_hash first_root,
                             const audit_hash second_root, const audit_hash *path, size_t path_len);

/* ==== the byte formats (docs/audit.md) ==== */

/* An entry as stored and hashed. Text is UTF-8 without control characters. */
typedef struct audit_entry {
    uint64_t seq; /* leaf index, from 0 */
    char time[AUDIT_TIME_LEN];
    const char *actor;
    const char *action;      /* verb: "licence.suspend", "case.submit" */
    const char *object_type; /* "licence", "case" */
    const char *object_id;   /* "GBSIEL/2026/0000123/P" */
    audit_hash state_sha256; /* SHA-256 of the object's canonical state */
} audit_entry;

/* Appends the entry's canonical bytes (the leaf data) to out. */
void audit_entry_bytes(const audit_entry *e, ph_buf *out);
/* The entry's leaf hash: audit_leaf_hash(audit_entry_bytes(e)). */
void audit_entry_leaf_hash(const audit_entry *e, audit_hash out);

/* A signed tree head. */
typedef struct audit_tree_head {
    uint64_t tree_size;
    audit_hash root_hash;
    char timestamp[AUDIT_TIME_LEN];
    unsigned char signature[AUDIT_SIGNATURE_BYTES];
    char key_id[AUDIT_KEY_ID_HEX];
} audit_tree_head;

/* Appends the bytes that are signed for a tree head to out. */
void audit_tree_head_message(uint64_t tree_size, const audit_hash root, const char *timestamp,
                             ph_buf *out);
/* 1 when the head's signature verifies under public_key, else 0. */
int audit_tree_head_signature_ok(const audit_tree_head *h,
                                 const unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES]);
/* Parses a tree head as printed by `penholder audit head --json` (the
 * fields tree_size, root_hash, timestamp, signature; others are ignored).
 * Errors name the JSON field. Any bytes are safe. */
int audit_tree_head_parse_json(const char *text, size_t len, audit_tree_head *out, ph_err *err);

/* "2026-11-29T14:08:40Z" with a real date and time: 1, else 0. */
int audit_time_valid(const char *s);
/* The time stamped on entries and heads: $PENHOLDER_AUDIT_TIME when set (it
 * must then be a valid time: tests and demonstrations fix the clock with it),
 * else the current UTC time. */
int audit_clock(char out[AUDIT_TIME_LEN], ph_err *err);
/* Parses 64 hex digits into a hash; PH_ERR on anything else. */
int audit_hash_from_hex(const char *hex, audit_hash out);
/* Parses 2*n hex digits into n bytes; PH_ERR on anything else. */
int audit_bytes_from_hex(const char *hex, unsigned char *out, size_t n);

/* ==== canonical object state ====
 * Each module that audits an object type says what the object's state is by
 * producing canonical bytes for it. These helpers make the encoding
 * unambiguous (every value carries its length); docs/audit.md describes it. */

/* 'T' + u32 length + bytes, or 'N' for NULL. */
void audit_canon_text(ph_buf *out, const char *s);
/* Runs a query and appends every row: 'R' + u32 column count, then each
 * value as audit_canon_text of its text form; 'E' after the last row. List
 * columns explicitly and give an ORDER BY: the bytes must not depend on the
 * schema's column order or the database's row order. The statement is kept
 * on the connection (store_prepare_cached): pass a string constant. */
int audit_canon_rows(store *db, ph_buf *out, ph_err *err, const char *sql, const char *types, ...);

/* Writes the canonical bytes of object `object_id`'s current state to out
 * (cleared first). PH_ENOTFOUND (with a message) when the object does not
 * exist: its state hash is then 32 zero bytes. */
typedef int (*audit_state_fn)(store *db, const char *object_id, ph_buf *out, ph_err *err);

/* Registers the state function of an object type, once per process, before
 * the first append or verification that involves it (penholder registers
 * its types at start-up: see cli_audit_register_types). Registering the same
 * function again is harmless; another function for a registered type is an
 * error. */
int audit_register_type(const char *object_type, audit_state_fn fn);
/* The registered function, or NULL. */
audit_state_fn audit_type_state_fn(const char *object_type);
/* SHA-256 of the object's current state through its registered function
 * (32 zero bytes when it does not exist). */
int audit_object_state_hash(store *db, const char *object_type, const char *object_id,
                            audit_hash out, ph_err *err);

/* ==== keys ==== */

/* The key file: $PENHOLDER_AUDIT_KEY, else "<database path>.audit-key".
 * Returns a new string (caller frees). */
char *audit_key_path(store *db);

typedef struct audit_key_report {
    int created;     /* a new key pair was made */
    int adopted;     /* an existing key file was taken into a new database */
    char path[1024]; /* the key file */
    char key_id[AUDIT_KEY_ID_HEX];
    unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES];
} audit_key_report;

/* Called by `penholder init` after the migrations. When the database has no
 * audit key yet, makes an Ed25519 key pair (or takes the existing key file),
 * writes the private key file (mode 0600; never overwritten), stores the
 * public key and the signed head of the empty tree. When it has one, checks
 * that the key file is there and belongs to it: a missing or foreign key file
 * is an error naming the path, since no write could be audited without it.
 * Runs its own transaction. */
int audit_init_keys(store *db, audit_key_report *report, ph_err *err);

typedef struct audit_key_info {
    char key_id[AUDIT_KEY_ID_HEX];
    unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES];
    char created_at[AUDIT_TIME_LEN];
} audit_key_info;

/* The current public key. PH_ENOTFOUND when `init` has not made one. */
int audit_public_key(store *db, audit_key_info *out, ph_err *err);

/* ==== appending ==== */

typedef struct audit_event {
    const char *actor;       /* user name or pseudonym */
    const char *action;      /* lower-case dotted verb: "licence.suspend" */
    const char *object_type; /* lower-case word: "licence" */
    const char *object_id;
    /* The new state. For a registered type leave all three empty: the state
     * is read through the registered function, inside the transaction, after
     * the caller's writes (the same function verification uses). For other
     * types give the canonical bytes or their SHA-256. */
    const void *state;
    size_t state_len;
    const unsigned char *state_sha256; /* 32 bytes */
    const char *time;                  /* NULL: audit_clock() */
} audit_event;

typedef struct audit_entry_info {
    uint64_t seq;       /* the entry's leaf index */
    uint64_t tree_size; /* seq + 1 */
    char time[AUDIT_TIME_LEN];
    audit_hash leaf_hash;
    audit_hash state_sha256;
    audit_hash root_hash; /* of the new signed head */
} audit_entry_info;

/* Appends one entry and stores the new signed tree head. Must be called
 * inside the caller's open transaction (store_begin), after the writes it
 * records; on failure the caller rolls back, and nothing of the entry has
 * been written when the failure is in the key or the event (those are
 * checked first). O(log n) reads and writes. out may be NULL. */
int audit_append(store *db, const audit_event *ev, audit_entry_info *out, ph_err *err);
/* audit_append for an object whose state `fn` reads (its type's state
 * function, registered or not), at audit_clock()'s time. */
int audit_append_object(store *db, const char *actor, const char *action, const char *object_type,
                        const char *object_id, audit_state_fn fn, ph_err *err);

/* ==== reading the log ==== */

/* The newest signed head. */
int audit_head(store *db, audit_tree_head *out, ph_err *err);
/* The signed head at a given size. PH_ENOTFOUND when there is none. */
int audit_head_at(store *db, uint64_t tree_size, audit_tree_head *out, ph_err *err);

typedef struct audit_inclusion_proof {
    uint64_t leaf_index;
    audit_hash leaf_hash;
    uint64_t tree_size;
    audit_hash root_hash;
    audit_hash path[AUDIT_PROOF_MAX];
    size_t path_len;
    audit_tree_head head; /* the signed head at tree_size */
} audit_inclusion_proof;

/* Proof that entry `index` is in the tree of `size` entries (0: the newest
 * head's size). The root is recomputed from the stored tree and must match
 * the signed head at that size, else the store is inconsistent (an error
 * that says to run `audit verify`). */
int audit_prove_inclusion(store *db, uint64_t index, uint64_t size, audit_inclusion_proof *out,
                          ph_err *err);

typedef struct audit_consistency_proof {
    uint64_t first, second;
    audit_hash first_root, second_root;
    audit_hash path[AUDIT_PROOF_MAX];
    size_t path_len;
    audit_tree_head first_head, second_head;
} audit_consistency_proof;

/* Proof that the tree of `second` entries extends the tree of `first`. */
int audit_prove_consistency(store *db, uint64_t first, uint64_t second,
                            audit_consistency_proof *out, ph_err *err);

/* An entry read back from the store (owns its strings). */
typedef struct audit_record {
    audit_entry entry;
    audit_hash leaf_hash; /* as recorded in the tree; zero when missing */
    int leaf_recorded;
} audit_record;

typedef struct audit_log_filter {
    const char *object_type; /* with object_id; NULL: every object */
    const char *object_id;
    int64_t limit; /* the newest `limit` entries; 0: all */
} audit_log_filter;

/* Entries in sequence order. */
int audit_log(store *db, const audit_log_filter *f, audit_record **out, size_t *n, ph_err *err);
void audit_records_free(audit_record *v, size_t n);

/* ==== verification ==== */

typedef struct audit_problem {
    const char *kind;  /* static: entry_missing, entry_modified, tree_head_root, ... */
    int64_t entry;     /* the entry concerned, or -1 */
    int64_t tree_size; /* the tree head concerned, or -1 */
    char *message;
} audit_problem;

typedef struct audit_verify_options {
    /* Verify signatures with this key instead of the one in the database
     * (an auditor pins the key published by the authority). */
    const unsigned char *public_key;
    /* A head saved earlier (audit head --json): the log must still extend
     * it, which catches a rewritten or truncated log. */
    const audit_tree_head *trusted_head;
    size_t max_problems; /* kept in the report; 0: 1000. All are counted. */
} audit_verify_options;

typedef struct audit_type_count {
    char *object_type;
    uint64_t objects;
    int checked; /* a state function is registered */
} audit_type_count;

typedef struct audit_verify_report {
    uint64_t entries;    /* entry rows read */
    uint64_t tree_size;  /* the newest signed head's size */
    uint64_t tree_heads; /* head rows read */
    uint64_t signatures_checked;
    uint64_t nodes_checked;
    uint64_t objects_checked; /* objects whose current state was hashed */
    uint64_t objects_unchecked;
    audit_type_count *types;
    size_t ntypes;
    char key_id[AUDIT_KEY_ID_HEX];
    unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES];
    audit_problem *problems; /* at most max_problems, in the order found */
    size_t nproblems;
    uint64_t problems_total;
} audit_verify_report;

/* Recomputes every leaf, every tree node and every tree head from the stored
 * entries; checks every signature, that sequences and head sizes run without
 * gaps, and that each audited object's current state hashes to the hash in
 * its newest entry. Returns PH_OK when the check ran (read
 * report->problems_total for the verdict); an error only when it could not
 * run. Reads only. */
int audit_verify(store *db, const audit_verify_options *o, audit_verify_report *report,
                 ph_err *err);
void audit_verify_report_free(audit_verify_report *r);

/* ==== JSON (the format auditors receive, shared by the CLI and HTTP) ==== */
#include <jansson.h>
json_t *audit_tree_head_json(const audit_tree_head *h);
json_t *audit_inclusion_json(const audit_inclusion_proof *p);
json_t *audit_consistency_json(const audit_consistency_proof *p);
json_t *audit_record_json(const audit_record *r);
json_t *audit_verify_json(const audit_verify_report *r);

#endif
