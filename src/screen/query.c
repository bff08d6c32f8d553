/* screen — answering a query: candidate tokens, candidate names, alignment,
 * entity scores with qualifiers, explanations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"
#include "screen_internal.h"

#define SC_MAX_UNITS (2 * TEXT_MAX_TOKENS)
#define SC_MAX_EDGES 512
/* Token pairs found for one query; beyond this the weakest lookups stop. */
#define SC_MAX_MATCHES 65536

enum { SC_MODE_INDEX = 0, SC_MODE_NAIVE = 1, SC_MODE_VOCABULARY = 2 };

/* A query word this close to a list word takes that word's rarity. */
#define CLOSE_SIMILARITY 0.85

/* A query token, or two adjacent ones joined ("jin"+"ping"). */
typedef struct sc_unit {
    uint8_t first, span, kind, flags, len, skel_len;
    char text[TEXT_TOKEN_MAX + 1];
    char skel[TEXT_TOKEN_MAX + 1];
    float weight;
} sc_unit;

/* A list token that resembles a query unit. */
typedef struct sc_match {
    uint32_t vocab;
    uint32_t next; /* index + 1 of the next match of the same token; 0 ends */
    float sim;
    uint8_t unit, how;
} sc_match;

typedef struct sc_query {
    const screen_index *idx; /* NULL when comparing two names without lists */
    const screen_config *cfg;
    text_name name;
    size_t nq;
    float wq[TEXT_MAX_TOKENS];
    sc_unit units[SC_MAX_UNITS];
    size_t nunits;
    sc_match *matches;
    size_t nmatches, matches_cap;
    uint32_t *slots; /* vocab -> first match index + 1 */
    size_t slots_mask;
    /* the request */
    screen_type type;
    int has_dob;
    screen_date dob;
    char country[8];
    uint64_t list_mask; /* bit i: list i; all ones: every list */
    double threshold, min_score;
    size_t limit;
    int mode;
    /* Bounds (see name_may_reach): the score to reach, and per query token
     * the best the token can do for it when left unmatched. */
    double target;
    double unmatched_gain[TEXT_MAX_TOKENS];
    /* The same when the list name has initials a query word may pair with. */
    double initial_gain[TEXT_MAX_TOKENS];
} sc_query;

/* Tokens of one side of an alignment, as the scorer sees them. */
typedef struct sc_side {
    size_t n;
    float w[TEXT_MAX_TOKENS];
    uint8_t kind[TEXT_MAX_TOKENS];
    uint8_t patronymic[TEXT_MAX_TOKENS];
    const char *text[TEXT_MAX_TOKENS];
} sc_side;

typedef struct sc_edge {
    uint8_t qf, qs, nf, ns;
    float sim;
    float weight; /* for ordering ties */
    uint8_t how;
} sc_edge;

static int wordlike(uint8_t kind) {
    return kind == TEXT_WORD || kind == TEXT_PARTICLE;
}

static int informative(uint8_t kind) {
    return kind == TEXT_WORD || kind == TEXT_NUMBER;
}

/* ---- the match map ---- */

static uint32_t *match_slot(sc_query *q, uint32_t vocab) {
    size_t slot = (vocab * 2654435761u) & q->slots_mask;
    while (q->slots[slot] && q->matches[q->slots[slot] - 1].vocab != vocab)
        slot = (slot + 1) & q->slots_mask;
    return &q->slots[slot];
}

static void match_map_grow(sc_query *q) {
    size_t cap = q->slots ? (q->slots_mask + 1) * 2 : 256;
    uint32_t *old = q->slots;
    size_t old_cap = q->slots ? q->slots_mask + 1 : 0;
    q->slots = ph_calloc(cap, sizeof *q->slots);
    q->slots_mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) *match_slot(q, q->matches[old[i] - 1].vocab) = old[i];
    free(old);
}

static const sc_match *match_first(const sc_query *q, uint32_t vocab) {
    if (!q->slots) return NULL;
    size_t slot = (vocab * 2654435761u) & q->slots_mask;
    while (q->slots[slot]) {
        const sc_match *m = &q->matches[q->slots[slot] - 1];
        if (m->vocab == vocab) return m;
        slot = (slot + 1) & q->slots_mask;
    }
    return NULL;
}

static const sc_match *match_next(const sc_query *q, const sc_match *m) {
    return m->next ? &q->matches[m->next - 1] : NULL;
}

/* ---- similarity of a query unit and a list token ---- */

static sc_tokview unit_view(const sc_unit *u) {
    return (sc_tokview){u->text, u->len, u->skel, u->skel_len, u->kind, u->flags, u->span == 2};
}

static double unit_vocab_similarity(const sc_query *q, const sc_unit *u, uint32_t v,
                                    screen_how *how) {
    const screen_index *idx = q->idx;
    const sc_vocab *x = &idx->vocab[v];
    const char *text = sc_str(idx, x->text);
    *how = SCREEN_HOW_NONE;
    if (x->joined || u->span == 2) {
        /* Joined words ("alqaeda" for "al qaeda") are compared as written. */
        if (wordlike(u->kind) && u->len == x->len && memcmp(u->text, text, x->len) == 0) {
            *how = SCREEN_HOW_EXACT;
            return 1.0;
        }
        return 0.0;
    }
    /* An initial against a word is paired when a name is scored (it would
     * match every word with that letter); here only like with like. */
    if ((u->kind == TEXT_INITIAL) != (x->kind == TEXT_INITIAL)) return 0.0;
    sc_tokview a = unit_view(u);
    sc_tokview b = {text, x->len, sc_str(idx, x->skel), x->skel_len, x->kind, x->flags, 0};
    return sc_view_similarity(&a, &b, q->cfg, how);
}

static int has_match(const sc_query *q, size_t unit, uint32_t v) {
    for (const sc_match *m = match_first(q, v); m; m = match_next(q, m))
        if (m->unit == unit) return 1;
    return 0;
}

static void add_match(sc_query *q, size_t unit, uint32_t v, double sim, screen_how how) {
    if (q->nmatches >= SC_MAX_MATCHES) return;
    if (!q->slots || (q->nmatches + 1) * 2 > q->slots_mask + 1) match_map_grow(q);
    q->matches = ph_grow(q->matches, &q->matches_cap, q->nmatches + 1, sizeof *q->matches);
    uint32_t *slot = match_slot(q, v);
    q->matches[q->nmatches] = (sc_match){v, *slot, (float)sim, (uint8_t)unit, (uint8_t)how};
    *slot = (uint32_t)++q->nmatches;
}

static void try_match(sc_query *q, size_t unit, uint32_t v) {
    if (has_match(q, unit, v) || q->nmatches >= SC_MAX_MATCHES) return;
    screen_how how;
    double sim = unit_vocab_similarity(q, &q->units[unit], v, &how);
    if (sim > 0) add_match(q, unit, v, sim, how);
}

static void try_key(sc_query *q, size_t unit, const sc_keytab *t, int ns, const char *s, size_t n) {
    uint32_t count;
    const uint32_t *v = sc_keytab_get(t, sc_key_hash(ns, s, n), &count);
    for (uint32_t i = 0; i < count; i++)
        try_match(q, unit, v[i]);
}

typedef struct deletion_lookup {
    sc_query *q;
    size_t unit;
} deletion_lookup;

static void lookup_deletion(void *ctx, const char *v, size_t n) {
    deletion_lookup *d = ctx;
    try_key(d->q, d->unit, &d->q->idx->fuzzy, SC_KEY_DELETE, v, n);
}

/* Finds the list tokens resembling unit u through the candidate keys. */
static void lookup_by_keys(sc_query *q, size_t unit) {
    const screen_index *idx = q->idx;
    sc_unit *u = &q->units[unit];
    try_key(q, unit, &idx->exact, SC_KEY_EXACT, u->text, u->len);
    /* Joined query words ("al qaeda" -> "alqaeda") are looked up as written. */
    if (!wordlike(u->kind) || u->span == 2) return;
    if (u->len >= SC_DELETE1_MIN) {
        try_key(q, unit, &idx->fuzzy, SC_KEY_DELETE, u->text, u->len);
        deletion_lookup d = {q, unit};
        sc_deletions(u->text, u->len, 2, lookup_deletion, &d);
    }
    if (sc_article_stripped(u->text, u->len))
        try_key(q, unit, &idx->fuzzy, SC_KEY_DELETE, u->text + 2, u->len - 2u);
    if (u->skel_len >= SC_SKELETON_KEY_MIN)
        try_key(q, unit, &idx->fuzzy, SC_KEY_SKELETON, u->skel, u->skel_len);
    if (u->skel_len >= 1) try_key(q, unit, &idx->fuzzy, SC_KEY_ABJAD, u->skel, u->skel_len);
    if (u->skel_len == 2 && u->len <= SC_SHORT_KEY_MAX_LEN)
        try_key(q, unit, &idx->fuzzy, SC_KEY_SHORT, u->skel, u->skel_len);
    if (u->flags & TEXT_TOKEN_ABJAD && u->skel_len >= 1 && u->skel_len <= 2)
        try_key(q, unit, &idx->fuzzy, SC_KEY_FOR_ABJAD, u->skel, u->skel_len);
}

static void query_free(sc_query *q);

/* A query word that is also a list word takes the neighbourhood found for
 * it when the index was built (the same lookup, done once). */
static void lookup_unit(sc_query *q, size_t unit) {
    const screen_index *idx = q->idx;
    const sc_unit *u = &q->units[unit];
    if (u->span == 1 && wordlike(u->kind) && idx->nb_vocab) {
        uint32_t count;
        const uint32_t *v =
            sc_keytab_get(&idx->exact, sc_key_hash(SC_KEY_EXACT, u->text, u->len), &count);
        for (uint32_t k = 0; k < count; k++) {
            const sc_vocab *x = &idx->vocab[v[k]];
            if (x->joined || x->kind != u->kind || x->flags != u->flags || x->len != u->len ||
                memcmp(sc_str(idx, x->text), u->text, u->len) != 0)
                continue;
            for (uint32_t n = 0; n < x->nb_count; n++) {
                uint32_t nb = idx->nb_vocab[x->nb_start + n];
                if (!has_match(q, unit, nb))
                    add_match(q, unit, nb, idx->nb_sim[x->nb_start + n],
                              (screen_how)idx->nb_how[x->nb_start + n]);
            }
            for (uint32_t j = 0; j < count; j++)
                try_match(q, unit, v[j]);
            return;
        }
    }
    lookup_by_keys(q, unit);
}

void sc_build_neighbourhoods(screen_index *idx) {
    sc_query *q = ph_calloc(1, sizeof *q);
    q->idx = idx;
    q->cfg = &idx->cfg;
    q->nunits = 1;
    size_t cap = 0;
    for (uint32_t v = 0; v < idx->nvocab; v++) {
        sc_vocab *x = &idx->vocab[v];
        x->nb_start = (uint32_t)idx->nnb;
        x->nb_count = 0;
        if (x->joined || !wordlike(x->kind)) continue;
        sc_unit *u = &q->units[0];
        memset(u, 0, sizeof *u);
        u->span = 1;
        u->kind = x->kind;
        u->flags = x->flags;
        u->len = x->len;
        memcpy(u->text, sc_str(idx, x->text), x->len);
        u->skel_len = x->skel_len;
        memcpy(u->skel, sc_str(idx, x->skel), x->skel_len);
        if (q->slots) memset(q->slots, 0, (q->slots_mask + 1) * sizeof *q->slots);
        q->nmatches = 0;
        lookup_by_keys(q, 0);
        size_t n = q->nmatches < UINT16_MAX ? q->nmatches : UINT16_MAX;
        size_t need = idx->nnb + n;
        if (need > cap) {
            size_t old = cap;
            idx->nb_vocab = ph_grow(idx->nb_vocab, &cap, need, sizeof *idx->nb_vocab);
            size_t c2 = old;
            idx->nb_sim = ph_grow(idx->nb_sim, &c2, cap, sizeof *idx->nb_sim);
            c2 = old;
            idx->nb_how = ph_grow(idx->nb_how, &c2, cap, sizeof *idx->nb_how);
        }
        for (size_t m = 0; m < n; m++) {
            idx->nb_vocab[idx->nnb] = q->matches[m].vocab;
            idx->nb_sim[idx->nnb] = q->matches[m].sim;
            idx->nb_how[idx->nnb] = q->matches[m].how;
            idx->nnb++;
        }
        x->nb_count = (uint16_t)n;
    }
    query_free(q);
    free(q);
}

/* ---- preparing a query ---- */

static void add_unit(sc_query *q, size_t first, size_t span) {
    const text_token *t = &q->name.tokens[first];
    sc_unit *u = &q->units[q->nunits++];
    memset(u, 0, sizeof *u);
    u->first = (uint8_t)first;
    u->span = (uint8_t)span;
    u->kind = span == 1 ? t->kind : TEXT_WORD;
    u->flags = t->flags;
    memcpy(u->text, t->text, t->len);
    u->len = t->len;
    if (span == 2) {
        memcpy(u->text + u->len, t[1].text, t[1].len);
        u->len = (uint8_t)(u->len + t[1].len);
        u->flags |= t[1].flags;
    }
    u->text[u->len] = '\0';
    u->skel_len = (uint8_t)screen_skeleton(u->text, u->len, u->skel, sizeof u->skel);
}

static void build_units(sc_query *q) {
    const text_name *nm = &q->name;
    q->nq = nm->ntokens;
    q->nunits = 0;
    for (size_t i = 0; i < nm->ntokens; i++)
        add_unit(q, i, 1);
    for (size_t i = 0; i + 1 < nm->ntokens; i++) {
        const text_token *a = &nm->tokens[i], *b = &nm->tokens[i + 1];
        if (wordlike(a->kind) && wordlike(b->kind) && (size_t)a->len + b->len <= TEXT_TOKEN_MAX)
            add_unit(q, i, 2);
    }
}

/* Query token weights: the rarity of the list token it is; else of the
 * most common list token it closely resembles (a word the lists do not use
 * but close to a common one is most likely that word misspelt); a word like
 * no list word is as rare as can be. */
static void weigh_query(sc_query *q) {
    for (size_t i = 0; i < q->nq; i++) {
        const sc_unit *u = &q->units[i];
        double rarity = 1.0;
        if (q->idx && wordlike(u->kind)) {
            int exact = 0;
            for (size_t m = 0; m < q->nmatches; m++) {
                const sc_match *x = &q->matches[m];
                if (x->unit != i) continue;
                const sc_vocab *v = &q->idx->vocab[x->vocab];
                if (v->joined) continue;
                double r = sc_rarity_weight(q->idx, v->df);
                if (x->how == SCREEN_HOW_EXACT) {
                    rarity = r;
                    exact = 1;
                } else if (!exact && x->sim >= CLOSE_SIMILARITY && r < rarity) {
                    rarity = r;
                }
            }
        }
        q->wq[i] = (float)sc_kind_weight(q->cfg, u->kind, rarity);
    }
    for (size_t k = 0; k < q->nunits; k++) {
        sc_unit *u = &q->units[k];
        u->weight = q->wq[u->first] + (u->span == 2 ? q->wq[u->first + 1] : 0.0f);
    }
}

static void query_free(sc_query *q) {
    free(q->matches);
    free(q->slots);
    q->matches = NULL;
    q->slots = NULL;
}

/* ---- alignment and the name score ---- */

typedef struct sc_recorder {
    screen_explanation *ex;
    const sc_side *qs;
    const sc_side *ns;
} sc_recorder;

static void join_text(const sc_side *s, size_t first, size_t span, char *out, size_t size) {
    if (span == 1) {
        ph_strlcpy(out, s->text[first], size);
        return;
    }
    snprintf(out, size, "%s+%s", s->text[first], s->text[first + 1]);
}

static const char *kind_note(uint8_t kind) {
    switch (kind) {
    case TEXT_LEGAL: return "legal form";
    case TEXT_PARTICLE: return "particle or title";
    case TEXT_INITIAL: return "initial";
    case TEXT_NUMBER: return "number";
    default: return NULL;
    }
}

static void record_part(sc_recorder *r, const char *qtext, const char *ntext, double sim,
                        double weight, screen_how how, const char *note) {
    if (!r || !r->ex || r->ex->nparts >= SCREEN_MAX_PARTS) return;
    screen_part *p = &r->ex->parts[r->ex->nparts++];
    ph_strlcpy(p->query, qtext ? qtext : "", sizeof p->query);
    ph_strlcpy(p->list, ntext ? ntext : "", sizeof p->list);
    p->similarity = sim;
    p->weight = weight;
    p->how = how;
    p->note = note;
}

static int edge_before(const sc_edge *a, const sc_edge *b) {
    if (a->sim != b->sim) return a->sim > b->sim;
    if (a->qs + a->ns != b->qs + b->ns) return a->qs + a->ns < b->qs + b->ns;
    if (a->weight != b->weight) return a->weight > b->weight;
    if (a->qf != b->qf) return a->qf < b->qf;
    return a->nf < b->nf;
}

static uint32_t span_mask(size_t first, size_t span) {
    return (span == 2 ? 3u : 1u) << first;
}

/* Aligns query and list tokens one to one (greedily, best pairs first) and
 * returns the name score. `informative_count` is the number of words and
 * numbers of the list name (a one-word name needs a near-exact match). */
static double align(const sc_side *qs, const sc_side *ns, sc_edge *edges, size_t nedges,
                    size_t informative_count, const screen_config *cfg, sc_recorder *rec) {
    for (size_t i = 1; i < nedges; i++) {
        sc_edge e = edges[i];
        size_t j = i;
        while (j > 0 && edge_before(&e, &edges[j - 1])) {
            edges[j] = edges[j - 1];
            j--;
        }
        edges[j] = e;
    }
    uint32_t qused = 0, nused = 0;
    double num = 0, den = 0;
    int informative_match = 0;
    /* Similarity on the only word of a one-word list name (vowel variants
     * count as exact: "hizballah" for "hezbollah"). */
    double single_sim = -1;
    for (size_t k = 0; k < nedges; k++) {
        const sc_edge *e = &edges[k];
        uint32_t qm = span_mask(e->qf, e->qs), nm = span_mask(e->nf, e->ns);
        if ((qused & qm) || (nused & nm)) continue;
        qused |= qm;
        nused |= nm;
        double wq = qs->w[e->qf] + (e->qs == 2 ? qs->w[e->qf + 1] : 0);
        double wn = ns->w[e->nf] + (e->ns == 2 ? ns->w[e->nf + 1] : 0);
        double edge_num, edge_den;
        if (e->how == SCREEN_HOW_INITIAL) {
            /* An initial confirms one letter: the rest of the word is missing. */
            double wi = cfg->initial_weight;
            int query_is_word = qs->kind[e->qf] != TEXT_INITIAL;
            double rest = (query_is_word ? wq : wn) - wi;
            if (rest < 0) rest = 0;
            edge_num = e->sim * 2 * wi;
            edge_den =
                2 * wi + rest * (query_is_word ? cfg->extra_query_weight : cfg->extra_list_weight);
        } else {
            edge_num = e->sim * (wq + wn);
            edge_den = wq + wn;
        }
        num += edge_num;
        den += edge_den;
        int q_inf = informative(qs->kind[e->qf]) || e->qs == 2;
        int n_inf = informative(ns->kind[e->nf]) || e->ns == 2;
        if (q_inf && n_inf && e->how != SCREEN_HOW_INITIAL && e->how != SCREEN_HOW_LEGAL)
            informative_match = 1;
        if (informative_count == 1)
            for (size_t j = e->nf; j < (size_t)e->nf + e->ns; j++)
                if (informative(ns->kind[j]))
                    single_sim = e->how == SCREEN_HOW_VOWELS ? 1.0 : e->sim;
        if (rec && rec->ex) {
            char qt[2 * TEXT_TOKEN_MAX + 2], nt[2 * TEXT_TOKEN_MAX + 2];
            join_text(qs, e->qf, e->qs, qt, sizeof qt);
            join_text(ns, e->nf, e->ns, nt, sizeof nt);
            const char *note = e->how == SCREEN_HOW_LEGAL ? "legal form, weighs almost nothing"
                               : e->qs == 2 || e->ns == 2 ? "joined words"
                                                          : kind_note(qs->kind[e->qf]);
            record_part(rec, qt, nt, e->sim, edge_den, (screen_how)e->how, note);
        }
    }
    for (size_t i = 0; i < qs->n; i++) {
        if (qused & (1u << i)) continue;
        double cost =
            cfg->extra_query_weight * qs->w[i] * (qs->patronymic[i] ? cfg->patronymic_factor : 1.0);
        den += cost;
        if (rec)
            record_part(rec, qs->text[i], NULL, 0, cost, SCREEN_HOW_NONE,
                        qs->kind[i] == TEXT_LEGAL ? "legal form, weighs almost nothing"
                                                  : "not in the list name");
    }
    for (size_t j = 0; j < ns->n; j++) {
        if (nused & (1u << j)) continue;
        double cost =
            cfg->extra_list_weight * ns->w[j] * (ns->patronymic[j] ? cfg->patronymic_factor : 1.0);
        den += cost;
        if (rec)
            record_part(rec, NULL, ns->text[j], 0, cost, SCREEN_HOW_NONE,
                        ns->kind[j] == TEXT_LEGAL ? "legal form, weighs almost nothing"
                                                  : "not in the query");
    }
    double score = den > 0 ? num / den : 0;
    if (!informative_match) {
        if (rec && rec->ex && score > 0)
            rec->ex->rule = "no word or number matched: legal forms, particles and initials never "
                            "match on their own";
        return 0;
    }
    if (informative_count == 1 && single_sim < cfg->single_word_min_similarity) {
        if (rec && rec->ex)
            rec->ex->rule = "the list name has one word: it must match almost exactly";
        return 0;
    }
    return score > 1 ? 1 : score;
}

/* ---- scoring one list name ---- */

static void name_side(const screen_index *idx, const sc_name *nm, sc_side *s) {
    s->n = nm->ntokens;
    for (size_t j = 0; j < nm->ntokens; j++) {
        const sc_vocab *v = &idx->vocab[idx->entries[nm->entries + j].vocab];
        s->w[j] = v->weight;
        s->kind[j] = v->kind;
        s->patronymic[j] = (v->flags & TEXT_TOKEN_PATRONYMIC) != 0;
        s->text[j] = sc_str(idx, v->text);
    }
}

static void query_side(const sc_query *q, sc_side *s) {
    s->n = q->nq;
    for (size_t i = 0; i < q->nq; i++) {
        s->w[i] = q->wq[i];
        s->kind[i] = q->units[i].kind;
        s->patronymic[i] = (q->units[i].flags & TEXT_TOKEN_PATRONYMIC) != 0;
        s->text[i] = q->units[i].text;
    }
}

static void push_edge(sc_edge *edges, size_t *n, const sc_unit *u, const sc_entry *e, double sim,
                      screen_how how, float weight) {
    if (*n >= SC_MAX_EDGES) return;
    /* Joined list words are compared exactly. */
    if (e->span == 2 && sim < 1.0) return;
    edges[(*n)++] = (sc_edge){u->first, u->span, e->pos, e->span, (float)sim, weight, (uint8_t)how};
}

/* Initials against words starting with them, both ways. */
static void push_initial_edges(const sc_query *q, const sc_entry *e, const sc_side *ns,
                               sc_edge *edges, size_t *n) {
    if (e->span != 1) return;
    const sc_vocab *v = &q->idx->vocab[e->vocab];
    const char *vt = sc_str(q->idx, v->text);
    for (size_t i = 0; i < q->nq; i++) {
        const sc_unit *u = &q->units[i];
        int a = u->kind == TEXT_INITIAL && wordlike(v->kind);
        int b = v->kind == TEXT_INITIAL && wordlike(u->kind);
        if ((a || b) && u->text[0] == vt[0])
            push_edge(edges, n, u, e, q->cfg->initial_similarity, SCREEN_HOW_INITIAL,
                      u->weight + ns->w[e->pos]);
    }
}

/* Edges of one name from the query's match map (the indexed path). */
static size_t edges_from_matches(const sc_query *q, const sc_name *nm, const sc_side *ns,
                                 sc_edge *edges) {
    const screen_index *idx = q->idx;
    size_t n = 0;
    for (size_t k = 0; k < nm->nentries; k++) {
        const sc_entry *e = &idx->entries[nm->entries + k];
        for (const sc_match *m = match_first(q, e->vocab); m; m = match_next(q, m)) {
            const sc_unit *u = &q->units[m->unit];
            float w = u->weight + ns->w[e->pos] + (e->span == 2 ? ns->w[e->pos + 1] : 0.0f);
            push_edge(edges, &n, u, e, m->sim, (screen_how)m->how, w);
        }
        push_initial_edges(q, e, ns, edges, &n);
    }
    return n;
}

/* Edges of one name by comparing every unit with every token (the baseline). */
static size_t edges_direct(const sc_query *q, const sc_name *nm, const sc_side *ns,
                           sc_edge *edges) {
    const screen_index *idx = q->idx;
    size_t n = 0;
    for (size_t k = 0; k < nm->nentries; k++) {
        const sc_entry *e = &idx->entries[nm->entries + k];
        for (size_t i = 0; i < q->nunits; i++) {
            const sc_unit *u = &q->units[i];
            screen_how how;
            double sim = unit_vocab_similarity(q, u, e->vocab, &how);
            if (sim <= 0) continue;
            float w = u->weight + ns->w[e->pos] + (e->span == 2 ? ns->w[e->pos + 1] : 0.0f);
            push_edge(edges, &n, u, e, sim, how, w);
        }
        push_initial_edges(q, e, ns, edges, &n);
    }
    return n;
}

static int name_may_reach(const sc_query *q, const sc_name *nm);

static double score_name(const sc_query *q, uint32_t name, sc_recorder *rec) {
    const screen_index *idx = q->idx;
    const sc_name *nm = &idx->names[name];
    if (!rec && q->mode != SC_MODE_NAIVE && !name_may_reach(q, nm)) return 0;
    sc_side qs, ns;
    query_side(q, &qs);
    name_side(idx, nm, &ns);
    sc_edge edges[SC_MAX_EDGES];
    size_t nedges = q->mode == SC_MODE_NAIVE ? edges_direct(q, nm, &ns, edges)
                                             : edges_from_matches(q, nm, &ns, edges);
    if (rec) {
        rec->qs = &qs;
        rec->ns = &ns;
    }
    return align(&qs, &ns, edges, nedges, nm->informative, q->cfg, rec);
}

/* ---- qualifiers ---- */

typedef struct sc_qualified {
    double score;
    double factor;
    screen_qualifier q[SCREEN_MAX_QUALIFIERS];
    size_t nq;
} sc_qualified;

static void add_qualifier(sc_qualified *r, const char *name, double delta, double factor,
                          const char *detail) {
    if (r->nq >= SCREEN_MAX_QUALIFIERS) return;
    screen_qualifier *x = &r->q[r->nq++];
    x->name = name;
    x->delta = delta;
    x->factor = factor;
    ph_strlcpy(x->detail, detail, sizeof x->detail);
}

static void format_date(const screen_date *d, char *out, size_t size) {
    if (d->month && d->day)
        snprintf(out, size, "%04d-%02d-%02d", d->year_from, d->month, d->day);
    else if (d->year_from != d->year_to)
        snprintf(out, size, "%d to %d", d->year_from, d->year_to);
    else
        snprintf(out, size, "%d", d->year_from);
}

enum { DOB_NONE, DOB_MISMATCH, DOB_DAY_MISMATCH, DOB_NEAR, DOB_YEAR, DOB_DAY };

static void qualify(const sc_query *q, uint32_t entity, const sc_name *nm, double name_score,
                    sc_qualified *r) {
    const screen_index *idx = q->idx;
    const screen_config *cfg = q->cfg;
    const sc_entity *e = &idx->entities[entity];
    r->nq = 0;
    r->factor = 1.0;
    double delta = 0;
    if (nm->weak) {
        r->factor = cfg->weak_alias_factor;
        add_qualifier(r, "weak_alias", 0, cfg->weak_alias_factor,
                      "the list marks this alias as weak");
    }
    if (q->has_dob && e->ndates) {
        int best = DOB_NONE;
        const screen_date *best_date = NULL;
        for (size_t i = 0; i < e->ndates; i++) {
            const screen_date *d = &idx->dates[e->dates + i];
            int got;
            int qy = q->dob.year_from;
            if (q->dob.day && d->day && d->year_from == d->year_to)
                got = qy == d->year_from && q->dob.month == d->month && q->dob.day == d->day
                          ? DOB_DAY
                      : qy == d->year_from          ? DOB_DAY_MISMATCH
                      : abs(qy - d->year_from) <= 1 ? DOB_NEAR
                                                    : DOB_MISMATCH;
            else
                got = qy >= d->year_from && qy <= d->year_to           ? DOB_YEAR
                      : qy >= d->year_from - 1 && qy <= d->year_to + 1 ? DOB_NEAR
                                                                       : DOB_MISMATCH;
            if (got > best) {
                best = got;
                best_date = d;
            }
        }
        char listed[32], given[32], detail[128];
        format_date(best_date, listed, sizeof listed);
        format_date(&q->dob, given, sizeof given);
        snprintf(detail, sizeof detail, "given %s, listed %s", given, listed);
        switch (best) {
        case DOB_DAY:
            add_qualifier(r, "dob_match", cfg->dob_day_match, 1, detail);
            delta += cfg->dob_day_match;
            break;
        case DOB_YEAR:
            add_qualifier(r, "dob_year_match", cfg->dob_year_match, 1, detail);
            delta += cfg->dob_year_match;
            break;
        case DOB_NEAR: add_qualifier(r, "dob_near", 0, 1, detail); break;
        case DOB_DAY_MISMATCH:
            add_qualifier(r, "dob_day_mismatch", -cfg->dob_day_mismatch, 1, detail);
            delta -= cfg->dob_day_mismatch;
            break;
        case DOB_MISMATCH:
            add_qualifier(r, "dob_mismatch", -cfg->dob_mismatch, 1, detail);
            delta -= cfg->dob_mismatch;
            break;
        default: break;
        }
    }
    if (q->country[0] && e->ncountries) {
        /* Codes are compared with codes only: a list that gives country
         * names that could not be resolved is neither a match nor not. */
        int codes = 0, match = 0;
        for (size_t i = 0; i < e->ncountries; i++) {
            const char *c = sc_str(idx, idx->countries[e->countries + i]);
            size_t len = strlen(c);
            if (len < 2 || len > 3) continue;
            codes++;
            if (strcmp(c, q->country) == 0) match = 1;
        }
        char detail[128];
        snprintf(detail, sizeof detail, "given %s", q->country);
        if (match) {
            add_qualifier(r, "country_match", cfg->country_match, 1, detail);
            delta += cfg->country_match;
        } else if (codes) {
            add_qualifier(r, "country_mismatch", -cfg->country_mismatch, 1, detail);
            delta -= cfg->country_mismatch;
        }
    }
    double s = name_score * r->factor + delta;
    r->score = name_score > 0 ? (s < 0 ? 0 : s > 1 ? 1 : s) : 0;
}

/* Most a qualifier can add: names this far below the floor still count. */
static double qualifier_bonus(const sc_query *q) {
    return (q->has_dob ? q->cfg->dob_day_match : 0) + (q->country[0] ? q->cfg->country_match : 0);
}

/* ---- candidates ---- */

typedef struct sc_set {
    uint32_t *slots; /* value + 1 */
    size_t mask, count;
} sc_set;

static void set_init(sc_set *s, size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2)
        cap <<= 1;
    s->slots = ph_calloc(cap, sizeof *s->slots);
    s->mask = cap - 1;
    s->count = 0;
}

static int set_add(sc_set *s, uint32_t v) {
    size_t slot = ((uint64_t)v * 0x9E3779B97F4A7C15ULL >> 32) & s->mask;
    while (s->slots[slot]) {
        if (s->slots[slot] == v + 1) return 0;
        slot = (slot + 1) & s->mask;
    }
    s->slots[slot] = v + 1;
    s->count++;
    return 1;
}

/* Bounds. A name's score N/D reaches t exactly when
 *     sum over aligned pairs of (similarity - t) * weight  >=  t * (costs of unmatched tokens),
 * so each query token can be given the most it may add to the left side:
 * its best pair, or (unmatched) minus its cost, or a match with a list
 * initial. A pair of joined query tokens gives each half its gain. Summing
 * those bests over-estimates every alignment (pairs are not exclusive in
 * the sum), so a name, or a set of query tokens, whose sum is negative
 * cannot reach t. */
static void prepare_bounds(sc_query *q, double target) {
    const screen_config *cfg = q->cfg;
    q->target = target;
    for (size_t i = 0; i < q->nq; i++) {
        double wi = cfg->initial_weight;
        double own_cost =
            cfg->extra_query_weight * q->wq[i] *
            (q->units[i].flags & TEXT_TOKEN_PATRONYMIC ? cfg->patronymic_factor : 1.0);
        double unmatched = -target * own_cost;
        if (q->units[i].kind == TEXT_INITIAL) {
            /* A query initial may pair with any list word of its letter. */
            double own = (cfg->initial_similarity - target) * 2 * wi;
            if (own > unmatched) unmatched = own;
        }
        double rest = q->wq[i] > wi ? q->wq[i] - wi : 0;
        double as_initial =
            (cfg->initial_similarity - target) * 2 * wi - target * cfg->extra_query_weight * rest;
        q->unmatched_gain[i] = unmatched;
        q->initial_gain[i] =
            wordlike(q->units[i].kind) && as_initial > unmatched ? as_initial : unmatched;
    }
}

static double pair_gain(const sc_query *q, const sc_match *m, double list_weight) {
    return (m->sim - q->target) * (q->units[m->unit].weight + list_weight);
}

/* Best gain and largest list weight of each query token over its matches. */
static void token_bests(const sc_query *q, double *best, double *wn) {
    for (size_t i = 0; i < q->nq; i++) {
        best[i] = q->unmatched_gain[i];
        wn[i] = q->units[i].kind == TEXT_INITIAL ? q->cfg->initial_weight : 0;
    }
    for (size_t m = 0; m < q->nmatches; m++) {
        const sc_match *x = &q->matches[m];
        const sc_unit *u = &q->units[x->unit];
        double b = q->idx->vocab[x->vocab].bound;
        double g = pair_gain(q, x, b) / u->span, w = b / u->span;
        for (size_t i = u->first; i < (size_t)u->first + u->span; i++) {
            if (g > best[i]) best[i] = g;
            if (w > wn[i]) wn[i] = w;
        }
    }
}

/* Which query tokens may bring a name to the target on their own: the
 * others (the least useful, taken while their sum stays negative) add no
 * candidates. Names with initials are not bounded here (candidate_names
 * adds them). Returns a mask of the essential tokens. */
static uint32_t essential_tokens(const sc_query *q) {
    double gain[TEXT_MAX_TOKENS], wn[TEXT_MAX_TOKENS];
    token_bests(q, gain, wn);
    size_t order[TEXT_MAX_TOKENS];
    double benefit[TEXT_MAX_TOKENS], total = 0;
    for (size_t i = 0; i < q->nq; i++) {
        total += q->unmatched_gain[i];
        benefit[i] = gain[i] - q->unmatched_gain[i];
        size_t j = i;
        while (j > 0 && benefit[order[j - 1]] > benefit[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    uint32_t in_p = 0;
    for (size_t k = 0; k < q->nq; k++) {
        if (total + benefit[order[k]] >= 0) break;
        total += benefit[order[k]];
        in_p |= 1u << order[k];
    }
    uint32_t all = q->nq >= 32 ? UINT32_MAX : (1u << q->nq) - 1;
    return all & ~in_p;
}

/* Whether a name may reach the target: the bound above with the name's own
 * tokens, list tokens that nothing can match counting as unmatched. */
static int name_may_reach(const sc_query *q, const sc_name *nm) {
    const screen_index *idx = q->idx;
    const screen_config *cfg = q->cfg;
    double gain[TEXT_MAX_TOKENS];
    int query_initial = 0, list_initial = 0;
    const sc_entry *entries = idx->entries + nm->entries;
    for (size_t k = 0; k < nm->ntokens; k++)
        if (idx->vocab[entries[k].vocab].kind == TEXT_INITIAL) list_initial = 1;
    for (size_t i = 0; i < q->nq; i++) {
        gain[i] = list_initial ? q->initial_gain[i] : q->unmatched_gain[i];
        if (q->units[i].kind == TEXT_INITIAL) query_initial = 1;
    }
    double list_cost = 0;
    uint32_t covered = 0; /* list tokens a matched joined pair may cover */
    /* Joined pairs come after the single tokens: read backwards, they are
     * seen first. */
    for (size_t k = nm->nentries; k-- > 0;) {
        const sc_entry *e = &entries[k];
        const sc_vocab *v = &idx->vocab[e->vocab];
        double w = e->span == 1 ? v->weight
                                : idx->vocab[entries[e->pos].vocab].weight +
                                      idx->vocab[entries[e->pos + 1].vocab].weight;
        int any = 0;
        for (const sc_match *m = match_first(q, e->vocab); m; m = match_next(q, m)) {
            if (e->span == 2 && m->sim < 1.0f) continue;
            any = 1;
            const sc_unit *u = &q->units[m->unit];
            double g = pair_gain(q, m, w) / u->span;
            for (size_t i = u->first; i < (size_t)u->first + u->span; i++)
                if (g > gain[i]) gain[i] = g;
        }
        if (e->span == 2 && any) covered |= span_mask(e->pos, 2);
        if (e->span != 1 || any || (covered >> e->pos) & 1) continue;
        if (v->kind == TEXT_INITIAL || (query_initial && wordlike(v->kind)))
            continue; /* may pair with an initial */
        list_cost += q->target * cfg->extra_list_weight * w *
                     (v->flags & TEXT_TOKEN_PATRONYMIC ? cfg->patronymic_factor : 1.0);
    }
    double sum = -list_cost;
    for (size_t i = 0; i < q->nq; i++)
        sum += gain[i];
    return sum >= -1e-9;
}

/* Every name holding a token any query unit resembles (no pruning). */
static size_t all_matched_names(const sc_query *q, uint32_t **out) {
    const screen_index *idx = q->idx;
    size_t expected = 0;
    for (size_t m = 0; m < q->nmatches; m++)
        expected += idx->vocab[q->matches[m].vocab].post_count;
    sc_set set;
    set_init(&set, expected < idx->nnames ? expected : idx->nnames);
    for (size_t m = 0; m < q->nmatches; m++) {
        const sc_vocab *v = &idx->vocab[q->matches[m].vocab];
        for (uint32_t p = 0; p < v->post_count; p++)
            set_add(&set, idx->postings[v->post_start + p]);
    }
    uint32_t *v = ph_malloc((set.count ? set.count : 1) * sizeof *v);
    size_t n = 0;
    for (size_t s = 0; s <= set.mask; s++)
        if (set.slots[s]) v[n++] = set.slots[s] - 1;
    free(set.slots);
    *out = v;
    return n;
}

/* One posting list in the merge. */
typedef struct sc_list {
    const uint32_t *ids;
    const uint8_t *rest;
    uint32_t n, at;
    uint8_t first, span; /* query tokens the matching unit covers (span 0: none) */
    float gain, wn;      /* what a name on this list may gain on each of them */
} sc_list;

static int list_less(const sc_list *lists, uint32_t a, uint32_t b) {
    return lists[a].ids[lists[a].at] < lists[b].ids[lists[b].at];
}

static void heap_down(uint32_t *heap, size_t n, const sc_list *lists, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && list_less(lists, heap[l], heap[m])) m = l;
        if (r < n && list_less(lists, heap[r], heap[m])) m = r;
        if (m == i) return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* Candidate names, in order of id: the posting lists of the essential
 * tokens' matches are merged; each name is then bounded with what the
 * merge tells (which query tokens it may hold) and the weight of its other
 * words stored beside the posting (see name_may_reach for the bound), so
 * that names a common word brings in are dropped before they are read. */
static size_t candidate_names(const sc_query *q, uint32_t **out) {
    const screen_index *idx = q->idx;
    const screen_config *cfg = q->cfg;
    uint32_t essential = essential_tokens(q);
    double best[TEXT_MAX_TOKENS], wn[TEXT_MAX_TOKENS];
    token_bests(q, best, wn);
    int query_initial = 0;
    for (size_t i = 0; i < q->nq; i++)
        if (q->units[i].kind == TEXT_INITIAL) query_initial = 1;
    /* The part of the bound that does not depend on the name, for names
     * without initials (plain) and with (initial): essential tokens count
     * as unmatched, the others at their best. */
    double fixed[2] = {0, 0}, fixed_wn = 0;
    for (size_t i = 0; i < q->nq; i++) {
        const double u[2] = {q->unmatched_gain[i], q->initial_gain[i]};
        for (int k = 0; k < 2; k++)
            fixed[k] += essential & (1u << i) ? u[k] : (best[i] > u[k] ? best[i] : u[k]);
        if (!(essential & (1u << i))) fixed_wn += wn[i];
    }
    double list_rate = query_initial ? 0 : q->target * cfg->extra_list_weight;

    size_t nlists = 0, total = 0;
    sc_list *lists = ph_malloc((q->nmatches + q->nq + 1) * sizeof *lists);
    for (size_t m = 0; m < q->nmatches; m++) {
        const sc_unit *u = &q->units[q->matches[m].unit];
        uint32_t mask = span_mask(u->first, u->span);
        const sc_vocab *v = &idx->vocab[q->matches[m].vocab];
        if (!(essential & mask) || !v->post_count) continue;
        lists[nlists++] = (sc_list){idx->postings + v->post_start,
                                    idx->post_rest + v->post_start,
                                    v->post_count,
                                    0,
                                    u->first,
                                    u->span,
                                    (float)(pair_gain(q, &q->matches[m], v->bound) / u->span),
                                    (float)(v->bound / u->span)};
        total += v->post_count;
    }
    /* Names with an initial a query word starts with (few): always candidates. */
    char letters[TEXT_MAX_TOKENS + 1];
    size_t nletters = 0;
    for (size_t i = 0; i < q->nq; i++) {
        if (!wordlike(q->units[i].kind) || memchr(letters, q->units[i].text[0], nletters)) continue;
        letters[nletters++] = q->units[i].text[0];
        uint32_t count;
        const uint32_t *v =
            sc_keytab_get(&idx->exact, sc_key_hash(SC_KEY_EXACT, q->units[i].text, 1), &count);
        for (uint32_t k = 0; k < count; k++) {
            const sc_vocab *x = &idx->vocab[v[k]];
            if (x->kind != TEXT_INITIAL || !x->post_count) continue;
            lists[nlists++] = (sc_list){idx->postings + x->post_start,
                                        idx->post_rest + x->post_start,
                                        x->post_count,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0};
            total += x->post_count;
        }
    }
    uint32_t *heap = ph_malloc((nlists ? nlists : 1) * sizeof *heap);
    for (size_t i = 0; i < nlists; i++)
        heap[i] = (uint32_t)i;
    size_t nheap = nlists;
    for (size_t i = nheap / 2; i-- > 0;)
        heap_down(heap, nheap, lists, i);
    uint32_t *cand = ph_malloc((total ? total : 1) * sizeof *cand);
    size_t ncand = 0;
    double got[TEXT_MAX_TOKENS], got_wn[TEXT_MAX_TOKENS];
    while (nheap) {
        sc_list *top = &lists[heap[0]];
        uint32_t id = top->ids[top->at];
        uint8_t rest = top->rest[top->at];
        uint32_t mask = 0;
        while (nheap && lists[heap[0]].ids[lists[heap[0]].at] == id) {
            sc_list *l = &lists[heap[0]];
            for (size_t i = l->first; i < (size_t)l->first + l->span; i++) {
                if (!(essential & (1u << i))) continue;
                if (!(mask & (1u << i))) {
                    mask |= 1u << i;
                    got[i] = l->gain;
                    got_wn[i] = l->wn;
                } else {
                    if (l->gain > got[i]) got[i] = l->gain;
                    if (l->wn > got_wn[i]) got_wn[i] = l->wn;
                }
            }
            if (++l->at == l->n) heap[0] = heap[--nheap];
            if (nheap) heap_down(heap, nheap, lists, 0);
        }
        int with_initials = (rest & SC_REST_INITIALS) != 0;
        double sum = fixed[with_initials], matched_wn = fixed_wn;
        for (uint32_t bits = mask; bits; bits &= bits - 1) {
            int i = __builtin_ctz(bits);
            double u = with_initials ? q->initial_gain[i] : q->unmatched_gain[i];
            if (got[i] > u) sum += got[i] - u;
            matched_wn += got_wn[i];
        }
        double extra = (double)(rest & SC_REST_MASK) / SC_REST_SCALE - matched_wn;
        if (extra > 0) sum -= list_rate * extra;
        if (sum >= -1e-9) cand[ncand++] = id;
    }
    free(heap);
    free(lists);
    *out = cand;
    return ncand;
}

/* ---- the request ---- */

void screen_request_init(screen_request *r) {
    memset(r, 0, sizeof *r);
    r->threshold = -1;
    r->min_score = -1;
}

static int prepare(const screen_index *idx, const screen_request *req, sc_query *q, ph_err *err) {
    memset(q, 0, sizeof *q);
    q->idx = idx;
    q->cfg = &idx->cfg;
    if (!req->name) return ph_fail(err, PH_EUSAGE, "no name to screen");
    q->type = req->type;
    q->threshold = req->threshold >= 0 ? req->threshold : idx->cfg.threshold;
    q->min_score = req->min_score >= 0 ? req->min_score : idx->cfg.min_score;
    if (q->threshold > 1 || q->min_score > 1)
        return ph_fail(err, PH_EUSAGE, "threshold and minimum score are between 0 and 1");
    q->limit = req->limit ? req->limit : SCREEN_DEFAULT_LIMIT;
    if (q->limit > SCREEN_MAX_LIMIT) q->limit = SCREEN_MAX_LIMIT;
    q->mode = req->full_scan == 1   ? SC_MODE_NAIVE
              : req->full_scan == 2 ? SC_MODE_VOCABULARY
                                    : SC_MODE_INDEX;
    if (req->dob && *req->dob) {
        int32_t days;
        size_t len = strlen(req->dob);
        int ok = (len == 4 && screen_date_parse(req->dob, &q->dob)) ||
                 (len == 10 && ph_date_parse(req->dob, &days) == PH_OK &&
                  screen_date_parse(req->dob, &q->dob));
        if (!ok)
            return ph_fail(err, PH_EUSAGE, "date of birth '%s': expected YYYY or YYYY-MM-DD",
                           req->dob);
        q->has_dob = 1;
    }
    if (req->country && *req->country) {
        char *f = ph_fold(req->country);
        size_t len = f ? strlen(f) : 0;
        if (len < 2 || len > 3) {
            free(f);
            return ph_fail(err, PH_EUSAGE, "country '%s': expected an ISO code such as IR",
                           req->country);
        }
        ph_strlcpy(q->country, f, sizeof q->country);
        free(f);
    }
    q->list_mask = UINT64_MAX;
    if (req->nlists) {
        if (req->nlists > SCREEN_MAX_LISTS)
            return ph_fail(err, PH_EUSAGE, "at most %d lists may be named", SCREEN_MAX_LISTS);
        q->list_mask = 0;
        for (size_t i = 0; i < req->nlists; i++) {
            size_t l = 0;
            while (l < idx->nlists && strcmp(sc_str(idx, idx->lists[l]), req->lists[i]) != 0)
                l++;
            if (l == idx->nlists) {
                ph_buf known;
                ph_buf_init(&known);
                for (size_t k = 0; k < idx->nlists; k++)
                    ph_buf_printf(&known, "%s%s", k ? ", " : "", sc_str(idx, idx->lists[k]));
                ph_fail(err, PH_EUSAGE, "unknown list '%s' (loaded: %s)", req->lists[i],
                        known.len ? known.data : "none");
                ph_buf_free(&known);
                return PH_EUSAGE;
            }
            if (l < 64) q->list_mask |= 1ULL << l;
        }
    }
    if (text_normalise_name(idx->tn, req->name, strlen(req->name), 0, &q->name, err))
        return err ? err->rc : PH_EUSAGE;
    build_units(q);
    if (q->mode == SC_MODE_INDEX) {
        for (size_t u = 0; u < q->nunits; u++)
            lookup_unit(q, u);
    } else {
        for (size_t u = 0; u < q->nunits; u++)
            for (uint32_t v = 0; v < idx->nvocab; v++)
                try_match(q, u, v);
    }
    weigh_query(q);
    return PH_OK;
}

static int entity_allowed(const sc_query *q, const sc_entity *e) {
    if (q->type != SCREEN_TYPE_ANY && e->type != SCREEN_TYPE_ANY && e->type != q->type) return 0;
    if (q->list_mask != UINT64_MAX && (e->list >= 64 || !(q->list_mask & (1ULL << e->list))))
        return 0;
    return 1;
}

typedef struct sc_best {
    uint32_t entity, name;
    double score, name_score;
} sc_best;

static int hit_cmp(const void *a, const void *b) {
    const screen_hit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    int c = strcmp(x->list, y->list);
    if (c) return c;
    c = strcmp(x->entity_id, y->entity_id);
    if (c) return c;
    return x->name_index < y->name_index ? -1 : x->name_index > y->name_index;
}

static const char *nothing_to_screen(const text_name *n) {
    if (n->ntokens == 0) return "the name has no letters or digits to screen";
    return "the name has only legal forms, particles or initials: nothing to screen";
}

static void fill_hit(const screen_index *idx, const sc_best *b, screen_hit *h) {
    const sc_entity *e = &idx->entities[b->entity];
    const sc_name *nm = &idx->names[b->name];
    memset(h, 0, sizeof *h);
    h->list = sc_str(idx, idx->lists[e->list]);
    h->entity_id = sc_str(idx, e->id);
    h->name = sc_str(idx, e->name);
    h->matched_name = sc_str(idx, nm->text);
    h->matched_kind = (screen_name_kind)nm->kind;
    h->weak = nm->weak;
    h->type = (screen_type)e->type;
    h->score = b->score;
    h->name_score = b->name_score;
    h->entity_index = b->entity;
    h->name_index = b->name;
}

static void explain_name(const sc_query *q, uint32_t name, screen_explanation *ex);

int screen_query(const screen_index *idx, const screen_request *req, screen_result *out,
                 ph_err *err) {
    memset(out, 0, sizeof *out);
    sc_query *q = ph_malloc(sizeof *q);
    int rc = prepare(idx, req, q, err);
    if (rc) {
        query_free(q);
        free(q);
        return rc;
    }
    text_name_format(&q->name, out->query, sizeof out->query);
    if (!text_name_informative(&q->name)) {
        out->notice = nothing_to_screen(&q->name);
        query_free(q);
        free(q);
        return PH_OK;
    }
    double floor = q->min_score < q->threshold ? q->min_score : q->threshold;
    double name_floor = floor - qualifier_bonus(q);
    prepare_bounds(q, name_floor > 0 ? name_floor : 0);

    /* Candidate names. */
    uint32_t *cand = NULL;
    size_t ncand = 0;
    if (q->mode == SC_MODE_NAIVE) {
        cand = ph_malloc((idx->nnames ? idx->nnames : 1) * sizeof *cand);
        for (uint32_t n = 0; n < idx->nnames; n++)
            cand[ncand++] = n;
    } else if (q->mode == SC_MODE_VOCABULARY) {
        ncand = all_matched_names(q, &cand);
    } else {
        ncand = candidate_names(q, &cand);
    }
    /* Score them; keep each entity's best name. */
    sc_best *best = NULL;
    size_t nbest = 0, best_cap = 0;
    sc_set entities;
    set_init(&entities, 64);
    uint32_t *entity_slot_best = NULL; /* parallel to entities.slots: index in best */
    entity_slot_best = ph_calloc(entities.mask + 1, sizeof *entity_slot_best);
    for (size_t c = 0; c < ncand; c++) {
        uint32_t n = cand[c];
        const sc_name *nm = &idx->names[n];
        const sc_entity *e = &idx->entities[nm->entity];
        if (!entity_allowed(q, e)) continue;
        out->candidates++;
        double ns = score_name(q, n, NULL);
        if (ns <= 0 || ns < name_floor) continue;
        sc_qualified ql;
        qualify(q, nm->entity, nm, ns, &ql);
        if (ql.score < floor) continue;
        /* Find or add the entity. */
        if ((entities.count + 1) * 2 > entities.mask + 1) {
            sc_set bigger;
            set_init(&bigger, (entities.mask + 1));
            uint32_t *bigger_best = ph_calloc(bigger.mask + 1, sizeof *bigger_best);
            for (size_t k = 0; k <= entities.mask; k++) {
                if (!entities.slots[k]) continue;
                uint32_t v = entities.slots[k] - 1;
                size_t slot = ((uint64_t)v * 0x9E3779B97F4A7C15ULL >> 32) & bigger.mask;
                while (bigger.slots[slot])
                    slot = (slot + 1) & bigger.mask;
                bigger.slots[slot] = v + 1;
                bigger_best[slot] = entity_slot_best[k];
                bigger.count++;
            }
            free(entities.slots);
            free(entity_slot_best);
            entities = bigger;
            entity_slot_best = bigger_best;
        }
        size_t slot = ((uint64_t)nm->entity * 0x9E3779B97F4A7C15ULL >> 32) & entities.mask;
        while (entities.slots[slot] && entities.slots[slot] != nm->entity + 1)
            slot = (slot + 1) & entities.mask;
        if (!entities.slots[slot]) {
            entities.slots[slot] = nm->entity + 1;
            entities.count++;
            best = ph_grow(best, &best_cap, nbest + 1, sizeof *best);
            best[nbest] = (sc_best){nm->entity, n, ql.score, ns};
            entity_slot_best[slot] = (uint32_t)nbest++;
        } else {
            sc_best *b = &best[entity_slot_best[slot]];
            if (ql.score > b->score || (ql.score == b->score && n < b->name)) {
                b->name = n;
                b->score = ql.score;
                b->name_score = ns;
            }
        }
    }
    free(cand);
    free(entities.slots);
    free(entity_slot_best);

    out->hits = ph_calloc(nbest ? nbest : 1, sizeof *out->hits);
    for (size_t i = 0; i < nbest; i++)
        fill_hit(idx, &best[i], &out->hits[i]);
    free(best);
    qsort(out->hits, nbest, sizeof *out->hits, hit_cmp);
    out->nhits = nbest < q->limit ? nbest : q->limit;
    for (size_t i = 0; i < out->nhits; i++) {
        out->hits[i].alert = out->hits[i].score >= q->threshold;
        if (req->explain) {
            out->hits[i].explanation = ph_calloc(1, sizeof *out->hits[i].explanation);
            explain_name(q, out->hits[i].name_index, out->hits[i].explanation);
        }
    }
    query_free(q);
    free(q);
    return PH_OK;
}

void screen_result_free(screen_result *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nhits; i++)
        free(r->hits[i].explanation);
    free(r->hits);
    memset(r, 0, sizeof *r);
}

/* ---- explanations ---- */

static void explain_name(const sc_query *q, uint32_t name, screen_explanation *ex) {
    const screen_index *idx = q->idx;
    const sc_name *nm = &idx->names[name];
    memset(ex, 0, sizeof *ex);
    text_name_format(&q->name, ex->query, sizeof ex->query);
    size_t len = 0;
    for (size_t j = 0; j < nm->ntokens; j++) {
        const sc_vocab *v = &idx->vocab[idx->entries[nm->entries + j].vocab];
        len += (size_t)snprintf(ex->list + len, len < sizeof ex->list ? sizeof ex->list - len : 0,
                                "%s%s", j ? " " : "", sc_str(idx, v->text));
        if (len >= sizeof ex->list) break;
    }
    sc_recorder rec = {ex, NULL, NULL};
    ex->name_score = score_name(q, name, &rec);
    sc_qualified ql;
    qualify(q, nm->entity, nm, ex->name_score, &ql);
    ex->score = ql.score;
    ex->nqualifiers = ql.nq;
    memcpy(ex->qualifiers, ql.q, ql.nq * sizeof ql.q[0]);
}

int screen_explain(const screen_index *idx, const screen_request *req, const screen_hit *hit,
                   screen_explanation *out, ph_err *err) {
    if (hit->name_index >= idx->nnames)
        return ph_fail(err, PH_EUSAGE, "the hit does not belong to this index");
    sc_query *q = ph_malloc(sizeof *q);
    int rc = prepare(idx, req, q, err);
    if (rc == PH_OK) explain_name(q, hit->name_index, out);
    query_free(q);
    free(q);
    return rc;
}

/* ---- two names without a list ---- */

static void side_from_name(const screen_index *idx, const text_name *n, sc_side *s,
                           const screen_config *cfg) {
    s->n = n->ntokens;
    for (size_t i = 0; i < n->ntokens; i++) {
        const text_token *t = &n->tokens[i];
        double rarity = 1.0;
        if (idx) {
            uint32_t count;
            const uint32_t *v =
                sc_keytab_get(&idx->exact, sc_key_hash(SC_KEY_EXACT, t->text, t->len), &count);
            for (uint32_t k = 0; k < count; k++) {
                const sc_vocab *x = &idx->vocab[v[k]];
                if (x->kind == t->kind && !x->joined && x->len == t->len &&
                    memcmp(sc_str(idx, x->text), t->text, t->len) == 0)
                    rarity = sc_rarity_weight(idx, x->df);
            }
        }
        s->w[i] = (float)sc_kind_weight(cfg, t->kind, rarity);
        s->kind[i] = t->kind;
        s->patronymic[i] = (t->flags & TEXT_TOKEN_PATRONYMIC) != 0;
        s->text[i] = t->text;
    }
}

/* Scores name a as the query against name b as the list entry; fills out
 * when given. */
static double match_one(const screen_index *idx, const screen_config *cfg, const text_name *a,
                        const text_name *b, screen_explanation *out) {
    sc_side qs, ns;
    side_from_name(idx, a, &qs, cfg);
    side_from_name(idx, b, &ns, cfg);
    /* Query units and list entries (singles and joined pairs), compared directly. */
    sc_edge *edges = ph_malloc(SC_MAX_EDGES * sizeof *edges);
    size_t nedges = 0;
    char sk1[TEXT_TOKEN_MAX + 1], sk2[TEXT_TOKEN_MAX + 1];
    for (size_t i = 0; i < a->ntokens; i++) {
        for (size_t qs_span = 1; qs_span <= 2; qs_span++) {
            if (qs_span == 2 && (i + 1 >= a->ntokens || !wordlike(a->tokens[i].kind) ||
                                 !wordlike(a->tokens[i + 1].kind)))
                continue;
            char ut[2 * TEXT_TOKEN_MAX + 2];
            snprintf(ut, sizeof ut, "%s%s", a->tokens[i].text,
                     qs_span == 2 ? a->tokens[i + 1].text : "");
            size_t ul = strlen(ut);
            if (ul > TEXT_TOKEN_MAX) continue;
            uint8_t uk = qs_span == 1 ? a->tokens[i].kind : TEXT_WORD;
            uint8_t uf =
                (uint8_t)(a->tokens[i].flags | (qs_span == 2 ? a->tokens[i + 1].flags : 0));
            sc_tokview uv = {ut, ul, sk1,         screen_skeleton(ut, ul, sk1, sizeof sk1),
                             uk, uf, qs_span == 2};
            for (size_t j = 0; j < b->ntokens; j++) {
                for (size_t ns_span = 1; ns_span <= 2; ns_span++) {
                    if (ns_span == 2 && (j + 1 >= b->ntokens || !wordlike(b->tokens[j].kind) ||
                                         !wordlike(b->tokens[j + 1].kind)))
                        continue;
                    char nt[2 * TEXT_TOKEN_MAX + 2];
                    snprintf(nt, sizeof nt, "%s%s", b->tokens[j].text,
                             ns_span == 2 ? b->tokens[j + 1].text : "");
                    size_t nl = strlen(nt);
                    if (nl > TEXT_TOKEN_MAX) continue;
                    screen_how how;
                    double sim;
                    if (ns_span == 2 || qs_span == 2) {
                        /* Joined words are compared as written. */
                        int same = nl == ul && memcmp(nt, ut, ul) == 0 &&
                                   (ns_span == 2 || wordlike(b->tokens[j].kind));
                        sim = wordlike(uk) && same ? 1.0 : 0.0;
                        how = SCREEN_HOW_EXACT;
                    } else {
                        uint8_t nk = b->tokens[j].kind;
                        sc_tokview nv = {nt,  nl,
                                         sk2, screen_skeleton(nt, nl, sk2, sizeof sk2),
                                         nk,  b->tokens[j].flags,
                                         0};
                        sim = sc_view_similarity(&uv, &nv, cfg, &how);
                    }
                    if (sim <= 0 || nedges >= SC_MAX_EDGES) continue;
                    float w = qs.w[i] + (qs_span == 2 ? qs.w[i + 1] : 0) + ns.w[j] +
                              (ns_span == 2 ? ns.w[j + 1] : 0);
                    edges[nedges++] = (sc_edge){(uint8_t)i,       (uint8_t)qs_span, (uint8_t)j,
                                                (uint8_t)ns_span, (float)sim,       w,
                                                (uint8_t)how};
                }
            }
        }
    }
    size_t informative_count = 0;
    for (size_t j = 0; j < b->ntokens; j++)
        informative_count += informative(b->tokens[j].kind);
    screen_explanation local;
    screen_explanation *ex = out ? out : &local;
    memset(ex, 0, sizeof *ex);
    text_name_format(a, ex->query, sizeof ex->query);
    text_name_format(b, ex->list, sizeof ex->list);
    sc_recorder rec = {out, &qs, &ns};
    double s = 0;
    if (text_name_informative(a) && text_name_informative(b))
        s = align(&qs, &ns, edges, nedges, informative_count, cfg, out ? &rec : NULL);
    else if (out)
        ex->rule = "a name has only legal forms, particles or initials: nothing to compare";
    ex->name_score = ex->score = s;
    free(edges);
    return s;
}

/* Turns an explanation scored from name2's side back into name1's order. */
static void explanation_swap(screen_explanation *ex) {
    char t[sizeof ex->query];
    memcpy(t, ex->query, sizeof t);
    memcpy(ex->query, ex->list, sizeof t);
    memcpy(ex->list, t, sizeof t);
    for (size_t i = 0; i < ex->nparts; i++) {
        screen_part *p = &ex->parts[i];
        char u[sizeof p->query];
        memcpy(u, p->query, sizeof u);
        memcpy(p->query, p->list, sizeof u);
        memcpy(p->list, u, sizeof u);
        if (p->note && strcmp(p->note, "not in the list name") == 0)
            p->note = "not in the query";
        else if (p->note && strcmp(p->note, "not in the query") == 0)
            p->note = "not in the list name";
    }
}

int screen_match_names(const screen_index *idx, text_normaliser *tn, const char *name1,
                       const char *name2, screen_type type, double *score, screen_explanation *out,
                       ph_err *err) {
    (void)type;
    screen_config defaults;
    const screen_config *cfg = idx ? &idx->cfg : (screen_config_default(&defaults), &defaults);
    if (!tn && idx) tn = idx->tn;
    if (!tn) return ph_fail(err, PH_EUSAGE, "no normaliser");
    text_name *a = ph_malloc(sizeof *a), *b = ph_malloc(sizeof *b);
    int rc = PH_OK;
    if (!name1 || !name2) rc = ph_fail(err, PH_EUSAGE, "two names are needed");
    if (!rc && text_normalise_name(tn, name1, strlen(name1), 0, a, err)) rc = PH_EUSAGE;
    if (!rc && text_normalise_name(tn, name2, strlen(name2), 0, b, err)) rc = PH_EUSAGE;
    if (rc) {
        free(a);
        free(b);
        return rc;
    }
    /* Two names compared without a list are peers: the score is the better
     * of the two directions (a name with extra words matches either way). */
    screen_explanation *other = out ? ph_malloc(sizeof *other) : NULL;
    double s1 = match_one(idx, cfg, a, b, out);
    double s2 = match_one(idx, cfg, b, a, other);
    if (s2 > s1) {
        if (out) {
            memcpy(out, other, sizeof *out);
            explanation_swap(out);
        }
        s1 = s2;
    }
    free(other);
    *score = s1;
    free(a);
    free(b);
    return PH_OK;
}
