/* Fuzzes the policy parser, and the evaluator and reasons of whatever parses:
 * any bytes give a policy or an error "fuzz.policy:LINE:COLUMN: ...". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "policy/policy.h"

/* The checks penholder itself applies: criteria, control list, capabilities. */
static assess_context *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ph_err err = {0};
    if (!ctx && assess_context_builtin(&ctx, &err) != PH_OK) abort();
    policy *p = NULL;
    if (assess_policy_parse(ctx, "fuzz.policy", (const char *)data, size, &p, &err) != PH_OK) {
        if (p || strncmp(err.msg, "fuzz.policy:", 12) != 0) __builtin_trap();
        return 0;
    }
    static const char *const ancestry[] = {"ML10A", "ML10"};
    policy_line lines[2] = {{"ML10.a", "components for combat aircraft", ancestry, 2,
                             POLICY_KIND_MILITARY, 1, 3, 1, 4, 100},
                            {"5A001", "", ancestry + 1, 1, POLICY_KIND_DUAL_USE, 1, 1, 8, -1, -1}};
    policy_party parties[1] = {{"Air Force", "IL", POLICY_ROLE_END_USER, POLICY_PARTY_ARMED_FORCES,
                                POLICY_SCREENING_POSSIBLE_MATCH}};
    policy_evidence evidence[1] = {{"EV-0001", "UN", "2024-01-01", "OFFICIAL", POLICY_TOPIC_IHL,
                                    POLICY_SEVERITY_GRAVE, POLICY_RELIABILITY_HIGH,
                                    POLICY_CLASS_OFFICIAL}};
    policy_embargo embargoes[1] = {{"UK", "Military goods", "", 1, POLICY_EMBARGO_FULL,
                                    POLICY_EMBARGO_ALL, POLICY_EMBARGO_GOODS_MILITARY, 1}};
    policy_facts f = {"R", "SIEL",  "IL", "Israel", "use", "exporter", embargoes,
                      1,   parties, 1,    lines,    2,     evidence,   1};
    policy_result r;
    policy_result_init(&r);
    if (policy_eval(p, &f, &r, &err) != PH_OK) __builtin_trap();
    if (r.nfindings != policy_criterion_count(p)) __builtin_trap();
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < r.nfindings; i++) {
        ph_buf_reset(&b);
        policy_reason(p, &f, &r, i, &b);
        const policy_finding *fd = &r.findings[i];
        if (fd->outcome < POLICY_CLEAR || fd->outcome > POLICY_REFUSE) __builtin_trap();
    }
    ph_buf_free(&b);
    policy_result_free(&r);
    policy_free(p);
    return 0;
}
