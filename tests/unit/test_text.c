/* text: normalisation of party names. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text/text.h"

static text_normaliser *tn;

static int setup(void **state) {
    (void)state;
    ph_err err = {0};
    return text_normaliser_new(&tn, &err);
}

static int teardown(void **state) {
    (void)state;
    text_normaliser_free(tn);
    return 0;
}

/* Normalises s and returns the tokens joined by spaces (static buffer). */
static const char *norm(const char *s, text_name *out) {
    static char buf[TEXT_MAX_TOKENS * (TEXT_TOKEN_MAX + 1) + 1];
    ph_err err = {0};
    text_name local;
    if (!out) out = &local;
    assert_int_equal(text_normalise_name(tn, s, strlen(s), 0, out, &err), PH_OK);
    text_name_format(out, buf, sizeof buf);
    return buf;
}

static void test_case_accents_punctuation(void **state) {
    (void)state;
    assert_string_equal(norm("  José   María  ÁLVAREZ-Núñez ", NULL), "jose maria alvarez nunez");
    assert_string_equal(norm("O'Brien", NULL), "obrien");
    assert_string_equal(norm("Al-Qa\xe2\x80\x99ida", NULL), "al qaida"); /* right quote */
    assert_string_equal(norm("Łódź Øresund Straße", NULL), "lodz oresund strasse");
    assert_string_equal(norm("Johnson & Johnson", NULL), "johnson and johnson");
    /* Compatibility forms: full-width letters, ligatures. */
    assert_string_equal(norm("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 \xef\xac\x81nance", NULL),
                        "abc finance");
}

static void test_reorder(void **state) {
    (void)state;
    text_name n;
    assert_string_equal(norm("PUTIN, Vladimir Vladimirovich", &n), "vladimir vladimirovich putin");
    assert_true(n.flags & TEXT_NAME_REORDERED);
    /* The part after the comma is only a legal form: not a given name. */
    assert_string_equal(norm("ANGLO-CARIBBEAN CO., LTD.", &n), "anglo caribbean coltd");
    assert_false(n.flags & TEXT_NAME_REORDERED);
    /* Two commas: no guess. */
    assert_string_equal(norm("A, B, C", &n), "a b c");
    assert_false(n.flags & TEXT_NAME_REORDERED);
    ph_err err = {0};
    assert_int_equal(text_normalise_name(tn, "SMITH, John", 11, TEXT_NO_REORDER, &n, &err), PH_OK);
    assert_string_equal(n.tokens[0].text, "smith");
}

static void test_kinds(void **state) {
    (void)state;
    text_name n;
    norm("11420 CORP.", &n);
    assert_int_equal(n.ntokens, 2);
    assert_int_equal(n.tokens[0].kind, TEXT_NUMBER);
    assert_int_equal(n.tokens[1].kind, TEXT_LEGAL);
    assert_string_equal(n.tokens[1].text, "corp");
    norm("Usama bin Ladin", &n);
    assert_int_equal(n.tokens[1].kind, TEXT_PARTICLE);
    norm("J. R. R. Tolkien", &n);
    assert_int_equal(n.tokens[0].kind, TEXT_INITIAL);
    assert_int_equal(n.ntokens, 4);
    /* Letters glued by dots are one abbreviation. */
    assert_string_equal(norm("U.S.A. Trading", NULL), "usa trading");
    assert_string_equal(norm("Mullah Mohammed Omar", &n), "mullah mohammed omar");
    assert_int_equal(n.tokens[0].kind, TEXT_PARTICLE);
    norm("Elena Borisovna Mizulina", &n);
    assert_true(n.tokens[1].flags & TEXT_TOKEN_PATRONYMIC);
    assert_false(n.tokens[0].flags & TEXT_TOKEN_PATRONYMIC);
}

static void test_legal_forms(void **state) {
    (void)state;
    text_name n;
    assert_string_equal(norm("ACME Trading LLC", &n), "acme trading llc");
    assert_int_equal(n.tokens[2].kind, TEXT_LEGAL);
    assert_string_equal(norm("ACME Trading Limited Liability Company", &n), "acme trading llc");
    assert_string_equal(norm("ООО Ромашка", &n), "llc romashka");
    assert_int_equal(n.tokens[0].kind, TEXT_LEGAL);
    assert_string_equal(norm("Empresa S.A. de C.V.", NULL), "empresa sadecv");
    assert_string_equal(norm("Polska Sp. z o.o.", NULL), "polska spzoo");
    assert_string_equal(norm("Siemens Aktiengesellschaft", NULL), "siemens ag");
    /* "SA" and "AG" fold only at the edge of a name. */
    norm("Maria Sa Silva", &n);
    assert_int_equal(n.tokens[1].kind, TEXT_WORD);
    assert_string_equal(text_legal_form(tn, "joint stock company"), "jsc");
    assert_null(text_legal_form(tn, "bank"));
    assert_true(text_legal_form_count(tn) > 100);
    /* Only legal forms: nothing that identifies anyone. */
    norm("CORP", &n);
    assert_false(text_name_informative(&n));
    norm("The Company Limited", &n);
    assert_false(text_name_informative(&n));
    norm("ACME Corp", &n);
    assert_true(text_name_informative(&n));
}

static void test_abbreviations(void **state) {
    (void)state;
    assert_string_equal(norm("Guangzhou Haige Comm Grp", NULL), "guangzhou haige comm group");
    assert_string_equal(norm("CNOOC Energy Tech & Srvces Ltd", NULL),
                        "cnooc energy technology and service ltd");
    assert_string_equal(norm("Acme Holdings Intl", NULL), "acme holding international");
    assert_string_equal(norm("Lukoil Oil Comp", NULL), "lukoil oil co");
}

static void test_scripts(void **state) {
    (void)state;
    text_name n;
    assert_string_equal(norm("Владимир Путин", &n), "vladimir putin");
    assert_true(n.flags & TEXT_NAME_TRANSLITERATED);
    assert_string_equal(norm("Щукин Хабаров", NULL), "shchukin khabarov");
    assert_string_equal(norm("Αλέξης Τσίπρας", NULL), "alexis tsipras");
    /* Chinese: one syllable a character, the given name joined. */
    assert_string_equal(norm("习近平", &n), "xi jinping");
    assert_true(n.tokens[0].flags & TEXT_TOKEN_HAN);
    assert_string_equal(norm("建平 张", NULL), "jianping zhang");
    /* Arabic: no short vowels; the article and "abd al" split off; the
     * feminine ending read as a vowel. */
    assert_string_equal(norm("أسامة بن لادن", &n), "asama bn ladn");
    assert_true(n.tokens[0].flags & TEXT_TOKEN_ABJAD);
    assert_string_equal(norm("صدام حسين التكريتي", NULL), "sdam hsyn al tkryty");
    assert_string_equal(norm("عبدالحليم", NULL), "bd al hlym");
    assert_string_equal(norm("Đặng Thị Ngọc", NULL), "dang thi ngoc");
}

static void test_invisible_and_rtl(void **state) {
    (void)state;
    /* Zero-width space and joiner, soft hyphen, left-to-right and
     * right-to-left marks and embeddings do not split or add anything. */
    assert_string_equal(norm("Mo\xe2\x80\x8bham\xe2\x80\x8dmed", NULL), "mohammed");
    assert_string_equal(norm("Ka\xc2\xadsim", NULL), "kasim");
    assert_string_equal(norm("\xe2\x80\x8f"
                             "محمد"
                             "\xe2\x80\x8e",
                             NULL),
                        "mhmd");
    assert_string_equal(norm("\xe2\x80\xab"
                             "ACME"
                             "\xe2\x80\xac",
                             NULL),
                        "acme");
    assert_string_equal(norm("\xef\xbb\xbf"
                             "ACME",
                             NULL),
                        "acme"); /* byte-order mark */
}

static void test_bad_input(void **state) {
    (void)state;
    text_name n;
    ph_err err = {0};
    /* Invalid UTF-8: an error naming the offset. */
    assert_int_equal(text_normalise_name(tn, "ab\xff", 3, 0, &n, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(text_normalise_name(tn, "\xc3", 1, 0, &n, &err), PH_EUSAGE);
    /* Overlong encoding and surrogates are invalid too. */
    assert_int_equal(text_normalise_name(tn, "\xc0\xaf", 2, 0, &n, &err), PH_EUSAGE);
    assert_int_equal(text_normalise_name(tn, "\xed\xa0\x80", 3, 0, &n, &err), PH_EUSAGE);
    assert_int_equal(text_normalise_name(tn, "a\0b", 3, 0, &n, &err), PH_EUSAGE);
    /* Empty and punctuation only: no tokens, no error. */
    assert_int_equal(text_normalise_name(tn, "", 0, 0, &n, &err), PH_OK);
    assert_int_equal(n.ntokens, 0);
    assert_int_equal(text_normalise_name(tn, ".,;-- ()!", 9, 0, &n, &err), PH_OK);
    assert_int_equal(n.ntokens, 0);
    assert_false(text_name_informative(&n));
    /* 10 kB: refused, or cut with TEXT_TRUNCATE. */
    size_t len = 10 * 1024;
    char *big = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        big[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    big[len] = '\0';
    assert_int_equal(text_normalise_name(tn, big, len, 0, &n, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "1024"));
    assert_int_equal(text_normalise_name(tn, big, len, TEXT_TRUNCATE, &n, &err), PH_OK);
    assert_true(n.flags & TEXT_NAME_TRUNCATED);
    assert_true(n.ntokens <= TEXT_MAX_TOKENS);
    /* One very long word is cut to TEXT_TOKEN_MAX. */
    memset(big, 'x', 500);
    assert_int_equal(text_normalise_name(tn, big, 500, 0, &n, &err), PH_OK);
    assert_int_equal(n.ntokens, 1);
    assert_int_equal(n.tokens[0].len, TEXT_TOKEN_MAX);
    free(big);
}

/* The transliterator is shared: normalise from several threads at once. */
static void *worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 200; i++) {
        text_name n;
        ph_err err = {0};
        const char *s = i % 3 == 0 ? "Владимир Путин" : i % 3 == 1 ? "习近平" : "أسامة بن لادن";
        if (text_normalise_name(tn, s, strlen(s), 0, &n, &err) != PH_OK || n.ntokens < 2)
            return (void *)1;
        char buf[256];
        text_name_format(&n, buf, sizeof buf);
        const char *want = i % 3 == 0   ? "vladimir putin"
                           : i % 3 == 1 ? "xi jinping"
                                        : "asama bn ladn";
        if (strcmp(buf, want) != 0) return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_accents_punctuation),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_legal_forms),
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_invisible_and_rtl),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
