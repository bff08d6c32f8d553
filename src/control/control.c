#include "control.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "csv/csv.h"

/* ---- rating forms ---- */

void control_rating_key(const char *rating, char *out, size_t size) {
    size_t o = 0;
    for (const char *p = rating; *p && o + 1 < size; p++) {
        if (*p == '.' || isspace((unsigned char)*p)) continue;
        out[o++] = (char)toupper((unsigned char)*p);
    }
    if (size) out[o] = '\0';
}

/* Length of the head of a rating that follows a known shape: ML<n>,
 * PL<nnnn>, or <digit><A-E><nnn>; 0 otherwise. */
static size_t rating_head(const char *k) {
    size_t i = 0;
    if ((k[0] == 'M' && k[1] == 'L') && isdigit((unsigned char)k[2])) {
        i = 2;
        while (isdigit((unsigned char)k[i]))
            i++;
        return i;
    }
    if (k[0] == 'P' && k[1] == 'L' && isdigit((unsigned char)k[2]) &&
        isdigit((unsigned char)k[3]) && isdigit((unsigned char)k[4]) &&
        isdigit((unsigned char)k[5]))
        return 6;
    if (isdigit((unsigned char)k[0]) && k[1] >= 'A' && k[1] <= 'E' &&
        isdigit((unsigned char)k[2]) && isdigit((unsigned char)k[3]) &&
        isdigit((unsigned char)k[4]))
        return 5;
    return 0;
}

void control_rating_display(const char *rating, char *out, size_t size) {
    char key[CONTROL_RATING_MAX];
    control_rating_key(rating, key, sizeof key);
    size_t head = rating_head(key);
    int alnum = 1;
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p)) alnum = 0;
    if (!head || !alnum) {
        /* Not a list code (MEND, "End Use", RUS): keep as written, trimmed. */
        char *copy = ph_strdup(rating);
        ph_strlcpy(out, ph_trim(copy), size);
        free(copy);
        return;
    }
    ph_buf b;
    ph_buf_init(&b);
    ph_buf_append(&b, key, head);
    const char *p = key + head;
    while (*p) {
        ph_buf_putc(&b, '.');
        if (isdigit((unsigned char)*p))
            while (isdigit((unsigned char)*p))
                ph_buf_putc(&b, *p++);
        else
            while (isalpha((unsigned char)*p))
                ph_buf_putc(&b, (char)tolower((unsigned char)*p++));
    }
    ph_strlcpy(out, b.data, size);
    ph_buf_free(&b);
}

unsigned control_regimes_parse(const char *s) {
    unsigned bits = 0;
    if (strstr(s, "Wassenaar")) bits |= REGIME_WASSENAAR;
    if (strstr(s, "MTCR")) bits |= REGIME_MTCR;
    if (strstr(s, "NSG")) bits |= REGIME_NSG;
    if (strstr(s, "Australia Group")) bits |= REGIME_AUSTRALIA_GROUP;
    if (strstr(s, "CWC")) bits |= REGIME_CWC;
    return bits;
}

static int kind_is_military(const char *kind) {
    return strcmp(kind, "military") == 0 || strcmp(kind, "national-military") == 0;
}

void control_entry_clear(control_entry *e) {
    free(e->rating);
    free(e->parent);
    free(e->kind);
    free(e->title);
    free(e->regimes);
    free(e->keywords);
    memset(e, 0, sizeof *e);
}

void control_entries_free(control_entry *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        control_entry_clear(&v[i]);
    free(v);
}

static void entry_fill(control_entry *e, int64_t id, const char *rating, const char *parent,
                       const char *kind, const char *title, const char *regimes,
                       const char *keywords) {
    e->id = id;
    e->rating = ph_strdup(rating ? rating : "");
    e->parent = ph_strdup(parent ? parent : "");
    e->kind = ph_strdup(kind ? kind : "");
    e->title = ph_strdup(title ? title : "");
    e->regimes = ph_strdup(regimes ? regimes : "");
    e->keywords = ph_strdup(keywords ? keywords : "");
    e->military = kind_is_military(e->kind);
    e->regime_bits = control_regimes_parse(e->regimes);
}

/* ---- loading ---- */

typedef struct columns {
    int rating, parent, kind, title, regimes, keywords;
} columns;

static int read_header(csv_reader *r, columns *c, ph_err *err) {
    if (csv_next(r, err) != 1)
        return err->msg[0] ? PH_ERR : ph_fail(err, PH_ERR, "%s: empty file", csv_name(r));
    c->rating = csv_find(r, "rating");
    c->parent = csv_find(r, "parent");
    c->kind = csv_find(r, "kind");
    c->title = csv_find(r, "title");
    c->regimes = csv_find(r, "regimes");
    c->keywords = csv_find(r, "keywords");
    if (c->rating < 0 || c->parent < 0 || c->kind < 0 || c->title < 0)
        return ph_fail(err, PH_ERR,
                       "%s:1: expected columns rating,parent,kind,title,regimes,keywords",
                       csv_name(r));
    return PH_OK;
}

static const char *col(csv_reader *r, int i) {
    return i < 0 ? "" : csv_field(r, (size_t)i);
}

int control_load_csv(store *db, const char *name, const char *data, size_t len, int *rows,
                     ph_err *err) {
    *rows = 0;
    csv_reader *r = csv_open_memory(name, data, len, ',', CSV_QUOTES);
    columns c;
    int rc = read_header(r, &c, err);
    store_stmt *ins = NULL;
    if (!rc) rc = store_exec(db, "DELETE FROM control_entry", err);
    if (!rc)
        rc = store_prepare(
            db,
            "INSERT INTO control_entry(rating, rating_key, parent, kind, title, regimes, keywords) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            &ins, err);
    while (!rc) {
        int got = csv_next(r, err);
        if (got < 0) rc = PH_ERR;
        if (got <= 0) break;
        char display[CONTROL_RATING_MAX], key[CONTROL_RATING_MAX];
        control_rating_display(col(r, c.rating), display, sizeof display);
        control_rating_key(display, key, sizeof key);
        if (!display[0]) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: empty rating", name, csv_line(r));
            break;
        }
        store_reset(ins);
        store_bind_text(ins, 1, display);
        store_bind_text(ins, 2, key);
        store_bind_text(ins, 3, col(r, c.parent)[0] ? col(r, c.parent) : NULL);
        store_bind_text(ins, 4, col(r, c.kind));
        store_bind_text(ins, 5, col(r, c.title));
        store_bind_text(ins, 6, col(r, c.regimes));
        store_bind_text(ins, 7, col(r, c.keywords));
        if (store_step(ins, err) != STORE_DONE) {
            rc = ph_err_prefix(err, "%s:%ld: ", name, csv_line(r));
            break;
        }
        (*rows)++;
    }
    store_finalize(ins);
    csv_close(r);
    if (!rc) rc = store_text_reindex(db, "control", err);
    return rc;
}

/* ---- queries ---- */

#define ENTRY_COLUMNS "id, rating, parent, kind, title, regimes, keywords"

static void entry_from_row(store_stmt *st, control_entry *e) {
    entry_fill(e, store_col_int(st, 0), store_col_text(st, 1), store_col_text(st, 2),
               store_col_text(st, 3), store_col_text(st, 4), store_col_text(st, 5),
               store_col_text(st, 6));
}

int control_get(store *db, const char *rating, control_entry *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    char key[CONTROL_RATING_MAX];
    control_rating_key(rating, key, sizeof key);
    store_stmt *st;
    if (store_prepare(db, "SELECT " ENTRY_COLUMNS " FROM control_entry WHERE rating_key = ?", &st,
                      err))
        return err->rc;
    store_bind_text(st, 1, key);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        entry_from_row(st, out);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no control list entry '%s'", rating);
    }
    store_finalize(st);
    return rc;
}

int control_path(store *db, const char *rating, control_entry **path, size_t *n, ph_err *err) {
    *path = NULL;
    *n = 0;
    control_entry chain[32];
    size_t depth = 0;
    char *next = ph_strdup(rating);
    int rc = PH_OK;
    while (next && *next && depth < 32) {
        rc = control_get(db, next, &chain[depth], err);
        free(next);
        next = NULL;
        if (rc) break;
        next = ph_strdup(chain[depth].parent);
        depth++;
    }
    free(next);
    if (rc) {
        for (size_t i = 0; i < depth; i++)
            control_entry_clear(&chain[i]);
        return rc;
    }
    *path = ph_calloc(depth, sizeof **path);
    for (size_t i = 0; i < depth; i++)
        (*path)[i] = chain[depth - 1 - i];
    *n = depth;
    return PH_OK;
}

static int collect(store_stmt *st, control_entry **out, size_t *n, ph_err *err) {
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        entry_from_row(st, &(*out)[(*n)++]);
    }
    return rc == STORE_DONE ? PH_OK : rc;
}

int control_children(store *db, const char *rating, control_entry **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    char display[CONTROL_RATING_MAX];
    control_rating_display(rating, display, sizeof display);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT " ENTRY_COLUMNS " FROM control_entry WHERE parent = ? ORDER BY id",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, display);
    int rc = collect(st, out, n, err);
    store_finalize(st);
    return rc;
}

int control_search(store *db, const char *query, int limit, control_entry **out, size_t *n,
                   ph_err *err) {
    *out = NULL;
    *n = 0;
    int64_t *ids;
    size_t nids;
    if (store_text_search(db, "control", query, limit, &ids, &nids, err)) return err->rc;
    store_stmt *st;
    int rc =
        store_prepare(db, "SELECT " ENTRY_COLUMNS " FROM control_entry WHERE id = ?", &st, err);
    if (!rc) {
        *out = ph_calloc(nids ? nids : 1, sizeof **out);
        for (size_t i = 0; i < nids && !rc; i++) {
            store_reset(st);
            store_bind_int(st, 1, ids[i]);
            int s = store_step(st, err);
            if (s == STORE_ROW)
                entry_from_row(st, &(*out)[(*n)++]);
            else if (s != STORE_DONE)
                rc = s;
        }
        store_finalize(st);
    }
    free(ids);
    return rc;
}

/* ---- catalogue ---- */

struct control_catalog {
    control_entry *entries;
    size_t n, cap;
    ph_map by_key; /* rating key -> index */
};

static void catalog_add(control_catalog *c, control_entry *e) {
    c->entries = ph_grow(c->entries, &c->cap, c->n + 1, sizeof *c->entries);
    c->entries[c->n] = *e;
    char key[CONTROL_RATING_MAX];
    control_rating_key(e->rating, key, sizeof key);
    ph_map_put(&c->by_key, key, (int64_t)c->n);
    c->n++;
}

int control_catalog_load(store *db, control_catalog **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db, "SELECT " ENTRY_COLUMNS " FROM control_entry ORDER BY id", &st, err))
        return err->rc;
    control_catalog *c = ph_calloc(1, sizeof *c);
    ph_map_init(&c->by_key);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        control_entry e;
        entry_from_row(st, &e);
        catalog_add(c, &e);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        control_catalog_free(c);
        return rc;
    }
    *out = c;
    return PH_OK;
}

int control_catalog_from_csv(const char *name, const char *data, size_t len, control_catalog **out,
                             ph_err *err) {
    *out = NULL;
    csv_reader *r = csv_open_memory(name, data, len, ',', CSV_QUOTES);
    columns cols;
    int rc = read_header(r, &cols, err);
    control_catalog *c = ph_calloc(1, sizeof *c);
    ph_map_init(&c->by_key);
    int64_t id = 1;
    while (!rc) {
        int got = csv_next(r, err);
        if (got < 0) rc = PH_ERR;
        if (got <= 0) break;
        char display[CONTROL_RATING_MAX];
        control_rating_display(col(r, cols.rating), display, sizeof display);
        control_entry e;
        entry_fill(&e, id++, display, col(r, cols.parent), col(r, cols.kind), col(r, cols.title),
                   col(r, cols.regimes), col(r, cols.keywords));
        catalog_add(c, &e);
    }
    csv_close(r);
    if (rc) {
        control_catalog_free(c);
        return rc;
    }
    *out = c;
    return PH_OK;
}

void control_catalog_free(control_catalog *c) {
    if (!c) return;
    control_entries_free(c->entries, c->n);
    ph_map_free(&c->by_key);
    free(c);
}

size_t control_catalog_size(const control_catalog *c) {
    return c->n;
}

const control_entry *control_catalog_at(const control_catalog *c, size_t i) {
    return i < c->n ? &c->entries[i] : NULL;
}

const control_entry *control_catalog_find(const control_catalog *c, const char *rating) {
    char key[CONTROL_RATING_MAX];
    control_rating_key(rating, key, sizeof key);
    int64_t i;
    if (!ph_map_get(&c->by_key, key, &i)) return NULL;
    return &c->entries[i];
}

const control_entry *control_catalog_parent(const control_catalog *c, const control_entry *e) {
    if (!e->parent[0]) return NULL;
    return control_catalog_find(c, e->parent);
}

int control_catalog_is_under(const control_catalog *c, const char *rating, const char *ancestor) {
    char want[CONTROL_RATING_MAX];
    control_rating_key(ancestor, want, sizeof want);
    const control_entry *e = control_catalog_find(c, rating);
    if (!e) {
        /* Unknown to the list: fall back to the written prefix. */
        char key[CONTROL_RATING_MAX];
        control_rating_key(rating, key, sizeof key);
        return strncmp(key, want, strlen(want)) == 0 &&
               (strlen(key) == strlen(want) || !isdigit((unsigned char)key[strlen(want)]) ||
                !isdigit((unsigned char)want[strlen(want) - 1]));
    }
    for (int depth = 0; e && depth < 32; depth++) {
        char key[CONTROL_RATING_MAX];
        control_rating_key(e->rating, key, sizeof key);
        if (strcmp(key, want) == 0) return 1;
        e = control_catalog_parent(c, e);
    }
    return 0;
}
