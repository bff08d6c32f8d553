#include "register.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control/control.h"
#include "csv/csv.h"
#include "refdata/refdata.h"

/* SIELs are valid for two years from issue. */
#define SIEL_VALID_DAYS 730

/* ---- import context ---- */

typedef struct notes {
    register_note *v;
    size_t n, cap;
    ph_map index; /* text -> position, to count repeats */
} notes;

typedef struct import_ctx {
    store *db;
    const register_import_options *opts;
    register_import_report *rep;
    refdata_names *names;
    control_catalog *controls;
    ph_map country_cache; /* raw name -> index into resolved codes (-1 unknown) */
    char (*codes)[REFDATA_CODE_MAX];
    size_t ncodes, codes_cap;
    ph_map rating_cache; /* rating as written -> index into ratings */
    struct rating_form {
        char display[CONTROL_RATING_MAX];
        int known;
    } *ratings;
    size_t nratings, ratings_cap;
    store_stmt *find_licence, *ins_criterion;
    notes skipped, unknown_dest, unknown_rating;
    int32_t today;
} import_ctx;

static void note_add(notes *ns, const char *file, long line, const char *text) {
    int64_t at;
    if (ph_map_get(&ns->index, text, &at)) {
        ns->v[at].count++;
        return;
    }
    ns->v = ph_grow(ns->v, &ns->cap, ns->n + 1, sizeof *ns->v);
    ns->v[ns->n] = (register_note){ph_strdup(file), line, ph_strdup(text), 1};
    ph_map_put(&ns->index, text, (int64_t)ns->n);
    ns->n++;
}

static void notes_move(notes *ns, register_note **out, size_t *n) {
    *out = ns->v;
    *n = ns->n;
    ph_map_free(&ns->index);
    memset(ns, 0, sizeof *ns);
}

static void notes_free(notes *ns) {
    for (size_t i = 0; i < ns->n; i++) {
        free(ns->v[i].file);
        free(ns->v[i].text);
    }
    free(ns->v);
    ph_map_free(&ns->index);
    memset(ns, 0, sizeof *ns);
}

/* Resolves a destination name, caching by the name as written. */
static const char *resolve_country(import_ctx *c, const char *raw) {
    int64_t at;
    if (!ph_map_get(&c->country_cache, raw, &at)) {
        const char *code = refdata_names_resolve(c->names, raw);
        if (code) {
            c->codes = ph_grow(c->codes, &c->codes_cap, c->ncodes + 1, sizeof *c->codes);
            ph_strlcpy(c->codes[c->ncodes], code, REFDATA_CODE_MAX);
            at = (int64_t)c->ncodes++;
        } else {
            at = -1;
        }
        ph_map_put(&c->country_cache, raw, at);
    }
    return at < 0 ? NULL : c->codes[at];
}

/* The display form of a rating as written, and whether the list knows it;
 * cached because a register repeats a few hundred ratings many times. */
static const struct rating_form *rating_form(import_ctx *c, const char *raw) {
    int64_t at;
    if (!ph_map_get(&c->rating_cache, raw, &at)) {
        c->ratings = ph_grow(c->ratings, &c->ratings_cap, c->nratings + 1, sizeof *c->ratings);
        struct rating_form *f = &c->ratings[c->nratings];
        control_rating_display(raw, f->display, sizeof f->display);
        f->known = control_catalog_find(c->controls, f->display) != NULL;
        at = (int64_t)c->nratings++;
        ph_map_put(&c->rating_cache, raw, at);
    }
    return &c->ratings[at];
}

/* Has a file with this SHA-256 been imported? */
static int batch_seen(store *db, const char *sha, int *seen, ph_err *err) {
    int64_t n = 0;
    int rc = store_one_int(db, &n, err, "SELECT count(*) FROM import_batch WHERE sha256 = ?", "t", sha);
    *seen = n > 0;
    return rc;
}

static int batch_record(import_ctx *c, const char *format, const char *path, const char *sha,
                        long rows, long licences, int64_t *id, ph_err *err) {
    char now[21];
    ph_now_iso(now);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int rc = store_run(c->db, err,
                       "INSERT INTO import_batch(format, file_name, sha256, rows, licences, imported_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       "tttiit", format, base, sha, (int64_t)rows, (int64_t)licences, now);
    *id = store_last_id(c->db);
    return rc;
}

/* A row problem: fatal unless skipping bad rows. */
static int bad_row(import_ctx *c, csv_reader *r, ph_err *err, const char *fmt, const char *a) {
    char text[512];
    snprintf(text, sizeof text, fmt, a);
    if (c->opts->skip_bad) {
        char where[64];
        snprintf(where, sizeof where, "line %ld: ", csv_line(r));
        char *t = ph_asprintf("%s%s", where, text);
        note_add(&c->skipped, csv_name(r), csv_line(r), t);
        free(t);
        return PH_OK;
    }
    return ph_fail(err, PH_ERR, "%s:%ld: %s", csv_name(r), csv_line(r), text);
}

static void report_progress(import_ctx *c, csv_reader *r, uint64_t total) {
    if (c->opts->progress && (c->rep->rows & 4095) == 0)
        c->opts->progress(c->opts->progress_ctx, csv_offset(r), total);
}

/* ---- caat-values ----
 * licence_group,date,rating,count,value,country,refused: one row per
 * licence group x rating; rows of a group are consecutive.
 *
 * Licences and lines are written in batches (multi-row INSERTs): a group's
 * lines wait until its licence row has been inserted and its id returned. */

#define LICENCES_PER_STATEMENT 256
#define LINES_PER_STATEMENT 512

typedef struct pending_line {
    size_t rating; /* index into import_ctx.ratings */
    int64_t pence; /* -1 when the source gives no value */
    int64_t count; /* -1 when absent */
} pending_line;

typedef struct pending_group {
    int64_t number;
    char reference[32];
    char date[11];
    char country[128];
    int refused;
    long line;          /* where the group starts in the file */
    int64_t licence_id; /* set from RETURNING; 0 when it was already there */
    size_t first, nlines; /* into caat_state.lines */
} pending_group;

typedef struct caat_state {
    import_ctx *c;
    const char *path;
    int64_t batch_id;
    pending_group groups[LICENCES_PER_STATEMENT];
    size_t ngroups;
    pending_line *lines;
    size_t nlines, lines_cap;
    size_t returned_hint;
    store_batch *licences, *line_rows;
} caat_state;

static int licence_returned(void *ctx, store_stmt *row, ph_err *err) {
    (void)err;
    caat_state *s = ctx;
    const char *reference = store_col_text(row, 1);
    /* Rows usually come back in insertion order: try the next one first. */
    for (size_t k = 0; k < s->ngroups; k++) {
        size_t i = (s->returned_hint + k) % s->ngroups;
        if (strcmp(s->groups[i].reference, reference) == 0) {
            s->groups[i].licence_id = store_col_int(row, 0);
            s->returned_hint = i + 1;
            return PH_OK;
        }
    }
    return PH_OK;
}

/* Inserts the pending licences, then the lines of those that were new. */
static int flush_groups(caat_state *s, ph_err *err) {
    import_ctx *c = s->c;
    s->returned_hint = 0;
    if (store_batch_flush(s->licences, err)) return err->rc;
    for (size_t i = 0; i < s->ngroups; i++) {
        pending_group *g = &s->groups[i];
        if (!g->licence_id) {
            /* Already in the register: from an earlier import, or from this
             * file, whose rows for the group are not together. */
            int64_t from_batch = 0;
            if (store_one_int(c->db, &from_batch, err, "SELECT batch_id FROM licence WHERE reference = ?", "t",
                              g->reference))
                return err->rc;
            if (from_batch == s->batch_id) {
                char text[160];
                snprintf(text, sizeof text,
                         "licence group %lld appears again after other groups (rows of a group must be together)",
                         (long long)g->number);
                if (!c->opts->skip_bad) return ph_fail(err, PH_ERR, "%s:%ld: %s", s->path, g->line, text);
                note_add(&c->skipped, s->path, g->line, text);
                continue;
            }
            c->rep->licences_present++;
            continue;
        }
        c->rep->licences_added++;
        for (size_t k = 0; k < g->nlines; k++) {
            pending_line *l = &s->lines[g->first + k];
            store_batch_int(s->line_rows, g->licence_id);
            store_batch_int(s->line_rows, (int64_t)k + 1);
            store_batch_text(s->line_rows, c->ratings[l->rating].display);
            store_batch_int(s->line_rows, c->ratings[l->rating].known);
            if (l->pence >= 0)
                store_batch_int(s->line_rows, l->pence);
            else
                store_batch_null(s->line_rows);
            if (l->count >= 0)
                store_batch_int(s->line_rows, l->count);
            else
                store_batch_null(s->line_rows);
            if (store_batch_row(s->line_rows, err)) return ph_err_prefix(err, "%s:%ld: ", s->path, g->line);
            c->rep->lines_added++;
        }
    }
    s->ngroups = 0;
    s->nlines = 0;
    return PH_OK;
}

/* Queues a new group's licence row. */
static int start_group(caat_state *s, pending_group *g, int32_t day, ph_err *err) {
    import_ctx *c = s->c;
    const char *code = resolve_country(c, g->country);
    if (!code) note_add(&c->unknown_dest, s->path, g->line, g->country);
    char expires[11] = "";
    const char *status = g->refused ? "refused" : "issued";
    if (!g->refused) {
        ph_date_format(day + SIEL_VALID_DAYS, expires);
        if (day + SIEL_VALID_DAYS < c->today) status = "expired";
    }
    store_batch *b = s->licences;
    store_batch_text(b, g->reference);
    store_batch_text(b, "SIEL");
    store_batch_text(b, g->date);
    store_batch_text(b, g->refused ? NULL : expires);
    store_batch_text(b, code);
    store_batch_text(b, code ? NULL : g->country);
    store_batch_text(b, g->refused ? "refused" : "issued");
    store_batch_text(b, status);
    store_batch_int(b, s->batch_id);
    return store_batch_row(b, err);
}

static int caat_values(import_ctx *c, const char *path, int64_t batch_id, uint64_t size,
                       ph_err *err) {
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, err);
    if (!r) return PH_ERR;
    static const char *const cols[] = {"licence_group", "date", "rating", "count", "value", "country", "refused"};
    int got = csv_next(r, err);
    if (got <= 0) {
        csv_close(r);
        return got < 0 ? PH_ERR : ph_fail(err, PH_ERR, "%s: the file is empty", path);
    }
    for (size_t i = 0; i < 7; i++)
        if (csv_count(r) != 7 || !ph_streq(csv_field(r, i), cols[i])) {
            csv_close(r);
            return ph_fail(err, PH_ERR,
                           "%s:1: expected the header licence_group,date,rating,count,value,country,refused",
                           path);
        }
    caat_state *s = ph_calloc(1, sizeof *s);
    s->c = c;
    s->path = path;
    s->batch_id = batch_id;
    int rc = store_batch_open(c->db,
                              "INSERT INTO licence(reference, type, issued_on, expires_on, destination, "
                              "destination_name, outcome, status, batch_id)",
                              9, "ON CONFLICT(reference) DO NOTHING RETURNING id, reference",
                              LICENCES_PER_STATEMENT, licence_returned, s, &s->licences, err);
    if (!rc)
        rc = store_batch_open(c->db,
                              "INSERT INTO licence_line(licence_id, line_no, rating, known_rating, "
                              "value_pence, published_count)",
                              6, NULL, LINES_PER_STATEMENT, NULL, NULL, &s->line_rows, err);
    pending_group *g = NULL; /* the group being read */
    while (!rc && (got = csv_next(r, err)) == 1) {
        c->rep->rows++;
        report_progress(c, r, size);
        if (csv_count(r) != 7) {
            char n[32];
            snprintf(n, sizeof n, "%zu", csv_count(r));
            rc = bad_row(c, r, err, "expected 7 fields, found %s", n);
            continue;
        }
        int64_t group, count = -1, pence = -1, refused;
        int32_t day;
        const char *value = csv_field(r, 4), *rating_raw = csv_field(r, 2),
                   *country = csv_field(r, 5);
        if (ph_parse_i64(csv_field(r, 0), &group) || group <= 0) {
            rc = bad_row(c, r, err, "licence_group '%s' is not a positive whole number", csv_field(r, 0));
            continue;
        }
        if (ph_date_parse(csv_field(r, 1), &day)) {
            rc = bad_row(c, r, err, "date '%s' is not a valid YYYY-MM-DD date", csv_field(r, 1));
            continue;
        }
        if (!*rating_raw) {
            rc = bad_row(c, r, err, "rating is empty%s", "");
            continue;
        }
        if (*csv_field(r, 3) && (ph_parse_i64(csv_field(r, 3), &count) || count < 0)) {
            rc = bad_row(c, r, err, "count '%s' is not a whole number", csv_field(r, 3));
            continue;
        }
        if (*value && (ph_parse_pounds(value, &pence) || pence < 0)) {
            rc = bad_row(c, r, err, "value '%s' is not an amount in pounds", value);
            continue;
        }
        if (ph_parse_i64(csv_field(r, 6), &refused) || (refused != 0 && refused != 1)) {
            rc = bad_row(c, r, err, "refused '%s' must be 0 or 1", csv_field(r, 6));
            continue;
        }
        if (!*country || strlen(country) >= sizeof g->country) {
            rc = bad_row(c, r, err, "country '%s' is empty or too long", country);
            continue;
        }
        if (!g || group != g->number) {
            if (s->ngroups == LICENCES_PER_STATEMENT && (rc = flush_groups(s, err))) break;
            g = &s->groups[s->ngroups++];
            memset(g, 0, sizeof *g);
            g->number = group;
            snprintf(g->reference, sizeof g->reference, "CAAT-%06lld", (long long)group);
            ph_strlcpy(g->date, csv_field(r, 1), sizeof g->date);
            ph_strlcpy(g->country, country, sizeof g->country);
            g->refused = (int)refused;
            g->line = csv_line(r);
            g->first = s->nlines;
            if ((rc = start_group(s, g, day, err))) break;
        } else if (!ph_streq(g->date, csv_field(r, 1)) || !ph_streq(g->country, country) ||
                   g->refused != (int)refused) {
            rc = bad_row(c, r, err, "licence group %s has rows that disagree on date, country or refusal",
                         csv_field(r, 0));
            continue;
        }
        const struct rating_form *rf = rating_form(c, rating_raw);
        size_t rating = (size_t)(rf - c->ratings);
        int repeated = 0;
        for (size_t k = 0; k < g->nlines; k++)
            if (s->lines[g->first + k].rating == rating) repeated = 1;
        if (repeated) {
            rc = bad_row(c, r, err, "rating %s appears twice in this licence group", rf->display);
            continue;
        }
        if (!rf->known) note_add(&c->unknown_rating, path, csv_line(r), rf->display);
        s->lines = ph_grow(s->lines, &s->lines_cap, s->nlines + 1, sizeof *s->lines);
        s->lines[s->nlines++] = (pending_line){rating, pence, count};
        g->nlines++;
    }
    if (got < 0) rc = PH_ERR;
    if (!rc) rc = flush_groups(s, err);
    if (!rc) rc = store_batch_flush(s->line_rows, err);
    store_batch_close(s->licences);
    store_batch_close(s->line_rows);
    free(s->lines);
    free(s);
    csv_close(r);
    return rc;
}

/* caat refusal criteria: licence_group,criteria,description. */
static int caat_criteria(import_ctx *c, const char *path, ph_err *err) {
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, err);
    if (!r) return PH_ERR;
    int got = csv_next(r, err), rc = PH_OK;
    if (got <= 0 || csv_find(r, "licence_group") != 0 || csv_find(r, "criteria") != 1) {
        csv_close(r);
        if (got < 0) return PH_ERR;
        return ph_fail(err, PH_ERR, "%s:1: expected the header licence_group,criteria,description", path);
    }
    while (!rc && (got = csv_next(r, err)) == 1) {
        int64_t group, crit;
        if (ph_parse_i64(csv_field(r, 0), &group) || group <= 0) {
            rc = bad_row(c, r, err, "licence_group '%s' is not a positive whole number", csv_field(r, 0));
            continue;
        }
        if (ph_parse_i64(csv_field(r, 1), &crit) || crit < 1 || crit > 8) {
            rc = bad_row(c, r, err, "criterion '%s' is not one of 1 to 8", csv_field(r, 1));
            continue;
        }
        char reference[32];
        snprintf(reference, sizeof reference, "CAAT-%06lld", (long long)group);
        store_reset(c->find_licence);
        store_bind_text(c->find_licence, 1, reference);
        int s = store_step(c->find_licence, err);
        if (s != STORE_ROW) {
            if (s != STORE_DONE) {
                rc = s;
                break;
            }
            rc = bad_row(c, r, err, "licence group %s is not in the register (import the values file first)",
                         csv_field(r, 0));
            continue;
        }
        int64_t id = store_col_int(c->find_licence, 0);
        store_reset(c->find_licence);
        store_reset(c->ins_criterion);
        store_bind_int(c->ins_criterion, 1, id);
        store_bind_text(c->ins_criterion, 2, csv_field(r, 1));
        if (store_step(c->ins_criterion, err) != STORE_DONE) {
            rc = ph_err_prefix(err, "%s:%ld: ", path, csv_line(r));
            break;
        }
        c->rep->criteria_added += store_changes(c->db) > 0;
    }
    if (got < 0) rc = PH_ERR;
    csv_close(r);
    return rc;
}

static int prepare_all(import_ctx *c, ph_err *err) {
    if (store_prepare(c->db, "SELECT id FROM licence WHERE reference = ?", &c->find_licence, err) ||
        store_prepare(c->db,
                      "INSERT INTO licence_criterion(licence_id, criterion) VALUES (?, ?) "
                      "ON CONFLICT DO NOTHING",
                      &c->ins_criterion, err))
        return err->rc;
    return PH_OK;
}

static void ctx_free(import_ctx *c) {
    store_finalize(c->find_licence);
    store_finalize(c->ins_criterion);
    refdata_names_free(c->names);
    control_catalog_free(c->controls);
    ph_map_free(&c->country_cache);
    ph_map_free(&c->rating_cache);
    free(c->ratings);
    free(c->codes);
    notes_free(&c->skipped);
    notes_free(&c->unknown_dest);
    notes_free(&c->unknown_rating);
}

int register_import(store *db, const char *path, const register_import_options *opts,
                    register_import_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    if (!opts->format || strcmp(opts->format, "caat-values") != 0)
        return ph_fail(err, PH_EUSAGE, "unknown format '%s' (expected caat-values)",
                       opts->format ? opts->format : "");
    char sha[PH_SHA256_HEX], crit_sha[PH_SHA256_HEX] = "";
    if (ph_sha256_file(path, sha, err)) return PH_ERR;
    if (opts->criteria_file && ph_sha256_file(opts->criteria_file, crit_sha, err)) return PH_ERR;
    struct stat st;
    uint64_t size = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

    import_ctx c = {0};
    c.db = db;
    c.opts = opts;
    c.rep = report;
    c.today = ph_date_today();
    ph_map_init(&c.country_cache);
    ph_map_init(&c.rating_cache);
    int rc = store_begin(db, err);
    if (!rc) rc = refdata_names_load(db, &c.names, err);
    if (!rc) rc = control_catalog_load(db, &c.controls, err);
    if (!rc) rc = prepare_all(&c, err);
    int values_seen = 0, crit_seen = 1;
    if (!rc) rc = batch_seen(db, sha, &values_seen, err);
    if (!rc && opts->criteria_file) rc = batch_seen(db, crit_sha, &crit_seen, err);
    if (!rc && values_seen && crit_seen) report->already_imported = 1;
    if (!rc && !values_seen) {
        int64_t batch;
        rc = batch_record(&c, opts->format, path, sha, 0, 0, &batch, err);
        if (!rc) rc = caat_values(&c, path, batch, size, err);
        if (!rc)
            rc = store_run(db, err, "UPDATE import_batch SET rows = ?, licences = ? WHERE id = ?", "iii",
                           (int64_t)report->rows, (int64_t)report->licences_added, batch);
    }
    if (!rc && !crit_seen) {
        int64_t batch;
        rc = batch_record(&c, "caat-refusal-criteria", opts->criteria_file, crit_sha, 0, 0, &batch, err);
        if (!rc) rc = caat_criteria(&c, opts->criteria_file, err);
    }
    if (!rc) rc = store_commit(db, err);
    else
        store_rollback(db);
    if (!rc) {
        notes_move(&c.skipped, &report->skipped, &report->nskipped);
        notes_move(&c.unknown_dest, &report->unknown_destinations, &report->nunknown_destinations);
        notes_move(&c.unknown_rating, &report->unknown_ratings, &report->nunknown_ratings);
    } else {
        /* Nothing was stored: the counts would mislead. */
        report->rows = report->licences_added = report->lines_added = report->criteria_added = 0;
    }
    ctx_free(&c);
    return rc;
}

static void notes_array_free(register_note *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].file);
        free(v[i].text);
    }
    free(v);
}

void register_import_report_free(register_import_report *r) {
    notes_array_free(r->skipped, r->nskipped);
    notes_array_free(r->unknown_destinations, r->nunknown_destinations);
    notes_array_free(r->unknown_ratings, r->nunknown_ratings);
    memset(r, 0, sizeof *r);
}

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
    for (int i = 0; i < 8; i++) free(w->owned[i]);
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
        if (ph_date_parse(f->from, &day)) return ph_fail(err, PH_EUSAGE, "--from '%s' is not a YYYY-MM-DD date", f->from);
        where_add(w, "l.issued_on >= ?", f->from);
    }
    if (f->to && *f->to) {
        if (ph_date_parse(f->to, &day)) return ph_fail(err, PH_EUSAGE, "--to '%s' is not a YYYY-MM-DD date", f->to);
        where_add(w, "l.issued_on <= ?", f->to);
    }
    if (f->outcome && *f->outcome) where_add(w, "l.outcome = ?", f->outcome);
    if (f->status && *f->status) where_add(w, "l.status = ?", f->status);
    return PH_OK;
}

static char *dup_or_empty(const char *s) { return ph_strdup(s ? s : ""); }

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
    ph_buf_puts(&sql,
                "SELECT l.id, l.reference, l.type, l.issued_on, l.expires_on, l.destination, "
                "COALESCE(d.report_name, l.destination_name), l.end_user, l.outcome, l.status, "
                "(SELECT group_concat(rating, ', ') FROM (SELECT rating FROM licence_line "
                "  WHERE licence_id = l.id ORDER BY line_no)), "
                "(SELECT group_concat(criterion, ', ') FROM (SELECT criterion FROM licence_criterion "
                "  WHERE licence_id = l.id ORDER BY criterion)), "
                "(SELECT COALESCE(SUM(value_pence), 0) FROM licence_line WHERE licence_id = l.id) "
                "FROM licence l LEFT JOIN destination d ON d.code = l.destination");
    ph_buf_puts(&sql, w.sql.data ? w.sql.data : "");
    ph_buf_puts(&sql, " ORDER BY l.issued_on, l.reference LIMIT ? OFFSET ?");
    store_stmt *st;
    int rc = store_prepare(db, sql.data, &st, err);
    ph_buf_free(&sql);
    if (rc) {
        where_free(&w);
        return rc;
    }
    for (int i = 0; i < w.n; i++) store_bind_text(st, i + 1, w.params[i]);
    store_bind_int(st, w.n + 1, f->limit > 0 ? f->limit : -1);
    store_bind_int(st, w.n + 2, f->offset > 0 ? f->offset : 0);
    size_t cap = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        register_licence *l = &(*out)[(*n)++];
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
        l->ratings = dup_or_empty(store_col_text(st, 10));
        l->criteria = dup_or_empty(store_col_text(st, 11));
        l->value_pence = store_col_int(st, 12);
    }
    store_finalize(st);
    where_free(&w);
    return rc == STORE_DONE ? PH_OK : rc;
}

void register_licences_free(register_licence *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        register_licence *l = &v[i];
        free(l->reference);
        free(l->type);
        free(l->issued_on);
        free(l->expires_on);
        free(l->destination);
        free(l->destination_name);
        free(l->end_user);
        free(l->ratings);
        free(l->outcome);
        free(l->status);
        free(l->criteria);
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
        return ph_fail(err, PH_EUSAGE, "cannot group by '%s' (expected destination, rating, year or criterion)",
                       by ? by : "");
    }
    where w;
    if (build_where(db, f, 1, &w, err)) {
        where_free(&w);
        return err->rc;
    }
    char *sql = ph_asprintf(
        "SELECT %s AS k, COUNT(DISTINCT l.id), "
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
    for (int i = 0; i < w.n; i++) store_bind_text(st, i + 1, w.params[i]);
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
    for (size_t i = 0; i < n; i++) free(v[i].key);
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
        ph_strlcpy(s->first_date, store_col_text(st, 5) ? store_col_text(st, 5) : "", sizeof s->first_date);
        ph_strlcpy(s->last_date, store_col_text(st, 6) ? store_col_text(st, 6) : "", sizeof s->last_date);
        rc = PH_OK;
    }
    store_finalize(st);
    return rc;
}
