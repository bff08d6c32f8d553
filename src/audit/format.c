/* The byte formats of the audit log (entries, signed tree heads, canonical
 * object state), times, hex, and the JSON an auditor receives. Pure: no I/O.
 * docs/audit.md is the specification of everything written here; change
 * both together, and never change a format without a new version tag. */
#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

/* Domain tags: an entry's bytes can never be mistaken for a tree head's. */
static const char ENTRY_TAG[] = "penholder/audit/entry/v1";
static const char TREE_HEAD_TAG[] = "penholder/audit/tree-head/v1";

static void put_u32(ph_buf *b, uint32_t v) {
    char bytes[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    ph_buf_append(b, bytes, sizeof bytes);
}

static void put_u64(ph_buf *b, uint64_t v) {
    put_u32(b, (uint32_t)(v >> 32));
    put_u32(b, (uint32_t)v);
}

/* A string: its byte length as u32, then its bytes (no terminator). */
static void put_str(ph_buf *b, const char *s) {
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    ph_buf_append(b, s, n);
}

/* The tag with its terminating NUL. */
static void put_tag(ph_buf *b, const char *tag) {
    ph_buf_append(b, tag, strlen(tag) + 1);
}

void audit_entry_bytes(const audit_entry *e, ph_buf *out) {
    put_tag(out, ENTRY_TAG);
    put_u64(out, e->seq);
    put_str(out, e->time);
    put_str(out, e->actor);
    put_str(out, e->action);
    put_str(out, e->object_type);
    put_str(out, e->object_id);
    ph_buf_append(out, (const char *)e->state_sha256, AUDIT_HASH_BYTES);
}

void audit_entry_leaf_hash(const audit_entry *e, audit_hash out) {
    ph_buf b;
    ph_buf_init(&b);
    audit_entry_bytes(e, &b);
    audit_leaf_hash(b.data, b.len, out);
    ph_buf_free(&b);
}

void audit_tree_head_message(uint64_t tree_size, const audit_hash root, const char *timestamp,
                             ph_buf *out) {
    put_tag(out, TREE_HEAD_TAG);
    put_u64(out, tree_size);
    ph_buf_append(out, (const char *)root, AUDIT_HASH_BYTES);
    put_str(out, timestamp);
}

int audit_tree_head_signature_ok(const audit_tree_head *h,
                                 const unsigned char public_key[AUDIT_PUBLIC_KEY_BYTES]) {
    ph_buf msg;
    ph_buf_init(&msg);
    audit_tree_head_message(h->tree_size, h->root_hash, h->timestamp, &msg);
    int ok = crypto_sign_verify_detached(h->signature, (const unsigned char *)msg.data, msg.len,
                                         public_key) == 0;
    ph_buf_free(&msg);
    return ok;
}

/* ---- times ---- */

static int digits(const char *s, int n, int *value) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return 1;
}

int audit_time_valid(const char *s) {
    if (!s || strlen(s) != AUDIT_TIME_LEN - 1) return 0;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int32_t days;
    int hh = 0, mm = 0, ss = 0;
    if (ph_date_parse(date, &days) != PH_OK) return 0;
    if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return 0;
    if (!digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) || !digits(s + 17, 2, &ss)) return 0;
    return hh < 24 && mm < 60 && ss < 60;
}

int audit_clock(char out[AUDIT_TIME_LEN], ph_err *err) {
    const char *fixed = getenv("PENHOLDER_AUDIT_TIME");
    if (fixed && *fixed) {
        if (!audit_time_valid(fixed))
            return ph_fail(
                err, PH_EUSAGE,
                "PENHOLDER_AUDIT_TIME '%.40s' is not a UTC time like 2026-11-29T14:08:40Z", fixed);
        ph_strlcpy(out, fixed, AUDIT_TIME_LEN);
        return PH_OK;
    }
    ph_now_iso(out);
    return PH_OK;
}

/* ---- hex ---- */

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int audit_bytes_from_hex(const char *hex, unsigned char *out, size_t n) {
    if (!hex || strlen(hex) != 2 * n) return PH_ERR;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return PH_ERR;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return PH_OK;
}

int audit_hash_from_hex(const char *hex, audit_hash out) {
    return audit_bytes_from_hex(hex, out, AUDIT_HASH_BYTES);
}

/* ---- canonical state ---- */

void audit_canon_text(ph_buf *out, const char *s) {
    if (!s) {
        ph_buf_putc(out, 'N');
        return;
    }
    ph_buf_putc(out, 'T');
    put_str(out, s);
}

/* ---- JSON ---- */

static json_t *hex_json(const unsigned char *bytes, size_t n) {
    char hex[2 * AUDIT_SIGNATURE_BYTES + 1];
    ph_hex(bytes, n, hex);
    return json_string(hex);
}

static json_t *path_json(const audit_hash *path, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, hex_json(path[i], AUDIT_HASH_BYTES));
    return a;
}

json_t *audit_tree_head_json(const audit_tree_head *h) {
    json_t *j = json_object();
    json_object_set_new(j, "tree_size", json_integer((json_int_t)h->tree_size));
    json_object_set_new(j, "root_hash", hex_json(h->root_hash, AUDIT_HASH_BYTES));
    json_object_set_new(j, "timestamp", json_string(h->timestamp));
    json_object_set_new(j, "signature", hex_json(h->signature, AUDIT_SIGNATURE_BYTES));
    json_object_set_new(j, "key_id", json_string(h->key_id));
    return j;
}

json_t *audit_inclusion_json(const audit_inclusion_proof *p) {
    json_t *j = json_object();
    json_object_set_new(j, "leaf_index", json_integer((json_int_t)p->leaf_index));
    json_object_set_new(j, "leaf_hash", hex_json(p->leaf_hash, AUDIT_HASH_BYTES));
    json_object_set_new(j, "tree_size", json_integer((json_int_t)p->tree_size));
    json_object_set_new(j, "root_hash", hex_json(p->root_hash, AUDIT_HASH_BYTES));
    json_object_set_new(j, "path", path_json(p->path, p->path_len));
    json_object_set_new(j, "tree_head", audit_tree_head_json(&p->head));
    return j;
}

json_t *audit_consistency_json(const audit_consistency_proof *p) {
    json_t *j = json_object();
    json_object_set_new(j, "first", json_integer((json_int_t)p->first));
    json_object_set_new(j, "second", json_integer((json_int_t)p->second));
    json_object_set_new(j, "first_root_hash", hex_json(p->first_root, AUDIT_HASH_BYTES));
    json_object_set_new(j, "second_root_hash", hex_json(p->second_root, AUDIT_HASH_BYTES));
    json_object_set_new(j, "path", path_json(p->path, p->path_len));
    json_object_set_new(j, "first_tree_head", audit_tree_head_json(&p->first_head));
    json_object_set_new(j, "second_tree_head", audit_tree_head_json(&p->second_head));
    return j;
}

json_t *audit_record_json(const audit_record *r) {
    const audit_entry *e = &r->entry;
    json_t *j = json_object();
    json_object_set_new(j, "sequence", json_integer((json_int_t)e->seq));
    json_object_set_new(j, "time", json_string(e->time));
    json_object_set_new(j, "actor", json_string(e->actor));
    json_object_set_new(j, "action", json_string(e->action));
    json_object_set_new(j, "object_type", json_string(e->object_type));
    json_object_set_new(j, "object_id", json_string(e->object_id));
    json_object_set_new(j, "state_sha256", hex_json(e->state_sha256, AUDIT_HASH_BYTES));
    json_object_set_new(j, "leaf_hash",
                        r->leaf_recorded ? hex_json(r->leaf_hash, AUDIT_HASH_BYTES) : json_null());
    return j;
}

static json_t *int_or_null(int64_t v) {
    return v < 0 ? json_null() : json_integer(v);
}

json_t *audit_verify_json(const audit_verify_report *r) {
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_boolean(r->problems_total == 0));
    json_object_set_new(j, "entries", json_integer((json_int_t)r->entries));
    json_object_set_new(j, "tree_size", json_integer((json_int_t)r->tree_size));
    json_object_set_new(j, "tree_heads", json_integer((json_int_t)r->tree_heads));
    json_object_set_new(j, "signatures_checked", json_integer((json_int_t)r->signatures_checked));
    json_object_set_new(j, "nodes_checked", json_integer((json_int_t)r->nodes_checked));
    json_object_set_new(j, "objects_checked", json_integer((json_int_t)r->objects_checked));
    json_object_set_new(j, "objects_unchecked", json_integer((json_int_t)r->objects_unchecked));
    json_object_set_new(j, "key_id", json_string(r->key_id));
    json_object_set_new(j, "public_key", hex_json(r->public_key, AUDIT_PUBLIC_KEY_BYTES));
    json_t *types = json_array();
    for (size_t i = 0; i < r->ntypes; i++)
        json_array_append_new(types,
                              json_pack("{s:s, s:I, s:b}", "object_type", r->types[i].object_type,
                                        "objects", (json_int_t)r->types[i].objects, "state_checked",
                                        r->types[i].checked));
    json_object_set_new(j, "object_types", types);
    json_object_set_new(j, "problems_total", json_integer((json_int_t)r->problems_total));
    json_t *problems = json_array();
    for (size_t i = 0; i < r->nproblems; i++) {
        const audit_problem *p = &r->problems[i];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(p->kind));
        json_object_set_new(o, "entry", int_or_null(p->entry));
        json_object_set_new(o, "tree_size", int_or_null(p->tree_size));
        json_object_set_new(o, "message", json_string(p->message));
        json_array_append_new(problems, o);
    }
    json_object_set_new(j, "problems", problems);
    return j;
}

/* ---- parsing a saved tree head ---- */

static int head_field_hex(json_t *root, const char *name, unsigned char *out, size_t n,
                          ph_err *err) {
    json_t *v = json_object_get(root, name);
    if (!v) return ph_fail(err, PH_EUSAGE, "tree head: field '%s' is missing", name);
    if (!json_is_string(v) || audit_bytes_from_hex(json_string_value(v), out, n))
        return ph_fail(err, PH_EUSAGE, "tree head: field '%s': expected %zu hex digits", name,
                       2 * n);
    return PH_OK;
}

int audit_tree_head_parse_json(const char *text, size_t len, audit_tree_head *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ph_fail(err, PH_EUSAGE, "tree head: line %d column %d: %s", jerr.line, jerr.column,
                       jerr.text);
    int rc = PH_OK;
    json_t *size = json_object_get(root, "tree_size");
    json_t *ts = json_object_get(root, "timestamp");
    json_t *key_id = json_object_get(root, "key_id");
    if (!json_is_object(root)) {
        rc = ph_fail(err, PH_EUSAGE, "tree head: expected a JSON object");
    } else if (!json_is_integer(size) || json_integer_value(size) < 0) {
        rc = ph_fail(err, PH_EUSAGE, "tree head: field 'tree_size': expected a whole number");
    } else if (!json_is_string(ts) || !audit_time_valid(json_string_value(ts))) {
        rc = ph_fail(err, PH_EUSAGE,
                     "tree head: field 'timestamp': expected a UTC time like 2026-11-29T14:08:40Z");
    } else if (key_id && (!json_is_string(key_id) ||
                          strlen(json_string_value(key_id)) != AUDIT_KEY_ID_HEX - 1)) {
        rc = ph_fail(err, PH_EUSAGE, "tree head: field 'key_id': expected %d hex digits",
                     AUDIT_KEY_ID_HEX - 1);
    } else if (!head_field_hex(root, "root_hash", out->root_hash, AUDIT_HASH_BYTES, err) &&
               !head_field_hex(root, "signature", out->signature, AUDIT_SIGNATURE_BYTES, err)) {
        out->tree_size = (uint64_t)json_integer_value(size);
        ph_strlcpy(out->timestamp, json_string_value(ts), sizeof out->timestamp);
        if (key_id) ph_strlcpy(out->key_id, json_string_value(key_id), sizeof out->key_id);
    } else {
        rc = err->rc;
    }
    json_decref(root);
    return rc;
}
