#include "calendar.h"

#include <stdlib.h>
#include <string.h>

#include "csv/csv.h"

struct calendar {
    int32_t *holidays; /* sorted */
    size_t n, cap;
};

static int cmp_day(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int calendar_load(const char *name, calendar **out, ph_err *err) {
    *out = NULL;
    const ph_embedded *f = ph_embedded_find("data/holidays.csv");
    if (!f) return ph_fail(err, PH_ERR, "internal: data/holidays.csv is not built in");
    csv_reader *r = csv_open_memory(f->name, f->data, f->len, ',', CSV_QUOTES);
    calendar *c = ph_calloc(1, sizeof *c);
    int got = csv_next(r, err), rc = PH_OK; /* header */
    while (got == 1 && (got = csv_next(r, err)) == 1) {
        if (strcmp(csv_field(r, 1), name) != 0) continue;
        int32_t day;
        if (ph_date_parse(csv_field(r, 0), &day)) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: bad date '%s'", f->name, csv_line(r),
                         csv_field(r, 0));
            break;
        }
        c->holidays = ph_grow(c->holidays, &c->cap, c->n + 1, sizeof *c->holidays);
        c->holidays[c->n++] = day;
    }
    if (got < 0) rc = PH_ERR;
    csv_close(r);
    if (!rc && c->n == 0) rc = ph_fail(err, PH_ENOTFOUND, "no holiday calendar named '%s'", name);
    if (rc) {
        calendar_free(c);
        return rc;
    }
    qsort(c->holidays, c->n, sizeof *c->holidays, cmp_day);
    *out = c;
    return PH_OK;
}

void calendar_free(calendar *c) {
    if (!c) return;
    free(c->holidays);
    free(c);
}

int calendar_is_working_day(const calendar *c, int32_t day) {
    if (ph_date_weekday(day) >= 5) return 0;
    return bsearch(&day, c->holidays, c->n, sizeof *c->holidays, cmp_day) == NULL;
}

int32_t calendar_add_working_days(const calendar *c, int32_t day, int n) {
    while (n > 0) {
        day++;
        if (calendar_is_working_day(c, day)) n--;
    }
    return day;
}

int calendar_working_days_between(const calendar *c, int32_t from, int32_t to) {
    int n = 0;
    for (int32_t d = from + 1; d <= to; d++)
        n += calendar_is_working_day(c, d);
    return n;
}

void calendar_range(const calendar *c, int32_t *first, int32_t *last) {
    *first = c->n ? c->holidays[0] : 0;
    *last = c->n ? c->holidays[c->n - 1] : 0;
}
