/* The pure rules of formal concerns: durations, deadlines and the
 * timeline, receipt codes, texts, what a concern is about, statistics with
 * small-number suppression, and the limiter of wrong receipt codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "concern/concern.h"

static int32_t day(const char *s) {
    int32_t d;
    assert_int_equal(ph_date_parse(s, &d), PH_OK);
    return d;
}

static void assert_day(int32_t d, const char *want) {
    char s[11];
    assert_true(d != CONCERN_NO_DATE);
    ph_date_format(d, s);
    assert_string_equal(s, want);
}

static void test_durations(void **state) {
    (void)state;
    ph_err err = {0};
    concern_duration d;
    assert_int_equal(concern_duration_parse("7d", &d, &err), PH_OK);
    assert_int_equal(d.n, 7);
    assert_int_equal(d.unit, CONCERN_DAYS);
    assert_int_equal(concern_duration_parse("30wd", &d, &err), PH_OK);
    assert_int_equal(d.unit, CONCERN_WORKING_DAYS);
    assert_int_equal(concern_duration_parse("none", &d, &err), PH_OK);
    assert_int_equal(d.n, 0);
    const char *bad[] = {"",      "d",    "7",   "7x",   "-1d",         "0d",
                         "3651d", "121m", "7 d", "1e3d", "99999999999d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!*bad[i]) continue; /* "" means none */
        assert_int_equal(concern_duration_parse(bad[i], &d, &err), PH_EUSAGE);
    }
    char text[16];
    concern_duration_parse("3m", &d, &err);
    concern_duration_format(&d, text, sizeof text);
    assert_string_equal(text, "3m");

    calendar *ew, *us;
    assert_int_equal(calendar_load("england-and-wales", &ew, &err), PH_OK);
    assert_int_equal(calendar_load("united-states-federal", &us, &err), PH_OK);
    /* Months: the same day, or the end of a shorter month. */
    concern_duration_parse("3m", &d, &err);
    assert_day(concern_duration_add(ew, day("2026-01-06"), &d), "2026-04-06");
    assert_day(concern_duration_add(ew, day("2025-11-30"), &d), "2026-02-28");
    assert_day(concern_duration_add(ew, day("2023-11-30"), &d), "2024-02-29");
    concern_duration_parse("1m", &d, &err);
    assert_day(concern_duration_add(ew, day("2026-12-15"), &d), "2027-01-15");
    /* Working days skip weekends and the calendar's holidays. */
    concern_duration_parse("2wd", &d, &err);
    assert_day(concern_duration_add(us, day("2026-07-02"), &d), "2026-07-07"); /* 3 July observed */
    assert_day(concern_duration_add(ew, day("2026-07-02"), &d), "2026-07-06");
    assert_day(concern_duration_add(ew, day("2026-12-24"), &d),
               "2026-12-30"); /* Christmas, Boxing Day (Mon 28) */
    concern_duration_parse("7d", &d, &err);
    assert_int_equal(concern_duration_add(ew, CONCERN_NO_DATE, &d), CONCERN_NO_DATE);
    calendar_free(ew);
    calendar_free(us);
}

static void test_us_calendar(void **state) {
    (void)state;
    ph_err err = {0};
    calendar *us;
    assert_int_equal(calendar_load("united-states-federal", &us, &err), PH_OK);
    const char *holidays[] = {"2021-06-18", "2021-12-31", "2022-12-26",
                              "2026-01-19", "2026-11-26", "2025-01-09"};
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++)
        assert_false(calendar_is_working_day(us, day(holidays[i])));
    assert_true(calendar_is_working_day(
        us, day("2020-06-19"))); /* before Juneteenth was a federal holiday */
    assert_true(calendar_is_working_day(us, day("2026-08-31"))); /* a UK bank holiday only */
    calendar_free(us);
}

static void settings(concern_settings *s, const char *preset) {
    ph_err err = {0};
    assert_int_equal(concern_settings_preset(preset, s, &err), PH_OK);
}

static void test_settings(void **state) {
    (void)state;
    concern_settings s;
    ph_err err = {0};
    settings(&s, "eu-directive");
    assert_int_equal(s.acknowledge_within.n, 7);
    assert_int_equal(s.respond_within.unit, CONCERN_MONTHS);
    assert_int_equal(s.nchain, 3);
    assert_string_equal(s.chain[2], "civil_service_commission");
    assert_int_equal(s.stats_min_count, 3);
    char v[256];
    assert_int_equal(concern_settings_value(&s, "escalation_chain", v, sizeof v, &err), PH_OK);
    assert_string_equal(v, "line_manager,nominated_officer,civil_service_commission");
    assert_int_equal(concern_settings_apply(&s, "escalation_chain", " a , b_2 ", &err), PH_OK);
    assert_int_equal(s.nchain, 2);
    assert_string_equal(s.chain[1], "b_2");
    assert_int_equal(concern_settings_apply(&s, "escalation_chain", "a,a", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_apply(&s, "escalation_chain", "A", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_apply(&s, "escalation_chain", "", &err), PH_EUSAGE);
    assert_int_equal(s.nchain, 2); /* a refused value changes nothing */
    assert_int_equal(concern_settings_apply(&s, "calendar", "narnia", &err), PH_ENOTFOUND);
    assert_int_equal(concern_settings_apply(&s, "acknowledge_within", "none", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_apply(&s, "stats_min_count", "1", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_apply(&s, "block_finalising", "maybe", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_apply(&s, "colour", "red", &err), PH_EUSAGE);
    assert_int_equal(concern_settings_preset("nowhere", &s, &err), PH_EUSAGE);
    for (const char *const *p = concern_presets; *p; p++)
        settings(&s, *p);
    settings(&s, "us-dissent-channel");
    assert_string_equal(s.calendar, "united-states-federal");
    assert_int_equal(s.respond_extended.n, 60);
}

/* Builds a history: pairs of event and day; to_state from the workflow of
 * the test, levels for escalations. */
typedef struct hist {
    concern_step steps[16];
    size_t n;
} hist;

static void step(hist *h, const char *event, const char *to, const char *when, const char *level,
                 const char *outcome) {
    concern_step *s = &h->steps[h->n++];
    s->event = event;
    s->to_state = to;
    s->day = day(when);
    s->level = level;
    s->outcome = outcome;
}

static void test_timeline_eu(void **state) {
    (void)state;
    concern_settings s;
    settings(&s, "eu-directive");
    calendar *cal;
    ph_err err = {0};
    assert_int_equal(calendar_load(s.calendar, &cal, &err), PH_OK);
    concern_timeline t;
    hist h = {0};
    step(&h, "raise", "raised", "2026-01-05", "line_manager", NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_string_equal(t.state, "raised");
    assert_day(t.acknowledge_due, "2026-01-12");
    /* Not acknowledged: 3 months from the end of the 7 days (Art 9(1)(f)). */
    assert_day(t.respond_due, "2026-04-12");
    assert_string_equal(t.due_for, "acknowledgement");
    assert_false(concern_timeline_overdue(&t, day("2026-01-12")));
    assert_true(concern_timeline_overdue(&t, day("2026-01-13")));

    step(&h, "acknowledge", "acknowledged", "2026-01-06", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_day(t.acknowledged, "2026-01-06");
    assert_day(t.respond_due, "2026-04-06");
    assert_day(t.due, "2026-04-06");
    assert_string_equal(t.due_for, "response");
    assert_false(concern_timeline_overdue(&t, day("2026-04-06")));
    assert_true(concern_timeline_overdue(&t, day("2026-04-07")));
    assert_string_equal(concern_next_level(&s, &t), "nominated_officer");

    step(&h, "escalate", "escalated", "2026-04-07", "nominated_officer", NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_string_equal(t.state, "escalated");
    assert_string_equal(t.level, "nominated_officer");
    assert_day(t.due, "2026-04-14"); /* the next level takes it up within 7 days */
    assert_false(concern_timeline_overdue(&t, day("2026-04-07")));
    assert_day(t.respond_due, "2026-04-06"); /* the first deadline stays for statistics */

    step(&h, "consider", "under_consideration", "2026-04-08", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_day(t.due, "2026-07-08"); /* a new response clock at the new level */
    step(&h, "message", NULL, "2026-04-09", NULL, NULL);
    step(&h, "respond", "responded", "2026-05-01", NULL, "partly_upheld");
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_string_equal(t.state, "responded");
    assert_string_equal(t.outcome, "partly_upheld");
    assert_int_equal(t.due, CONCERN_NO_DATE);
    assert_false(concern_timeline_overdue(&t, day("2030-01-01")));
    assert_day(t.responded, "2026-05-01");

    step(&h, "appeal", "appealed", "2026-05-10", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_day(t.due, "2026-08-10");
    step(&h, "consider", "under_consideration", "2026-05-11", NULL, NULL);
    step(&h, "respond", "responded", "2026-06-01", NULL, "upheld");
    step(&h, "close", "closed", "2026-06-02", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_string_equal(t.state, "closed");
    assert_string_equal(t.outcome, "upheld");
    assert_day(t.responded, "2026-05-01"); /* the first response counts */
    assert_day(t.closed, "2026-06-02");

    /* At the top of the chain there is no next level. */
    hist top = {0};
    step(&top, "raise", "raised", "2026-01-05", "civil_service_commission", NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, top.steps, top.n, &t, &err), PH_OK);
    assert_null(concern_next_level(&s, &t));
    /* A history must begin with the raising. */
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps + 1, h.n - 1, &t, &err), PH_ERR);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, 0, &t, &err), PH_ERR);
    calendar_free(cal);
}

static void test_timeline_dissent(void **state) {
    (void)state;
    concern_settings s;
    settings(&s, "us-dissent-channel");
    calendar *cal;
    ph_err err = {0};
    assert_int_equal(calendar_load(s.calendar, &cal, &err), PH_OK);
    concern_timeline t;
    hist h = {0};
    step(&h, "raise", "raised", "2026-07-02", "policy_planning_staff", NULL);
    step(&h, "acknowledge", "acknowledged", "2026-07-06", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_day(t.acknowledge_due, "2026-07-07");
    /* 30 working days from Monday 6 July 2026 (Labor Day, 7 September, is later). */
    assert_day(t.respond_due, "2026-08-17");
    step(&h, "extend", NULL, "2026-08-01", NULL, NULL);
    assert_int_equal(concern_timeline_compute(&s, cal, h.steps, h.n, &t, &err), PH_OK);
    assert_true(t.extended);
    /* 60 working days, skipping Labor Day. */
    assert_day(t.respond_due, "2026-09-29");
    assert_day(t.due, "2026-09-29");
    calendar_free(cal);
}

static void test_receipts(void **state) {
    (void)state;
    ph_err err = {0};
    for (int round = 0; round < 200; round++) {
        unsigned char code[CONCERN_RECEIPT_BYTES], back[CONCERN_RECEIPT_BYTES];
        randombytes_buf(code, sizeof code);
        if (round == 0) memset(code, 0, sizeof code);
        if (round == 1) memset(code, 0xff, sizeof code);
        char text[CONCERN_RECEIPT_TEXT];
        concern_receipt_format(code, text);
        assert_int_equal(strlen(text), 4 + 32 + 7);
        assert_int_equal(concern_receipt_parse(text, strlen(text), back, &err), PH_OK);
        assert_memory_equal(code, back, sizeof code);
        /* Upper case, no dashes, no prefix: the same code. */
        char loose[64];
        size_t n = 0;
        for (const char *p = text + 4; *p; p++)
            if (*p != '-') loose[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        assert_int_equal(concern_receipt_parse(loose, n, back, &err), PH_OK);
        assert_memory_equal(code, back, sizeof code);
    }
    unsigned char out[CONCERN_RECEIPT_BYTES];
    const char *bad[] = {"",
                         "pcr-",
                         "pcr-abcd",
                         "pcr-abcd-abcd-abcd-abcd-abcd-abcd-abcd-abc1",
                         "pcr-abcd-abcd-abcd-abcd-abcd-abcd-abcd-abcda",
                         "pcr_abcd-abcd-abcd-abcd-abcd-abcd-abcd-abcd"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(concern_receipt_parse(bad[i], strlen(bad[i]), out, &err), PH_EUSAGE);
    assert_int_equal(concern_receipt_parse(NULL, 0, out, &err), PH_EUSAGE);
    /* The pseudonym and the stored hash differ, and both are stable. */
    unsigned char code[CONCERN_RECEIPT_BYTES] = {1, 2, 3};
    char hash[PH_SHA256_HEX], p1[CONCERN_PSEUDONYM_MAX], p2[CONCERN_PSEUDONYM_MAX];
    concern_receipt_hash(code, hash);
    concern_receipt_pseudonym(code, p1);
    concern_receipt_pseudonym(code, p2);
    assert_string_equal(p1, p2);
    assert_int_equal(strncmp(p1, "reporter-", 9), 0);
    assert_int_equal(strlen(p1), 9 + 12);
    assert_null(strstr(hash, p1 + 9));
}

static void test_texts(void **state) {
    (void)state;
    ph_err err = {0};
    const char *good = "Clear risk \xe2\x80\x94 2c.\nLine 2\ttab \xf0\x9f\x93\x8e";
    assert_int_equal(concern_text_check("text", good, strlen(good), 100, &err), PH_OK);
    assert_int_equal(concern_text_check("text", "", 0, 100, &err), PH_EUSAGE);
    assert_int_equal(concern_text_check("text", " \n\t", 3, 100, &err), PH_EUSAGE);
    assert_string_equal(err.msg, "text: required (it is blank)");
    assert_int_equal(concern_text_check("text", "a\x01", 2, 100, &err), PH_EUSAGE);
    assert_int_equal(concern_text_check("text", "a\x7f", 2, 100, &err), PH_EUSAGE);
    assert_int_equal(concern_text_check("text", "\xc0\xaf", 2, 100, &err),
                     PH_EUSAGE); /* overlong */
    assert_int_equal(concern_text_check("text", "\xed\xa0\x80", 3, 100, &err),
                     PH_EUSAGE); /* surrogate */
    assert_int_equal(concern_text_check("text", "\xe2\x82", 2, 100, &err),
                     PH_EUSAGE); /* truncated */
    assert_int_equal(concern_text_check("text", "abc", 3, 2, &err), PH_EUSAGE);
    assert_int_equal(concern_text_check("reason", NULL, 0, 2, &err), PH_EUSAGE);
    assert_string_equal(err.msg, "reason: required");
}

static void test_about(void **state) {
    (void)state;
    ph_err err = {0};
    concern_about a;
    assert_int_equal(concern_about_parse("case:GBSIEL/2026/0000001/P", &a, &err), PH_OK);
    assert_string_equal(a.kind, "case");
    assert_string_equal(a.id, "GBSIEL/2026/0000001/P");
    assert_int_equal(concern_about_parse("advice:0012", &a, &err), PH_OK);
    assert_string_equal(a.id, "12");
    assert_int_equal(concern_about_parse("policy:uk-selc-2021@2021.1", &a, &err), PH_OK);
    assert_string_equal(a.id, "uk-selc-2021");
    assert_string_equal(a.version, "2021.1");
    /* A review by its reference or its number, kept as the reference. */
    const char *reviews[] = {"review:7", "review:RV-0007", "review:rv-7", "review:RV-7"};
    for (size_t i = 0; i < sizeof reviews / sizeof reviews[0]; i++) {
        assert_int_equal(concern_about_parse(reviews[i], &a, &err), PH_OK);
        assert_string_equal(a.kind, "review");
        assert_string_equal(a.id, "RV-0007");
    }
    assert_int_equal(concern_about_parse("review:RV-12345", &a, &err), PH_OK);
    assert_string_equal(a.id, "RV-12345");
    assert_int_equal(concern_about_parse("review:RV-x", &a, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "a review is named by its reference (RV-0001) or its number"));
    const char *bad[] = {"",
                         "case",
                         "case:",
                         ":x",
                         "advice:x",
                         "advice:-1",
                         "assessment:0",
                         "policy:@1",
                         "policy:x@",
                         "thing:1",
                         "case:a b",
                         "licence:\x01",
                         "review:RV-",
                         "review:RV-0",
                         "review:-1",
                         "review:XV-0001",
                         "advice:RV-0001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(concern_about_parse(bad[i], &a, &err), PH_EUSAGE);
    char c[32], o[24];
    assert_int_equal(concern_category_parse("legal-risk", c, &err), PH_OK);
    assert_string_equal(c, "legal_risk");
    assert_int_equal(concern_category_parse("gossip", c, &err), PH_EUSAGE);
    assert_int_equal(concern_outcome_parse("partly-upheld", o, &err), PH_OK);
    assert_string_equal(o, "partly_upheld");
    assert_int_equal(concern_outcome_parse(NULL, o, &err), PH_EUSAGE);
}

static void expect_response_refused(const char *decision, const char *actions, const char *reasons,
                                    const char *field, const char *message) {
    ph_err err = {0};
    const char *at = NULL;
    assert_int_equal(concern_response_check(decision, actions, reasons, &at, &err), PH_EUSAGE);
    assert_non_null(at);
    assert_string_equal(at, field);
    if (!strstr(err.msg, message)) fail_msg("'%s' lacks '%s'", err.msg, message);
    assert_int_equal(strncmp(err.msg, field, strlen(field)), 0); /* the message starts with it */
}

static void test_response(void **state) {
    (void)state;
    const char *d = "The F-16 components line is suspended pending the review.";
    const char *a = "The licence was referred to the review; nothing ships until it reports.";
    const char *r = "The evidence meets the clear-risk test of Criterion 2c for that end use.";
    ph_err err = {0};
    const char *at = "x";
    assert_int_equal(concern_response_check(d, a, r, &at, &err), PH_OK);
    assert_null(at);
    assert_int_equal(concern_response_check(d, a, r, NULL, &err), PH_OK);
    /* Each part is required, and named when it is missing. */
    expect_response_refused(NULL, a, r, "decision", "decision: required: say what was decided");
    expect_response_refused(d, NULL, r, "actions", "say what was done or not done");
    expect_response_refused(d, a, NULL, "reasons", "reasons: required: say why");
    expect_response_refused("", a, r, "decision", "three parts: decision, actions and reasons");
    expect_response_refused(d, " \n\t ", r, "actions", "actions: required (it is blank)");
    /* A placeholder or an acknowledgement answers nothing. */
    expect_response_refused("Noted.", a, r, "decision", "an acknowledgement is not a response");
    expect_response_refused(d, "n/a", r, "actions", "'n/a' does not say what was done or not done");
    expect_response_refused(d, a, "See above.", "reasons", "does not say why");
    expect_response_refused(d, a, "Because-it-was-decided-so-by-the-board", "reasons", "3 words");
    expect_response_refused(d, a, "   as above   ", "reasons", "at least 20 bytes");
    /* Twenty bytes and three words, white space around them not counted. */
    assert_int_equal(concern_response_check(d, a, "  Criterion 2c is met here.  ", NULL, &err),
                     PH_OK);
    expect_response_refused(d, a, "  Criterion 2c met.    \n", "reasons", "at least 20 bytes");
    /* A part copied into another is refused, whatever its case and spacing. */
    expect_response_refused(d, d, r, "actions", "actions: repeats the decision: say what was done");
    expect_response_refused(d, a,
                            "the licence was referred  to the review;\nnothing ships until it "
                            "reports.  ",
                            "reasons", "reasons: repeats the actions: say why");
    assert_int_equal(concern_response_check(d, a,
                                            "The licence was referred to the review; nothing "
                                            "ships until it reports, because of 2c.",
                                            NULL, &err),
                     PH_OK);
    /* A part is a text a person wrote. */
    expect_response_refused(d, a, "Because the \x01 evidence meets the test.", "reasons",
                            "control character");
    assert_string_equal(concern_response_parts[0], "decision");
    assert_string_equal(concern_response_parts[2], "reasons");
    assert_null(concern_response_parts[3]);
}

static void test_sweep_summary(void **state) {
    (void)state;
    char line[512];
    json_t *none =
        json_pack("{s:s, s:[], s:[]}", "as_of", "2026-04-07", "escalated", "at_top_of_chain");
    assert_int_equal(concern_sweep_summary(none, line, sizeof line), 0);
    assert_string_equal(line, "");
    json_decref(none);
    json_t *two = json_pack("{s:s, s:[{s:i, s:s}, {s:i, s:s}], s:[]}", "as_of", "2026-04-07",
                            "escalated", "id", 2, "to_level", "nominated_officer", "id", 3,
                            "to_level", "civil_service_commission", "at_top_of_chain");
    assert_int_equal(concern_sweep_summary(two, line, sizeof line), 1);
    assert_string_equal(line,
                        "concern sweep as of 2026-04-07 escalated 2 overdue concerns: concern "
                        "2 to nominated_officer, concern 3 to civil_service_commission");
    /* Cut short to fit, and says so. */
    char small[80];
    assert_int_equal(concern_sweep_summary(two, small, sizeof small), 1);
    assert_true(strlen(small) < sizeof small);
    assert_non_null(strstr(small, " ..."));
    json_decref(two);
}

static concern_stat_input stat(const char *category, const char *raised, const char *ack,
                               const char *responded, const char *state, const char *outcome) {
    concern_stat_input x;
    memset(&x, 0, sizeof x);
    ph_strlcpy(x.category, category, sizeof x.category);
    x.raised = day(raised);
    x.acknowledge_due = x.raised + 7;
    x.respond_due = x.raised + 90;
    x.acknowledged = ack ? day(ack) : CONCERN_NO_DATE;
    x.responded = responded ? day(responded) : CONCERN_NO_DATE;
    ph_strlcpy(x.state, state, sizeof x.state);
    ph_strlcpy(x.outcome, outcome ? outcome : "", sizeof x.outcome);
    return x;
}

static json_t *row(json_t *stats, const char *quarter, const char *category) {
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(stats, "rows"), i, r) {
        if (strcmp(json_string_value(json_object_get(r, "quarter")), quarter) == 0 &&
            strcmp(json_string_value(json_object_get(r, "category")), category) == 0)
            return r;
    }
    fail_msg("no row %s %s", quarter, category);
    return NULL;
}

static void test_stats(void **state) {
    (void)state;
    concern_stat_input v[] = {
        /* Q1 legal_risk: 4 concerns */
        stat("legal_risk", "2026-01-05", "2026-01-06", "2026-02-01", "closed", "upheld"),
        stat("legal_risk", "2026-01-10", "2026-01-20", "2026-05-01", "responded", "not_upheld"),
        stat("legal_risk", "2026-02-01", "2026-02-03", NULL, "acknowledged", NULL),
        stat("legal_risk", "2026-03-01", NULL, NULL, "raised", NULL),
        /* Q1 conduct: 1 concern, must not show */
        stat("conduct", "2026-02-02", "2026-02-03", "2026-02-10", "closed", "upheld"),
        /* Q2 policy_dissent: 3 concerns */
        stat("policy_dissent", "2026-04-01", "2026-04-02", NULL, "acknowledged", NULL),
        stat("policy_dissent", "2026-04-02", "2026-04-03", NULL, "acknowledged", NULL),
        stat("policy_dissent", "2026-04-03", "2026-04-04", NULL, "acknowledged", NULL),
    };
    json_t *s = concern_stats_build(v, sizeof v / sizeof v[0], 3);
    assert_int_equal(json_integer_value(json_object_get(s, "min_count")), 3);
    json_t *lr = row(s, "2026-Q1", "legal_risk");
    assert_int_equal(json_integer_value(json_object_get(lr, "raised")), 4);
    assert_int_equal(json_integer_value(json_object_get(lr, "acknowledged")), 3);
    assert_int_equal(json_integer_value(json_object_get(lr, "acknowledged_on_time")),
                     0); /* 2: suppressed */
    assert_true(json_is_null(json_object_get(lr, "acknowledged_on_time")));
    assert_true(json_is_null(json_object_get(lr, "upheld"))); /* 1 */
    assert_int_equal(json_integer_value(json_object_get(lr, "not_upheld")), 0);
    assert_true(json_is_null(json_object_get(lr, "not_upheld")));
    assert_int_equal(json_integer_value(json_object_get(lr, "open")), 3);
    assert_int_equal(json_integer_value(json_object_get(lr, "median_days_to_acknowledge")), 2);
    assert_true(json_is_null(json_object_get(lr, "median_days_to_response"))); /* only 2 values */
    /* A row of one concern shows nothing. */
    json_t *c = row(s, "2026-Q1", "conduct");
    assert_true(json_is_null(json_object_get(c, "raised")));
    assert_true(json_is_null(json_object_get(c, "median_days_to_acknowledge")));
    assert_true(json_is_null(json_object_get(c, "closed")));
    /* The quarter's total hides the suppressed row: 5 - 4 would give it away. */
    json_t *q1 = row(s, "2026-Q1", "all");
    assert_true(json_is_null(json_object_get(q1, "raised")));
    /* Q2 shows in full; its total too (no suppressed part). */
    json_t *pd = row(s, "2026-Q2", "policy_dissent");
    assert_int_equal(json_integer_value(json_object_get(pd, "raised")), 3);
    assert_int_equal(json_integer_value(json_object_get(pd, "acknowledged_on_time")), 3);
    assert_int_equal(json_integer_value(json_object_get(pd, "median_days_to_acknowledge")), 1);
    json_t *q2 = row(s, "2026-Q2", "all");
    assert_int_equal(json_integer_value(json_object_get(q2, "raised")), 3);
    /* Overall: one quarter's total is suppressed, so the overall one is too. */
    json_t *all = row(s, "all", "all");
    assert_true(json_is_null(json_object_get(all, "raised")));
    assert_true(json_array_size(json_object_get(all, "suppressed")) > 0);
    /* CSV writes suppressed counts as <3. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    concern_stats_csv(s, f);
    fclose(f);
    assert_non_null(strstr(text, "2026-Q1,conduct,<3,<3"));
    assert_non_null(strstr(text, "2026-Q2,policy_dissent,3,3,3,0,0,0,0,0,0,3,1,\n"));
    free(text);
    json_decref(s);
    /* Nothing raised: no rows at all. */
    s = concern_stats_build(NULL, 0, 3);
    assert_int_equal(json_array_size(json_object_get(s, "rows")), 0);
    json_decref(s);
}

static void test_limiter(void **state) {
    (void)state;
    concern_limiter *l = concern_limiter_new(3, 60);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(concern_limiter_check(l, "192.0.2.1", 1000), 0);
        concern_limiter_failure(l, "192.0.2.1", 1000 + i);
    }
    assert_int_equal(concern_limiter_check(l, "192.0.2.1", 1010), 50);
    assert_int_equal(concern_limiter_check(l, "192.0.2.1", 1060), 0); /* the window has ended */
    int others_free = 0;
    for (int i = 0; i < 50; i++) {
        char a[32];
        snprintf(a, sizeof a, "198.51.100.%d", i);
        others_free += concern_limiter_check(l, a, 1010) == 0;
    }
    assert_true(others_free >= 49); /* another address is not held back (bar a shared slot) */
    concern_limiter_failure(l, "192.0.2.1", 1061);
    assert_int_equal(concern_limiter_check(l, "192.0.2.1", 1062),
                     0); /* a new window starts at one */
    assert_int_equal(concern_limiter_check(NULL, "x", 0), 0);
    concern_limiter_free(l);
}

int main(void) {
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_durations),
                                       cmocka_unit_test(test_us_calendar),
                                       cmocka_unit_test(test_settings),
                                       cmocka_unit_test(test_timeline_eu),
                                       cmocka_unit_test(test_timeline_dissent),
                                       cmocka_unit_test(test_receipts),
                                       cmocka_unit_test(test_texts),
                                       cmocka_unit_test(test_about),
                                       cmocka_unit_test(test_response),
                                       cmocka_unit_test(test_sweep_summary),
                                       cmocka_unit_test(test_stats),
                                       cmocka_unit_test(test_limiter)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
