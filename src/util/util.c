#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utf8proc.h>

/* ---- errors ---- */

int ph_fail(ph_err *err, int rc, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->rc = rc;
    }
    return rc;
}

int ph_err_prefix(ph_err *err, const char *fmt, ...) {
    if (!err) return PH_ERR;
    char prefix[PH_ERR_MAX];
    char old[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = ph_strlcpy(err->msg, prefix, sizeof err->msg);
    if (n < sizeof err->msg) ph_strlcpy(err->msg + n, old, sizeof err->msg - n);
    return err->rc ? err->rc : PH_ERR;
}

void ph_err_clear(ph_err *err) {
    if (err) {
        err->rc = PH_OK;
        err->msg[0] = '\0';
    }
}

/* ---- allocation ---- */

static void oom(size_t n) {
    fprintf(stderr, "penholder: out of memory allocating %zu bytes\n", n);
    abort();
}

void *ph_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *ph_calloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *ph_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *ph_strdup(const char *s) {
    return ph_strndup(s, strlen(s));
}

char *ph_strndup(const char *s, size_t n) {
    char *p = ph_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ph_asprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *s = ph_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void *ph_grow(void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2) oom(SIZE_MAX);
        n *= 2;
    }
    if (size && n > SIZE_MAX / size) oom(SIZE_MAX);
    p = ph_realloc(p, n * size);
    *cap = n;
    return p;
}

/* ---- ph_buf ---- */

void ph_buf_init(ph_buf *b) {
    memset(b, 0, sizeof *b);
}

void ph_buf_free(ph_buf *b) {
    free(b->data);
    ph_buf_init(b);
}

void ph_buf_reset(ph_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int ph_buf_append(ph_buf *b, const char *s, size_t n) {
    if (b->cap_limit && b->len + n > b->cap_limit) return PH_ERR;
    if (b->len + n + 1 > b->cap) b->data = ph_grow(b->data, &b->cap, b->len + n + 1, 1);
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return PH_OK;
}

int ph_buf_puts(ph_buf *b, const char *s) {
    return ph_buf_append(b, s, strlen(s));
}

int ph_buf_putc(ph_buf *b, char c) {
    return ph_buf_append(b, &c, 1);
}

int ph_buf_printf(ph_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return PH_ERR;
    if (b->cap_limit && b->len + (size_t)n > b->cap_limit) return PH_ERR;
    if (b->len + (size_t)n + 1 > b->cap)
        b->data = ph_grow(b->data, &b->cap, b->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return PH_OK;
}

char *ph_buf_steal(ph_buf *b) {
    char *s = b->data ? b->data : ph_strdup("");
    ph_buf_init(b);
    return s;
}

/* ---- strings ---- */

int ph_streq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

int ph_strcaseeq(const char *a, const char *b) {
    if (!a || !b) return a == b;
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

char *ph_trim(char *s) {
    char *start = s;
    while (*start && isspace((unsigned char)*start))
        start++;
    size_t n = strlen(start);
    while (n && isspace((unsigned char)start[n - 1]))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

size_t ph_strlcpy(char *dst, const char *src, size_t dst_size) {
    size_t n = strlen(src);
    if (dst_size) {
        size_t c = n < dst_size - 1 ? n : dst_size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

int ph_memeq_const(const void *a, const void *b, size_t n) {
    return sodium_memcmp(a, b, n) == 0;
}

/* ---- numbers ---- */

int ph_parse_i64(const char *s, int64_t *out) {
    if (!s || !*s || isspace((unsigned char)*s)) return PH_ERR;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return PH_ERR;
    *out = v;
    return PH_OK;
}

int ph_parse_double(const char *s, double *out) {
    if (!s || !*s || isspace((unsigned char)*s)) return PH_ERR;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return PH_ERR;
    *out = v;
    return PH_OK;
}

int ph_parse_pounds(const char *s, int64_t *pence) {
    if (!s || !*s) return PH_ERR;
    const char *p = s;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!isdigit((unsigned char)*p)) return PH_ERR;
    int64_t whole = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (INT64_MAX / 100 - 9) / 10) return PH_ERR;
        whole = whole * 10 + (*p - '0');
    }
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; isdigit((unsigned char)*p); p++, digits++) {
            if (digits >= 2) return PH_ERR;
            frac = frac * 10 + (*p - '0');
        }
        if (digits == 0) return PH_ERR;
        if (digits == 1) frac *= 10;
    }
    if (*p) return PH_ERR;
    *pence = (neg ? -1 : 1) * (whole * 100 + frac);
    return PH_OK;
}

/* ---- dates ----
 * Days from civil, after Howard Hinnant's public-domain algorithm. */

int32_t ph_date_from_ymd(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void ph_date_to_ymd(int32_t days, int *y, int *m, int *d) {
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

static int days_in_month(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

int ph_date_parse(const char *s, int32_t *days) {
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return PH_ERR;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return PH_ERR;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return PH_ERR;
    *days = ph_date_from_ymd(y, m, d);
    return PH_OK;
}

void ph_date_format(int32_t days, char out[11]) {
    int y, m, d;
    ph_date_to_ymd(days, &y, &m, &d);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    ph_strlcpy(out, tmp, 11);
}

int32_t ph_date_today(void) {
    return (int32_t)(time(NULL) / 86400);
}

int ph_date_weekday(int32_t days) {
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (int)((days % 7 + 7 + 3) % 7);
    return w;
}

void ph_now_iso(char out[21]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- hashing ---- */

void ph_hex(const unsigned char *bytes, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void ph_sha256_hex(const void *data, size_t len, char out[PH_SHA256_HEX]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    ph_hex(h, sizeof h, out);
}

int ph_sha256_file(const char *path, char out[PH_SHA256_HEX], ph_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return ph_fail(err, PH_ERR, "%s: %s", path, strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        crypto_hash_sha256_update(&st, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) return ph_fail(err, PH_ERR, "%s: read error", path);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    ph_hex(h, sizeof h, out);
    return PH_OK;
}

/* ---- files ---- */

int ph_read_file(const char *path, size_t max_len, char **out, size_t *out_len, ph_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return ph_fail(err, PH_ERR, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return ph_fail(err, PH_ERR, "%s: is a directory", path);
    }
    ph_buf b;
    ph_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max_len) {
            fclose(f);
            ph_buf_free(&b);
            return ph_fail(err, PH_ERR, "%s: larger than the limit of %zu bytes", path, max_len);
        }
        ph_buf_append(&b, chunk, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        ph_buf_free(&b);
        return ph_fail(err, PH_ERR, "%s: read error", path);
    }
    *out_len = b.len;
    *out = ph_buf_steal(&b);
    return PH_OK;
}

const ph_embedded *ph_embedded_find(const char *name) {
    for (size_t i = 0; i < ph_embedded_count; i++)
        if (strcmp(ph_embedded_files[i].name, name) == 0) return &ph_embedded_files[i];
    return NULL;
}

/* ---- map ---- */

uint64_t ph_hash(const void *data, size_t len) {
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void ph_map_init(ph_map *m) {
    memset(m, 0, sizeof *m);
}

void ph_map_free(ph_map *m) {
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->values);
    ph_map_init(m);
}

static size_t map_slot(const ph_map *m, const char *key) {
    size_t mask = m->cap - 1;
    size_t i = (size_t)ph_hash(key, strlen(key)) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

void ph_map_put(ph_map *m, const char *key, int64_t value) {
    if ((m->count + 1) * 4 >= m->cap * 3) {
        ph_map old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = ph_calloc(m->cap, sizeof *m->keys);
        m->values = ph_calloc(m->cap, sizeof *m->values);
        m->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) {
                size_t s = map_slot(m, old.keys[i]);
                m->keys[s] = old.keys[i];
                m->values[s] = old.values[i];
                m->count++;
            }
        free(old.keys);
        free(old.values);
    }
    size_t s = map_slot(m, key);
    if (!m->keys[s]) {
        m->keys[s] = ph_strdup(key);
        m->count++;
    }
    m->values[s] = value;
}

int ph_map_get(const ph_map *m, const char *key, int64_t *value) {
    if (!m->cap) return 0;
    size_t s = map_slot(m, key);
    if (!m->keys[s]) return 0;
    if (value) *value = m->values[s];
    return 1;
}

/* ---- folding ---- */

char *ph_fold(const char *s) {
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &mapped,
                                      UTF8PROC_NULLTERM | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                          UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) return NULL;
    ph_buf b;
    ph_buf_init(&b);
    int pending_space = 0;
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(mapped + i, n - i, &cp);
        if (len <= 0) break;
        utf8proc_category_t cat = utf8proc_category(cp);
        int keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                   (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        if (keep) {
            if (pending_space && b.len) ph_buf_putc(&b, ' ');
            pending_space = 0;
            ph_buf_append(&b, (const char *)mapped + i, (size_t)len);
        } else {
            pending_space = 1;
        }
        i += len;
    }
    free(mapped);
    return ph_buf_steal(&b);
}
