/* calendar: working days over weekends and bank holidays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "calendar/calendar.h"

static int32_t d(const char *s) {
    int32_t v = 0;
    assert_int_equal(ph_date_parse(s, &v), PH_OK);
    return v;
}

static void test_working_days(void **state) {
    (void)state;
    calendar *c;
    ph_err err = {0};
    assert_int_equal(calendar_load(CALENDAR_DEFAULT, &c, &err), PH_OK);
    assert_false(calendar_is_working_day(c, d("2024-12-25")));
    assert_false(calendar_is_working_day(c, d("2024-12-28"))); /* Saturday */
    assert_true(calendar_is_working_day(c, d("2024-12-27")));
    assert_false(calendar_is_working_day(c, d("2026-12-28"))); /* Boxing Day, moved */
    assert_false(calendar_is_working_day(c, d("2022-09-19"))); /* state funeral */
    /* 20 working days from Monday 2 September 2024: no holidays in between. */
    char out[11];
    ph_date_format(calendar_add_working_days(c, d("2024-09-02"), 20), out);
    assert_string_equal(out, "2024-09-30");
    /* Over Christmas 2024: 23 Dec (Mon) + 5 working days skips 25, 26 and 1 Jan. */
    ph_date_format(calendar_add_working_days(c, d("2024-12-23"), 5), out);
    assert_string_equal(out, "2025-01-02");
    assert_int_equal(calendar_working_days_between(c, d("2024-12-23"), d("2025-01-02")), 5);
    assert_int_equal(calendar_working_days_between(c, d("2025-01-02"), d("2024-12-23")), 0);
    /* Easter 2025: Good Friday 18 April, Easter Monday 21 April. */
    assert_false(calendar_is_working_day(c, d("2025-04-18")));
    assert_false(calendar_is_working_day(c, d("2025-04-21")));
    calendar_free(c);
    assert_int_equal(calendar_load("atlantis", &c, &err), PH_ENOTFOUND);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_working_days)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
