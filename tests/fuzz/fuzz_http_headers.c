/* Fuzzes the header parsers: Cookie, Authorization: Bearer, If-Match and
 * Content-Type. Whatever they return points inside the header. */
#include <stdint.h>
#include <string.h>

#include "http/http.h"

static void inside(const char *p, size_t n, const char *h, size_t len) {
    if (p < h || p + n > h + len) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *h = (const char *)data;
    const char *v;
    size_t n;
    if (http_cookie_find(h, size, "penholder_session", &v, &n)) inside(v, n, h, size);
    if (http_cookie_find(h, size, "a", &v, &n)) inside(v, n, h, size);
    if (http_bearer_parse(h, size, &v, &n) == PH_OK) {
        inside(v, n, h, size);
        if (n == 0 || memchr(v, ' ', n)) __builtin_trap();
    }
    int m = http_if_match(h, size, "\"0123456789abcdef0123456789abcdef\"");
    if (m != HTTP_IF_MATCH_OK && m != HTTP_IF_MATCH_STALE && m != HTTP_IF_MATCH_INVALID)
        __builtin_trap();
    if (size == 1 && h[0] == '*' && m != HTTP_IF_MATCH_OK) __builtin_trap();
    (void)http_media_type_is(h, size, "application/json");
    (void)http_text_ok(h, size);
    return 0;
}
