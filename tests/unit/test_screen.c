/* screen: similarity functions, scoring, explanations, the index and queries. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "screen/screen.h"

/* ---- a small list: a few real-looking entries, and filler names that make
 * "iran", "trading", "mohammed" and "company" common, as in real lists ---- */

typedef struct fixture_entity {
    const char *list, *id;
    screen_type type;
    const char *names[4];
    int weak_from; /* names from this index on are weak aliases (0 = none) */
    const char *dob, *country;
} fixture_entity;

static const fixture_entity fixture[] = {
    {"un", "TAi.108", SCREEN_PERSON, {"ABDULHAI SALEK"}, 0, "1965", "AF"},
    {"un",
     "QDi.422",
     SCREEN_PERSON,
     {"USAMA BIN LADIN", "أسامة بن لادن", "Abu Abdallah"},
     2,
     "1957-03-10",
     "SA"},
    {"un", "QDe.004", SCREEN_ENTITY, {"AL-QAIDA", "The Base"}, 0, NULL, NULL},
    {"ofac-sdn", "25578", SCREEN_ENTITY, {"BANK MELLI IRAN", "MELLI BANK PLC"}, 0, NULL, "IR"},
    {"ofac-sdn",
     "100",
     SCREEN_PERSON,
     {"PUTIN, Vladimir Vladimirovich", "Владимир Путин"},
     0,
     "1952-10-07",
     "RU"},
    {"ofac-sdn", "101", SCREEN_ENTITY, {"ACME TRADING LLC"}, 0, NULL, "AE"},
    {"ofac-sdn", "102", SCREEN_ENTITY, {"HAMAS"}, 0, NULL, NULL},
    {"ofac-sdn", "103", SCREEN_ENTITY, {"11420 CORP."}, 0, NULL, NULL},
    {"ofac-sdn", "104", SCREEN_PERSON, {"HABBASH, George"}, 0, "1926", NULL},
    {"ofac-sdn", "105", SCREEN_ENTITY, {"EMMA LLC"}, 0, NULL, NULL},
    {"ofac-sdn", "106", SCREEN_VESSEL, {"IRAN SHAHR"}, 0, NULL, "IR"},
    {"ofac-sdn", "107", SCREEN_PERSON, {"XI, Jinping", "习近平"}, 0, NULL, "CN"},
    {"bis-dpl", "dpl-1", SCREEN_TYPE_ANY, {"MOHAMMED ALI TRADING COMPANY"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-2", SCREEN_TYPE_ANY, {"IRAN TRADING COMPANY"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-3", SCREEN_TYPE_ANY, {"PARS IRAN TRADING"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-4", SCREEN_TYPE_ANY, {"MOHAMMED HASSAN"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-5", SCREEN_TYPE_ANY, {"MOHAMMED KARIMI"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-6", SCREEN_TYPE_ANY, {"IRAN AIR"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-7", SCREEN_TYPE_ANY, {"KISH TRADING COMPANY"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-8", SCREEN_TYPE_ANY, {"MOHAMMED RAHIMI", "M. RAHIMI"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-9", SCREEN_TYPE_ANY, {"GENERAL TRADING COMPANY OF IRAN"}, 0, NULL, NULL},
    {"bis-dpl", "dpl-10", SCREEN_TYPE_ANY, {"CORP", "..."}, 0, NULL, NULL},
    {"bis-dpl", "dpl-11", SCREEN_TYPE_ANY, {"Xiu Ling Chen"}, 0, NULL, NULL},
};
#define NFIXTURE (sizeof fixture / sizeof fixture[0])

static screen_index *idx;

static int setup(void **state) {
    (void)state;
    screen_record recs[NFIXTURE];
    screen_name names[NFIXTURE][4];
    const char *dobs[NFIXTURE][1], *countries[NFIXTURE][1];
    for (size_t i = 0; i < NFIXTURE; i++) {
        const fixture_entity *f = &fixture[i];
        size_t n = 0;
        for (; n < 4 && f->names[n]; n++)
            names[i][n] =
                (screen_name){f->names[n], n == 0 ? SCREEN_NAME_PRIMARY : SCREEN_NAME_ALIAS,
                              f->weak_from && (int)n >= f->weak_from};
        dobs[i][0] = f->dob;
        countries[i][0] = f->country;
        recs[i] = (screen_record){f->list, f->id,          f->type,      names[i],          n,
                                  dobs[i], f->dob ? 1 : 0, countries[i], f->country ? 1 : 0};
    }
    ph_err err = {0};
    return screen_index_build(recs, NFIXTURE, NULL, &idx, &err);
}

static int teardown(void **state) {
    (void)state;
    screen_index_free(idx);
    return 0;
}

/* ---- similarity functions ---- */

static void test_jaro_winkler(void **state) {
    (void)state;
    /* The textbook values (Winkler 1990). */
    assert_float_equal(screen_jaro_winkler("martha", 6, "marhta", 6), 0.961, 0.001);
    assert_float_equal(screen_jaro_winkler("dwayne", 6, "duane", 5), 0.840, 0.001);
    assert_float_equal(screen_jaro_winkler("dixon", 5, "dicksonx", 8), 0.813, 0.001);
    assert_float_equal(screen_jaro_winkler("abc", 3, "abc", 3), 1.0, 1e-9);
    assert_float_equal(screen_jaro_winkler("abc", 3, "xyz", 3), 0.0, 1e-9);
    assert_float_equal(screen_jaro_winkler("", 0, "", 0), 1.0, 1e-9);
}

static void test_edit_cost(void **state) {
    (void)state;
    assert_float_equal(screen_edit_cost("putin", 5, "putin", 5), 0.0, 1e-6);
    /* Vowels, doubled letters and h are cheap; consonants are not. */
    assert_float_equal(screen_edit_cost("hasan", 5, "hassan", 6), 0.3, 1e-6);
    assert_float_equal(screen_edit_cost("jon", 3, "john", 4), 0.5, 1e-6);
    assert_float_equal(screen_edit_cost("omar", 4, "umar", 4), 0.5, 1e-6);
    assert_float_equal(screen_edit_cost("kasim", 5, "qasim", 5), 0.6, 1e-6);
    assert_float_equal(screen_edit_cost("salek", 5, "saleh", 5), 1.0, 1e-6);
    assert_float_equal(screen_edit_cost("mohammed", 8, "muhammad", 8), 1.0, 1e-6);
    assert_float_equal(screen_edit_cost("mohamed", 7, "muhammad", 8), 1.3, 1e-6);
    /* A transposition is one edit, not two. */
    assert_float_equal(screen_edit_cost("martha", 6, "marhta", 6), 0.8, 1e-6);
    /* The gender-marking final vowel costs more than another vowel. */
    assert_true(screen_edit_cost("antonio", 7, "antonia", 7) >
                screen_edit_cost("antonio", 7, "antunio", 7));
    /* Symmetric. */
    assert_float_equal(screen_edit_cost("poutine", 7, "putin", 5),
                       screen_edit_cost("putin", 5, "poutine", 7), 1e-6);
    /* The budget grows with length. */
    assert_true(screen_edit_budget(3) < screen_edit_budget(5));
    assert_true(screen_edit_budget(5) < screen_edit_budget(8));
    assert_true(screen_edit_budget(8) < screen_edit_budget(15));
}

static void test_skeleton(void **state) {
    (void)state;
    char s[64];
    screen_skeleton("mohammed", 8, s, sizeof s);
    assert_string_equal(s, "mhmd");
    screen_skeleton("muhammad", 8, s, sizeof s);
    assert_string_equal(s, "mhmd");
    screen_skeleton("catherine", 9, s, sizeof s);
    assert_string_equal(s, "ktrn");
    screen_skeleton("kathryn", 7, s, sizeof s);
    assert_string_equal(s, "ktrn");
    screen_skeleton("gaddafi", 7, s, sizeof s);
    assert_string_equal(s, "kdf");
    screen_skeleton("qadhafi", 7, s, sizeof s);
    assert_string_equal(s, "kdf");
    assert_int_equal(screen_skeleton("aeiou", 5, s, sizeof s), 0);
}

static text_token tok(const char *s, text_token_kind kind, uint8_t flags) {
    text_token t;
    memset(&t, 0, sizeof t);
    t.len = (uint8_t)ph_strlcpy(t.text, s, sizeof t.text);
    t.kind = (uint8_t)kind;
    t.flags = flags;
    return t;
}

static void test_token_similarity(void **state) {
    (void)state;
    screen_how how;
    text_token a = tok("putin", TEXT_WORD, 0), b = tok("poutine", TEXT_WORD, 0);
    double s = screen_token_similarity(&a, &b, NULL, &how);
    assert_true(s >= 0.8 && s < 1.0);
    assert_int_equal(how, SCREEN_HOW_PHONETIC); /* two vowels out, one a final e */
    a = tok("barack", TEXT_WORD, 0), b = tok("barac", TEXT_WORD, 0);
    s = screen_token_similarity(&a, &b, NULL, &how);
    assert_true(s >= 0.85 && s < 1.0);
    assert_int_equal(how, SCREEN_HOW_VOWELS); /* c and k sound the same */
    a = tok("obama", TEXT_WORD, 0), b = tok("obamt", TEXT_WORD, 0);
    s = screen_token_similarity(&a, &b, NULL, &how);
    assert_true(s >= 0.8 && s < 1.0);
    assert_int_equal(how, SCREEN_HOW_FUZZY);
    a = tok("hezbollah", TEXT_WORD, 0), b = tok("hizballah", TEXT_WORD, 0);
    s = screen_token_similarity(&a, &b, NULL, &how);
    assert_int_equal(how, SCREEN_HOW_VOWELS);
    a = tok("catherine", TEXT_WORD, 0), b = tok("kathryn", TEXT_WORD, 0);
    assert_true(screen_token_similarity(&a, &b, NULL, &how) >= 0.8);
    assert_int_equal(how, SCREEN_HOW_PHONETIC);
    /* Short different names: no match at all (no cliff to game). */
    a = tok("kim", TEXT_WORD, 0), b = tok("kin", TEXT_WORD, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    a = tok("bush", TEXT_WORD, 0), b = tok("habbash", TEXT_WORD, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    a = tok("teresa", TEXT_WORD, 0), b = tok("trash", TEXT_WORD, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    /* Numbers match only exactly. */
    a = tok("11420", TEXT_NUMBER, 0), b = tok("11421", TEXT_NUMBER, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    b = tok("11420", TEXT_NUMBER, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 1.0, 1e-9);
    /* Legal forms match their own kind only. */
    a = tok("llc", TEXT_LEGAL, 0), b = tok("llc", TEXT_LEGAL, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 1.0, 1e-9);
    assert_int_equal(how, SCREEN_HOW_LEGAL);
    b = tok("llc", TEXT_WORD, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    /* An initial against a word starting with it. */
    a = tok("j", TEXT_INITIAL, 0), b = tok("john", TEXT_WORD, 0);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.9, 1e-9);
    assert_int_equal(how, SCREEN_HOW_INITIAL);
    /* An abjad transliteration against a Latin spelling: by consonants. */
    a = tok("mhmd", TEXT_WORD, TEXT_TOKEN_ABJAD | TEXT_TOKEN_TRANSLIT),
    b = tok("mohammed", TEXT_WORD, 0);
    assert_true(screen_token_similarity(&a, &b, NULL, &how) >= 0.8);
    assert_int_equal(how, SCREEN_HOW_SCRIPT);
    /* ... but not against a transliteration from another script, where the
     * same consonants mean nothing. */
    a = tok("hsn", TEXT_WORD, TEXT_TOKEN_ABJAD | TEXT_TOKEN_TRANSLIT);
    b = tok("hesen", TEXT_WORD, 0);
    assert_true(screen_token_similarity(&a, &b, NULL, &how) >= 0.8);
    b = tok("hesen", TEXT_WORD, TEXT_TOKEN_HAN | TEXT_TOKEN_TRANSLIT);
    assert_float_equal(screen_token_similarity(&a, &b, NULL, &how), 0.0, 1e-9);
    /* An Arabic article written on the word. */
    a = tok("aldabbas", TEXT_WORD, 0), b = tok("dabbas", TEXT_WORD, 0);
    assert_true(screen_token_similarity(&a, &b, NULL, &how) >= 0.85);
}

/* ---- two names ---- */

static double match(const char *a, const char *b) {
    double s = -1;
    ph_err err = {0};
    assert_int_equal(screen_match_names(idx, NULL, a, b, SCREEN_TYPE_ANY, &s, NULL, &err), PH_OK);
    assert_true(s >= 0 && s <= 1);
    return s;
}

static void test_hard_cases(void **state) {
    (void)state;
    const double t = SCREEN_DEFAULT_THRESHOLD;
    /* Transliteration, order, patronymic left out. */
    assert_true(match("Vladimir Poutine", "PUTIN, Vladimir Vladimirovich") >= t);
    assert_true(match("Владимир Путин", "PUTIN, Vladimir Vladimirovich") >= t);
    assert_true(match("Vladimir Putin", "Владимир Путин") >= t);
    assert_true(match("Osama bin Laden", "USAMA BIN LADIN") >= t);
    assert_true(match("أسامة بن لادن", "USAMA BIN LADIN") >= t);
    assert_true(match("Xi Jinping", "习近平") >= t);
    assert_true(match("Muammar Gaddafi", "QADHAFI, Muammar") >= t);
    /* Word order and a country word missing. */
    assert_true(match("Bank Melli Iran", "Melli Bank") >= t);
    /* Legal forms count for almost nothing, either way. */
    assert_true(match("ACME Trading LLC", "ACME Trading Company") >= t);
    assert_true(match("ACME Trading", "ACME TRADING LLC") >= t);
    /* Typos and joined words. */
    assert_true(match("Barac Obamt", "Barack Obama") >= t);
    assert_true(match("Al Qaeda", "AL-QAIDA") >= t);
    assert_true(match("alqaida", "AL-QAIDA") >= t);
    assert_float_equal(match("Smith John", "John Smith"), 1.0, 1e-9);
    /* Look-alikes that are other people or companies. */
    assert_true(match("George Bush", "HABBASH, George") < t);
    assert_true(match("Emma Daniels", "EMMA LLC") < t);
    assert_true(match("Hamad", "HAMAS") < t);
    /* ... but a one-word name spelt with other vowels is the same name. */
    assert_true(match("Hezbollah", "HIZBALLAH") >= t);
    assert_true(match("Alexandr Lukashenko", "LUKASHENKA, Aliaksandr Ryhoravich") >= t);
    assert_true(match("Iran Trading Company", "KISH TRADING COMPANY") < t);
    assert_true(match("Mohammed Rahimi", "MOHAMMED KARIMI") < t);
    /* Legal forms and numbers never match on their own. */
    assert_float_equal(match("CORP", "11420 CORP."), 0.0, 1e-9);
    assert_float_equal(match("BELLETECH CORP", "11420 CORP."), 0.0, 1e-9);
    assert_true(match("Trading Company", "Trading Company Ltd") > 0.95);
    /* A common word weighs less than a rare one. */
    assert_true(match("Karimi", "MOHAMMED KARIMI") > match("Mohammed", "MOHAMMED KARIMI"));
    /* Russian legal forms written out, in the spellings the lists use. */
    assert_true(match("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'GAZPROM RUSSKAYA'",
                      "GAZPROM RUSSKAYA, OOO") >= t);
    assert_true(match("Otkrytoye Aktsionernoye Obschestvo Tae", "TAE OAO") >= t);
    /* Two names are peers: the longer may come first or second. */
    double ab = match("AL-KHATIB, Mahmoud Daoud Mahmoud", "AL-KHATIB, Mahmoud");
    assert_float_equal(ab, match("AL-KHATIB, Mahmoud", "AL-KHATIB, Mahmoud Daoud Mahmoud"), 1e-9);
    assert_true(ab >= t);
}

static void test_explanation(void **state) {
    (void)state;
    screen_explanation ex;
    double s;
    ph_err err = {0};
    assert_int_equal(screen_match_names(idx, NULL, "Vladimir Poutine",
                                        "PUTIN, Vladimir Vladimirovich", SCREEN_PERSON, &s, &ex,
                                        &err),
                     PH_OK);
    assert_string_equal(ex.query, "vladimir poutine");
    assert_string_equal(ex.list, "vladimir vladimirovich putin");
    int saw_pair = 0, saw_missing = 0;
    for (size_t i = 0; i < ex.nparts; i++) {
        const screen_part *p = &ex.parts[i];
        if (strcmp(p->query, "poutine") == 0 && strcmp(p->list, "putin") == 0) {
            saw_pair = 1;
            assert_int_equal(p->how, SCREEN_HOW_PHONETIC);
            assert_true(p->similarity > 0.8 && p->similarity < 1);
        }
        if (!p->query[0] && strcmp(p->list, "vladimirovich") == 0) saw_missing = 1;
    }
    assert_true(saw_pair);
    assert_true(saw_missing);
    assert_float_equal(ex.score, s, 1e-9);
    /* Scored the other way round (the longer name as the query), the
     * explanation still shows the first name on the query side. */
    assert_int_equal(screen_match_names(idx, NULL, "PUTIN, Vladimir Vladimirovich",
                                        "Vladimir Poutine", SCREEN_PERSON, &s, &ex, &err),
                     PH_OK);
    assert_string_equal(ex.query, "vladimir vladimirovich putin");
    assert_string_equal(ex.list, "vladimir poutine");
    saw_pair = 0;
    for (size_t i = 0; i < ex.nparts; i++)
        if (strcmp(ex.parts[i].query, "putin") == 0 && strcmp(ex.parts[i].list, "poutine") == 0)
            saw_pair = 1;
    assert_true(saw_pair);
    assert_float_equal(ex.score, s, 1e-9);
    /* A legal form alone: the rule says why the score is 0. */
    assert_int_equal(
        screen_match_names(idx, NULL, "CORP", "11420 CORP.", SCREEN_TYPE_ANY, &s, &ex, &err),
        PH_OK);
    assert_float_equal(s, 0.0, 1e-9);
    assert_non_null(ex.rule);
    /* Invalid UTF-8 is an error, not a score. */
    assert_int_equal(screen_match_names(idx, NULL, "\xff", "ACME", SCREEN_TYPE_ANY, &s, NULL, &err),
                     PH_EUSAGE);
}

/* ---- queries ---- */

static screen_result query(const char *name, void (*adjust)(screen_request *)) {
    screen_request q;
    screen_request_init(&q);
    q.name = name;
    q.explain = 1;
    if (adjust) adjust(&q);
    screen_result r;
    ph_err err = {0};
    assert_int_equal(screen_query(idx, &q, &r, &err), PH_OK);
    return r;
}

static void test_query_basic(void **state) {
    (void)state;
    screen_result r = query("Abdulhai Salek", NULL);
    assert_true(r.nhits >= 1);
    assert_string_equal(r.hits[0].list, "un");
    assert_string_equal(r.hits[0].entity_id, "TAi.108");
    assert_true(r.hits[0].alert);
    assert_float_equal(r.hits[0].score, 1.0, 1e-9);
    assert_non_null(r.hits[0].explanation);
    assert_float_equal(r.hits[0].explanation->score, r.hits[0].score, 1e-9);
    screen_result_free(&r);
    /* Typo and reorder. */
    r = query("SALEK, Abdulhay", NULL);
    assert_true(r.nhits >= 1);
    assert_string_equal(r.hits[0].entity_id, "TAi.108");
    assert_true(r.hits[0].alert);
    screen_result_free(&r);
    /* An alias: the hit names the entity and the alias that matched. */
    r = query("Melli Bank PLC", NULL);
    assert_true(r.nhits >= 1);
    assert_string_equal(r.hits[0].entity_id, "25578");
    assert_string_equal(r.hits[0].name, "BANK MELLI IRAN");
    assert_string_equal(r.hits[0].matched_name, "MELLI BANK PLC");
    screen_result_free(&r);
    /* Hits are sorted by score. */
    r = query("Mohammed Rahimi", NULL);
    for (size_t i = 1; i < r.nhits; i++)
        assert_true(r.hits[i - 1].score >= r.hits[i].score);
    screen_result_free(&r);
}

static void with_dob_match(screen_request *q) {
    q->dob = "1965";
}
static void with_dob_mismatch(screen_request *q) {
    q->dob = "1990-01-01";
}
static void with_country_match(screen_request *q) {
    q->country = "AF";
}
static void with_country_mismatch(screen_request *q) {
    q->country = "FR";
}

static void test_qualifiers(void **state) {
    (void)state;
    /* A name one letter off, so that there is room to go up and down. */
    screen_result base = query("Abdulhai Saleck", NULL);
    screen_result up = query("Abdulhai Saleck", with_dob_match);
    screen_result down = query("Abdulhai Saleck", with_dob_mismatch);
    screen_result cup = query("Abdulhai Saleck", with_country_match);
    screen_result cdown = query("Abdulhai Saleck", with_country_mismatch);
    assert_true(base.nhits && up.nhits && down.nhits && cup.nhits && cdown.nhits);
    assert_true(base.hits[0].score < 1.0);
    assert_true(up.hits[0].score > base.hits[0].score);
    assert_true(down.hits[0].score < base.hits[0].score);
    assert_true(cup.hits[0].score > base.hits[0].score);
    assert_true(cdown.hits[0].score < base.hits[0].score);
    const screen_explanation *ex = down.hits[0].explanation;
    assert_int_equal(ex->nqualifiers, 1);
    assert_string_equal(ex->qualifiers[0].name, "dob_mismatch");
    assert_non_null(strstr(ex->qualifiers[0].detail, "1965"));
    screen_result_free(&base);
    screen_result_free(&up);
    screen_result_free(&down);
    screen_result_free(&cup);
    screen_result_free(&cdown);
    /* A weak alias counts less than the same words as a strong one. */
    screen_result weak = query("Abu Abdallah", NULL);
    assert_true(weak.nhits >= 1);
    assert_true(weak.hits[0].weak);
    assert_true(weak.hits[0].score < 1.0);
    screen_result_free(&weak);
}

static void only_vessels(screen_request *q) {
    q->type = SCREEN_VESSEL;
}
static void only_un(screen_request *q) {
    static const char *un[] = {"un"};
    q->lists = un;
    q->nlists = 1;
}
static void limit_one(screen_request *q) {
    q->limit = 1;
    q->min_score = 0.3;
}

static void test_filters(void **state) {
    (void)state;
    screen_result r = query("Iran Shahr", NULL);
    assert_true(r.nhits >= 1);
    assert_string_equal(r.hits[0].entity_id, "106");
    screen_result_free(&r);
    r = query("Bank Melli Iran", only_vessels);
    for (size_t i = 0; i < r.nhits; i++)
        assert_int_not_equal(r.hits[i].type, SCREEN_ENTITY);
    screen_result_free(&r);
    r = query("Bank Melli Iran", only_un);
    for (size_t i = 0; i < r.nhits; i++)
        assert_string_equal(r.hits[i].list, "un");
    screen_result_free(&r);
    r = query("Mohammed Rahimi", limit_one);
    assert_int_equal(r.nhits, 1);
    screen_result_free(&r);
    /* An unknown list is an error naming the loaded ones. */
    screen_request q;
    screen_request_init(&q);
    q.name = "Hamas";
    const char *bad[] = {"nope"};
    q.lists = bad;
    q.nlists = 1;
    screen_result res;
    ph_err err = {0};
    assert_int_equal(screen_query(idx, &q, &res, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "ofac-sdn"));
    q.nlists = 0;
    q.dob = "1965-13-01";
    assert_int_equal(screen_query(idx, &q, &res, &err), PH_EUSAGE);
    q.dob = NULL;
    q.country = "Narnia";
    assert_int_equal(screen_query(idx, &q, &res, &err), PH_EUSAGE);
}

static void test_bad_queries(void **state) {
    (void)state;
    /* Only a legal form, only punctuation, empty: no hits and a notice. */
    const char *nothing[] = {"CORP", "...", "", "Limited Liability Company", "\xe2\x80\x8b"};
    for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++) {
        screen_result r = query(nothing[i], NULL);
        assert_int_equal(r.nhits, 0);
        assert_non_null(r.notice);
        screen_result_free(&r);
    }
    /* Invalid UTF-8 and 10 kB names: errors. */
    screen_request q;
    screen_request_init(&q);
    screen_result r;
    ph_err err = {0};
    q.name = "Hamas\xc3";
    assert_int_equal(screen_query(idx, &q, &r, &err), PH_EUSAGE);
    char *big = malloc(10241);
    memset(big, 'a', 10240);
    big[10240] = '\0';
    q.name = big;
    assert_int_equal(screen_query(idx, &q, &r, &err), PH_EUSAGE);
    free(big);
    /* Right-to-left text with direction marks finds the original-script name. */
    r = query("\xe2\x80\x8f"
              "أسامة بن لادن",
              NULL);
    assert_true(r.nhits >= 1);
    assert_string_equal(r.hits[0].entity_id, "QDi.422");
    screen_result_free(&r);
}

/* The index finds what comparing with every name finds. */
static void test_index_matches_full_scan(void **state) {
    (void)state;
    const char *queries[] = {"Abdulhai Salek",  "Vladimir Poutine", "Bank Melli Iran",
                             "ACME Trading",    "Mohammed",         "Iran Trading",
                             "Usama bin Laden", "George Bush",      "Xi Jinping",
                             "Al Qaeda",        "M Rahimi",         "Kish Co"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0] * 2; i++) {
        for (int mode = 1; mode <= 2; mode++) {
            screen_request q;
            screen_request_init(&q);
            q.name = queries[i / 2];
            q.min_score = i % 2 ? 0.3 : -1; /* a low floor, and the default */
            q.limit = 50;
            screen_result a, b;
            ph_err err = {0};
            assert_int_equal(screen_query(idx, &q, &a, &err), PH_OK);
            q.full_scan = mode;
            assert_int_equal(screen_query(idx, &q, &b, &err), PH_OK);
            assert_int_equal(a.nhits, b.nhits);
            for (size_t h = 0; h < a.nhits; h++) {
                assert_string_equal(a.hits[h].entity_id, b.hits[h].entity_id);
                assert_float_equal(a.hits[h].score, b.hits[h].score, 1e-9);
            }
            screen_result_free(&a);
            screen_result_free(&b);
        }
    }
}

/* A query word matching two list words joined ("Xiuling" / "Xiu Ling"):
 * those two are matched, not extra words of the list name. A bound that
 * counted them as unmatched dropped this hit before it was scored. */
static void test_joined_pair_bound(void **state) {
    (void)state;
    screen_name n[3] = {{"Xiu Ling Chen", SCREEN_NAME_PRIMARY, 0},
                        {"Mohammed Hassan", SCREEN_NAME_PRIMARY, 0},
                        {"Iran Air", SCREEN_NAME_PRIMARY, 0}};
    screen_record r[3] = {{"l", "1", SCREEN_TYPE_ANY, &n[0], 1, NULL, 0, NULL, 0},
                          {"l", "2", SCREEN_TYPE_ANY, &n[1], 1, NULL, 0, NULL, 0},
                          {"l", "3", SCREEN_TYPE_ANY, &n[2], 1, NULL, 0, NULL, 0}};
    screen_index *small;
    ph_err err = {0};
    assert_int_equal(screen_index_build(r, 3, NULL, &small, &err), PH_OK);
    double scores[3];
    for (int mode = 0; mode < 3; mode++) {
        screen_request q;
        screen_request_init(&q);
        q.name = "Xiuling Pan";
        q.full_scan = mode;
        screen_result res;
        assert_int_equal(screen_query(small, &q, &res, &err), PH_OK);
        assert_int_equal(res.nhits, 1);
        scores[mode] = res.hits[0].score;
        screen_result_free(&res);
    }
    assert_float_equal(scores[0], scores[1], 1e-9);
    assert_float_equal(scores[2], scores[1], 1e-9);
    screen_index_free(small);
}

static void *query_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 300; i++) {
        screen_request q;
        screen_request_init(&q);
        q.name = i % 2 ? "Abdulhai Salek" : "Владимир Путин";
        screen_result r;
        ph_err err = {0};
        if (screen_query(idx, &q, &r, &err) || !r.nhits) return (void *)1;
        const char *want = i % 2 ? "TAi.108" : "100";
        int ok = strcmp(r.hits[0].entity_id, want) == 0;
        screen_result_free(&r);
        if (!ok) return (void *)1;
    }
    return NULL;
}

static void test_concurrent_queries(void **state) {
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, query_worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
}

static void test_dates_and_stats(void **state) {
    (void)state;
    screen_date d;
    assert_true(screen_date_parse("1960-06-29", &d));
    assert_int_equal(d.year_from, 1960);
    assert_int_equal(d.month, 6);
    assert_int_equal(d.day, 29);
    assert_true(screen_date_parse("circa 1958", &d));
    assert_int_equal(d.year_from, 1958);
    assert_int_equal(d.day, 0);
    assert_true(screen_date_parse("1955 to 1957", &d));
    assert_int_equal(d.year_from, 1955);
    assert_int_equal(d.year_to, 1957);
    assert_false(screen_date_parse("unknown", &d));
    assert_false(screen_date_parse(NULL, &d));
    screen_index_stats st;
    screen_index_get_stats(idx, &st);
    assert_int_equal(st.entities, NFIXTURE);
    assert_true(st.names_skipped >= 2); /* "CORP" and "..." */
    assert_true(st.bytes > 0);
    assert_int_equal(screen_type_parse("Organization"), SCREEN_ENTITY);
    assert_int_equal(screen_type_parse("individual"), SCREEN_PERSON);
    assert_int_equal(screen_type_parse("spaceship"), -1);
}

static void test_build_errors(void **state) {
    (void)state;
    screen_name n = {"ACME", SCREEN_NAME_PRIMARY, 0};
    screen_record r = {"x", NULL, SCREEN_ENTITY, &n, 1, NULL, 0, NULL, 0};
    screen_index *bad = NULL;
    ph_err err = {0};
    assert_int_equal(screen_index_build(&r, 1, NULL, &bad, &err), PH_EUSAGE);
    assert_null(bad);
    /* Names with invalid UTF-8 are skipped, not fatal; an empty index answers. */
    screen_name broken = {"AC\xffME", SCREEN_NAME_PRIMARY, 0};
    screen_record r2 = {"x", "1", SCREEN_ENTITY, &broken, 1, NULL, 0, NULL, 0};
    assert_int_equal(screen_index_build(&r2, 1, NULL, &bad, &err), PH_OK);
    screen_request q;
    screen_request_init(&q);
    q.name = "ACME";
    screen_result res;
    assert_int_equal(screen_query(bad, &q, &res, &err), PH_OK);
    assert_int_equal(res.nhits, 0);
    screen_result_free(&res);
    screen_index_free(bad);
    assert_int_equal(screen_index_build(NULL, 0, NULL, &bad, &err), PH_OK);
    screen_index_free(bad);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jaro_winkler),
        cmocka_unit_test(test_edit_cost),
        cmocka_unit_test(test_skeleton),
        cmocka_unit_test(test_token_similarity),
        cmocka_unit_test(test_hard_cases),
        cmocka_unit_test(test_explanation),
        cmocka_unit_test(test_query_basic),
        cmocka_unit_test(test_qualifiers),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_index_matches_full_scan),
        cmocka_unit_test(test_joined_pair_bound),
        cmocka_unit_test(test_concurrent_queries),
        cmocka_unit_test(test_dates_and_stats),
        cmocka_unit_test(test_build_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
