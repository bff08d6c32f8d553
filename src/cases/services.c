/* The services a case needs, wired to the engines: assessment against the
 * policy in force (assess.h) and party screening against the loaded lists
 * (screen.h). Loaded once by the server and shared by its threads (the
 * engines' loaded state is read-only); the command line loads them per run. */
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "cases.h"
#include "concern/concern.h"

struct cases_runtime {
    assess_context *ctx;
    policy *policy;
    char date[11];
    int concerns_block; /* the deployment's concern setting block_finalising, read at open */
};

/* Assesses with the context and policy loaded at start, and the evidence in
 * force today read through the caller's connection (evidence may be added
 * while the server runs). */
static int assess_with_runtime(void *arg, store *db, const char *application_json, const int *screening,
                               size_t nparties, json_t **result, char recommendation[32], ph_err *err) {
    cases_runtime *rt = arg;
    *result = NULL;
    assess_facts *facts = assess_facts_new();
    assess_evidence_snapshot *snap = NULL;
    assess_result r;
    assess_result_init(&r);
    int rc = assess_application_from_json(rt->ctx, "application", application_json, strlen(application_json), facts,
                                          err);
    if (!rc) {
        size_t n = assess_facts_party_count(facts);
        for (size_t i = 0; i < n && i < nparties; i++) assess_facts_set_screening(facts, i, screening[i]);
        rc = assess_evidence_snapshot_load(db, rt->date, &snap, err);
    }
    if (!rc) rc = assess_run(rt->policy, facts, snap, &r, err);
    if (!rc) {
        *result = assess_result_json(rt->ctx, &r, NULL);
        ph_strlcpy(recommendation, assess_recommendation(&r), 32);
    }
    assess_result_free(&r);
    assess_evidence_snapshot_free(snap);
    assess_facts_free(facts);
    return rc;
}

int cases_runtime_open(store *db, const char *date, cases_runtime **out, ph_err *err) {
    *out = NULL;
    cases_runtime *rt = ph_calloc(1, sizeof *rt);
    if (date && *date)
        ph_strlcpy(rt->date, date, sizeof rt->date);
    else
        ph_date_format(ph_date_today(), rt->date);
    int rc = assess_context_load(db, rt->date, &rt->ctx, err);
    if (!rc) rc = assess_policy_in_force(db, rt->ctx, rt->date, &rt->policy, err);
    concern_settings settings;
    if (!rc) rc = concern_settings_load(db, &settings, err);
    if (!rc) rt->concerns_block = settings.block_finalising;
    if (rc) {
        cases_runtime_close(rt);
        return rc;
    }
    *out = rt;
    return PH_OK;
}

void cases_runtime_services(cases_runtime *rt, cases_services *svc) {
    memset(svc, 0, sizeof *svc);
    if (!rt) return;
    svc->assess = assess_with_runtime;
    svc->assess_ctx = rt;
    svc->open_concerns = concern_open_about_case;
    svc->concerns_noted = concern_note_decision;
    svc->concerns_block = rt->concerns_block;
}

void cases_runtime_close(cases_runtime *rt) {
    if (!rt) return;
    policy_free(rt->policy);
    assess_context_free(rt->ctx);
    free(rt);
}
