/* Dates of birth as lists write them, and what OFAC remarks say. Pure. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lists/parse.h"

/* ---- dates ---- */

static const char *const month_names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};

/* 1..12 for an English month name or its first three letters, else 0. */
static int month_number(const char *s, size_t n) {
    static const char *const full[12] = {"january",   "february", "march",    "april",
                                         "may",       "june",     "july",     "august",
                                         "september", "october",  "november", "december"};
    if (n < 3) return 0;
    for (int m = 0; m < 12; m++) {
        if (n == 3 && strncasecmp(s, month_names[m], 3) == 0) return m + 1;
        if (n == 4 && m == 8 && strncasecmp(s, "sept", 4) == 0) return 9;
        if (n == strlen(full[m]) && strncasecmp(s, full[m], n) == 0) return m + 1;
    }
    return 0;
}

static int all_digits(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

static int number(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Years a date of birth can plausibly have. */
#define DOB_YEAR_MIN 1800
#define DOB_YEAR_MAX 2100

static int write_date(int y, int m, int d, char out[11]) {
    if (y < DOB_YEAR_MIN || y > DOB_YEAR_MAX) return PH_ERR;
    if (m == 0) {
        snprintf(out, 11, "%04d", y);
        return PH_OK;
    }
    if (m < 1 || m > 12) return PH_ERR;
    if (d == 0) {
        snprintf(out, 11, "%04d-%02d", y, m);
        return PH_OK;
    }
    char tmp[11];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    int32_t days;
    if (ph_date_parse(tmp, &days)) return PH_ERR;
    memcpy(out, tmp, 11);
    return PH_OK;
}

/* Words of a date: up to 3 tokens split on spaces, '-', '/', ',' and '.'. */
typedef struct date_tokens {
    const char *p[4];
    size_t n[4];
    char sep[4]; /* separator that followed each token */
    int count;
} date_tokens;

static int tokenize(const char *s, size_t len, date_tokens *t) {
    memset(t, 0, sizeof *t);
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == ',' || s[i] == '.'))
            i++;
        if (i >= len) break;
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '-' && s[i] != '/' && s[i] != ',' && s[i] != '.')
            i++;
        if (i == start) return PH_ERR; /* a lone separator */
        if (t->count == 4) return PH_ERR;
        t->p[t->count] = s + start;
        t->n[t->count] = i - start;
        t->sep[t->count] = i < len ? s[i] : 0;
        t->count++;
        if (i < len && (s[i] == '-' || s[i] == '/')) i++;
    }
    return t->count ? PH_OK : PH_ERR;
}

int lists_date_normalise(const char *text, char out[11]) {
    out[0] = 0;
    while (*text == ' ')
        text++;
    /* "circa 1958", "approximately 1958", "c. 1958", "ca. 1958", "about 1958" */
    static const char *const prefixes[] = {
        "circa ", "approximately ", "approx. ", "approx ", "about ", "ca. ", "ca ", "c. ", "c.",
        "~"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(text, prefixes[i], n) == 0) {
            text += n;
            while (*text == ' ')
                text++;
            break;
        }
    }
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '.'))
        len--;
    if (len == 0 || len > 40) return PH_ERR;
    /* ISO with a time part ("1971-01-22T00:00:00"): keep the date. */
    if (len > 10 && text[10] == 'T' && text[4] == '-') len = 10;
    date_tokens t;
    if (tokenize(text, len, &t)) return PH_ERR;
    if (t.count == 1 && t.n[0] == 4 && all_digits(t.p[0], 4))
        return write_date(number(t.p[0], 4), 0, 0, out);
    if (t.count == 2) {
        /* 1960-03 */
        if (t.n[0] == 4 && all_digits(t.p[0], 4) && t.n[1] <= 2 && all_digits(t.p[1], t.n[1]) &&
            t.sep[0] == '-')
            return write_date(number(t.p[0], 4), number(t.p[1], t.n[1]), 0, out);
        /* Mar 1960 */
        int m = month_number(t.p[0], t.n[0]);
        if (m && t.n[1] == 4 && all_digits(t.p[1], 4))
            return write_date(number(t.p[1], 4), m, 0, out);
        return PH_ERR;
    }
    if (t.count == 3) {
        /* 1960-03-31 */
        if (t.n[0] == 4 && all_digits(t.p[0], 4) && all_digits(t.p[1], t.n[1]) && t.n[1] <= 2 &&
            all_digits(t.p[2], t.n[2]) && t.n[2] <= 2)
            return write_date(number(t.p[0], 4), number(t.p[1], t.n[1]), number(t.p[2], t.n[2]),
                              out);
        /* 31 Mar 1960 */
        int m = month_number(t.p[1], t.n[1]);
        if (m && all_digits(t.p[0], t.n[0]) && t.n[0] <= 2 && t.n[2] == 4 && all_digits(t.p[2], 4))
            return write_date(number(t.p[2], 4), m, number(t.p[0], t.n[0]), out);
        /* Mar 31 1960 */
        m = month_number(t.p[0], t.n[0]);
        if (m && all_digits(t.p[1], t.n[1]) && t.n[1] <= 2 && t.n[2] == 4 && all_digits(t.p[2], 4))
            return write_date(number(t.p[2], 4), m, number(t.p[1], t.n[1]), out);
        /* 03/31/1960: the US order the BIS and CSL files use */
        if (t.sep[0] == '/' && all_digits(t.p[0], t.n[0]) && t.n[0] <= 2 &&
            all_digits(t.p[1], t.n[1]) && t.n[1] <= 2 && t.n[2] == 4 && all_digits(t.p[2], 4))
            return write_date(number(t.p[2], 4), number(t.p[0], t.n[0]), number(t.p[1], t.n[1]),
                              out);
        return PH_ERR;
    }
    return PH_ERR;
}

/* Finds a case-insensitive word in s; returns its offset or -1. */
static long find_word(const char *s, const char *word) {
    size_t n = strlen(word);
    for (const char *p = s; *p; p++)
        if (strncasecmp(p, word, n) == 0) return p - s;
    return -1;
}

int lists_date_range(const char *text, char from[11], char to[11]) {
    from[0] = to[0] = 0;
    size_t len = strlen(text);
    if (len == 0 || len > 80) return 0;
    char buf[81];
    memcpy(buf, text, len + 1);
    /* "between 1958 and 1960" */
    const char *s = buf;
    while (*s == ' ')
        s++;
    if (strncasecmp(s, "between ", 8) == 0) {
        s += 8;
        long at = find_word(s, " and ");
        if (at < 0) return 0;
        char a[81];
        memcpy(a, s, (size_t)at);
        a[at] = 0;
        if (lists_date_normalise(a, from) || lists_date_normalise(s + at + 5, to)) return 0;
        return 2;
    }
    /* "1958 to 1960", "01 Jan 1960 to 31 Dec 1962" */
    long at = find_word(s, " to ");
    if (at >= 0) {
        char a[81];
        memcpy(a, s, (size_t)at);
        a[at] = 0;
        if (lists_date_normalise(a, from) || lists_date_normalise(s + at + 4, to)) {
            from[0] = to[0] = 0;
            return 0;
        }
        return 2;
    }
    if (lists_date_normalise(s, from) == PH_OK) return 1;
    /* "1979-1981", "circa 1979-1981", "1979 - 1981" */
    const char *dash = strchr(s, '-');
    if (dash && !strchr(dash + 1, '-')) {
        char a[81];
        size_t n = (size_t)(dash - s);
        memcpy(a, s, n);
        a[n] = 0;
        const char *b = dash + 1;
        while (*b == ' ')
            b++;
        char tmp[11];
        if (lists_date_normalise(a, from) == PH_OK && strlen(from) == 4 &&
            lists_date_normalise(b, tmp) == PH_OK && strlen(tmp) == 4) {
            memcpy(to, tmp, 11);
            return 2;
        }
    }
    from[0] = to[0] = 0;
    return 0;
}

/* ---- OFAC remarks ---- */

static void push(char ***v, size_t *n, const char *s, size_t len) {
    while (len && (s[len - 1] == ' ' || s[len - 1] == '.'))
        len--;
    while (len && *s == ' ')
        s++, len--;
    if (!len) return;
    for (size_t i = 0; i < *n; i++)
        if (strlen((*v)[i]) == len && memcmp((*v)[i], s, len) == 0) return;
    if (*n >= LISTS_MAX_VALUES) return;
    *v = ph_realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = ph_strndup(s, len);
}

/* Starts with `word` followed by a space (case-insensitive)? */
static int starts(const char *s, size_t n, const char *word) {
    size_t w = strlen(word);
    return n > w && strncasecmp(s, word, w) == 0 && s[w] == ' ';
}

/* The end of the quoted name that starts at s[0] == '\'': the quote that
 * is followed by ';', '.', ',', a space, or the end. Names may hold
 * apostrophes ("O'BRIEN"), so a quote followed by a letter is not the end. */
static const char *quoted_end(const char *s) {
    for (const char *p = s + 1; *p; p++) {
        if (*p != '\'') continue;
        char c = p[1];
        if (c == 0 || c == ';' || c == '.' || c == ',' || c == ' ' || c == ')') return p;
    }
    return NULL;
}

void lists_remarks_parse(const char *remarks, lists_remarks *out) {
    memset(out, 0, sizeof *out);
    if (!remarks) return;
    const char *p = remarks;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!*p) break;
        /* An alias whose quoted name may contain ';'. */
        static const char *const markers[] = {"a.k.a. '", "f.k.a. '", "n.k.a. '"};
        int alias = 0;
        for (size_t i = 0; i < 3; i++)
            if (strncasecmp(p, markers[i], 8) == 0) alias = 1;
        if (alias) {
            const char *q = p + 7;
            const char *end = quoted_end(q);
            if (end) {
                push(&out->aliases, &out->naliases, q + 1, (size_t)(end - q - 1));
                p = end + 1;
                continue;
            }
        }
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        const char *seg = p;
        p += n;
        if (starts(seg, n, "alt.")) seg += 5, n -= 5;
        while (n && seg[n - 1] == ' ')
            n--;
        if (starts(seg, n, "DOB")) {
            char buf[128];
            size_t k = n - 4 < sizeof buf - 1 ? n - 4 : sizeof buf - 1;
            memcpy(buf, seg + 4, k);
            buf[k] = 0;
            char from[11], to[11];
            int got = lists_date_range(buf, from, to);
            if (got >= 1) push(&out->dobs, &out->ndobs, from, strlen(from));
            if (got == 2) push(&out->dobs, &out->ndobs, to, strlen(to));
        } else if (starts(seg, n, "POB")) {
            push(&out->places_of_birth, &out->nplaces_of_birth, seg + 4, n - 4);
        } else if (starts(seg, n, "nationality")) {
            /* "Nationality of Registration Panama" (vessels, companies) */
            const char *v = seg + 12;
            size_t k = n - 12;
            if (k > 16 && strncasecmp(v, "of Registration ", 16) == 0) v += 16, k -= 16;
            push(&out->nationalities, &out->nnationalities, v, k);
        } else if (starts(seg, n, "citizen")) {
            push(&out->nationalities, &out->nnationalities, seg + 8, n - 8);
        } else if (starts(seg, n, "Gender") && !out->gender) {
            size_t k = n - 7;
            while (k && seg[7 + k - 1] == '.')
                k--;
            out->gender = ph_strndup(seg + 7, k);
        }
    }
}

void lists_remarks_free(lists_remarks *r) {
    char **lists[] = {r->dobs, r->nationalities, r->aliases, r->places_of_birth};
    size_t counts[] = {r->ndobs, r->nnationalities, r->naliases, r->nplaces_of_birth};
    for (size_t l = 0; l < 4; l++) {
        for (size_t i = 0; i < counts[l]; i++)
            free(lists[l][i]);
        free(lists[l]);
    }
    free(r->gender);
    memset(r, 0, sizeof *r);
}
