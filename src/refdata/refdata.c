#include "refdata.h"

#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "csv/csv.h"

/* ---- loading ---- */

typedef int (*table_loader)(store *db, csv_reader *r, int *rows, ph_err *err);

/* Column indexes of a header, by name; a missing required column is an error. */
static int header(csv_reader *r, const char *const *names, int *idx, size_t n, ph_err *err) {
    if (csv_next(r, err) != 1)
        return err->msg[0] ? PH_ERR : ph_fail(err, PH_ERR, "%s: empty file", csv_name(r));
    for (size_t i = 0; i < n; i++) {
        idx[i] = csv_find(r, names[i]);
        if (idx[i] < 0)
            return ph_fail(err, PH_ERR, "%s:1: missing column '%s'", csv_name(r), names[i]);
    }
    return PH_OK;
}

static const char *nullable(const char *s) {
    return s && *s ? s : NULL;
}

/* Reads each row and runs `sql` with the named columns bound in order. */
static int load_rows(store *db, csv_reader *r, const char *const *names, size_t ncols,
                     const char *sql, int *rows, ph_err *err) {
    int idx[16];
    if (header(r, names, idx, ncols, err)) return PH_ERR;
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    int rc = PH_OK, got;
    while ((got = csv_next(r, err)) == 1) {
        store_reset(st);
        for (size_t i = 0; i < ncols; i++)
            store_bind_text(st, (int)i + 1, nullable(csv_field(r, (size_t)idx[i])));
        if (store_step(st, err) != STORE_DONE) {
            rc = ph_err_prefix(err, "%s:%ld: ", csv_name(r), csv_line(r));
            break;
        }
        (*rows)++;
    }
    if (got < 0) rc = PH_ERR;
    store_finalize(st);
    return rc;
}

static int load_destinations(store *db, csv_reader *r, int *rows, ph_err *err) {
    static const char *const cols[] = {"code", "name", "report_name", "iso3", "region", "kind"};
    return load_rows(db, r, cols, 6,
                     "INSERT INTO destination(code, name, report_name, iso3, region, kind) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                     "name = excluded.name, report_name = excluded.report_name, "
                     "iso3 = excluded.iso3, region = excluded.region, kind = excluded.kind",
                     rows, err);
}

static int load_aliases(store *db, csv_reader *r, int *rows, ph_err *err) {
    static const char *const names[] = {"alias", "code"};
    int idx[2];
    if (header(r, names, idx, 2, err)) return PH_ERR;
    if (store_exec(db, "DELETE FROM destination_alias", err)) return err->rc;
    store_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO destination_alias(alias_key, alias, code) VALUES (?, ?, ?) "
                      "ON CONFLICT(alias_key) DO NOTHING",
                      &st, err))
        return err->rc;
    int rc = PH_OK, got;
    while ((got = csv_next(r, err)) == 1) {
        char *key = ph_fold(csv_field(r, (size_t)idx[0]));
        if (!key || !*key) {
            free(key);
            rc = ph_fail(err, PH_ERR, "%s:%ld: alias is empty or not UTF-8", csv_name(r),
                         csv_line(r));
            break;
        }
        store_reset(st);
        store_bind_text(st, 1, key);
        store_bind_text(st, 2, csv_field(r, (size_t)idx[0]));
        store_bind_text(st, 3, csv_field(r, (size_t)idx[1]));
        free(key);
        if (store_step(st, err) != STORE_DONE) {
            rc = ph_err_prefix(err, "%s:%ld: ", csv_name(r), csv_line(r));
            break;
        }
        (*rows)++;
    }
    if (got < 0) rc = PH_ERR;
    store_finalize(st);
    return rc;
}

static int load_embargoes(store *db, csv_reader *r, int *rows, ph_err *err) {
    static const char *const cols[] = {"destination", "source", "scope",
                                       "description", "since",  "authority"};
    if (store_exec(db, "DELETE FROM embargo", err)) return err->rc;
    return load_rows(
        db, r, cols, 6,
        "INSERT INTO embargo(destination, source, scope, description, since, authority) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows, err);
}

static int load_criteria_versions(store *db, csv_reader *r, int *rows, ph_err *err) {
    static const char *const cols[] = {"id", "instrument", "valid_from", "valid_to", "title"};
    return load_rows(db, r, cols, 5,
                     "INSERT INTO criteria_version(id, instrument, valid_from, valid_to, title) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                     "instrument = excluded.instrument, valid_from = excluded.valid_from, "
                     "valid_to = excluded.valid_to, title = excluded.title",
                     rows, err);
}

static int load_criteria(store *db, csv_reader *r, int *rows, ph_err *err) {
    static const char *const cols[] = {"version", "id", "parent", "title", "test"};
    return load_rows(
        db, r, cols, 5,
        "INSERT INTO criterion(version, id, parent, title, test) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(version, id) DO UPDATE SET parent = excluded.parent, "
        "title = excluded.title, test = excluded.test",
        rows, err);
}

static int load_controls(store *db, csv_reader *r, int *rows, ph_err *err) {
    (void)r;
    const ph_embedded *f = ph_embedded_find("data/controls.csv");
    return control_load_csv(db, f->name, f->data, f->len, rows, err);
}

typedef struct table_spec {
    const char *name;
    const char *file;
    table_loader load;
} table_spec;

/* In dependency order: aliases and embargoes refer to destinations. */
static const table_spec tables[] = {
    {"destinations", "data/destinations.csv", load_destinations},
    {"destination_aliases", "data/destination_aliases.csv", load_aliases},
    {"embargoes", "data/embargoes.csv", load_embargoes},
    {"criteria_versions", "data/criteria_versions.csv", load_criteria_versions},
    {"criteria", "data/criteria.csv", load_criteria},
    {"controls", "data/controls.csv", load_controls},
};

static int load_table(store *db, const table_spec *t, refdata_load_report *rep, ph_err *err) {
    const ph_embedded *f = ph_embedded_find(t->file);
    if (!f) return ph_fail(err, PH_ERR, "internal: reference file %s is not built in", t->file);
    char sha[PH_SHA256_HEX];
    ph_sha256_hex(f->data, f->len, sha);
    store_stmt *st;
    if (store_prepare(db, "SELECT sha256 FROM refdata_version WHERE name = ?", &st, err))
        return err->rc;
    store_bind_text(st, 1, t->name);
    int same = store_step(st, err) == STORE_ROW && ph_streq(store_col_text(st, 0), sha);
    store_finalize(st);
    if (same) {
        rep->tables_current++;
        return PH_OK;
    }
    csv_reader *r = csv_open_memory(f->name, f->data, f->len, ',', CSV_QUOTES);
    int rows = 0;
    int rc = t->load(db, r, &rows, err);
    csv_close(r);
    if (rc) return rc;
    char now[21];
    ph_now_iso(now);
    rc =
        store_run(db, err,
                  "INSERT INTO refdata_version(name, sha256, rows, loaded_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(name) DO UPDATE SET sha256 = excluded.sha256, rows = excluded.rows, "
                  "loaded_at = excluded.loaded_at",
                  "ttit", t->name, sha, (int64_t)rows, now);
    rep->tables_loaded++;
    rep->rows += rows;
    return rc;
}

int refdata_load(store *db, refdata_load_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    if (store_begin(db, err)) return err->rc;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (load_table(db, &tables[i], report, err)) {
            store_rollback(db);
            return err->rc ? err->rc : PH_ERR;
        }
    }
    return store_commit(db, err);
}

/* ---- destinations ---- */

int refdata_resolve_destination(store *db, const char *text, char code[REFDATA_CODE_MAX],
                                ph_err *err) {
    char *key = ph_fold(text ? text : "");
    if (!key || !*key) {
        free(key);
        return ph_fail(err, PH_ENOTFOUND, "destination is empty or not valid UTF-8");
    }
    store_stmt *st;
    if (store_prepare(db, "SELECT code FROM destination_alias WHERE alias_key = ?", &st, err)) {
        free(key);
        return err->rc;
    }
    store_bind_text(st, 1, key);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ph_strlcpy(code, store_col_text(st, 0), REFDATA_CODE_MAX);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(
            err, PH_ENOTFOUND,
            "unknown destination '%s' (give an ISO 3166 code such as IL, or a country name)", text);
    }
    store_finalize(st);
    free(key);
    return rc;
}

int refdata_destination_get(store *db, const char *code, refdata_destination *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    store_stmt *st;
    if (store_prepare(db, "SELECT code, name, report_name, kind FROM destination WHERE code = ?",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, code);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ph_strlcpy(out->code, store_col_text(st, 0), sizeof out->code);
        out->name = ph_strdup(store_col_text(st, 1));
        out->report_name = ph_strdup(store_col_text(st, 2));
        out->kind = ph_strdup(store_col_text(st, 3));
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no destination with code '%s'", code);
    }
    store_finalize(st);
    return rc;
}

void refdata_destination_clear(refdata_destination *d) {
    free(d->name);
    free(d->report_name);
    free(d->kind);
    memset(d, 0, sizeof *d);
}

int refdata_destinations_list(store *db, refdata_destination **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(db, "SELECT code, name, report_name, kind FROM destination ORDER BY code",
                      &st, err))
        return err->rc;
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        refdata_destination *d = &(*out)[(*n)++];
        ph_strlcpy(d->code, store_col_text(st, 0), sizeof d->code);
        d->name = ph_strdup(store_col_text(st, 1));
        d->report_name = ph_strdup(store_col_text(st, 2));
        d->kind = ph_strdup(store_col_text(st, 3));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        refdata_destinations_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

void refdata_destinations_free(refdata_destination *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        refdata_destination_clear(&v[i]);
    free(v);
}

struct refdata_names {
    ph_map by_key; /* folded name -> index into codes */
    char (*codes)[REFDATA_CODE_MAX];
    size_t n, cap;
};

int refdata_names_load(store *db, refdata_names **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db, "SELECT alias_key, code FROM destination_alias", &st, err))
        return err->rc;
    refdata_names *names = ph_calloc(1, sizeof *names);
    ph_map_init(&names->by_key);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        names->codes = ph_grow(names->codes, &names->cap, names->n + 1, sizeof *names->codes);
        ph_strlcpy(names->codes[names->n], store_col_text(st, 1), REFDATA_CODE_MAX);
        ph_map_put(&names->by_key, store_col_text(st, 0), (int64_t)names->n);
        names->n++;
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        refdata_names_free(names);
        return rc;
    }
    *out = names;
    return PH_OK;
}

const char *refdata_names_resolve(const refdata_names *n, const char *text) {
    char *key = ph_fold(text);
    if (!key) return NULL;
    int64_t i;
    int found = ph_map_get(&n->by_key, key, &i);
    free(key);
    return found ? n->codes[i] : NULL;
}

void refdata_names_free(refdata_names *n) {
    if (!n) return;
    ph_map_free(&n->by_key);
    free(n->codes);
    free(n);
}

/* ---- embargoes ---- */

int refdata_embargoes(store *db, const char *destination, const char *on_date,
                      refdata_embargo **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT destination, source, scope, description, since, authority FROM embargo "
            "WHERE destination = ? AND (? = '' OR since IS NULL OR since <= ?) "
            "ORDER BY source",
            &st, err))
        return err->rc;
    const char *date = on_date ? on_date : "";
    store_bind_text(st, 1, destination);
    store_bind_text(st, 2, date);
    store_bind_text(st, 3, date);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        refdata_embargo *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        ph_strlcpy(e->destination, store_col_text(st, 0), sizeof e->destination);
        ph_strlcpy(e->source, store_col_text(st, 1), sizeof e->source);
        ph_strlcpy(e->scope, store_col_text(st, 2), sizeof e->scope);
        e->description = ph_strdup(store_col_text(st, 3));
        ph_strlcpy(e->since, store_col_text(st, 4) ? store_col_text(st, 4) : "", sizeof e->since);
        e->authority = ph_strdup(store_col_text(st, 5) ? store_col_text(st, 5) : "");
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

void refdata_embargoes_free(refdata_embargo *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].description);
        free(v[i].authority);
    }
    free(v);
}
