/* Accounts, for administrators: list, create, read, change. Accounts are
 * never deleted (advice and decisions name their authors); they are
 * disabled. Changes need If-Match with the ETag of the version read. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

static const char *const role_values[] = {"exporter",
                                          "case_officer",
                                          "technical_assessor",
                                          "adviser",
                                          "countersigner",
                                          "decision_maker",
                                          "nominated_officer",
                                          "auditor",
                                          "admin",
                                          NULL};

/* The administrator's view of an account. */
static json_t *user_json_admin(const auth_user *u) {
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(u->name));
    json_object_set_new(j, "role", json_string(auth_role_name(u->role)));
    json_object_set_new(j, "team", u->team[0] ? json_string(u->team) : json_null());
    json_object_set_new(j, "organisation",
                        u->organisation[0] ? json_string(u->organisation) : json_null());
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "locked_until",
                        u->locked_until[0] ? json_string(u->locked_until) : json_null());
    json_object_set_new(j, "failed_logins", json_integer(u->failed_logins));
    json_object_set_new(j, "created_at", json_string(u->created_at));
    json_object_set_new(j, "updated_at", json_string(u->updated_at));
    return j;
}

/* The ETag of an account is the hash of what an administrator sees, so
 * any visible change (a failed login included) makes older copies stale. */
static void user_etag(const auth_user *u, char out[HTTP_ETAG_MAX]) {
    json_t *j = user_json_admin(u);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_etag(text, strlen(text), out);
    free(text);
}

static int reply_user(http_ctx *ctx, int status, const auth_user *u) {
    char etag[HTTP_ETAG_MAX];
    user_etag(u, etag);
    http_header(ctx, "ETag", etag);
    return http_reply_json(ctx, status, user_json_admin(u));
}

/* Maps an account error that names a field to a 422 at that field. */
static int account_problem(http_ctx *ctx, const ph_err *err, const char *field) {
    if (err->rc == PH_EUSAGE && field) return http_problem_field(ctx, field, "%s", err->msg);
    return http_problem_from_err(ctx, err);
}

static const char *string_field(const json_t *body, const char *name) {
    const json_t *v = json_object_get(body, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int users_list(http_ctx *ctx) {
    static const char *const allowed[] = {"role",  "organisation", "disabled",
                                          "limit", "offset",       NULL};
    int rc;
    if ((rc = http_query_check(ctx, allowed))) return rc;
    auth_user_filter f = {0};
    const char *role = http_query_get(&ctx->query, "role");
    ph_err err = {0};
    if (role) {
        if (auth_role_parse(role, &f.role, &err))
            return http_problem(ctx, 400, "query", "role: %s", err.msg);
        f.has_role = 1;
    }
    f.organisation = http_query_get(&ctx->query, "organisation");
    const char *disabled = http_query_get(&ctx->query, "disabled");
    if (disabled && strcmp(disabled, "include") != 0 && strcmp(disabled, "exclude") != 0)
        return http_problem(ctx, 400, "query", "disabled must be 'include' or 'exclude'");
    f.include_disabled = disabled && strcmp(disabled, "include") == 0;
    if ((rc = http_query_int(ctx, "limit", 100, 1, 1000, &f.limit))) return rc;
    if ((rc = http_query_int(ctx, "offset", 0, 0, 1000000000L, &f.offset))) return rc;
    auth_user *v;
    size_t n;
    if (auth_user_list(ctx->db, &f, &v, &n, &err)) return http_problem_from_err(ctx, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, user_json_admin(&v[i]));
    free(v);
    return http_reply_json(ctx, 200,
                           json_pack("{s:o, s:I, s:I}", "users", list, "limit", (json_int_t)f.limit,
                                     "offset", (json_int_t)f.offset));
}

static int users_get(http_ctx *ctx) {
    auth_user u;
    ph_err err = {0};
    if (auth_user_get(ctx->db, http_param(ctx, "name"), &u, &err))
        return http_problem_from_err(ctx, &err);
    return reply_user(ctx, 200, &u);
}

static int users_create(http_ctx *ctx) {
    static const http_field fields[] = {
        {.name = "name",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_REQUIRED,
         .min_len = 1,
         .max_len = AUTH_NAME_MAX},
        {.name = "role",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_REQUIRED,
         .one_of = role_values},
        {.name = "team",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_NULLABLE,
         .max_len = AUTH_TEAM_MAX},
        {.name = "organisation",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_NULLABLE,
         .min_len = 1,
         .max_len = AUTH_ORG_MAX},
        {.name = "password",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_REQUIRED,
         .max_len = AUTH_PASSWORD_MAX},
    };
    static const http_schema schema = HTTP_SCHEMA(fields);
    int rc;
    if ((rc = http_body_check(ctx, &schema))) return rc;
    ph_err err = {0};
    auth_user_new nu = {0};
    nu.name = string_field(ctx->body, "name");
    if (auth_name_check(nu.name, &err)) return http_problem_field(ctx, "name", "%s", err.msg);
    auth_role_parse(string_field(ctx->body, "role"), &nu.role, NULL);
    nu.team = string_field(ctx->body, "team");
    nu.organisation = string_field(ctx->body, "organisation");
    const char *password = string_field(ctx->body, "password");
    if (auth_password_check(&ctx->config->policy, password, &err))
        return http_problem_field(ctx, "password", "%s", err.msg);
    /* Hash before taking the write lock: Argon2id is slow by design. */
    char hash[AUTH_HASH_MAX];
    if (auth_password_hash(password, hash, &err)) return http_problem_from_err(ctx, &err);
    if ((rc = http_tx_begin(ctx))) return rc;
    auth_user u;
    const char *field = NULL;
    rc = auth_user_create(ctx->db, http_actor(ctx), &nu, hash, &u, &field, &err);
    sodium_memzero(hash, sizeof hash);
    if (rc) return account_problem(ctx, &err, field);
    char location[AUTH_NAME_MAX + 32];
    snprintf(location, sizeof location, "/api/v1/users/%s", u.name);
    http_header(ctx, "Location", location);
    return reply_user(ctx, 201, &u);
}

static int users_update(http_ctx *ctx) {
    static const http_field fields[] = {
        {.name = "role", .type = HTTP_JSON_STRING, .one_of = role_values},
        {.name = "team",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_NULLABLE,
         .max_len = AUTH_TEAM_MAX},
        {.name = "organisation",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_NULLABLE,
         .min_len = 1,
         .max_len = AUTH_ORG_MAX},
        {.name = "disabled", .type = HTTP_JSON_BOOLEAN},
        {.name = "unlock", .type = HTTP_JSON_BOOLEAN},
        {.name = "password", .type = HTTP_JSON_STRING, .max_len = AUTH_PASSWORD_MAX},
    };
    static const http_schema schema = HTTP_SCHEMA(fields);
    int rc;
    if ((rc = http_body_check(ctx, &schema))) return rc;
    const json_t *body = ctx->body;
    if (json_object_size(body) == 0)
        return http_problem(ctx, 422, "validation", "nothing to change: name at least one field");
    ph_err err = {0};
    auth_user_change c = {0};
    if (json_object_get(body, "role")) {
        c.set_role = 1;
        auth_role_parse(string_field(body, "role"), &c.role, NULL);
    }
    if (json_object_get(body, "team")) c.set_team = 1, c.team = string_field(body, "team");
    if (json_object_get(body, "organisation"))
        c.set_organisation = 1, c.organisation = string_field(body, "organisation");
    if (json_object_get(body, "disabled"))
        c.set_disabled = 1, c.disabled = json_is_true(json_object_get(body, "disabled"));
    c.unlock = json_is_true(json_object_get(body, "unlock"));
    char hash[AUTH_HASH_MAX];
    const char *password = string_field(body, "password");
    if (password) {
        if (auth_password_check(&ctx->config->policy, password, &err))
            return http_problem_field(ctx, "password", "%s", err.msg);
        if (auth_password_hash(password, hash, &err)) return http_problem_from_err(ctx, &err);
        c.password_hash = hash;
    }
    const char *name = http_param(ctx, "name");
    /* An administrator cannot shut themselves out. */
    if (strcmp(name, ctx->user->name) == 0 &&
        ((c.set_disabled && c.disabled) || (c.set_role && c.role != AUTH_ROLE_ADMIN)))
        return http_problem(
            ctx, 409, "conflict",
            "an administrator cannot disable their own account or give up the admin role");
    /* The version check and the write in one transaction: nobody can
     * change the account between them. */
    if ((rc = http_tx_begin(ctx))) return rc;
    auth_user cur, u;
    if (auth_user_get(ctx->db, name, &cur, &err)) return http_problem_from_err(ctx, &err);
    char etag[HTTP_ETAG_MAX];
    user_etag(&cur, etag);
    if ((rc = http_if_match_check(ctx, etag, 1))) return rc;
    const char *field = NULL;
    rc = auth_user_update(ctx->db, http_actor(ctx), name, cur.version, &c, &u, &field, &err);
    sodium_memzero(hash, sizeof hash);
    if (rc) return account_problem(ctx, &err, field);
    return reply_user(ctx, 200, &u);
}

static const http_route account_routes[] = {
    {"GET", "/api/v1/users", users_list, HTTP_ROLE(ADMIN), HTTP_EXPORTERS_NO, 0,
     "List accounts (filters: role, organisation, disabled; limit, offset)"},
    {"POST", "/api/v1/users", users_create, HTTP_ROLE(ADMIN), HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Create an account"},
    {"GET", "/api/v1/users/{name}", users_get, HTTP_ROLE(ADMIN), HTTP_EXPORTERS_NO, 0,
     "Read an account (with its ETag)"},
    {"PATCH", "/api/v1/users/{name}", users_update, HTTP_ROLE(ADMIN), HTTP_EXPORTERS_NO,
     HTTP_OWN_TX,
     "Change an account's role, team, organisation, password, or disable, enable or unlock it "
     "(If-Match required)"},
};

int http_account_routes(http_router *r, ph_err *err) {
    return http_router_add(r, account_routes, sizeof account_routes / sizeof account_routes[0],
                           err);
}
