/* text — name normalisation. See text.h for the pipeline. */
#include "text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

#include "csv/csv.h"

/* The transliteration chain: language-specific tables first where ICU's
 * generic one gives forms nobody writes in English ("Romaska" for Ромашка,
 * "Alexes" for Αλέξης), then any script to Latin. Accents and other marks
 * are removed afterwards (fold_latin), as for names written in Latin. */
#define TEXT_TRANSLITERATOR "Russian-Latin/BGN; Greek-Latin/UNGEGN; Any-Latin"

/* Raw words before folding. A name of TEXT_MAX_NAME_BYTES has at most half
 * as many words; transliteration can split one word into a few syllables. */
#define RAW_MAX 160
/* Longest legal form, in tokens ("obshchestvo s ogranichennoy otvetstvennostyu"). */
#define LEGAL_MAX_TOKENS 6
/* Particles: most are articles, prepositions or titles; "bin", "ibn",
 * "ould" introduce a father's name. */
enum { PARTICLE_OTHER = 1, PARTICLE_PATRONYMIC = 2 };

/* Bytes of one word kept for folding; the rest of a longer word is dropped. */
#define WORD_MAX_BYTES 256

struct text_normaliser {
    ph_map legal;       /* folded form -> (canonical index << 1) | edge-only */
    ph_map legal_first; /* first token of a form -> longest form starting with it, in tokens */
    char **canonical;
    size_t ncanonical, canonical_cap;
    size_t nforms;
    ph_map particles;     /* folded word -> 1 */
    ph_map abbreviations; /* folded abbreviation -> index in words */
    char **words;
    size_t nwords, words_cap;
    pthread_mutex_t lock; /* guards translit and the Han cache */
    UTransliterator *translit;
    int translit_failed;
    /* Chinese characters are read one at a time; ICU takes ~30 µs a call
     * for them, so each character's reading is kept once found. */
    ph_map han;      /* UTF-8 of one character -> index in han_text */
    char **han_text; /* its reading in ASCII */
    size_t nhan, han_cap;
};

/* Readings kept at most (about every character in common use). */
#define HAN_CACHE_MAX 60000

typedef struct raw_token {
    char text[TEXT_TOKEN_MAX + 1];
    uint8_t len;
    uint8_t flags;
    uint8_t comma_after; /* a comma followed this token */
    uint8_t dot_glued;   /* "s.a": a dot and then directly another token */
    uint16_t word;       /* index of the word it came from */
} raw_token;

typedef struct raw_list {
    raw_token v[RAW_MAX];
    size_t n;
    int truncated;
} raw_list;

/* ---- tables ---- */

static int load_legal_forms(text_normaliser *tn, ph_err *err);
static int load_particles(text_normaliser *tn, ph_err *err);
static int load_abbreviations(text_normaliser *tn, ph_err *err);

int text_normaliser_new(text_normaliser **out, ph_err *err) {
    text_normaliser *tn = ph_calloc(1, sizeof *tn);
    ph_map_init(&tn->legal);
    ph_map_init(&tn->legal_first);
    ph_map_init(&tn->particles);
    ph_map_init(&tn->abbreviations);
    ph_map_init(&tn->han);
    pthread_mutex_init(&tn->lock, NULL);
    /* Particles first: legal forms are folded without them. */
    if (load_particles(tn, err) || load_legal_forms(tn, err) || load_abbreviations(tn, err)) {
        text_normaliser_free(tn);
        return err ? err->rc : PH_ERR;
    }
    *out = tn;
    return PH_OK;
}

void text_normaliser_free(text_normaliser *tn) {
    if (!tn) return;
    ph_map_free(&tn->legal);
    ph_map_free(&tn->legal_first);
    ph_map_free(&tn->particles);
    ph_map_free(&tn->abbreviations);
    for (size_t i = 0; i < tn->nwords; i++)
        free(tn->words[i]);
    free(tn->words);
    for (size_t i = 0; i < tn->ncanonical; i++)
        free(tn->canonical[i]);
    free(tn->canonical);
    if (tn->translit) utrans_close(tn->translit);
    ph_map_free(&tn->han);
    for (size_t i = 0; i < tn->nhan; i++)
        free(tn->han_text[i]);
    free(tn->han_text);
    pthread_mutex_destroy(&tn->lock);
    free(tn);
}

size_t text_legal_form_count(const text_normaliser *tn) {
    return tn->nforms;
}

size_t text_particle_count(const text_normaliser *tn) {
    return tn->particles.count;
}

/* ---- words ---- */

static int is_apostrophe(int32_t cp) {
    switch (cp) {
    case 0x27:
    case 0x60:
    case 0xB4:
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
    case 0x02B9:
    case 0x02BB:
    case 0x02BC:
    case 0x02BD:
    case 0x02BE:
    case 0x02BF:
    case 0x02C8: return 1;
    default: return 0;
    }
}

static int is_comma(int32_t cp) {
    return cp == ',' || cp == 0x060C || cp == 0xFF0C || cp == 0x3001;
}

static int is_word_char(int32_t cp) {
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Latin letters that survive decomposition and mark stripping. */
static const char *latin_extra(int32_t cp) {
    switch (cp) {
    case 0xE6: return "ae";
    case 0xF8: return "o";
    case 0x153: return "oe";
    case 0x142: return "l";
    case 0x111: return "d";
    case 0xF0: return "d";
    case 0xFE: return "th";
    case 0x131: return "i";
    case 0x127: return "h";
    case 0x167: return "t";
    case 0x14B: return "ng";
    case 0xDF: return "ss";
    case 0x138: return "k";
    case 0x17F: return "s";
    case 0x259: return "e";
    case 0x1DD: return "e";
    default: return NULL;
    }
}

static void raw_push(raw_list *raw, const char *text, size_t len, uint8_t flags, uint16_t word) {
    if (len == 0) return;
    if (raw->n == RAW_MAX) {
        raw->truncated = 1;
        return;
    }
    raw_token *t = &raw->v[raw->n++];
    memset(t, 0, sizeof *t);
    if (len > TEXT_TOKEN_MAX) len = TEXT_TOKEN_MAX;
    memcpy(t->text, text, len);
    t->text[len] = '\0';
    t->len = (uint8_t)len;
    t->flags = flags;
    t->word = word;
}

/* Splits ASCII text into alphanumeric runs and pushes each as a token. */
static void push_ascii_runs(raw_list *raw, const char *s, size_t n, uint8_t flags, uint16_t word) {
    char cur[TEXT_TOKEN_MAX + 1];
    size_t len = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : ' ';
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (len < TEXT_TOKEN_MAX) cur[len++] = c;
        } else if (c == '\'') {
            /* joins, as in the source word */
        } else if (len) {
            raw_push(raw, cur, len, flags, word);
            len = 0;
        }
    }
}

static UScriptCode script_of(int32_t cp) {
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(cp, &st);
    return U_FAILURE(st) ? USCRIPT_INVALID_CODE : sc;
}

/* Transliterates one word (UTF-8, composed) to ASCII through ICU. Returns a
 * new string (caller frees) or NULL when ICU is unavailable. */
static char *transliterate(text_normaliser *tn, const char *w, size_t n) {
    UErrorCode st = U_ZERO_ERROR;
    int32_t ulen = 0;
    u_strFromUTF8(NULL, 0, &ulen, w, (int32_t)n, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) return NULL;
    /* Han syllables expand about fourfold; leave room for that. */
    int32_t cap = ulen * 8 + 64;
    UChar *buf = ph_malloc((size_t)cap * sizeof *buf);
    st = U_ZERO_ERROR;
    u_strFromUTF8(buf, cap, &ulen, w, (int32_t)n, &st);
    if (U_FAILURE(st)) {
        free(buf);
        return NULL;
    }
    pthread_mutex_lock(&tn->lock);
    if (!tn->translit && !tn->translit_failed) {
        UChar id[sizeof TEXT_TRANSLITERATOR];
        u_uastrcpy(id, TEXT_TRANSLITERATOR);
        UErrorCode ost = U_ZERO_ERROR;
        tn->translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &ost);
        if (U_FAILURE(ost)) {
            tn->translit = NULL;
            tn->translit_failed = 1;
        }
    }
    int ok = 0;
    if (tn->translit) {
        int32_t limit = ulen;
        st = U_ZERO_ERROR;
        utrans_transUChars(tn->translit, buf, &ulen, cap, 0, &limit, &st);
        ok = U_SUCCESS(st);
    }
    pthread_mutex_unlock(&tn->lock);
    /* ICU writes the Arabic feminine ending (ta marbuta) as "ẗ"; names
     * written in Latin end it in a vowel: أسامة is "usama", not "usamat". */
    for (int32_t i = 0; ok && i < ulen; i++) {
        if (buf[i] == 0x1E97) buf[i] = 'a';
        if (buf[i] == 't' && i + 1 < ulen && buf[i + 1] == 0x0308)
            buf[i] = 'a', buf[i + 1] = 0x200B;
    }
    if (!ok) {
        free(buf);
        return NULL;
    }
    int32_t blen = 0;
    st = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, buf, ulen, &st);
    char *out = ph_malloc((size_t)blen + 1);
    st = U_ZERO_ERROR;
    u_strToUTF8(out, blen + 1, NULL, buf, ulen, &st);
    free(buf);
    if (U_FAILURE(st)) {
        free(out);
        return NULL;
    }
    return out;
}

static int fold_latin(const char *w, size_t n, ph_buf *out);

/* The reading of one Chinese character in ASCII ("xi"), from the cache or
 * ICU. Returns a new string or NULL. */
static char *han_reading(text_normaliser *tn, const char *ch, size_t n) {
    char key[8];
    if (n >= sizeof key) return NULL;
    memcpy(key, ch, n);
    key[n] = '\0';
    int64_t at;
    pthread_mutex_lock(&tn->lock);
    int found = ph_map_get(&tn->han, key, &at);
    char *hit = found ? ph_strdup(tn->han_text[at]) : NULL;
    pthread_mutex_unlock(&tn->lock);
    if (found) return hit;
    char *latin = transliterate(tn, ch, n);
    if (!latin) return NULL;
    ph_buf b;
    ph_buf_init(&b);
    fold_latin(latin, strlen(latin), &b);
    free(latin);
    char *reading = ph_buf_steal(&b);
    pthread_mutex_lock(&tn->lock);
    if (tn->nhan < HAN_CACHE_MAX && !ph_map_get(&tn->han, key, &at)) {
        tn->han_text = ph_grow(tn->han_text, &tn->han_cap, tn->nhan + 1, sizeof *tn->han_text);
        tn->han_text[tn->nhan] = ph_strdup(reading);
        ph_map_put(&tn->han, key, (int64_t)tn->nhan++);
    }
    pthread_mutex_unlock(&tn->lock);
    return reading;
}

/* Removes marks and turns known Latin letters to ASCII. Writes ASCII bytes
 * and spaces to out; returns 1 when some letter could not be folded. */
static int fold_latin(const char *w, size_t n, ph_buf *out) {
    utf8proc_uint8_t *d = NULL;
    utf8proc_ssize_t dn =
        utf8proc_map((const utf8proc_uint8_t *)w, (utf8proc_ssize_t)n, &d,
                     UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD);
    if (dn < 0) return 1;
    int rest = 0;
    for (utf8proc_ssize_t i = 0; i < dn;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(d + i, dn - i, &cp);
        if (l <= 0) break;
        i += l;
        if (cp < 0x80) {
            ph_buf_putc(out, (char)cp);
            continue;
        }
        const char *x = latin_extra(cp);
        if (x) {
            ph_buf_puts(out, x);
        } else if (is_word_char(cp) && utf8proc_category(cp) != UTF8PROC_CATEGORY_LM) {
            rest = 1;
        } else {
            ph_buf_putc(out, ' ');
        }
    }
    free(d);
    return rest;
}

/* Folds one word (composed, case-folded UTF-8) into raw tokens. */
static void fold_word(text_normaliser *tn, const char *w, size_t n, int ascii, uint16_t word,
                      raw_list *raw, int *transliterated) {
    if (ascii) {
        push_ascii_runs(raw, w, n, 0, word);
        return;
    }
    ph_buf b;
    ph_buf_init(&b);
    if (!fold_latin(w, n, &b)) {
        push_ascii_runs(raw, b.data, b.len, 0, word);
        ph_buf_free(&b);
        return;
    }
    /* Another script: find which, then ask ICU. */
    uint8_t flags = TEXT_TOKEN_TRANSLIT;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t l =
            utf8proc_iterate((const utf8proc_uint8_t *)w + i, (utf8proc_ssize_t)(n - i), &cp);
        if (l <= 0) break;
        i += (size_t)l;
        if (cp < 0x250 || !is_word_char(cp)) continue;
        UScriptCode sc = script_of(cp);
        if (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED || sc == USCRIPT_LATIN) continue;
        if (sc == USCRIPT_ARABIC || sc == USCRIPT_HEBREW || sc == USCRIPT_SYRIAC ||
            sc == USCRIPT_THAANA)
            flags |= TEXT_TOKEN_ABJAD;
        else if (sc == USCRIPT_HAN || sc == USCRIPT_HANGUL)
            flags |= TEXT_TOKEN_HAN; /* read one syllable a character */
        break;
    }
    if (flags & TEXT_TOKEN_HAN) {
        /* Characters one by one, each reading a syllable. */
        ph_buf_reset(&b);
        int all_han = 1;
        for (size_t i = 0; i < n && all_han;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t l =
                utf8proc_iterate((const utf8proc_uint8_t *)w + i, (utf8proc_ssize_t)(n - i), &cp);
            UScriptCode sc = l > 0 ? script_of(cp) : USCRIPT_INVALID_CODE;
            if (sc != USCRIPT_HAN && sc != USCRIPT_HANGUL) {
                all_han = 0;
                break;
            }
            char *r = han_reading(tn, w + i, (size_t)l);
            if (!r) {
                all_han = 0;
                break;
            }
            ph_buf_puts(&b, r);
            ph_buf_putc(&b, ' ');
            free(r);
            i += (size_t)l;
        }
        if (all_han) {
            push_ascii_runs(raw, b.data ? b.data : "", b.len, flags, word);
            *transliterated = 1;
            ph_buf_free(&b);
            return;
        }
    }
    char *latin = transliterate(tn, w, n);
    if (latin) {
        ph_buf_reset(&b);
        fold_latin(latin, strlen(latin), &b); /* leftovers are dropped */
        free(latin);
        push_ascii_runs(raw, b.data, b.len, flags, word);
        *transliterated = 1;
    }
    ph_buf_free(&b);
}

/* Splits the composed, case-folded text into words and folds each. */
static void split_words(text_normaliser *tn, const utf8proc_uint8_t *s, utf8proc_ssize_t n,
                        raw_list *raw, int *transliterated) {
    char word[WORD_MAX_BYTES];
    size_t wlen = 0;
    int ascii = 1;
    uint16_t nword = 0;
    for (utf8proc_ssize_t i = 0; i <= n;) {
        utf8proc_int32_t cp = ' ';
        utf8proc_ssize_t l = 1;
        if (i < n) {
            l = utf8proc_iterate(s + i, n - i, &cp);
            if (l <= 0) break;
        }
        if (i < n && is_word_char(cp)) {
            if (wlen + (size_t)l <= sizeof word) {
                memcpy(word + wlen, s + i, (size_t)l);
                wlen += (size_t)l;
                if (cp >= 0x80) ascii = 0;
            }
            i += l;
            continue;
        }
        if (i < n && (is_apostrophe(cp) || utf8proc_category(cp) == UTF8PROC_CATEGORY_CF)) {
            i += l; /* O'Brien, and zero-width characters: no break */
            continue;
        }
        /* A separator: finish the word. */
        size_t before = raw->n;
        if (wlen) {
            fold_word(tn, word, wlen, ascii, nword++, raw, transliterated);
            wlen = 0;
            ascii = 1;
        }
        if (i >= n) break;
        raw_token *last = raw->n ? &raw->v[raw->n - 1] : NULL;
        if (last && is_comma(cp)) last->comma_after = 1;
        if (last && cp == '.' && raw->n > before && i + l < n) {
            utf8proc_int32_t next;
            if (utf8proc_iterate(s + i + l, n - i - l, &next) > 0 && is_word_char(next))
                last->dot_glued = 1;
        }
        if (cp == '&') raw_push(raw, "and", 3, 0, nword++);
        i += l;
    }
}

/* "s.a." -> "sa", "l.l.c." -> "llc": single letters glued by dots. */
static void join_abbreviations(raw_list *raw) {
    size_t w = 0;
    for (size_t i = 0; i < raw->n;) {
        raw_token t = raw->v[i];
        size_t j = i;
        while (j + 1 < raw->n && raw->v[j].len == 1 && raw->v[j].dot_glued &&
               raw->v[j + 1].len == 1 && t.len < TEXT_TOKEN_MAX) {
            j++;
            t.text[t.len++] = raw->v[j].text[0];
            t.text[t.len] = '\0';
            t.comma_after = raw->v[j].comma_after;
            t.dot_glued = raw->v[j].dot_glued;
        }
        raw->v[w++] = t;
        i = j + 1;
    }
    raw->n = w;
}

static void raw_insert(raw_list *raw, size_t at, const raw_token *t) {
    if (raw->n == RAW_MAX) {
        raw->truncated = 1;
        return;
    }
    memmove(&raw->v[at + 1], &raw->v[at], (raw->n - at) * sizeof raw->v[0]);
    raw->v[at] = *t;
    raw->n++;
}

/* Chinese names come as one syllable a character: "xi jin ping". Given
 * names are written as one word in Latin ("Xi Jinping"), so syllables are
 * joined: a name in one word splits 3 as 1 + 2 and 4 as 2 + 2; a name in
 * several words ("建平 张") keeps each word whole ("jianping zhang").
 * Arabic writes the article on the word: "altkryty" -> "al" "tkryty". */
static void regroup_transliterated(raw_list *raw) {
    for (size_t i = 0; i < raw->n; i++) {
        raw_token *t = &raw->v[i];
        /* "عبدالحليم" is written as one word: "bd" "al" "hlym". */
        if (t->flags & TEXT_TOKEN_ABJAD && t->len >= 7 && memcmp(t->text, "bdal", 4) == 0) {
            raw_token rest = *t;
            memmove(rest.text, t->text + 2, (size_t)t->len - 1);
            rest.len = (uint8_t)(t->len - 2);
            t->text[2] = '\0';
            t->len = 2;
            t->comma_after = 0;
            t->dot_glued = 0;
            raw_insert(raw, i + 1, &rest);
            continue; /* the rest starts with "al": split again below */
        }
        if (t->flags & TEXT_TOKEN_ABJAD && t->len >= 5 && t->text[0] == 'a' && t->text[1] == 'l') {
            raw_token rest = *t;
            memmove(rest.text, t->text + 2, (size_t)t->len - 1);
            rest.len = (uint8_t)(t->len - 2);
            t->text[2] = '\0';
            t->len = 2;
            t->comma_after = 0;
            t->dot_glued = 0;
            raw_insert(raw, i + 1, &rest);
            i++;
        }
    }
    size_t han_words = 0, words = 0;
    for (size_t i = 0; i < raw->n; i++) {
        if (i == 0 || raw->v[i].word != raw->v[i - 1].word) {
            words++;
            if (raw->v[i].flags & TEXT_TOKEN_HAN) han_words++;
        }
    }
    for (size_t i = 0; i < raw->n;) {
        size_t j = i;
        while (j < raw->n && (raw->v[j].flags & TEXT_TOKEN_HAN) && raw->v[j].word == raw->v[i].word)
            j++;
        size_t syll = j - i;
        /* One word for the whole name: surname first (one syllable, or two
         * of four), then the given name. A word of its own: all of it. */
        size_t keep_first = words == 1 ? (syll == 3 ? 1 : syll == 4 ? 2 : syll) : 0;
        if (syll >= 2 && syll <= 4 && keep_first < syll) {
            size_t groups[2][2] = {{i, i + keep_first}, {i + keep_first, j}};
            for (size_t g = 0; g < 2; g++) {
                size_t from = groups[g][0], to = groups[g][1];
                if (to - from < 2) continue;
                raw_token *a = &raw->v[from];
                for (size_t k = from + 1; k < to; k++) {
                    raw_token *b = &raw->v[k];
                    size_t room = TEXT_TOKEN_MAX - a->len;
                    size_t add = b->len < room ? b->len : room;
                    memcpy(a->text + a->len, b->text, add);
                    a->len = (uint8_t)(a->len + add);
                    a->text[a->len] = '\0';
                    a->comma_after = b->comma_after;
                    b->len = 0; /* removed below */
                }
            }
        }
        i = j > i ? j : i + 1;
    }
    size_t w = 0;
    for (size_t i = 0; i < raw->n; i++)
        if (raw->v[i].len) raw->v[w++] = raw->v[i];
    raw->n = w;
}

/* Endings of patronymics (Russian, Ukrainian, Belarusian in their usual
 * romanisations; Turkic "ogly", "kyzy", "uly" as separate words). */
static int patronymic(const char *s, size_t n) {
    static const char *const endings[] = {"ovich", "evich", "ovych", "evych", "avich", "ovna",
                                          "evna",  "ichna", "auna",  "euna",  "yevna"};
    static const char *const words[] = {"ogly", "ogli", "oglu", "kyzy",
                                        "qizi", "kizi", "uly",  "uli"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && memcmp(s, words[i], n) == 0) return 1;
    if (n < 7) return 0;
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
        size_t m = strlen(endings[i]);
        if (n > m + 2 && memcmp(s + n - m, endings[i], m) == 0) return 1;
    }
    return 0;
}

static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return n > 0;
}

/* ---- legal forms ---- */

/* Key for tokens [i, i+m): texts joined by single spaces. */
static size_t span_key(const raw_token *v, size_t i, size_t m, char *key, size_t size) {
    size_t len = 0;
    for (size_t k = 0; k < m; k++) {
        if (k && len + 1 < size) key[len++] = ' ';
        for (size_t c = 0; c < v[i + k].len && len + 1 < size; c++)
            key[len++] = v[i + k].text[c];
    }
    key[len] = '\0';
    return len;
}

typedef struct legal_span {
    size_t start, len;
    size_t canonical;
    int edge_only;
    int accepted;
} legal_span;

/* Finds legal forms (longest match from the left) and accepts those allowed
 * anywhere, and edge-only ones at the start or end of the name or next to
 * another accepted form ("gmbh & co kg"). */
static size_t find_legal(const text_normaliser *tn, const raw_token *v, size_t n,
                         legal_span *spans) {
    size_t ns = 0;
    char key[(TEXT_TOKEN_MAX + 1) * LEGAL_MAX_TOKENS + 1];
    for (size_t i = 0; i < n;) {
        int64_t longest = 1;
        ph_map_get(&tn->legal_first, v[i].text, &longest);
        size_t maxm = (size_t)longest < n - i ? (size_t)longest : n - i;
        size_t found = 0;
        int64_t val = 0;
        for (size_t m = maxm; m >= 1 && !found; m--) {
            span_key(v, i, m, key, sizeof key);
            if (ph_map_get(&tn->legal, key, &val)) found = m;
        }
        if (found) {
            spans[ns++] = (legal_span){i, found, (size_t)(val >> 1), (int)(val & 1), !(val & 1)};
            i += found;
        } else {
            i++;
        }
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t k = 0; k < ns; k++) {
            legal_span *s = &spans[k];
            if (s->accepted) continue;
            int at_edge = s->start == 0 || s->start + s->len == n;
            int next_to =
                (k > 0 && spans[k - 1].accepted &&
                 spans[k - 1].start + spans[k - 1].len == s->start) ||
                (k + 1 < ns && spans[k + 1].accepted && s->start + s->len == spans[k + 1].start);
            if (at_edge || next_to) s->accepted = changed = 1;
        }
    }
    return ns;
}

const char *text_legal_form(const text_normaliser *tn, const char *folded) {
    int64_t val;
    if (!ph_map_get(&tn->legal, folded, &val)) return NULL;
    return tn->canonical[val >> 1];
}

/* ---- the pipeline ---- */

/* Raw tokens of s, without legal forms or reordering (used for the tables too). */
static int tokenise(text_normaliser *tn, const char *s, size_t len, unsigned options, raw_list *raw,
                    int *transliterated, ph_err *err) {
    raw->n = 0;
    raw->truncated = 0;
    if (len > TEXT_MAX_NAME_BYTES) {
        if (!(options & TEXT_TRUNCATE))
            return ph_fail(err, PH_EUSAGE, "name is %zu bytes long; at most %d are accepted", len,
                           TEXT_MAX_NAME_BYTES);
        len = TEXT_MAX_NAME_BYTES;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        raw->truncated = 1;
    }
    if (memchr(s, '\0', len)) return ph_fail(err, PH_EUSAGE, "name contains a NUL byte");
    int ascii = 1;
    for (size_t i = 0; i < len && ascii; i++)
        if ((unsigned char)s[i] >= 0x80) ascii = 0;
    if (ascii) {
        /* Most names: composition and case folding are a lowercase. */
        char *lower = ph_malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            lower[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
        split_words(tn, (const utf8proc_uint8_t *)lower, (utf8proc_ssize_t)len, raw,
                    transliterated);
        free(lower);
        join_abbreviations(raw);
        return PH_OK;
    }
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t mn = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m,
                                       UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                                           UTF8PROC_IGNORE | UTF8PROC_LUMP | UTF8PROC_STABLE);
    if (mn < 0) {
        /* Report where the bad byte is, so that a bulk file can be fixed. */
        size_t at = 0;
        while (at < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
                                                  (utf8proc_ssize_t)(len - at), &cp);
            if (l <= 0) break;
            at += (size_t)l;
        }
        return ph_fail(err, PH_EUSAGE, "name is not valid UTF-8 (bad byte at offset %zu)", at);
    }
    split_words(tn, m, mn, raw, transliterated);
    free(m);
    join_abbreviations(raw);
    regroup_transliterated(raw);
    return PH_OK;
}

int text_normalise_name(text_normaliser *tn, const char *s, size_t len, unsigned options,
                        text_name *out, ph_err *err) {
    out->ntokens = 0;
    out->flags = 0;
    raw_list *raw = ph_malloc(sizeof *raw);
    int transliterated = 0;
    int rc = tokenise(tn, s, len, options, raw, &transliterated, err);
    if (rc) {
        free(raw);
        return rc;
    }
    if (transliterated) out->flags |= TEXT_NAME_TRANSLITERATED;
    if (raw->truncated) out->flags |= TEXT_NAME_TRUNCATED;

    legal_span spans[RAW_MAX];
    size_t ns = find_legal(tn, raw->v, raw->n, spans);

    /* Build the tokens, folding accepted legal spans into one each. */
    text_token *tok = ph_malloc(RAW_MAX * sizeof *tok);
    uint8_t comma[RAW_MAX];
    size_t nt = 0, k = 0;
    for (size_t i = 0; i < raw->n;) {
        while (k < ns && spans[k].start + spans[k].len <= i)
            k++;
        text_token *t = &tok[nt];
        memset(t, 0, sizeof *t);
        if (k < ns && spans[k].start == i && spans[k].accepted) {
            const char *c = tn->canonical[spans[k].canonical];
            t->len = (uint8_t)ph_strlcpy(t->text, c, sizeof t->text);
            t->kind = TEXT_LEGAL;
            comma[nt] = raw->v[i + spans[k].len - 1].comma_after;
            i += spans[k].len;
        } else {
            const raw_token *r = &raw->v[i];
            memcpy(t->text, r->text, (size_t)r->len + 1);
            t->len = r->len;
            t->flags = r->flags;
            int64_t dummy;
            if (all_digits(r->text, r->len))
                t->kind = TEXT_NUMBER;
            else if (r->len == 1)
                t->kind = TEXT_INITIAL;
            else if (ph_map_get(&tn->particles, r->text, &dummy))
                t->kind = TEXT_PARTICLE;
            else
                t->kind = TEXT_WORD;
            int64_t word;
            if (t->kind == TEXT_WORD && ph_map_get(&tn->abbreviations, t->text, &word))
                t->len = (uint8_t)ph_strlcpy(t->text, tn->words[word], sizeof t->text);
            if (t->kind == TEXT_WORD && patronymic(r->text, r->len))
                t->flags |= TEXT_TOKEN_PATRONYMIC;
            comma[nt] = r->comma_after;
            i++;
        }
        nt++;
    }
    free(raw);

    /* "SURNAME, Given": one comma inside the name, words after it. */
    size_t first = 0;
    if (!(options & TEXT_NO_REORDER)) {
        size_t commas = 0, at = 0;
        for (size_t i = 0; i + 1 < nt; i++)
            if (comma[i]) {
                commas++;
                at = i;
            }
        int words_after = 0;
        for (size_t i = at + 1; commas == 1 && i < nt; i++)
            if (tok[i].kind == TEXT_WORD || tok[i].kind == TEXT_INITIAL) words_after = 1;
        if (commas == 1 && words_after) {
            first = at + 1;
            out->flags |= TEXT_NAME_REORDERED;
        }
    }
    for (size_t i = 0; i < nt; i++) {
        size_t from = first ? (i < nt - first ? first + i : i - (nt - first)) : i;
        if (out->ntokens == TEXT_MAX_TOKENS) {
            out->flags |= TEXT_NAME_TRUNCATED;
            break;
        }
        out->tokens[out->ntokens++] = tok[from];
    }
    free(tok);
    /* "Usama bin Muhammad bin Awad bin Ladin": the names after "bin" are
     * the father's and grandfather's, except the last (the family name). */
    for (size_t i = 0; i + 2 < out->ntokens; i++) {
        int64_t what;
        if (out->tokens[i].kind == TEXT_PARTICLE && out->tokens[i + 1].kind == TEXT_WORD &&
            ph_map_get(&tn->particles, out->tokens[i].text, &what) && what == PARTICLE_PATRONYMIC)
            out->tokens[i + 1].flags |= TEXT_TOKEN_PATRONYMIC;
    }
    return PH_OK;
}

size_t text_name_format(const text_name *name, char *out, size_t size) {
    size_t len = 0;
    for (size_t i = 0; i < name->ntokens; i++) {
        if (i) {
            if (len + 1 < size) out[len] = ' ';
            len++;
        }
        for (size_t c = 0; c < name->tokens[i].len; c++, len++)
            if (len + 1 < size) out[len] = name->tokens[i].text[c];
    }
    if (size) out[len < size ? len : size - 1] = '\0';
    return len;
}

int text_name_informative(const text_name *name) {
    for (size_t i = 0; i < name->ntokens; i++)
        if (name->tokens[i].kind == TEXT_WORD || name->tokens[i].kind == TEXT_NUMBER) return 1;
    return 0;
}

/* ---- loading the tables ---- */

static int table_open(const char *path, csv_reader **r, ph_err *err) {
    const ph_embedded *f = ph_embedded_find(path);
    if (!f) return ph_fail(err, PH_ERR, "%s is not built into this program", path);
    *r = csv_open_memory(path, f->data, f->len, ',', CSV_QUOTES);
    if (csv_next(*r, err) != 1) {
        csv_close(*r);
        return ph_fail(err, PH_ERR, "%s: no header", path);
    }
    return PH_OK;
}

static int load_particles(text_normaliser *tn, ph_err *err) {
    csv_reader *r;
    if (table_open("data/name_particles.csv", &r, err)) return PH_ERR;
    int col = csv_find(r, "word"), kind = csv_find(r, "kind"), got;
    if (col < 0 || kind < 0) {
        csv_close(r);
        return ph_fail(err, PH_ERR, "data/name_particles.csv: expected columns word,kind");
    }
    while ((got = csv_next(r, err)) == 1) {
        char *f = ph_fold(csv_field(r, (size_t)col));
        int marker = strcmp(csv_field(r, (size_t)kind), "patronymic") == 0;
        if (f && *f) ph_map_put(&tn->particles, f, marker ? PARTICLE_PATRONYMIC : PARTICLE_OTHER);
        free(f);
    }
    csv_close(r);
    return got < 0 ? PH_ERR : PH_OK;
}

static int load_abbreviations(text_normaliser *tn, ph_err *err) {
    const char *path = "data/name_abbreviations.csv";
    csv_reader *r;
    if (table_open(path, &r, err)) return PH_ERR;
    int cw = csv_find(r, "written"), cf = csv_find(r, "word"), got;
    if (cw < 0 || cf < 0) {
        csv_close(r);
        return ph_fail(err, PH_ERR, "%s: expected columns written,word", path);
    }
    while ((got = csv_next(r, err)) == 1) {
        char *w = ph_fold(csv_field(r, (size_t)cw)), *f = ph_fold(csv_field(r, (size_t)cf));
        if (!w || !f || !*w || !*f || strchr(w, ' ') || strchr(f, ' ') ||
            strlen(f) > TEXT_TOKEN_MAX) {
            free(w);
            free(f);
            csv_close(r);
            return ph_fail(err, PH_ERR, "%s:%ld: expected one word on each side", path,
                           csv_line(r));
        }
        tn->words = ph_grow(tn->words, &tn->words_cap, tn->nwords + 1, sizeof *tn->words);
        tn->words[tn->nwords] = f;
        ph_map_put(&tn->abbreviations, w, (int64_t)tn->nwords++);
        free(w);
    }
    csv_close(r);
    return got < 0 ? PH_ERR : PH_OK;
}

static size_t canonical_index(text_normaliser *tn, const char *c) {
    for (size_t i = 0; i < tn->ncanonical; i++)
        if (strcmp(tn->canonical[i], c) == 0) return i;
    tn->canonical =
        ph_grow(tn->canonical, &tn->canonical_cap, tn->ncanonical + 1, sizeof *tn->canonical);
    tn->canonical[tn->ncanonical] = ph_strdup(c);
    return tn->ncanonical++;
}

static int load_legal_forms(text_normaliser *tn, ph_err *err) {
    const char *path = "data/legal_forms.csv";
    csv_reader *r;
    if (table_open(path, &r, err)) return PH_ERR;
    int cf = csv_find(r, "form"), cc = csv_find(r, "canonical"), cw = csv_find(r, "where");
    if (cf < 0 || cc < 0 || cw < 0) {
        csv_close(r);
        return ph_fail(err, PH_ERR, "%s: expected columns form,canonical,where", path);
    }
    raw_list *raw = ph_malloc(sizeof *raw);
    int got, rc = PH_OK;
    while ((got = csv_next(r, err)) == 1) {
        const char *form = csv_field(r, (size_t)cf), *canon = csv_field(r, (size_t)cc),
                   *where = csv_field(r, (size_t)cw);
        int edge = strcmp(where, "edge") == 0;
        int translit = 0;
        if ((!edge && strcmp(where, "any") != 0) || !*canon ||
            tokenise(tn, form, strlen(form), 0, raw, &translit, err) || raw->n == 0 ||
            raw->n > LEGAL_MAX_TOKENS) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: bad legal form '%s' (where is any or edge)", path,
                         csv_line(r), form);
            break;
        }
        char key[(TEXT_TOKEN_MAX + 1) * LEGAL_MAX_TOKENS + 1];
        span_key(raw->v, 0, raw->n, key, sizeof key);
        int64_t old;
        if (ph_map_get(&tn->legal, key, &old)) continue; /* the first spelling wins */
        ph_map_put(&tn->legal, key, (int64_t)(canonical_index(tn, canon) << 1) | edge);
        int64_t longest = 0;
        ph_map_get(&tn->legal_first, raw->v[0].text, &longest);
        if ((int64_t)raw->n > longest)
            ph_map_put(&tn->legal_first, raw->v[0].text, (int64_t)raw->n);
        tn->nforms++;
    }
    free(raw);
    csv_close(r);
    if (got < 0) rc = PH_ERR;
    return rc;
}
