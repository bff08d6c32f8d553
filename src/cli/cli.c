#include "cli.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_common_option(cli_common *c, int opt, const char *arg) {
    switch (opt) {
    case 1000: c->db = arg; return 1;
    case 1001: c->json = 1; return 1;
    case 'h': c->help = 1; return 1;
    default: return 0;
    }
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts) {
    return getopt_long(argc, argv, shortopts, longopts, NULL);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "penholder %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'penholder %s --help'.\n", cmd);
    va_end(ap);
    return 2;
}

int cli_bad_option(const char *cmd) {
    /* getopt has already printed what was wrong. */
    fprintf(stderr, "Try 'penholder %s --help'.\n", cmd);
    return 2;
}

int cli_fail(const ph_err *err) {
    fprintf(stderr, "penholder: %s\n", err->msg[0] ? err->msg : "failed");
    return err->rc == PH_EUSAGE ? 2 : 1;
}

const char *cli_default_actor(void) {
    const char *env = getenv("PENHOLDER_ACTOR");
    if (env && *env) return env;
    struct passwd *pw = getpwuid(geteuid());
    return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
}

int cli_open_db(const cli_common *c, int flags, store **db, ph_err *err) {
    return store_open(store_default_path(c->db), flags, db, err);
}

void cli_print_json(json_t *j) {
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(j);
}

/* ---- tables ---- */

struct cli_table {
    size_t ncols;
    char **headers;
    char **cells; /* rows * ncols */
    size_t nrows, cap;
};

cli_table *cli_table_new(size_t ncols, const char *const *headers) {
    cli_table *t = ph_calloc(1, sizeof *t);
    t->ncols = ncols;
    t->headers = ph_calloc(ncols, sizeof *t->headers);
    for (size_t i = 0; i < ncols; i++)
        t->headers[i] = ph_strdup(headers[i]);
    return t;
}

void cli_table_add(cli_table *t, const char *const *cells) {
    t->cells = ph_grow(t->cells, &t->cap, (t->nrows + 1) * t->ncols, sizeof *t->cells);
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = ph_strdup(cells[i] ? cells[i] : "");
    t->nrows++;
}

/* Display width of UTF-8 text: counts code points, not bytes. */
static size_t text_width(const char *s) {
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void put_cell(FILE *out, const char *s, size_t width, int right, int last) {
    size_t w = text_width(s);
    size_t pad = width > w ? width - w : 0;
    if (right)
        for (size_t i = 0; i < pad; i++)
            fputc(' ', out);
    fputs(s, out);
    if (!right && !last)
        for (size_t i = 0; i < pad; i++)
            fputc(' ', out);
}

void cli_table_print(cli_table *t, FILE *out) {
    size_t *width = ph_calloc(t->ncols, sizeof *width);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *h = t->headers[c][0] == '>' ? t->headers[c] + 1 : t->headers[c];
        width[c] = text_width(h);
        for (size_t r = 0; r < t->nrows; r++) {
            size_t w = text_width(t->cells[r * t->ncols + c]);
            if (w > width[c]) width[c] = w;
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        int right = t->headers[c][0] == '>';
        if (c) fputs("  ", out);
        put_cell(out, right ? t->headers[c] + 1 : t->headers[c], width[c], right,
                 c + 1 == t->ncols);
    }
    fputc('\n', out);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) fputs("  ", out);
            put_cell(out, t->cells[r * t->ncols + c], width[c], t->headers[c][0] == '>',
                     c + 1 == t->ncols);
        }
        fputc('\n', out);
    }
    free(width);
}

void cli_table_free(cli_table *t) {
    if (!t) return;
    for (size_t i = 0; i < t->ncols; i++)
        free(t->headers[i]);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->headers);
    free(t->cells);
    free(t);
}

void cli_format_int(int64_t v, char *out, size_t size) {
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t n = strlen(digits), o = 0;
    char tmp[48];
    if (v < 0) tmp[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    ph_strlcpy(out, tmp, size);
}

static int progress_enabled(void) {
    const char *e = getenv("PENHOLDER_PROGRESS");
    if (e) return strcmp(e, "1") == 0;
    return isatty(2);
}

void cli_progress(const char *label, uint64_t done, uint64_t total) {
    if (!progress_enabled()) return;
    char a[32], b[32];
    cli_format_int((int64_t)done, a, sizeof a);
    if (total) {
        cli_format_int((int64_t)total, b, sizeof b);
        fprintf(stderr, "\r%s: %3d%% (%s of %s)", label,
                (int)(100.0 * (double)done / (double)total), a, b);
    } else {
        fprintf(stderr, "\r%s: %s", label, a);
    }
    fflush(stderr);
}

void cli_progress_done(const char *label) {
    if (!progress_enabled()) return;
    fprintf(stderr, "\r%s: done\033[K\n", label);
}
