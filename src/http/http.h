/*
 * http — the HTTP API (`penholder serve`): the server, the route table, and
 * the helpers every handler uses.
 *
 * Owns: the libmicrohttpd daemon and its pool of worker threads (each with
 * its own store connection: SQLite in WAL mode lets readers run side by
 * side, writers queue on the write lock within the busy timeout), the route
 * table, request parsing with caps, authentication of requests (through
 * auth), role checks, problem+json errors, ETags, static files from web/,
 * the access log and graceful shutdown. Must not hold business rules: a
 * handler checks its input, calls an engine module, and formats what it
 * returns. SQL only through the engines and store.
 *
 * A request goes through, in order:
 *   target and query parsed with caps ........ 400, 414
 *   route matched ............................. 404, 405 (with Allow)
 *   credentials (Bearer header, else cookie) .. 401
 *   role in the route's table entry ........... 403
 *   CSRF header on cookie-authenticated writes  403
 *   body cap, media type, JSON syntax ......... 413, 415, 400
 *   a transaction begun for writes (POST, PUT, PATCH, DELETE) unless the
 *   route says HTTP_OWN_TX; the handler runs; the transaction commits when
 *   the reply's status is below 400 and rolls back otherwise, so a handler
 *   that fails half-way leaves nothing written ... 503 when the database is busy
 *   an access log line on stderr: time, method, path (never the query),
 *   status, duration, account. Never bodies, cookies or tokens.
 *
 * Adding routes: put the handlers of a topic in src/http/routes_<topic>.c
 * with a static table of http_route and one function that adds the table
 * with http_router_add(); call that function from http_routes_register()
 * (routes.c). Describe every route in docs/openapi.yaml: a test compares the
 * document with `penholder serve --routes` both ways, and the role x route
 * matrix test calls every route as every role from the same listing.
 *
 * Exporters: a route is closed to exporters unless its entry says
 * HTTP_EXPORTERS_OWN_ORG. Such a handler must (1) scope every query to
 * ctx->user->organisation_id, answering 404 (not 403) for another
 * organisation's object, and (2) build its response with a serialiser
 * written for exporters — a separate function that copies the fields an
 * exporter may see, one by one — never by building the staff view and
 * deleting fields from it. For example, case routes will have
 *     json_t *case_json_staff(const case_record *c);
 *     json_t *case_json_exporter(const case_record *c);
 *     return http_reply_json(ctx, 200, http_is_staff(ctx) ? case_json_staff(c)
 *                                                         : case_json_exporter(c));
 * so internal advice, assessments, evidence and screening detail cannot
 * reach an exporter by an omission. GET /api/v1/me shows the pattern.
 */
#ifndef PH_HTTP_H
#define PH_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"
#include "util/util.h"

/* ---- caps on what a request may hold ---- */
#define HTTP_BODY_MAX_DEFAULT (1024 * 1024) /* bytes; --body-max */
#define HTTP_URI_MAX 4096                   /* request target, path and query */
#define HTTP_QUERY_MAX_PARAMS 32
#define HTTP_QUERY_VALUE_MAX 1024     /* one decoded name or value */
#define HTTP_MAX_PARAMS 8             /* {param}s in one route pattern */
#define HTTP_STRING_MAX_DEFAULT 10000 /* a JSON string field without its own cap */
#define HTTP_ARRAY_MAX_DEFAULT 1000   /* a JSON array field without its own cap */
#define HTTP_MAX_FIELD_ERRORS 16      /* field problems listed in one reply */
#define HTTP_ETAG_MAX 48

typedef struct http_ctx http_ctx;
typedef struct http_router http_router;
typedef struct http_server http_server;

/* A handler replies through one of the http_reply_* or http_problem*
 * helpers and returns what it returned (the status). */
typedef int (*http_handler)(http_ctx *ctx);

/* ---- the route table ---- */

/* Role bits for http_route.roles: HTTP_ROLE(ADMIN) | HTTP_ROLE(AUDITOR). */
#define HTTP_ROLE(r) (1u << AUTH_ROLE_##r)
#define HTTP_ALL_ROLES ((1u << AUTH_ROLE_COUNT) - 1u)
#define HTTP_STAFF (HTTP_ALL_ROLES & ~HTTP_ROLE(EXPORTER))
/* No authentication at all (health, login, the API description). */
#define HTTP_PUBLIC (1u << 31)

typedef enum http_exporters {
    HTTP_EXPORTERS_NO = 0, /* staff only */
    HTTP_EXPORTERS_OWN_ORG =
        1 /* exporters too: scoped to their organisation, exporter serialiser */
} http_exporters;

enum http_route_flags {
    /* The handler begins the transaction itself (http_tx_begin) after slow
     * work that must not hold the write lock, such as hashing a password. */
    HTTP_OWN_TX = 1,
    /* The caller must not be linkable to the request (raising a
     * confidential concern, following one by receipt code): the access log
     * shows "-" for the account, and on a public route credentials are not
     * read at all, so no session row is touched. */
    HTTP_NO_ACCOUNT_TRACE = 2
};

typedef struct http_route {
    const char *method;  /* GET, POST, PUT, PATCH, DELETE (GET also answers HEAD) */
    const char *pattern; /* "/api/v1/users/{name}": literal segments and {param}s */
    http_handler handler;
    unsigned roles;           /* staff roles (HTTP_ROLE bits, HTTP_STAFF) or HTTP_PUBLIC */
    http_exporters exporters; /* whether exporters may call it; never an EXPORTER bit in roles */
    unsigned flags;           /* http_route_flags */
    const char *summary;      /* one line, as in docs/openapi.yaml */
} http_route;

http_router *http_router_new(void);
void http_router_free(http_router *r);
/* Adds a module's routes. Refuses (PH_EUSAGE, naming the route) a malformed
 * pattern, an unknown method, an EXPORTER bit in roles, a route without
 * roles, or a method and pattern that are already taken. The table entries
 * are not copied: pass a static table. */
int http_router_add(http_router *r, const http_route *routes, size_t n, ph_err *err);
size_t http_router_count(const http_router *r);
const http_route *http_router_route(const http_router *r, size_t i);

typedef struct http_params {
    size_t count;
    const char *names[HTTP_MAX_PARAMS]; /* point into the pattern */
    char *values[HTTP_MAX_PARAMS];      /* copies; http_params_free */
} http_params;
void http_params_free(http_params *p);

enum { HTTP_MATCH_OK = 0, HTTP_MATCH_NO_PATH = 1, HTTP_MATCH_NO_METHOD = 2 };
/* Finds the route for a decoded path. HTTP_MATCH_NO_METHOD when the path
 * exists under other methods, listed in `allow` ("GET, PATCH"). */
int http_router_match(const http_router *r, const char *method, const char *path,
                      const http_route **route, http_params *params, char *allow,
                      size_t allow_size);
/* The roles of a route as text: "public", or "admin,auditor" (+ ",exporter"). */
void http_route_roles_text(const http_route *route, char *out, size_t size);
/* 1 when a caller of this role may use the route. */
int http_route_allows(const http_route *route, auth_role role);

/* Every module's routes (routes.c). */
int http_routes_register(http_router *r, ph_err *err);
int http_core_routes(http_router *r, ph_err *err);
int http_account_routes(http_router *r, ph_err *err);
int http_case_routes(http_router *r, ph_err *err);
int http_screen_routes(http_router *r, ph_err *err);
int http_concern_routes(http_router *r, ph_err *err);
int http_review_routes(http_router *r, ph_err *err);
int http_licence_routes(http_router *r, ph_err *err);
int http_assess_routes(http_router *r, ph_err *err);
int http_list_routes(http_router *r, ph_err *err);
int http_audit_routes(http_router *r, ph_err *err);

/* ---- parsers (pure: no socket, no database; fuzzed) ---- */

/* Splits a raw request target "/a/b%20c?x=1" into its decoded path
 * ("/a/b c", a new string the caller frees) and its raw query. Refuses
 * (PH_ERR, a reason in err) targets over HTTP_URI_MAX, not starting with
 * '/', bad or NUL escapes, encoded slashes, control characters and invalid
 * UTF-8. */
int http_target_parse(const char *uri, size_t len, char **path, const char **query,
                      size_t *query_len, ph_err *err);

typedef struct http_query {
    size_t count;
    char *names[HTTP_QUERY_MAX_PARAMS];
    char *values[HTTP_QUERY_MAX_PARAMS];
} http_query;
/* Parses "a=1&b=x+y&c=%C3%A9". Refuses more than HTTP_QUERY_MAX_PARAMS
 * parameters, a name or value over HTTP_QUERY_VALUE_MAX decoded bytes, a
 * repeated name, bad escapes, NUL, control characters and invalid UTF-8.
 * On failure *q is empty. */
int http_query_parse(const char *s, size_t len, http_query *q, ph_err *err);
void http_query_free(http_query *q);
const char *http_query_get(const http_query *q, const char *name);

/* Finds a cookie in a Cookie header; 1 and the value (not copied) when found. */
int http_cookie_find(const char *header, size_t len, const char *name, const char **value,
                     size_t *value_len);
/* "Bearer TOKEN" (scheme case-insensitive): PH_OK and the token (not copied). */
int http_bearer_parse(const char *header, size_t len, const char **token, size_t *token_len);

enum { HTTP_IF_MATCH_OK = 0, HTTP_IF_MATCH_STALE = 1, HTTP_IF_MATCH_INVALID = 2 };
/* Compares an If-Match header with the current strong ETag (quotes
 * included) by the strong comparison of RFC 9110: "*" matches anything, a
 * weak tag never matches. */
int http_if_match(const char *header, size_t len, const char *etag);
/* 1 when a Content-Type header names `type` ("application/json"),
 * whatever its case and parameters. */
int http_media_type_is(const char *header, size_t len, const char *type);
/* 1 when s is valid UTF-8 without control characters other than tab/newline. */
int http_text_ok(const char *s, size_t len);

/* ---- JSON bodies checked against the fields a route accepts ---- */

typedef enum http_json_type {
    HTTP_JSON_STRING,
    HTTP_JSON_INTEGER,
    HTTP_JSON_NUMBER, /* integer or real */
    HTTP_JSON_BOOLEAN,
    HTTP_JSON_OBJECT,
    HTTP_JSON_ARRAY
} http_json_type;

enum http_field_flags { HTTP_FIELD_REQUIRED = 1, HTTP_FIELD_NULLABLE = 2 };

typedef struct http_schema http_schema;

typedef struct http_field {
    const char *name;
    http_json_type type;
    unsigned flags;
    size_t min_len;    /* strings: bytes; arrays: items */
    size_t max_len;    /* strings: bytes; arrays: items (0: the default caps) */
    int64_t min_value; /* integers, when min_value < max_value */
    int64_t max_value;
    const char *const *one_of; /* strings: the allowed values, NULL-terminated */
    http_json_type items;      /* arrays: the type of every item */
    const http_schema *object; /* objects, and arrays of objects: their fields */
} http_field;

struct http_schema {
    const http_field *fields;
    size_t count;
};
#define HTTP_SCHEMA(fields)                                                                        \
    { (fields), sizeof(fields) / sizeof((fields)[0]) }

typedef struct http_field_error {
    char path[160];   /* "parties[1].country"; "" for the body itself */
    char detail[240]; /* what is wrong and what is expected */
} http_field_error;

typedef struct http_field_errors {
    size_t count; /* problems found; at most HTTP_MAX_FIELD_ERRORS are kept */
    http_field_error e[HTTP_MAX_FIELD_ERRORS];
} http_field_errors;

/* Checks that `value` is an object holding only the schema's fields, each of
 * its type and within its caps, and every required one. Returns the number
 * of problems (0: valid); errors->e[0] is the first, in document order. */
size_t http_json_check(const json_t *value, const http_schema *schema, http_field_errors *errors);
/* Parses a request body (duplicate keys refused). On failure, NULL and a
 * message naming line and column. */
json_t *http_json_parse(const char *body, size_t len, ph_err *err);

/* ---- the request, for handlers ---- */

typedef enum http_auth_kind { HTTP_AUTH_NONE, HTTP_AUTH_COOKIE, HTTP_AUTH_BEARER } http_auth_kind;

typedef struct http_server_config {
    const char *db_path;
    const char *listen;     /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    unsigned threads;       /* worker threads, each with its own store connection */
    size_t body_max;        /* bytes */
    const char *web_root;   /* static files; NULL or missing: none */
    int secure_cookies;     /* add Secure to the session cookie (TLS in front) */
    unsigned grace_seconds; /* how long shutdown waits for requests in flight */
    unsigned connection_limit;
    unsigned connection_timeout; /* seconds of inactivity */
    int access_log;              /* 1: one line per request on stderr */
    auth_policy policy;
    /* The engines' shared services for handlers (a cases_services: the
     * screening index and policy loaded at start). NULL: none. */
    const void *services;
    /* The concern module's limiter of failed receipt look-ups (a
     * concern_limiter), shared by every worker. NULL: no limit. */
    void *concern_limiter;
} http_server_config;

void http_config_default(http_server_config *c);

struct http_ctx {
    store *db; /* this worker thread's connection */
    const http_server_config *config;
    const http_route *route;
    const char *method;
    const char *path; /* decoded */
    http_params params;
    http_query query;
    json_t *body;          /* the parsed body, or NULL when empty */
    const auth_user *user; /* NULL when not authenticated (public routes) */
    http_auth_kind auth;
    int status; /* set by the reply helpers */
};

/* A request header's value, or NULL. */
const char *http_request_header(http_ctx *ctx, const char *name);
/* The value of a {param} of the route ("" when absent). */
const char *http_param(const http_ctx *ctx, const char *name);
/* 1 for an authenticated member of staff (any role but exporter). */
int http_is_staff(const http_ctx *ctx);
/* The organisation a query must be limited to: the exporter's organisation
 * id, 0 for staff (every organisation), -1 without a caller (none). Routes
 * open to exporters pass it to every query:
 * `WHERE (? = 0 OR organisation_id = ?)`. */
int64_t http_org_scope(const http_ctx *ctx);
/* The client's address as numeric text ("127.0.0.1", "::1"; "" when
 * unknown). Behind a proxy it is the proxy's. */
void http_client_address(http_ctx *ctx, char *out, size_t size);
/* Who is acting, for audit entries: the account name, or "anonymous". */
const char *http_actor(const http_ctx *ctx);

/* ---- replies ---- each returns the status, for `return http_reply_json(...)`. */

/* Replies with a JSON document (stolen: the reply frees it). */
int http_reply_json(http_ctx *ctx, int status, json_t *body);
int http_reply_empty(http_ctx *ctx, int status);
int http_reply_text(http_ctx *ctx, int status, const char *content_type, const char *text,
                    size_t len);
/* Adds a response header (both copied); call before or after the reply. */
void http_header(http_ctx *ctx, const char *name, const char *value);

/* RFC 9457 problem+json: {"type": "urn:penholder:problem:<slug>", "title",
 * "status", "detail", "instance"}; `slug` names the kind of problem
 * ("not-found", "validation", "conflict", "stale"...). */
int http_problem(http_ctx *ctx, int status, const char *slug, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 409 for a change a workflow does not allow now: the problem of
 * http_problem with two more members, `state_member` ("licence_status",
 * "case_status") naming the object's state, and "allowed_events" (stolen;
 * NULL for none), the events the caller's role may fire from that state. */
int http_problem_transition(http_ctx *ctx, const char *slug, const char *detail,
                            const char *state_member, const char *state, json_t *allowed_events);
/* 422 with "errors": [{"path", "detail"}, ...]. */
int http_problem_fields(http_ctx *ctx, const http_field_errors *errors);
/* 422 naming one field. */
int http_problem_field(http_ctx *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an engine error: PH_ENOTFOUND 404, PH_ECONFLICT 409, PH_EFORBIDDEN
 * 403, PH_EBUSY 503, PH_EUSAGE 422, anything else 500 (the message goes to
 * the server log, a generic one to the client). */
int http_problem_from_err(http_ctx *ctx, const ph_err *err);

/* ---- request helpers ---- each returns 0, or the status it replied with. */

/* Checks the body against the schema: 422 naming each field path, or 400
 * when there is no body. */
int http_body_check(http_ctx *ctx, const http_schema *schema);
/* Refuses (400) query parameters other than `allowed` (NULL-terminated). */
int http_query_check(http_ctx *ctx, const char *const *allowed);
/* An integer query parameter within [min, max], `def` when absent. */
int http_query_int(http_ctx *ctx, const char *name, long def, long min, long max, long *out);
/* Begins the request's transaction (HTTP_OWN_TX routes); 503 when busy. */
int http_tx_begin(http_ctx *ctx);

/* A strong ETag ("\"<32 hex>\"") from the bytes of a representation. */
void http_etag(const void *data, size_t len, char out[HTTP_ETAG_MAX]);
/* Checks If-Match against the current ETag: 428 when `required` and the
 * header is missing, 412 when it is stale, 400 when malformed. */
int http_if_match_check(http_ctx *ctx, const char *etag, int required);

/* ---- the server ---- */

/* Starts listening. Checks that the database opens at the current schema
 * first, so a misconfigured server fails at once. */
int http_server_start(const http_server_config *c, http_server **out, ph_err *err);
/* "http://127.0.0.1:8080" (the real port when 0 was asked for). */
const char *http_server_url(const http_server *s);
/* Stops accepting connections, lets requests in flight finish (up to the
 * grace period), then closes everything. A request in flight is one whose
 * handling has begun; connections still waiting to be accepted, or accepted
 * but not yet read, are closed: their clients see the connection reset, and
 * nothing of those requests was written. Frees the server and returns the
 * number of requests it served. */
uint64_t http_server_stop(http_server *s);
/* Requests served so far. */
uint64_t http_server_requests(const http_server *s);

#endif
