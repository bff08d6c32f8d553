/* Inside the http module only: the request as the server holds it. Handlers
 * see only its first member, the http_ctx of http.h. */
#ifndef PH_HTTP_INTERNAL_H
#define PH_HTTP_INTERNAL_H

#include <time.h>

#include "http.h"

#define HTTP_MAX_HEADERS 12
#define HTTP_LOG_PATH_MAX 200

typedef struct http_reply_header {
    char *name;
    char *value;
} http_reply_header;

typedef struct http_request {
    http_ctx ctx; /* first: handlers get &req->ctx */
    http_server *server;
    void *connection; /* struct MHD_Connection */
    char method[8];
    char *path;
    char log_path[HTTP_LOG_PATH_MAX + 1]; /* raw path for the access log (no query) */
    struct timespec start;
    ph_buf body;
    int body_too_large;
    int prepared;
    int queued;
    int in_tx;
    auth_user user;
    char session_token[AUTH_TOKEN_MAX]; /* when authenticated by cookie */
    size_t session_len;
    /* the reply */
    int replied;
    char *reply_body;
    size_t reply_len;
    char reply_type[64];
    http_reply_header headers[HTTP_MAX_HEADERS];
    size_t nheaders;
    int is_static;
    int static_fd;
    size_t static_size;
} http_request;

static inline http_request *http_request_of(http_ctx *ctx) {
    return (http_request *)ctx;
}

/* Resets the reply (a failed commit replaces what the handler said). */
void http_reply_reset(http_request *req);
void http_request_free(http_request *req);

/* The embedded API description (docs/openapi.yaml). */
const char *http_openapi_text(size_t *len);

#endif
