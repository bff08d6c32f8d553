/* review — the evaluation: which licences are in scope, what the policy
 * finds for each, the action that follows, exceptions, and the impact
 * summary. Pure: licences, a context, a policy and an evidence snapshot in;
 * outcomes and a summary out. Nothing here allocates per licence once the
 * facts, the result and the summary's tables have grown. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/control.h"
#include "review/review.h"

/* Summary keys for lines without a capability and licences without an
 * end-user type. */
#define NO_CAPABILITY "none"
#define NO_END_USER_TYPE "not recorded"

static const char *const ACTION_NAMES[REVIEW_ACTIONS] = {"continue", "refer", "suspend",
                                                         "reinstate", "exception"};

const char *review_action_name(int action) {
    return action >= 0 && action < REVIEW_ACTIONS ? ACTION_NAMES[action] : "?";
}

int review_action_parse(const char *name) {
    for (int i = 0; i < REVIEW_ACTIONS; i++)
        if (name && strcmp(name, ACTION_NAMES[i]) == 0) return i;
    return -1;
}

typedef char rating_key[CONTROL_RATING_MAX];

typedef struct compiled_exception {
    const review_exception *x;
    rating_key *ratings;
    size_t nratings;
} compiled_exception;

typedef struct destination_evidence {
    char code[16];
    char sha256[PH_SHA256_HEX];
    char *refs; /* "EV-0001, EV-0004" */
} destination_evidence;

struct review_engine {
    const review_def *d;
    const assess_context *ctx;
    const policy *p;
    uint64_t review_criteria; /* considered criteria the review covers */
    uint64_t scope_capabilities;
    rating_key *scope_ratings;
    size_t nscope_ratings;
    compiled_exception *exceptions;
    assess_facts *facts;
    assess_result result;
    review_summary summary;
    /* Per-licence stamps so that a licence counts once per key. */
    int64_t *rating_stamp, *capability_stamp;
    size_t rating_stamp_cap, capability_stamp_cap;
    int64_t capability_row[POLICY_MAX_CAPABILITIES]; /* row of each bit, -1 until seen */
    int64_t no_capability_row;
    destination_evidence *evidence;
    size_t nevidence;
    ph_buf scratch;
};

/* ---- breakdowns ---- */

static void breakdown_clear(review_breakdown *b) {
    for (size_t i = 0; i < b->n; i++)
        free(b->keys[i]);
    free(b->keys);
    free(b->tallies);
    ph_map_free(&b->index);
    memset(b, 0, sizeof *b);
    ph_map_init(&b->index);
}

static size_t breakdown_row(review_breakdown *b, const char *key) {
    int64_t at;
    if (ph_map_get(&b->index, key, &at)) return (size_t)at;
    if (b->n == b->cap) {
        size_t cap = b->cap;
        b->keys = ph_grow(b->keys, &cap, b->n + 1, sizeof *b->keys);
        cap = b->cap;
        b->tallies = ph_grow(b->tallies, &cap, b->n + 1, sizeof *b->tallies);
        b->cap = cap;
    }
    b->keys[b->n] = ph_strdup(key);
    memset(&b->tallies[b->n], 0, sizeof b->tallies[b->n]);
    ph_map_put(&b->index, key, (int64_t)b->n);
    return b->n++;
}

static void summary_reset(review_engine *e) {
    review_summary *s = &e->summary;
    breakdown_clear(&s->by_rating);
    breakdown_clear(&s->by_capability);
    breakdown_clear(&s->by_end_user_type);
    free(s->evidence_in_force);
    s->evidence_in_force = NULL;
    s->considered = s->in_scope = 0;
    memset(&s->total, 0, sizeof s->total);
    s->evidence_sha256[0] = '\0';
    for (size_t i = 0; i < POLICY_MAX_CAPABILITIES; i++)
        e->capability_row[i] = -1;
    e->no_capability_row = -1;
    for (size_t i = 0; i < e->rating_stamp_cap; i++)
        e->rating_stamp[i] = -1;
    for (size_t i = 0; i < e->capability_stamp_cap; i++)
        e->capability_stamp[i] = -1;
    for (size_t i = 0; i < e->nevidence; i++)
        free(e->evidence[i].refs);
    free(e->evidence);
    e->evidence = NULL;
    e->nevidence = 0;
}

const review_summary *review_engine_summary(const review_engine *e) {
    return &e->summary;
}

/* ---- the engine ---- */

/* A review criterion covers a considered one when they are equal, or when
 * it is its parent: "2" covers "2a", "2b" and "2c". */
static int criterion_covers(const char *review, const char *considered) {
    size_t n = strlen(review);
    if (strcasecmp(review, considered) == 0) return 1;
    return n && isdigit((unsigned char)review[n - 1]) && strncasecmp(review, considered, n) == 0 &&
           isalpha((unsigned char)considered[n]);
}

static int capability_bit(const assess_context *ctx, const char *name) {
    for (size_t i = 0; i < assess_capability_count(ctx); i++)
        if (strcmp(assess_capability_name(ctx, i), name) == 0) return (int)i;
    return -1;
}

static rating_key *compile_ratings(const review_list *l) {
    if (!l->n) return NULL;
    rating_key *keys = ph_calloc(l->n, sizeof *keys);
    for (size_t i = 0; i < l->n; i++)
        control_rating_key(l->items[i], keys[i], sizeof keys[i]);
    return keys;
}

int review_engine_new(const review_def *d, const assess_context *ctx, const policy *p,
                      review_engine **out, ph_err *err) {
    *out = NULL;
    size_t ncriteria = policy_criterion_count(p);
    if (ncriteria > 64)
        return ph_fail(err, PH_ERR, "policy %s considers more than 64 criteria", policy_id(p));
    uint64_t covered = 0;
    for (size_t r = 0; r < d->criteria.n; r++) {
        uint64_t mine = 0;
        for (size_t c = 0; c < ncriteria; c++)
            if (criterion_covers(d->criteria.items[r], policy_criterion(p, c))) mine |= 1ull << c;
        if (!mine)
            return ph_fail(
                err, PH_EUSAGE,
                "criteria[%zu]: criterion '%s' is not considered by policy %s version %s", r,
                d->criteria.items[r], policy_id(p), policy_version(p));
        covered |= mine;
    }
    uint64_t caps = 0;
    for (size_t i = 0; i < d->scope.capabilities.n; i++) {
        int bit = capability_bit(ctx, d->scope.capabilities.items[i]);
        if (bit < 0)
            return ph_fail(
                err, PH_EUSAGE,
                "scope.capabilities[%zu]: unknown capability '%s' (the names are those of %s)", i,
                d->scope.capabilities.items[i], ASSESS_CAPABILITIES_FILE);
        caps |= 1ull << bit;
    }
    review_engine *e = ph_calloc(1, sizeof *e);
    e->d = d;
    e->ctx = ctx;
    e->p = p;
    e->review_criteria = covered;
    e->scope_capabilities = caps;
    e->scope_ratings = compile_ratings(&d->scope.ratings);
    e->nscope_ratings = d->scope.ratings.n;
    if (d->nexceptions) e->exceptions = ph_calloc(d->nexceptions, sizeof *e->exceptions);
    for (size_t i = 0; i < d->nexceptions; i++) {
        e->exceptions[i].x = &d->exceptions[i];
        e->exceptions[i].ratings = compile_ratings(&d->exceptions[i].select.ratings);
        e->exceptions[i].nratings = d->exceptions[i].select.ratings.n;
    }
    e->facts = assess_facts_new();
    assess_result_init(&e->result);
    ph_map_init(&e->summary.by_rating.index);
    ph_map_init(&e->summary.by_capability.index);
    ph_map_init(&e->summary.by_end_user_type.index);
    summary_reset(e);
    ph_buf_init(&e->scratch);
    *out = e;
    return PH_OK;
}

void review_engine_free(review_engine *e) {
    if (!e) return;
    summary_reset(e);
    breakdown_clear(&e->summary.by_rating);
    breakdown_clear(&e->summary.by_capability);
    breakdown_clear(&e->summary.by_end_user_type);
    ph_map_free(&e->summary.by_rating.index);
    ph_map_free(&e->summary.by_capability.index);
    ph_map_free(&e->summary.by_end_user_type.index);
    free(e->scope_ratings);
    for (size_t i = 0; i < e->d->nexceptions; i++)
        free(e->exceptions[i].ratings);
    free(e->exceptions);
    free(e->rating_stamp);
    free(e->capability_stamp);
    assess_result_free(&e->result);
    assess_facts_free(e->facts);
    ph_buf_free(&e->scratch);
    free(e);
}

/* ---- scope ---- */

static int in_list(const review_list *l, const char *s) {
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0) return 1;
    return 0;
}

static int in_list_nocase(const review_list *l, const char *s) {
    if (!s) return 0;
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->items[i], s) == 0) return 1;
    return 0;
}

/* The end-user type as the register writes it ("armed forces" too). */
static int end_user_type_in(const review_list *l, const char *type) {
    if (!type) return 0;
    char norm[64];
    size_t n = 0;
    for (; type[n] && n + 1 < sizeof norm; n++)
        norm[n] = type[n] == ' ' ? '_' : (char)tolower((unsigned char)type[n]);
    norm[n] = '\0';
    return in_list(l, norm);
}

static int licence_in_scope(const review_engine *e, const review_licence *l) {
    const review_def *d = e->d;
    if (!in_list(&d->scope.destinations, l->licence.destination)) return 0;
    if (!in_list(&d->scope.statuses, l->status)) return 0;
    if (d->scope.licence_types.n && !in_list(&d->scope.licence_types, l->licence.type)) return 0;
    if (d->scope.end_user_types.n &&
        !end_user_type_in(&d->scope.end_user_types, l->licence.end_user_type))
        return 0;
    const char *issued = l->issued_on ? l->issued_on : "";
    if (d->scope.issued_from[0] && strcmp(issued, d->scope.issued_from) < 0) return 0;
    if (d->scope.issued_to[0] && strcmp(issued, d->scope.issued_to) > 0) return 0;
    return 1;
}

static int line_under(const policy_line *line, const rating_key *keys, size_t n) {
    for (size_t k = 0; k < n; k++)
        for (size_t a = 0; a < line->nancestry; a++)
            if (strcmp(line->ancestry[a], keys[k]) == 0) return 1;
    return 0;
}

static int lines_in_scope(const review_engine *e, const policy_facts *f) {
    if (e->nscope_ratings) {
        int any = 0;
        for (size_t i = 0; i < f->nlines && !any; i++)
            any = line_under(&f->lines[i], e->scope_ratings, e->nscope_ratings);
        if (!any) return 0;
    }
    if (e->scope_capabilities) {
        int any = 0;
        for (size_t i = 0; i < f->nlines && !any; i++)
            any = (f->lines[i].capabilities & e->scope_capabilities) != 0;
        if (!any) return 0;
    }
    return 1;
}

/* "a;b;c" holds the tag (ignoring case). */
static int has_tag(const char *tags, const char *tag) {
    if (!tags) return 0;
    size_t n = strlen(tag);
    for (const char *p = tags; *p;) {
        while (*p == ';' || *p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ';')
            end++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        if ((size_t)(last - p) == n && strncasecmp(p, tag, n) == 0) return 1;
        p = end;
    }
    return 0;
}

static int exception_matches(const compiled_exception *c, const review_licence *l,
                             const policy_facts *f) {
    const review_selector *s = &c->x->select;
    if (s->references.n && !in_list_nocase(&s->references, l->licence.reference)) return 0;
    if (s->tags.n) {
        int any = 0;
        for (size_t i = 0; i < s->tags.n && !any; i++)
            any = has_tag(l->tags, s->tags.items[i]);
        if (!any) return 0;
    }
    if (c->nratings) {
        int any = 0;
        for (size_t i = 0; i < f->nlines && !any; i++)
            any = line_under(&f->lines[i], c->ratings, c->nratings);
        if (!any) return 0;
    }
    if (s->end_users.n && !in_list_nocase(&s->end_users, l->licence.end_user)) return 0;
    return 1;
}

/* ---- the action ---- */

static void classify(const review_engine *e, review_outcome *o) {
    const policy_result *r = &e->result.outcome;
    int worst = POLICY_CLEAR;
    uint64_t refusing = 0, referring = 0, other_refusing = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const policy_finding *fd = &r->findings[i];
        uint64_t bit = 1ull << fd->criterion;
        if (e->review_criteria & bit) {
            if (fd->outcome > worst) worst = fd->outcome;
            if (fd->outcome == POLICY_REFUSE) refusing |= bit;
            if (fd->outcome == POLICY_REFER) referring |= bit;
        } else if (fd->outcome == POLICY_REFUSE) {
            other_refusing |= bit;
        }
    }
    /* A refusal under the review's criteria is the review's finding; a
     * referral, or a refusal under another criterion, needs a person. */
    int reinstating = e->d->kind == REVIEW_REINSTATEMENT;
    if (worst == POLICY_REFUSE) {
        o->proposed = reinstating ? REVIEW_CONTINUE : REVIEW_SUSPEND;
        o->criteria = refusing;
    } else if (worst == POLICY_REFER || other_refusing) {
        o->proposed = REVIEW_REFER;
        o->criteria = referring | other_refusing;
    } else {
        o->proposed = reinstating ? REVIEW_REINSTATE : REVIEW_CONTINUE;
        o->criteria = e->review_criteria;
    }
    o->action = o->proposed;
    o->exception = -1;
}

/* ---- tallies ---- */

static int64_t line_value(const policy_line *l) {
    return l->value_pence > 0 ? l->value_pence : 0;
}

static void tally_add(review_tally *t, int action, int64_t value, int count) {
    t->licences[action] += count;
    t->value_pence[action] += value;
}

static void ensure_stamps(int64_t **stamps, size_t *cap, size_t n) {
    if (n <= *cap) return;
    size_t old = *cap;
    *stamps = ph_grow(*stamps, cap, n, sizeof **stamps);
    for (size_t i = old; i < *cap; i++)
        (*stamps)[i] = -1;
}

static void tally(review_engine *e, const review_outcome *o, const policy_facts *f) {
    review_summary *s = &e->summary;
    int a = o->action;
    int64_t stamp = (int64_t)o->index;
    s->in_scope++;
    tally_add(&s->total, a, o->value_pence, 1);
    const char *type = o->licence->licence.end_user_type;
    size_t row = breakdown_row(&s->by_end_user_type, type && *type ? type : NO_END_USER_TYPE);
    tally_add(&s->by_end_user_type.tallies[row], a, o->value_pence, 1);
    for (size_t i = 0; i < f->nlines; i++) {
        const policy_line *line = &f->lines[i];
        int64_t value = line_value(line);
        row = breakdown_row(&s->by_rating, line->rating);
        ensure_stamps(&e->rating_stamp, &e->rating_stamp_cap, s->by_rating.n);
        int first = e->rating_stamp[row] != stamp;
        e->rating_stamp[row] = stamp;
        tally_add(&s->by_rating.tallies[row], a, value, first);
        uint64_t caps = line->capabilities;
        if (!caps) {
            if (e->no_capability_row < 0)
                e->no_capability_row = (int64_t)breakdown_row(&s->by_capability, NO_CAPABILITY);
            row = (size_t)e->no_capability_row;
            ensure_stamps(&e->capability_stamp, &e->capability_stamp_cap, s->by_capability.n);
            first = e->capability_stamp[row] != stamp;
            e->capability_stamp[row] = stamp;
            tally_add(&s->by_capability.tallies[row], a, value, first);
        }
        while (caps) {
            int bit = __builtin_ctzll(caps);
            caps &= caps - 1;
            if (e->capability_row[bit] < 0)
                e->capability_row[bit] = (int64_t)breakdown_row(
                    &s->by_capability, assess_capability_name(e->ctx, (size_t)bit));
            row = (size_t)e->capability_row[bit];
            ensure_stamps(&e->capability_stamp, &e->capability_stamp_cap, s->by_capability.n);
            first = e->capability_stamp[row] != stamp;
            e->capability_stamp[row] = stamp;
            tally_add(&s->by_capability.tallies[row], a, value, first);
        }
    }
}

/* Notes the evidence in force for each destination the first time it is met. */
static void note_evidence(review_engine *e) {
    const char *code = e->result.facts.destination;
    if (e->nevidence && strcmp(e->evidence[e->nevidence - 1].code, code) == 0) return;
    for (size_t i = 0; i < e->nevidence; i++)
        if (strcmp(e->evidence[i].code, code) == 0) return;
    e->evidence = ph_realloc(e->evidence, (e->nevidence + 1) * sizeof *e->evidence);
    destination_evidence *d = &e->evidence[e->nevidence++];
    ph_strlcpy(d->code, code, sizeof d->code);
    assess_evidence_sha256(&e->result, d->sha256);
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < e->result.nevidence; i++)
        ph_buf_printf(&b, "%s%s", i ? ", " : "", e->result.evidence[i].ref);
    d->refs = ph_buf_steal(&b);
    if (!d->refs) d->refs = ph_strdup("");
}

static int by_code(const void *a, const void *b) {
    return strcmp(((const destination_evidence *)a)->code, ((const destination_evidence *)b)->code);
}

static void finish_evidence(review_engine *e) {
    review_summary *s = &e->summary;
    if (e->nevidence > 1) qsort(e->evidence, e->nevidence, sizeof *e->evidence, by_code);
    ph_buf all, refs;
    ph_buf_init(&all);
    ph_buf_init(&refs);
    for (size_t i = 0; i < e->nevidence; i++) {
        ph_buf_printf(&all, "%s %s\n", e->evidence[i].code, e->evidence[i].sha256);
        if (e->evidence[i].refs[0])
            ph_buf_printf(&refs, "%s%s", refs.len ? ", " : "", e->evidence[i].refs);
    }
    ph_sha256_hex(all.data ? all.data : "", all.len, s->evidence_sha256);
    s->evidence_in_force = refs.data ? ph_buf_steal(&refs) : ph_strdup("");
    ph_buf_free(&all);
    ph_buf_free(&refs);
}

int review_evaluate(review_engine *e, const assess_evidence_snapshot *snapshot,
                    const review_licence *v, size_t n, review_outcome_fn each, void *ctx,
                    ph_err *err) {
    summary_reset(e);
    e->summary.considered = (int64_t)n;
    int rc = PH_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const review_licence *l = &v[i];
        if (!licence_in_scope(e, l)) continue;
        if ((rc = assess_facts_from_licence(e->ctx, &l->licence, e->facts, err))) break;
        const policy_facts *f = assess_facts_view(e->facts);
        if (!lines_in_scope(e, f)) continue;
        if ((rc = assess_run(e->p, e->facts, snapshot, &e->result, err))) break;
        note_evidence(e);
        review_outcome o = {.index = i, .licence = l, .result = &e->result};
        classify(e, &o);
        if (o.proposed == REVIEW_SUSPEND || o.proposed == REVIEW_REINSTATE) {
            for (size_t k = 0; k < e->d->nexceptions; k++)
                if (exception_matches(&e->exceptions[k], l, f)) {
                    o.action = REVIEW_EXCEPTION;
                    o.exception = (int)k;
                    break;
                }
        }
        for (size_t k = 0; k < f->nlines; k++) {
            o.capabilities |= f->lines[k].capabilities;
            o.value_pence += line_value(&f->lines[k]);
        }
        tally(e, &o, f);
        if (each) rc = each(ctx, &o, err);
    }
    finish_evidence(e);
    return rc;
}

/* ---- text of an outcome ---- */

void review_outcome_criteria(const review_engine *e, const review_outcome *o, ph_buf *out) {
    int first = 1;
    for (size_t c = 0; c < policy_criterion_count(e->p); c++)
        if (o->criteria & (1ull << c)) {
            ph_buf_printf(out, "%s%s", first ? "" : ", ", policy_criterion(e->p, c));
            first = 0;
        }
}

void review_outcome_rules(const review_engine *e, const review_outcome *o, ph_buf *out) {
    int first = 1;
    for (size_t c = 0; c < o->result->outcome.nfindings; c++)
        if (o->criteria & (1ull << c)) {
            const char *rule = policy_finding_rule(e->p, &o->result->outcome, c);
            if (!*rule) continue;
            ph_buf_printf(out, "%s%s", first ? "" : ", ", rule);
            first = 0;
        }
}

static const char *outcome_word(int outcome) {
    return policy_enum_name(POLICY_ENUM_OUTCOME, outcome);
}

void review_outcome_reason(const review_engine *e, const review_outcome *o, ph_buf *out) {
    if (o->action == REVIEW_EXCEPTION) {
        const review_exception *x = &e->d->exceptions[o->exception];
        ph_buf_printf(
            out, "Exception %d (%s): %s Without it the licence would be %s: ", o->exception + 1,
            x->authority, x->reason, o->proposed == REVIEW_REINSTATE ? "reinstated" : "suspended");
    } else if (e->d->kind == REVIEW_REINSTATEMENT && o->action == REVIEW_CONTINUE) {
        ph_buf_puts(out, "The suspension continues: ");
    }
    int first = 1;
    const policy_result *r = &o->result->outcome;
    for (size_t c = 0; c < r->nfindings; c++) {
        if (!(o->criteria & (1ull << c))) continue;
        if (!first) ph_buf_putc(out, ' ');
        first = 0;
        if (e->review_criteria & (1ull << c))
            ph_buf_printf(out, "%s: ", policy_criterion(e->p, c));
        else
            ph_buf_printf(out, "%s (not a criterion of this review) would %s: ",
                          policy_criterion(e->p, c), outcome_word(r->findings[c].outcome));
        assess_finding_reason(o->result, c, out);
    }
}

void review_outcome_capabilities(const review_engine *e, const review_outcome *o, ph_buf *out) {
    uint64_t caps = o->capabilities;
    int first = 1;
    while (caps) {
        int bit = __builtin_ctzll(caps);
        caps &= caps - 1;
        ph_buf_printf(out, "%s%s", first ? "" : ", ", assess_capability_name(e->ctx, (size_t)bit));
        first = 0;
    }
}

void review_outcome_ratings(const review_outcome *o, ph_buf *out) {
    const policy_facts *f = &o->result->facts;
    for (size_t i = 0; i < f->nlines; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(f->lines[k].rating, f->lines[i].rating) == 0;
        if (!seen) ph_buf_printf(out, "%s%s", out->len ? ", " : "", f->lines[i].rating);
    }
}

void review_outcome_goods(const review_outcome *o, ph_buf *out) {
    const policy_facts *f = &o->result->facts;
    size_t start = out->len;
    for (size_t i = 0; i < f->nlines; i++)
        if (f->lines[i].description[0])
            ph_buf_printf(out, "%s%s", out->len > start ? "; " : "", f->lines[i].description);
}

/* ---- the summary as JSON ---- */

static int64_t pounds(int64_t pence) {
    return (pence + 50) / 100;
}

static const int SUSPENSION_ACTIONS[] = {REVIEW_SUSPEND, REVIEW_REFER, REVIEW_CONTINUE,
                                         REVIEW_EXCEPTION};
static const int REINSTATEMENT_ACTIONS[] = {REVIEW_REINSTATE, REVIEW_REFER, REVIEW_CONTINUE,
                                            REVIEW_EXCEPTION};

static json_t *tally_part(const review_tally *t, review_kind kind, int values) {
    const int *actions = kind == REVIEW_REINSTATEMENT ? REINSTATEMENT_ACTIONS : SUSPENSION_ACTIONS;
    json_t *j = json_object();
    for (int i = 0; i < 4; i++)
        json_object_set_new(
            j, review_action_name(actions[i]),
            json_integer(values ? pounds(t->value_pence[actions[i]]) : t->licences[actions[i]]));
    return j;
}

static int64_t tally_total(const review_tally *t, int values) {
    int64_t n = 0;
    for (int a = 0; a < REVIEW_ACTIONS; a++)
        n += values ? t->value_pence[a] : t->licences[a];
    return n;
}

typedef struct sorted_row {
    const char *key;
    const review_tally *t;
} sorted_row;

static int by_licences(const void *a, const void *b) {
    const sorted_row *x = a, *y = b;
    int64_t nx = tally_total(x->t, 0), ny = tally_total(y->t, 0);
    if (nx != ny) return nx > ny ? -1 : 1;
    return strcmp(x->key, y->key);
}

static json_t *breakdown_json(const review_breakdown *b, review_kind kind) {
    sorted_row *rows = ph_calloc(b->n ? b->n : 1, sizeof *rows);
    for (size_t i = 0; i < b->n; i++)
        rows[i] = (sorted_row){b->keys[i], &b->tallies[i]};
    qsort(rows, b->n, sizeof *rows, by_licences);
    json_t *a = json_array();
    for (size_t i = 0; i < b->n; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "key", json_string(rows[i].key));
        json_object_set_new(r, "total", json_integer(tally_total(rows[i].t, 0)));
        json_object_set_new(r, "total_value_gbp", json_integer(pounds(tally_total(rows[i].t, 1))));
        json_object_set_new(r, "licences", tally_part(rows[i].t, kind, 0));
        json_object_set_new(r, "value_gbp", tally_part(rows[i].t, kind, 1));
        json_array_append_new(a, r);
    }
    free(rows);
    return a;
}

json_t *review_summary_json(const review_summary *s, review_kind kind) {
    const int *actions = kind == REVIEW_REINSTATEMENT ? REINSTATEMENT_ACTIONS : SUSPENSION_ACTIONS;
    json_t *j = json_object();
    json_object_set_new(j, "licences_considered", json_integer(s->considered));
    json_object_set_new(j, "licences", json_integer(s->in_scope));
    for (int i = 0; i < 4; i++)
        json_object_set_new(j, review_action_name(actions[i]),
                            json_integer(s->total.licences[actions[i]]));
    json_object_set_new(j, "value_gbp", tally_part(&s->total, kind, 1));
    json_object_set_new(j, "total_value_gbp", json_integer(pounds(tally_total(&s->total, 1))));
    json_object_set_new(j, "by_rating", breakdown_json(&s->by_rating, kind));
    json_object_set_new(j, "by_capability", breakdown_json(&s->by_capability, kind));
    json_object_set_new(j, "by_end_user_type", breakdown_json(&s->by_end_user_type, kind));
    return j;
}
