/* Storing list versions, listing them, and loading the current lists. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "csv/csv.h"
#include "lists/parse.h"
#include "refdata/refdata.h"

/* ---- arena: the memory of a loaded set, freed in one go ---- */

#define ARENA_BLOCK (1u << 20)

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} arena_block;

struct lists_arena {
    arena_block *head;
};

static void *arena_alloc(lists_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        arena_block *b = ph_malloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static char *arena_strdup(lists_arena *a, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

static void arena_free(lists_arena *a) {
    if (!a) return;
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

/* ---- the entities of one import, merged by id ---- */

typedef struct batch {
    lists_builder *v;
    size_t n, cap;
    ph_map index; /* entity_id -> position in v */
    long merged;
} batch;

static int batch_add(void *ctx, const lists_entity *e, ph_err *err) {
    batch *b = ctx;
    const char *file = e->file ? e->file : "<input>";
    if (!e->entity_id || !*e->entity_id)
        return ph_fail(err, PH_ERR, "%s:%ld: entity without an identifier", file, e->line);
    if (e->nnames == 0 || strcmp(e->names[0].kind, "primary") != 0)
        return ph_fail(err, PH_ERR, "%s:%ld: entity %s has no primary name", file, e->line,
                       e->entity_id);
    int64_t at;
    if (ph_map_get(&b->index, e->entity_id, &at)) {
        /* The same id twice: one entity listed by two sub-lists (CSL) or
         * at several addresses (DPL). */
        b->merged++;
        return lists_builder_merge(&b->v[at], e, err);
    }
    if ((long)b->n >= LISTS_MAX_ENTITIES)
        return ph_fail(err, PH_ERR, "%s:%ld: more than %ld entities in one list", file, e->line,
                       LISTS_MAX_ENTITIES);
    b->v = ph_grow(b->v, &b->cap, b->n + 1, sizeof *b->v);
    lists_builder *nb = &b->v[b->n];
    lists_builder_init(nb);
    if (lists_builder_merge(nb, e, err)) {
        lists_builder_free(nb);
        return err->rc;
    }
    ph_map_put(&b->index, e->entity_id, (int64_t)b->n);
    b->n++;
    return PH_OK;
}

static void batch_free(batch *b) {
    for (size_t i = 0; i < b->n; i++)
        lists_builder_free(&b->v[i]);
    free(b->v);
    ph_map_free(&b->index);
    memset(b, 0, sizeof *b);
}

/* ---- entity digest ---- */

/* One attribute as stored: countries resolved, raw kept. */
typedef struct row_attr {
    const char *kind;
    const char *value;
    const char *raw; /* NULL when the same as value */
} row_attr;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A SHA-256 over a canonical form of the entity: names after the primary and
 * every attribute sorted, so that a list that reorders aliases does not
 * make its entities look changed. Raw country text is left out. */
static void entity_digest(const lists_entity *e, const row_attr *attrs, size_t nattrs,
                          char out[PH_SHA256_HEX]) {
    ph_buf b;
    ph_buf_init(&b);
    ph_buf_printf(&b, "v1\x1e%s\x1f%s\x1f%s\x1f%s\x1e", e->type, e->alt_id ? e->alt_id : "",
                  e->source ? e->source : "", e->remarks ? e->remarks : "");
    size_t nitems = (e->nnames ? e->nnames - 1 : 0) + nattrs;
    char **items = ph_calloc(nitems ? nitems : 1, sizeof *items);
    size_t k = 0;
    for (size_t i = 1; i < e->nnames; i++)
        items[k++] = ph_asprintf("n\x1f%s\x1f%s\x1f%s", e->names[i].text, e->names[i].kind,
                                 e->names[i].quality);
    for (size_t i = 0; i < nattrs; i++)
        items[k++] = ph_asprintf("a\x1f%s\x1f%s", attrs[i].kind, attrs[i].value);
    qsort(items, k, sizeof *items, cmp_str);
    if (e->nnames)
        ph_buf_printf(&b, "%s\x1f%s\x1f%s\x1e", e->names[0].text, e->names[0].kind,
                      e->names[0].quality);
    for (size_t i = 0; i < k; i++) {
        ph_buf_puts(&b, items[i]);
        ph_buf_putc(&b, '\x1e');
        free(items[i]);
    }
    free(items);
    ph_sha256_hex(b.data, b.len, out);
    ph_buf_free(&b);
}

/* ---- countries ---- */

/* Country names as the lists write them ("Korea, North", "Palestinian")
 * that the destination table does not know, shipped with the module. */
#define LISTS_COUNTRY_ALIASES "data/list_country_aliases.csv"

typedef struct country_resolver {
    refdata_names *destinations;
    ph_map extra; /* folded alias -> index in codes */
    char (*codes)[REFDATA_CODE_MAX];
    size_t n, cap;
} country_resolver;

static int resolver_open(store *db, country_resolver *cr, ph_err *err) {
    memset(cr, 0, sizeof *cr);
    ph_map_init(&cr->extra);
    if (refdata_names_load(db, &cr->destinations, err)) return err->rc;
    const ph_embedded *f = ph_embedded_find(LISTS_COUNTRY_ALIASES);
    if (!f) return PH_OK;
    csv_reader *r = csv_open_memory(LISTS_COUNTRY_ALIASES, f->data, f->len, ',', CSV_QUOTES);
    int got;
    while ((got = csv_next(r, err)) == 1) {
        if (csv_line(r) == 1) continue; /* header */
        char *key = ph_fold(csv_field(r, 0));
        if (!key) continue;
        cr->codes = ph_grow(cr->codes, &cr->cap, cr->n + 1, sizeof *cr->codes);
        ph_strlcpy(cr->codes[cr->n], csv_field(r, 1), REFDATA_CODE_MAX);
        ph_map_put(&cr->extra, key, (int64_t)cr->n++);
        free(key);
    }
    csv_close(r);
    return got < 0 ? err->rc : PH_OK;
}

static const char *resolver_code(const country_resolver *cr, const char *text) {
    const char *code = cr->destinations ? refdata_names_resolve(cr->destinations, text) : NULL;
    if (code) return code;
    char *key = ph_fold(text);
    if (!key) return NULL;
    int64_t at;
    int found = ph_map_get(&cr->extra, key, &at);
    free(key);
    return found ? cr->codes[at] : NULL;
}

static void resolver_close(country_resolver *cr) {
    refdata_names_free(cr->destinations);
    ph_map_free(&cr->extra);
    free(cr->codes);
    memset(cr, 0, sizeof *cr);
}

/* ---- import ---- */

static const char *default_list(const char *format, const char *const *paths, size_t n) {
    const lists_format *f = lists_format_find(format);
    if (strcmp(format, "ofac-csv") == 0) {
        /* The non-SDN consolidated list comes as cons_prim.csv, cons_alt.csv... */
        for (size_t i = 0; i < n; i++) {
            const char *base = strrchr(paths[i], '/');
            base = base ? base + 1 : paths[i];
            if (strstr(base, "cons_") || strstr(base, "CONS_")) return "ofac-cons";
        }
    }
    return f ? f->default_list : "list";
}

static int valid_list_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= LISTS_LIST_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

typedef struct file_sum {
    char sha[PH_SHA256_HEX];
    int64_t bytes;
} file_sum;

static int hash_files(const char *const *paths, size_t n, const char *const *labels, file_sum *sums,
                      char version_sha[PH_SHA256_HEX], ph_err *err) {
    char **sorted = ph_calloc(n, sizeof *sorted);
    for (size_t i = 0; i < n; i++) {
        if (ph_sha256_file(paths[i], sums[i].sha, err)) {
            lists_err_relabel(err, paths[i], labels ? labels[i] : NULL);
            for (size_t j = 0; j < i; j++)
                free(sorted[j]);
            free(sorted);
            return err->rc;
        }
        FILE *f = fopen(paths[i], "rb");
        sums[i].bytes = 0;
        if (f) {
            if (fseek(f, 0, SEEK_END) == 0) sums[i].bytes = ftell(f);
            fclose(f);
        }
        sorted[i] = ph_strdup(sums[i].sha);
    }
    /* Sorted, so that the order the files are given in does not matter. */
    qsort(sorted, n, sizeof *sorted, cmp_str);
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        ph_buf_printf(&b, "%s\n", sorted[i]);
        free(sorted[i]);
    }
    free(sorted);
    ph_sha256_hex(b.data, b.len, version_sha);
    ph_buf_free(&b);
    return PH_OK;
}

static int find_version(store *db, const char *list, const char *sha, lists_import_report *rep,
                        ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db, "SELECT id, seq, entities, names FROM list_version WHERE list = ? AND sha256 = ?",
            &st, err))
        return err->rc;
    store_bind_text(st, 1, list);
    store_bind_text(st, 2, sha);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        rep->already_imported = 1;
        rep->version_id = store_col_int(st, 0);
        rep->version_seq = store_col_int(st, 1);
        rep->entities = (long)store_col_int(st, 2);
        rep->names = (long)store_col_int(st, 3);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = PH_OK;
    }
    store_finalize(st);
    return rc;
}

/* The versions of a list are compared by the list's own identifiers, which
 * only mean the same thing within one format. */
static int same_format(store *db, const char *list, const char *format, ph_err *err) {
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT format FROM list_version WHERE list = ? ORDER BY seq DESC LIMIT 1",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, list);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        const char *have = store_col_text(st, 0);
        rc = strcmp(have, format) == 0
                 ? PH_OK
                 : ph_fail(err, PH_ECONFLICT,
                           "list %s holds %s versions, not %s: give another name with --list", list,
                           have, format);
    } else if (rc == STORE_DONE) {
        rc = PH_OK;
    }
    store_finalize(st);
    return rc;
}

typedef struct writer {
    store *db;
    store_stmt *find, *ins_entity, *ins_name, *ins_attr, *ins_member;
    row_attr *attrs;
    size_t attrs_cap;
} writer;

static void writer_close(writer *w) {
    store_finalize(w->find);
    store_finalize(w->ins_entity);
    store_finalize(w->ins_name);
    store_finalize(w->ins_attr);
    store_finalize(w->ins_member);
    free(w->attrs);
}

static int writer_open(writer *w, store *db, ph_err *err) {
    memset(w, 0, sizeof *w);
    w->db = db;
    if (store_prepare(db,
                      "SELECT id FROM list_entity WHERE list = ? AND entity_id = ? AND digest = ?",
                      &w->find, err) ||
        store_prepare(
            db,
            "INSERT INTO list_entity (list, entity_id, digest, type, alt_id, source, remarks) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            &w->ins_entity, err) ||
        store_prepare(
            db, "INSERT INTO list_name (entity, seq, text, kind, quality) VALUES (?, ?, ?, ?, ?)",
            &w->ins_name, err) ||
        store_prepare(
            db, "INSERT INTO list_attr (entity, seq, kind, value, raw) VALUES (?, ?, ?, ?, ?)",
            &w->ins_attr, err) ||
        store_prepare(db, "INSERT INTO list_member (version_id, entity) VALUES (?, ?)",
                      &w->ins_member, err)) {
        writer_close(w);
        return err->rc;
    }
    return PH_OK;
}

static void push_attr(writer *w, size_t *n, const char *kind, const char *value, const char *raw) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp(w->attrs[i].kind, kind) == 0 && strcmp(w->attrs[i].value, value) == 0) return;
    w->attrs = ph_grow(w->attrs, &w->attrs_cap, *n + 1, sizeof *w->attrs);
    w->attrs[*n].kind = kind;
    w->attrs[*n].value = value;
    w->attrs[*n].raw = raw && strcmp(raw, value) != 0 ? raw : NULL;
    (*n)++;
}

/* The attributes of an entity in stored order, countries resolved. */
static size_t entity_attrs(writer *w, const lists_entity *e, const country_resolver *countries) {
    size_t n = 0;
    for (size_t i = 0; i < e->ndobs; i++)
        push_attr(w, &n, "dob", e->dobs[i], NULL);
    for (size_t i = 0; i < e->ncountries; i++) {
        const char *code = resolver_code(countries, e->countries[i]);
        push_attr(w, &n, "country", code ? code : e->countries[i], e->countries[i]);
    }
    for (size_t i = 0; i < e->nprogrammes; i++)
        push_attr(w, &n, "programme", e->programmes[i], NULL);
    for (size_t i = 0; i < e->naddresses; i++)
        push_attr(w, &n, "address", e->addresses[i], NULL);
    for (size_t i = 0; i < e->nattrs; i++)
        push_attr(w, &n, e->attrs[i].kind, e->attrs[i].value, NULL);
    return n;
}

/* Stores one entity (or finds it stored with the same content) and makes it
 * a member of the version. Sets *written when its content was new. */
static int write_entity(writer *w, const char *list, int64_t version_id, const lists_entity *e,
                        const country_resolver *countries, int *written, ph_err *err) {
    *written = 0;
    size_t nattrs = entity_attrs(w, e, countries);
    char digest[PH_SHA256_HEX];
    entity_digest(e, w->attrs, nattrs, digest);
    store_reset(w->find);
    store_bind_text(w->find, 1, list);
    store_bind_text(w->find, 2, e->entity_id);
    store_bind_text(w->find, 3, digest);
    int rc = store_step(w->find, err);
    int64_t row;
    if (rc == STORE_ROW) {
        row = store_col_int(w->find, 0);
    } else if (rc == STORE_DONE) {
        store_stmt *st = w->ins_entity;
        store_reset(st);
        store_bind_text(st, 1, list);
        store_bind_text(st, 2, e->entity_id);
        store_bind_text(st, 3, digest);
        store_bind_text(st, 4, e->type);
        store_bind_text(st, 5, e->alt_id);
        store_bind_text(st, 6, e->source);
        store_bind_text(st, 7, e->remarks);
        if ((rc = store_step(st, err)) != STORE_DONE) return rc;
        row = store_last_id(w->db);
        for (size_t i = 0; i < e->nnames; i++) {
            st = w->ins_name;
            store_reset(st);
            store_bind_int(st, 1, row);
            store_bind_int(st, 2, (int64_t)i);
            store_bind_text(st, 3, e->names[i].text);
            store_bind_text(st, 4, e->names[i].kind);
            store_bind_text(st, 5, e->names[i].quality);
            if ((rc = store_step(st, err)) != STORE_DONE) return rc;
        }
        for (size_t i = 0; i < nattrs; i++) {
            st = w->ins_attr;
            store_reset(st);
            store_bind_int(st, 1, row);
            store_bind_int(st, 2, (int64_t)i);
            store_bind_text(st, 3, w->attrs[i].kind);
            store_bind_text(st, 4, w->attrs[i].value);
            store_bind_text(st, 5, w->attrs[i].raw);
            if ((rc = store_step(st, err)) != STORE_DONE) return rc;
        }
        *written = 1;
    } else {
        return rc;
    }
    store_reset(w->ins_member);
    store_bind_int(w->ins_member, 1, version_id);
    store_bind_int(w->ins_member, 2, row);
    if ((rc = store_step(w->ins_member, err)) != STORE_DONE) return rc;
    return PH_OK;
}

static int write_version(store *db, const char *list, const lists_import_options *o,
                         const char *const *paths, size_t npaths, const file_sum *sums,
                         const char *sha, batch *b, lists_import_report *rep, ph_err *err) {
    int64_t seq = 0;
    if (store_one_int(db, &seq, err,
                      "SELECT COALESCE(MAX(seq), 0) FROM list_version WHERE list = ?", "t", list))
        return err->rc;
    long names = 0;
    for (size_t i = 0; i < b->n; i++)
        names += (long)b->v[i].e.nnames;
    char now[21];
    ph_now_iso(now);
    if (store_run(
            db, err,
            "INSERT INTO list_version (list, seq, format, origin, sha256, imported_at, entities, "
            "names, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "titttt"
            "iii",
            list, (int64_t)(seq + 1), o->format, o->origin ? o->origin : "import", sha, now,
            (int64_t)b->n, (int64_t)names, (int64_t)rep->parse.skipped))
        return err->rc;
    int64_t version_id = store_last_id(db);
    for (size_t i = 0; i < npaths; i++) {
        const char *name = o->labels && o->labels[i] ? o->labels[i] : paths[i];
        if (store_run(db, err,
                      "INSERT INTO list_version_file (version_id, seq, name, sha256, bytes) "
                      "VALUES (?, ?, ?, ?, ?)",
                      "iitti", version_id, (int64_t)i, name, sums[i].sha, sums[i].bytes))
            return err->rc;
    }
    country_resolver countries;
    if (resolver_open(db, &countries, err)) {
        resolver_close(&countries);
        return err->rc;
    }
    writer w;
    if (writer_open(&w, db, err)) {
        resolver_close(&countries);
        return err->rc;
    }
    int rc = PH_OK;
    for (size_t i = 0; i < b->n && !rc; i++) {
        int written;
        rc = write_entity(&w, list, version_id, &b->v[i].e, &countries, &written, err);
        rep->entities_written += written;
    }
    writer_close(&w);
    resolver_close(&countries);
    if (rc) return rc;
    rep->version_id = version_id;
    rep->version_seq = seq + 1;
    rep->entities = (long)b->n;
    rep->names = names;
    return PH_OK;
}

int lists_version_state(store *db, const char *id, ph_buf *out, ph_err *err) {
    out->len = 0;
    const char *colon = strrchr(id, ':');
    int64_t seq, vid;
    char list[LISTS_LIST_NAME_MAX];
    if (!colon || (size_t)(colon - id) >= sizeof list || ph_parse_i64(colon + 1, &seq))
        return ph_fail(err, PH_ENOTFOUND, "'%s' is not a list version (LIST:SEQ)", id);
    memcpy(list, id, (size_t)(colon - id));
    list[colon - id] = '\0';
    int rc = store_one_int(db, &vid, err, "SELECT id FROM list_version WHERE list = ? AND seq = ?",
                           "ti", list, seq);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "list version %s: none", id);
    if (rc) return rc;
    if (audit_canon_rows(db, out, err,
                         "SELECT list, seq, format, origin, sha256, imported_at, entities, names, "
                         "skipped FROM list_version WHERE id = ? ORDER BY id",
                         "i", vid) ||
        audit_canon_rows(db, out, err,
                         "SELECT seq, name, sha256, bytes FROM list_version_file "
                         "WHERE version_id = ? ORDER BY seq",
                         "i", vid))
        return err->rc;
    return PH_OK;
}

/* What the new version added, changed and removed against the one before,
 * by the list's own identifiers. */
static int version_changes(store *db, const char *list, lists_import_report *rep, ph_err *err) {
    int64_t prev;
    int rc = store_one_int(db, &prev, err, "SELECT id FROM list_version WHERE list = ? AND seq = ?",
                           "ti", list, rep->version_seq - 1);
    if (rc == PH_ENOTFOUND) {
        ph_err_clear(err);
        return PH_OK;
    }
    int64_t added = 0, changed = 0, removed = 0;
    if (rc ||
        store_one_int(
            db, &added, err,
            "SELECT count(*) FROM list_member m JOIN list_entity e ON e.id = m.entity "
            "WHERE m.version_id = ? AND e.entity_id NOT IN (SELECT p.entity_id FROM "
            "list_member pm JOIN list_entity p ON p.id = pm.entity WHERE pm.version_id = ?)",
            "ii", rep->version_id, prev) ||
        store_one_int(
            db, &removed, err,
            "SELECT count(*) FROM list_member m JOIN list_entity e ON e.id = m.entity "
            "WHERE m.version_id = ? AND e.entity_id NOT IN (SELECT n.entity_id FROM "
            "list_member nm JOIN list_entity n ON n.id = nm.entity WHERE nm.version_id = ?)",
            "ii", prev, rep->version_id) ||
        store_one_int(
            db, &changed, err,
            "SELECT count(*) FROM list_member m JOIN list_entity e ON e.id = m.entity "
            "WHERE m.version_id = ? AND e.entity_id IN (SELECT p.entity_id FROM "
            "list_member pm JOIN list_entity p ON p.id = pm.entity WHERE pm.version_id = ?) "
            "AND m.entity NOT IN (SELECT entity FROM list_member WHERE version_id = ?)",
            "iii", rep->version_id, prev, prev))
        return err->rc;
    rep->added = (long)added;
    rep->changed = (long)changed;
    rep->removed = (long)removed;
    return PH_OK;
}

static int version_audit(store *db, const lists_import_options *o, const lists_import_report *rep,
                         ph_err *err) {
    char id[LISTS_LIST_NAME_MAX + 24];
    snprintf(id, sizeof id, "%s:%lld", rep->list, (long long)rep->version_seq);
    int update = o->origin && strcmp(o->origin, "update") == 0;
    return audit_append_object(db, o->actor, update ? "list.update" : "list.import",
                               LISTS_VERSION_OBJECT, id, lists_version_state, err);
}

int lists_import(store *db, const char *const *paths, size_t npaths, const lists_import_options *o,
                 lists_import_report *rep, ph_err *err) {
    memset(rep, 0, sizeof *rep);
    if (!o || !lists_format_find(o->format))
        return lists_parse(o ? o->format : NULL, NULL, 0, NULL, NULL, NULL, &rep->parse, err);
    if (npaths == 0) return ph_fail(err, PH_EUSAGE, "no file to import");
    if (!o->actor || !*o->actor)
        return ph_fail(err, PH_EUSAGE, "the actor is required (who imports the list)");
    const char *list = o->list ? o->list : default_list(o->format, paths, npaths);
    if (!valid_list_name(list))
        return ph_fail(err, PH_EUSAGE,
                       "list name '%s' is not valid (lower-case letters, digits, '-', '_' and '.', "
                       "at most %d characters)",
                       list, LISTS_LIST_NAME_MAX - 1);
    ph_strlcpy(rep->list, list, sizeof rep->list);

    file_sum *sums = ph_calloc(npaths, sizeof *sums);
    if (hash_files(paths, npaths, o->labels, sums, rep->sha256, err)) {
        free(sums);
        return err->rc;
    }
    if (find_version(db, list, rep->sha256, rep, err) || rep->already_imported ||
        same_format(db, list, o->format, err)) {
        free(sums);
        return err->rc ? err->rc : PH_OK;
    }

    /* Parse everything before taking the write lock. */
    lists_input *inputs = ph_calloc(npaths, sizeof *inputs);
    for (size_t i = 0; i < npaths; i++) {
        inputs[i].path = paths[i];
        inputs[i].label = o->labels ? o->labels[i] : NULL;
    }
    lists_parse_options po = {
        .skip_bad = o->skip_bad, .progress = o->progress, .progress_ctx = o->progress_ctx};
    batch b = {0};
    ph_map_init(&b.index);
    int rc = lists_parse(o->format, inputs, npaths, &po, batch_add, &b, &rep->parse, err);
    free(inputs);
    rep->merged = b.merged;
    if (!rc && b.n == 0)
        rc = ph_fail(err, PH_ERR, "%s: no entity found; nothing imported",
                     o->labels && o->labels[0] ? o->labels[0] : paths[0]);
    if (!rc) rc = store_begin(db, err);
    if (!rc) {
        /* Someone may have imported the same files meanwhile. */
        rc = find_version(db, list, rep->sha256, rep, err);
        if (!rc && !rep->already_imported) {
            rc = write_version(db, list, o, paths, npaths, sums, rep->sha256, &b, rep, err);
            if (!rc) rc = version_changes(db, list, rep, err);
            if (!rc) rc = version_audit(db, o, rep, err);
        }
        if (!rc) rc = store_commit(db, err);
        if (rc) store_rollback(db);
    }
    batch_free(&b);
    free(sums);
    return rc;
}

void lists_import_report_free(lists_import_report *r) {
    if (!r) return;
    lists_parse_report_free(&r->parse);
}

/* ---- versions ---- */

static char *col_dup(store_stmt *st, int i) {
    const char *s = store_col_text(st, i);
    return ph_strdup(s ? s : "");
}

int lists_versions(store *db, const char *list, lists_version **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st, *files;
    if (store_prepare(
            db,
            "SELECT v.id, v.list, v.seq, v.format, v.origin, v.sha256, v.imported_at, "
            "v.entities, v.names, v.skipped, "
            "v.id = (SELECT MAX(w.id) FROM list_version w WHERE w.list = v.list) "
            "FROM list_version v WHERE (? IS NULL OR v.list = ?) ORDER BY v.list, v.seq DESC",
            &st, err))
        return err->rc;
    if (store_prepare(db, "SELECT name FROM list_version_file WHERE version_id = ? ORDER BY seq",
                      &files, err)) {
        store_finalize(st);
        return err->rc;
    }
    store_bind_text(st, 1, list);
    store_bind_text(st, 2, list);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        lists_version *v = &(*out)[(*n)++];
        memset(v, 0, sizeof *v);
        v->id = store_col_int(st, 0);
        v->list = col_dup(st, 1);
        v->seq = store_col_int(st, 2);
        v->format = col_dup(st, 3);
        v->origin = col_dup(st, 4);
        v->sha256 = col_dup(st, 5);
        v->imported_at = col_dup(st, 6);
        v->entities = store_col_int(st, 7);
        v->names = store_col_int(st, 8);
        v->skipped = store_col_int(st, 9);
        v->current = (int)store_col_int(st, 10);
        ph_buf names;
        ph_buf_init(&names);
        store_reset(files);
        store_bind_int(files, 1, v->id);
        int frc;
        while ((frc = store_step(files, err)) == STORE_ROW) {
            const char *path = store_col_text(files, 0);
            const char *base = strrchr(path, '/');
            ph_buf_printf(&names, "%s%s", names.len ? ", " : "", base ? base + 1 : path);
        }
        v->files = names.data ? ph_buf_steal(&names) : ph_strdup("");
        ph_buf_free(&names);
        if (frc != STORE_DONE) {
            rc = frc;
            break;
        }
    }
    store_finalize(files);
    store_finalize(st);
    if (rc != STORE_DONE) {
        lists_versions_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

static void version_clear(lists_version *v) {
    free(v->list);
    free(v->format);
    free(v->origin);
    free(v->files);
    free(v->sha256);
    free(v->imported_at);
    memset(v, 0, sizeof *v);
}

void lists_versions_free(lists_version *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        version_clear(&v[i]);
    free(v);
}

/* ---- loading ---- */

/* Rows of entities (id, entity_id, type, alt_id, source, remarks) ordered by
 * id, with their names (entity, text, kind, quality) and attributes
 * (entity, kind, value) ordered by entity and seq, walked together. */
typedef struct tmp_vec {
    void *v;
    size_t n, cap;
} tmp_vec;

static void tmp_push(tmp_vec *t, const void *item, size_t size) {
    t->v = ph_grow(t->v, &t->cap, t->n + 1, size);
    memcpy((char *)t->v + t->n * size, item, size);
    t->n++;
}

static void *arena_copy(lists_arena *a, const tmp_vec *t, size_t size) {
    if (!t->n) return NULL;
    void *p = arena_alloc(a, t->n * size);
    memcpy(p, t->v, t->n * size);
    return p;
}

static int walk_rows(lists_set *s, const char *list, store_stmt *ents, store_stmt *names,
                     store_stmt *attrs, ph_err *err) {
    lists_arena *a = s->arena;
    size_t cap = s->n;
    tmp_vec nv = {0}, dv = {0}, cv = {0}, pv = {0}, av = {0}, xv = {0};
    int nrc = store_step(names, err);
    int arc = nrc == STORE_ROW || nrc == STORE_DONE ? store_step(attrs, err) : nrc;
    int rc = STORE_DONE;
    while (nrc >= STORE_ROW && arc >= STORE_ROW && (rc = store_step(ents, err)) == STORE_ROW) {
        int64_t id = store_col_int(ents, 0);
        s->v = ph_grow(s->v, &cap, s->n + 1, sizeof *s->v);
        lists_entity *e = &s->v[s->n++];
        memset(e, 0, sizeof *e);
        e->list = (char *)list;
        e->entity_id = arena_strdup(a, store_col_text(ents, 1));
        ph_strlcpy(e->type, store_col_text(ents, 2), sizeof e->type);
        e->alt_id = arena_strdup(a, store_col_text(ents, 3));
        e->source = arena_strdup(a, store_col_text(ents, 4));
        e->remarks = arena_strdup(a, store_col_text(ents, 5));
        nv.n = dv.n = cv.n = pv.n = av.n = xv.n = 0;
        while (nrc == STORE_ROW && store_col_int(names, 0) < id)
            nrc = store_step(names, err);
        while (nrc == STORE_ROW && store_col_int(names, 0) == id) {
            lists_name nm;
            memset(&nm, 0, sizeof nm);
            nm.text = arena_strdup(a, store_col_text(names, 1));
            ph_strlcpy(nm.kind, store_col_text(names, 2), sizeof nm.kind);
            ph_strlcpy(nm.quality, store_col_text(names, 3), sizeof nm.quality);
            tmp_push(&nv, &nm, sizeof nm);
            nrc = store_step(names, err);
        }
        while (arc == STORE_ROW && store_col_int(attrs, 0) < id)
            arc = store_step(attrs, err);
        while (arc == STORE_ROW && store_col_int(attrs, 0) == id) {
            const char *kind = store_col_text(attrs, 1);
            char *value = arena_strdup(a, store_col_text(attrs, 2));
            if (strcmp(kind, "dob") == 0)
                tmp_push(&dv, &value, sizeof value);
            else if (strcmp(kind, "country") == 0)
                tmp_push(&cv, &value, sizeof value);
            else if (strcmp(kind, "programme") == 0)
                tmp_push(&pv, &value, sizeof value);
            else if (strcmp(kind, "address") == 0)
                tmp_push(&av, &value, sizeof value);
            else {
                lists_attr at;
                memset(&at, 0, sizeof at);
                ph_strlcpy(at.kind, kind, sizeof at.kind);
                at.value = value;
                tmp_push(&xv, &at, sizeof at);
            }
            arc = store_step(attrs, err);
        }
        e->names = arena_copy(a, &nv, sizeof(lists_name));
        e->nnames = nv.n;
        e->dobs = arena_copy(a, &dv, sizeof(char *));
        e->ndobs = dv.n;
        e->countries = arena_copy(a, &cv, sizeof(char *));
        e->ncountries = cv.n;
        e->programmes = arena_copy(a, &pv, sizeof(char *));
        e->nprogrammes = pv.n;
        e->addresses = arena_copy(a, &av, sizeof(char *));
        e->naddresses = av.n;
        e->attrs = arena_copy(a, &xv, sizeof(lists_attr));
        e->nattrs = xv.n;
    }
    free(nv.v);
    free(dv.v);
    free(cv.v);
    free(pv.v);
    free(av.v);
    free(xv.v);
    if (nrc != STORE_ROW && nrc != STORE_DONE) return nrc;
    if (arc != STORE_ROW && arc != STORE_DONE) return arc;
    return rc == STORE_DONE ? PH_OK : rc;
}

static int load_version(store *db, lists_set *s, const char *list, int64_t version_id,
                        const char *entity_id, ph_err *err) {
    /* One entity (by its list id) or the whole version. */
    const char *filter = entity_id ? " AND e.entity_id = ?" : "";
    const char *join = entity_id ? "JOIN list_entity e ON e.id = m.entity " : "";
    char *q_ents = ph_asprintf("SELECT e.id, e.entity_id, e.type, e.alt_id, e.source, e.remarks "
                               "FROM list_member m JOIN list_entity e ON e.id = m.entity "
                               "WHERE m.version_id = ?%s ORDER BY m.entity",
                               filter);
    char *q_names = ph_asprintf("SELECT n.entity, n.text, n.kind, n.quality FROM list_member m "
                                "%sJOIN list_name n ON n.entity = m.entity "
                                "WHERE m.version_id = ?%s ORDER BY m.entity, n.seq",
                                join, filter);
    char *q_attrs = ph_asprintf("SELECT a.entity, a.kind, a.value FROM list_member m "
                                "%sJOIN list_attr a ON a.entity = m.entity "
                                "WHERE m.version_id = ?%s ORDER BY m.entity, a.seq",
                                join, filter);
    store_stmt *ents = NULL, *names = NULL, *attrs = NULL;
    int rc = PH_OK;
    if (store_prepare(db, q_ents, &ents, err) || store_prepare(db, q_names, &names, err) ||
        store_prepare(db, q_attrs, &attrs, err)) {
        rc = err->rc;
    } else {
        store_stmt *all[3] = {ents, names, attrs};
        for (int i = 0; i < 3; i++) {
            store_bind_int(all[i], 1, version_id);
            if (entity_id) store_bind_text(all[i], 2, entity_id);
        }
        rc = walk_rows(s, list, ents, names, attrs, err);
    }
    store_finalize(ents);
    store_finalize(names);
    store_finalize(attrs);
    free(q_ents);
    free(q_names);
    free(q_attrs);
    return rc;
}

int lists_unknown_list(store *db, const char *name, ph_err *err) {
    ph_buf known;
    ph_buf_init(&known);
    store_stmt *st;
    if (store_prepare(db, "SELECT DISTINCT list FROM list_version ORDER BY list", &st, err) ==
        PH_OK) {
        ph_err ignore = {0};
        while (store_step(st, &ignore) == STORE_ROW)
            ph_buf_printf(&known, "%s%s", known.len ? ", " : "", store_col_text(st, 0));
        store_finalize(st);
    }
    ph_fail(err, PH_ENOTFOUND, "no list named '%s' has been imported (%s%s)", name,
            known.len ? "lists: " : "none yet; see 'penholder lists import --help'",
            known.len ? known.data : "");
    ph_buf_free(&known);
    return PH_ENOTFOUND;
}

static int current_version(store *db, const char *list, int64_t *id, ph_err *err) {
    *id = 0;
    if (store_one_int(db, id, err, "SELECT COALESCE(MAX(id), 0) FROM list_version WHERE list = ?",
                      "t", list))
        return err->rc;
    return *id ? PH_OK : lists_unknown_list(db, list, err);
}

static void set_add_list(lists_set *s, const char *name, int64_t version_id) {
    s->list_names = ph_realloc(s->list_names, (s->nlists + 1) * sizeof *s->list_names);
    s->version_ids = ph_realloc(s->version_ids, (s->nlists + 1) * sizeof *s->version_ids);
    s->list_names[s->nlists] = arena_strdup(s->arena, name);
    s->version_ids[s->nlists] = version_id;
    s->nlists++;
}

void lists_set_init(lists_set *s) {
    memset(s, 0, sizeof *s);
    s->arena = ph_calloc(1, sizeof *s->arena);
}

int lists_load_current(store *db, const char *const *names, size_t nnames, lists_set *out,
                       ph_err *err) {
    lists_set_init(out);
    int rc = PH_OK;
    if (names && nnames) {
        for (size_t i = 0; i < nnames && !rc; i++) {
            int dup = 0;
            for (size_t j = 0; j < out->nlists; j++)
                dup |= strcmp(out->list_names[j], names[i]) == 0;
            if (dup) continue;
            int64_t id;
            rc = current_version(db, names[i], &id, err);
            if (!rc) set_add_list(out, names[i], id);
        }
    } else {
        store_stmt *st;
        if ((rc = store_prepare(
                 db, "SELECT list, MAX(id) FROM list_version GROUP BY list ORDER BY list", &st,
                 err)) == PH_OK) {
            while ((rc = store_step(st, err)) == STORE_ROW)
                set_add_list(out, store_col_text(st, 0), store_col_int(st, 1));
            store_finalize(st);
            rc = rc == STORE_DONE ? PH_OK : rc;
        }
    }
    for (size_t i = 0; i < out->nlists && !rc; i++)
        rc = load_version(db, out, out->list_names[i], out->version_ids[i], NULL, err);
    if (rc) lists_set_free(out);
    return rc;
}

int lists_entity_get(store *db, const char *list, const char *entity_id, lists_set *out,
                     ph_err *err) {
    lists_set_init(out);
    int64_t id;
    int rc = current_version(db, list, &id, err);
    if (!rc) {
        set_add_list(out, list, id);
        rc = load_version(db, out, out->list_names[0], id, entity_id, err);
    }
    if (!rc && out->n == 0)
        rc = ph_fail(err, PH_ENOTFOUND, "list %s has no entity '%s' in its current version", list,
                     entity_id);
    if (rc) lists_set_free(out);
    return rc;
}

struct lists_row_loader {
    store_stmt *ents, *names, *attrs;
};

int lists_row_loader_open(store *db, lists_row_loader **out, ph_err *err) {
    lists_row_loader *l = ph_calloc(1, sizeof *l);
    if (store_prepare(
            db, "SELECT id, entity_id, type, alt_id, source, remarks FROM list_entity WHERE id = ?",
            &l->ents, err) ||
        store_prepare(
            db, "SELECT entity, text, kind, quality FROM list_name WHERE entity = ? ORDER BY seq",
            &l->names, err) ||
        store_prepare(db, "SELECT entity, kind, value FROM list_attr WHERE entity = ? ORDER BY seq",
                      &l->attrs, err)) {
        lists_row_loader_close(l);
        return err->rc;
    }
    *out = l;
    return PH_OK;
}

int lists_row_load(lists_row_loader *l, lists_set *s, const char *list, int64_t row, ph_err *err) {
    store_stmt *all[3] = {l->ents, l->names, l->attrs};
    for (int i = 0; i < 3; i++) {
        store_reset(all[i]);
        store_bind_int(all[i], 1, row);
    }
    return walk_rows(s, list, l->ents, l->names, l->attrs, err);
}

void lists_row_loader_close(lists_row_loader *l) {
    if (!l) return;
    store_finalize(l->ents);
    store_finalize(l->names);
    store_finalize(l->attrs);
    free(l);
}

void lists_set_free(lists_set *s) {
    if (!s) return;
    free(s->v);
    free(s->list_names);
    free(s->version_ids);
    arena_free(s->arena);
    memset(s, 0, sizeof *s);
}

int lists_generation(store *db, int64_t *out, ph_err *err) {
    *out = 0;
    return store_one_int(db, out, err, "SELECT COALESCE(MAX(id), 0) FROM list_version", "");
}
