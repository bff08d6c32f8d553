/* assess — the context facts are built in: control list ratings with their
 * capabilities, destinations with their embargoes, the criteria. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assess/assess_internal.h"
#include "csv/csv.h"

/* ---- small helpers ---- */

static int header_is(csv_reader *r, const char *const *want, size_t n, ph_err *err) {
    int got = csv_next(r, err);
    if (got < 0) return PH_ERR;
    int ok = got == 1 && csv_count(r) >= n;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(csv_field(r, i), want[i]) == 0;
    if (ok) return PH_OK;
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        ph_buf_printf(&b, "%s%s", i ? "," : "", want[i]);
    ph_fail(err, PH_ERR, "%s:1: expected the header %s", csv_name(r), b.data);
    ph_buf_free(&b);
    return PH_ERR;
}

static const ph_embedded *builtin(const char *name, ph_err *err) {
    const ph_embedded *f = ph_embedded_find(name);
    if (!f) ph_fail(err, PH_ERR, "internal: %s is not built in", name);
    return f;
}

/* ---- criteria ---- */

static int load_criteria(assess_context *ctx, ph_err *err) {
    const ph_embedded *f = builtin(ASSESS_CRITERIA_FILE, err);
    if (!f) return PH_ERR;
    csv_reader *r = csv_open_memory(f->name, f->data, f->len, ',', CSV_QUOTES);
    static const char *const cols[] = {"version", "id"};
    int rc = header_is(r, cols, 2, err);
    while (!rc) {
        int got = csv_next(r, err);
        if (got < 0) rc = PH_ERR;
        if (got <= 0) break;
        char key[256];
        snprintf(key, sizeof key, "%s|%s", csv_field(r, 0), csv_field(r, 1));
        ph_map_put(&ctx->criteria, key, 1);
        snprintf(key, sizeof key, "%s|", csv_field(r, 0));
        ph_map_put(&ctx->criteria, key, 1);
    }
    csv_close(r);
    return rc;
}

/* ---- capabilities ---- */

static int capability_bit(assess_context *ctx, const char *name, long line, ph_err *err) {
    for (size_t i = 0; i < ctx->ncapability_names; i++)
        if (strcmp(ctx->capability_names[i], name) == 0) return (int)i;
    for (const char *c = name; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-'))
            return ph_fail(err, PH_ERR,
                           "%s:%ld: capability '%s': use lower-case letters, digits and '-'",
                           ASSESS_CAPABILITIES_FILE, line, name),
                   -1;
    if (ctx->ncapability_names >= POLICY_MAX_CAPABILITIES)
        return ph_fail(err, PH_ERR, "%s:%ld: more than %d capabilities", ASSESS_CAPABILITIES_FILE,
                       line, POLICY_MAX_CAPABILITIES),
               -1;
    ctx->capability_names = ph_realloc(ctx->capability_names, (ctx->ncapability_names + 1) *
                                                                  sizeof *ctx->capability_names);
    ctx->capability_names[ctx->ncapability_names] = ph_strdup(name);
    return (int)ctx->ncapability_names++;
}

static int load_capabilities(assess_context *ctx, ph_err *err) {
    const ph_embedded *f = builtin(ASSESS_CAPABILITIES_FILE, err);
    if (!f) return PH_ERR;
    ph_sha256_hex(f->data, f->len, ctx->capabilities_sha256);
    csv_reader *r = csv_open_memory(f->name, f->data, f->len, ',', CSV_QUOTES);
    static const char *const cols[] = {"rating", "description_contains", "capabilities", "note"};
    int rc = header_is(r, cols, 4, err);
    size_t cap = 0;
    while (!rc) {
        int got = csv_next(r, err);
        if (got < 0) rc = PH_ERR;
        if (got <= 0) break;
        long line = csv_line(r);
        const char *rating = csv_field(r, 0);
        if (!rating[0]) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: the rating is empty", f->name, line);
            break;
        }
        if (!control_catalog_find(ctx->catalog, rating)) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: rating '%s' is not in the control list", f->name,
                         line, rating);
            break;
        }
        capability_row row = {.line = line};
        control_rating_key(rating, row.key, sizeof row.key);
        const char *phrase = csv_field(r, 1);
        for (size_t i = 0; i < ctx->ncapability_rows; i++) {
            const capability_row *o = &ctx->capability_rows[i];
            if (strcmp(o->key, row.key) == 0 &&
                strcasecmp(o->phrase ? o->phrase : "", phrase) == 0) {
                rc = ph_fail(err, PH_ERR, "%s:%ld: rating %s%s%s is already listed on line %ld",
                             f->name, line, rating, phrase[0] ? " with description " : "", phrase,
                             o->line);
                break;
            }
        }
        if (rc) break;
        char *list = ph_strdup(csv_field(r, 2));
        for (char *s = list; s && *s && !rc;) {
            char *end = strchr(s, ';');
            if (end) *end = '\0';
            char *name = ph_trim(s);
            if (*name) {
                int bit = capability_bit(ctx, name, line, err);
                if (bit < 0)
                    rc = PH_ERR;
                else
                    row.mask |= (uint64_t)1 << bit;
            }
            s = end ? end + 1 : NULL;
        }
        free(list);
        if (rc) break;
        row.phrase = phrase[0] ? ph_strdup(phrase) : NULL;
        ctx->capability_rows = ph_grow(ctx->capability_rows, &cap, ctx->ncapability_rows + 1,
                                       sizeof *ctx->capability_rows);
        ctx->capability_rows[ctx->ncapability_rows++] = row;
    }
    csv_close(r);
    return rc;
}

/* ---- ratings ---- */

static int kind_of(const char *kind) {
    int k = policy_enum_value(POLICY_ENUM_KIND, kind);
    return k < 0 ? POLICY_KIND_UNLISTED : k;
}

static int build_ratings(assess_context *ctx, ph_err *err) {
    size_t n = control_catalog_size(ctx->catalog);
    ctx->ratings = ph_calloc(n ? n : 1, sizeof *ctx->ratings);
    ctx->nratings = n;
    for (size_t i = 0; i < n; i++) {
        assess_rating *r = &ctx->ratings[i];
        r->entry = control_catalog_at(ctx->catalog, i);
        control_rating_key(r->entry->rating, r->key, sizeof r->key);
        r->kind = (uint8_t)kind_of(r->entry->kind);
        r->regimes = r->entry->regime_bits;
        ph_map_put(&ctx->rating_index, r->key, (int64_t)i);
    }
    size_t phrases_cap = 0;
    for (size_t i = 0; i < n; i++) {
        assess_rating *r = &ctx->ratings[i];
        /* The chain from the rating up to its root. */
        size_t chain[ASSESS_MAX_DEPTH], depth = 0;
        const control_entry *e = r->entry;
        while (e) {
            if (depth == ASSESS_MAX_DEPTH)
                return ph_fail(err, PH_ERR,
                               "control list: %s lies more than %d levels deep (or its parents "
                               "form a loop)",
                               r->entry->rating, ASSESS_MAX_DEPTH);
            char key[CONTROL_RATING_MAX];
            control_rating_key(e->rating, key, sizeof key);
            int64_t at;
            if (!ph_map_get(&ctx->rating_index, key, &at)) break;
            chain[depth++] = (size_t)at;
            e = control_catalog_parent(ctx->catalog, e);
        }
        for (size_t d = 0; d < depth; d++)
            r->ancestry[d] = ctx->ratings[chain[d]].key;
        r->nancestry = (uint8_t)depth;
        if (depth > 1) ctx->ratings[chain[1]].has_children = 1;
        /* Plain rows: the nearest one decides; an empty one says "none". */
        int decided = 0;
        for (size_t d = 0; d < depth && !decided; d++)
            for (size_t k = 0; k < ctx->ncapability_rows && !decided; k++) {
                const capability_row *row = &ctx->capability_rows[k];
                if (!row->phrase && strcmp(row->key, ctx->ratings[chain[d]].key) == 0) {
                    r->capabilities = row->mask;
                    decided = 1;
                }
            }
        r->phrase_first = (uint32_t)ctx->nphrases;
        for (size_t d = 0; d < depth; d++)
            for (size_t k = 0; k < ctx->ncapability_rows; k++) {
                const capability_row *row = &ctx->capability_rows[k];
                if (row->phrase && strcmp(row->key, ctx->ratings[chain[d]].key) == 0) {
                    ctx->phrases = ph_grow(ctx->phrases, &phrases_cap, ctx->nphrases + 1,
                                           sizeof *ctx->phrases);
                    ctx->phrases[ctx->nphrases++] = (rating_phrase){(uint8_t)d, (uint32_t)k};
                }
            }
        r->phrase_count = (uint32_t)(ctx->nphrases - r->phrase_first);
    }
    return PH_OK;
}

const assess_rating *assess_rating_find(const assess_context *ctx, const char *rating) {
    char key[CONTROL_RATING_MAX];
    control_rating_key(rating, key, sizeof key);
    int64_t i;
    if (!key[0] || !ph_map_get(&ctx->rating_index, key, &i)) return NULL;
    return &ctx->ratings[i];
}

/* The phrase starts a word of the text (ignoring case). */
static int phrase_in(const char *text, const char *phrase) {
    for (const char *s = text; (s = strcasestr(s, phrase)) != NULL; s++)
        if (s == text || !isalnum((unsigned char)s[-1])) return 1;
    return 0;
}

uint64_t assess_rating_capabilities(const assess_context *ctx, const assess_rating *r,
                                    const char *description) {
    if (!description || !description[0] || !r->phrase_count) return r->capabilities;
    /* Rows matched on the description win over plain rows; among them the
     * nearest level decides, and every row matching at that level counts. */
    uint64_t mask = 0;
    int level = -1;
    for (uint32_t i = 0; i < r->phrase_count; i++) {
        const rating_phrase *ph = &ctx->phrases[r->phrase_first + i];
        if (level >= 0 && ph->level != level) break;
        const capability_row *row = &ctx->capability_rows[ph->row];
        if (phrase_in(description, row->phrase)) {
            mask |= row->mask;
            level = ph->level;
        }
    }
    return level >= 0 ? mask : r->capabilities;
}

/* ---- destinations and embargoes ---- */

typedef struct scope_row {
    uint8_t parties, goods, repression;
} scope_row;

static int load_scope(ph_map *scope, scope_row **rows, size_t *nrows, ph_err *err) {
    const ph_embedded *f = builtin(ASSESS_EMBARGO_SCOPE_FILE, err);
    if (!f) return PH_ERR;
    csv_reader *r = csv_open_memory(f->name, f->data, f->len, ',', CSV_QUOTES);
    static const char *const cols[] = {"destination", "source", "parties", "goods", "repression"};
    int rc = header_is(r, cols, 5, err);
    size_t cap = 0;
    while (!rc) {
        int got = csv_next(r, err);
        if (got < 0) rc = PH_ERR;
        if (got <= 0) break;
        int parties = policy_enum_value(POLICY_ENUM_EMBARGO_PARTIES, csv_field(r, 2));
        int goods = policy_enum_value(POLICY_ENUM_EMBARGO_GOODS, csv_field(r, 3));
        const char *rep = csv_field(r, 4);
        char list[256];
        if (parties < 0) {
            policy_enum_list(POLICY_ENUM_EMBARGO_PARTIES, list, sizeof list);
            rc = ph_fail(err, PH_ERR, "%s:%ld: parties '%s': expected %s", f->name, csv_line(r),
                         csv_field(r, 2), list);
        } else if (goods < 0) {
            policy_enum_list(POLICY_ENUM_EMBARGO_GOODS, list, sizeof list);
            rc = ph_fail(err, PH_ERR, "%s:%ld: goods '%s': expected %s", f->name, csv_line(r),
                         csv_field(r, 3), list);
        } else if (strcmp(rep, "yes") && strcmp(rep, "no")) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: repression '%s': expected yes or no", f->name,
                         csv_line(r), rep);
        }
        if (rc) break;
        char key[64];
        snprintf(key, sizeof key, "%s|%s", csv_field(r, 0), csv_field(r, 1));
        *rows = ph_grow(*rows, &cap, *nrows + 1, sizeof **rows);
        (*rows)[*nrows] = (scope_row){(uint8_t)parties, (uint8_t)goods, (uint8_t)(rep[0] == 'y')};
        ph_map_put(scope, key, (int64_t)(*nrows)++);
    }
    csv_close(r);
    return rc;
}

static int load_destinations(assess_context *ctx, store *db, ph_err *err) {
    ph_map scope;
    ph_map_init(&scope);
    scope_row *rows = NULL;
    size_t nrows = 0;
    refdata_destination *dests = NULL;
    size_t ndests = 0;
    int rc = load_scope(&scope, &rows, &nrows, err);
    if (!rc) rc = refdata_destinations_list(db, &dests, &ndests, err);
    if (!rc) {
        ctx->destinations = ph_calloc(ndests ? ndests : 1, sizeof *ctx->destinations);
        ctx->ndestinations = ndests;
    }
    size_t cap = 0;
    for (size_t i = 0; !rc && i < ndests; i++) {
        assess_destination *d = &ctx->destinations[i];
        ph_strlcpy(d->code, dests[i].code, sizeof d->code);
        d->name = ph_strdup(dests[i].name);
        ph_map_put(&ctx->destination_index, d->code, (int64_t)i);
        refdata_embargo *em;
        size_t nem;
        rc = refdata_embargoes(db, d->code, ctx->date, &em, &nem, err);
        if (rc) break;
        d->embargo_first = (uint32_t)ctx->nembargoes;
        d->embargo_count = (uint32_t)nem;
        for (size_t k = 0; k < nem; k++) {
            ctx->embargoes =
                ph_grow(ctx->embargoes, &cap, ctx->nembargoes + 1, sizeof *ctx->embargoes);
            policy_embargo *pe = &ctx->embargoes[ctx->nembargoes++];
            memset(pe, 0, sizeof *pe);
            int source = policy_enum_value(POLICY_ENUM_EMBARGO_SOURCE, em[k].source);
            pe->source = (uint8_t)(source < 0 ? 0 : source);
            pe->source_name = policy_enum_name(POLICY_ENUM_EMBARGO_SOURCE, pe->source);
            pe->scope = em[k].scope[0] == 'f' ? POLICY_EMBARGO_FULL : POLICY_EMBARGO_PARTIAL;
            pe->description = ph_strdup(em[k].description);
            pe->authority = ph_strdup(em[k].authority ? em[k].authority : "");
            /* An embargo without a scope row is read as covering everyone:
             * the cautious reading until data/embargo_scope.csv says more. */
            char key[64];
            snprintf(key, sizeof key, "%s|%s", em[k].destination, em[k].source);
            int64_t at;
            if (ph_map_get(&scope, key, &at)) {
                pe->parties = rows[at].parties;
                pe->goods = rows[at].goods;
                pe->repression = rows[at].repression;
            } else {
                pe->parties = POLICY_EMBARGO_ALL;
                pe->goods = POLICY_EMBARGO_GOODS_MILITARY;
            }
        }
        refdata_embargoes_free(em, nem);
    }
    refdata_destinations_free(dests, ndests);
    ph_map_free(&scope);
    free(rows);
    return rc;
}

const assess_destination *assess_destination_find(const assess_context *ctx, const char *code) {
    int64_t i;
    if (!code || !ph_map_get(&ctx->destination_index, code, &i)) return NULL;
    return &ctx->destinations[i];
}

const assess_destination *assess_destination_resolve(const assess_context *ctx, const char *text) {
    if (!ctx->names || !text) return NULL;
    const char *code = refdata_names_resolve(ctx->names, text);
    return code ? assess_destination_find(ctx, code) : NULL;
}

/* ---- loading ---- */

static assess_context *context_new(void) {
    assess_context *ctx = ph_calloc(1, sizeof *ctx);
    ph_map_init(&ctx->rating_index);
    ph_map_init(&ctx->destination_index);
    ph_map_init(&ctx->criteria);
    return ctx;
}

static int finish(assess_context *ctx, assess_context **out, int rc) {
    if (rc) {
        assess_context_free(ctx);
        return rc;
    }
    *out = ctx;
    return PH_OK;
}

int assess_context_load(store *db, const char *date, assess_context **out, ph_err *err) {
    *out = NULL;
    int32_t days;
    if (!date || ph_date_parse(date, &days))
        return ph_fail(err, PH_EUSAGE, "expected a date YYYY-MM-DD, found '%s'", date ? date : "");
    assess_context *ctx = context_new();
    ph_strlcpy(ctx->date, date, sizeof ctx->date);
    int rc = control_catalog_load(db, &ctx->catalog, err);
    if (!rc && control_catalog_size(ctx->catalog) == 0)
        rc = ph_fail(err, PH_ERR, "%s: the control list is empty; run `penholder init`",
                     store_path(db));
    if (!rc) rc = refdata_names_load(db, &ctx->names, err);
    if (!rc) rc = load_criteria(ctx, err);
    if (!rc) rc = load_capabilities(ctx, err);
    if (!rc) rc = build_ratings(ctx, err);
    if (!rc) rc = load_destinations(ctx, db, err);
    return finish(ctx, out, rc);
}

int assess_context_builtin(assess_context **out, ph_err *err) {
    *out = NULL;
    assess_context *ctx = context_new();
    const ph_embedded *f = builtin("data/controls.csv", err);
    int rc = f ? control_catalog_from_csv(f->name, f->data, f->len, &ctx->catalog, err) : PH_ERR;
    if (!rc) rc = load_criteria(ctx, err);
    if (!rc) rc = load_capabilities(ctx, err);
    if (!rc) rc = build_ratings(ctx, err);
    return finish(ctx, out, rc);
}

void assess_context_free(assess_context *ctx) {
    if (!ctx) return;
    control_catalog_free(ctx->catalog);
    refdata_names_free(ctx->names);
    free(ctx->ratings);
    ph_map_free(&ctx->rating_index);
    free(ctx->phrases);
    for (size_t i = 0; i < ctx->ncapability_names; i++)
        free(ctx->capability_names[i]);
    free(ctx->capability_names);
    for (size_t i = 0; i < ctx->ncapability_rows; i++)
        free(ctx->capability_rows[i].phrase);
    free(ctx->capability_rows);
    for (size_t i = 0; i < ctx->ndestinations; i++)
        free(ctx->destinations[i].name);
    free(ctx->destinations);
    ph_map_free(&ctx->destination_index);
    for (size_t i = 0; i < ctx->nembargoes; i++) {
        free((char *)ctx->embargoes[i].description);
        free((char *)ctx->embargoes[i].authority);
    }
    free(ctx->embargoes);
    ph_map_free(&ctx->criteria);
    free(ctx);
}

const char *assess_context_date(const assess_context *ctx) {
    return ctx->date;
}
const char *assess_capabilities_sha256(const assess_context *ctx) {
    return ctx->capabilities_sha256;
}
size_t assess_capability_count(const assess_context *ctx) {
    return ctx->ncapability_names;
}
const char *assess_capability_name(const assess_context *ctx, size_t i) {
    return i < ctx->ncapability_names ? ctx->capability_names[i] : "";
}

/* ---- checking a policy against the context ---- */

static int criterion_known(void *c, const char *version, const char *id) {
    const assess_context *ctx = c;
    char key[256];
    snprintf(key, sizeof key, "%s|%s", version, id ? id : "");
    int64_t v;
    return ph_map_get(&ctx->criteria, key, &v);
}

static int rating_known(void *c, const char *rating) {
    return assess_rating_find(c, rating) != NULL;
}

int assess_policy_parse(const assess_context *ctx, const char *name, const char *text, size_t len,
                        policy **out, ph_err *err) {
    policy_options o = {.capabilities = (const char *const *)ctx->capability_names,
                        .ncapabilities = ctx->ncapability_names,
                        .criterion_known = criterion_known,
                        .rating_known = rating_known,
                        .ctx = (void *)ctx};
    return policy_parse(name, text, len, &o, out, err);
}

int assess_policy_read(const assess_context *ctx, const char *path, policy **out, ph_err *err) {
    *out = NULL;
    char *text;
    size_t len;
    if (ph_read_file(path, POLICY_MAX_FILE, &text, &len, err)) return err->rc;
    int rc = assess_policy_parse(ctx, path, text, len, out, err);
    free(text);
    return rc;
}
