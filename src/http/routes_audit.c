/* The audit log over HTTP, for auditors and nobody else: the newest signed
 * tree head, inclusion and consistency proofs, entries, and the public key
 * that verifies the heads. Every reply is built by the audit module's own
 * serialisers (audit_*_json), so it is byte for byte what `penholder audit
 * ... --json` prints and an outside verifier reads either. Reads only. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "http_internal.h"

#define AUDIT_LOG_DEFAULT 50
#define AUDIT_LOG_MAX 1000000L /* entries in one reply; 0 asks for every entry */
/* Leaf indexes and tree sizes as query parameters (the CLI takes any
 * 64-bit count; a tree this large would take centuries to fill). */
#define AUDIT_COUNT_MAX (1L << 62)

/* A count parameter: PH_OK with *out, 0 when absent (has = 0). Returns 0 or
 * the status replied. */
static int count_param(http_ctx *ctx, const char *name, int *has, uint64_t *out) {
    *has = http_query_get(&ctx->query, name) != NULL;
    long v = 0;
    int rc = http_query_int(ctx, name, 0, 0, AUDIT_COUNT_MAX, &v);
    *out = (uint64_t)v;
    return rc;
}

/* Errors of the proofs: a size or index outside the log is the caller's
 * query (400); anything else as usual. */
static int proof_problem(http_ctx *ctx, const ph_err *err) {
    if (err->rc == PH_EUSAGE) return http_problem(ctx, 400, "query", "%s", err->msg);
    return http_problem_from_err(ctx, err);
}

static int audit_head_get(http_ctx *ctx) {
    int rc = http_query_check(ctx, NULL);
    if (rc) return rc;
    audit_tree_head h;
    ph_err err = {0};
    if (audit_head(ctx->db, &h, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, audit_tree_head_json(&h));
}

static int audit_proof_get(http_ctx *ctx) {
    static const char *const allowed[] = {"index", "size", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    int has_index, has_size;
    uint64_t index, size;
    if ((rc = count_param(ctx, "index", &has_index, &index)) ||
        (rc = count_param(ctx, "size", &has_size, &size)))
        return rc;
    if (!has_index)
        return http_problem(ctx, 400, "query",
                            "index is required: the entry to prove (index=N, and size=M for the "
                            "tree of M entries; the newest when absent)");
    if (has_size && size == 0) return http_problem(ctx, 400, "query", "size must be at least 1");
    audit_inclusion_proof *p = ph_malloc(sizeof *p);
    ph_err err = {0};
    rc = audit_prove_inclusion(ctx->db, index, has_size ? size : 0, p, &err);
    json_t *j = rc ? NULL : audit_inclusion_json(p);
    free(p);
    if (rc) return proof_problem(ctx, &err);
    return http_reply_json(ctx, 200, j);
}

static int audit_consistency_get(http_ctx *ctx) {
    static const char *const allowed[] = {"from", "to", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    int has_from, has_to;
    uint64_t from, to;
    if ((rc = count_param(ctx, "from", &has_from, &from)) ||
        (rc = count_param(ctx, "to", &has_to, &to)))
        return rc;
    if (!has_from)
        return http_problem(ctx, 400, "query",
                            "from is required: the older tree size (from=N, and to=M for the "
                            "newer; the newest when absent)");
    ph_err err = {0};
    if (!has_to) {
        audit_tree_head h;
        if (audit_head(ctx->db, &h, &err)) return http_problem_from_err(ctx, &err);
        to = h.tree_size;
    }
    if (from > to)
        return http_problem(ctx, 400, "query", "from %llu is after to %llu",
                            (unsigned long long)from, (unsigned long long)to);
    audit_consistency_proof *p = ph_malloc(sizeof *p);
    rc = audit_prove_consistency(ctx->db, from, to, p, &err);
    json_t *j = rc ? NULL : audit_consistency_json(p);
    free(p);
    if (rc) return proof_problem(ctx, &err);
    return http_reply_json(ctx, 200, j);
}

static int audit_log_get(http_ctx *ctx) {
    static const char *const allowed[] = {"object", "limit", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    long limit;
    if ((rc = http_query_int(ctx, "limit", AUDIT_LOG_DEFAULT, 0, AUDIT_LOG_MAX, &limit))) return rc;
    audit_log_filter f = {0};
    f.limit = limit;
    const char *object = http_query_get(&ctx->query, "object");
    char *type = NULL;
    if (object) {
        const char *colon = strchr(object, ':');
        if (!colon || colon == object || !colon[1])
            return http_problem(ctx, 400, "query",
                                "object must be TYPE:ID, for example case:GBSIEL/2026/0000123/P");
        type = ph_strndup(object, (size_t)(colon - object));
        f.object_type = type;
        f.object_id = colon + 1;
    }
    audit_record *v;
    size_t n;
    ph_err err = {0};
    rc = audit_log(ctx->db, &f, &v, &n, &err);
    free(type);
    if (rc) return http_problem_from_err(ctx, &err);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, audit_record_json(&v[i]));
    audit_records_free(v, n);
    return http_reply_json(ctx, 200, a);
}

static int audit_key_get(http_ctx *ctx) {
    int rc = http_query_check(ctx, NULL);
    if (rc) return rc;
    audit_key_info k;
    ph_err err = {0};
    if (audit_public_key(ctx->db, &k, &err)) return http_problem_from_err(ctx, &err);
    char hex[2 * AUDIT_PUBLIC_KEY_BYTES + 1];
    ph_hex(k.public_key, AUDIT_PUBLIC_KEY_BYTES, hex);
    return http_reply_json(ctx, 200,
                           json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "ed25519", "public_key",
                                     hex, "key_id", k.key_id, "created_at", k.created_at));
}

#define AUDITORS HTTP_ROLE(AUDITOR)
static const http_route audit_routes[] = {
    {"GET", "/api/v1/audit/head", audit_head_get, AUDITORS, HTTP_EXPORTERS_NO, 0,
     "The newest signed tree head of the audit log"},
    {"GET", "/api/v1/audit/proof", audit_proof_get, AUDITORS, HTTP_EXPORTERS_NO, 0,
     "Inclusion proof of entry index in the tree of size entries"},
    {"GET", "/api/v1/audit/consistency", audit_consistency_get, AUDITORS, HTTP_EXPORTERS_NO, 0,
     "Consistency proof between the trees of from and to entries"},
    {"GET", "/api/v1/audit/log", audit_log_get, AUDITORS, HTTP_EXPORTERS_NO, 0,
     "Audit entries, oldest first (filters: object TYPE:ID; limit, the newest N, 0 for all)"},
    {"GET", "/api/v1/audit/key", audit_key_get, AUDITORS, HTTP_EXPORTERS_NO, 0,
     "The public key that verifies the tree heads"},
};

int http_audit_routes(http_router *r, ph_err *err) {
    return http_router_add(r, audit_routes, sizeof audit_routes / sizeof audit_routes[0], err);
}
