/* screen — building the index: vocabulary, names, postings, candidate keys. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "screen.h"
#include "screen_internal.h"

void screen_config_default(screen_config *c) {
    c->threshold = SCREEN_DEFAULT_THRESHOLD;
    c->min_score = SCREEN_DEFAULT_MIN_SCORE;
    c->token_min_similarity = 0.80;
    c->phonetic_similarity = 0.80;
    c->initial_similarity = 0.9;
    c->single_word_min_similarity = 0.88;
    c->extra_query_weight = 1.0;
    c->extra_list_weight = 0.5;
    c->patronymic_factor = 0.3;
    c->particle_weight = 0.2;
    c->initial_weight = 0.2;
    c->legal_weight = 0.05;
    c->number_weight = 1.0;
    c->min_token_weight = 0.1;
    c->weak_alias_factor = 0.9;
    c->dob_day_match = 0.05;
    c->dob_year_match = 0.03;
    c->dob_mismatch = 0.15;
    c->dob_day_mismatch = 0.05;
    c->country_match = 0.03;
    c->country_mismatch = 0.05;
}

int screen_type_parse(const char *s) {
    if (!s) return -1;
    static const struct {
        const char *name;
        screen_type type;
    } names[] = {{"person", SCREEN_PERSON},
                 {"individual", SCREEN_PERSON},
                 {"entity", SCREEN_ENTITY},
                 {"organization", SCREEN_ENTITY},
                 {"organisation", SCREEN_ENTITY},
                 {"company", SCREEN_ENTITY},
                 {"legalentity", SCREEN_ENTITY},
                 {"business", SCREEN_ENTITY},
                 {"vessel", SCREEN_VESSEL},
                 {"aircraft", SCREEN_AIRCRAFT},
                 {"airplane", SCREEN_AIRCRAFT},
                 {"any", SCREEN_TYPE_ANY},
                 {"", SCREEN_TYPE_ANY}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ph_strcaseeq(s, names[i].name)) return (int)names[i].type;
    return -1;
}

const char *screen_type_name(screen_type t) {
    switch (t) {
    case SCREEN_PERSON: return "person";
    case SCREEN_ENTITY: return "entity";
    case SCREEN_VESSEL: return "vessel";
    case SCREEN_AIRCRAFT: return "aircraft";
    default: return "";
    }
}

/* ---- dates ---- */

static int year_at(const char *s) {
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    if (isdigit((unsigned char)s[4])) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return y >= 1800 && y <= 2100 ? y : 0;
}

int screen_date_parse(const char *s, screen_date *out) {
    memset(out, 0, sizeof *out);
    if (!s) return 0;
    int32_t days;
    char head[11];
    ph_strlcpy(head, s, sizeof head);
    if (strlen(s) >= 10 && ph_date_parse(head, &days) == PH_OK) {
        int y, m, d;
        ph_date_to_ymd(days, &y, &m, &d);
        out->year_from = out->year_to = (int16_t)y;
        out->month = (int8_t)m;
        out->day = (int8_t)d;
        return 1;
    }
    int found = 0;
    for (size_t i = 0; s[i]; i++) {
        if (i > 0 && isdigit((unsigned char)s[i - 1])) continue;
        int y = year_at(s + i);
        if (!y) continue;
        if (!found) {
            out->year_from = out->year_to = (int16_t)y;
        } else {
            if (y < out->year_from) out->year_from = (int16_t)y;
            if (y > out->year_to) out->year_to = (int16_t)y;
        }
        found = 1;
    }
    return found;
}

/* ---- hashing and key tables ---- */

uint64_t sc_key_hash(int ns, const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)ns * 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h ? h : 1;
}

typedef struct key_pair {
    uint64_t key;
    uint32_t value;
} key_pair;

/* The high half of a key's hash, never 0 (0 marks an empty slot). */
static uint32_t key_tag(uint64_t key) {
    uint32_t tag = (uint32_t)(key >> 32);
    return tag ? tag : 1;
}

static int cmp_pair(const void *a, const void *b) {
    const key_pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->value < y->value ? -1 : x->value > y->value;
}

static void keytab_build(sc_keytab *t, key_pair *pairs, size_t n) {
    memset(t, 0, sizeof *t);
    if (n) qsort(pairs, n, sizeof *pairs, cmp_pair);
    size_t w = 0, nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && pairs[w - 1].key == pairs[i].key && pairs[w - 1].value == pairs[i].value) continue;
        if (!w || pairs[w - 1].key != pairs[i].key) nkeys++;
        pairs[w++] = pairs[i];
    }
    size_t cap = 16;
    while (cap < nkeys * 2)
        cap <<= 1;
    t->mask = cap - 1;
    t->slots = ph_calloc(cap, sizeof *t->slots);
    t->values = ph_malloc((w + nkeys + 1) * sizeof *t->values);
    t->nkeys = nkeys;
    size_t at = 0;
    for (size_t i = 0; i < w;) {
        size_t j = i;
        while (j < w && pairs[j].key == pairs[i].key)
            j++;
        uint32_t tag = key_tag(pairs[i].key);
        size_t slot = pairs[i].key & t->mask;
        while (t->slots[slot].tag)
            slot = (slot + 1) & t->mask;
        t->slots[slot] = (sc_slot){tag, (uint32_t)at};
        t->values[at++] = (uint32_t)(j - i);
        for (size_t k = i; k < j; k++)
            t->values[at++] = pairs[k].value;
        i = j;
    }
    t->nvalues = at;
}

const uint32_t *sc_keytab_get(const sc_keytab *t, uint64_t key, uint32_t *count) {
    *count = 0;
    if (!t->slots) return NULL;
    uint32_t tag = key_tag(key);
    for (size_t slot = key & t->mask; t->slots[slot].tag; slot = (slot + 1) & t->mask) {
        if (t->slots[slot].tag == tag) {
            const uint32_t *run = t->values + t->slots[slot].start;
            *count = run[0];
            return run + 1;
        }
    }
    return NULL;
}

static void keytab_free(sc_keytab *t) {
    free(t->slots);
    free(t->values);
    memset(t, 0, sizeof *t);
}

static size_t keytab_bytes(const sc_keytab *t) {
    return t->slots ? (t->mask + 1) * sizeof *t->slots + t->nvalues * 4 : 0;
}

void sc_deletions(const char *s, size_t n, int max_deletions,
                  void (*fn)(void *ctx, const char *v, size_t nv), void *ctx) {
    char v[TEXT_TOKEN_MAX + 1];
    if (n < SC_DELETE1_MIN || n > TEXT_TOKEN_MAX) return;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && s[i] == s[i - 1]) continue; /* same string as deleting s[i-1] */
        memcpy(v, s, i);
        memcpy(v + i, s + i + 1, n - i - 1);
        fn(ctx, v, n - 1);
        if (n < SC_DELETE2_MIN || max_deletions < 2) continue;
        for (size_t j = i + 1; j < n; j++) {
            if (j > i + 1 && s[j] == s[j - 1]) continue;
            size_t k = 0;
            for (size_t c = 0; c < n; c++)
                if (c != i && c != j) v[k++] = s[c];
            fn(ctx, v, n - 2);
        }
    }
}

/* ---- weights ---- */

double sc_rarity_weight(const screen_index *idx, uint32_t df) {
    if (idx->log_names <= 0) return 1.0;
    double w = log(((double)idx->nnames + 1.0) / ((double)df + 1.0)) / idx->log_names;
    if (w < idx->cfg.min_token_weight) w = idx->cfg.min_token_weight;
    if (w > 1.0) w = 1.0;
    return w;
}

double sc_kind_weight(const screen_config *cfg, uint8_t kind, double rarity) {
    switch (kind) {
    case TEXT_NUMBER: return cfg->number_weight;
    case TEXT_INITIAL: return cfg->initial_weight;
    case TEXT_LEGAL: return cfg->legal_weight;
    case TEXT_PARTICLE: return rarity < cfg->particle_weight ? rarity : cfg->particle_weight;
    default: return rarity;
    }
}

/* ---- building ---- */

typedef struct builder {
    screen_index *idx;
    ph_buf strings;
    size_t vocab_cap, names_cap, entries_cap, entities_cap, dates_cap, countries_cap, lists_cap;
    uint32_t *slots; /* vocab interning: vocab id + 1, 0 = empty */
    size_t slots_mask;
    uint8_t *single; /* vocab occurs as a single token somewhere */
    size_t single_cap;
    ph_map lists;
    key_pair *pairs;
    size_t npairs, pairs_cap;
} builder;

static int add_string(builder *b, const char *s, size_t n, uint32_t *off, ph_err *err) {
    if (b->strings.len + n + 1 > UINT32_MAX)
        return ph_fail(err, PH_ERR, "screening index: names exceed 4 GB of text");
    *off = (uint32_t)b->strings.len;
    ph_buf_append(&b->strings, s, n);
    ph_buf_putc(&b->strings, '\0');
    return PH_OK;
}

/* Adds text shown to people: valid UTF-8 (bad bytes become U+FFFD), cut
 * at a character boundary after TEXT_MAX_NAME_BYTES. */
static int add_display(builder *b, const char *s, uint32_t *off, ph_err *err) {
    ph_buf clean;
    ph_buf_init(&clean);
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n && clean.len < TEXT_MAX_NAME_BYTES;) {
        int32_t cp;
        utf8proc_ssize_t l =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (l <= 0) {
            ph_buf_puts(&clean, "\xEF\xBF\xBD");
            i++;
        } else {
            ph_buf_append(&clean, s + i, (size_t)l);
            i += (size_t)l;
        }
    }
    int rc = add_string(b, clean.data ? clean.data : "", clean.len, off, err);
    ph_buf_free(&clean);
    return rc;
}

static void slots_grow(builder *b) {
    size_t cap = b->slots ? (b->slots_mask + 1) * 2 : 1024;
    uint32_t *slots = ph_calloc(cap, sizeof *slots);
    for (size_t v = 0; v < b->idx->nvocab; v++) {
        const sc_vocab *x = &b->idx->vocab[v];
        uint64_t h = sc_key_hash(x->kind, b->strings.data + x->text, x->len);
        size_t slot = h & (cap - 1);
        while (slots[slot])
            slot = (slot + 1) & (cap - 1);
        slots[slot] = (uint32_t)v + 1;
    }
    free(b->slots);
    b->slots = slots;
    b->slots_mask = cap - 1;
}

/* Returns the vocabulary id of (kind, text), adding it when new. */
static int intern(builder *b, uint8_t kind, uint8_t flags, const char *text, size_t len,
                  uint32_t *id, ph_err *err) {
    screen_index *idx = b->idx;
    if (!b->slots || idx->nvocab * 2 >= b->slots_mask + 1) slots_grow(b);
    uint64_t h = sc_key_hash(kind, text, len);
    size_t slot = h & b->slots_mask;
    for (; b->slots[slot]; slot = (slot + 1) & b->slots_mask) {
        sc_vocab *x = &idx->vocab[b->slots[slot] - 1];
        if (x->kind == kind && x->len == len && memcmp(b->strings.data + x->text, text, len) == 0) {
            x->flags |= flags;
            *id = b->slots[slot] - 1;
            return PH_OK;
        }
    }
    if (idx->nvocab >= UINT32_MAX - 1)
        return ph_fail(err, PH_ERR, "screening index: too many tokens");
    idx->vocab = ph_grow(idx->vocab, &b->vocab_cap, idx->nvocab + 1, sizeof *idx->vocab);
    sc_vocab *x = &idx->vocab[idx->nvocab];
    memset(x, 0, sizeof *x);
    if (add_string(b, text, len, &x->text, err)) return PH_ERR;
    char skel[TEXT_TOKEN_MAX + 1];
    size_t nskel = screen_skeleton(text, len, skel, sizeof skel);
    if (add_string(b, skel, nskel, &x->skel, err)) return PH_ERR;
    x->len = (uint8_t)len;
    x->skel_len = (uint8_t)nskel;
    x->kind = kind;
    x->flags = flags;
    b->slots[slot] = (uint32_t)idx->nvocab + 1;
    *id = (uint32_t)idx->nvocab++;
    return PH_OK;
}

static void mark_single(builder *b, uint32_t v) {
    if (v >= b->single_cap) {
        size_t old = b->single_cap;
        b->single = ph_grow(b->single, &b->single_cap, (size_t)v + 1, 1);
        memset(b->single + old, 0, b->single_cap - old);
    }
    b->single[v] = 1;
}

static int wordlike(uint8_t kind) {
    return kind == TEXT_WORD || kind == TEXT_PARTICLE;
}

static void add_entry(builder *b, uint32_t vocab, size_t pos, size_t span) {
    screen_index *idx = b->idx;
    idx->entries = ph_grow(idx->entries, &b->entries_cap, idx->nentries + 1, sizeof *idx->entries);
    idx->entries[idx->nentries++] = (sc_entry){vocab, (uint8_t)pos, (uint8_t)span};
}

static int add_name(builder *b, uint32_t entity, const screen_name *nm, text_name *tn_name,
                    ph_err *err) {
    screen_index *idx = b->idx;
    ph_err nerr = {0};
    if (!nm->text ||
        text_normalise_name(idx->tn, nm->text, strlen(nm->text), TEXT_TRUNCATE, tn_name, &nerr) ||
        !text_name_informative(tn_name)) {
        idx->names_skipped++;
        return PH_OK;
    }
    if (idx->nnames >= UINT32_MAX - 1)
        return ph_fail(err, PH_ERR, "screening index: too many names");
    idx->names = ph_grow(idx->names, &b->names_cap, idx->nnames + 1, sizeof *idx->names);
    sc_name *name = &idx->names[idx->nnames];
    memset(name, 0, sizeof *name);
    name->entity = entity;
    name->kind = (uint8_t)nm->kind;
    name->weak = nm->weak ? 1 : 0;
    name->entries = (uint32_t)idx->nentries;
    if (add_display(b, nm->text, &name->text, err)) return PH_ERR;
    const text_token *t = tn_name->tokens;
    size_t n = tn_name->ntokens;
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        if (intern(b, t[i].kind, t[i].flags, t[i].text, t[i].len, &v, err)) return PH_ERR;
        mark_single(b, v);
        add_entry(b, v, i, 1);
        if (t[i].kind == TEXT_WORD || t[i].kind == TEXT_NUMBER) name->informative++;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        if (!wordlike(t[i].kind) || !wordlike(t[i + 1].kind) ||
            (size_t)t[i].len + t[i + 1].len > TEXT_TOKEN_MAX)
            continue;
        char joined[TEXT_TOKEN_MAX + 1];
        memcpy(joined, t[i].text, t[i].len);
        memcpy(joined + t[i].len, t[i + 1].text, t[i + 1].len);
        uint32_t v;
        if (intern(b, TEXT_WORD, (uint8_t)(t[i].flags | t[i + 1].flags), joined,
                   (size_t)t[i].len + t[i + 1].len, &v, err))
            return PH_ERR;
        add_entry(b, v, i, 2);
    }
    name->ntokens = (uint8_t)n;
    name->nentries = (uint8_t)(idx->nentries - name->entries);
    idx->nnames++;
    return PH_OK;
}

static int add_record(builder *b, const screen_record *r, size_t at, text_name *scratch,
                      ph_err *err) {
    screen_index *idx = b->idx;
    if (!r->list || !*r->list || !r->entity_id || !*r->entity_id)
        return ph_fail(err, PH_EUSAGE, "screening record %zu: list and entity id are required", at);
    if (idx->nentities >= UINT32_MAX - 1)
        return ph_fail(err, PH_ERR, "screening index: too many entities");
    idx->entities =
        ph_grow(idx->entities, &b->entities_cap, idx->nentities + 1, sizeof *idx->entities);
    sc_entity *e = &idx->entities[idx->nentities];
    memset(e, 0, sizeof *e);
    uint32_t entity = (uint32_t)idx->nentities;
    int64_t list;
    if (!ph_map_get(&b->lists, r->list, &list)) {
        list = (int64_t)idx->nlists;
        ph_map_put(&b->lists, r->list, list);
        idx->lists = ph_grow(idx->lists, &b->lists_cap, idx->nlists + 1, sizeof *idx->lists);
        if (add_display(b, r->list, &idx->lists[idx->nlists], err)) return PH_ERR;
        idx->nlists++;
    }
    e->list = (uint32_t)list;
    e->type = (uint8_t)r->type;
    if (add_display(b, r->entity_id, &e->id, err)) return PH_ERR;
    const char *primary = NULL;
    for (size_t i = 0; i < r->nnames && !primary; i++)
        if (r->names[i].kind == SCREEN_NAME_PRIMARY && r->names[i].text) primary = r->names[i].text;
    for (size_t i = 0; i < r->nnames && !primary; i++)
        primary = r->names[i].text;
    if (add_display(b, primary, &e->name, err)) return PH_ERR;
    e->dates = (uint32_t)idx->ndates;
    for (size_t i = 0; i < r->ndobs && e->ndates < UINT16_MAX; i++) {
        screen_date d;
        if (!screen_date_parse(r->dobs[i], &d)) continue;
        idx->dates = ph_grow(idx->dates, &b->dates_cap, idx->ndates + 1, sizeof *idx->dates);
        idx->dates[idx->ndates++] = d;
        e->ndates++;
    }
    e->countries = (uint32_t)idx->ncountries;
    for (size_t i = 0; i < r->ncountries && e->ncountries < UINT16_MAX; i++) {
        char *f = r->countries[i] ? ph_fold(r->countries[i]) : NULL;
        if (f && *f) {
            idx->countries = ph_grow(idx->countries, &b->countries_cap, idx->ncountries + 1,
                                     sizeof *idx->countries);
            if (add_string(b, f, strlen(f), &idx->countries[idx->ncountries], err)) {
                free(f);
                return PH_ERR;
            }
            idx->ncountries++;
            e->ncountries++;
        }
        free(f);
    }
    idx->nentities++;
    for (size_t i = 0; i < r->nnames; i++)
        if (add_name(b, entity, &r->names[i], scratch, err)) return PH_ERR;
    return PH_OK;
}

static void push_pair(builder *b, uint64_t key, uint32_t value) {
    b->pairs = ph_grow(b->pairs, &b->pairs_cap, b->npairs + 1, sizeof *b->pairs);
    b->pairs[b->npairs++] = (key_pair){key, value};
}

typedef struct deletion_ctx {
    builder *b;
    uint32_t vocab;
} deletion_ctx;

static void push_deletion(void *ctx, const char *v, size_t n) {
    deletion_ctx *d = ctx;
    push_pair(d->b, sc_key_hash(SC_KEY_DELETE, v, n), d->vocab);
}

static void build_postings(screen_index *idx) {
    for (size_t v = 0; v < idx->nvocab; v++)
        idx->vocab[v].post_count = 0;
    /* Count, then fill; a name holding a token twice is listed once. */
    uint32_t *last = ph_malloc((idx->nvocab ? idx->nvocab : 1) * sizeof *last);
    for (size_t v = 0; v < idx->nvocab; v++)
        last[v] = UINT32_MAX;
    for (size_t n = 0; n < idx->nnames; n++) {
        const sc_name *nm = &idx->names[n];
        for (size_t e = 0; e < nm->nentries; e++) {
            uint32_t v = idx->entries[nm->entries + e].vocab;
            if (last[v] == n) continue;
            last[v] = (uint32_t)n;
            idx->vocab[v].post_count++;
        }
    }
    size_t total = 0;
    for (size_t v = 0; v < idx->nvocab; v++) {
        idx->vocab[v].post_start = (uint32_t)total;
        total += idx->vocab[v].post_count;
        idx->vocab[v].post_count = 0;
        last[v] = UINT32_MAX;
    }
    idx->postings = ph_malloc((total ? total : 1) * sizeof *idx->postings);
    idx->post_rest = ph_malloc(total ? total : 1);
    idx->npostings = total;
    for (size_t n = 0; n < idx->nnames; n++) {
        const sc_name *nm = &idx->names[n];
        double rest = 0;
        int initials = 0;
        for (size_t e = 0; e < nm->ntokens; e++) {
            const sc_vocab *x = &idx->vocab[idx->entries[nm->entries + e].vocab];
            if (x->kind == TEXT_INITIAL) { /* may pair with a query word */
                initials = 1;
                continue;
            }
            rest +=
                x->weight * (x->flags & TEXT_TOKEN_PATRONYMIC ? idx->cfg.patronymic_factor : 1.0);
        }
        double q = floor(rest * SC_REST_SCALE);
        uint8_t rest_q = (uint8_t)((q > SC_REST_MASK ? SC_REST_MASK
                                    : q < 0          ? 0
                                                     : q) +
                                   (initials ? SC_REST_INITIALS : 0));
        for (size_t e = 0; e < nm->nentries; e++) {
            uint32_t v = idx->entries[nm->entries + e].vocab;
            if (last[v] == n) continue;
            last[v] = (uint32_t)n;
            sc_vocab *x = &idx->vocab[v];
            idx->post_rest[x->post_start + x->post_count] = rest_q;
            idx->postings[x->post_start + x->post_count++] = (uint32_t)n;
        }
    }
    free(last);
}

static void compute_weights(builder *b) {
    screen_index *idx = b->idx;
    idx->log_names = log((double)idx->nnames + 1.0);
    /* Document frequency of single tokens: names holding them. */
    uint32_t *last = ph_malloc((idx->nvocab ? idx->nvocab : 1) * sizeof *last);
    for (size_t v = 0; v < idx->nvocab; v++) {
        last[v] = UINT32_MAX;
        idx->vocab[v].df = 0;
    }
    for (size_t n = 0; n < idx->nnames; n++) {
        const sc_name *nm = &idx->names[n];
        for (size_t e = 0; e < nm->ntokens; e++) {
            uint32_t v = idx->entries[nm->entries + e].vocab;
            if (last[v] == n) continue;
            last[v] = (uint32_t)n;
            idx->vocab[v].df++;
        }
    }
    free(last);
    for (size_t v = 0; v < idx->nvocab; v++) {
        sc_vocab *x = &idx->vocab[v];
        x->weight = (float)sc_kind_weight(&idx->cfg, x->kind, sc_rarity_weight(idx, x->df));
        x->joined = v < b->single_cap && b->single[v] ? 0 : 1;
    }
    /* A joined pair weighs what its two parts weigh; keep the largest seen
     * (for bounds), separately from the weight as a single token. */
    float *pair = ph_calloc(idx->nvocab ? idx->nvocab : 1, sizeof *pair);
    for (size_t n = 0; n < idx->nnames; n++) {
        const sc_name *nm = &idx->names[n];
        for (size_t e = nm->ntokens; e < nm->nentries; e++) {
            const sc_entry *en = &idx->entries[nm->entries + e];
            float w = idx->vocab[idx->entries[nm->entries + en->pos].vocab].weight +
                      idx->vocab[idx->entries[nm->entries + en->pos + 1].vocab].weight;
            if (w > pair[en->vocab]) pair[en->vocab] = w;
        }
    }
    for (size_t v = 0; v < idx->nvocab; v++)
        idx->vocab[v].bound = pair[v] > idx->vocab[v].weight ? pair[v] : idx->vocab[v].weight;
    free(pair);
    idx->max_weight = 1.0;
}

static void build_keys(builder *b) {
    screen_index *idx = b->idx;
    b->npairs = 0;
    for (size_t v = 0; v < idx->nvocab; v++)
        push_pair(b, sc_key_hash(SC_KEY_EXACT, sc_str(idx, idx->vocab[v].text), idx->vocab[v].len),
                  (uint32_t)v);
    keytab_build(&idx->exact, b->pairs, b->npairs);
    b->npairs = 0;
    for (size_t v = 0; v < idx->nvocab; v++) {
        const sc_vocab *x = &idx->vocab[v];
        if (x->joined || !wordlike(x->kind)) continue;
        deletion_ctx d = {b, (uint32_t)v};
        /* The token itself too, so that a query with one letter more finds
         * it among the query's deletions in one table. */
        push_deletion(&d, sc_str(idx, x->text), x->len);
        sc_deletions(sc_str(idx, x->text), x->len, 2, push_deletion, &d);
        if (sc_article_stripped(sc_str(idx, x->text), x->len))
            push_deletion(&d, sc_str(idx, x->text) + 2, x->len - 2u);
        const char *skel = sc_str(idx, x->skel);
        if (x->skel_len >= SC_SKELETON_KEY_MIN)
            push_pair(b, sc_key_hash(SC_KEY_SKELETON, skel, x->skel_len), (uint32_t)v);
        if (x->flags & TEXT_TOKEN_ABJAD) {
            if (x->skel_len >= 1)
                push_pair(b, sc_key_hash(SC_KEY_ABJAD, skel, x->skel_len), (uint32_t)v);
        } else {
            if (x->skel_len == 2 && x->len <= SC_SHORT_KEY_MAX_LEN)
                push_pair(b, sc_key_hash(SC_KEY_SHORT, skel, x->skel_len), (uint32_t)v);
            if (x->skel_len >= 1 && x->skel_len <= 2)
                push_pair(b, sc_key_hash(SC_KEY_FOR_ABJAD, skel, x->skel_len), (uint32_t)v);
        }
    }
    keytab_build(&idx->fuzzy, b->pairs, b->npairs);
    free(b->pairs);
    b->pairs = NULL;
    b->npairs = b->pairs_cap = 0;
}

int screen_index_build(const screen_record *recs, size_t n, const screen_config *cfg,
                       screen_index **out, ph_err *err) {
    screen_index *idx = ph_calloc(1, sizeof *idx);
    if (cfg)
        idx->cfg = *cfg;
    else
        screen_config_default(&idx->cfg);
    if (text_normaliser_new(&idx->tn, err)) {
        free(idx);
        return PH_ERR;
    }
    builder b = {0};
    b.idx = idx;
    ph_buf_init(&b.strings);
    ph_map_init(&b.lists);
    text_name *scratch = ph_malloc(sizeof *scratch);
    int rc = PH_OK;
    for (size_t i = 0; i < n && rc == PH_OK; i++)
        rc = add_record(&b, &recs[i], i, scratch, err);
    free(scratch);
    free(b.slots);
    ph_map_free(&b.lists);
    if (rc == PH_OK) {
        idx->strings_len = b.strings.len;
        idx->strings = ph_buf_steal(&b.strings);
        compute_weights(&b);
        build_postings(idx);
        build_keys(&b);
        sc_build_neighbourhoods(idx);
    } else {
        idx->strings = ph_buf_steal(&b.strings);
    }
    free(b.single);
    if (rc) {
        screen_index_free(idx);
        return rc;
    }
    *out = idx;
    return PH_OK;
}

void screen_index_free(screen_index *idx) {
    if (!idx) return;
    text_normaliser_free(idx->tn);
    free(idx->strings);
    free(idx->vocab);
    free(idx->postings);
    free(idx->post_rest);
    free(idx->names);
    free(idx->entries);
    free(idx->entities);
    free(idx->dates);
    free(idx->countries);
    free(idx->lists);
    keytab_free(&idx->exact);
    keytab_free(&idx->fuzzy);
    free(idx->nb_vocab);
    free(idx->nb_sim);
    free(idx->nb_how);
    free(idx);
}

void screen_index_get_stats(const screen_index *idx, screen_index_stats *out) {
    out->entities = idx->nentities;
    out->names = idx->nnames;
    out->names_skipped = idx->names_skipped;
    out->tokens = idx->nvocab;
    out->postings = idx->npostings;
    out->keys = idx->exact.nkeys + idx->fuzzy.nkeys;
    out->bytes = sizeof *idx + idx->strings_len + idx->nvocab * sizeof *idx->vocab +
                 idx->npostings * 5 + idx->nnames * sizeof *idx->names +
                 idx->nentries * sizeof *idx->entries + idx->nentities * sizeof *idx->entities +
                 idx->ndates * sizeof *idx->dates + idx->ncountries * 4 + idx->nlists * 4 +
                 keytab_bytes(&idx->exact) + keytab_bytes(&idx->fuzzy) + idx->nnb * (4 + 4 + 1);
}

const screen_config *screen_index_config(const screen_index *idx) {
    return &idx->cfg;
}

text_normaliser *screen_index_normaliser(const screen_index *idx) {
    return idx->tn;
}
