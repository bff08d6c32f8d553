/* policy — vocabularies, the lexer and the parser of the policy language.
 * The grammar is in docs/policy-language.md; the evaluator is policy_eval.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/control.h"
#include "policy/policy_internal.h"

/* ---- vocabularies ---- */

static const char *const outcome_names[] = {"clear", "caution", "refer", "refuse"};
static const char *const role_names[] = {"end_user", "consignee", "ultimate_end_user",
                                         "third_party"};
static const char *const party_type_names[] = {"government", "armed_forces", "police",
                                               "commercial", "individual",   "other"};
static const char *const screening_names[] = {"not_screened", "clear", "possible_match",
                                              "true_match", "false_positive"};
static const char *const kind_names[] = {"military",          "national-military",   "dual-use",
                                         "national-dual-use", "catch-all",           "sanctions",
                                         "torture-goods",     "firearms-regulation", "unlisted"};
static const char *const regime_names[] = {"Wassenaar", "MTCR", "NSG", "Australia-Group", "CWC"};
static const char *const topic_names[] = {
    "ihl",        "internal-repression", "human-rights", "armed-conflict",
    "aggression", "diversion",           "terrorism",    "proliferation"};
static const char *const severity_names[] = {"low", "medium", "serious", "grave"};
static const char *const reliability_names[] = {"low", "medium", "high"};
static const char *const classification_names[] = {"OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"};
static const char *const scope_names[] = {"full", "partial"};
static const char *const embargo_source_names[] = {"UN", "UK", "EU", "OSCE"};
static const char *const embargo_parties_names[] = {"all", "non_government", "designated_persons",
                                                    "conflict_forces"};
static const char *const embargo_goods_names[] = {"military", "lethal", "small_arms"};
static const char *const recommendation_names[] = {"approve", "approve_with_provisos", "refer",
                                                   "refuse"};

typedef struct vocabulary {
    const char *const *names;
    size_t n;
} vocabulary;

#define VOCAB(a)                                                                                   \
    { a, sizeof a / sizeof a[0] }
static const vocabulary vocabularies[POLICY_ENUM_COUNT] = {
    VOCAB(outcome_names),         VOCAB(role_names),          VOCAB(party_type_names),
    VOCAB(screening_names),       VOCAB(kind_names),          VOCAB(regime_names),
    VOCAB(topic_names),           VOCAB(severity_names),      VOCAB(reliability_names),
    VOCAB(classification_names),  VOCAB(scope_names),         VOCAB(embargo_source_names),
    VOCAB(embargo_parties_names), VOCAB(embargo_goods_names), VOCAB(recommendation_names),
};

int policy_enum_value(policy_enum e, const char *word) {
    if ((unsigned)e >= POLICY_ENUM_COUNT || !word) return -1;
    const vocabulary *v = &vocabularies[e];
    for (size_t i = 0; i < v->n; i++)
        if (strcasecmp(v->names[i], word) == 0) return (int)i;
    return -1;
}

const char *policy_enum_name(policy_enum e, int value) {
    if ((unsigned)e >= POLICY_ENUM_COUNT || value < 0 || (size_t)value >= vocabularies[e].n)
        return "?";
    return vocabularies[e].names[value];
}

size_t policy_enum_size(policy_enum e) {
    return (unsigned)e < POLICY_ENUM_COUNT ? vocabularies[e].n : 0;
}

void policy_enum_list(policy_enum e, char *out, size_t size) {
    if (!size) return;
    out[0] = '\0';
    if ((unsigned)e >= POLICY_ENUM_COUNT) return;
    const vocabulary *v = &vocabularies[e];
    size_t len = 0;
    for (size_t i = 0; i < v->n && len < size; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == v->n ? " or " : ", ");
        int w = snprintf(out + len, size - len, "%s%s", sep, v->names[i]);
        if (w < 0) break;
        len += (size_t)w;
    }
}

/* ---- fields ---- */

const field_spec policy_fields[F_COUNT] = {
    [F_DESTINATION] = {"destination", SCOPE_APPLICATION, FT_CODE, -1,
                       "destination code of the application"},
    [F_LICENCE_TYPE] = {"licence_type", SCOPE_APPLICATION, FT_TEXT, -1,
                        "SIEL, OIEL, SITCL, OITCL, SITL or F680"},
    [F_END_USE] = {"end_use", SCOPE_APPLICATION, FT_TEXT, -1, "the stated end use"},
    [F_EXPORTER] = {"exporter", SCOPE_APPLICATION, FT_TEXT, -1, "the exporter's name"},
    [F_RATING] = {"rating", POLICY_GOODS, FT_RATING, -1, "control-list rating of the line"},
    [F_DESCRIPTION] = {"description", POLICY_GOODS, FT_TEXT, -1, "goods description"},
    [F_KIND] = {"kind", POLICY_GOODS, FT_ENUM, POLICY_ENUM_KIND, "kind of control-list entry"},
    [F_MILITARY] = {"military", POLICY_GOODS, FT_BOOL, -1, "on the military list (ML, PL5)"},
    [F_DUAL_USE] = {"dual_use", POLICY_GOODS, FT_BOOL, -1, "on a dual-use list"},
    [F_KNOWN] = {"known", POLICY_GOODS, FT_BOOL, -1, "the rating is in the control list"},
    [F_REGIME] = {"regime", POLICY_GOODS, FT_REGIMES, POLICY_ENUM_REGIME,
                  "export-control regimes of the rating"},
    [F_CAPABILITY] = {"capability", POLICY_GOODS, FT_CAPABILITY, -1,
                      "what the items can do (data/capabilities.csv)"},
    [F_QUANTITY] = {"quantity", POLICY_GOODS, FT_NUMBER, -1, "quantity"},
    [F_VALUE] = {"value", POLICY_GOODS, FT_MONEY, -1, "value in pounds"},
    [F_ROLE] = {"role", POLICY_PARTIES, FT_ENUM, POLICY_ENUM_ROLE, "the party's role"},
    [F_PARTY_TYPE] = {"type", POLICY_PARTIES, FT_ENUM, POLICY_ENUM_PARTY_TYPE,
                      "the kind of organisation"},
    [F_COUNTRY] = {"country", POLICY_PARTIES, FT_CODE, -1, "the party's country code"},
    [F_SCREENING] = {"screening", POLICY_PARTIES, FT_ENUM, POLICY_ENUM_SCREENING,
                     "outcome of screening against sanctions and denied-party lists"},
    [F_NAME] = {"name", POLICY_PARTIES, FT_TEXT, -1, "the party's name"},
    [F_TOPIC] = {"topic", POLICY_EVIDENCE, FT_ENUM, POLICY_ENUM_TOPIC,
                 "what the evidence is about"},
    [F_SEVERITY] = {"severity", POLICY_EVIDENCE, FT_ORDERED, POLICY_ENUM_SEVERITY,
                    "how serious what it reports is"},
    [F_RELIABILITY] = {"reliability", POLICY_EVIDENCE, FT_ORDERED, POLICY_ENUM_RELIABILITY,
                       "how far the source can be relied on"},
    [F_CLASSIFICATION] = {"classification", POLICY_EVIDENCE, FT_ORDERED, POLICY_ENUM_CLASSIFICATION,
                          "security classification"},
    [F_EVIDENCE_SOURCE] = {"source", POLICY_EVIDENCE, FT_TEXT, -1, "who published it"},
    [F_SCOPE] = {"scope", POLICY_EMBARGOES, FT_ENUM, POLICY_ENUM_EMBARGO_SCOPE,
                 "full or partial embargo"},
    [F_EMBARGO_SOURCE] = {"source", POLICY_EMBARGOES, FT_ENUM, POLICY_ENUM_EMBARGO_SOURCE,
                          "who imposed it"},
    [F_EMBARGO_PARTIES] = {"parties", POLICY_EMBARGOES, FT_ENUM, POLICY_ENUM_EMBARGO_PARTIES,
                           "whom it covers"},
    [F_EMBARGO_GOODS] = {"goods", POLICY_EMBARGOES, FT_ENUM, POLICY_ENUM_EMBARGO_GOODS,
                         "what goods it covers"},
    [F_REPRESSION] = {"repression", POLICY_EMBARGOES, FT_BOOL, -1,
                      "it also covers equipment for internal repression"},
};

static const char *const collection_names[] = {"goods", "parties", "evidence", "embargoes"};

/* Words accepted for each collection after any/all/no. */
static int collection_from_word(const char *w) {
    static const struct {
        const char *word;
        int collection;
    } words[] = {{"goods", POLICY_GOODS},       {"line", POLICY_GOODS},
                 {"lines", POLICY_GOODS},       {"party", POLICY_PARTIES},
                 {"parties", POLICY_PARTIES},   {"evidence", POLICY_EVIDENCE},
                 {"embargo", POLICY_EMBARGOES}, {"embargoes", POLICY_EMBARGOES}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].word, w) == 0) return words[i].collection;
    return -1;
}

/* ---- lexer ---- */

typedef enum token_kind {
    T_EOF,
    T_WORD,
    T_STRING,
    T_LPAREN,
    T_RPAREN,
    T_LBRACKET,
    T_RBRACKET,
    T_COMMA,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE
} token_kind;

typedef struct token {
    token_kind kind;
    const char *start; /* in the source */
    size_t len;
    int line, column;
    char *text; /* WORD: the word; STRING: the decoded value (owned by the parser) */
} token;

#define MAX_WORD 256
#define MAX_STRING 8192

typedef struct parser {
    const char *name;
    const char *src;
    size_t len, pos;
    int line, column;
    token tok; /* current token */
    ph_err *err;
    int failed;
    policy *p;
    const policy_options *opts;
    size_t exprs_cap, kids_cap, words_cap, rules_cap, sets_cap, criteria_cap;
    int depth;
    int in_scope;        /* collection of the quantifier being parsed, or SCOPE_APPLICATION */
    unsigned quantified; /* bits: collections quantified (any/all) in the current rule */
} parser;

static int fail_at(parser *ps, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(parser *ps, int line, int column, const char *fmt, ...) {
    if (ps->failed) return PH_ERR;
    ps->failed = 1;
    char msg[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ph_fail(ps->err, PH_ERR, "%s:%d:%d: %s", ps->name, line, column, msg);
}

static void describe(const token *t, char *out, size_t size) {
    switch (t->kind) {
    case T_EOF: snprintf(out, size, "end of file"); break;
    case T_WORD: snprintf(out, size, "'%.60s'", t->text); break;
    case T_STRING: snprintf(out, size, "a string"); break;
    default: snprintf(out, size, "'%.*s'", (int)t->len, t->start); break;
    }
}

/* "expected X, found Y" at the current token. */
static int expected(parser *ps, const char *what) {
    char found[96];
    describe(&ps->tok, found, sizeof found);
    return fail_at(ps, ps->tok.line, ps->tok.column, "expected %s, found %s", what, found);
}

static void advance_char(parser *ps) {
    unsigned char c = (unsigned char)ps->src[ps->pos++];
    if (c == '\n') {
        ps->line++;
        ps->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        ps->column++;
    }
}

static int is_word_char(unsigned char c) {
    return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* Reads the next token into ps->tok. */
static int next(parser *ps) {
    free(ps->tok.text);
    memset(&ps->tok, 0, sizeof ps->tok);
    for (;;) {
        while (ps->pos < ps->len && (ps->src[ps->pos] == ' ' || ps->src[ps->pos] == '\t' ||
                                     ps->src[ps->pos] == '\n' || ps->src[ps->pos] == '\r'))
            advance_char(ps);
        if (ps->pos < ps->len && ps->src[ps->pos] == '#') {
            while (ps->pos < ps->len && ps->src[ps->pos] != '\n')
                advance_char(ps);
            continue;
        }
        break;
    }
    token *t = &ps->tok;
    t->line = ps->line;
    t->column = ps->column;
    t->start = ps->src + ps->pos;
    if (ps->pos >= ps->len) {
        t->kind = T_EOF;
        return PH_OK;
    }
    unsigned char c = (unsigned char)ps->src[ps->pos];
    if (is_word_char(c)) {
        size_t start = ps->pos;
        while (ps->pos < ps->len && is_word_char((unsigned char)ps->src[ps->pos]))
            advance_char(ps);
        t->len = ps->pos - start;
        if (t->len > MAX_WORD)
            return fail_at(ps, t->line, t->column, "word longer than %d characters", MAX_WORD);
        t->kind = T_WORD;
        t->text = ph_strndup(ps->src + start, t->len);
        return PH_OK;
    }
    if (c == '"') {
        advance_char(ps);
        ph_buf b;
        ph_buf_init(&b);
        b.cap_limit = MAX_STRING + 1;
        for (;;) {
            if (ps->pos >= ps->len || ps->src[ps->pos] == '\n') {
                ph_buf_free(&b);
                return fail_at(ps, t->line, t->column,
                               "unterminated string: expected '\"' before the end of the line");
            }
            char ch = ps->src[ps->pos];
            if (ch == '"') {
                advance_char(ps);
                break;
            }
            if (ch == '\\') {
                int line = ps->line, column = ps->column;
                advance_char(ps);
                char e = ps->pos < ps->len ? ps->src[ps->pos] : '\0';
                if (e != '"' && e != '\\') {
                    ph_buf_free(&b);
                    return fail_at(ps, line, column, "expected '\\\"' or '\\\\' in a string");
                }
                ch = e;
            }
            if (ph_buf_putc(&b, ch)) {
                ph_buf_free(&b);
                return fail_at(ps, t->line, t->column, "string longer than %d bytes", MAX_STRING);
            }
            advance_char(ps);
        }
        t->kind = T_STRING;
        t->len = (size_t)(ps->src + ps->pos - t->start);
        t->text = ph_buf_steal(&b);
        return PH_OK;
    }
    advance_char(ps);
    t->len = 1;
    char n = ps->pos < ps->len ? ps->src[ps->pos] : '\0';
    switch (c) {
    case '(': t->kind = T_LPAREN; return PH_OK;
    case ')': t->kind = T_RPAREN; return PH_OK;
    case '[': t->kind = T_LBRACKET; return PH_OK;
    case ']': t->kind = T_RBRACKET; return PH_OK;
    case ',': t->kind = T_COMMA; return PH_OK;
    case '=': t->kind = T_EQ; return PH_OK;
    case '!':
        if (n == '=') {
            advance_char(ps);
            t->len = 2;
            t->kind = T_NE;
            return PH_OK;
        }
        break;
    case '<':
    case '>':
        if (n == '=') {
            advance_char(ps);
            t->len = 2;
            t->kind = c == '<' ? T_LE : T_GE;
        } else {
            t->kind = c == '<' ? T_LT : T_GT;
        }
        return PH_OK;
    default: break;
    }
    if (c < 0x20 || c >= 0x7f)
        return fail_at(ps, t->line, t->column,
                       "unexpected character (byte 0x%02x): expected a word, a string or an "
                       "operator",
                       c);
    return fail_at(ps, t->line, t->column,
                   "unexpected character '%c': expected a word, a string or an operator", c);
}

static int is_word(const parser *ps, const char *w) {
    return ps->tok.kind == T_WORD && strcmp(ps->tok.text, w) == 0;
}

static int expect_word(parser *ps, const char *w) {
    if (is_word(ps, w)) return next(ps);
    char what[80];
    snprintf(what, sizeof what, "'%s'", w);
    return expected(ps, what);
}

/* ---- storage in the policy ---- */

static uint32_t add_word(parser *ps, const char *w) {
    policy *p = ps->p;
    p->words = ph_grow(p->words, &ps->words_cap, p->nwords + 1, sizeof *p->words);
    p->words[p->nwords] = ph_strdup(w);
    return (uint32_t)p->nwords++;
}

static int32_t add_expr(parser *ps, const expr *e) {
    policy *p = ps->p;
    p->exprs = ph_grow(p->exprs, &ps->exprs_cap, p->nexprs + 1, sizeof *p->exprs);
    p->exprs[p->nexprs] = *e;
    return (int32_t)p->nexprs++;
}

/* ---- expressions ---- */

static int field_lookup(const parser *ps, const char *name) {
    /* Inside a quantifier its own fields come first, then the application's. */
    for (int pass = 0; pass < 2; pass++) {
        int want = pass == 0 ? ps->in_scope : SCOPE_APPLICATION;
        if (pass == 0 && want == SCOPE_APPLICATION) continue;
        for (int f = 0; f < F_COUNT; f++)
            if (policy_fields[f].scope == want && strcmp(policy_fields[f].name, name) == 0)
                return f;
    }
    return -1;
}

/* Which collection a field name belongs to, for a helpful message. */
static int field_home(const char *name) {
    for (int f = 0; f < F_COUNT; f++)
        if (strcmp(policy_fields[f].name, name) == 0) return policy_fields[f].scope;
    return -2;
}

typedef struct value_list {
    char *words[POLICY_MAX_LIST];
    int lines[POLICY_MAX_LIST], columns[POLICY_MAX_LIST];
    size_t n;
    const char *set; /* the named set the words came from, or NULL */
    int used_line;   /* where that set is used */
} value_list;

static void value_list_clear(value_list *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->words[i]);
    v->n = 0;
}

static int value_list_add(parser *ps, value_list *v, const char *w, int line, int column) {
    if (v->n >= POLICY_MAX_LIST)
        return fail_at(ps, line, column, "a list holds at most %d values", POLICY_MAX_LIST);
    v->words[v->n] = ph_strdup(w);
    v->lines[v->n] = line;
    v->columns[v->n] = column;
    v->n++;
    return PH_OK;
}

static const named_set *find_set(const policy *p, const char *name) {
    for (size_t i = 0; i < p->nsets; i++)
        if (strcmp(p->sets[i].name, name) == 0) return &p->sets[i];
    return NULL;
}

/* One value: a word or a string. */
static int parse_value(parser *ps, value_list *v) {
    if (ps->tok.kind != T_WORD && ps->tok.kind != T_STRING) return expected(ps, "a value");
    if (value_list_add(ps, v, ps->tok.text, ps->tok.line, ps->tok.column)) return PH_ERR;
    return next(ps);
}

/* '[' value, ... ']' */
static int parse_bracket_list(parser *ps, value_list *v) {
    if (next(ps)) return PH_ERR; /* '[' */
    if (ps->tok.kind == T_RBRACKET) return expected(ps, "a value in the list");
    for (;;) {
        if (parse_value(ps, v)) return PH_ERR;
        if (ps->tok.kind == T_COMMA) {
            if (next(ps)) return PH_ERR;
            continue;
        }
        if (ps->tok.kind == T_RBRACKET) return next(ps);
        return expected(ps, "',' or ']'");
    }
}

/* After 'in' or 'under': a [list], the name of a set, or one value. */
static int parse_list_operand(parser *ps, value_list *v) {
    if (ps->tok.kind == T_LBRACKET) return parse_bracket_list(ps, v);
    if (ps->tok.kind == T_WORD) {
        const named_set *s = find_set(ps->p, ps->tok.text);
        if (s) {
            /* Words keep their own place, so a typo in a set is shown there. */
            for (size_t i = 0; i < s->nwords; i++)
                if (value_list_add(ps, v, s->words[i], s->lines[i], s->columns[i])) return PH_ERR;
            v->set = s->name;
            v->used_line = ps->tok.line;
            return next(ps);
        }
    }
    return parse_value(ps, v);
}

/* Bits for the words of a vocabulary. */
static int vocabulary_mask(parser *ps, const field_spec *fs, const value_list *v, uint64_t *mask) {
    *mask = 0;
    char from[160] = "";
    if (v->set)
        snprintf(from, sizeof from, " in set '%.60s', used as %s values on line %d", v->set,
                 fs->name, v->used_line);
    for (size_t i = 0; i < v->n; i++) {
        int value;
        if (fs->type == FT_CAPABILITY) {
            value = -1;
            for (size_t c = 0; c < ps->p->ncapabilities; c++)
                if (strcasecmp(ps->p->capabilities[c], v->words[i]) == 0) value = (int)c;
            if (value < 0) {
                if (ps->p->ncapabilities == 0)
                    return fail_at(ps, v->lines[i], v->columns[i],
                                   "unknown capability '%s'%s: no capability table was given",
                                   v->words[i], from);
                return fail_at(ps, v->lines[i], v->columns[i],
                               "unknown capability '%s'%s (the capabilities are the names used "
                               "in data/capabilities.csv, e.g. '%s')",
                               v->words[i], from, ps->p->capabilities[0]);
            }
        } else {
            value = policy_enum_value((policy_enum)fs->vocabulary, v->words[i]);
            if (value < 0) {
                char list[512];
                policy_enum_list((policy_enum)fs->vocabulary, list, sizeof list);
                return fail_at(ps, v->lines[i], v->columns[i], "unknown %s '%s'%s: expected %s",
                               fs->name, v->words[i], from, list);
            }
        }
        *mask |= (uint64_t)1 << value;
    }
    return PH_OK;
}

static int is_comparison(token_kind k) {
    return k == T_EQ || k == T_NE || k == T_LT || k == T_LE || k == T_GT || k == T_GE;
}

static const char *op_text(token_kind k) {
    switch (k) {
    case T_EQ: return "=";
    case T_NE: return "!=";
    case T_LT: return "<";
    case T_LE: return "<=";
    case T_GT: return ">";
    case T_GE: return ">=";
    default: return "?";
    }
}

/* field [op operand] */
static int32_t parse_comparison(parser *ps) {
    int line = ps->tok.line, column = ps->tok.column;
    char name[MAX_WORD + 1];
    ph_strlcpy(name, ps->tok.text, sizeof name);
    int f = field_lookup(ps, name);
    if (f < 0) {
        int home = field_home(name);
        if (home >= 0)
            return fail_at(ps, line, column,
                           "'%s' is a field of %s: use it inside 'any %s where ...'", name,
                           collection_names[home], collection_names[home]),
                   -1;
        return fail_at(ps, line, column,
                       "expected a field, 'any', 'all', 'no', 'not' or '(', found '%s'", name),
               -1;
    }
    const field_spec *fs = &policy_fields[f];
    if (next(ps)) return -1;

    expr e = {.kind = EX_CMP, .field = (uint8_t)f, .body = -1};
    if (fs->type == FT_BOOL) {
        e.op = OP_MASK;
        e.mask = 2; /* value 1 */
        return add_expr(ps, &e);
    }

    token_kind op = ps->tok.kind;
    int op_line = ps->tok.line, op_column = ps->tok.column;
    int negate = 0, is_in = 0, is_under = 0, is_contains = 0;
    if (is_word(ps, "not")) {
        if (next(ps)) return -1;
        if (!is_word(ps, "in") && !is_word(ps, "under"))
            return expected(ps, "'in' or 'under' after 'not'"), -1;
        negate = 1;
    }
    if (is_word(ps, "in"))
        is_in = 1;
    else if (is_word(ps, "under"))
        is_under = 1;
    else if (is_word(ps, "contains") && !negate)
        is_contains = 1;
    else if (!is_comparison(op) || negate) {
        char what[MAX_WORD + 64];
        snprintf(what, sizeof what, "an operator after '%s' (=, !=, in%s)", name,
                 fs->type == FT_TEXT     ? ", contains"
                 : fs->type == FT_RATING ? ", under"
                                         : "");
        return expected(ps, what), -1;
    }
    if (next(ps)) return -1;

    value_list v = {0};
    int rc = PH_OK;
    if (is_in || is_under) {
        rc = parse_list_operand(ps, &v);
    } else if (is_contains) {
        rc = ps->tok.kind == T_LBRACKET ? parse_bracket_list(ps, &v) : parse_value(ps, &v);
    } else {
        rc = parse_value(ps, &v);
    }
    if (rc) {
        value_list_clear(&v);
        return -1;
    }

    const char *opname = is_in ? "in" : is_under ? "under" : is_contains ? "contains" : op_text(op);
    int ordered_op = !is_in && !is_under && !is_contains && op != T_EQ && op != T_NE;
    if (is_under && fs->type != FT_RATING)
        rc = fail_at(ps, op_line, op_column, "'under' applies to 'rating' only");
    if (is_contains && fs->type != FT_TEXT)
        rc = fail_at(ps, op_line, op_column, "'contains' applies to text fields only, not '%s'",
                     name);
    if (!rc && ordered_op && fs->type != FT_ORDERED && fs->type != FT_NUMBER &&
        fs->type != FT_MONEY)
        rc = fail_at(ps, op_line, op_column, "'%s' cannot be compared with '%s': it has no order",
                     name, opname);
    if (!rc && (is_in || is_contains) && (fs->type == FT_NUMBER || fs->type == FT_MONEY))
        rc = fail_at(ps, op_line, op_column, "'%s' is a number: compare it with =, <, >...", name);
    if (rc) {
        value_list_clear(&v);
        return -1;
    }

    switch (fs->type) {
    case FT_ENUM:
    case FT_ORDERED:
    case FT_REGIMES:
    case FT_CAPABILITY: {
        uint64_t mask;
        if (vocabulary_mask(ps, fs, &v, &mask)) break;
        e.op = OP_MASK;
        if (fs->type == FT_ORDERED && ordered_op) {
            int value = 0;
            while (!(mask & ((uint64_t)1 << value)))
                value++;
            size_t n = policy_enum_size((policy_enum)fs->vocabulary);
            uint64_t m = 0;
            for (size_t i = 0; i < n; i++) {
                int keep = op == T_LT   ? (int)i < value
                           : op == T_LE ? (int)i <= value
                           : op == T_GT ? (int)i > value
                                        : (int)i >= value;
                if (keep) m |= (uint64_t)1 << i;
            }
            mask = m;
        }
        if (negate || op == T_NE) {
            if (fs->type == FT_REGIMES || fs->type == FT_CAPABILITY) {
                e.negate = 1; /* "not in": shares none of them */
            } else {
                size_t n = policy_enum_size((policy_enum)fs->vocabulary);
                mask = ~mask & (n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1));
            }
        }
        e.mask = mask;
        break;
    }
    case FT_NUMBER:
    case FT_MONEY: {
        int64_t number;
        int bad = fs->type == FT_MONEY ? ph_parse_pounds(v.words[0], &number)
                                       : ph_parse_i64(v.words[0], &number);
        if (bad || number < 0) {
            fail_at(ps, v.lines[0], v.columns[0], "expected a whole number%s, found '%s'",
                    fs->type == FT_MONEY ? " of pounds (pence after a '.')" : "", v.words[0]);
            break;
        }
        e.number = number;
        e.op = op == T_EQ   ? OP_NUM_EQ
               : op == T_NE ? OP_NUM_NE
               : op == T_LT ? OP_NUM_LT
               : op == T_LE ? OP_NUM_LE
               : op == T_GT ? OP_NUM_GT
                            : OP_NUM_GE;
        break;
    }
    case FT_TEXT:
        e.op = is_contains ? OP_TEXT_CONTAINS : OP_TEXT_EQ;
        e.negate = (uint8_t)(negate || op == T_NE);
        e.first = (uint32_t)ps->p->nwords;
        for (size_t i = 0; i < v.n; i++)
            add_word(ps, v.words[i]);
        e.count = (uint32_t)v.n;
        break;
    case FT_CODE:
        e.negate = (uint8_t)(negate || op == T_NE);
        if (!is_in && v.n == 1 && strcmp(v.words[0], "destination") == 0 && f != F_DESTINATION) {
            e.op = OP_CODE_DESTINATION;
            break;
        }
        e.op = OP_CODE_IN;
        e.first = (uint32_t)ps->p->nwords;
        for (size_t i = 0; i < v.n; i++) {
            char code[MAX_WORD + 1];
            ph_strlcpy(code, v.words[i], sizeof code);
            for (char *c = code; *c; c++)
                *c = (char)toupper((unsigned char)*c);
            add_word(ps, code);
        }
        e.count = (uint32_t)v.n;
        break;
    case FT_RATING:
        e.op = is_under ? OP_RATING_UNDER : OP_RATING_IN;
        e.negate = (uint8_t)(negate || op == T_NE);
        e.first = (uint32_t)ps->p->nwords;
        for (size_t i = 0; i < v.n; i++) {
            const policy_options *o = ps->opts;
            if (o && o->rating_known && !o->rating_known(o->ctx, v.words[i])) {
                fail_at(ps, v.lines[i], v.columns[i],
                        "unknown rating '%s'%s%s: not in the control list", v.words[i],
                        v.set ? " in set " : "", v.set ? v.set : "");
                break;
            }
            char key[CONTROL_RATING_MAX];
            control_rating_key(v.words[i], key, sizeof key);
            add_word(ps, key);
        }
        e.count = (uint32_t)v.n;
        break;
    case FT_BOOL: break;
    }
    value_list_clear(&v);
    if (ps->failed) return -1;
    return add_expr(ps, &e);
}

static int32_t parse_or(parser *ps);

static int32_t parse_unary(parser *ps) {
    if (++ps->depth > POLICY_MAX_DEPTH) {
        fail_at(ps, ps->tok.line, ps->tok.column, "conditions nest deeper than %d levels",
                POLICY_MAX_DEPTH);
        return -1;
    }
    int32_t result = -1;
    if (is_word(ps, "not")) {
        if (next(ps)) return -1;
        int32_t child = parse_unary(ps);
        if (child >= 0) {
            policy *p = ps->p;
            p->kids = ph_grow(p->kids, &ps->kids_cap, p->nkids + 1, sizeof *p->kids);
            p->kids[p->nkids] = child;
            expr e = {.kind = EX_NOT, .first = (uint32_t)p->nkids++, .count = 1, .body = -1};
            result = add_expr(ps, &e);
        }
    } else if (ps->tok.kind == T_LPAREN) {
        int line = ps->tok.line, column = ps->tok.column;
        if (next(ps)) return -1;
        result = parse_or(ps);
        if (result >= 0) {
            if (ps->tok.kind != T_RPAREN) {
                char what[96];
                snprintf(what, sizeof what, "')' to close the '(' at %d:%d", line, column);
                expected(ps, what);
                result = -1;
            } else if (next(ps)) {
                result = -1;
            }
        }
    } else if (is_word(ps, "true") || is_word(ps, "false")) {
        expr e = {.kind = is_word(ps, "true") ? EX_TRUE : EX_FALSE, .body = -1};
        if (next(ps)) return -1;
        result = add_expr(ps, &e);
    } else if (is_word(ps, "any") || is_word(ps, "all") || is_word(ps, "no")) {
        quantifier q = is_word(ps, "any") ? Q_ANY : is_word(ps, "all") ? Q_ALL : Q_NO;
        int line = ps->tok.line, column = ps->tok.column;
        if (ps->in_scope != SCOPE_APPLICATION) {
            fail_at(ps, line, column,
                    "'%s' inside another 'where': conditions on two collections are joined "
                    "with 'and' at the top",
                    ps->tok.text);
            return -1;
        }
        if (next(ps)) return -1;
        int c = ps->tok.kind == T_WORD ? collection_from_word(ps->tok.text) : -1;
        if (c < 0) {
            expected(ps, "goods, parties, evidence or embargoes");
            return -1;
        }
        if (next(ps)) return -1;
        expr e = {.kind = EX_QUANT, .quant = (uint8_t)q, .collection = (uint8_t)c, .body = -1};
        if (is_word(ps, "where")) {
            if (next(ps)) return -1;
            ps->in_scope = c;
            e.body = parse_unary(ps);
            ps->in_scope = SCOPE_APPLICATION;
            if (e.body < 0) return -1;
        }
        if (q != Q_NO) ps->quantified |= 1u << c;
        result = add_expr(ps, &e);
    } else if (ps->tok.kind == T_WORD) {
        result = parse_comparison(ps);
    } else {
        expected(ps, "a condition");
    }
    ps->depth--;
    return ps->failed ? -1 : result;
}

/* A chain of `and` (or `or`) becomes one node with many children. */
static int32_t parse_chain(parser *ps, const char *word, expr_kind kind,
                           int32_t (*operand)(parser *)) {
    int32_t first = operand(ps);
    if (first < 0 || !is_word(ps, word)) return first;
    int32_t items[256];
    size_t n = 0;
    items[n++] = first;
    int32_t *heap = NULL;
    size_t heap_n = 0, heap_cap = 0;
    while (is_word(ps, word)) {
        if (next(ps)) break;
        int32_t x = operand(ps);
        if (x < 0) break;
        if (n < sizeof items / sizeof items[0]) {
            items[n++] = x;
        } else {
            heap = ph_grow(heap, &heap_cap, heap_n + 1, sizeof *heap);
            heap[heap_n++] = x;
        }
    }
    if (ps->failed) {
        free(heap);
        return -1;
    }
    policy *p = ps->p;
    expr e = {.kind = (uint8_t)kind, .first = (uint32_t)p->nkids, .body = -1};
    p->kids = ph_grow(p->kids, &ps->kids_cap, p->nkids + n + heap_n, sizeof *p->kids);
    for (size_t i = 0; i < n; i++)
        p->kids[p->nkids++] = items[i];
    for (size_t i = 0; i < heap_n; i++)
        p->kids[p->nkids++] = heap[i];
    free(heap);
    e.count = (uint32_t)(n + heap_n);
    return add_expr(ps, &e);
}

static int32_t parse_and(parser *ps) {
    return parse_chain(ps, "and", EX_AND, parse_unary);
}
static int32_t parse_or(parser *ps) {
    return parse_chain(ps, "or", EX_OR, parse_and);
}

/* ---- reason templates ---- */

static const struct {
    const char *name;
    segment_kind kind;
    int needs; /* collection that must be quantified, or -1 */
} placeholders[] = {
    {"destination", SEG_DESTINATION, -1},
    {"destination.code", SEG_DESTINATION_CODE, -1},
    {"destination.name", SEG_DESTINATION_NAME, -1},
    {"licence_type", SEG_LICENCE_TYPE, -1},
    {"end_use", SEG_END_USE, -1},
    {"exporter", SEG_EXPORTER, -1},
    {"reference", SEG_REFERENCE, -1},
    {"criterion", SEG_CRITERION, -1},
    {"rule", SEG_RULE, -1},
    {"goods", SEG_GOODS, POLICY_GOODS},
    {"ratings", SEG_RATINGS, POLICY_GOODS},
    {"capabilities", SEG_CAPABILITIES, POLICY_GOODS},
    {"parties", SEG_PARTIES, POLICY_PARTIES},
    {"evidence", SEG_EVIDENCE, POLICY_EVIDENCE},
    {"embargoes", SEG_EMBARGOES, POLICY_EMBARGOES},
};

/* Splits a template into text and placeholders. Positions in messages are
 * those of the string token when the template came from several strings. */
static int parse_template(parser *ps, rule *r, const char *text, int line, int column) {
    ph_buf lit;
    ph_buf_init(&lit);
    size_t cap = 0;
    const char *s = text;
    while (*s) {
        if (s[0] == '{' && s[1] == '{') {
            ph_buf_putc(&lit, '{');
            s += 2;
            continue;
        }
        if (s[0] == '}' && s[1] == '}') {
            ph_buf_putc(&lit, '}');
            s += 2;
            continue;
        }
        if (*s == '}') {
            ph_buf_free(&lit);
            return fail_at(ps, line, column,
                           "reason: a lone '}' (write '}}' for the character itself)");
        }
        if (*s != '{') {
            ph_buf_putc(&lit, *s++);
            continue;
        }
        const char *close = strchr(s, '}');
        if (!close) {
            ph_buf_free(&lit);
            return fail_at(ps, line, column,
                           "reason: '{' without '}' (write '{{' for the character itself)");
        }
        size_t n = (size_t)(close - s - 1);
        int found = -1;
        for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
            if (strlen(placeholders[i].name) == n && strncmp(placeholders[i].name, s + 1, n) == 0)
                found = (int)i;
        if (found < 0) {
            ph_buf_free(&lit);
            return fail_at(ps, line, column,
                           "reason: unknown placeholder '{%.*s}' (expected {destination}, "
                           "{goods}, {ratings}, {capabilities}, {parties}, {evidence}, "
                           "{embargoes}, {end_use}, ...)",
                           (int)(n > 40 ? 40 : n), s + 1);
        }
        int needs = placeholders[found].needs;
        if (needs >= 0 && !(ps->quantified & (1u << needs))) {
            ph_buf_free(&lit);
            return fail_at(ps, line, column,
                           "reason: '{%s}' names %s, but the condition has no 'any %s' or "
                           "'all %s' to choose them",
                           placeholders[found].name, collection_names[needs],
                           collection_names[needs], collection_names[needs]);
        }
        if (lit.len) {
            r->segments = ph_grow(r->segments, &cap, r->nsegments + 1, sizeof *r->segments);
            r->segments[r->nsegments++] = (segment){SEG_TEXT, ph_buf_steal(&lit)};
        }
        r->segments = ph_grow(r->segments, &cap, r->nsegments + 1, sizeof *r->segments);
        r->segments[r->nsegments++] = (segment){(uint8_t)placeholders[found].kind, NULL};
        s = close + 1;
    }
    if (lit.len) {
        r->segments = ph_grow(r->segments, &cap, r->nsegments + 1, sizeof *r->segments);
        r->segments[r->nsegments++] = (segment){SEG_TEXT, ph_buf_steal(&lit)};
    }
    ph_buf_free(&lit);
    return PH_OK;
}

/* The condition as written, comments dropped and whitespace folded. */
static char *fold_source(const char *s, size_t n) {
    ph_buf b;
    ph_buf_init(&b);
    int space = 0, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!in_string && c == '#') {
            while (i < n && s[i] != '\n')
                i++;
            space = 1;
            continue;
        }
        if (in_string && c == '\\' && i + 1 < n) {
            ph_buf_putc(&b, c);
            ph_buf_putc(&b, s[++i]);
            continue;
        }
        if (c == '"') in_string = !in_string;
        if (!in_string && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            space = 1;
            continue;
        }
        if (space && b.len) ph_buf_putc(&b, ' ');
        space = 0;
        ph_buf_putc(&b, c);
    }
    return ph_buf_steal(&b);
}

/* ---- statements ---- */

static int find_criterion(const policy *p, const char *id) {
    for (size_t i = 0; i < p->ncriteria; i++)
        if (strcmp(p->criteria[i], id) == 0) return (int)i;
    return -1;
}

static int parse_date_word(parser *ps, char out[11]) {
    int32_t days;
    if (ps->tok.kind != T_WORD || ph_date_parse(ps->tok.text, &days))
        return expected(ps, "a date YYYY-MM-DD");
    ph_strlcpy(out, ps->tok.text, 11);
    return next(ps);
}

static int is_statement_word(const parser *ps) {
    static const char *const words[] = {"policy", "version",  "title", "criteria",
                                        "valid",  "consider", "set",   "rule"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (is_word(ps, words[i])) return 1;
    return 0;
}

/* A header value given once: word or string. */
static int header_text(parser *ps, char **slot, const char *what, int allow_word) {
    int line = ps->tok.line, column = ps->tok.column;
    char *key = ph_strdup(ps->tok.text);
    if (next(ps)) {
        free(key);
        return PH_ERR;
    }
    if (*slot) {
        int rc = fail_at(ps, line, column, "'%s' is given twice", key);
        free(key);
        return rc;
    }
    free(key);
    if (ps->tok.kind != T_STRING && !(allow_word && ps->tok.kind == T_WORD))
        return expected(ps, what);
    *slot = ph_strdup(ps->tok.text);
    return next(ps);
}

static int parse_consider(parser *ps) {
    int line = ps->tok.line, column = ps->tok.column;
    if (next(ps)) return PH_ERR;
    if (ps->p->ncriteria) return fail_at(ps, line, column, "'consider' is given twice");
    policy *p = ps->p;
    while (ps->tok.kind == T_WORD && !is_statement_word(ps)) {
        const char *id = ps->tok.text;
        if (strlen(id) > 15)
            return fail_at(ps, ps->tok.line, ps->tok.column, "criterion '%s' is too long", id);
        if (find_criterion(p, id) >= 0)
            return fail_at(ps, ps->tok.line, ps->tok.column, "criterion %s is listed twice", id);
        if (p->ncriteria >= POLICY_MAX_CRITERIA)
            return fail_at(ps, ps->tok.line, ps->tok.column, "at most %d criteria",
                           POLICY_MAX_CRITERIA);
        const policy_options *o = ps->opts;
        if (o && o->criterion_known && p->criteria_version &&
            !o->criterion_known(o->ctx, p->criteria_version, id))
            return fail_at(ps, ps->tok.line, ps->tok.column,
                           "criterion '%s' is not one of the criteria %s", id, p->criteria_version);
        p->criteria =
            ph_grow(p->criteria, &ps->criteria_cap, p->ncriteria + 1, sizeof *p->criteria);
        p->criteria[p->ncriteria++] = ph_strdup(id);
        if (next(ps)) return PH_ERR;
        if (ps->tok.kind == T_COMMA && next(ps)) return PH_ERR;
    }
    if (!p->ncriteria) return expected(ps, "the criteria considered (e.g. 1a 2c 7)");
    return PH_OK;
}

static int parse_set(parser *ps) {
    if (next(ps)) return PH_ERR;
    if (ps->tok.kind != T_WORD || is_statement_word(ps)) return expected(ps, "a set name");
    int line = ps->tok.line, column = ps->tok.column;
    if (ps->p->nsets >= POLICY_MAX_SETS)
        return fail_at(ps, line, column, "at most %d sets", POLICY_MAX_SETS);
    if (find_set(ps->p, ps->tok.text))
        return fail_at(ps, line, column, "set '%s' is defined twice", ps->tok.text);
    if (field_home(ps->tok.text) != -2 || strcmp(ps->tok.text, "destination") == 0)
        return fail_at(ps, line, column, "'%s' is a field name; choose another name for the set",
                       ps->tok.text);
    char *name = ph_strdup(ps->tok.text);
    if (next(ps)) {
        free(name);
        return PH_ERR;
    }
    if (ps->tok.kind != T_EQ) {
        free(name);
        return expected(ps, "'='");
    }
    if (next(ps)) {
        free(name);
        return PH_ERR;
    }
    if (ps->tok.kind != T_LBRACKET) {
        free(name);
        return expected(ps, "'[' to start the set");
    }
    value_list v = {0};
    if (parse_bracket_list(ps, &v)) {
        value_list_clear(&v);
        free(name);
        return PH_ERR;
    }
    policy *p = ps->p;
    p->sets = ph_grow(p->sets, &ps->sets_cap, p->nsets + 1, sizeof *p->sets);
    named_set *s = &p->sets[p->nsets++];
    s->name = name;
    s->nwords = v.n;
    s->words = ph_calloc(v.n ? v.n : 1, sizeof *s->words);
    s->lines = ph_calloc(v.n ? v.n : 1, sizeof *s->lines);
    s->columns = ph_calloc(v.n ? v.n : 1, sizeof *s->columns);
    for (size_t i = 0; i < v.n; i++) {
        s->words[i] = v.words[i]; /* ownership moves */
        s->lines[i] = v.lines[i];
        s->columns[i] = v.columns[i];
    }
    return PH_OK;
}

static int parse_rule(parser *ps) {
    policy *p = ps->p;
    int line = ps->tok.line;
    if (next(ps)) return PH_ERR;
    if (ps->tok.kind != T_WORD || is_statement_word(ps)) return expected(ps, "a rule id");
    if (p->nrules >= POLICY_MAX_RULES)
        return fail_at(ps, ps->tok.line, ps->tok.column, "at most %d rules", POLICY_MAX_RULES);
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].id, ps->tok.text) == 0)
            return fail_at(ps, ps->tok.line, ps->tok.column,
                           "rule '%s' is already defined on line %d", ps->tok.text,
                           p->rules[i].line);
    if (!p->ncriteria)
        return fail_at(ps, line, 1, "a rule before 'consider': list the criteria considered first");
    p->rules = ph_grow(p->rules, &ps->rules_cap, p->nrules + 1, sizeof *p->rules);
    rule *r = &p->rules[p->nrules++];
    memset(r, 0, sizeof *r);
    r->id = ph_strdup(ps->tok.text);
    r->line = line;
    r->condition = -1;
    if (next(ps)) return PH_ERR;

    if (expect_word(ps, "criterion")) return PH_ERR;
    if (ps->tok.kind != T_WORD) return expected(ps, "a criterion id");
    r->criterion = find_criterion(p, ps->tok.text);
    if (r->criterion < 0)
        return fail_at(ps, ps->tok.line, ps->tok.column,
                       "criterion '%s' is not in the 'consider' list", ps->tok.text);
    if (next(ps)) return PH_ERR;

    r->outcome = ps->tok.kind == T_WORD ? policy_enum_value(POLICY_ENUM_OUTCOME, ps->tok.text) : -1;
    if (r->outcome < 0 || strcmp(ps->tok.text, policy_enum_name(POLICY_ENUM_OUTCOME, r->outcome)))
        return expected(ps, "an outcome: refuse, refer, caution or clear");
    if (next(ps)) return PH_ERR;

    ps->quantified = 0;
    if (is_word(ps, "when")) {
        if (next(ps)) return PH_ERR;
        size_t start = (size_t)(ps->tok.start - ps->src);
        ps->depth = 0;
        r->condition = parse_or(ps);
        if (r->condition < 0) return PH_ERR;
        size_t end = (size_t)(ps->tok.start - ps->src);
        r->condition_text = fold_source(ps->src + start, end - start);
    } else {
        expr e = {.kind = EX_TRUE, .body = -1};
        r->condition = add_expr(ps, &e);
        r->condition_text = ph_strdup("");
    }
    if (!is_word(ps, "reason")) {
        if (r->condition_text[0]) return expected(ps, "'and', 'or' or 'reason'");
        return expected(ps, "'when' or 'reason'");
    }
    if (next(ps)) return PH_ERR;
    if (ps->tok.kind != T_STRING) return expected(ps, "the reason as a \"string\"");
    int tline = ps->tok.line, tcolumn = ps->tok.column;
    ph_buf reason;
    ph_buf_init(&reason);
    reason.cap_limit = MAX_STRING * 4;
    while (ps->tok.kind == T_STRING) {
        if (ph_buf_puts(&reason, ps->tok.text)) {
            ph_buf_free(&reason);
            return fail_at(ps, ps->tok.line, ps->tok.column, "reason longer than %d bytes",
                           MAX_STRING * 4);
        }
        if (next(ps)) {
            ph_buf_free(&reason);
            return PH_ERR;
        }
    }
    r->reason_text = ph_buf_steal(&reason);
    return parse_template(ps, r, r->reason_text, tline, tcolumn);
}

static int parse_statement(parser *ps) {
    policy *p = ps->p;
    if (ps->tok.kind != T_WORD)
        return expected(ps, "a statement (policy, version, consider, set, rule...)");
    if (is_word(ps, "policy")) {
        if (header_text(ps, &p->id, "the policy id", 1)) return PH_ERR;
        return PH_OK;
    }
    if (is_word(ps, "version")) return header_text(ps, &p->version, "the version", 1);
    if (is_word(ps, "title")) return header_text(ps, &p->title, "the title as a \"string\"", 0);
    if (is_word(ps, "criteria")) {
        if (p->ncriteria)
            return fail_at(ps, ps->tok.line, ps->tok.column,
                           "'criteria' must come before 'consider'");
        int line = ps->tok.line, column = ps->tok.column;
        if (header_text(ps, &p->criteria_version, "the criteria version, e.g. uk-selc-2021", 1))
            return PH_ERR;
        const policy_options *o = ps->opts;
        if (o && o->criterion_known && !o->criterion_known(o->ctx, p->criteria_version, NULL))
            return fail_at(ps, line, column, "unknown criteria version '%s'", p->criteria_version);
        return PH_OK;
    }
    if (is_word(ps, "valid")) {
        int line = ps->tok.line, column = ps->tok.column;
        if (next(ps)) return PH_ERR;
        if (p->valid_from[0]) return fail_at(ps, line, column, "'valid' is given twice");
        if (expect_word(ps, "from")) return PH_ERR;
        if (parse_date_word(ps, p->valid_from)) return PH_ERR;
        if (is_word(ps, "to")) {
            if (next(ps)) return PH_ERR;
            int tline = ps->tok.line, tcolumn = ps->tok.column;
            if (parse_date_word(ps, p->valid_to)) return PH_ERR;
            if (strcmp(p->valid_to, p->valid_from) < 0)
                return fail_at(ps, tline, tcolumn, "the policy ends (%s) before it starts (%s)",
                               p->valid_to, p->valid_from);
        }
        return PH_OK;
    }
    if (is_word(ps, "consider")) return parse_consider(ps);
    if (is_word(ps, "set")) return parse_set(ps);
    if (is_word(ps, "rule")) return parse_rule(ps);
    return expected(ps,
                    "a statement (policy, version, title, criteria, valid, consider, set or rule)");
}

/* ---- the whole file ---- */

static int check_utf8(parser *ps) {
    int line = 1, column = 1;
    const unsigned char *s = (const unsigned char *)ps->src;
    for (size_t i = 0; i < ps->len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        int ok = n > 0 && i + n <= ps->len && !(c == 0);
        for (size_t k = 1; ok && k < n; k++)
            ok = (s[i + k] & 0xC0) == 0x80;
        if (ok && n == 2) ok = c >= 0xC2;
        if (ok && n == 3) {
            unsigned cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && n == 4) {
            unsigned cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) |
                          ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok)
            return fail_at(ps, line, column,
                           c == 0 ? "a NUL byte: a policy is UTF-8 text"
                                  : "invalid UTF-8: a policy is UTF-8 text");
        if (c == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        i += n;
    }
    return PH_OK;
}

/* Collections an expression cannot hold without (see rule.requires). */
static uint8_t required_collections(const policy *p, int32_t index, int depth) {
    const expr *e = &p->exprs[index];
    if (depth > POLICY_MAX_DEPTH + 2) return 0;
    switch ((expr_kind)e->kind) {
    case EX_QUANT: return e->quant == Q_ANY ? (uint8_t)(1u << e->collection) : 0;
    case EX_AND: {
        uint8_t m = 0;
        for (uint32_t i = 0; i < e->count; i++)
            m |= required_collections(p, p->kids[e->first + i], depth + 1);
        return m;
    }
    case EX_OR: {
        uint8_t m = 0xff;
        for (uint32_t i = 0; i < e->count; i++)
            m &= required_collections(p, p->kids[e->first + i], depth + 1);
        return e->count ? m : 0;
    }
    default: return 0;
    }
}

static void index_rules(policy *p) {
    for (size_t r = 0; r < p->nrules; r++)
    p->rules[r].requires = required_collections(p, p->rules[r].condition, 0);
    p->criterion_first = ph_calloc(p->ncriteria ? p->ncriteria : 1, sizeof *p->criterion_first);
    p->criterion_count = ph_calloc(p->ncriteria ? p->ncriteria : 1, sizeof *p->criterion_count);
    p->criterion_rules = ph_calloc(p->nrules ? p->nrules : 1, sizeof *p->criterion_rules);
    size_t k = 0;
    for (size_t c = 0; c < p->ncriteria; c++) {
        p->criterion_first[c] = (uint32_t)k;
        for (size_t r = 0; r < p->nrules; r++)
            if (p->rules[r].criterion == (int)c) p->criterion_rules[k++] = (uint32_t)r;
        p->criterion_count[c] = (uint32_t)(k - p->criterion_first[c]);
    }
}

int policy_parse(const char *name, const char *text, size_t len, const policy_options *opts,
                 policy **out, ph_err *err) {
    *out = NULL;
    parser ps = {.name = name ? name : "policy",
                 .src = text,
                 .len = len,
                 .line = 1,
                 .column = 1,
                 .err = err,
                 .opts = opts,
                 .in_scope = SCOPE_APPLICATION};
    if (len > POLICY_MAX_FILE)
        return ph_fail(err, PH_ERR, "%s: larger than %u bytes", ps.name, POLICY_MAX_FILE);
    ps.p = ph_calloc(1, sizeof *ps.p);
    policy *p = ps.p;
    p->source_name = ph_strdup(ps.name);
    ph_sha256_hex(text, len, p->sha256);
    if (opts && opts->ncapabilities) {
        if (opts->ncapabilities > POLICY_MAX_CAPABILITIES) {
            policy_free(p);
            return ph_fail(err, PH_ERR, "%s: more than %d capabilities", ps.name,
                           POLICY_MAX_CAPABILITIES);
        }
        p->capabilities = ph_calloc(opts->ncapabilities, sizeof *p->capabilities);
        for (size_t i = 0; i < opts->ncapabilities; i++)
            p->capabilities[i] = ph_strdup(opts->capabilities[i]);
        p->ncapabilities = opts->ncapabilities;
    }

    int rc = check_utf8(&ps);
    if (!rc) rc = next(&ps);
    while (!rc && ps.tok.kind != T_EOF)
        rc = parse_statement(&ps);
    if (!rc) {
        int line = ps.tok.line, column = ps.tok.column;
        if (!p->id)
            rc = fail_at(&ps, line, column, "missing 'policy ID' at the top of the file");
        else if (!p->version)
            rc = fail_at(&ps, line, column, "missing 'version'");
        else if (!p->valid_from[0])
            rc = fail_at(&ps, line, column, "missing 'valid from YYYY-MM-DD'");
        else if (!p->criteria_version)
            rc = fail_at(&ps, line, column,
                         "missing 'criteria' (the criteria version the rules serve)");
        else if (!p->ncriteria)
            rc = fail_at(&ps, line, column, "missing 'consider' (the criteria considered)");
        /* Without rules every application would be found clear: a cut or
         * half-written file must not pass for a policy that approves
         * everything. (`policy check` warns of each criterion without one.) */
        else if (!p->nrules)
            rc = fail_at(&ps, line, column,
                         "no rule: a policy needs rules for the criteria it considers");
    }
    free(ps.tok.text);
    if (rc || ps.failed) {
        policy_free(p);
        return err->rc ? err->rc : PH_ERR;
    }
    if (!p->title) p->title = ph_strdup("");
    index_rules(p);
    *out = p;
    return PH_OK;
}

void policy_free(policy *p) {
    if (!p) return;
    free(p->source_name);
    free(p->id);
    free(p->version);
    free(p->title);
    free(p->criteria_version);
    for (size_t i = 0; i < p->ncriteria; i++)
        free(p->criteria[i]);
    free(p->criteria);
    free(p->criterion_rules);
    free(p->criterion_first);
    free(p->criterion_count);
    for (size_t i = 0; i < p->nrules; i++) {
        rule *r = &p->rules[i];
        free(r->id);
        free(r->condition_text);
        free(r->reason_text);
        for (size_t k = 0; k < r->nsegments; k++)
            free(r->segments[k].text);
        free(r->segments);
    }
    free(p->rules);
    for (size_t i = 0; i < p->nsets; i++) {
        for (size_t k = 0; k < p->sets[i].nwords; k++)
            free(p->sets[i].words[k]);
        free(p->sets[i].words);
        free(p->sets[i].lines);
        free(p->sets[i].columns);
        free(p->sets[i].name);
    }
    free(p->sets);
    free(p->exprs);
    free(p->kids);
    for (size_t i = 0; i < p->nwords; i++)
        free(p->words[i]);
    free(p->words);
    for (size_t i = 0; i < p->ncapabilities; i++)
        free(p->capabilities[i]);
    free(p->capabilities);
    free(p);
}

/* ---- accessors ---- */

const char *policy_id(const policy *p) {
    return p->id;
}
const char *policy_version(const policy *p) {
    return p->version;
}
const char *policy_title(const policy *p) {
    return p->title;
}
const char *policy_criteria(const policy *p) {
    return p->criteria_version;
}
const char *policy_valid_from(const policy *p) {
    return p->valid_from;
}
const char *policy_valid_to(const policy *p) {
    return p->valid_to;
}
const char *policy_sha256(const policy *p) {
    return p->sha256;
}
const char *policy_source_name(const policy *p) {
    return p->source_name;
}

int policy_in_force(const policy *p, const char *date) {
    if (strcmp(date, p->valid_from) < 0) return 0;
    return !p->valid_to[0] || strcmp(date, p->valid_to) <= 0;
}

size_t policy_criterion_count(const policy *p) {
    return p->ncriteria;
}
const char *policy_criterion(const policy *p, size_t i) {
    return i < p->ncriteria ? p->criteria[i] : "";
}
size_t policy_criterion_rule_count(const policy *p, size_t i) {
    size_t n = 0;
    for (size_t r = 0; r < p->nrules; r++)
        n += p->rules[r].criterion == (int)i;
    return n;
}

size_t policy_rule_count(const policy *p) {
    return p->nrules;
}

void policy_rule_get(const policy *p, size_t i, policy_rule_info *out) {
    const rule *r = &p->rules[i];
    out->id = r->id;
    out->criterion = p->criteria[r->criterion];
    out->outcome = r->outcome;
    out->condition = r->condition_text;
    out->reason = r->reason_text;
    out->line = r->line;
}

size_t policy_set_count(const policy *p) {
    return p->nsets;
}
const char *policy_set_name(const policy *p, size_t i) {
    return p->sets[i].name;
}
size_t policy_set_size(const policy *p, size_t i) {
    return p->sets[i].nwords;
}
const char *policy_set_word(const policy *p, size_t i, size_t j) {
    return p->sets[i].words[j];
}
