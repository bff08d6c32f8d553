/* Fuzzes request targets and query strings: any bytes give a decoded path
 * and parameters within their caps, or a clean error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    ph_err err = {0};
    http_query q;
    if (http_query_parse(s, size, &q, &err) == PH_OK) {
        if (q.count > HTTP_QUERY_MAX_PARAMS) __builtin_trap();
        for (size_t i = 0; i < q.count; i++) {
            size_t n = strlen(q.names[i]), v = strlen(q.values[i]);
            if (n == 0 || n > HTTP_QUERY_VALUE_MAX || v > HTTP_QUERY_VALUE_MAX) __builtin_trap();
            if (!http_text_ok(q.names[i], n) || !http_text_ok(q.values[i], v)) __builtin_trap();
            if (http_query_get(&q, q.names[i]) != q.values[i])
                __builtin_trap(); /* names are unique */
        }
        http_query_free(&q);
    } else if (q.count != 0 || !err.msg[0]) {
        __builtin_trap();
    }

    char *path;
    const char *query;
    size_t query_len;
    if (http_target_parse(s, size, &path, &query, &query_len, &err) == PH_OK) {
        if (path[0] != '/' || !http_text_ok(path, strlen(path))) __builtin_trap();
        if (query && (query < s || query + query_len > s + size)) __builtin_trap();
        free(path);
    } else if (path) {
        __builtin_trap();
    }
    return 0;
}
