/*
 * policy — the licensing policy language: reading a policy file, checking
 * it, and evaluating its rules over the facts of one application.
 *
 * A policy is text that officials review and version like law
 * (docs/policy-language.md). It names the criteria it considers, and holds
 * rules: each serves one criterion, has a condition over the facts, an
 * outcome (refuse, refer, caution, clear) and a reason template that names
 * the facts and evidence it used. For every criterion considered, the most
 * severe rule whose condition holds decides the finding (the first in the
 * file among equals); when none holds the criterion is clear.
 *
 * Pure: no I/O, no database. The caller gives the text and the facts;
 * assess.h builds facts from applications, licences and the evidence store.
 * A policy that does not parse is never returned: policy_parse() gives a
 * whole policy or an error "FILE:LINE:COLUMN: what was expected".
 *
 * Evaluation allocates nothing once a policy_result has grown to its
 * working size, so one result can be reused across many assessments.
 */
#ifndef PH_POLICY_H
#define PH_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Caps on what a policy file may hold (a policy is reviewed text, not data). */
#define POLICY_MAX_FILE (1u << 20) /* bytes */
#define POLICY_MAX_RULES 4096
#define POLICY_MAX_CRITERIA 64
#define POLICY_MAX_SETS 1024
#define POLICY_MAX_DEPTH 48        /* nesting of parentheses and 'not' */
#define POLICY_MAX_CAPABILITIES 64 /* capability names, one bit each */
#define POLICY_MAX_LIST 256        /* values in one [ ... ] list */
#define POLICY_REASON_MAX_ITEMS 20 /* items listed by one placeholder */

/* ---- vocabularies shared by the language and the facts ----
 * Words are matched case-insensitively; the names below are the spelling
 * printed everywhere. */
typedef enum policy_enum {
    POLICY_ENUM_OUTCOME,         /* clear caution refer refuse (in rising severity) */
    POLICY_ENUM_ROLE,            /* end_user consignee ultimate_end_user third_party */
    POLICY_ENUM_PARTY_TYPE,      /* government armed_forces police commercial individual other */
    POLICY_ENUM_SCREENING,       /* not_screened clear possible_match true_match false_positive */
    POLICY_ENUM_KIND,            /* military national-military dual-use ... unlisted */
    POLICY_ENUM_REGIME,          /* Wassenaar MTCR NSG Australia-Group CWC */
    POLICY_ENUM_TOPIC,           /* ihl internal-repression human-rights ... */
    POLICY_ENUM_SEVERITY,        /* low medium serious grave (ordered) */
    POLICY_ENUM_RELIABILITY,     /* low medium high (ordered) */
    POLICY_ENUM_CLASSIFICATION,  /* OFFICIAL OFFICIAL-SENSITIVE SECRET (ordered) */
    POLICY_ENUM_EMBARGO_SCOPE,   /* full partial */
    POLICY_ENUM_EMBARGO_SOURCE,  /* UN UK EU OSCE */
    POLICY_ENUM_EMBARGO_PARTIES, /* all non_government designated_persons conflict_forces */
    POLICY_ENUM_EMBARGO_GOODS,   /* military lethal small_arms */
    POLICY_ENUM_RECOMMENDATION,  /* approve approve_with_provisos refer refuse */
    POLICY_ENUM_COUNT
} policy_enum;

/* The value of a word in a vocabulary, or -1. */
int policy_enum_value(policy_enum e, const char *word);
/* The printed name of a value ("?" when out of range). */
const char *policy_enum_name(policy_enum e, int value);
size_t policy_enum_size(policy_enum e);
/* "a, b or c" for messages. */
void policy_enum_list(policy_enum e, char *out, size_t size);

enum { POLICY_CLEAR, POLICY_CAUTION, POLICY_REFER, POLICY_REFUSE };
enum {
    POLICY_ROLE_END_USER,
    POLICY_ROLE_CONSIGNEE,
    POLICY_ROLE_ULTIMATE_END_USER,
    POLICY_ROLE_THIRD_PARTY
};
enum {
    POLICY_PARTY_GOVERNMENT,
    POLICY_PARTY_ARMED_FORCES,
    POLICY_PARTY_POLICE,
    POLICY_PARTY_COMMERCIAL,
    POLICY_PARTY_INDIVIDUAL,
    POLICY_PARTY_OTHER
};
enum {
    POLICY_SCREENING_NOT_SCREENED,
    POLICY_SCREENING_CLEAR,
    POLICY_SCREENING_POSSIBLE_MATCH,
    POLICY_SCREENING_TRUE_MATCH,
    POLICY_SCREENING_FALSE_POSITIVE
};
enum {
    POLICY_KIND_MILITARY,
    POLICY_KIND_NATIONAL_MILITARY,
    POLICY_KIND_DUAL_USE,
    POLICY_KIND_NATIONAL_DUAL_USE,
    POLICY_KIND_CATCH_ALL,
    POLICY_KIND_SANCTIONS,
    POLICY_KIND_TORTURE_GOODS,
    POLICY_KIND_FIREARMS_REGULATION,
    POLICY_KIND_UNLISTED
};
/* Regime values are bit positions: value v is bit (1 << v), as in control.h. */
enum {
    POLICY_TOPIC_IHL,
    POLICY_TOPIC_INTERNAL_REPRESSION,
    POLICY_TOPIC_HUMAN_RIGHTS,
    POLICY_TOPIC_ARMED_CONFLICT,
    POLICY_TOPIC_AGGRESSION,
    POLICY_TOPIC_DIVERSION,
    POLICY_TOPIC_TERRORISM,
    POLICY_TOPIC_PROLIFERATION
};
enum {
    POLICY_SEVERITY_LOW,
    POLICY_SEVERITY_MEDIUM,
    POLICY_SEVERITY_SERIOUS,
    POLICY_SEVERITY_GRAVE
};
enum { POLICY_RELIABILITY_LOW, POLICY_RELIABILITY_MEDIUM, POLICY_RELIABILITY_HIGH };
enum { POLICY_CLASS_OFFICIAL, POLICY_CLASS_OFFICIAL_SENSITIVE, POLICY_CLASS_SECRET };
enum { POLICY_EMBARGO_FULL, POLICY_EMBARGO_PARTIAL };
enum {
    POLICY_EMBARGO_ALL,
    POLICY_EMBARGO_NON_GOVERNMENT,
    POLICY_EMBARGO_DESIGNATED_PERSONS,
    POLICY_EMBARGO_CONFLICT_FORCES
};
enum {
    POLICY_EMBARGO_GOODS_MILITARY,
    POLICY_EMBARGO_GOODS_LETHAL,
    POLICY_EMBARGO_GOODS_SMALL_ARMS
};
enum {
    POLICY_APPROVE,
    POLICY_APPROVE_WITH_PROVISOS,
    POLICY_RECOMMEND_REFER,
    POLICY_RECOMMEND_REFUSE
};

/* ---- facts: what a policy can see about one application ----
 * Plain views: the policy never frees or keeps them. Strings are UTF-8,
 * never NULL (use ""). */
typedef struct policy_party {
    const char *name;
    const char *country; /* destination code */
    uint8_t role, type, screening;
} policy_party;

typedef struct policy_line {
    const char *rating;      /* display form, "ML10.a" */
    const char *description; /* goods description, "" when none */
    /* Lookup keys (control_rating_key) of the rating and of each ancestor,
     * the rating first: {"ML10A", "ML10"}. */
    const char *const *ancestry;
    uint8_t nancestry;
    uint8_t kind;  /* POLICY_KIND_* */
    uint8_t known; /* the rating is in the control list */
    unsigned regimes;
    uint64_t capabilities; /* bits in the policy's capability vocabulary */
    int64_t quantity;      /* -1 when not given */
    int64_t value_pence;   /* -1 when not given */
} policy_line;

typedef struct policy_embargo {
    const char *source_name; /* "UK" */
    const char *description;
    const char *authority;
    uint8_t source, scope, parties, goods;
    uint8_t repression; /* covers equipment for internal repression */
} policy_embargo;

typedef struct policy_evidence {
    const char *id; /* "EV-0003" */
    const char *source;
    const char *source_date;
    const char *classification_name;
    uint8_t topic, severity, reliability, classification;
} policy_evidence;

typedef struct policy_facts {
    const char *reference;
    const char *licence_type; /* SIEL, OIEL, ... */
    const char *destination;  /* code */
    const char *destination_name;
    const char *end_use;
    const char *exporter;
    const policy_embargo *embargoes;
    size_t nembargoes;
    const policy_party *parties;
    size_t nparties;
    const policy_line *lines;
    size_t nlines;
    const policy_evidence *evidence;
    size_t nevidence;
} policy_facts;

/* ---- reading a policy ---- */
typedef struct policy policy;

typedef struct policy_options {
    /* Capability names the rules may use (data/capabilities.csv); bit i is
     * names[i]. Required when rules name capabilities. */
    const char *const *capabilities;
    size_t ncapabilities;
    /* Optional checks against reference data; each returns 1 when known. */
    int (*criterion_known)(void *ctx, const char *criteria_version, const char *criterion);
    int (*rating_known)(void *ctx, const char *rating);
    void *ctx;
} policy_options;

/* Parses and checks a policy. `name` labels errors (the file name).
 * On success *out owns a copy of everything it needs. */
int policy_parse(const char *name, const char *text, size_t len, const policy_options *opts,
                 policy **out, ph_err *err);
void policy_free(policy *p);

const char *policy_id(const policy *p);
const char *policy_version(const policy *p);
const char *policy_title(const policy *p);      /* "" when none */
const char *policy_criteria(const policy *p);   /* criteria version, e.g. "uk-selc-2021" */
const char *policy_valid_from(const policy *p); /* YYYY-MM-DD */
const char *policy_valid_to(const policy *p);   /* "" when open-ended */
const char *policy_sha256(const policy *p);     /* of the file's bytes */
const char *policy_source_name(const policy *p);
/* 1 when the policy is in force on the date (YYYY-MM-DD). */
int policy_in_force(const policy *p, const char *date);

size_t policy_criterion_count(const policy *p);
const char *policy_criterion(const policy *p, size_t i);
size_t policy_rule_count(const policy *p);
/* How many rules serve criterion i (0: it is always found clear, unexplained). */
size_t policy_criterion_rule_count(const policy *p, size_t i);

typedef struct policy_rule_info {
    const char *id;
    const char *criterion;
    int outcome;
    const char *condition; /* the condition as written, whitespace folded; "" = always */
    const char *reason;    /* the template as written */
    int line;
} policy_rule_info;
void policy_rule_get(const policy *p, size_t i, policy_rule_info *out);

/* Named sets ("set combat = [...]") in file order. */
size_t policy_set_count(const policy *p);
const char *policy_set_name(const policy *p, size_t i);
size_t policy_set_size(const policy *p, size_t i);
const char *policy_set_word(const policy *p, size_t i, size_t j);

/* ---- evaluating ----
 * A binding is an item a rule's condition matched: a goods line, party,
 * evidence entry or embargo, packed as (collection << 28) | index. */
enum { POLICY_GOODS, POLICY_PARTIES, POLICY_EVIDENCE, POLICY_EMBARGOES };
#define POLICY_BINDING_COLLECTION(b) ((int)((b) >> 28))
#define POLICY_BINDING_INDEX(b) ((size_t)((b)&0x0fffffffu))
#define POLICY_MAX_ITEMS 0x0fffffffu

typedef struct policy_finding {
    int criterion; /* index into the policy's considered criteria */
    int outcome;   /* POLICY_CLEAR ... POLICY_REFUSE */
    int rule;      /* the deciding rule, -1 when no rule held */
    uint32_t first_binding;
    uint32_t nbindings; /* sorted by collection, then index */
} policy_finding;

typedef struct policy_result {
    int recommendation; /* POLICY_APPROVE ... POLICY_RECOMMEND_REFUSE */
    policy_finding *findings;
    size_t nfindings, findings_cap;
    uint32_t *bindings;
    size_t nbindings, bindings_cap;
    uint32_t *scratch; /* working space */
    size_t nscratch, scratch_cap;
} policy_result;

void policy_result_init(policy_result *r);
void policy_result_free(policy_result *r);

/* Evaluates every rule over the facts. Fails only when the facts hold more
 * items than a binding can index (POLICY_MAX_ITEMS). */
int policy_eval(const policy *p, const policy_facts *f, policy_result *r, ph_err *err);

/* Appends the reason for finding i, with the facts filled in. */
void policy_reason(const policy *p, const policy_facts *f, const policy_result *r, size_t i,
                   ph_buf *out);

/* Rule id of finding i ("" when no rule held). */
const char *policy_finding_rule(const policy *p, const policy_result *r, size_t i);

#endif
