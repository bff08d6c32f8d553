#include "workflow.h"

#include <string.h>

/* ---- applications ----
 * The life of an application, from the exporter's draft to a decision and,
 * for refusals, an appeal. Requests for information to the exporter do not
 * move the case: they pause its service-level clock (see cases). */

static const char *const case_states[] = {"draft",          "submitted",
                                          "initial_checks", "technical_assessment",
                                          "under_advice",   "final_review",
                                          "finalised",      "under_appeal",
                                          "withdrawn",      NULL};
static const char *const case_final[] = {"withdrawn", NULL};

static const wf_transition case_transitions[] = {
    {"draft", "submit", "submitted", "exporter", "application_complete",
     "the exporter submits; every party is screened and the application assessed"},
    {"submitted", "start_checks", "initial_checks", "case_officer", NULL,
     "a case officer takes the case"},
    {"initial_checks", "send_to_technical", "technical_assessment", "case_officer", NULL,
     "goods go to the technical assessors for rating"},
    {"technical_assessment", "complete_technical", "under_advice", "technical_assessor",
     "goods_rated", "every goods line has a confirmed rating"},
    {"initial_checks", "send_to_advisers", "under_advice", "case_officer", "goods_rated",
     "ratings are already confirmed: straight to advisers"},
    {"under_advice", "consolidate", "final_review", "case_officer", "advice_given",
     "advice is consolidated for a decision"},
    {"final_review", "return_to_advice", "under_advice", "case_officer decision_maker", NULL,
     "more advice is needed"},
    {"final_review", "issue", "finalised", "decision_maker", "ready_to_finalise",
     "a licence is issued"},
    {"final_review", "refuse", "finalised", "decision_maker", "ready_to_finalise criteria_given",
     "the application is refused, citing criteria"},
    {"final_review", "no_licence_required", "finalised", "decision_maker", "ready_to_finalise",
     "no licence is required"},
    {"finalised", "appeal", "under_appeal", "exporter", "refused_within_appeal_window",
     "the exporter appeals a refusal within 28 days"},
    {"under_appeal", "allow_appeal", "finalised", "decision_maker", "ready_to_finalise",
     "the appeal succeeds: a licence is issued"},
    {"under_appeal", "dismiss_appeal", "finalised", "decision_maker", "criteria_given",
     "the appeal fails; the refusal stands"},
    {"draft", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
    {"submitted", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
    {"initial_checks", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
    {"technical_assessment", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
    {"under_advice", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
    {"final_review", "withdraw", "withdrawn", "exporter", NULL, "the exporter withdraws"},
};

const wf_machine wf_case = {"case",           "draft",
                            case_states,      case_final,
                            case_transitions, sizeof case_transitions / sizeof case_transitions[0]};

/* ---- licences ---- */

static const char *const licence_states[] = {"issued",      "suspended", "reinstated", "revoked",
                                             "surrendered", "exhausted", "expired",    NULL};
static const char *const licence_final[] = {"revoked", "surrendered", "exhausted", "expired", NULL};

static const wf_transition licence_transitions[] = {
    {"issued", "suspend", "suspended", "case_officer decision_maker system", "reason_and_criteria",
     "suspended, citing criteria (a review applies this in bulk)"},
    {"reinstated", "suspend", "suspended", "case_officer decision_maker system",
     "reason_and_criteria", "suspended again"},
    {"suspended", "reinstate", "reinstated", "decision_maker system", "reason",
     "the suspension is lifted"},
    {"issued", "revoke", "revoked", "decision_maker", "reason_and_criteria",
     "revoked, citing criteria"},
    {"suspended", "revoke", "revoked", "decision_maker", "reason_and_criteria",
     "revoked, citing criteria"},
    {"reinstated", "revoke", "revoked", "decision_maker", "reason_and_criteria",
     "revoked, citing criteria"},
    {"issued", "surrender", "surrendered", "exporter", NULL, "the exporter gives the licence up"},
    {"reinstated", "surrender", "surrendered", "exporter", NULL,
     "the exporter gives the licence up"},
    {"issued", "exhaust", "exhausted", "system case_officer", NULL,
     "the licensed quantity is used up"},
    {"reinstated", "exhaust", "exhausted", "system case_officer", NULL,
     "the licensed quantity is used up"},
    {"issued", "expire", "expired", "system", NULL, "the licence reaches its end date"},
    {"suspended", "expire", "expired", "system", NULL, "the licence reaches its end date"},
    {"reinstated", "expire", "expired", "system", NULL, "the licence reaches its end date"},
};

const wf_machine wf_licence = {
    "licence",           "issued",
    licence_states,      licence_final,
    licence_transitions, sizeof licence_transitions / sizeof licence_transitions[0]};

/* ---- formal concerns ----
 * An acknowledgement is a state, never an end: the only way to `closed` is
 * through `responded`, which needs a substantive response. */

static const char *const concern_states[] = {
    "raised", "acknowledged", "under_consideration", "responded", "escalated", "appealed", "closed",
    NULL};
static const char *const concern_final[] = {"closed", NULL};

static const wf_transition concern_transitions[] = {
    {"raised", "acknowledge", "acknowledged", "nominated_officer", NULL,
     "the nominated officer acknowledges"},
    {"escalated", "acknowledge", "acknowledged", "nominated_officer", NULL,
     "the escalation is acknowledged"},
    {"acknowledged", "consider", "under_consideration", "nominated_officer", NULL,
     "the concern is being looked into"},
    {"appealed", "consider", "under_consideration", "nominated_officer", NULL,
     "the appeal is looked into"},
    {"escalated", "consider", "under_consideration", "nominated_officer", NULL,
     "the escalation is looked into"},
    {"acknowledged", "respond", "responded", "nominated_officer", "substantive_response",
     "a substantive response: what was decided, done or not done, and why"},
    {"under_consideration", "respond", "responded", "nominated_officer", "substantive_response",
     "a substantive response: what was decided, done or not done, and why"},
    {"escalated", "respond", "responded", "nominated_officer", "substantive_response",
     "a substantive response to the escalated concern"},
    {"responded", "appeal", "appealed", "reporter", NULL, "the reporter contests the response"},
    {"responded", "close", "closed", "nominated_officer reporter", "substantive_response_given",
     "closed after a substantive response"},
    {"raised", "escalate", "escalated", "system reporter nominated_officer", "reason",
     "overdue or unanswered: up the escalation chain"},
    {"acknowledged", "escalate", "escalated", "system reporter nominated_officer", "reason",
     "overdue or unanswered: up the escalation chain"},
    {"under_consideration", "escalate", "escalated", "system reporter nominated_officer", "reason",
     "overdue or unanswered: up the escalation chain"},
    {"appealed", "escalate", "escalated", "system reporter nominated_officer", "reason",
     "the appeal goes up the chain"},
    {"escalated", "escalate", "escalated", "system reporter nominated_officer", "reason",
     "one more step up the chain"},
    {"*", "message", "", "reporter nominated_officer", NULL, "a message on the thread"},
    {"*", "reveal", "", "nominated_officer", "reason",
     "a nominated officer opens the sealed identity"},
    {"*", "extend", "", "nominated_officer", "reason extension_allowed",
     "the response is put off once, within the longest period the deployment allows"},
    {"*", "note_decision", "", "decision_maker", NULL,
     "the decision maker read the concern before deciding the case it is about"},
};

const wf_machine wf_concern = {
    "concern",           "raised",
    concern_states,      concern_final,
    concern_transitions, sizeof concern_transitions / sizeof concern_transitions[0]};

/* ---- lookups ---- */

const wf_machine *wf_machine_named(const char *name) {
    if (!name) return NULL;
    if (strcmp(name, "case") == 0) return &wf_case;
    if (strcmp(name, "licence") == 0) return &wf_licence;
    if (strcmp(name, "concern") == 0) return &wf_concern;
    return NULL;
}

static int in_list(const char *const *list, const char *s) {
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return 1;
    return 0;
}

int wf_is_state(const wf_machine *m, const char *state) {
    return state && in_list(m->states, state);
}

int wf_is_final(const wf_machine *m, const char *state) {
    return state && in_list(m->final_states, state);
}

static int from_matches(const wf_machine *m, const wf_transition *t, const char *from) {
    if (strcmp(t->from, "*") == 0) return wf_is_state(m, from) && !wf_is_final(m, from);
    return strcmp(t->from, from) == 0;
}

const wf_transition *wf_find(const wf_machine *m, const char *from, const char *event) {
    if (!from || !event) return NULL;
    for (size_t i = 0; i < m->ntransitions; i++) {
        const wf_transition *t = &m->transitions[i];
        if (strcmp(t->event, event) == 0 && from_matches(m, t, from)) return t;
    }
    return NULL;
}

int wf_role_allowed(const wf_transition *t, const char *role) {
    if (!role || !*role) return 0;
    size_t n = strlen(role);
    for (const char *p = t->roles; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, role, n) == 0) return 1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

size_t wf_allowed_events(const wf_machine *m, const char *from, const char *role, const char **out,
                         size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < m->ntransitions && n < max; i++) {
        const wf_transition *t = &m->transitions[i];
        if (!from_matches(m, t, from)) continue;
        if (role && !wf_role_allowed(t, role)) continue;
        int seen = 0;
        for (size_t k = 0; k < n; k++)
            if (strcmp(out[k], t->event) == 0) seen = 1;
        if (!seen) out[n++] = t->event;
    }
    return n;
}

void wf_write_mermaid(const wf_machine *m, FILE *out) {
    fprintf(out, "stateDiagram-v2\n    [*] --> %s\n", m->initial);
    for (size_t i = 0; i < m->ntransitions; i++) {
        const wf_transition *t = &m->transitions[i];
        if (!t->to[0]) continue; /* events that record without moving */
        if (strcmp(t->from, "*") == 0) continue;
        fprintf(out, "    %s --> %s: %s\n", t->from, t->to, t->event);
    }
    for (const char *const *f = m->final_states; *f; f++)
        fprintf(out, "    %s --> [*]\n", *f);
}

void wf_write_table(const wf_machine *m, FILE *out) {
    fprintf(out, "| from | event | to | who | guard | meaning |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->ntransitions; i++) {
        const wf_transition *t = &m->transitions[i];
        fprintf(out, "| %s | `%s` | %s | %s | %s | %s |\n",
                strcmp(t->from, "*") == 0 ? "any open state" : t->from, t->event,
                t->to[0] ? t->to : "(unchanged)", t->roles, t->guard ? t->guard : "", t->summary);
    }
}
