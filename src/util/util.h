/*
 * util — the small things every module needs: error reports, allocation,
 * growable strings, bounded number and date parsing, hashing helpers.
 *
 * Owns no state. Allocation failure aborts the process with a message (as
 * Redis does): there is no sensible recovery from it in a case system, and
 * checking every small allocation would hide the real error paths.
 *
 * Errors: functions that can fail return an int result code (PH_OK on
 * success) and fill a ph_err with a message a user can act on. The message
 * names the input and the place ("register.csv:12: value is not a number").
 */
#ifndef PH_UTIL_H
#define PH_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Result codes. Exit statuses map from them in the CLI (usage -> 2, else 1). */
enum {
    PH_OK = 0,
    PH_ERR = 1,        /* a failure: bad data, I/O, database */
    PH_EUSAGE = 2,     /* the caller asked for something impossible */
    PH_ENOTFOUND = 3,  /* the named object does not exist */
    PH_ECONFLICT = 4,  /* the object's state forbids the operation */
    PH_EBUSY = 5,      /* the database is locked by someone else */
    PH_EFORBIDDEN = 6, /* the actor's role does not allow it */
    PH_ESTALE = 7      /* the object changed since the caller read it (If-Match) */
};

#define PH_ERR_MAX 1024

typedef struct ph_err {
    int rc;
    char msg[PH_ERR_MAX];
} ph_err;

/* Sets err (if not NULL) and returns rc, so callers can `return ph_fail(...)`. */
int ph_fail(ph_err *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with more context ("loading x: " + msg). */
int ph_err_prefix(ph_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ph_err_clear(ph_err *err);

/* Allocation that aborts on failure. Sizes are checked for overflow. */
void *ph_malloc(size_t n);
void *ph_calloc(size_t count, size_t size);
void *ph_realloc(void *p, size_t n);
char *ph_strdup(const char *s);
char *ph_strndup(const char *s, size_t n);
char *ph_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows an array of elements of `size` bytes so that it can hold `need`.
 * `*cap` is updated; the old pointer is no longer valid, use the returned one. */
void *ph_grow(void *p, size_t *cap, size_t need, size_t size);

/* ---- growable string (ph_buf) ----
 * Always NUL-terminated. `cap_limit` (0 = none) bounds growth from untrusted
 * input: appending past it fails with PH_ERR and leaves the buffer as it was. */
typedef struct ph_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t cap_limit;
} ph_buf;

void ph_buf_init(ph_buf *b);
void ph_buf_free(ph_buf *b);
void ph_buf_reset(ph_buf *b);
int ph_buf_append(ph_buf *b, const char *s, size_t n);
int ph_buf_puts(ph_buf *b, const char *s);
int ph_buf_putc(ph_buf *b, char c);
int ph_buf_printf(ph_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller (who frees it); the buffer is empty afterwards. */
char *ph_buf_steal(ph_buf *b);

/* ---- strings ---- */
int ph_streq(const char *a, const char *b);
int ph_strcaseeq(const char *a, const char *b);
/* Trims ASCII whitespace in place; returns s. */
char *ph_trim(char *s);
/* Copies at most dst_size-1 bytes and always terminates. Returns strlen(src). */
size_t ph_strlcpy(char *dst, const char *src, size_t dst_size);
/* Constant-time comparison of two byte strings of equal length. */
int ph_memeq_const(const void *a, const void *b, size_t n);

/* ---- numbers ---- strict: the whole string must be the number. */
int ph_parse_i64(const char *s, int64_t *out);
int ph_parse_double(const char *s, double *out);
/* "1234.56" -> 123456 pence. Accepts an optional fraction of 1 or 2 digits. */
int ph_parse_pounds(const char *s, int64_t *pence);

/* ---- dates ---- Days are counted from 1970-01-01 (proleptic Gregorian). */
int ph_date_parse(const char *s, int32_t *days); /* YYYY-MM-DD, validated */
void ph_date_format(int32_t days, char out[11]);
int32_t ph_date_from_ymd(int y, int m, int d);
void ph_date_to_ymd(int32_t days, int *y, int *m, int *d);
int32_t ph_date_today(void);
int ph_date_weekday(int32_t days); /* 0 = Monday ... 6 = Sunday */
/* Current UTC time as ISO 8601 with seconds: 2026-11-29T14:08:40Z. */
void ph_now_iso(char out[21]);

/* ---- hashing (libsodium) ---- */
#define PH_SHA256_HEX 65
void ph_sha256_hex(const void *data, size_t len, char out[PH_SHA256_HEX]);
int ph_sha256_file(const char *path, char out[PH_SHA256_HEX], ph_err *err);
void ph_hex(const unsigned char *bytes, size_t n, char *out);

/* ---- files ---- */
/* Reads a whole file up to max_len bytes (error beyond). Caller frees *out. */
int ph_read_file(const char *path, size_t max_len, char **out, size_t *out_len, ph_err *err);

/* ---- string -> integer map ----
 * Open addressing with FNV-1a; keys are copied. For lookups built once and
 * read many times (destination aliases, ratings, list identifiers). */
typedef struct ph_map {
    char **keys;
    int64_t *values;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} ph_map;

void ph_map_init(ph_map *m);
void ph_map_free(ph_map *m);
/* Inserts or replaces. */
void ph_map_put(ph_map *m, const char *key, int64_t value);
/* Returns 1 and sets *value when found, else 0. */
int ph_map_get(const ph_map *m, const char *key, int64_t *value);
uint64_t ph_hash(const void *data, size_t len);

/* Folds a name for lookups: Unicode compatibility decomposition, case
 * folding, accents removed, every run of other characters than letters and
 * digits becomes one space, trimmed. "Côte d'Ivoire" -> "cote d ivoire".
 * Returns a new string (caller frees); NULL for invalid UTF-8. */
char *ph_fold(const char *s);

/* ---- files built into the binary ----
 * data/ reference tables, data/policy/ and src/store/sql/ migrations are
 * compiled in (see scripts/embed.c), so the binary needs no data folder. */
typedef struct ph_embedded {
    const char *name; /* path relative to the source tree, e.g. "data/controls.csv" */
    const char *data; /* NUL-terminated */
    size_t len;
} ph_embedded;

extern const ph_embedded ph_embedded_files[];
extern const size_t ph_embedded_count;
const ph_embedded *ph_embedded_find(const char *name);

#endif
