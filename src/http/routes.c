/* Every module's routes, and the core ones: health, the API description,
 * login, logout and the caller's own account. */
#include <sodium.h>
#include <string.h>

#include "http_internal.h"

#define SESSION_COOKIE "penholder_session"

int http_routes_register(http_router *r, ph_err *err) {
    if (http_core_routes(r, err)) return PH_ERR;
    if (http_account_routes(r, err)) return PH_ERR;
    if (http_case_routes(r, err)) return PH_ERR;
    if (http_screen_routes(r, err)) return PH_ERR;
    if (http_concern_routes(r, err)) return PH_ERR;
    if (http_review_routes(r, err)) return PH_ERR;
    /* Cases, licences, screening, audit...: one line each, here. */
    if (http_licence_routes(r, err)) return PH_ERR;
    if (http_assess_routes(r, err)) return PH_ERR;
    if (http_list_routes(r, err)) return PH_ERR;
    if (http_audit_routes(r, err)) return PH_ERR;
    /* Screening, reviews, concerns...: one line each, here. */
    return PH_OK;
}

const char *http_openapi_text(size_t *len) {
    const ph_embedded *e = ph_embedded_find("docs/openapi.yaml");
    *len = e ? e->len : 0;
    return e ? e->data : NULL;
}

/* The session token of a cookie-authenticated request (server.c). */
const char *http_session_token(http_ctx *ctx, size_t *len);

/* ---- health and description ---- */

static int health(http_ctx *ctx) {
    return http_reply_json(
        ctx, 200, json_pack("{s:s, s:i}", "status", "ok", "schema", store_schema_version(ctx->db)));
}

static int openapi(http_ctx *ctx) {
    size_t len;
    const char *text = http_openapi_text(&len);
    if (!text) return http_problem(ctx, 404, "not-found", "this build has no API description");
    return http_reply_text(ctx, 200, "application/yaml", text, len);
}

/* ---- the caller's own account: two audiences, two serialisers ---- */

/* What a member of staff sees of their own account. */
static json_t *me_json_staff(const auth_user *u) {
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(u->name));
    json_object_set_new(j, "role", json_string(auth_role_name(u->role)));
    json_object_set_new(j, "team", u->team[0] ? json_string(u->team) : json_null());
    json_object_set_new(j, "staff", json_true());
    return j;
}

/* What an exporter sees of their own account: written field by field for
 * exporters, not derived from the staff view. */
static json_t *me_json_exporter(const auth_user *u) {
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(u->name));
    json_object_set_new(j, "role", json_string(auth_role_name(u->role)));
    json_object_set_new(j, "organisation", json_string(u->organisation));
    json_object_set_new(j, "staff", json_false());
    return j;
}

static json_t *me_json(const auth_user *u) {
    return auth_role_is_staff(u->role) ? me_json_staff(u) : me_json_exporter(u);
}

static int me(http_ctx *ctx) {
    json_t *j = json_object();
    json_object_set_new(j, "user", me_json(ctx->user));
    json_object_set_new(j, "authenticated_by",
                        json_string(ctx->auth == HTTP_AUTH_COOKIE ? "session" : "token"));
    if (ctx->auth == HTTP_AUTH_COOKIE) {
        /* A page reloaded in the browser gets its CSRF token back here; a
         * page of another site cannot read this reply. */
        size_t len;
        const char *token = http_session_token(ctx, &len);
        char csrf[AUTH_TOKEN_MAX];
        auth_csrf_token(token, len, csrf);
        json_object_set_new(j, "csrf_token", json_string(csrf));
    }
    return http_reply_json(ctx, 200, j);
}

/* ---- login and logout ---- */

static void session_cookie(http_ctx *ctx, const char *token, int max_age) {
    char cookie[AUTH_TOKEN_MAX + 160];
    snprintf(cookie, sizeof cookie,
             SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", token, max_age,
             ctx->config->secure_cookies ? "; Secure" : "");
    http_header(ctx, "Set-Cookie", cookie);
    sodium_memzero(cookie, sizeof cookie);
}

static int login(http_ctx *ctx) {
    static const http_field fields[] = {
        {.name = "name",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_REQUIRED,
         .min_len = 1,
         .max_len = AUTH_NAME_MAX},
        {.name = "password",
         .type = HTTP_JSON_STRING,
         .flags = HTTP_FIELD_REQUIRED,
         .min_len = 1,
         .max_len = AUTH_PASSWORD_MAX},
    };
    static const http_schema schema = HTTP_SCHEMA(fields);
    int rc = http_body_check(ctx, &schema);
    if (rc) return rc;
    const char *name = json_string_value(json_object_get(ctx->body, "name"));
    const char *password = json_string_value(json_object_get(ctx->body, "password"));
    const auth_policy *p = &ctx->config->policy;
    auth_user user;
    auth_session session;
    ph_err err = {0};
    if (auth_login(ctx->db, p, name, password, &user, &session, &err)) {
        if (err.rc != PH_EFORBIDDEN) return http_problem_from_err(ctx, &err);
        return http_problem(ctx, 401, "login-failed",
                            "%s (after %d failures in a row an account is locked for %d minutes)",
                            err.msg, p->lockout_after, (p->lockout_seconds + 59) / 60);
    }
    session_cookie(ctx, session.token, p->session_max_seconds);
    json_t *j = json_object();
    json_object_set_new(j, "user", me_json(&user));
    json_object_set_new(j, "csrf_token", json_string(session.csrf));
    json_object_set_new(j, "expires_at", json_string(session.expires_at));
    json_object_set_new(j, "idle_timeout_seconds", json_integer(p->session_idle_seconds));
    sodium_memzero(&session, sizeof session);
    return http_reply_json(ctx, 200, j);
}

static int logout(http_ctx *ctx) {
    if (ctx->auth != HTTP_AUTH_COOKIE)
        return http_problem(ctx, 400, "not-a-session",
                            "logout ends a browser session; a bearer token is revoked with "
                            "`penholder tokens revoke`");
    size_t len;
    const char *token = http_session_token(ctx, &len);
    ph_err err = {0};
    if (auth_session_end(ctx->db, http_actor(ctx), token, len, &err))
        return http_problem_from_err(ctx, &err);
    session_cookie(ctx, "", 0);
    return http_reply_empty(ctx, 204);
}

static const http_route core_routes[] = {
    {"GET", "/api/v1/health", health, HTTP_PUBLIC, HTTP_EXPORTERS_NO, 0,
     "Whether the server and its database answer"},
    {"GET", "/api/v1/openapi.yaml", openapi, HTTP_PUBLIC, HTTP_EXPORTERS_NO, 0,
     "This API's description (OpenAPI 3.1)"},
    {"POST", "/api/v1/login", login, HTTP_PUBLIC, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Start a browser session (cookie) and get its CSRF token"},
    {"POST", "/api/v1/logout", logout, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "End the browser session"},
    {"GET", "/api/v1/me", me, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "The caller's own account (exporters see their organisation)"},
};

int http_core_routes(http_router *r, ph_err *err) {
    return http_router_add(r, core_routes, sizeof core_routes / sizeof core_routes[0], err);
}
