/*
 * The compiled form of a policy, shared by the parser (policy.c) and the
 * evaluator (policy_eval.c). Not part of the module's interface.
 */
#ifndef PH_POLICY_INTERNAL_H
#define PH_POLICY_INTERNAL_H

#include "policy/policy.h"

/* Where a field lives: the application itself, or one of the collections. */
enum { SCOPE_APPLICATION = -1 };

typedef enum field_type {
    FT_ENUM,       /* one value of a vocabulary */
    FT_ORDERED,    /* one value of an ordered vocabulary (severity...) */
    FT_REGIMES,    /* a set of regimes */
    FT_CAPABILITY, /* a set of capabilities */
    FT_BOOL,
    FT_NUMBER,
    FT_MONEY, /* pounds in the policy, pence in the facts */
    FT_TEXT,
    FT_CODE,  /* destination code */
    FT_RATING /* control-list rating */
} field_type;

typedef enum field_id {
    F_DESTINATION,
    F_LICENCE_TYPE,
    F_END_USE,
    F_EXPORTER,
    F_RATING,
    F_DESCRIPTION,
    F_KIND,
    F_MILITARY,
    F_DUAL_USE,
    F_KNOWN,
    F_REGIME,
    F_CAPABILITY,
    F_QUANTITY,
    F_VALUE,
    F_ROLE,
    F_PARTY_TYPE,
    F_COUNTRY,
    F_SCREENING,
    F_NAME,
    F_TOPIC,
    F_SEVERITY,
    F_RELIABILITY,
    F_CLASSIFICATION,
    F_EVIDENCE_SOURCE,
    F_SCOPE,
    F_EMBARGO_SOURCE,
    F_EMBARGO_PARTIES,
    F_EMBARGO_GOODS,
    F_REPRESSION,
    F_COUNT
} field_id;

typedef struct field_spec {
    const char *name;
    int scope; /* SCOPE_APPLICATION or POLICY_GOODS ... */
    field_type type;
    int vocabulary;   /* policy_enum for FT_ENUM / FT_ORDERED / FT_REGIMES, else -1 */
    const char *help; /* one line for the documentation and messages */
} field_spec;

extern const field_spec policy_fields[F_COUNT];

typedef enum expr_kind { EX_TRUE, EX_FALSE, EX_AND, EX_OR, EX_NOT, EX_QUANT, EX_CMP } expr_kind;
typedef enum quantifier { Q_ANY, Q_ALL, Q_NO } quantifier;
typedef enum cmp_op {
    OP_MASK, /* enum, set and boolean fields: the value's bits meet `mask` */
    OP_NUM_EQ,
    OP_NUM_NE,
    OP_NUM_LT,
    OP_NUM_LE,
    OP_NUM_GT,
    OP_NUM_GE,
    OP_TEXT_CONTAINS,    /* any of the words, ignoring case */
    OP_TEXT_EQ,          /* equal to one of the words, ignoring case */
    OP_CODE_IN,          /* one of the codes */
    OP_CODE_DESTINATION, /* equal to the application's destination */
    OP_RATING_IN,        /* exactly one of the ratings */
    OP_RATING_UNDER      /* one of the ratings or beneath it */
} cmp_op;

typedef struct expr {
    uint8_t kind;
    uint8_t quant;
    uint8_t collection;
    uint8_t field;
    uint8_t op;
    uint8_t negate;        /* for the comparisons that are not masks */
    uint32_t first, count; /* children in kids[], or words in words[] */
    int32_t body;          /* a quantifier's condition, -1 for none */
    uint64_t mask;
    int64_t number;
} expr;

typedef enum segment_kind {
    SEG_TEXT,
    SEG_DESTINATION,
    SEG_DESTINATION_CODE,
    SEG_DESTINATION_NAME,
    SEG_LICENCE_TYPE,
    SEG_END_USE,
    SEG_EXPORTER,
    SEG_REFERENCE,
    SEG_CRITERION,
    SEG_RULE,
    SEG_GOODS,
    SEG_RATINGS,
    SEG_CAPABILITIES,
    SEG_PARTIES,
    SEG_EVIDENCE,
    SEG_EMBARGOES
} segment_kind;

typedef struct segment {
    uint8_t kind;
    char *text; /* SEG_TEXT */
} segment;

typedef struct rule {
    char *id;
    int criterion; /* index into criteria */
    int outcome;
    int32_t condition; /* root expression */
    /* Collections that must hold an item for the condition to hold (an
     * 'any' on every path): a rule is skipped at once when one is empty. */
    uint8_t requires;
    char *condition_text;
    char *reason_text;
    segment *segments;
    size_t nsegments;
    int line;
} rule;

typedef struct named_set {
    char *name;
    char **words;
    int *lines, *columns; /* where each word is written */
    size_t nwords;
} named_set;

struct policy {
    char *source_name;
    char *id, *version, *title, *criteria_version;
    char valid_from[11], valid_to[11];
    char sha256[PH_SHA256_HEX];

    char **criteria; /* considered, in order */
    size_t ncriteria;
    /* For each criterion, its rules in file order. */
    uint32_t *criterion_rules;
    uint32_t *criterion_first, *criterion_count;

    rule *rules;
    size_t nrules;
    named_set *sets;
    size_t nsets;

    expr *exprs;
    size_t nexprs;
    int32_t *kids;
    size_t nkids;
    char **words; /* operands: codes, rating keys, text */
    size_t nwords;

    char **capabilities;
    size_t ncapabilities;
};

#endif
