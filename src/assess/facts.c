/* assess — the facts of an application: read from its JSON, or built from
 * a licence of the register. */
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assess/assess_internal.h"

/* ---- arena ---- */

#define ARENA_BLOCK 16384

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

struct assess_arena {
    arena_block *first, *current;
};

assess_arena *assess_arena_new(void) {
    return ph_calloc(1, sizeof(assess_arena));
}

void assess_arena_reset(assess_arena *a) {
    for (arena_block *b = a->first; b; b = b->next)
        b->used = 0;
    a->current = a->first;
}

void assess_arena_free(assess_arena *a) {
    if (!a) return;
    for (arena_block *b = a->first, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *assess_arena_alloc(assess_arena *a, size_t n) {
    size_t align = alignof(max_align_t);
    n = (n + align - 1) / align * align;
    arena_block *b = a->current;
    while (b && b->used + n > b->cap)
        b = b->next;
    if (!b) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = ph_malloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = NULL;
        /* Appended at the end so that reset reuses every block in order. */
        arena_block **tail = &a->first;
        while (*tail)
            tail = &(*tail)->next;
        *tail = b;
    }
    a->current = b;
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

const char *assess_arena_strndup(assess_arena *a, const char *s, size_t n) {
    char *p = assess_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

const char *assess_arena_strdup(assess_arena *a, const char *s) {
    return assess_arena_strndup(a, s ? s : "", s ? strlen(s) : 0);
}

/* ---- facts ---- */

struct assess_facts {
    policy_facts view;
    policy_party *parties;
    size_t nparties, parties_cap;
    policy_line *lines;
    size_t nlines, lines_cap;
    assess_arena *arena;
};

assess_facts *assess_facts_new(void) {
    assess_facts *f = ph_calloc(1, sizeof *f);
    f->arena = assess_arena_new();
    return f;
}

void assess_facts_free(assess_facts *f) {
    if (!f) return;
    free(f->parties);
    free(f->lines);
    assess_arena_free(f->arena);
    free(f);
}

const policy_facts *assess_facts_view(const assess_facts *f) {
    return &f->view;
}
size_t assess_facts_party_count(const assess_facts *f) {
    return f->nparties;
}
const policy_party *assess_facts_party(const assess_facts *f, size_t i) {
    return i < f->nparties ? &f->parties[i] : NULL;
}
void assess_facts_set_screening(assess_facts *f, size_t party, int outcome) {
    if (party < f->nparties && outcome >= 0 &&
        (size_t)outcome < policy_enum_size(POLICY_ENUM_SCREENING))
        f->parties[party].screening = (uint8_t)outcome;
}

static void facts_reset(assess_facts *f) {
    assess_arena_reset(f->arena);
    f->nparties = f->nlines = 0;
    memset(&f->view, 0, sizeof f->view);
    f->view.reference = f->view.licence_type = f->view.destination = "";
    f->view.destination_name = f->view.end_use = f->view.exporter = "";
}

static policy_party *add_party(assess_facts *f) {
    if (f->nparties == f->parties_cap)
        f->parties = ph_grow(f->parties, &f->parties_cap, f->nparties + 1, sizeof *f->parties);
    policy_party *p = &f->parties[f->nparties++];
    memset(p, 0, sizeof *p);
    return p;
}

static policy_line *add_line(assess_facts *f) {
    if (f->nlines == f->lines_cap)
        f->lines = ph_grow(f->lines, &f->lines_cap, f->nlines + 1, sizeof *f->lines);
    policy_line *l = &f->lines[f->nlines++];
    memset(l, 0, sizeof *l);
    l->quantity = l->value_pence = -1;
    return l;
}

static void set_destination(const assess_context *ctx, assess_facts *f,
                            const assess_destination *d) {
    f->view.destination = d->code;
    f->view.destination_name = d->name;
    f->view.embargoes = ctx->embargoes + d->embargo_first;
    f->view.nembargoes = d->embargo_count;
}

static void line_from_rating(const assess_context *ctx, const assess_rating *r,
                             const char *description, policy_line *l) {
    l->rating = r->entry->rating;
    l->description = description;
    l->ancestry = r->ancestry;
    l->nancestry = r->nancestry;
    l->kind = r->kind;
    l->known = 1;
    l->regimes = r->regimes;
    l->capabilities = assess_rating_capabilities(ctx, r, description);
}

static void finish_view(assess_facts *f) {
    f->view.parties = f->parties;
    f->view.nparties = f->nparties;
    f->view.lines = f->lines;
    f->view.nlines = f->nlines;
}

/* ---- licences ---- */

/* "Armed forces" and "armed_forces" alike. */
static int party_type_of(const char *s) {
    char word[64];
    size_t n = 0;
    for (; s[n] && n + 1 < sizeof word; n++)
        word[n] = s[n] == ' ' ? '_' : s[n];
    word[n] = '\0';
    return policy_enum_value(POLICY_ENUM_PARTY_TYPE, word);
}

int assess_facts_from_licence(const assess_context *ctx, const assess_licence *l, assess_facts *out,
                              ph_err *err) {
    facts_reset(out);
    assess_facts *f = out;
    if (l->nlines > ASSESS_MAX_LICENCE_LINES)
        return ph_fail(err, PH_ERR, "licence %s: too many goods lines (%zu)",
                       l->reference ? l->reference : "?", l->nlines);
    if (l->reference) f->view.reference = assess_arena_strdup(f->arena, l->reference);
    if (l->type) f->view.licence_type = assess_arena_strdup(f->arena, l->type);
    if (l->end_use) f->view.end_use = assess_arena_strdup(f->arena, l->end_use);
    const assess_destination *d =
        l->destination ? assess_destination_find(ctx, l->destination) : NULL;
    if (d)
        set_destination(ctx, f, d);
    else if (l->destination)
        f->view.destination = assess_arena_strdup(f->arena, l->destination);
    if (l->end_user || l->end_user_type) {
        policy_party *p = add_party(f);
        p->role = POLICY_ROLE_END_USER;
        p->name = assess_arena_strdup(f->arena, l->end_user ? l->end_user : "");
        int type = l->end_user_type ? party_type_of(l->end_user_type) : -1;
        p->type = (uint8_t)(type < 0 ? POLICY_PARTY_OTHER : type);
        p->country = f->view.destination;
        p->screening = POLICY_SCREENING_NOT_SCREENED;
    }
    for (size_t i = 0; i < l->nlines; i++) {
        const assess_licence_line *in = &l->lines[i];
        policy_line *line = add_line(f);
        const char *description =
            in->description ? assess_arena_strdup(f->arena, in->description) : "";
        const assess_rating *r = in->rating ? assess_rating_find(ctx, in->rating) : NULL;
        if (r) {
            line_from_rating(ctx, r, description, line);
        } else {
            /* Kept as written: the policy sees an unlisted rating. */
            char key[CONTROL_RATING_MAX];
            control_rating_key(in->rating ? in->rating : "", key, sizeof key);
            const char **ancestry = assess_arena_alloc(f->arena, sizeof *ancestry);
            ancestry[0] = assess_arena_strdup(f->arena, key);
            line->rating = assess_arena_strdup(f->arena, in->rating ? in->rating : "");
            line->description = description;
            line->ancestry = ancestry;
            line->nancestry = 1;
            line->kind = POLICY_KIND_UNLISTED;
        }
        line->quantity = in->quantity;
        line->value_pence = in->value_pence;
    }
    finish_view(f);
    return PH_OK;
}

/* ---- application JSON ---- */

typedef struct reader {
    const assess_context *ctx;
    const char *name;
    assess_facts *f;
    ph_err *err;
} reader;

static int app_fail(reader *rd, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int app_fail(reader *rd, const char *path, const char *fmt, ...) {
    char msg[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ph_fail(rd->err, PH_ERR, "%s: %s: %s", rd->name, path, msg);
}

/* Refuses keys that are not in `allowed`. */
static int only_keys(reader *rd, json_t *obj, const char *path, const char *const *allowed,
                     size_t n, const char *expect) {
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        int ok = 0;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char where[256];
            snprintf(where, sizeof where, "%s%s%.80s", path, path[0] ? "." : "", key);
            return app_fail(rd, where, "unknown field (expected %s)", expect);
        }
    }
    return PH_OK;
}

/* A text field: *out is "" when absent (or null) and not required. */
static int text_field(reader *rd, json_t *obj, const char *path, const char *key, int required,
                      const char **out) {
    char where[256];
    snprintf(where, sizeof where, "%s%s%s", path, path[0] ? "." : "", key);
    json_t *v = json_object_get(obj, key);
    *out = "";
    if (!v || json_is_null(v)) {
        if (required) return app_fail(rd, where, "missing (a string is required)");
        return PH_OK;
    }
    if (!json_is_string(v)) return app_fail(rd, where, "expected a string");
    size_t len = json_string_length(v);
    if (len > ASSESS_MAX_TEXT) return app_fail(rd, where, "longer than %d bytes", ASSESS_MAX_TEXT);
    if (required && len == 0) return app_fail(rd, where, "empty (a value is required)");
    *out = assess_arena_strndup(rd->f->arena, json_string_value(v), len);
    return PH_OK;
}

static int enum_field(reader *rd, json_t *obj, const char *path, const char *key, policy_enum e,
                      int required, int fallback, uint8_t *out) {
    const char *s;
    if (text_field(rd, obj, path, key, required, &s)) return PH_ERR;
    if (!s[0]) {
        *out = (uint8_t)fallback;
        return PH_OK;
    }
    int v = policy_enum_value(e, s);
    if (v < 0) {
        char where[256], list[512];
        snprintf(where, sizeof where, "%s.%s", path, key);
        policy_enum_list(e, list, sizeof list);
        return app_fail(rd, where, "unknown %s '%.80s' (expected %s)", key, s, list);
    }
    *out = (uint8_t)v;
    return PH_OK;
}

static const assess_destination *destination_field(reader *rd, json_t *obj, const char *path,
                                                   const char *key) {
    const char *s;
    if (text_field(rd, obj, path, key, 1, &s)) return NULL;
    const assess_destination *d = assess_destination_resolve(rd->ctx, s);
    if (!d) {
        char where[256];
        snprintf(where, sizeof where, "%s%s%s", path, path[0] ? "." : "", key);
        app_fail(rd, where, "unknown destination '%.80s' (give an ISO code such as IL or a name)",
                 s);
    }
    return d;
}

static const char *const licence_types[] = {"SIEL", "OIEL", "SITCL", "OITCL", "SITL", "F680"};

static int read_party(reader *rd, json_t *v, size_t i) {
    char path[64];
    snprintf(path, sizeof path, "parties[%zu]", i);
    if (!json_is_object(v)) return app_fail(rd, path, "expected an object");
    static const char *const keys[] = {"role", "name", "country", "type", "screening"};
    if (only_keys(rd, v, path, keys, 5, "role, name, country, type or screening")) return PH_ERR;
    policy_party *p = add_party(rd->f);
    if (enum_field(rd, v, path, "role", POLICY_ENUM_ROLE, 1, 0, &p->role) ||
        text_field(rd, v, path, "name", 1, &p->name) ||
        enum_field(rd, v, path, "type", POLICY_ENUM_PARTY_TYPE, 1, 0, &p->type) ||
        enum_field(rd, v, path, "screening", POLICY_ENUM_SCREENING, 0,
                   POLICY_SCREENING_NOT_SCREENED, &p->screening))
        return PH_ERR;
    const assess_destination *d = destination_field(rd, v, path, "country");
    if (!d) return PH_ERR;
    p->country = d->code;
    return PH_OK;
}

static int read_line(reader *rd, json_t *v, size_t i) {
    char path[64];
    snprintf(path, sizeof path, "goods[%zu]", i);
    if (!json_is_object(v)) return app_fail(rd, path, "expected an object");
    static const char *const keys[] = {"description", "rating", "quantity", "value_gbp"};
    if (only_keys(rd, v, path, keys, 4, "description, rating, quantity or value_gbp"))
        return PH_ERR;
    const char *rating, *description;
    if (text_field(rd, v, path, "rating", 1, &rating) ||
        text_field(rd, v, path, "description", 0, &description))
        return PH_ERR;
    const assess_rating *r = assess_rating_find(rd->ctx, rating);
    int nearest = 0;
    if (!r) {
        /* A sub-entry of an entry the control list does not break down
         * (5A002.a.1 of 5A002): assessed as that entry, the rating kept as
         * written. Under an entry with sub-entries (ML1.zz) it is a typo. */
        char d[CONTROL_RATING_MAX];
        control_rating_display(rating, d, sizeof d);
        char *dot;
        while (!r && (dot = strrchr(d, '.')) != NULL) {
            *dot = '\0';
            r = assess_rating_find(rd->ctx, d);
        }
        if (r && r->has_children) r = NULL;
        nearest = r != NULL;
    }
    char where[96];
    if (!r) {
        snprintf(where, sizeof where, "%s.rating", path);
        return app_fail(rd, where,
                        "unknown rating '%.80s' (not in the control list; "
                        "see `penholder controls search`)",
                        rating);
    }
    policy_line *l = add_line(rd->f);
    line_from_rating(rd->ctx, r, description, l);
    if (nearest) l->rating = rating;
    json_t *q = json_object_get(v, "quantity");
    if (q && !json_is_null(q)) {
        snprintf(where, sizeof where, "%s.quantity", path);
        if (!json_is_integer(q) || json_integer_value(q) < 0)
            return app_fail(rd, where, "expected a whole number, 0 or more");
        l->quantity = (int64_t)json_integer_value(q);
    }
    json_t *value = json_object_get(v, "value_gbp");
    if (value && !json_is_null(value)) {
        snprintf(where, sizeof where, "%s.value_gbp", path);
        /* Pounds; pence after the point. Capped well below int64 overflow. */
        const double max_pounds = 1e12;
        double pounds = json_is_number(value) ? json_number_value(value) : -1;
        if (!json_is_number(value) || !isfinite(pounds) || pounds < 0 || pounds > max_pounds)
            return app_fail(rd, where, "expected an amount in pounds, 0 to 1,000,000,000,000");
        l->value_pence = json_is_integer(value) ? (int64_t)json_integer_value(value) * 100
                                                : (int64_t)llround(pounds * 100.0);
    }
    return PH_OK;
}

static int read_application(reader *rd, json_t *root) {
    assess_facts *f = rd->f;
    if (!json_is_object(root))
        return ph_fail(rd->err, PH_ERR, "%s: expected a JSON object", rd->name);
    static const char *const keys[] = {"reference", "type",    "destination", "end_use",
                                       "exporter",  "parties", "goods"};
    if (only_keys(rd, root, "", keys, 7,
                  "reference, type, destination, end_use, exporter, parties or goods"))
        return PH_ERR;
    const char *type;
    if (text_field(rd, root, "", "reference", 0, &f->view.reference) ||
        text_field(rd, root, "", "type", 1, &type) ||
        text_field(rd, root, "", "end_use", 0, &f->view.end_use) ||
        text_field(rd, root, "", "exporter", 0, &f->view.exporter))
        return PH_ERR;
    const char *known = NULL;
    for (size_t i = 0; i < sizeof licence_types / sizeof licence_types[0]; i++)
        if (strcasecmp(type, licence_types[i]) == 0) known = licence_types[i];
    if (!known)
        return app_fail(rd, "type",
                        "unknown licence type '%.40s' (expected SIEL, OIEL, SITCL, "
                        "OITCL, SITL or F680)",
                        type);
    f->view.licence_type = known;
    const assess_destination *d = destination_field(rd, root, "", "destination");
    if (!d) return PH_ERR;
    set_destination(rd->ctx, f, d);

    json_t *parties = json_object_get(root, "parties");
    if (!parties) return app_fail(rd, "parties", "missing (an array of parties is required)");
    if (!json_is_array(parties)) return app_fail(rd, "parties", "expected an array");
    if (json_array_size(parties) > ASSESS_MAX_PARTIES)
        return app_fail(rd, "parties", "more than %d parties", ASSESS_MAX_PARTIES);
    for (size_t i = 0; i < json_array_size(parties); i++)
        if (read_party(rd, json_array_get(parties, i), i)) return PH_ERR;

    json_t *goods = json_object_get(root, "goods");
    if (!goods) return app_fail(rd, "goods", "missing (an array of goods lines is required)");
    if (!json_is_array(goods)) return app_fail(rd, "goods", "expected an array");
    if (json_array_size(goods) == 0) return app_fail(rd, "goods", "empty (at least one line)");
    if (json_array_size(goods) > ASSESS_MAX_LINES)
        return app_fail(rd, "goods", "more than %d lines", ASSESS_MAX_LINES);
    for (size_t i = 0; i < json_array_size(goods); i++)
        if (read_line(rd, json_array_get(goods, i), i)) return PH_ERR;
    return PH_OK;
}

int assess_application_from_json(const assess_context *ctx, const char *name, const char *text,
                                 size_t len, assess_facts *out, ph_err *err) {
    facts_reset(out);
    if (!name) name = "application";
    if (len > ASSESS_MAX_APPLICATION)
        return ph_fail(err, PH_ERR, "%s: larger than %u bytes", name, ASSESS_MAX_APPLICATION);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        ph_fail(err, PH_ERR, "%s:%d:%d: malformed JSON: %s", name, jerr.line, jerr.column,
                jerr.text);
        facts_reset(out);
        return PH_ERR;
    }
    reader rd = {ctx, name, out, err};
    int rc = read_application(&rd, root);
    json_decref(root);
    if (rc) {
        facts_reset(out); /* never half-read */
        return rc;
    }
    finish_view(out);
    return PH_OK;
}

/* ---- the register's licences ---- */

int assess_licences_load(store *db, const char *destination, assess_licence_set **out,
                         ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT l.id, l.reference, l.type, l.destination, l.end_user, l.end_user_type, "
            "l.end_use, ll.rating, ll.goods_summary, ll.quantity, ll.value_pence "
            "FROM licence l LEFT JOIN licence_line ll ON ll.licence_id = l.id "
            "WHERE (? IS NULL OR l.destination = ?) ORDER BY l.id, ll.line_no",
            &st, err))
        return err->rc;
    store_bind_text(st, 1, destination);
    store_bind_text(st, 2, destination);
    assess_licence_set *s = ph_calloc(1, sizeof *s);
    assess_arena *arena = assess_arena_new();
    s->strings = arena;
    size_t lcap = 0, linecap = 0;
    size_t *first_line = NULL, first_cap = 0;
    int64_t last_id = -1;
    int rc;
#define COL_TEXT(i)                                                                                \
    (store_col_is_null(st, i) ? NULL : assess_arena_strdup(arena, store_col_text(st, i)))
    while ((rc = store_step(st, err)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        if (id != last_id) {
            s->licences = ph_grow(s->licences, &lcap, s->n + 1, sizeof *s->licences);
            first_line = ph_grow(first_line, &first_cap, s->n + 1, sizeof *first_line);
            assess_licence *l = &s->licences[s->n];
            memset(l, 0, sizeof *l);
            l->reference = COL_TEXT(1);
            l->type = COL_TEXT(2);
            l->destination = COL_TEXT(3);
            l->end_user = COL_TEXT(4);
            l->end_user_type = COL_TEXT(5);
            l->end_use = COL_TEXT(6);
            first_line[s->n] = s->nlines;
            s->n++;
            last_id = id;
        }
        if (store_col_is_null(st, 7)) continue; /* a licence without lines */
        s->lines = ph_grow(s->lines, &linecap, s->nlines + 1, sizeof *s->lines);
        assess_licence_line *line = &s->lines[s->nlines++];
        line->rating = COL_TEXT(7);
        line->description = COL_TEXT(8);
        line->quantity = store_col_is_null(st, 9) ? -1 : store_col_int(st, 9);
        line->value_pence = store_col_is_null(st, 10) ? -1 : store_col_int(st, 10);
        s->licences[s->n - 1].nlines++;
    }
#undef COL_TEXT
    store_finalize(st);
    /* Lines moved while growing: point each licence at its own now. */
    for (size_t i = 0; i < s->n; i++)
        s->licences[i].lines = s->lines + first_line[i];
    free(first_line);
    if (rc != STORE_DONE) {
        assess_licences_free(s);
        return rc;
    }
    *out = s;
    return PH_OK;
}

void assess_licences_free(assess_licence_set *s) {
    if (!s) return;
    free(s->licences);
    free(s->lines);
    assess_arena_free(s->strings);
    free(s);
}
