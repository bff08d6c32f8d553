/* util, csv and control: the small parsers everything depends on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/control.h"
#include "csv/csv.h"
#include "util/util.h"

static void test_pounds(void **state) {
    (void)state;
    int64_t p;
    assert_int_equal(ph_parse_pounds("12", &p), PH_OK);
    assert_int_equal(p, 1200);
    assert_int_equal(ph_parse_pounds("12.5", &p), PH_OK);
    assert_int_equal(p, 1250);
    assert_int_equal(ph_parse_pounds("0.07", &p), PH_OK);
    assert_int_equal(p, 7);
    assert_int_not_equal(ph_parse_pounds("1.234", &p), PH_OK);
    assert_int_not_equal(ph_parse_pounds("abc", &p), PH_OK);
    assert_int_not_equal(ph_parse_pounds("", &p), PH_OK);
    assert_int_not_equal(ph_parse_pounds("1.", &p), PH_OK);
    assert_int_not_equal(ph_parse_pounds("99999999999999999999", &p), PH_OK);
}

static void test_dates(void **state) {
    (void)state;
    int32_t d;
    assert_int_equal(ph_date_parse("1970-01-01", &d), PH_OK);
    assert_int_equal(d, 0);
    assert_int_equal(ph_date_parse("2024-02-29", &d), PH_OK);
    char out[11];
    ph_date_format(d + 1, out);
    assert_string_equal(out, "2024-03-01");
    assert_int_not_equal(ph_date_parse("2023-02-29", &d), PH_OK);
    assert_int_not_equal(ph_date_parse("2023-13-01", &d), PH_OK);
    assert_int_not_equal(ph_date_parse("2023-1-01", &d), PH_OK);
    assert_int_equal(ph_date_parse("2024-09-02", &d), PH_OK);
    assert_int_equal(ph_date_weekday(d), 0); /* a Monday */
    for (int32_t x = -1000; x < 100000; x += 37) {
        int y, m, dd;
        ph_date_to_ymd(x, &y, &m, &dd);
        assert_int_equal(ph_date_from_ymd(y, m, dd), x);
    }
}

static void test_fold(void **state) {
    (void)state;
    char *f = ph_fold("  Côte   d'Ivoire ");
    assert_string_equal(f, "cote d ivoire");
    free(f);
    f = ph_fold("UNITED-STATES of America");
    assert_string_equal(f, "united states of america");
    free(f);
    f = ph_fold("\xff\xfe");
    assert_null(f);
}

static void test_map(void **state) {
    (void)state;
    ph_map m;
    ph_map_init(&m);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ph_map_put(&m, key, i);
    }
    ph_map_put(&m, "k7", 700);
    int64_t v;
    assert_true(ph_map_get(&m, "k4999", &v));
    assert_int_equal(v, 4999);
    assert_true(ph_map_get(&m, "k7", &v));
    assert_int_equal(v, 700);
    assert_false(ph_map_get(&m, "nope", &v));
    assert_int_equal(m.count, 5000);
    ph_map_free(&m);
}

static void test_buf_limit(void **state) {
    (void)state;
    ph_buf b;
    ph_buf_init(&b);
    b.cap_limit = 4;
    assert_int_equal(ph_buf_puts(&b, "abcd"), PH_OK);
    assert_int_not_equal(ph_buf_puts(&b, "e"), PH_OK);
    assert_string_equal(b.data, "abcd");
    ph_buf_free(&b);
}

static void test_csv_quoting(void **state) {
    (void)state;
    const char *in = "\xef\xbb\xbf"
                     "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z\n";
    csv_reader *r = csv_open_memory("t.csv", in, strlen(in), ',', CSV_QUOTES);
    ph_err err = {0};
    assert_int_equal(csv_next(r, &err), 1);
    assert_string_equal(csv_field(r, 0), "a");
    assert_int_equal(csv_next(r, &err), 1);
    assert_int_equal(csv_line(r), 2);
    assert_string_equal(csv_field(r, 0), "x,1");
    assert_string_equal(csv_field(r, 1), "say \"hi\"");
    assert_int_equal(csv_next(r, &err), 1);
    assert_int_equal(csv_line(r), 4);
    assert_string_equal(csv_field(r, 0), "multi\nline");
    assert_string_equal(csv_field(r, 5), "");
    assert_int_equal(csv_next(r, &err), 0);
    csv_close(r);
}

static void test_csv_errors(void **state) {
    (void)state;
    ph_err err = {0};
    const char *in = "a\n\"open\n";
    csv_reader *r = csv_open_memory("t.csv", in, strlen(in), ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), 1);
    assert_int_equal(csv_next(r, &err), -1);
    assert_string_equal(err.msg, "t.csv:2: quoted field is not closed before the end of the file");
    csv_close(r);
    in = "\"a\"b,c\n";
    r = csv_open_memory("t.csv", in, strlen(in), ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), -1);
    assert_non_null(strstr(err.msg, "t.csv:1: unexpected character after a closing quote"));
    csv_close(r);
    /* A quote left open on line 2 is named there, not where the parser
     * next meets a quote. */
    in = "a,b\n\"open,x\nc,d\ne,\"f\"g\n";
    r = csv_open_memory("t.csv", in, strlen(in), ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), 1);
    assert_int_equal(csv_next(r, &err), -1);
    assert_non_null(strstr(err.msg, "t.csv:2: quoted field is not closed on its line"));
    assert_non_null(strstr(err.msg, "on line 4"));
    csv_close(r);
    /* Too many fields. */
    char *wide = malloc(CSV_MAX_FIELDS * 2 + 10);
    size_t n = 0;
    for (int i = 0; i <= CSV_MAX_FIELDS; i++)
        wide[n++] = ',';
    wide[n++] = '\n';
    r = csv_open_memory("w.csv", wide, n, ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), -1);
    assert_non_null(strstr(err.msg, "more than"));
    csv_close(r);
    free(wide);
}

static void test_csv_field_cap(void **state) {
    (void)state;
    size_t n = CSV_MAX_FIELD + 10;
    char *big = malloc(n);
    memset(big, 'x', n);
    ph_err err = {0};
    csv_reader *r = csv_open_memory("big.csv", big, n, ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), -1);
    assert_non_null(strstr(err.msg, "field longer than"));
    csv_close(r);
    free(big);
}

static void test_ratings(void **state) {
    (void)state;
    char out[CONTROL_RATING_MAX];
    control_rating_display("ml10a", out, sizeof out);
    assert_string_equal(out, "ML10.a");
    control_rating_display("ML10.a", out, sizeof out);
    assert_string_equal(out, "ML10.a");
    control_rating_display("9a008d3", out, sizeof out);
    assert_string_equal(out, "9A008.d.3");
    control_rating_display("5A002", out, sizeof out);
    assert_string_equal(out, "5A002");
    control_rating_display("PL5001b", out, sizeof out);
    assert_string_equal(out, "PL5001.b");
    control_rating_display(" End Use ", out, sizeof out);
    assert_string_equal(out, "End Use");
    control_rating_key("ML10.a", out, sizeof out);
    assert_string_equal(out, "ML10A");
    assert_int_equal(control_regimes_parse("Wassenaar;MTCR"), REGIME_WASSENAAR | REGIME_MTCR);
}

static void test_catalog(void **state) {
    (void)state;
    const ph_embedded *f = ph_embedded_find("data/controls.csv");
    assert_non_null(f);
    control_catalog *c;
    ph_err err = {0};
    assert_int_equal(control_catalog_from_csv(f->name, f->data, f->len, &c, &err), PH_OK);
    assert_true(control_catalog_size(c) > 1000);
    const control_entry *e = control_catalog_find(c, "ml10a");
    assert_non_null(e);
    assert_true(e->military);
    assert_true(control_catalog_is_under(c, "ML10.a", "ML10"));
    assert_false(control_catalog_is_under(c, "ML10.a", "ML1"));
    assert_false(control_catalog_is_under(c, "ML1", "ML10"));
    e = control_catalog_find(c, "1C350");
    assert_non_null(e);
    assert_true(e->regime_bits & REGIME_AUSTRALIA_GROUP);
    assert_false(e->military);
    control_catalog_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pounds),     cmocka_unit_test(test_dates),
        cmocka_unit_test(test_fold),       cmocka_unit_test(test_map),
        cmocka_unit_test(test_buf_limit),  cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_errors), cmocka_unit_test(test_csv_field_cap),
        cmocka_unit_test(test_ratings),    cmocka_unit_test(test_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
