/* screen — similarity of two tokens: weighted edit distance, Jaro-Winkler,
 * consonant skeletons. Tokens are short ASCII strings (TEXT_TOKEN_MAX), so
 * everything works on the stack without allocation. */
#include <string.h>

#include "screen.h"
#include "screen_internal.h"

/* ---- Jaro-Winkler ---- */

#define JW_PREFIX_SCALE 0.1
#define JW_PREFIX_MAX 4

double screen_jaro_winkler(const char *a, size_t na, const char *b, size_t nb) {
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0) return 0.0;
    if (na > TEXT_TOKEN_MAX * 2 + 1) na = TEXT_TOKEN_MAX * 2 + 1;
    if (nb > TEXT_TOKEN_MAX * 2 + 1) nb = TEXT_TOKEN_MAX * 2 + 1;
    size_t window = (na > nb ? na : nb) / 2;
    window = window ? window - 1 : 0;
    unsigned char ma[TEXT_TOKEN_MAX * 2 + 2] = {0}, mb[TEXT_TOKEN_MAX * 2 + 2] = {0};
    size_t matches = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < nb ? i + window + 1 : nb;
        for (size_t j = lo; j < hi; j++) {
            if (mb[j] || a[i] != b[j]) continue;
            ma[i] = mb[j] = 1;
            matches++;
            break;
        }
    }
    if (!matches) return 0.0;
    size_t half_transpositions = 0;
    for (size_t i = 0, j = 0; i < na; i++) {
        if (!ma[i]) continue;
        while (!mb[j])
            j++;
        if (a[i] != b[j]) half_transpositions++;
        j++;
    }
    double m = (double)matches;
    double jaro =
        (m / (double)na + m / (double)nb + (m - (double)half_transpositions / 2.0) / m) / 3.0;
    size_t prefix = 0;
    while (prefix < JW_PREFIX_MAX && prefix < na && prefix < nb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * JW_PREFIX_SCALE * (1.0 - jaro);
}

/* ---- weighted edit distance ---- */

/* Costs of the edits that change a name the least: transliteration
 * variants differ in vowels ("muhammad"/"mohammed"), doubled letters
 * ("hassan"/"hasan") and an 'h' ("jon"/"john", "mohamed"/"muhamed"). */
#define COST_VOWEL_SUBSTITUTION 0.5
#define COST_CONFUSABLE_SUBSTITUTION 0.6
#define COST_DOUBLED_LETTER 0.3
#define COST_H 0.5
#define COST_VOWEL_INDEL 0.6
#define COST_TRANSPOSITION 0.8
#define COST_FINAL_VOWEL 0.9
/* Costs are summed in single precision: compare with a margin. */
#define COST_EPSILON 1e-4
#define COST_DEFAULT 1.0

static int is_vowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

#define L(c) (1u << ((c) - 'a'))
/* For each letter, the letters it is often written for (c/k/q, s/z, v/w...). */
static const uint32_t confusable_with[26] = {
    ['b' - 'a'] = L('p'),
    ['c' - 'a'] = L('k') | L('q') | L('s'),
    ['d' - 'a'] = L('t'),
    ['f' - 'a'] = L('v'),
    ['g' - 'a'] = L('j') | L('k'),
    ['i' - 'a'] = L('j'),
    ['j' - 'a'] = L('g') | L('y') | L('i') | L('z'),
    ['k' - 'a'] = L('c') | L('q') | L('g') | L('x'),
    ['p' - 'a'] = L('b'),
    ['q' - 'a'] = L('c') | L('k'),
    ['s' - 'a'] = L('c') | L('z'),
    ['t' - 'a'] = L('d'),
    ['u' - 'a'] = L('w'),
    ['v' - 'a'] = L('w') | L('f'),
    ['w' - 'a'] = L('v') | L('u'),
    ['x' - 'a'] = L('k'),
    ['y' - 'a'] = L('j'),
    ['z' - 'a'] = L('s') | L('j'),
};
#undef L

static int confusable(char a, char b) {
    if (a < 'a' || a > 'z' || b < 'a' || b > 'z') return 0;
    return (confusable_with[a - 'a'] >> (b - 'a')) & 1;
}

static float substitution_cost(char a, char b) {
    if (a == b) return 0.0f;
    if (is_vowel(a) && is_vowel(b)) return (float)COST_VOWEL_SUBSTITUTION;
    if (confusable(a, b)) return (float)COST_CONFUSABLE_SUBSTITUTION;
    return (float)COST_DEFAULT;
}

/* Cost of removing s[i] from s (or inserting it, by symmetry). A final
 * vowel often marks gender (Antonio/Antonia, Daniel/Daniela): it costs more. */
static float indel_cost(const char *s, size_t n, size_t i) {
    char c = s[i];
    if ((i > 0 && s[i - 1] == c) || (i + 1 < n && s[i + 1] == c)) return (float)COST_DOUBLED_LETTER;
    if (c == 'h') return (float)COST_H;
    if (is_vowel(c))
        return i + 1 == n && n >= 4 ? (float)COST_FINAL_VOWEL : (float)COST_VOWEL_INDEL;
    return (float)COST_DEFAULT;
}

double sc_edit_cost_bounded(const char *a, size_t na, const char *b, size_t nb, double limit) {
    enum { MAXN = TEXT_TOKEN_MAX * 2 + 2 };
    if (na >= MAXN) na = MAXN - 1;
    if (nb >= MAXN) nb = MAXN - 1;
    float ia[MAXN], ib[MAXN];
    for (size_t i = 0; i < na; i++)
        ia[i] = indel_cost(a, na, i);
    for (size_t j = 0; j < nb; j++)
        ib[j] = indel_cost(b, nb, j);
    /* The gender-marking final vowel also costs more to change. */
    int final_a = na >= 4 && is_vowel(a[na - 1]), final_b = nb >= 4 && is_vowel(b[nb - 1]);
    float prev2[MAXN], prev[MAXN], cur[MAXN];
    prev[0] = 0;
    for (size_t j = 1; j <= nb; j++)
        prev[j] = prev[j - 1] + ib[j - 1];
    for (size_t i = 1; i <= na; i++) {
        cur[0] = prev[0] + ia[i - 1];
        float row_min = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            float del = prev[j] + ia[i - 1];
            float ins = cur[j - 1] + ib[j - 1];
            float sc = substitution_cost(a[i - 1], b[j - 1]);
            if (sc > 0 && i == na && j == nb && final_a && final_b && sc < (float)COST_FINAL_VOWEL)
                sc = (float)COST_FINAL_VOWEL;
            float sub = prev[j - 1] + sc;
            float best = del < ins ? del : ins;
            if (sub < best) best = sub;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                a[i - 1] != a[i - 2]) {
                float tr = prev2[j - 2] + (float)COST_TRANSPOSITION;
                if (tr < best) best = tr;
            }
            cur[j] = best;
            if (best < row_min) row_min = best;
        }
        if (row_min > limit) return row_min; /* every path already costs more */
        memcpy(prev2, prev, (nb + 1) * sizeof prev[0]);
        memcpy(prev, cur, (nb + 1) * sizeof prev[0]);
    }
    return prev[nb];
}

double screen_edit_cost(const char *a, size_t na, const char *b, size_t nb) {
    return sc_edit_cost_bounded(a, na, b, nb, 1e9);
}

double screen_edit_budget(size_t longest) {
    if (longest <= 3) return 0.5;
    if (longest <= 4) return 0.6;
    if (longest <= 5) return 1.0;
    if (longest <= 8) return 1.3;
    if (longest <= 12) return 1.9;
    return 3.0;
}

/* ---- consonant skeleton ---- */

/* Letters grouped by sound for skeletons and first-letter checks. */
static char sound_class(char c) {
    switch (c) {
    case 'c':
    case 'k':
    case 'q':
    case 'g':
    case 'x': return 'k';
    case 'z': return 's';
    case 'v': return 'f';
    default: return c;
    }
}

int sc_article_stripped(const char *s, size_t n) {
    if (n < ARTICLE_WORD_MIN + 2 || !(s[0] == 'a' || s[0] == 'e') || s[1] != 'l') return 0;
    return !is_vowel(s[2]);
}

/* Whether `longer` is `shorter` with "al" or "el" in front. */
static int article_prefixed(const sc_tokview *longer, const sc_tokview *shorter) {
    return longer->len == shorter->len + 2 && sc_article_stripped(longer->text, longer->len) &&
           memcmp(longer->text + 2, shorter->text, shorter->len) == 0;
}

/* The class of a first letter: vowels are one class ("omar"/"umar"). */
static char first_sound(char c) {
    return is_vowel(c) ? 'a' : sound_class(c);
}

static int skeleton_drops(char c) {
    return is_vowel(c) || c == 'w';
}

size_t screen_skeleton(const char *s, size_t n, char *out, size_t size) {
    size_t len = 0;
    if (!size) return 0;
    char last = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (skeleton_drops(c)) {
            last = 0; /* "hassan" keeps both s, "hasan" too: doubles collapse only when adjacent */
            continue;
        }
        /* A digraph's h is silent: kh, sh, th, dh, gh, ch, zh; ph is f. */
        if (c == 'h' && i > 0 && strchr("ckstdgzp", s[i - 1])) {
            if (s[i - 1] == 'p' && len) out[len - 1] = 'f', last = 'f';
            continue;
        }
        if (c == 'x') { /* "alexandr" / "aliaksandr" */
            if (last != 'k' && len + 1 < size) out[len++] = 'k';
            c = 's';
            last = 'k';
        }
        char k = sound_class(c);
        if (k == last) continue;
        if (len + 1 < size) out[len++] = k;
        last = k;
    }
    out[len] = '\0';
    return len;
}

/* ---- token similarity ---- */

const char *screen_how_name(screen_how h) {
    switch (h) {
    case SCREEN_HOW_EXACT: return "exact";
    case SCREEN_HOW_FUZZY: return "fuzzy";
    case SCREEN_HOW_VOWELS: return "same consonants";
    case SCREEN_HOW_PHONETIC: return "phonetic";
    case SCREEN_HOW_SCRIPT: return "transliteration";
    case SCREEN_HOW_INITIAL: return "initial";
    case SCREEN_HOW_LEGAL: return "legal form";
    default: return "none";
    }
}

/* The token similarity blends the edit similarity (how much was changed)
 * with Jaro-Winkler (how well the beginnings agree); edits weigh more. */
#define EDIT_SHARE 0.75
/* Phonetic matches need an edit cost within this multiple of the budget. */
#define PHONETIC_BUDGET_FACTOR 1.5
/* Same consonants across an abjad: a little above a phonetic match (the
 * vowels are missing, not different); one consonant apart: a little below. */
#define SCRIPT_BONUS 0.05
/* Short words differ mostly in vowels across transliterations
 * ("tayr"/"teir", "naif"/"nayef"): two consonants alike suffice up to this
 * length. */
#define SHORT_PHONETIC_MAX 5
/* A word with the article written on: as similar as one cheap edit. */
#define ARTICLE_SIMILARITY 0.9

static int wordlike(uint8_t kind) {
    return kind == TEXT_WORD || kind == TEXT_PARTICLE;
}

double sc_word_similarity(const sc_tokview *a, const sc_tokview *b, const screen_config *cfg,
                          screen_how *how) {
    size_t na = a->len, nb = b->len;
    if (na == nb && memcmp(a->text, b->text, na) == 0) {
        *how = SCREEN_HOW_EXACT;
        return 1.0;
    }
    double best = 0.0;
    screen_how best_how = SCREEN_HOW_NONE;
    size_t longest = na > nb ? na : nb;
    double budget = screen_edit_budget(longest);
    /* Sounding alike is only believed for spellings that are not too far
     * apart ("catherine"/"kathryn", not "teresa"/"trash"). */
    double limit = budget * PHONETIC_BUDGET_FACTOR;
    double cost = sc_edit_cost_bounded(a->text, na, b->text, nb, limit);
    int same_skeleton =
        a->skel_len == b->skel_len && a->skel_len > 0 && memcmp(a->skel, b->skel, a->skel_len) == 0;
    if (cost <= budget + COST_EPSILON) {
        double s = EDIT_SHARE * (1.0 - cost / (double)longest) +
                   (1.0 - EDIT_SHARE) * screen_jaro_winkler(a->text, na, b->text, nb);
        /* The same consonants within the budget: the spellings differ in
         * vowels only ("hezbollah"/"hizballah"), as transliterations do. */
        screen_how h = same_skeleton && a->skel_len >= SC_SKELETON_KEY_MIN ? SCREEN_HOW_VOWELS
                                                                           : SCREEN_HOW_FUZZY;
        if (s > best) best = s, best_how = h;
    }
    /* An Arabic article written onto the word: "aldabbas" for "dabbas". */
    if (!a->joined && !b->joined && article_prefixed(na > nb ? a : b, na > nb ? b : a) &&
        ARTICLE_SIMILARITY > best)
        best = ARTICLE_SIMILARITY, best_how = SCREEN_HOW_FUZZY;
    int abjad_a = a->flags & TEXT_TOKEN_ABJAD, abjad_b = b->flags & TEXT_TOKEN_ABJAD;
    /* Consonants of a name written in an abjad against a name written in
     * Latin (or in an abjad): not against a transliteration from another
     * script, where shared consonants mean nothing. */
    int script_pair = !a->joined && !b->joined &&
                      ((abjad_a && (abjad_b || !(b->flags & TEXT_TOKEN_TRANSLIT))) ||
                       (abjad_b && !(a->flags & TEXT_TOKEN_TRANSLIT)));
    if (script_pair) {
        /* Written without short vowels: only consonants can be compared.
         * The latinised side may carry vowels the other lacks, not more. */
        size_t shorter = na < nb ? na : nb;
        /* An abjad writes a leading vowel (alif): the other side has one too. */
        int lead_ok = !(abjad_a && is_vowel(a->text[0]) && !is_vowel(b->text[0])) &&
                      !(abjad_b && is_vowel(b->text[0]) && !is_vowel(a->text[0]));
        if (same_skeleton && lead_ok && longest <= 2 * shorter + 2 &&
            (a->skel_len >= 2 || longest <= 3)) {
            double s = cfg->phonetic_similarity + (a->skel_len >= 3 ? SCRIPT_BONUS : 0);
            if (s > best) best = s, best_how = SCREEN_HOW_SCRIPT;
        } else if (lead_ok && a->skel_len >= 3 && b->skel_len >= 3 &&
                   sc_edit_cost_bounded(a->skel, a->skel_len, b->skel, b->skel_len,
                                        COST_CONFUSABLE_SUBSTITUTION) <=
                       COST_CONFUSABLE_SUBSTITUTION + COST_EPSILON) {
            if (cfg->phonetic_similarity - SCRIPT_BONUS > best)
                best = cfg->phonetic_similarity - SCRIPT_BONUS, best_how = SCREEN_HOW_SCRIPT;
        }
    } else if (same_skeleton &&
               (a->skel_len >= 3 || (a->skel_len == 2 && longest <= SHORT_PHONETIC_MAX)) &&
               cost <= limit + COST_EPSILON && !(abjad_a || abjad_b) && !a->joined && !b->joined &&
               first_sound(a->text[0]) == first_sound(b->text[0])) {
        if (cfg->phonetic_similarity > best)
            best = cfg->phonetic_similarity, best_how = SCREEN_HOW_PHONETIC;
    }
    if (best < cfg->token_min_similarity) {
        *how = SCREEN_HOW_NONE;
        return 0.0;
    }
    *how = best_how;
    return best;
}

double sc_view_similarity(const sc_tokview *a, const sc_tokview *b, const screen_config *cfg,
                          screen_how *how) {
    *how = SCREEN_HOW_NONE;
    if (a->kind == TEXT_LEGAL || b->kind == TEXT_LEGAL) {
        if (a->kind == b->kind && a->len == b->len && memcmp(a->text, b->text, a->len) == 0) {
            *how = SCREEN_HOW_LEGAL;
            return 1.0;
        }
        return 0.0;
    }
    if (a->kind == TEXT_NUMBER || b->kind == TEXT_NUMBER) {
        if (a->kind == b->kind && a->len == b->len && memcmp(a->text, b->text, a->len) == 0) {
            *how = SCREEN_HOW_EXACT;
            return 1.0;
        }
        return 0.0;
    }
    if (a->kind == TEXT_INITIAL || b->kind == TEXT_INITIAL) {
        if (a->text[0] != b->text[0]) return 0.0;
        if (a->kind == b->kind) {
            *how = SCREEN_HOW_EXACT;
            return 1.0;
        }
        *how = SCREEN_HOW_INITIAL;
        return cfg->initial_similarity;
    }
    if (!wordlike(a->kind) || !wordlike(b->kind)) return 0.0;
    return sc_word_similarity(a, b, cfg, how);
}

double screen_token_similarity(const text_token *a, const text_token *b, const screen_config *cfg,
                               screen_how *how) {
    screen_config defaults;
    screen_how dummy;
    if (!how) how = &dummy;
    if (!cfg) {
        screen_config_default(&defaults);
        cfg = &defaults;
    }
    char sa[TEXT_TOKEN_MAX + 1], sb[TEXT_TOKEN_MAX + 1];
    sc_tokview va = {a->text, a->len,   sa, screen_skeleton(a->text, a->len, sa, sizeof sa),
                     a->kind, a->flags, 0};
    sc_tokview vb = {b->text, b->len,   sb, screen_skeleton(b->text, b->len, sb, sizeof sb),
                     b->kind, b->flags, 0};
    return sc_view_similarity(&va, &vb, cfg, how);
}
