/* Register imports: caat-values (the published register) and penholder-csv
 * (the authority's own licence records). Both stream the file, validate each
 * row, and hand whole licences to one writer that inserts them in batches. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "control/control.h"
#include "csv/csv.h"
#include "refdata/refdata.h"
#include "register.h"

/* SIELs are valid for two years from issue. */
#define SIEL_VALID_DAYS 730
#define LICENCES_PER_STATEMENT 256
#define LINES_PER_STATEMENT 512
#define NO_TEXT ((size_t)-1)

/* ---- notes: skipped lines and unknown names, counted ---- */

typedef struct notes {
    register_note *v;
    size_t n, cap;
    ph_map index; /* text -> position, to count repeats */
} notes;

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

/* ---- the licence writer ----
 * Collects whole licences (header + goods lines) and writes them with
 * multi-row INSERTs: a batch of licences first (RETURNING their new ids),
 * then the lines of those that were new. Strings live in an arena that is
 * emptied after each batch. */

typedef struct pending_line {
    size_t rating; /* index into writer.ratings */
    size_t goods_summary;
    int64_t quantity, pence, count; /* -1 when absent */
} pending_line;

typedef struct pending_licence {
    size_t reference, type, issued_on, expires_on, destination, destination_name, end_user,
        end_user_type, end_use, outcome, status, tags;
    long line;          /* where the licence starts in the file */
    int64_t licence_id; /* from RETURNING; 0 when the reference was already there */
    size_t first, nlines;
} pending_licence;

typedef struct rating_form {
    char display[CONTROL_RATING_MAX];
    int known;
} rating_form;

typedef struct writer {
    store *db;
    const register_import_options *opts;
    register_import_report *rep;
    const char *path;
    int64_t batch_id;
    refdata_names *names;
    control_catalog *controls;
    ph_map country_cache; /* name as written -> index into codes (-1 unknown) */
    char (*codes)[REFDATA_CODE_MAX];
    size_t ncodes, codes_cap;
    ph_map rating_cache; /* rating as written -> index into ratings */
    rating_form *ratings;
    size_t nratings, ratings_cap;
    notes skipped, unknown_dest, unknown_rating;
    int32_t today;
    /* the current batch */
    ph_buf arena;
    pending_licence licences[LICENCES_PER_STATEMENT];
    size_t nlicences;
    pending_line *lines;
    size_t nlines, lines_cap;
    size_t returned_hint;
    store_batch *licence_rows, *line_rows;
} writer;

static size_t keep(writer *w, const char *s) {
    if (!s) return NO_TEXT;
    size_t at = w->arena.len;
    ph_buf_append(&w->arena, s, strlen(s) + 1);
    return at;
}

static const char *text_at(const writer *w, size_t at) {
    return at == NO_TEXT ? NULL : w->arena.data + at;
}

/* Resolves a destination name, caching by the name as written. */
static const char *resolve_country(writer *w, const char *raw) {
    int64_t at;
    if (!ph_map_get(&w->country_cache, raw, &at)) {
        const char *code = refdata_names_resolve(w->names, raw);
        if (code) {
            w->codes = ph_grow(w->codes, &w->codes_cap, w->ncodes + 1, sizeof *w->codes);
            ph_strlcpy(w->codes[w->ncodes], code, REFDATA_CODE_MAX);
            at = (int64_t)w->ncodes++;
        } else {
            at = -1;
        }
        ph_map_put(&w->country_cache, raw, at);
    }
    return at < 0 ? NULL : w->codes[at];
}

/* The display form of a rating as written, and whether the list knows it;
 * cached because a register repeats a few hundred ratings many times. */
static size_t rating_index(writer *w, const char *raw) {
    int64_t at;
    if (!ph_map_get(&w->rating_cache, raw, &at)) {
        w->ratings = ph_grow(w->ratings, &w->ratings_cap, w->nratings + 1, sizeof *w->ratings);
        rating_form *f = &w->ratings[w->nratings];
        control_rating_display(raw, f->display, sizeof f->display);
        f->known = control_catalog_find(w->controls, f->display) != NULL;
        at = (int64_t)w->nratings++;
        ph_map_put(&w->rating_cache, raw, at);
    }
    return (size_t)at;
}

/* A row problem: fatal unless skipping bad rows. */
static int bad_row(writer *w, long line, ph_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad_row(writer *w, long line, ph_err *err, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (w->opts->skip_bad) {
        note_add(&w->skipped, w->path, line, text);
        return PH_OK;
    }
    return ph_fail(err, PH_ERR, "%s:%ld: %s", w->path, line, text);
}

static int licence_returned(void *ctx, store_stmt *row, ph_err *err) {
    (void)err;
    writer *w = ctx;
    const char *reference = store_col_text(row, 1);
    /* Rows usually come back in insertion order: try the next one first. */
    for (size_t k = 0; k < w->nlicences; k++) {
        size_t i = (w->returned_hint + k) % w->nlicences;
        if (strcmp(text_at(w, w->licences[i].reference), reference) == 0) {
            w->licences[i].licence_id = store_col_int(row, 0);
            w->returned_hint = i + 1;
            break;
        }
    }
    return PH_OK;
}

/* Writes the pending licences, then the lines of those that were new. */
static int writer_flush(writer *w, ph_err *err) {
    w->returned_hint = 0;
    for (size_t i = 0; i < w->nlicences; i++) {
        pending_licence *l = &w->licences[i];
        store_batch *b = w->licence_rows;
        store_batch_text(b, text_at(w, l->reference));
        store_batch_text(b, text_at(w, l->type));
        store_batch_text(b, text_at(w, l->issued_on));
        store_batch_text(b, text_at(w, l->expires_on));
        store_batch_text(b, text_at(w, l->destination));
        store_batch_text(b, text_at(w, l->destination_name));
        store_batch_text(b, text_at(w, l->end_user));
        store_batch_text(b, text_at(w, l->end_user_type));
        store_batch_text(b, text_at(w, l->end_use));
        store_batch_text(b, text_at(w, l->outcome));
        store_batch_text(b, text_at(w, l->status));
        store_batch_text(b, l->tags == NO_TEXT ? "" : text_at(w, l->tags));
        store_batch_int(b, w->batch_id);
        if (store_batch_row(b, err)) return err->rc;
    }
    if (store_batch_flush(w->licence_rows, err)) return err->rc;
    for (size_t i = 0; i < w->nlicences; i++) {
        pending_licence *l = &w->licences[i];
        if (!l->licence_id) {
            /* Already in the register: from an earlier import, or from this
             * file, whose rows for the licence are not together. */
            int64_t from_batch = 0;
            if (store_one_int(w->db, &from_batch, err,
                              "SELECT batch_id FROM licence WHERE reference = ?", "t",
                              text_at(w, l->reference)))
                return err->rc;
            if (from_batch == w->batch_id) {
                int rc = bad_row(
                    w, l->line, err,
                    "licence %s appears again after other licences (its rows must be together)",
                    text_at(w, l->reference));
                if (rc) return rc;
                continue;
            }
            w->rep->licences_present++;
            continue;
        }
        w->rep->licences_added++;
        for (size_t k = 0; k < l->nlines; k++) {
            pending_line *ln = &w->lines[l->first + k];
            store_batch *b = w->line_rows;
            store_batch_int(b, l->licence_id);
            store_batch_int(b, (int64_t)k + 1);
            store_batch_text(b, w->ratings[ln->rating].display);
            store_batch_int(b, w->ratings[ln->rating].known);
            store_batch_text(b, text_at(w, ln->goods_summary));
            if (ln->quantity >= 0)
                store_batch_int(b, ln->quantity);
            else
                store_batch_null(b);
            if (ln->pence >= 0)
                store_batch_int(b, ln->pence);
            else
                store_batch_null(b);
            if (ln->count >= 0)
                store_batch_int(b, ln->count);
            else
                store_batch_null(b);
            if (store_batch_row(b, err)) return err->rc;
            w->rep->lines_added++;
        }
    }
    w->nlicences = 0;
    w->nlines = 0;
    ph_buf_reset(&w->arena);
    return PH_OK;
}

/* Starts a licence; its fields are copied. Flushes a full batch first. */
static int writer_licence(writer *w, long line, const char *const fields[12], pending_licence **out,
                          ph_err *err) {
    if (w->nlicences == LICENCES_PER_STATEMENT && writer_flush(w, err)) return err->rc;
    pending_licence *l = &w->licences[w->nlicences++];
    memset(l, 0, sizeof *l);
    size_t *slots[12] = {&l->reference,  &l->type,          &l->issued_on,
                         &l->expires_on, &l->destination,   &l->destination_name,
                         &l->end_user,   &l->end_user_type, &l->end_use,
                         &l->outcome,    &l->status,        &l->tags};
    for (int i = 0; i < 12; i++)
        *slots[i] = keep(w, fields[i] && *fields[i] ? fields[i] : NULL);
    l->line = line;
    l->first = w->nlines;
    *out = l;
    return PH_OK;
}

/* Adds a goods line to the licence being read; refuses a rating twice. */
static int writer_line(writer *w, pending_licence *l, long line, const char *rating_raw,
                       const char *goods_summary, int64_t quantity, int64_t pence, int64_t count,
                       ph_err *err) {
    size_t rating = rating_index(w, rating_raw);
    for (size_t k = 0; k < l->nlines; k++)
        if (w->lines[l->first + k].rating == rating)
            return bad_row(w, line, err, "rating %s appears twice in licence %s",
                           w->ratings[rating].display, text_at(w, l->reference));
    if (!w->ratings[rating].known)
        note_add(&w->unknown_rating, w->path, line, w->ratings[rating].display);
    w->lines = ph_grow(w->lines, &w->lines_cap, w->nlines + 1, sizeof *w->lines);
    w->lines[w->nlines++] =
        (pending_line){rating, keep(w, goods_summary && *goods_summary ? goods_summary : NULL),
                       quantity, pence, count};
    l->nlines++;
    return PH_OK;
}

static int writer_open(writer *w, ph_err *err) {
    ph_map_init(&w->country_cache);
    ph_map_init(&w->rating_cache);
    ph_buf_init(&w->arena);
    w->today = ph_date_today();
    if (refdata_names_load(w->db, &w->names, err) || control_catalog_load(w->db, &w->controls, err))
        return err->rc;
    if (store_batch_open(
            w->db,
            "INSERT INTO licence(reference, type, issued_on, expires_on, destination, "
            "destination_name, end_user, end_user_type, end_use, outcome, status, tags, batch_id)",
            13, "ON CONFLICT(reference) DO NOTHING RETURNING id, reference", LICENCES_PER_STATEMENT,
            licence_returned, w, &w->licence_rows, err) ||
        store_batch_open(
            w->db,
            "INSERT INTO licence_line(licence_id, line_no, rating, known_rating, goods_summary, "
            "quantity, value_pence, published_count)",
            8, NULL, LINES_PER_STATEMENT, NULL, NULL, &w->line_rows, err))
        return err->rc;
    return PH_OK;
}

static int writer_finish(writer *w, ph_err *err) {
    if (writer_flush(w, err)) return err->rc;
    return store_batch_flush(w->line_rows, err);
}

static void writer_close(writer *w) {
    store_batch_close(w->licence_rows);
    store_batch_close(w->line_rows);
    refdata_names_free(w->names);
    control_catalog_free(w->controls);
    ph_map_free(&w->country_cache);
    ph_map_free(&w->rating_cache);
    free(w->ratings);
    free(w->codes);
    free(w->lines);
    ph_buf_free(&w->arena);
    notes_free(&w->skipped);
    notes_free(&w->unknown_dest);
    notes_free(&w->unknown_rating);
}

static void report_progress(writer *w, csv_reader *r, uint64_t total) {
    if (w->opts->progress && (w->rep->rows & 4095) == 0)
        w->opts->progress(w->opts->progress_ctx, csv_offset(r), total);
}

static int check_header(csv_reader *r, const char *const *cols, size_t n, ph_err *err) {
    int got = csv_next(r, err);
    if (got < 0) return PH_ERR;
    if (got == 0) return ph_fail(err, PH_ERR, "%s: the file is empty", csv_name(r));
    int ok = csv_count(r) == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = ph_streq(csv_field(r, i), cols[i]);
    if (!ok) {
        ph_buf want;
        ph_buf_init(&want);
        for (size_t i = 0; i < n; i++)
            ph_buf_printf(&want, "%s%s", i ? "," : "", cols[i]);
        ph_fail(err, PH_ERR, "%s:1: expected the header %s", csv_name(r), want.data);
        ph_buf_free(&want);
        return PH_ERR;
    }
    return PH_OK;
}

/* ---- caat-values ----
 * licence_group,date,rating,count,value,country,refused: one row per
 * licence group x rating; the rows of a group are together. */

typedef struct caat_current {
    int64_t number;
    char date[11];
    char country[128];
    int refused;
    pending_licence *licence;
} caat_current;

static int caat_values(writer *w, csv_reader *r, uint64_t size, ph_err *err) {
    static const char *const cols[] = {"licence_group", "date",    "rating", "count",
                                       "value",         "country", "refused"};
    if (check_header(r, cols, 7, err)) return PH_ERR;
    caat_current cur = {0};
    int rc = PH_OK, got;
    while (!rc && (got = csv_next(r, err)) == 1) {
        long line = csv_line(r);
        w->rep->rows++;
        report_progress(w, r, size);
        if (csv_count(r) != 7) {
            rc = bad_row(w, line, err, "expected 7 fields, found %zu", csv_count(r));
            continue;
        }
        int64_t group, count = -1, pence = -1, refused;
        int32_t day;
        const char *value = csv_field(r, 4), *rating = csv_field(r, 2), *country = csv_field(r, 5);
        if (ph_parse_i64(csv_field(r, 0), &group) || group <= 0) {
            rc = bad_row(w, line, err, "licence_group '%s' is not a positive whole number",
                         csv_field(r, 0));
            continue;
        }
        if (ph_date_parse(csv_field(r, 1), &day)) {
            rc = bad_row(w, line, err, "date '%s' is not a valid YYYY-MM-DD date", csv_field(r, 1));
            continue;
        }
        if (!*rating) {
            rc = bad_row(w, line, err, "rating is empty");
            continue;
        }
        if (*csv_field(r, 3) && (ph_parse_i64(csv_field(r, 3), &count) || count < 0)) {
            rc = bad_row(w, line, err, "count '%s' is not a whole number", csv_field(r, 3));
            continue;
        }
        if (*value && (ph_parse_pounds(value, &pence) || pence < 0)) {
            rc = bad_row(w, line, err, "value '%s' is not an amount in pounds", value);
            continue;
        }
        if (ph_parse_i64(csv_field(r, 6), &refused) || (refused != 0 && refused != 1)) {
            rc = bad_row(w, line, err, "refused '%s' must be 0 or 1", csv_field(r, 6));
            continue;
        }
        if (!*country || strlen(country) >= sizeof cur.country) {
            rc = bad_row(w, line, err, "country '%s' is empty or too long", country);
            continue;
        }
        if (!cur.licence || group != cur.number) {
            cur.number = group;
            ph_strlcpy(cur.date, csv_field(r, 1), sizeof cur.date);
            ph_strlcpy(cur.country, country, sizeof cur.country);
            cur.refused = (int)refused;
            const char *code = resolve_country(w, country);
            if (!code) note_add(&w->unknown_dest, w->path, line, country);
            char reference[32], expires[11] = "";
            snprintf(reference, sizeof reference, "CAAT-%06lld", (long long)group);
            const char *status = refused ? "refused" : "issued";
            if (!refused) {
                ph_date_format(day + SIEL_VALID_DAYS, expires);
                if (day + SIEL_VALID_DAYS < w->today) status = "expired";
            }
            const char *fields[12] = {reference, "SIEL",
                                      cur.date,  expires,
                                      code,      code ? NULL : country,
                                      NULL,      NULL,
                                      NULL,      refused ? "refused" : "issued",
                                      status,    NULL};
            if ((rc = writer_licence(w, line, fields, &cur.licence, err))) break;
        } else if (!ph_streq(cur.date, csv_field(r, 1)) || !ph_streq(cur.country, country) ||
                   cur.refused != (int)refused) {
            rc = bad_row(w, line, err,
                         "licence group %s has rows that disagree on date, country or refusal",
                         csv_field(r, 0));
            continue;
        }
        rc = writer_line(w, cur.licence, line, rating, NULL, -1, pence, count, err);
    }
    if (got < 0) rc = PH_ERR;
    return rc;
}

/* caat refusal criteria: licence_group,criteria,description. */
static int caat_criteria(writer *w, const char *path, ph_err *err) {
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, err);
    if (!r) return PH_ERR;
    int got = csv_next(r, err), rc = PH_OK;
    if (got <= 0 || csv_find(r, "licence_group") != 0 || csv_find(r, "criteria") != 1) {
        csv_close(r);
        if (got < 0) return PH_ERR;
        return ph_fail(err, PH_ERR, "%s:1: expected the header licence_group,criteria,description",
                       path);
    }
    store_stmt *find = NULL, *ins = NULL;
    if (store_prepare(w->db, "SELECT id FROM licence WHERE reference = ?", &find, err) ||
        store_prepare(w->db,
                      "INSERT INTO licence_criterion(licence_id, criterion) VALUES (?, ?) ON "
                      "CONFLICT DO NOTHING",
                      &ins, err))
        rc = err->rc;
    const char *saved_path = w->path;
    w->path = path;
    while (!rc && (got = csv_next(r, err)) == 1) {
        long line = csv_line(r);
        int64_t group, crit;
        if (ph_parse_i64(csv_field(r, 0), &group) || group <= 0) {
            rc = bad_row(w, line, err, "licence_group '%s' is not a positive whole number",
                         csv_field(r, 0));
            continue;
        }
        if (ph_parse_i64(csv_field(r, 1), &crit) || crit < 1 || crit > 8) {
            rc = bad_row(w, line, err, "criterion '%s' is not one of 1 to 8", csv_field(r, 1));
            continue;
        }
        char reference[32];
        snprintf(reference, sizeof reference, "CAAT-%06lld", (long long)group);
        store_reset(find);
        store_bind_text(find, 1, reference);
        int s = store_step(find, err);
        if (s != STORE_ROW) {
            if (s != STORE_DONE) {
                rc = s;
                break;
            }
            rc = bad_row(w, line, err,
                         "licence group %s is not in the register (import the values file first)",
                         csv_field(r, 0));
            continue;
        }
        int64_t id = store_col_int(find, 0);
        store_reset(find);
        store_reset(ins);
        store_bind_int(ins, 1, id);
        store_bind_text(ins, 2, csv_field(r, 1));
        if (store_step(ins, err) != STORE_DONE) {
            rc = ph_err_prefix(err, "%s:%ld: ", path, line);
            break;
        }
        w->rep->criteria_added += store_changes(w->db) > 0;
    }
    if (got < 0) rc = PH_ERR;
    w->path = saved_path;
    store_finalize(find);
    store_finalize(ins);
    csv_close(r);
    return rc;
}

/* ---- penholder-csv ----
 * reference,type,issued_on,expires_on,destination,end_user,end_user_type,
 * end_use,rating,goods_summary,quantity,value_gbp,status,tags: one row per
 * goods line; the rows of a licence are together and agree on its fields. */

static const char *const LICENCE_TYPES[] = {"SIEL", "OIEL", "SITCL", "OITCL",
                                            "SITL", "OITL", "F680",  NULL};
static const char *const END_USER_TYPES[] = {"government", "armed_forces", "police", "commercial",
                                             "individual", "other",        NULL};
static const char *const STATUSES[] = {"issued",      "suspended", "reinstated", "revoked",
                                       "surrendered", "exhausted", "expired",    NULL};

static int one_of(const char *s, const char *const *set) {
    for (; *set; set++)
        if (strcmp(s, *set) == 0) return 1;
    return 0;
}

static void join(char *out, size_t size, const char *const *set) {
    out[0] = '\0';
    size_t n = 0;
    for (; *set && n < size; set++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", *set);
}

enum {
    P_REF,
    P_TYPE,
    P_ISSUED,
    P_EXPIRES,
    P_DEST,
    P_END_USER,
    P_EU_TYPE,
    P_END_USE,
    P_RATING,
    P_SUMMARY,
    P_QTY,
    P_VALUE,
    P_STATUS,
    P_TAGS,
    P_COLUMNS
};

static int penholder_csv(writer *w, csv_reader *r, uint64_t size, ph_err *err) {
    static const char *const cols[] = {
        "reference", "type",          "issued_on", "expires_on", "destination",
        "end_user",  "end_user_type", "end_use",   "rating",     "goods_summary",
        "quantity",  "value_gbp",     "status",    "tags"};
    if (check_header(r, cols, P_COLUMNS, err)) return PH_ERR;
    pending_licence *cur = NULL;
    char cur_key[2048] = ""; /* the licence-level fields of the current licence */
    int rc = PH_OK, got;
    char set[160];
    while (!rc && (got = csv_next(r, err)) == 1) {
        long line = csv_line(r);
        w->rep->rows++;
        report_progress(w, r, size);
        if (csv_count(r) != P_COLUMNS) {
            rc = bad_row(w, line, err, "expected %d fields, found %zu", P_COLUMNS, csv_count(r));
            continue;
        }
        const char *f[P_COLUMNS];
        for (int i = 0; i < P_COLUMNS; i++)
            f[i] = csv_field(r, (size_t)i);
        int32_t issued, expires;
        int64_t qty = -1, pence = -1;
        if (!*f[P_REF] || strlen(f[P_REF]) > 64) {
            rc = bad_row(w, line, err, "reference is empty or longer than 64 characters");
            continue;
        }
        if (!one_of(f[P_TYPE], LICENCE_TYPES)) {
            join(set, sizeof set, LICENCE_TYPES);
            rc = bad_row(w, line, err, "type '%s' is not one of %s", f[P_TYPE], set);
            continue;
        }
        if (ph_date_parse(f[P_ISSUED], &issued)) {
            rc =
                bad_row(w, line, err, "issued_on '%s' is not a valid YYYY-MM-DD date", f[P_ISSUED]);
            continue;
        }
        if (*f[P_EXPIRES] && (ph_date_parse(f[P_EXPIRES], &expires) || expires < issued)) {
            rc = bad_row(w, line, err, "expires_on '%s' is not a valid date on or after issued_on",
                         f[P_EXPIRES]);
            continue;
        }
        const char *code = resolve_country(w, f[P_DEST]);
        if (!code) {
            rc = bad_row(w, line, err, "destination '%s' is not a known destination code or name",
                         f[P_DEST]);
            continue;
        }
        if (*f[P_EU_TYPE] && !one_of(f[P_EU_TYPE], END_USER_TYPES)) {
            join(set, sizeof set, END_USER_TYPES);
            rc = bad_row(w, line, err, "end_user_type '%s' is not one of %s", f[P_EU_TYPE], set);
            continue;
        }
        if (!*f[P_RATING]) {
            rc = bad_row(w, line, err, "rating is empty");
            continue;
        }
        if (*f[P_QTY] && (ph_parse_i64(f[P_QTY], &qty) || qty < 0)) {
            rc = bad_row(w, line, err, "quantity '%s' is not a whole number", f[P_QTY]);
            continue;
        }
        if (*f[P_VALUE] && (ph_parse_pounds(f[P_VALUE], &pence) || pence < 0)) {
            rc = bad_row(w, line, err, "value_gbp '%s' is not an amount in pounds", f[P_VALUE]);
            continue;
        }
        if (!one_of(f[P_STATUS], STATUSES)) {
            join(set, sizeof set, STATUSES);
            rc = bad_row(w, line, err, "status '%s' is not one of %s", f[P_STATUS], set);
            continue;
        }
        char key[2048];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
                 f[P_REF], f[P_TYPE], f[P_ISSUED], f[P_EXPIRES], code, f[P_END_USER], f[P_EU_TYPE],
                 f[P_END_USE], f[P_STATUS], f[P_TAGS]);
        size_t ref_len = strlen(f[P_REF]);
        int same_ref =
            cur && strncmp(cur_key, f[P_REF], ref_len) == 0 && cur_key[ref_len] == '\x1f';
        if (same_ref && strcmp(cur_key, key) != 0) {
            rc = bad_row(w, line, err,
                         "licence %s: this row disagrees with its first row on a licence field "
                         "(type, dates, destination, end user, end use, status or tags)",
                         f[P_REF]);
            continue;
        }
        if (!same_ref) {
            const char *fields[12] = {f[P_REF],     f[P_TYPE], f[P_ISSUED],   f[P_EXPIRES],
                                      code,         NULL,      f[P_END_USER], f[P_EU_TYPE],
                                      f[P_END_USE], "issued",  f[P_STATUS],   f[P_TAGS]};
            if ((rc = writer_licence(w, line, fields, &cur, err))) break;
            ph_strlcpy(cur_key, key, sizeof cur_key);
        }
        rc = writer_line(w, cur, line, f[P_RATING], f[P_SUMMARY], qty, pence, -1, err);
    }
    if (got < 0) rc = PH_ERR;
    return rc;
}

/* ---- the import transaction ---- */

/* Has a file with this SHA-256 been imported? */
static int batch_seen(store *db, const char *sha, int *seen, ph_err *err) {
    int64_t n = 0;
    int rc =
        store_one_int(db, &n, err, "SELECT count(*) FROM import_batch WHERE sha256 = ?", "t", sha);
    *seen = n > 0;
    return rc;
}

int register_import_state(store *db, const char *id, ph_buf *out, ph_err *err) {
    out->len = 0;
    int64_t n, found;
    if (ph_parse_i64(id, &n) || n <= 0)
        return ph_fail(err, PH_ENOTFOUND, "'%s' is not a register import number", id);
    int rc = store_one_int(db, &found, err, "SELECT id FROM import_batch WHERE id = ?", "i", n);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "register import %s: none", id);
    if (rc) return rc;
    return audit_canon_rows(db, out, err,
                            "SELECT id, format, file_name, sha256, rows, licences, imported_at "
                            "FROM import_batch WHERE id = ? ORDER BY id",
                            "i", n);
}

/* The import's audit entry, after its rows are written. */
static int batch_audit(store *db, const char *actor, int64_t id, ph_err *err) {
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return audit_append_object(db, actor, "register.import", REGISTER_IMPORT_OBJECT, ref,
                               register_import_state, err);
}

static int batch_record(store *db, const char *format, const char *path, const char *sha,
                        int64_t *id, ph_err *err) {
    char now[21];
    ph_now_iso(now);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int rc = store_run(
        db, err,
        "INSERT INTO import_batch(format, file_name, sha256, rows, licences, imported_at) "
        "VALUES (?, ?, ?, 0, 0, ?)",
        "tttt", format, base, sha, now);
    *id = store_last_id(db);
    return rc;
}

int register_import(store *db, const char *path, const register_import_options *opts,
                    register_import_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    int caat = opts->format && strcmp(opts->format, "caat-values") == 0;
    int own = opts->format && strcmp(opts->format, "penholder-csv") == 0;
    if (!caat && !own)
        return ph_fail(err, PH_EUSAGE,
                       "unknown format '%s' (expected caat-values or penholder-csv)",
                       opts->format ? opts->format : "");
    if (opts->criteria_file && !caat)
        return ph_fail(err, PH_EUSAGE, "--criteria goes with --format caat-values");
    if (!opts->actor || !*opts->actor)
        return ph_fail(err, PH_EUSAGE, "the actor is required (who imports the register)");
    char sha[PH_SHA256_HEX], crit_sha[PH_SHA256_HEX] = "";
    if (ph_sha256_file(path, sha, err)) return PH_ERR;
    if (opts->criteria_file && ph_sha256_file(opts->criteria_file, crit_sha, err)) return PH_ERR;
    struct stat st;
    uint64_t size = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

    writer *w = ph_calloc(1, sizeof *w);
    w->db = db;
    w->opts = opts;
    w->rep = report;
    w->path = path;
    int rc = store_begin(db, err);
    if (!rc) rc = writer_open(w, err);
    int values_seen = 0, crit_seen = 1;
    if (!rc) rc = batch_seen(db, sha, &values_seen, err);
    if (!rc && opts->criteria_file) rc = batch_seen(db, crit_sha, &crit_seen, err);
    if (!rc && values_seen && crit_seen) report->already_imported = 1;
    if (!rc && !values_seen) {
        rc = batch_record(db, opts->format, path, sha, &w->batch_id, err);
        csv_reader *r = rc ? NULL : csv_open_file(path, ',', CSV_QUOTES, err);
        if (!rc && !r) rc = PH_ERR;
        if (!rc) rc = caat ? caat_values(w, r, size, err) : penholder_csv(w, r, size, err);
        if (!rc) rc = writer_finish(w, err);
        csv_close(r);
        if (!rc)
            rc = store_run(db, err, "UPDATE import_batch SET rows = ?, licences = ? WHERE id = ?",
                           "iii", (int64_t)report->rows, (int64_t)report->licences_added,
                           w->batch_id);
        if (!rc) rc = batch_audit(db, opts->actor, w->batch_id, err);
    }
    if (!rc && !crit_seen) {
        int64_t batch;
        rc = batch_record(db, "caat-refusal-criteria", opts->criteria_file, crit_sha, &batch, err);
        if (!rc) rc = caat_criteria(w, opts->criteria_file, err);
        if (!rc) rc = batch_audit(db, opts->actor, batch, err);
    }
    if (!rc)
        rc = store_commit(db, err);
    else
        store_rollback(db);
    if (!rc) {
        notes_move(&w->skipped, &report->skipped, &report->nskipped);
        notes_move(&w->unknown_dest, &report->unknown_destinations, &report->nunknown_destinations);
        notes_move(&w->unknown_rating, &report->unknown_ratings, &report->nunknown_ratings);
    } else {
        /* Nothing was stored: the counts would mislead. */
        report->rows = report->licences_added = report->licences_present = report->lines_added =
            report->criteria_added = 0;
    }
    writer_close(w);
    free(w);
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
