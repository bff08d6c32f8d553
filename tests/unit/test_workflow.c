/* workflow: the tables are consistent and the lookups honour them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "workflow/workflow.h"

/* Every transition names real states, and every state can be reached. */
static void check_machine(const wf_machine *m) {
    assert_true(wf_is_state(m, m->initial));
    for (size_t i = 0; i < m->ntransitions; i++) {
        const wf_transition *t = &m->transitions[i];
        if (strcmp(t->from, "*") != 0) assert_true(wf_is_state(m, t->from));
        if (t->to[0]) assert_true(wf_is_state(m, t->to));
        assert_true(t->roles[0] != '\0');
        assert_false(wf_is_final(m, t->from)); /* nothing leaves a final state */
    }
    for (const char *const *s = m->states; *s; s++) {
        int reached = strcmp(*s, m->initial) == 0;
        for (size_t i = 0; i < m->ntransitions && !reached; i++)
            if (strcmp(m->transitions[i].to, *s) == 0) reached = 1;
        if (!reached) fail_msg("%s: state %s cannot be reached", m->name, *s);
    }
}

static void test_tables(void **state) {
    (void)state;
    check_machine(&wf_case);
    check_machine(&wf_licence);
    check_machine(&wf_concern);
    assert_ptr_equal(wf_machine_named("licence"), &wf_licence);
    assert_null(wf_machine_named("nope"));
}

static void test_case_rules(void **state) {
    (void)state;
    const wf_transition *t = wf_find(&wf_case, "draft", "submit");
    assert_non_null(t);
    assert_string_equal(t->to, "submitted");
    assert_true(wf_role_allowed(t, "exporter"));
    assert_false(wf_role_allowed(t, "case_officer"));
    assert_false(wf_role_allowed(t, "export")); /* no prefix matches */
    assert_null(wf_find(&wf_case, "draft", "issue"));
    t = wf_find(&wf_case, "final_review", "issue");
    assert_non_null(t);
    assert_true(wf_role_allowed(t, "decision_maker"));
    assert_false(wf_role_allowed(t, "countersigner"));
    const char *ev[16];
    size_t n = wf_allowed_events(&wf_case, "final_review", "decision_maker", ev, 16);
    assert_int_equal(n, 4); /* return_to_advice, issue, refuse, no_licence_required */
    n = wf_allowed_events(&wf_case, "withdrawn", NULL, ev, 16);
    assert_int_equal(n, 0);
}

static void test_licence_rules(void **state) {
    (void)state;
    assert_non_null(wf_find(&wf_licence, "issued", "suspend"));
    assert_non_null(wf_find(&wf_licence, "suspended", "reinstate"));
    assert_null(wf_find(&wf_licence, "issued", "reinstate"));
    assert_null(wf_find(&wf_licence, "revoked", "reinstate"));
    assert_null(wf_find(&wf_licence, "revoked", "suspend"));
    assert_non_null(wf_find(&wf_licence, "reinstated", "suspend"));
}

/* A concern is never closed without a substantive response. */
static void test_concern_rules(void **state) {
    (void)state;
    assert_null(wf_find(&wf_concern, "raised", "close"));
    assert_null(wf_find(&wf_concern, "acknowledged", "close"));
    assert_null(wf_find(&wf_concern, "under_consideration", "close"));
    assert_non_null(wf_find(&wf_concern, "responded", "close"));
    const wf_transition *t = wf_find(&wf_concern, "acknowledged", "message");
    assert_non_null(t);
    assert_string_equal(t->to, "");
    assert_null(wf_find(&wf_concern, "closed", "message"));
    t = wf_find(&wf_concern, "raised", "acknowledge");
    assert_true(wf_role_allowed(t, "nominated_officer"));
    assert_false(wf_role_allowed(t, "admin"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables), cmocka_unit_test(test_case_rules),
        cmocka_unit_test(test_licence_rules), cmocka_unit_test(test_concern_rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
