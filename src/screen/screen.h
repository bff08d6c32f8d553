/*
 * screen — party screening: finds the sanctioned or denied parties whose
 * names match a query, scores each match from 0 to 1 and explains it.
 *
 * The engine is a library without I/O: it is given plain records (list,
 * the list's own entity identifier, type, names, dates of birth,
 * countries), builds an immutable in-memory index, and answers queries on
 * it. The command line feeds it from the lists module; the HTTP server
 * shares one index between threads. screen_query and screen_explain may run
 * concurrently on one index; nothing is written to the index after build.
 *
 * How a name is matched (docs/screening.md has the whole story):
 *  - both sides are normalised by the text module into tokens;
 *  - every distinct list token is weighted by rarity across the loaded
 *    names (inverse document frequency), so "mohammed", "trading" or
 *    "company" count less than "melli"; legal forms, particles and
 *    initials weigh little and never make a match on their own;
 *  - tokens are compared with a weighted edit distance (cheap vowel,
 *    doubled-letter and h edits) within a budget that grows with length,
 *    blended with Jaro-Winkler; consonant skeletons catch phonetic and
 *    transliteration variants ("kathryn"/"catherine", "mhmd"/"mohammed");
 *  - query and list tokens are aligned one to one regardless of order,
 *    adjacent tokens may be joined ("al qaeda"/"alqaeda"); the score is the
 *    weighted share of matched tokens, unmatched query tokens costing more
 *    than unmatched list tokens (a middle name missing from the query is
 *    normal; a query word missing from the list name is not);
 *  - a list name with one informative word needs a near-exact match;
 *  - weak aliases count less; date of birth and country, when given on both
 *    sides, raise or lower the score.
 * Candidates come from an inverted index over list tokens: each query token
 * is looked up exactly, by deletion neighbourhood (typos) and by consonant
 * skeleton (sound-alikes); only names holding such tokens are scored, and
 * tokens too common to reach the reporting floor alone do not add
 * candidates (an exact bound, not a guess).
 */
#ifndef PH_SCREEN_H
#define PH_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "text/text.h"
#include "util/util.h"

/* The alert threshold: a hit at or above it is an alert that a licensing
 * officer must dispose of. Chosen on the development sets (docs/screening.md):
 * it keeps alerts on synthetic innocent names under 0.5% while real
 * listed names, typed with typos, reordered or transliterated, stay above. */
#define SCREEN_DEFAULT_THRESHOLD 0.80
/* Hits below this are not reported at all. */
#define SCREEN_DEFAULT_MIN_SCORE 0.60
#define SCREEN_DEFAULT_LIMIT 10
/* Hard caps on what one query may ask for. */
#define SCREEN_MAX_LIMIT 1000
#define SCREEN_MAX_LISTS 64

typedef enum screen_type {
    SCREEN_TYPE_ANY = 0, /* in a request: every type; in a record: unknown */
    SCREEN_PERSON,
    SCREEN_ENTITY,
    SCREEN_VESSEL,
    SCREEN_AIRCRAFT
} screen_type;

typedef enum screen_name_kind {
    SCREEN_NAME_PRIMARY = 0,
    SCREEN_NAME_ALIAS,
    SCREEN_NAME_ORIGINAL /* as written in the original script */
} screen_name_kind;

/* "person", "entity", "vessel", "aircraft" (also "individual",
 * "organization", "company"...) -> type; -1 when unknown. */
int screen_type_parse(const char *s);
const char *screen_type_name(screen_type t);

/* ---- input records ---- */

typedef struct screen_name {
    const char *text;
    screen_name_kind kind;
    int weak; /* the list marks this alias as weak / low quality */
} screen_name;

typedef struct screen_record {
    const char *list;      /* list name, e.g. "un" */
    const char *entity_id; /* the list's own identifier, e.g. "TAi.108" */
    screen_type type;
    const screen_name *names;
    size_t nnames;
    const char *const *dobs; /* "1960", "1960-06-29", "1955 to 1957", "circa 1958"... */
    size_t ndobs;
    const char *const *countries; /* ISO codes or names, compared after folding */
    size_t ncountries;
} screen_record;

/* ---- tuning ----
 * Every number the scorer uses, with the defaults set by
 * screen_config_default. Deployments may change them; the defaults are
 * documented and justified in docs/screening.md. */
typedef struct screen_config {
    double threshold;                  /* alert threshold */
    double min_score;                  /* reporting floor */
    double token_min_similarity;       /* two tokens below this do not match */
    double phonetic_similarity;        /* tokens with the same consonant skeleton */
    double initial_similarity;         /* an initial against a word starting with it */
    double single_word_min_similarity; /* one-word list names: near-exact only */
    double extra_query_weight;         /* cost of an unmatched query token (times its weight) */
    double extra_list_weight;          /* cost of an unmatched list-name token */
    double patronymic_factor;          /* an unmatched patronymic costs this share */
    double particle_weight;            /* cap on the weight of particles and titles */
    double initial_weight;
    double legal_weight;
    double number_weight;
    double min_token_weight;  /* floor of the rarity weight of a word */
    double weak_alias_factor; /* a weak alias's score is multiplied by this */
    double dob_day_match;     /* same full date of birth */
    double dob_year_match;    /* same year (or within a listed range) */
    double dob_mismatch;      /* years more than one apart (subtracted) */
    double dob_day_mismatch;  /* same year, different day (subtracted) */
    double country_match;
    double country_mismatch; /* subtracted */
} screen_config;

void screen_config_default(screen_config *c);

/* ---- the index ---- */

typedef struct screen_index screen_index;

/* Builds the index from n records (copied: the records may be freed after).
 * cfg NULL means the defaults. Names that normalise to nothing informative
 * (only punctuation or legal forms) are skipped and counted. */
int screen_index_build(const screen_record *recs, size_t n, const screen_config *cfg,
                       screen_index **out, ph_err *err);
void screen_index_free(screen_index *idx);

typedef struct screen_index_stats {
    size_t entities, names, names_skipped, tokens, postings, keys;
    size_t bytes; /* memory held by the index */
} screen_index_stats;

void screen_index_get_stats(const screen_index *idx, screen_index_stats *out);
const screen_config *screen_index_config(const screen_index *idx);
/* The normaliser the index uses (for callers that normalise themselves). */
text_normaliser *screen_index_normaliser(const screen_index *idx);

/* ---- queries ---- */

typedef struct screen_request {
    const char *name;
    screen_type type;         /* SCREEN_TYPE_ANY: all */
    const char *country;      /* NULL or "": none */
    const char *dob;          /* "YYYY" or "YYYY-MM-DD"; NULL or "": none */
    const char *const *lists; /* restrict to these lists; nlists 0: all */
    size_t nlists;
    size_t limit;     /* 0: SCREEN_DEFAULT_LIMIT */
    double threshold; /* < 0: the index's */
    double min_score; /* < 0: the index's */
    int explain;      /* fill screen_hit.explanation */
    /* 0: the index. 1: the brute-force baseline, every query token against
     * every token of every list name. 2: every query token against every
     * list word, then every name holding a similar word. All three give the
     * same scores; 1 and 2 find every hit, the index (tested against them)
     * every alert of the development sets. */
    int full_scan;
} screen_request;

/* Sets the defaults (threshold and min_score from the index). */
void screen_request_init(screen_request *r);

typedef enum screen_how {
    SCREEN_HOW_NONE = 0,
    SCREEN_HOW_EXACT,
    SCREEN_HOW_FUZZY,    /* within the edit budget */
    SCREEN_HOW_VOWELS,   /* within the budget with the same consonant sounds: vowels differ */
    SCREEN_HOW_PHONETIC, /* same consonant skeleton */
    SCREEN_HOW_SCRIPT,   /* consonants of a transliterated abjad name */
    SCREEN_HOW_INITIAL,
    SCREEN_HOW_LEGAL /* the same legal form (counts for almost nothing) */
} screen_how;

const char *screen_how_name(screen_how h);

/* One aligned pair, or an unmatched token (the other side empty). */
typedef struct screen_part {
    char query[2 * TEXT_TOKEN_MAX + 2]; /* "jin+ping" for joined tokens */
    char list[2 * TEXT_TOKEN_MAX + 2];
    double similarity;
    double weight; /* query weight + list weight of the pair */
    screen_how how;
    const char *note; /* "legal form, ignored", "particle", ... or NULL */
} screen_part;

typedef struct screen_qualifier {
    const char *name; /* "dob_match", "dob_mismatch", "country_match", "weak_alias", ... */
    double delta;     /* added to the score; 0 for a factor */
    double factor;    /* multiplied into the name score; 1 for an addition */
    char detail[128];
} screen_qualifier;

#define SCREEN_MAX_PARTS (2 * TEXT_MAX_TOKENS)
#define SCREEN_MAX_QUALIFIERS 8

typedef struct screen_explanation {
    char query[TEXT_MAX_TOKENS * (TEXT_TOKEN_MAX + 1) + 1]; /* normalised tokens */
    char list[TEXT_MAX_TOKENS * (TEXT_TOKEN_MAX + 1) + 1];
    screen_part parts[SCREEN_MAX_PARTS];
    size_t nparts;
    screen_qualifier qualifiers[SCREEN_MAX_QUALIFIERS];
    size_t nqualifiers;
    double name_score; /* before qualifiers */
    double score;
    const char *rule; /* a rule that capped the score, or NULL */
} screen_explanation;

typedef struct screen_hit {
    const char *list; /* points into the index */
    const char *entity_id;
    const char *name;         /* the entity's primary name */
    const char *matched_name; /* the name (primary or alias) that matched */
    screen_name_kind matched_kind;
    int weak;
    screen_type type;
    double score;
    double name_score;
    int alert;
    uint32_t entity_index; /* for screen_explain */
    uint32_t name_index;
    screen_explanation *explanation; /* NULL unless requested */
} screen_hit;

typedef struct screen_result {
    screen_hit *hits; /* best first; ties by list, then entity id */
    size_t nhits;
    char query[TEXT_MAX_TOKENS * (TEXT_TOKEN_MAX + 1) + 1]; /* normalised */
    /* Why there are no hits when the name cannot be screened ("the name has
     * only legal forms and punctuation"), else NULL. */
    const char *notice;
    size_t candidates; /* names scored */
} screen_result;

/* Screens one name. Errors (PH_EUSAGE): invalid UTF-8, name too long, bad
 * DOB, unknown list. A name with nothing to compare gives no hits and a
 * notice. Free the result with screen_result_free. Thread-safe. */
int screen_query(const screen_index *idx, const screen_request *req, screen_result *out,
                 ph_err *err);
void screen_result_free(screen_result *r);

/* Explains one hit of a query: fills *out (recomputed; the same score). */
int screen_explain(const screen_index *idx, const screen_request *req, const screen_hit *hit,
                   screen_explanation *out, ph_err *err);

/* Scores two names against each other without a list. They are peers: the
 * score is the better of name1 as the query against name2 as the list entry
 * and the other way round (so a name with extra words matches the shorter
 * one either way), and the explanation keeps name1 on the query side. Token
 * weights come from idx when given
 * (rarity across its lists), else all words weigh the same; tn is idx's
 * normaliser when NULL. out may be NULL. The verdict is score >= the
 * threshold (screen_index_config, or SCREEN_DEFAULT_THRESHOLD). `type` is
 * accepted for callers that know it (the pairs' schema); the score does not
 * depend on it yet. */
int screen_match_names(const screen_index *idx, text_normaliser *tn, const char *name1,
                       const char *name2, screen_type type, double *score, screen_explanation *out,
                       ph_err *err);

/* ---- similarity functions (exposed for tests and benchmarks) ---- */

double screen_jaro_winkler(const char *a, size_t na, const char *b, size_t nb);
/* Weighted optimal-string-alignment distance: vowel changes, doubled
 * letters, 'h' and confusable consonants cost less than other edits. */
double screen_edit_cost(const char *a, size_t na, const char *b, size_t nb);
/* Edit cost allowed between two tokens, by the length of the longer. */
double screen_edit_budget(size_t longest);
/* Consonant skeleton ("mohammed" -> "mhmd"); returns its length. */
size_t screen_skeleton(const char *s, size_t n, char *out, size_t size);
/* Similarity of two normalised tokens in [0, 1] under cfg (defaults when
 * NULL); 0 below cfg->token_min_similarity. *how says why (may be NULL). */
double screen_token_similarity(const text_token *a, const text_token *b, const screen_config *cfg,
                               screen_how *how);

/* Parses a date of birth as lists write them. Returns 1 and fills the
 * range of years (and month/day when a full date) when a year is found. */
typedef struct screen_date {
    int16_t year_from, year_to;
    int8_t month, day; /* 0 when unknown */
} screen_date;

int screen_date_parse(const char *s, screen_date *out);

/* ---- JSON ---- */
#include <jansson.h>
/* A hit: list, entity_id, name, matched_name, score, alert; with `full`
 * also type, matched_kind, weak_alias, name_score and the explanation. */
json_t *screen_hit_json(const screen_hit *h, int full);
/* A score rounded to four places, as printed everywhere. */
json_t *screen_score_json(double x);
/* "primary", "alias" or "original". */
const char *screen_name_kind_name(screen_name_kind k);
/* The explanation: tokens, name score, each aligned pair and qualifier. */
json_t *screen_explanation_json(const screen_explanation *ex);

#endif
