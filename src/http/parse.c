/* Request parsing without a socket: targets, query strings, headers. Every
 * function takes a pointer and a length and never reads past it. */
#include "http.h"

#include <string.h>

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* UTF-8 without control characters; tab and newline only when allowed. */
static int text_ok(const char *s, size_t len, int allow_tab_newline) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && !(allow_tab_newline && (c == '\t' || c == '\n'))) || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        if (len - i <= n) return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

int http_text_ok(const char *s, size_t len) {
    return text_ok(s, len, 1);
}

/* Percent-decodes s[0..len) into a new string. '+' means space when
 * plus_is_space (query strings). Refuses bad escapes, NUL and, when
 * no_slash, an encoded '/'. */
static char *decode(const char *s, size_t len, int plus_is_space, int no_slash, size_t *out_len,
                    ph_err *err) {
    char *out = ph_malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3 || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) {
                free(out);
                ph_fail(err, PH_ERR, "bad percent-escape at byte %zu", i + 1);
                return NULL;
            }
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            if (c == '\0' || (no_slash && c == '/')) {
                free(out);
                ph_fail(err, PH_ERR, c ? "encoded '/' in the path" : "encoded NUL");
                return NULL;
            }
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == '\0') {
            free(out);
            ph_fail(err, PH_ERR, "NUL byte");
            return NULL;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (!text_ok(out, o, 0)) {
        free(out);
        ph_fail(err, PH_ERR, "control characters or invalid UTF-8");
        return NULL;
    }
    *out_len = o;
    return out;
}

int http_target_parse(const char *uri, size_t len, char **path, const char **query,
                      size_t *query_len, ph_err *err) {
    *path = NULL;
    *query = NULL;
    *query_len = 0;
    if (len > HTTP_URI_MAX)
        return ph_fail(err, PH_ERR, "request target longer than %d bytes", HTTP_URI_MAX);
    if (len == 0 || uri[0] != '/')
        return ph_fail(err, PH_ERR, "the request target must start with '/'");
    size_t path_len = len;
    const char *q = memchr(uri, '?', len);
    if (q) {
        path_len = (size_t)(q - uri);
        *query = q + 1;
        *query_len = len - path_len - 1;
    }
    if (memchr(uri, '#', len))
        return ph_fail(err, PH_ERR, "a fragment ('#') in the request target");
    for (size_t i = 0; i < path_len; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return ph_fail(err, PH_ERR, "byte %zu of the path is not allowed unencoded", i + 1);
    }
    size_t n;
    char *p = decode(uri, path_len, 0, 1, &n, err);
    if (!p) return ph_err_prefix(err, "path: ");
    *path = p;
    return PH_OK;
}

void http_query_free(http_query *q) {
    for (size_t i = 0; i < q->count; i++) {
        free(q->names[i]);
        free(q->values[i]);
    }
    q->count = 0;
}

const char *http_query_get(const http_query *q, const char *name) {
    for (size_t i = 0; i < q->count; i++)
        if (strcmp(q->names[i], name) == 0) return q->values[i];
    return NULL;
}

int http_query_parse(const char *s, size_t len, http_query *q, ph_err *err) {
    memset(q, 0, sizeof *q);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            if (q->count == HTTP_QUERY_MAX_PARAMS) {
                http_query_free(q);
                return ph_fail(err, PH_ERR, "more than %d query parameters", HTTP_QUERY_MAX_PARAMS);
            }
            const char *eq = memchr(s + i, '=', end - i);
            size_t name_end = eq ? (size_t)(eq - s) : end;
            size_t nlen, vlen;
            if (name_end - i > 3 * HTTP_QUERY_VALUE_MAX ||
                (eq && end - name_end - 1 > 3 * HTTP_QUERY_VALUE_MAX)) {
                http_query_free(q);
                return ph_fail(err, PH_ERR, "a query parameter longer than %d bytes",
                               HTTP_QUERY_VALUE_MAX);
            }
            char *name = decode(s + i, name_end - i, 1, 0, &nlen, err);
            if (!name) {
                http_query_free(q);
                return ph_err_prefix(err, "query: ");
            }
            char *value = eq ? decode(eq + 1, end - name_end - 1, 1, 0, &vlen, err) : ph_strdup("");
            if (!value) {
                ph_err_prefix(err, "query parameter '%.40s': ", name);
                free(name);
                http_query_free(q);
                return PH_ERR;
            }
            if (!eq) vlen = 0;
            if (nlen == 0 || nlen > HTTP_QUERY_VALUE_MAX || vlen > HTTP_QUERY_VALUE_MAX) {
                int empty = nlen == 0;
                free(name);
                free(value);
                http_query_free(q);
                return empty ? ph_fail(err, PH_ERR, "a query parameter without a name")
                             : ph_fail(err, PH_ERR, "a query parameter longer than %d bytes",
                                       HTTP_QUERY_VALUE_MAX);
            }
            if (http_query_get(q, name)) {
                ph_fail(err, PH_ERR, "query parameter '%.40s' given more than once", name);
                free(name);
                free(value);
                http_query_free(q);
                return PH_ERR;
            }
            q->names[q->count] = name;
            q->values[q->count] = value;
            q->count++;
        }
        i = end + 1;
    }
    return PH_OK;
}

static int is_space(char c) {
    return c == ' ' || c == '\t';
}

static int is_token68(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

int http_cookie_find(const char *header, size_t len, const char *name, const char **value,
                     size_t *value_len) {
    size_t name_len = strlen(name);
    size_t i = 0;
    while (i < len) {
        while (i < len && (is_space(header[i]) || header[i] == ';'))
            i++;
        size_t start = i;
        while (i < len && header[i] != ';')
            i++;
        /* One cookie-pair: start..i */
        const char *eq = memchr(header + start, '=', i - start);
        if (!eq) continue;
        size_t nlen = (size_t)(eq - (header + start));
        while (nlen && is_space(header[start + nlen - 1]))
            nlen--;
        if (nlen == name_len && memcmp(header + start, name, name_len) == 0) {
            const char *v = eq + 1;
            size_t vlen = (size_t)(header + i - v);
            while (vlen && is_space(*v))
                v++, vlen--;
            while (vlen && is_space(v[vlen - 1]))
                vlen--;
            if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') v++, vlen -= 2;
            *value = v;
            *value_len = vlen;
            return 1;
        }
    }
    return 0;
}

int http_bearer_parse(const char *header, size_t len, const char **token, size_t *token_len) {
    static const char scheme[] = "bearer";
    size_t n = sizeof scheme - 1;
    if (len <= n || !is_space(header[n])) return PH_ERR;
    for (size_t i = 0; i < n; i++) {
        char c = header[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != scheme[i]) return PH_ERR;
    }
    size_t i = n;
    while (i < len && is_space(header[i]))
        i++;
    size_t start = i;
    /* token68: ALPHA DIGIT - . _ ~ + / then '=' padding */
    while (i < len && is_token68(header[i]))
        i++;
    while (i < len && header[i] == '=')
        i++;
    size_t end = i;
    while (i < len && is_space(header[i]))
        i++;
    if (i != len || end == start) return PH_ERR;
    *token = header + start;
    *token_len = end - start;
    return PH_OK;
}

int http_if_match(const char *header, size_t len, const char *etag) {
    size_t etag_len = strlen(etag);
    size_t i = 0;
    int any = 0;
    while (i < len) {
        while (i < len && (is_space(header[i]) || header[i] == ','))
            i++;
        if (i >= len) break;
        any = 1;
        if (header[i] == '*') {
            i++;
            while (i < len && is_space(header[i]))
                i++;
            if (i < len && header[i] != ',') return HTTP_IF_MATCH_INVALID;
            return HTTP_IF_MATCH_OK;
        }
        int weak = 0;
        if (len - i >= 2 && header[i] == 'W' && header[i + 1] == '/') weak = 1, i += 2;
        if (i >= len || header[i] != '"') return HTTP_IF_MATCH_INVALID;
        size_t start = i;
        i++;
        while (i < len && header[i] != '"') {
            unsigned char c = (unsigned char)header[i];
            if (c < 0x21 || c == 0x7f) return HTTP_IF_MATCH_INVALID;
            i++;
        }
        if (i >= len) return HTTP_IF_MATCH_INVALID;
        i++; /* closing quote */
        size_t tag_len = i - start;
        if (!weak && tag_len == etag_len && memcmp(header + start, etag, etag_len) == 0)
            return HTTP_IF_MATCH_OK;
        while (i < len && is_space(header[i]))
            i++;
        if (i < len && header[i] != ',') return HTTP_IF_MATCH_INVALID;
    }
    return any ? HTTP_IF_MATCH_STALE : HTTP_IF_MATCH_INVALID;
}

int http_media_type_is(const char *header, size_t len, const char *type) {
    size_t i = 0;
    while (i < len && is_space(header[i]))
        i++;
    size_t tlen = strlen(type);
    if (len - i < tlen) return 0;
    for (size_t k = 0; k < tlen; k++) {
        char c = header[i + k];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != type[k]) return 0;
    }
    i += tlen;
    while (i < len && is_space(header[i]))
        i++;
    return i == len || header[i] == ';';
}
