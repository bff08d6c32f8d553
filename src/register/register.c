#include "register.h"

#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "refdata/refdata.h"
#include "workflow/workflow.h"

/* ---- queries ---- */

/* Builds the WHERE clause shared by list and stats. `l` is licence, `ln`
 * licence_line. Parameters are appended to a list of strings. */
typedef struct where {
    ph_buf sql;
    const char *params[8];
    char *owned[8];
    int n;
} where;

static void where_add(where *w, const char *clause, const char *param) {
    ph_buf_puts(&w->sql, w->sql.len ? " AND " : " WHERE ");
    ph_buf_puts(&w->sql, clause);
    if (param) w->params[w->n++] = param;
}

static void where_free(where *w) {
    ph_buf_free(&w->sql);
    for (int i = 0; i < 8; i++)
        free(w->owned[i]);
}

static int build_where(store *db, const register_filter *f, int with_lines, where *w, ph_err *err) {
    memset(w, 0, sizeof *w);
    ph_buf_init(&w->sql);
    if (f->destination && *f->destination) {
        char code[REFDATA_CODE_MAX];
        if (refdata_resolve_destination(db, f->destination, code, err)) return err->rc;
        w->owned[0] = ph_strdup(code);
        where_add(w, "l.destination = ?", w->owned[0]);
    }
    if (f->rating && *f->rating) {
        char display[CONTROL_RATING_MAX];
        control_rating_display(f->rating, display, sizeof display);
        w->owned[1] = ph_strdup(display);
        w->owned[2] = ph_asprintf("%s.%%", display);
        const char *clause = with_lines
                                 ? "(ln.rating = ? OR ln.rating LIKE ?)"
                                 : "EXISTS (SELECT 1 FROM licence_line x WHERE x.licence_id = l.id "
                                   "AND (x.rating = ? OR x.rating LIKE ?))";
        where_add(w, clause, w->owned[1]);
        w->params[w->n++] = w->owned[2];
    }
    int32_t day;
    if (f->from && *f->from) {
        if (ph_date_parse(f->from, &day))
            return ph_fail(err, PH_EUSAGE, "--from '%s' is not a YYYY-MM-DD date", f->from);
        where_add(w, "l.issued_on >= ?", f->from);
    }
    if (f->to && *f->to) {
        if (ph_date_parse(f->to, &day))
            return ph_fail(err, PH_EUSAGE, "--to '%s' is not a YYYY-MM-DD date", f->to);
        where_add(w, "l.issued_on <= ?", f->to);
    }
    if (f->outcome && *f->outcome) {
        static const char *const outcomes[] = {"issued", "refused", "revoked", "nlr", NULL};
        size_t i = 0;
        while (outcomes[i] && strcmp(outcomes[i], f->outcome) != 0)
            i++;
        if (!outcomes[i])
            return ph_fail(err, PH_EUSAGE,
                           "--outcome '%s' is not an outcome (expected issued, refused, revoked or "
                           "nlr)",
                           f->outcome);
        where_add(w, "l.outcome = ?", f->outcome);
    }
    if (f->status && *f->status) {
        /* A refused application in the published register has the status
         * "refused": it never became a licence. */
        if (!wf_is_state(&wf_licence, f->status) && strcmp(f->status, "refused") != 0) {
            char list[256] = "";
            for (const char *const *s = wf_licence.states; *s; s++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         s == wf_licence.states ? "" : ", ", *s);
            return ph_fail(err, PH_EUSAGE,
                           "--status '%s' is not a licence status (expected %s, or refused)",
                           f->status, list);
        }
        where_add(w, "l.status = ?", f->status);
    }
    if (f->organisation)
        where_add(w, "l.application_id IN (SELECT id FROM application WHERE organisation = ?)",
                  f->organisation);
    return PH_OK;
}

static char *dup_or_empty(const char *s) {
    return ph_strdup(s ? s : "");
}

#define LICENCE_SELECT                                                                             \
    "SELECT l.id, l.reference, l.type, l.issued_on, l.expires_on, l.destination, "                 \
    "COALESCE(d.report_name, l.destination_name), l.end_user, l.outcome, l.status, "               \
    "l.end_user_type, l.end_use, l.tags, "                                                         \
    "(SELECT " STORE_SQL_JOINED(                                                                   \
        "rating") " FROM (SELECT rating FROM licence_line "                                        \
                  "  WHERE licence_id = l.id ORDER BY line_no) r), "                               \
                  "(SELECT " STORE_SQL_JOINED(                                                     \
                      "criterion") " FROM (SELECT criterion FROM licence_criterion "               \
                                   "  WHERE licence_id = l.id ORDER BY criterion) c), "            \
                                   "(SELECT COALESCE(SUM(value_pence), 0) FROM licence_line "      \
                                   "WHERE licence_id = l.id), "                                    \
                                   "a.reference, a.organisation "                                  \
                                   "FROM licence l LEFT JOIN destination d ON d.code = "           \
                                   "l.destination "                                                \
                                   "LEFT JOIN application a ON a.id = l.application_id"

static void licence_from_row(store_stmt *st, register_licence *l) {
    l->id = store_col_int(st, 0);
    l->reference = dup_or_empty(store_col_text(st, 1));
    l->type = dup_or_empty(store_col_text(st, 2));
    l->issued_on = dup_or_empty(store_col_text(st, 3));
    l->expires_on = dup_or_empty(store_col_text(st, 4));
    l->destination = dup_or_empty(store_col_text(st, 5));
    l->destination_name = dup_or_empty(store_col_text(st, 6));
    l->end_user = dup_or_empty(store_col_text(st, 7));
    l->outcome = dup_or_empty(store_col_text(st, 8));
    l->status = dup_or_empty(store_col_text(st, 9));
    l->end_user_type = dup_or_empty(store_col_text(st, 10));
    l->end_use = dup_or_empty(store_col_text(st, 11));
    l->tags = dup_or_empty(store_col_text(st, 12));
    l->ratings = dup_or_empty(store_col_text(st, 13));
    l->criteria = dup_or_empty(store_col_text(st, 14));
    l->value_pence = store_col_int(st, 15);
    l->application = dup_or_empty(store_col_text(st, 16));
    l->organisation = dup_or_empty(store_col_text(st, 17));
}

int register_list(store *db, const register_filter *f, register_licence **out, size_t *n,
                  ph_err *err) {
    *out = NULL;
    *n = 0;
    where w;
    if (build_where(db, f, 0, &w, err)) {
        where_free(&w);
        return err->rc;
    }
    ph_buf sql;
    ph_buf_init(&sql);
    ph_buf_puts(&sql, LICENCE_SELECT);
    ph_buf_puts(&sql, w.sql.data ? w.sql.data : "");
    ph_buf_puts(&sql, " ORDER BY l.issued_on, l.reference LIMIT ? OFFSET ?");
    store_stmt *st;
    int rc = store_prepare(db, sql.data, &st, err);
    ph_buf_free(&sql);
    if (rc) {
        where_free(&w);
        return rc;
    }
    for (int i = 0; i < w.n; i++)
        store_bind_text(st, i + 1, w.params[i]);
    store_bind_int(st, w.n + 1, f->limit > 0 ? f->limit : -1);
    store_bind_int(st, w.n + 2, f->offset > 0 ? f->offset : 0);
    size_t cap = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        licence_from_row(st, &(*out)[(*n)++]);
    }
    store_finalize(st);
    where_free(&w);
    return rc == STORE_DONE ? PH_OK : rc;
}

void register_licences_free_one(register_licence *l) {
    {
        free(l->reference);
        free(l->type);
        free(l->issued_on);
        free(l->expires_on);
        free(l->destination);
        free(l->destination_name);
        free(l->end_user);
        free(l->end_user_type);
        free(l->end_use);
        free(l->tags);
        free(l->ratings);
        free(l->outcome);
        free(l->status);
        free(l->criteria);
        free(l->application);
        free(l->organisation);
    }
    memset(l, 0, sizeof *l);
}

void register_licences_free(register_licence *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        register_licences_free_one(&v[i]);
    free(v);
}

int register_get(store *db, const char *reference, register_licence *out, register_line **lines,
                 size_t *nlines, ph_err *err) {
    memset(out, 0, sizeof *out);
    *lines = NULL;
    *nlines = 0;
    store_stmt *st;
    if (store_prepare(db, LICENCE_SELECT " WHERE l.reference = ?", &st, err)) return err->rc;
    store_bind_text(st, 1, reference);
    int rc = store_step(st, err);
    if (rc == STORE_DONE)
        rc = ph_fail(err, PH_ENOTFOUND, "no licence with reference '%s'", reference);
    if (rc != STORE_ROW) {
        store_finalize(st);
        return rc;
    }
    licence_from_row(st, out);
    store_finalize(st);
    if (store_prepare(db,
                      "SELECT line_no, rating, known_rating, goods_summary, quantity, value_pence "
                      "FROM licence_line WHERE licence_id = ? ORDER BY line_no",
                      &st, err)) {
        register_licences_free_one(out);
        return err->rc;
    }
    store_bind_int(st, 1, out->id);
    size_t cap = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *lines = ph_grow(*lines, &cap, *nlines + 1, sizeof **lines);
        register_line *l = &(*lines)[(*nlines)++];
        l->line_no = (int)store_col_int(st, 0);
        l->rating = dup_or_empty(store_col_text(st, 1));
        l->known_rating = (int)store_col_int(st, 2);
        l->goods_summary = dup_or_empty(store_col_text(st, 3));
        l->quantity = store_col_is_null(st, 4) ? -1 : store_col_int(st, 4);
        l->value_pence = store_col_is_null(st, 5) ? -1 : store_col_int(st, 5);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        register_licences_free_one(out);
        register_lines_free(*lines, *nlines);
        *lines = NULL;
        *nlines = 0;
        return rc;
    }
    return PH_OK;
}

void register_lines_free(register_line *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].rating);
        free(v[i].goods_summary);
    }
    free(v);
}

int register_stats(store *db, const char *by, const register_filter *f, register_stat **out,
                   size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    const char *key, *join = "";
    if (ph_streq(by, "destination")) {
        key = "COALESCE(d.report_name, l.destination_name)";
    } else if (ph_streq(by, "rating")) {
        key = "ln.rating";
    } else if (ph_streq(by, "year")) {
        key = "substr(l.issued_on, 1, 4)";
    } else if (ph_streq(by, "criterion")) {
        key = "lc.criterion";
        join = " JOIN licence_criterion lc ON lc.licence_id = l.id";
    } else {
        return ph_fail(err, PH_EUSAGE,
                       "cannot group by '%s' (expected destination, rating, year or criterion)",
                       by ? by : "");
    }
    where w;
    if (build_where(db, f, 1, &w, err)) {
        where_free(&w);
        return err->rc;
    }
    char *sql =
        ph_asprintf("SELECT %s AS k, COUNT(DISTINCT l.id), "
                    "COUNT(DISTINCT CASE WHEN l.outcome = 'refused' THEN l.id END), "
                    "COALESCE(SUM(ln.value_pence), 0) "
                    "FROM licence_line ln JOIN licence l ON l.id = ln.licence_id "
                    "LEFT JOIN destination d ON d.code = l.destination%s%s GROUP BY k ORDER BY k",
                    key, join, w.sql.data ? w.sql.data : "");
    store_stmt *st;
    int rc = store_prepare(db, sql, &st, err);
    free(sql);
    if (rc) {
        where_free(&w);
        return rc;
    }
    for (int i = 0; i < w.n; i++)
        store_bind_text(st, i + 1, w.params[i]);
    size_t cap = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        register_stat *s = &(*out)[(*n)++];
        s->key = dup_or_empty(store_col_text(st, 0));
        s->licences = store_col_int(st, 1);
        s->refused = store_col_int(st, 2);
        s->value_pence = store_col_int(st, 3);
    }
    store_finalize(st);
    where_free(&w);
    return rc == STORE_DONE ? PH_OK : rc;
}

void register_stats_free(register_stat *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i].key);
    free(v);
}

int register_summarise(store *db, register_summary *s, ph_err *err) {
    memset(s, 0, sizeof *s);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT (SELECT count(*) FROM licence), (SELECT count(*) FROM licence_line), "
                      "(SELECT count(*) FROM licence WHERE outcome = 'refused'), "
                      "(SELECT count(DISTINCT destination) FROM licence), "
                      "(SELECT count(*) FROM import_batch), "
                      "(SELECT min(issued_on) FROM licence), (SELECT max(issued_on) FROM licence)",
                      &st, err))
        return err->rc;
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        s->licences = store_col_int(st, 0);
        s->lines = store_col_int(st, 1);
        s->refused = store_col_int(st, 2);
        s->destinations = store_col_int(st, 3);
        s->batches = store_col_int(st, 4);
        ph_strlcpy(s->first_date, store_col_text(st, 5) ? store_col_text(st, 5) : "",
                   sizeof s->first_date);
        ph_strlcpy(s->last_date, store_col_text(st, 6) ? store_col_text(st, 6) : "",
                   sizeof s->last_date);
        rc = PH_OK;
    }
    store_finalize(st);
    return rc;
}
