/*
 * text — turns a party name as written into comparable tokens.
 *
 * "PUTIN, Vladimir Vladimirovich", "Владимир Путин" and "Vladimir Poutine"
 * all become lowercase ASCII tokens ("vladimir", "putin", ...) that the
 * screening engine can compare:
 *   1. the input is checked (valid UTF-8, at most TEXT_MAX_NAME_BYTES);
 *   2. Unicode compatibility composition and case folding (utf8proc);
 *      zero-width and bidirectional control characters are dropped;
 *   3. words in another script than Latin are transliterated with ICU
 *      ("Russian-Latin/BGN; Greek-Latin/UNGEGN; Any-Latin"),
 *      only when such a word is present; accents are removed;
 *   4. punctuation separates words, except apostrophes (O'Brien -> obrien)
 *      and dots inside abbreviations (S.A. -> sa, L.L.C. -> llc); "&" is "and";
 *   5. legal forms ("Limited Liability Company", "OOO", "GmbH", "Co.") are
 *      folded to one canonical token of kind TEXT_LEGAL (table in
 *      data/legal_forms.csv); particles and titles ("al", "bin", "de",
 *      "Mullah") are marked TEXT_PARTICLE (data/name_particles.csv);
 *      abbreviations and plurals of company words ("Intl", "Grp", "Services")
 *      are written out in one form (data/name_abbreviations.csv);
 *   6. "SURNAME, Given" is reordered to "Given SURNAME".
 * Numbers are kept as tokens of kind TEXT_NUMBER; single letters are
 * TEXT_INITIAL.
 *
 * Owns the transliterator (opened on first use, shared, guarded by a mutex
 * so that one normaliser serves concurrent threads) and the two tables.
 * No I/O: the tables are compiled into the binary. Must not know anything
 * about lists, scores or the database.
 */
#ifndef PH_TEXT_H
#define PH_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Longest name accepted, in bytes of UTF-8. Longer queries are refused;
 * list names are cut (TEXT_TRUNCATE). No real name comes near it. */
#define TEXT_MAX_NAME_BYTES 1024
/* Tokens kept per name; the rest are dropped (flag TEXT_NAME_TRUNCATED). */
#define TEXT_MAX_TOKENS 32
/* Longest token, in bytes of ASCII; longer words are cut. */
#define TEXT_TOKEN_MAX 47

typedef enum text_token_kind {
    TEXT_WORD = 0,     /* an ordinary name part */
    TEXT_NUMBER = 1,   /* digits only: must match exactly */
    TEXT_INITIAL = 2,  /* one letter */
    TEXT_PARTICLE = 3, /* article, patronymic marker, preposition or title */
    TEXT_LEGAL = 4     /* a legal form, in canonical spelling ("llc") */
} text_token_kind;

enum text_token_flags {
    /* Transliterated from a script written without short vowels (Arabic,
     * Hebrew, Syriac, Thaana): "mhmd" for محمد. Compare by consonants. */
    TEXT_TOKEN_ABJAD = 1,
    TEXT_TOKEN_HAN = 2,      /* transliterated from Chinese characters or Korean syllables */
    TEXT_TOKEN_TRANSLIT = 4, /* transliterated from any other script than Latin */
    /* A patronymic ("vladimirovich", "borisovna", "ogly", a name after
     * "bin" or "ibn" that does not end the name): often left out of a name
     * as written, so its absence says less than another word's. */
    TEXT_TOKEN_PATRONYMIC = 8
};

typedef struct text_token {
    char text[TEXT_TOKEN_MAX + 1]; /* a-z 0-9 only, NUL-terminated */
    uint8_t len;
    uint8_t kind;  /* text_token_kind */
    uint8_t flags; /* text_token_flags */
} text_token;

enum text_name_flags {
    TEXT_NAME_REORDERED = 1, /* "SURNAME, Given" was turned round */
    TEXT_NAME_TRANSLITERATED = 2,
    TEXT_NAME_TRUNCATED = 4 /* too long or too many tokens: the tail was dropped */
};

typedef struct text_name {
    text_token tokens[TEXT_MAX_TOKENS];
    size_t ntokens;
    unsigned flags; /* text_name_flags */
} text_name;

enum text_options {
    TEXT_TRUNCATE = 1,  /* cut names over TEXT_MAX_NAME_BYTES instead of refusing them */
    TEXT_NO_REORDER = 2 /* keep the order as written even with "SURNAME, Given" */
};

typedef struct text_normaliser text_normaliser;

/* Creates a normaliser with the built-in tables. Fails only if a table is
 * malformed (a build defect). Free with text_normaliser_free. */
int text_normaliser_new(text_normaliser **out, ph_err *err);
void text_normaliser_free(text_normaliser *tn);

/* Normalises the name s[0..len). On success fills *out (ntokens may be 0:
 * a name of punctuation only). Errors (PH_EUSAGE): invalid UTF-8, a NUL
 * byte, or more than TEXT_MAX_NAME_BYTES without TEXT_TRUNCATE.
 * Safe to call from several threads at once on one normaliser. */
int text_normalise_name(text_normaliser *tn, const char *s, size_t len, unsigned options,
                        text_name *out, ph_err *err);

/* Writes the tokens separated by single spaces into out (always
 * terminated); returns the length the full text would have. */
size_t text_name_format(const text_name *name, char *out, size_t size);

/* True when the name has at least one token that can identify someone:
 * a word or a number (not only legal forms, particles and initials). */
int text_name_informative(const text_name *name);

/* The canonical legal form for a token sequence ("limited liability
 * company" -> "llc"), or NULL. For tests and explanations. */
const char *text_legal_form(const text_normaliser *tn, const char *folded);

/* Counts of the built-in tables, for reports. */
size_t text_legal_form_count(const text_normaliser *tn);
size_t text_particle_count(const text_normaliser *tn);

#endif
