/* The server: libmicrohttpd glue, the order of checks every request goes
 * through (see http.h), static files, the access log and graceful shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_internal.h"

#define SESSION_COOKIE "penholder_session"
#define CSRF_HEADER "X-CSRF-Token"
/* How often shutdown looks whether requests in flight have finished. */
#define DRAIN_POLL_MS 10

/* Per connection: the raw request target of the current request, copied by
 * the URI callback (libmicrohttpd hands handlers a decoded path without the
 * query; penholder parses both itself, with its own caps). */
typedef struct http_conn {
    char uri[HTTP_URI_MAX + 1];
    size_t len;
    int too_long;
} http_conn;

struct http_server {
    http_server_config config;
    char *db_path;
    char *web_root; /* resolved with realpath, or NULL */
    char *listen;
    struct MHD_Daemon *daemon;
    http_router *router;
    pthread_key_t store_key;
    pthread_mutex_t stores_lock;
    store **stores;
    size_t nstores, stores_cap;
    atomic_int stopping;
    atomic_long in_flight;
    atomic_ulong requests;
    char url[160];
};

void http_config_default(http_server_config *c) {
    memset(c, 0, sizeof *c);
    c->listen = "127.0.0.1:8080";
    c->threads = 4;
    c->body_max = HTTP_BODY_MAX_DEFAULT;
    c->web_root = "web";
    c->grace_seconds = 10;
    c->connection_limit = 1024;
    c->connection_timeout = 30;
    c->access_log = 1;
    auth_policy_default(&c->policy);
}

const char *http_server_url(const http_server *s) {
    return s->url;
}
uint64_t http_server_requests(const http_server *s) {
    return atomic_load(&s->requests);
}

/* ---- per-thread store connections ---- */

static store *worker_store(http_server *s, ph_err *err) {
    store *db = pthread_getspecific(s->store_key);
    if (db) return db;
    if (store_open(s->db_path, 0, &db, err)) return NULL;
    pthread_setspecific(s->store_key, db);
    pthread_mutex_lock(&s->stores_lock);
    s->stores = ph_grow(s->stores, &s->stores_cap, s->nstores + 1, sizeof *s->stores);
    s->stores[s->nstores++] = db;
    pthread_mutex_unlock(&s->stores_lock);
    return db;
}

/* ---- requests ---- */

static int is_write(const char *method) {
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static const char *header_value(http_request *req, const char *name) {
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *http_request_header(http_ctx *ctx, const char *name) {
    return header_value(http_request_of(ctx), name);
}

static http_request *request_new(http_server *s, struct MHD_Connection *conn, const char *method) {
    http_request *req = ph_calloc(1, sizeof *req);
    req->server = s;
    req->connection = conn;
    req->static_fd = -1;
    ph_strlcpy(req->method, method, sizeof req->method);
    req->ctx.method = req->method;
    req->ctx.config = &s->config;
    ph_buf_init(&req->body);
    req->body.cap_limit = s->config.body_max;
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    return req;
}

void http_request_free(http_request *req) {
    if (!req) return;
    if (req->in_tx && req->ctx.db) store_rollback(req->ctx.db);
    http_reply_reset(req);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    if (req->static_fd >= 0) close(req->static_fd);
    http_params_free(&req->ctx.params);
    http_query_free(&req->ctx.query);
    json_decref(req->ctx.body);
    if (req->body.data) sodium_memzero(req->body.data, req->body.len); /* may hold a password */
    ph_buf_free(&req->body);
    free(req->path);
    sodium_memzero(req->session_token, sizeof req->session_token);
    free(req);
}

int http_tx_begin(http_ctx *ctx) {
    http_request *req = http_request_of(ctx);
    if (req->in_tx) return 0;
    ph_err err = {0};
    if (store_begin(ctx->db, &err)) return http_problem_from_err(ctx, &err);
    req->in_tx = 1;
    return 0;
}

int http_if_match_check(http_ctx *ctx, const char *etag, int required) {
    const char *h = header_value(http_request_of(ctx), "If-Match");
    if (!h) {
        if (!required) return 0;
        return http_problem(
            ctx, 428, "precondition-required",
            "this change needs an If-Match header with the ETag of the version read");
    }
    switch (http_if_match(h, strlen(h), etag)) {
    case HTTP_IF_MATCH_OK: return 0;
    case HTTP_IF_MATCH_STALE:
        http_header(ctx, "ETag", etag);
        return http_problem(
            ctx, 412, "stale",
            "the object changed since it was read; read it again and reapply the change");
    default:
        return http_problem(ctx, 400, "bad-header",
                            "If-Match must be a list of quoted entity tags or *");
    }
}

/* The session token of a cookie-authenticated request (for logout). */
const char *http_session_token(http_ctx *ctx, size_t *len);
const char *http_session_token(http_ctx *ctx, size_t *len) {
    http_request *req = http_request_of(ctx);
    *len = req->session_len;
    return req->session_len ? req->session_token : NULL;
}

void http_client_address(http_ctx *ctx, char *out, size_t size) {
    if (size) out[0] = '\0';
    http_request *req = http_request_of(ctx);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr || !size) return;
    const struct sockaddr *sa = info->client_addr;
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (getnameinfo(sa, len, out, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0) out[0] = '\0';
}

/* ---- static files ---- */

static const char *content_type_for(const char *path) {
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".mjs", "text/javascript; charset=utf-8"},
                 {".json", "application/json"},
                 {".map", "application/json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".jpg", "image/jpeg"},
                 {".jpeg", "image/jpeg"},
                 {".ico", "image/x-icon"},
                 {".woff2", "font/woff2"},
                 {".txt", "text/plain; charset=utf-8"},
                 {".yaml", "application/yaml"}};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

/* Serves a file under the web root. Paths with a segment starting with '.'
 * (".", "..", hidden files) never reach the file system, and the resolved
 * file must still lie under the root (no escape through symbolic links). */
static void serve_static(http_request *req) {
    http_ctx *ctx = &req->ctx;
    http_server *s = req->server;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        http_header(ctx, "Allow", "GET, HEAD");
        http_problem(ctx, 405, "method", "static files are read with GET");
        return;
    }
    if (!s->web_root) {
        http_problem(ctx, 404, "not-found", "no such file");
        return;
    }
    const char *p = req->path;
    for (const char *seg = p; seg; seg = strchr(seg + 1, '/'))
        if (seg[1] == '.' || (seg[1] == '/')) {
            http_problem(ctx, 404, "not-found", "no such file");
            return;
        }
    char *full = ph_asprintf("%s%s%s", s->web_root, p, p[strlen(p) - 1] == '/' ? "index.html" : "");
    char resolved[PATH_MAX];
    size_t root_len = strlen(s->web_root);
    int fd = -1;
    struct stat st;
    if (realpath(full, resolved) && strncmp(resolved, s->web_root, root_len) == 0 &&
        resolved[root_len] == '/')
        fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        free(full);
        http_problem(ctx, 404, "not-found", "no such file");
        return;
    }
    http_reply_reset(req);
    req->is_static = 1;
    req->static_fd = fd;
    req->static_size = (size_t)st.st_size;
    ph_strlcpy(req->reply_type, content_type_for(resolved), sizeof req->reply_type);
    req->replied = 1;
    ctx->status = 200;
    free(full);
}

/* ---- the checks before the handler ---- */

static void authenticate(http_request *req, int public_route) {
    http_ctx *ctx = &req->ctx;
    const char *authz = header_value(req, "Authorization");
    const char *cookies = header_value(req, "Cookie");
    ph_err err = {0};
    int rc = PH_ENOTFOUND;
    const char *why = "this request needs credentials: a session cookie from POST /api/v1/login, "
                      "or an Authorization: Bearer token";
    if (authz) {
        const char *token;
        size_t len;
        if (http_bearer_parse(authz, strlen(authz), &token, &len) == PH_OK) {
            rc = auth_bearer_check(ctx->db, token, len, &req->user, &err);
            if (rc == PH_OK) ctx->auth = HTTP_AUTH_BEARER;
            why = "unknown, revoked or expired token";
        } else {
            why = "the Authorization header must be 'Bearer TOKEN'";
        }
    } else if (cookies) {
        const char *token;
        size_t len;
        if (http_cookie_find(cookies, strlen(cookies), SESSION_COOKIE, &token, &len)) {
            rc = auth_session_check(ctx->db, &req->server->config.policy, token, len, &req->user,
                                    &err);
            if (rc == PH_OK && len < sizeof req->session_token) {
                ctx->auth = HTTP_AUTH_COOKIE;
                memcpy(req->session_token, token, len);
                req->session_token[len] = '\0';
                req->session_len = len;
            }
            why = "the session has ended; log in again";
        }
    }
    if (rc == PH_OK) {
        ctx->user = &req->user;
        return;
    }
    if (rc != PH_ENOTFOUND) {
        http_problem_from_err(ctx, &err);
        return;
    }
    if (public_route) return; /* credentials are optional here */
    http_header(ctx, "WWW-Authenticate", "Bearer realm=\"penholder\"");
    http_problem(ctx, 401, "unauthenticated", "%s", why);
}

static void prepare(http_request *req) {
    http_server *s = req->server;
    http_ctx *ctx = &req->ctx;
    struct MHD_Connection *conn = req->connection;
    if (atomic_load(&s->stopping)) {
        http_header(ctx, "Connection", "close");
        http_problem(ctx, 503, "shutting-down", "the server is shutting down");
        return;
    }
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    http_conn *hc = info ? info->socket_context : NULL;
    if (!hc || hc->too_long) {
        http_problem(ctx, 414, "target", "the request target is longer than %d bytes",
                     HTTP_URI_MAX);
        return;
    }
    /* The access log shows the path as sent, never the query. */
    size_t i = 0;
    for (; i < hc->len && i < HTTP_LOG_PATH_MAX && hc->uri[i] != '?'; i++) {
        unsigned char c = (unsigned char)hc->uri[i];
        req->log_path[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    req->log_path[i] = '\0';

    ph_err err = {0};
    const char *query;
    size_t query_len;
    if (http_target_parse(hc->uri, hc->len, &req->path, &query, &query_len, &err)) {
        http_problem(ctx, 400, "target", "%s", err.msg);
        return;
    }
    ctx->path = req->path;
    if (query && http_query_parse(query, query_len, &ctx->query, &err)) {
        http_problem(ctx, 400, "query", "%s", err.msg);
        return;
    }
    if (strncmp(req->path, "/api/", 5) != 0 && strcmp(req->path, "/api") != 0) {
        serve_static(req);
        return;
    }
    char allow[64];
    int m = http_router_match(s->router, req->method, req->path, &ctx->route, &ctx->params, allow,
                              sizeof allow);
    if (m == HTTP_MATCH_NO_PATH) {
        http_problem(ctx, 404, "not-found", "no API route %s", req->path);
        return;
    }
    if (m == HTTP_MATCH_NO_METHOD) {
        http_header(ctx, "Allow", allow);
        http_problem(ctx, 405, "method", "%s is not allowed here (allowed: %s)", req->method,
                     allow);
        return;
    }
    ctx->db = worker_store(s, &err);
    if (!ctx->db) {
        fprintf(stderr, "penholder serve: %s\n", err.msg);
        http_header(ctx, "Retry-After", "1");
        http_problem(ctx, 503, "unavailable", "the database cannot be opened");
        return;
    }
    int public_route = (ctx->route->roles & HTTP_PUBLIC) != 0;
    if (!(public_route && (ctx->route->flags & HTTP_NO_ACCOUNT_TRACE)))
        authenticate(req, public_route);
    if (req->replied) return;
    if (!public_route && !http_route_allows(ctx->route, ctx->user->role)) {
        http_problem(ctx, 403, "forbidden", "the %s role may not %s %s",
                     auth_role_name(ctx->user->role), ctx->route->method, ctx->route->pattern);
        return;
    }
    if (ctx->auth == HTTP_AUTH_COOKIE && is_write(req->method)) {
        const char *csrf = header_value(req, CSRF_HEADER);
        if (!csrf || !auth_csrf_check(req->session_token, req->session_len, csrf, strlen(csrf))) {
            http_problem(ctx, 403, "csrf",
                         "a write with a session cookie needs the " CSRF_HEADER
                         " header given at login (or use a Bearer token)");
            return;
        }
    }
    const char *length = header_value(req, "Content-Length");
    int64_t n;
    if (length && ph_parse_i64(length, &n) == PH_OK && n > (int64_t)s->config.body_max)
        http_problem(ctx, 413, "too-large", "the request body is larger than %zu bytes",
                     s->config.body_max);
}

static void run(http_request *req) {
    http_ctx *ctx = &req->ctx;
    if (req->body_too_large) {
        http_problem(ctx, 413, "too-large", "the request body is larger than %zu bytes",
                     req->server->config.body_max);
        return;
    }
    if (req->body.len) {
        const char *type = header_value(req, "Content-Type");
        if (!type || !http_media_type_is(type, strlen(type), "application/json")) {
            http_problem(ctx, 415, "media-type",
                         "request bodies are JSON: send Content-Type: application/json");
            return;
        }
        ph_err err = {0};
        ctx->body = http_json_parse(req->body.data, req->body.len, &err);
        if (!ctx->body) {
            http_problem(ctx, 400, "json", "the body is not valid JSON: %s", err.msg);
            return;
        }
    }
    if (is_write(req->method) && !(ctx->route->flags & HTTP_OWN_TX) && http_tx_begin(ctx)) return;
    ctx->route->handler(ctx);
    if (!req->replied) {
        fprintf(stderr, "penholder serve: internal: %s %s gave no reply\n", req->method,
                ctx->route->pattern);
        http_problem(ctx, 500, "internal", "the server could not complete the request");
    }
    if (req->in_tx) {
        req->in_tx = 0;
        if (ctx->status < 400) {
            ph_err err = {0};
            if (store_commit(ctx->db, &err)) http_problem_from_err(ctx, &err);
        } else {
            store_rollback(ctx->db);
        }
    }
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result queue(http_request *req) {
    struct MHD_Response *resp;
    if (req->is_static) {
        resp = MHD_create_response_from_fd(req->static_size, req->static_fd);
        req->static_fd = -1; /* the response owns it now */
        /* The pages load scripts and styles from this origin only: no inline
         * script or style, no plugins, no <base> rewriting, forms post here. */
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'");
    } else {
        resp = MHD_create_response_from_buffer(req->reply_len, req->reply_body,
                                               req->reply_body ? MHD_RESPMEM_MUST_FREE
                                                               : MHD_RESPMEM_PERSISTENT);
        req->reply_body = NULL;
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    if (!resp) return MHD_NO;
    if (req->reply_type[0]) MHD_add_response_header(resp, "Content-Type", req->reply_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    for (size_t i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    if (atomic_load(&req->server->stopping)) MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result r = MHD_queue_response(req->connection, (unsigned)req->ctx.status, resp);
    MHD_destroy_response(resp);
    req->queued = 1;
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    (void)url;
    (void)version;
    http_server *s = cls;
    http_request *req = *con_cls;
    if (!req) {
        req = request_new(s, conn, method);
        *con_cls = req;
        atomic_fetch_add(&s->in_flight, 1);
        prepare(req);
        /* Errors found before the body is read are answered at once; the
         * body is then never read (the connection closes after the reply). */
        return req->replied ? queue(req) : MHD_YES;
    }
    if (*upload_data_size) {
        if (!req->replied && !req->body_too_large &&
            ph_buf_append(&req->body, upload_data, *upload_data_size) != PH_OK) {
            req->body_too_large = 1;
            ph_buf_free(&req->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->queued) return MHD_YES;
    if (!req->replied) run(req);
    return queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    http_server *s = cls;
    http_request *req = *con_cls;
    if (!req) return;
    *con_cls = NULL;
    if (s->config.access_log) {
        struct timespec end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        double ms = (double)(end.tv_sec - req->start.tv_sec) * 1e3 +
                    (double)(end.tv_nsec - req->start.tv_nsec) / 1e6;
        char now[21];
        ph_now_iso(now);
        fprintf(stderr, "%s %s %s %d %.1fms %s%s\n", now, req->method,
                req->log_path[0] ? req->log_path : "-", req->ctx.status, ms,
                req->ctx.user &&
                        !(req->ctx.route && (req->ctx.route->flags & HTTP_NO_ACCOUNT_TRACE))
                    ? req->ctx.user->name
                    : "-",
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
    }
    http_request_free(req);
    atomic_fetch_add(&s->requests, 1);
    atomic_fetch_sub(&s->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    (void)cls;
    (void)conn;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = ph_calloc(1, sizeof(http_conn));
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    (void)cls;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    http_conn *hc = info ? info->socket_context : NULL;
    if (hc) {
        size_t n = strlen(uri);
        hc->too_long = n > HTTP_URI_MAX;
        hc->len = hc->too_long ? 0 : n;
        memcpy(hc->uri, uri, hc->len);
        hc->uri[hc->len] = '\0';
    }
    return NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    fprintf(stderr, "penholder serve: ");
    vfprintf(stderr, fmt, ap);
}

/* ---- start and stop ---- */

/* "127.0.0.1:8080", "[::1]:8080", "localhost:0". */
static int listen_address(const char *listen, struct sockaddr_storage *addr, socklen_t *addr_len,
                          ph_err *err) {
    char host[256];
    const char *port;
    if (listen[0] == '[') {
        const char *close_bracket = strchr(listen, ']');
        if (!close_bracket || close_bracket[1] != ':' ||
            (size_t)(close_bracket - listen) >= sizeof host)
            return ph_fail(err, PH_EUSAGE, "--listen '%s': expected [ADDRESS]:PORT", listen);
        memcpy(host, listen + 1, (size_t)(close_bracket - listen - 1));
        host[close_bracket - listen - 1] = '\0';
        port = close_bracket + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return ph_fail(err, PH_EUSAGE, "--listen '%s': expected ADDRESS:PORT", listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    int64_t p;
    if (ph_parse_i64(port, &p) || p < 0 || p > 65535)
        return ph_fail(err, PH_EUSAGE, "--listen '%s': the port must be 0 to 65535", listen);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc != 0 || !res)
        return ph_fail(err, PH_EUSAGE, "--listen '%s': %s", listen, gai_strerror(rc));
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return PH_OK;
}

static void server_free(http_server *s) {
    if (!s) return;
    for (size_t i = 0; i < s->nstores; i++)
        store_close(s->stores[i]);
    free(s->stores);
    pthread_key_delete(s->store_key);
    pthread_mutex_destroy(&s->stores_lock);
    http_router_free(s->router);
    free(s->db_path);
    free(s->web_root);
    free(s->listen);
    free(s);
}

int http_server_start(const http_server_config *c, http_server **out, ph_err *err) {
    *out = NULL;
    if (c->threads < 1 || c->threads > 64)
        return ph_fail(err, PH_EUSAGE, "--threads must be 1 to 64");
    store *probe;
    if (store_open(c->db_path, 0, &probe, err)) return err->rc;
    store_close(probe);

    http_server *s = ph_calloc(1, sizeof *s);
    s->config = *c;
    s->db_path = ph_strdup(c->db_path);
    s->listen = ph_strdup(c->listen);
    s->config.db_path = s->db_path;
    s->config.listen = s->listen;
    s->config.web_root = NULL;
    pthread_key_create(&s->store_key, NULL);
    pthread_mutex_init(&s->stores_lock, NULL);
    if (c->web_root && *c->web_root) {
        char resolved[PATH_MAX];
        if (!realpath(c->web_root, resolved)) {
            int e = errno;
            server_free(s);
            return ph_fail(err, PH_ERR, "web root %s: %s", c->web_root, strerror(e));
        }
        s->web_root = ph_strdup(resolved);
        s->config.web_root = s->web_root;
    }
    s->router = http_router_new();
    if (http_routes_register(s->router, err)) {
        server_free(s);
        return PH_ERR;
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (listen_address(c->listen, &addr, &addr_len, err)) {
        server_free(s);
        return err->rc;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->connection_limit, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)c->connection_timeout, MHD_OPTION_END);
    if (!s->daemon) {
        int e = errno;
        server_free(s);
        return ph_fail(err, PH_ERR, "cannot listen on %s: %s", c->listen,
                       e ? strerror(e) : "the server did not start");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    char host[INET6_ADDRSTRLEN + 2] = "";
    if (addr.ss_family == AF_INET6) {
        char a[INET6_ADDRSTRLEN];
        getnameinfo((struct sockaddr *)&addr, addr_len, a, sizeof a, NULL, 0, NI_NUMERICHOST);
        snprintf(host, sizeof host, "[%s]", a);
    } else {
        getnameinfo((struct sockaddr *)&addr, addr_len, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    }
    snprintf(s->url, sizeof s->url, "http://%s:%u", host, port);
    *out = s;
    return PH_OK;
}

uint64_t http_server_stop(http_server *s) {
    if (!s) return 0;
    atomic_store(&s->stopping, 1);
    MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
    struct timespec begin, now;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    for (;;) {
        if (atomic_load(&s->in_flight) <= 0) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - begin.tv_sec >= (time_t)s->config.grace_seconds) {
            fprintf(stderr,
                    "penholder serve: %ld requests still in flight after %us; closing them\n",
                    atomic_load(&s->in_flight), s->config.grace_seconds);
            break;
        }
        struct timespec pause = {0, DRAIN_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(s->daemon);
    if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
    uint64_t served = atomic_load(&s->requests);
    server_free(s);
    return served;
}
