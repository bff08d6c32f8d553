/* policy — evaluating a compiled policy over the facts of one application,
 * and filling in the reasons. Allocation only grows the result's arrays. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy_internal.h"

void policy_result_init(policy_result *r) {
    memset(r, 0, sizeof *r);
}

void policy_result_free(policy_result *r) {
    free(r->findings);
    free(r->bindings);
    free(r->scratch);
    memset(r, 0, sizeof *r);
}

static void bind(policy_result *r, int collection, size_t index) {
    if (r->nscratch == r->scratch_cap)
        r->scratch = ph_grow(r->scratch, &r->scratch_cap, r->nscratch + 1, sizeof *r->scratch);
    r->scratch[r->nscratch++] = ((uint32_t)collection << 28) | (uint32_t)index;
}

static int mask_has(uint64_t mask, unsigned value) {
    return value < 64 && ((mask >> value) & 1);
}

static int text_match(const policy *p, const expr *e, const char *text) {
    int hit = 0;
    for (uint32_t i = 0; i < e->count && !hit; i++) {
        const char *w = p->words[e->first + i];
        hit = e->op == OP_TEXT_CONTAINS ? strcasestr(text, w) != NULL : strcasecmp(text, w) == 0;
    }
    return hit != e->negate;
}

static int code_match(const policy *p, const expr *e, const policy_facts *f, const char *code) {
    int hit = 0;
    if (e->op == OP_CODE_DESTINATION) {
        hit = strcasecmp(code, f->destination) == 0;
    } else {
        for (uint32_t i = 0; i < e->count && !hit; i++)
            hit = strcasecmp(code, p->words[e->first + i]) == 0;
    }
    return hit != e->negate;
}

static int rating_match(const policy *p, const expr *e, const policy_line *l) {
    int hit = 0;
    size_t depth = e->op == OP_RATING_UNDER ? l->nancestry : (l->nancestry ? 1 : 0);
    for (uint32_t i = 0; i < e->count && !hit; i++) {
        const char *w = p->words[e->first + i];
        for (size_t k = 0; k < depth && !hit; k++)
            hit = strcmp(l->ancestry[k], w) == 0;
    }
    return hit != e->negate;
}

static int number_match(const expr *e, int64_t v) {
    if (v < 0) return 0; /* not given: no comparison holds */
    switch (e->op) {
    case OP_NUM_EQ: return v == e->number;
    case OP_NUM_NE: return v != e->number;
    case OP_NUM_LT: return v < e->number;
    case OP_NUM_LE: return v <= e->number;
    case OP_NUM_GT: return v > e->number;
    default: return v >= e->number;
    }
}

static int set_match(const expr *e, uint64_t set) {
    return ((set & e->mask) != 0) != e->negate;
}

static int eval_cmp(const policy *p, const expr *e, const policy_facts *f, const void *item) {
    const policy_line *l = item;
    const policy_party *pa = item;
    const policy_evidence *ev = item;
    const policy_embargo *em = item;
    switch ((field_id)e->field) {
    case F_DESTINATION: return code_match(p, e, f, f->destination);
    case F_LICENCE_TYPE: return text_match(p, e, f->licence_type);
    case F_END_USE: return text_match(p, e, f->end_use);
    case F_EXPORTER: return text_match(p, e, f->exporter);
    case F_RATING: return rating_match(p, e, l);
    case F_DESCRIPTION: return text_match(p, e, l->description);
    case F_KIND: return mask_has(e->mask, l->kind);
    case F_MILITARY:
        return mask_has(e->mask, l->kind == POLICY_KIND_MILITARY ||
                                     l->kind == POLICY_KIND_NATIONAL_MILITARY);
    case F_DUAL_USE:
        return mask_has(e->mask, l->kind == POLICY_KIND_DUAL_USE ||
                                     l->kind == POLICY_KIND_NATIONAL_DUAL_USE);
    case F_KNOWN: return mask_has(e->mask, l->known != 0);
    case F_REGIME: return set_match(e, l->regimes);
    case F_CAPABILITY: return set_match(e, l->capabilities);
    case F_QUANTITY: return number_match(e, l->quantity);
    case F_VALUE: return number_match(e, l->value_pence);
    case F_ROLE: return mask_has(e->mask, pa->role);
    case F_PARTY_TYPE: return mask_has(e->mask, pa->type);
    case F_COUNTRY: return code_match(p, e, f, pa->country);
    case F_SCREENING: return mask_has(e->mask, pa->screening);
    case F_NAME: return text_match(p, e, pa->name);
    case F_TOPIC: return mask_has(e->mask, ev->topic);
    case F_SEVERITY: return mask_has(e->mask, ev->severity);
    case F_RELIABILITY: return mask_has(e->mask, ev->reliability);
    case F_CLASSIFICATION: return mask_has(e->mask, ev->classification);
    case F_EVIDENCE_SOURCE: return text_match(p, e, ev->source);
    case F_SCOPE: return mask_has(e->mask, em->scope);
    case F_EMBARGO_SOURCE: return mask_has(e->mask, em->source);
    case F_EMBARGO_PARTIES: return mask_has(e->mask, em->parties);
    case F_EMBARGO_GOODS: return mask_has(e->mask, em->goods);
    case F_REPRESSION: return mask_has(e->mask, em->repression != 0);
    case F_COUNT: break;
    }
    return 0;
}

static const void *item_at(const policy_facts *f, int collection, size_t i) {
    switch (collection) {
    case POLICY_GOODS: return &f->lines[i];
    case POLICY_PARTIES: return &f->parties[i];
    case POLICY_EVIDENCE: return &f->evidence[i];
    default: return &f->embargoes[i];
    }
}

static size_t item_count(const policy_facts *f, int collection) {
    switch (collection) {
    case POLICY_GOODS: return f->nlines;
    case POLICY_PARTIES: return f->nparties;
    case POLICY_EVIDENCE: return f->nevidence;
    default: return f->nembargoes;
    }
}

/* A node that evaluates false leaves no bindings behind, so a rule's
 * bindings are exactly the items that made it hold. */
static int eval(const policy *p, int32_t index, const policy_facts *f, const void *item,
                policy_result *r) {
    const expr *e = &p->exprs[index];
    size_t mark = r->nscratch;
    int v = 0;
    switch ((expr_kind)e->kind) {
    case EX_TRUE: return 1;
    case EX_FALSE: return 0;
    case EX_CMP: return eval_cmp(p, e, f, item);
    case EX_AND:
        v = 1;
        for (uint32_t i = 0; i < e->count && v; i++)
            v = eval(p, p->kids[e->first + i], f, item, r);
        break;
    case EX_OR:
        for (uint32_t i = 0; i < e->count && !v; i++)
            v = eval(p, p->kids[e->first + i], f, item, r);
        break;
    case EX_NOT:
        v = !eval(p, p->kids[e->first], f, item, r);
        r->nscratch = mark;
        return v;
    case EX_QUANT: {
        size_t n = item_count(f, e->collection);
        if (e->quant == Q_ANY) {
            for (size_t i = 0; i < n; i++)
                if (e->body < 0 || eval(p, e->body, f, item_at(f, e->collection, i), r)) {
                    v = 1;
                    bind(r, e->collection, i);
                }
        } else if (e->quant == Q_ALL) {
            v = 1;
            for (size_t i = 0; i < n && v; i++)
                v = e->body < 0 || eval(p, e->body, f, item_at(f, e->collection, i), r);
            for (size_t i = 0; i < n && v; i++)
                bind(r, e->collection, i);
        } else {
            v = 1;
            for (size_t i = 0; i < n && v; i++)
                v = !(e->body < 0 || eval(p, e->body, f, item_at(f, e->collection, i), r));
        }
        break;
    }
    }
    if (!v) r->nscratch = mark;
    return v;
}

/* Sorted, without repeats, onto the end of r->bindings. */
static void keep_bindings(policy_result *r) {
    uint32_t *s = r->scratch;
    size_t n = r->nscratch;
    for (size_t i = 1; i < n; i++) {
        uint32_t x = s[i];
        size_t j = i;
        while (j > 0 && s[j - 1] > x) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = x;
    }
    if (r->nbindings + n > r->bindings_cap)
        r->bindings = ph_grow(r->bindings, &r->bindings_cap, r->nbindings + n, sizeof *r->bindings);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || s[i] != s[i - 1]) r->bindings[r->nbindings++] = s[i];
}

int policy_eval(const policy *p, const policy_facts *f, policy_result *r, ph_err *err) {
    if (f->nlines > POLICY_MAX_ITEMS || f->nparties > POLICY_MAX_ITEMS ||
        f->nevidence > POLICY_MAX_ITEMS || f->nembargoes > POLICY_MAX_ITEMS)
        return ph_fail(err, PH_ERR, "too many facts to assess (at most %u of each kind)",
                       POLICY_MAX_ITEMS);
    if (p->ncriteria > r->findings_cap)
        r->findings = ph_grow(r->findings, &r->findings_cap, p->ncriteria, sizeof *r->findings);
    r->nfindings = p->ncriteria;
    r->nbindings = 0;
    uint8_t present =
        (uint8_t)((f->nlines ? 1u << POLICY_GOODS : 0) | (f->nparties ? 1u << POLICY_PARTIES : 0) |
                  (f->nevidence ? 1u << POLICY_EVIDENCE : 0) |
                  (f->nembargoes ? 1u << POLICY_EMBARGOES : 0));
    int worst = POLICY_CLEAR;
    for (size_t c = 0; c < p->ncriteria; c++) {
        policy_finding *fd = &r->findings[c];
        fd->criterion = (int)c;
        fd->first_binding = (uint32_t)r->nbindings;
        int best = -1;
        for (uint32_t k = 0; k < p->criterion_count[c]; k++) {
            uint32_t ri = p->criterion_rules[p->criterion_first[c] + k];
            const rule *ru = &p->rules[ri];
            /* Only a more severe rule can change the finding. */
            if (best >= 0 && ru->outcome <= p->rules[best].outcome) continue;
            if (ru->requires & ~present) continue; /* an 'any' over nothing */
            r->nscratch = 0;
            if (!eval(p, ru->condition, f, NULL, r)) continue;
            best = (int)ri;
            r->nbindings = fd->first_binding;
            keep_bindings(r);
            if (ru->outcome == POLICY_REFUSE) break;
        }
        fd->rule = best;
        fd->outcome = best >= 0 ? p->rules[best].outcome : POLICY_CLEAR;
        fd->nbindings = (uint32_t)(r->nbindings - fd->first_binding);
        if (fd->outcome > worst) worst = fd->outcome;
    }
    r->recommendation = worst == POLICY_REFUSE    ? POLICY_RECOMMEND_REFUSE
                        : worst == POLICY_REFER   ? POLICY_RECOMMEND_REFER
                        : worst == POLICY_CAUTION ? POLICY_APPROVE_WITH_PROVISOS
                                                  : POLICY_APPROVE;
    return PH_OK;
}

const char *policy_finding_rule(const policy *p, const policy_result *r, size_t i) {
    int ri = r->findings[i].rule;
    return ri >= 0 ? p->rules[ri].id : "";
}

/* ---- reasons ---- */

/* "end_user" -> "end user" */
static void put_words(ph_buf *out, const char *s) {
    for (; *s; s++)
        ph_buf_putc(out, *s == '_' ? ' ' : *s);
}

static void put_destination(ph_buf *out, const policy_facts *f) {
    if (f->destination_name && f->destination_name[0] &&
        strcmp(f->destination_name, f->destination))
        ph_buf_printf(out, "%s (%s)", f->destination_name, f->destination);
    else
        ph_buf_puts(out, f->destination);
}

static void put_item(ph_buf *out, const policy *p, const policy_facts *f, int collection,
                     size_t i) {
    switch (collection) {
    case POLICY_GOODS: {
        const policy_line *l = &f->lines[i];
        ph_buf_printf(out, "line %zu %s", i + 1, l->rating);
        if (l->description[0]) ph_buf_printf(out, " \"%s\"", l->description);
        break;
    }
    case POLICY_PARTIES: {
        const policy_party *pa = &f->parties[i];
        put_words(out, policy_enum_name(POLICY_ENUM_ROLE, pa->role));
        ph_buf_printf(out, " \"%s\" (", pa->name);
        put_words(out, policy_enum_name(POLICY_ENUM_PARTY_TYPE, pa->type));
        ph_buf_printf(out, ", %s)", pa->country);
        break;
    }
    case POLICY_EVIDENCE: {
        const policy_evidence *ev = &f->evidence[i];
        ph_buf_printf(
            out, "%s (%s, %s; %s, %s)", ev->id, policy_enum_name(POLICY_ENUM_TOPIC, ev->topic),
            policy_enum_name(POLICY_ENUM_SEVERITY, ev->severity), ev->source, ev->source_date);
        break;
    }
    default: {
        const policy_embargo *em = &f->embargoes[i];
        ph_buf_printf(out, "%s %s embargo: %s", em->source_name,
                      policy_enum_name(POLICY_ENUM_EMBARGO_SCOPE, em->scope), em->description);
        if (em->authority[0]) ph_buf_printf(out, " (%s)", em->authority);
        break;
    }
    }
    (void)p;
}

static void put_items(ph_buf *out, const policy *p, const policy_facts *f, const policy_result *r,
                      const policy_finding *fd, int collection) {
    size_t shown = 0, total = 0;
    for (uint32_t k = 0; k < fd->nbindings; k++) {
        uint32_t b = r->bindings[fd->first_binding + k];
        if (POLICY_BINDING_COLLECTION(b) != collection) continue;
        total++;
        if (shown == POLICY_REASON_MAX_ITEMS) continue;
        if (shown) ph_buf_puts(out, "; ");
        put_item(out, p, f, collection, POLICY_BINDING_INDEX(b));
        shown++;
    }
    if (!total)
        ph_buf_puts(out, "none");
    else if (total > shown)
        ph_buf_printf(out, "; and %zu more", total - shown);
}

static void put_ratings(ph_buf *out, const policy_facts *f, const policy_result *r,
                        const policy_finding *fd) {
    size_t shown = 0;
    /* Repeats are found by looking back, so only the first lines are read. */
    for (uint32_t k = 0; k < fd->nbindings && k < 4 * POLICY_REASON_MAX_ITEMS * 8; k++) {
        uint32_t b = r->bindings[fd->first_binding + k];
        if (POLICY_BINDING_COLLECTION(b) != POLICY_GOODS) continue;
        const char *rating = f->lines[POLICY_BINDING_INDEX(b)].rating;
        int seen = 0;
        for (uint32_t j = 0; j < k && !seen; j++) {
            uint32_t c = r->bindings[fd->first_binding + j];
            seen = POLICY_BINDING_COLLECTION(c) == POLICY_GOODS &&
                   strcmp(f->lines[POLICY_BINDING_INDEX(c)].rating, rating) == 0;
        }
        if (seen) continue;
        if (shown == POLICY_REASON_MAX_ITEMS) {
            ph_buf_puts(out, ", ...");
            break;
        }
        ph_buf_printf(out, "%s%s", shown ? ", " : "", rating);
        shown++;
    }
    if (!shown) ph_buf_puts(out, "none");
}

static void put_capabilities(ph_buf *out, const policy *p, const policy_facts *f,
                             const policy_result *r, const policy_finding *fd) {
    uint64_t caps = 0;
    for (uint32_t k = 0; k < fd->nbindings; k++) {
        uint32_t b = r->bindings[fd->first_binding + k];
        if (POLICY_BINDING_COLLECTION(b) == POLICY_GOODS)
            caps |= f->lines[POLICY_BINDING_INDEX(b)].capabilities;
    }
    size_t shown = 0;
    for (size_t i = 0; i < p->ncapabilities; i++)
        if (caps & ((uint64_t)1 << i))
            ph_buf_printf(out, "%s%s", shown++ ? ", " : "", p->capabilities[i]);
    if (!shown) ph_buf_puts(out, "none");
}

void policy_reason(const policy *p, const policy_facts *f, const policy_result *r, size_t i,
                   ph_buf *out) {
    const policy_finding *fd = &r->findings[i];
    if (fd->rule < 0) {
        ph_buf_printf(out, "No rule of policy %s %s engaged criterion %s.", p->id, p->version,
                      p->criteria[fd->criterion]);
        return;
    }
    const rule *ru = &p->rules[fd->rule];
    for (size_t k = 0; k < ru->nsegments; k++) {
        const segment *s = &ru->segments[k];
        switch ((segment_kind)s->kind) {
        case SEG_TEXT: ph_buf_puts(out, s->text); break;
        case SEG_DESTINATION: put_destination(out, f); break;
        case SEG_DESTINATION_CODE: ph_buf_puts(out, f->destination); break;
        case SEG_DESTINATION_NAME:
            ph_buf_puts(out, f->destination_name[0] ? f->destination_name : f->destination);
            break;
        case SEG_LICENCE_TYPE: ph_buf_puts(out, f->licence_type); break;
        case SEG_END_USE: ph_buf_puts(out, f->end_use[0] ? f->end_use : "(none stated)"); break;
        case SEG_EXPORTER: ph_buf_puts(out, f->exporter[0] ? f->exporter : "(not named)"); break;
        case SEG_REFERENCE:
            ph_buf_puts(out, f->reference[0] ? f->reference : "(no reference)");
            break;
        case SEG_CRITERION: ph_buf_puts(out, p->criteria[fd->criterion]); break;
        case SEG_RULE: ph_buf_puts(out, ru->id); break;
        case SEG_GOODS: put_items(out, p, f, r, fd, POLICY_GOODS); break;
        case SEG_RATINGS: put_ratings(out, f, r, fd); break;
        case SEG_CAPABILITIES: put_capabilities(out, p, f, r, fd); break;
        case SEG_PARTIES: put_items(out, p, f, r, fd, POLICY_PARTIES); break;
        case SEG_EVIDENCE: put_items(out, p, f, r, fd, POLICY_EVIDENCE); break;
        case SEG_EMBARGOES: put_items(out, p, f, r, fd, POLICY_EMBARGOES); break;
        }
    }
}
