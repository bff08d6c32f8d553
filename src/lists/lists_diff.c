/* What the newest version of a list added, removed and changed. */
#include <stdlib.h>
#include <string.h>

#include "lists/parse.h"

typedef struct member {
    char *entity_id;
    int64_t row;
} member;

static int members(store *db, int64_t version_id, member **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT e.entity_id, e.id FROM list_member m JOIN list_entity e ON e.id = m.entity "
            "WHERE m.version_id = ?",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, version_id);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        (*out)[*n].entity_id = ph_strdup(store_col_text(st, 0));
        (*out)[*n].row = store_col_int(st, 1);
        (*n)++;
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

static void members_free(member *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i].entity_id);
    free(v);
}

/* Identifiers in natural order: OFAC's 306 before 1572. */
static int cmp_change(const void *a, const void *b) {
    return strverscmp(((const lists_change *)a)->entity_id, ((const lists_change *)b)->entity_id);
}

static void add_field(lists_change *c, const char *field, char op, char *value) {
    c->fields = ph_realloc(c->fields, (c->nfields + 1) * sizeof *c->fields);
    lists_field_change *f = &c->fields[c->nfields++];
    ph_strlcpy(f->field, field, sizeof f->field);
    f->op = op;
    f->value = value;
}

static int contains(char *const *v, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

static void diff_strings(lists_change *c, const char *field, char *const *a, size_t na,
                         char *const *b, size_t nb) {
    for (size_t i = 0; i < na; i++)
        if (!contains(b, nb, a[i])) add_field(c, field, '-', ph_strdup(a[i]));
    for (size_t i = 0; i < nb; i++)
        if (!contains(a, na, b[i])) add_field(c, field, '+', ph_strdup(b[i]));
}

static char *name_label(const lists_name *n) {
    return ph_asprintf("%s (%s%s%s)", n->text, n->kind, n->quality[0] ? ", " : "", n->quality);
}

static void diff_names(lists_change *c, const lists_entity *a, const lists_entity *b) {
    char **la = ph_calloc(a->nnames + 1, sizeof *la), **lb = ph_calloc(b->nnames + 1, sizeof *lb);
    for (size_t i = 0; i < a->nnames; i++)
        la[i] = name_label(&a->names[i]);
    for (size_t i = 0; i < b->nnames; i++)
        lb[i] = name_label(&b->names[i]);
    diff_strings(c, "name", la, a->nnames, lb, b->nnames);
    for (size_t i = 0; i < a->nnames; i++)
        free(la[i]);
    for (size_t i = 0; i < b->nnames; i++)
        free(lb[i]);
    free(la);
    free(lb);
}

static void diff_attrs(lists_change *c, const lists_entity *a, const lists_entity *b) {
    for (size_t i = 0; i < a->nattrs; i++) {
        int found = 0;
        for (size_t j = 0; j < b->nattrs && !found; j++)
            found = strcmp(a->attrs[i].kind, b->attrs[j].kind) == 0 &&
                    strcmp(a->attrs[i].value, b->attrs[j].value) == 0;
        if (!found) add_field(c, a->attrs[i].kind, '-', ph_strdup(a->attrs[i].value));
    }
    for (size_t j = 0; j < b->nattrs; j++) {
        int found = 0;
        for (size_t i = 0; i < a->nattrs && !found; i++)
            found = strcmp(a->attrs[i].kind, b->attrs[j].kind) == 0 &&
                    strcmp(a->attrs[i].value, b->attrs[j].value) == 0;
        if (!found) add_field(c, b->attrs[j].kind, '+', ph_strdup(b->attrs[j].value));
    }
}

#define DIFF_TEXT_SHOWN 120 /* characters of a long text shown on each side of a change */

static char *shorten(const char *s) {
    if (!s) return ph_strdup("(none)");
    if (strlen(s) <= DIFF_TEXT_SHOWN) return ph_strdup(s);
    /* Cut on a UTF-8 boundary. */
    size_t n = DIFF_TEXT_SHOWN;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return ph_asprintf("%.*s...", (int)n, s);
}

static void diff_text(lists_change *c, const char *field, const char *a, const char *b) {
    if ((!a && !b) || (a && b && strcmp(a, b) == 0)) return;
    char *sa = shorten(a), *sb = shorten(b);
    add_field(c, field, '~', ph_asprintf("%s -> %s", sa, sb));
    free(sa);
    free(sb);
}

static void compare(lists_change *c, const lists_entity *a, const lists_entity *b) {
    diff_text(c, "type", a->type, b->type);
    if (a->nnames && b->nnames && strcmp(a->names[0].text, b->names[0].text) != 0)
        diff_text(c, "primary name", a->names[0].text, b->names[0].text);
    diff_names(c, a, b);
    diff_strings(c, "dob", a->dobs, a->ndobs, b->dobs, b->ndobs);
    diff_strings(c, "country", a->countries, a->ncountries, b->countries, b->ncountries);
    diff_strings(c, "programme", a->programmes, a->nprogrammes, b->programmes, b->nprogrammes);
    diff_strings(c, "address", a->addresses, a->naddresses, b->addresses, b->naddresses);
    diff_attrs(c, a, b);
    diff_text(c, "alt_id", a->alt_id, b->alt_id);
    diff_text(c, "source", a->source, b->source);
    diff_text(c, "remarks", a->remarks, b->remarks);
    if (c->nfields == 0) add_field(c, "names", '~', ph_strdup("order changed"));
}

static int primary_name(store_stmt *st, int64_t row, char **out, ph_err *err) {
    store_reset(st);
    store_bind_int(st, 1, row);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        *out = ph_strdup(store_col_text(st, 0));
        return PH_OK;
    }
    if (rc == STORE_DONE) {
        *out = ph_strdup("");
        return PH_OK;
    }
    return rc;
}

static void push_change(lists_change **v, size_t *n, size_t *cap, const char *id) {
    *v = ph_grow(*v, cap, *n + 1, sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    (*v)[*n].entity_id = ph_strdup(id);
    (*n)++;
}

static int pick_versions(store *db, const char *list, lists_diff *d, ph_err *err) {
    lists_version *v;
    size_t n;
    if (lists_versions(db, list, &v, &n, err)) return err->rc;
    int rc = PH_OK;
    if (n == 0) {
        rc = lists_unknown_list(db, list, err);
    } else if (n == 1) {
        rc = ph_fail(err, PH_ECONFLICT, "list %s has one version only: nothing to compare it with",
                     list);
    } else {
        /* Newest first. */
        d->to = v[0];
        d->from = v[1];
        memset(&v[0], 0, sizeof v[0]);
        memset(&v[1], 0, sizeof v[1]);
    }
    lists_versions_free(v, n);
    return rc;
}

int lists_diff_latest(store *db, const char *list, lists_diff *d, ph_err *err) {
    memset(d, 0, sizeof *d);
    if (pick_versions(db, list, d, err)) {
        lists_diff_free(d);
        return err->rc;
    }
    member *old = NULL, *cur = NULL;
    size_t nold = 0, ncur = 0;
    int rc = members(db, d->from.id, &old, &nold, err);
    if (!rc) rc = members(db, d->to.id, &cur, &ncur, err);
    ph_map old_index, cur_index;
    ph_map_init(&old_index);
    ph_map_init(&cur_index);
    for (size_t i = 0; i < nold; i++)
        ph_map_put(&old_index, old[i].entity_id, (int64_t)i);
    for (size_t i = 0; i < ncur; i++)
        ph_map_put(&cur_index, cur[i].entity_id, (int64_t)i);
    size_t cap_added = 0, cap_removed = 0, cap_changed = 0;
    /* Rows behind each entry: one for added and removed, old and new for changed. */
    int64_t *added_rows = ph_calloc(ncur + 1, sizeof *added_rows);
    int64_t *removed_rows = ph_calloc(nold + 1, sizeof *removed_rows);
    int64_t *pairs = ph_calloc(2 * ncur + 1, sizeof *pairs);
    for (size_t i = 0; i < ncur && !rc; i++) {
        int64_t at;
        if (!ph_map_get(&old_index, cur[i].entity_id, &at)) {
            added_rows[d->nadded] = cur[i].row;
            push_change(&d->added, &d->nadded, &cap_added, cur[i].entity_id);
        } else if (old[at].row != cur[i].row) {
            pairs[2 * d->nchanged] = old[at].row;
            pairs[2 * d->nchanged + 1] = cur[i].row;
            push_change(&d->changed, &d->nchanged, &cap_changed, cur[i].entity_id);
        }
    }
    for (size_t i = 0; i < nold && !rc; i++) {
        int64_t at;
        if (!ph_map_get(&cur_index, old[i].entity_id, &at)) {
            removed_rows[d->nremoved] = old[i].row;
            push_change(&d->removed, &d->nremoved, &cap_removed, old[i].entity_id);
        }
    }
    /* Primary names of the added and removed entities. */
    store_stmt *pn = NULL;
    if (!rc)
        rc = store_prepare(db, "SELECT text FROM list_name WHERE entity = ? AND seq = 0", &pn, err);
    for (size_t i = 0; i < d->nadded && !rc; i++)
        rc = primary_name(pn, added_rows[i], &d->added[i].name, err);
    for (size_t i = 0; i < d->nremoved && !rc; i++)
        rc = primary_name(pn, removed_rows[i], &d->removed[i].name, err);
    store_finalize(pn);
    /* Field by field for the changed ones. */
    lists_row_loader *loader = NULL;
    if (!rc && d->nchanged) rc = lists_row_loader_open(db, &loader, err);
    for (size_t i = 0; i < d->nchanged && !rc; i++) {
        lists_set s;
        lists_set_init(&s);
        rc = lists_row_load(loader, &s, list, pairs[2 * i], err);
        if (!rc) rc = lists_row_load(loader, &s, list, pairs[2 * i + 1], err);
        if (!rc && s.n == 2) {
            d->changed[i].name = ph_strdup(s.v[1].nnames ? s.v[1].names[0].text : "");
            compare(&d->changed[i], &s.v[0], &s.v[1]);
        }
        lists_set_free(&s);
    }
    lists_row_loader_close(loader);
    lists_change *groups[3] = {d->added, d->removed, d->changed};
    size_t counts[3] = {d->nadded, d->nremoved, d->nchanged};
    for (int g = 0; g < 3; g++)
        for (size_t i = 0; i < counts[g]; i++)
            if (!groups[g][i].name) groups[g][i].name = ph_strdup("");
    free(pairs);
    free(added_rows);
    free(removed_rows);
    ph_map_free(&old_index);
    ph_map_free(&cur_index);
    members_free(old, nold);
    members_free(cur, ncur);
    if (rc) {
        lists_diff_free(d);
        return rc;
    }
    if (d->nadded) qsort(d->added, d->nadded, sizeof *d->added, cmp_change);
    if (d->nremoved) qsort(d->removed, d->nremoved, sizeof *d->removed, cmp_change);
    if (d->nchanged) qsort(d->changed, d->nchanged, sizeof *d->changed, cmp_change);
    return PH_OK;
}

static void changes_free(lists_change *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].entity_id);
        free(v[i].name);
        for (size_t k = 0; k < v[i].nfields; k++)
            free(v[i].fields[k].value);
        free(v[i].fields);
    }
    free(v);
}

void lists_diff_free(lists_diff *d) {
    if (!d) return;
    lists_version *vs[2] = {&d->from, &d->to};
    for (int i = 0; i < 2; i++) {
        free(vs[i]->list);
        free(vs[i]->format);
        free(vs[i]->origin);
        free(vs[i]->files);
        free(vs[i]->sha256);
        free(vs[i]->imported_at);
    }
    changes_free(d->added, d->nadded);
    changes_free(d->removed, d->nremoved);
    changes_free(d->changed, d->nchanged);
    memset(d, 0, sizeof *d);
}
