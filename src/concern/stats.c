/* Anonymised statistics of formal concerns, by quarter and category, with
 * small-number suppression (the rule is in docs/concerns.md). Pure: the
 * figures come in as an array, the table goes out as JSON or CSV. */
#include <stdlib.h>
#include <string.h>

#include "concern.h"

/* The counted figures of a row, in output order. */
enum {
    F_RAISED,
    F_ACKNOWLEDGED,
    F_ACK_ON_TIME,
    F_RESPONDED,
    F_RESPONDED_ON_TIME,
    F_UPHELD,
    F_PARTLY_UPHELD,
    F_NOT_UPHELD,
    F_CLOSED,
    F_OPEN,
    F_COUNT
};
static const char *const figure_names[F_COUNT] = {
    "raised", "acknowledged",  "acknowledged_on_time", "responded", "responded_on_time",
    "upheld", "partly_upheld", "not_upheld",           "closed",    "open"};

typedef struct stat_row {
    char quarter[16];  /* 2026-Q3, or "all" */
    char category[32]; /* or "all" */
    int64_t count[F_COUNT];
    int suppressed[F_COUNT];
    int32_t *ack_days, *response_days; /* values for the medians */
    size_t nack, nresponse, cap_ack, cap_response;
    int row_suppressed;
} stat_row;

static void quarter_of(int32_t day, char out[16]) {
    int y, m, d;
    ph_date_to_ymd(day, &y, &m, &d);
    snprintf(out, 16, "%04d-Q%c", y % 10000, (char)('1' + (m - 1) / 3));
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The median of whole days; halves are kept (e.g. 4.5). */
static json_t *median(int32_t *v, size_t n, int min_count) {
    if (n == 0 || (int)n < min_count) return json_null();
    qsort(v, n, sizeof *v, cmp_i32);
    if (n % 2) return json_integer(v[n / 2]);
    double m = ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
    if (m == (double)(int64_t)m) return json_integer((json_int_t)m);
    return json_real(m);
}

static stat_row *row_for(stat_row **rows, size_t *n, size_t *cap, const char *quarter,
                         const char *category) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*rows)[i].quarter, quarter) == 0 && strcmp((*rows)[i].category, category) == 0)
            return &(*rows)[i];
    *rows = ph_grow(*rows, cap, *n + 1, sizeof **rows);
    stat_row *r = &(*rows)[(*n)++];
    memset(r, 0, sizeof *r);
    ph_strlcpy(r->quarter, quarter, sizeof r->quarter);
    ph_strlcpy(r->category, category, sizeof r->category);
    return r;
}

static int cmp_row(const void *a, const void *b) {
    const stat_row *x = a, *y = b;
    int c = strcmp(x->quarter, y->quarter);
    if (c) return c;
    /* "all" after the categories of its quarter */
    int xa = strcmp(x->category, "all") == 0, ya = strcmp(y->category, "all") == 0;
    if (xa != ya) return xa - ya;
    return strcmp(x->category, y->category);
}

static void add_value(int32_t **v, size_t *n, size_t *cap, int32_t x) {
    *v = ph_grow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = x;
}

/* Suppresses the figures of a category row: the whole row when fewer than
 * min_count concerns were raised, else each count from 1 to min_count - 1. */
static void suppress_cell(stat_row *r, int k) {
    if (r->count[F_RAISED] > 0 && r->count[F_RAISED] < k) r->row_suppressed = 1;
    for (int f = 0; f < F_COUNT; f++)
        r->suppressed[f] = r->row_suppressed || (r->count[f] > 0 && r->count[f] < k);
}

/* A total is suppressed when it is small itself, or when exactly one of
 * its parts is suppressed (it could be recovered by subtraction). */
static void suppress_total(stat_row *total, stat_row *const *parts, size_t nparts, int k) {
    for (int f = 0; f < F_COUNT; f++) {
        size_t hidden = 0;
        for (size_t i = 0; i < nparts; i++)
            hidden += parts[i]->suppressed[f] != 0;
        total->suppressed[f] = hidden == 1 || (total->count[f] > 0 && total->count[f] < k);
    }
    total->row_suppressed = total->suppressed[F_RAISED];
    if (total->row_suppressed)
        for (int f = 0; f < F_COUNT; f++)
            total->suppressed[f] = 1;
}

json_t *concern_stats_build(const concern_stat_input *v, size_t n, int min_count) {
    int k = min_count < 2 ? 2 : min_count;
    stat_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    stat_row overall;
    memset(&overall, 0, sizeof overall);
    ph_strlcpy(overall.quarter, "all", sizeof overall.quarter);
    ph_strlcpy(overall.category, "all", sizeof overall.category);
    for (size_t i = 0; i < n; i++) {
        const concern_stat_input *c = &v[i];
        char q[16];
        quarter_of(c->raised, q);
        stat_row *targets[3];
        targets[0] = row_for(&rows, &nrows, &cap, q, c->category);
        targets[1] = row_for(&rows, &nrows, &cap, q, "all");
        targets[0] = row_for(&rows, &nrows, &cap, q, c->category); /* the array may have moved */
        targets[2] = &overall;
        for (int t = 0; t < 3; t++) {
            stat_row *r = targets[t];
            r->count[F_RAISED]++;
            if (c->acknowledged != CONCERN_NO_DATE) {
                r->count[F_ACKNOWLEDGED]++;
                if (c->acknowledged <= c->acknowledge_due) r->count[F_ACK_ON_TIME]++;
                add_value(&r->ack_days, &r->nack, &r->cap_ack, c->acknowledged - c->raised);
            }
            if (c->responded != CONCERN_NO_DATE) {
                r->count[F_RESPONDED]++;
                if (c->responded <= c->respond_due) r->count[F_RESPONDED_ON_TIME]++;
                add_value(&r->response_days, &r->nresponse, &r->cap_response,
                          c->responded - c->raised);
            }
            if (strcmp(c->outcome, "upheld") == 0) r->count[F_UPHELD]++;
            if (strcmp(c->outcome, "partly_upheld") == 0) r->count[F_PARTLY_UPHELD]++;
            if (strcmp(c->outcome, "not_upheld") == 0) r->count[F_NOT_UPHELD]++;
            if (strcmp(c->state, "closed") == 0)
                r->count[F_CLOSED]++;
            else
                r->count[F_OPEN]++;
        }
    }
    if (nrows) qsort(rows, nrows, sizeof *rows, cmp_row);
    /* Cells first, then each quarter's total over its cells, then the
     * overall total over the quarters' totals. */
    for (size_t i = 0; i < nrows; i++)
        if (strcmp(rows[i].category, "all") != 0) suppress_cell(&rows[i], k);
    stat_row **parts = ph_calloc(nrows + 1, sizeof *parts);
    stat_row **quarter_totals = ph_calloc(nrows + 1, sizeof *quarter_totals);
    size_t nquarters = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (strcmp(rows[i].category, "all") != 0) continue;
        size_t np = 0;
        for (size_t j = 0; j < nrows; j++)
            if (j != i && strcmp(rows[j].quarter, rows[i].quarter) == 0) parts[np++] = &rows[j];
        suppress_total(&rows[i], parts, np, k);
        quarter_totals[nquarters++] = &rows[i];
    }
    suppress_total(&overall, quarter_totals, nquarters, k);
    free(parts);
    free(quarter_totals);

    json_t *out = json_object();
    json_object_set_new(out, "min_count", json_integer(k));
    json_t *list = json_array();
    for (size_t i = 0; i <= nrows; i++) {
        stat_row *r = i < nrows ? &rows[i] : &overall;
        if (i == nrows && n == 0) break;
        json_t *o = json_object();
        json_object_set_new(o, "quarter", json_string(r->quarter));
        json_object_set_new(o, "category", json_string(r->category));
        json_t *hidden = json_array();
        for (int f = 0; f < F_COUNT; f++) {
            json_object_set_new(o, figure_names[f],
                                r->suppressed[f] ? json_null() : json_integer(r->count[f]));
            if (r->suppressed[f]) json_array_append_new(hidden, json_string(figure_names[f]));
        }
        json_object_set_new(o, "median_days_to_acknowledge",
                            r->row_suppressed ? json_null() : median(r->ack_days, r->nack, k));
        json_object_set_new(o, "median_days_to_response",
                            r->row_suppressed ? json_null()
                                              : median(r->response_days, r->nresponse, k));
        json_object_set_new(o, "suppressed", hidden);
        json_array_append_new(list, o);
    }
    json_object_set_new(out, "rows", list);
    for (size_t i = 0; i < nrows; i++) {
        free(rows[i].ack_days);
        free(rows[i].response_days);
    }
    free(overall.ack_days);
    free(overall.response_days);
    free(rows);
    return out;
}

void concern_stats_csv(const json_t *stats, FILE *out) {
    int k = (int)json_integer_value(json_object_get(stats, "min_count"));
    fputs("quarter,category", out);
    for (int f = 0; f < F_COUNT; f++)
        fprintf(out, ",%s", figure_names[f]);
    fputs(",median_days_to_acknowledge,median_days_to_response\n", out);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(stats, "rows"), i, r) {
        fprintf(out, "%s,%s", json_string_value(json_object_get(r, "quarter")),
                json_string_value(json_object_get(r, "category")));
        for (int f = 0; f < F_COUNT; f++) {
            json_t *x = json_object_get(r, figure_names[f]);
            if (json_is_null(x))
                fprintf(out, ",<%d", k);
            else
                fprintf(out, ",%lld", (long long)json_integer_value(x));
        }
        const char *medians[] = {"median_days_to_acknowledge", "median_days_to_response"};
        for (int m = 0; m < 2; m++) {
            json_t *x = json_object_get(r, medians[m]);
            if (json_is_integer(x))
                fprintf(out, ",%lld", (long long)json_integer_value(x));
            else if (json_is_real(x))
                fprintf(out, ",%.1f", json_real_value(x));
            else
                fputs(",", out);
        }
        fputs("\n", out);
    }
}
