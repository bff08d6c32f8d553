#include "demo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess/assess.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "concern/concern.h"
#include "lists/lists.h"
#include "register/register.h"
#include "review/review.h"

const demo_account demo_accounts[] = {
    {"acme", "exporter", NULL, "Acme Aerospace Ltd", "exporter: aircraft components"},
    {"northbridge", "exporter", NULL, "Northbridge Optics plc",
     "exporter: imaging and night vision"},
    {"halden", "exporter", NULL, "Halden Marine Systems Ltd", "exporter: naval systems"},
    {"cobalt", "exporter", NULL, "Cobalt Secure Communications Ltd",
     "exporter: telecoms and encryption"},
    {"olivia.officer", "case_officer", NULL, NULL, "licensing unit case officer"},
    {"oscar.officer", "case_officer", NULL, NULL, "licensing unit case officer"},
    {"tara.assessor", "technical_assessor", NULL, NULL, "technical assessment unit"},
    {"fiona.fcdo", "adviser", "fcdo", NULL, "foreign ministry desk: the penholder"},
    {"martin.mod", "adviser", "mod", NULL, "defence adviser"},
    {"nadia.ncsc", "adviser", "ncsc", NULL, "cyber adviser"},
    {"colin.countersign", "countersigner", NULL, NULL, "countersigner"},
    {"dana.decides", "decision_maker", NULL, NULL, "the Secretary of State's delegate"},
    {"nora.nominated", "nominated_officer", NULL, NULL, "receives formal concerns"},
    {"alex.auditor", "auditor", NULL, NULL, "oversight: reads the audit log"},
    {"ada.admin", "admin", NULL, NULL, "administrator"},
};
const size_t demo_account_count = sizeof demo_accounts / sizeof demo_accounts[0];

/* Evidence about destinations, from public reporting (paraphrased). */
static const assess_evidence_input demo_evidence[] = {
    {"IL", "ihl", "serious",
     "Review of compliance with international humanitarian law: a clear risk that certain items "
     "might be used "
     "to commit or facilitate a serious violation of IHL in Gaza (humanitarian access, treatment "
     "of detainees)",
     "Foreign Secretary's statement on the IHL review, 2 September 2024", "2024-09-02", "high",
     "OFFICIAL", NULL, NULL, NULL},
    {"SA", "ihl", "serious",
     "UN Panel of Experts on Yemen: coalition airstrikes on civilian objects, including "
     "residential areas and "
     "markets, raising concerns of serious violations of IHL",
     "UN Panel of Experts on Yemen, final report S/2023/833", "2023-11-02", "high", "OFFICIAL",
     NULL, NULL, NULL},
    {"CN", "internal-repression", "serious",
     "Serious human rights violations against Uyghur and other predominantly Muslim communities in "
     "Xinjiang, "
     "including arbitrary detention and surveillance",
     "OHCHR assessment of human rights concerns in Xinjiang", "2022-08-31", "high", "OFFICIAL",
     NULL, NULL, NULL},
    {"AE", "diversion", "medium",
     "Reports of re-export of military equipment from the UAE to parties to the conflict in Sudan",
     "UN Panel of Experts on the Sudan, report S/2024/65", "2024-01-15", "medium", "OFFICIAL", NULL,
     NULL, NULL},
};

/* How far an application goes through the workflow. */
typedef enum stage {
    DRAFT,
    SUBMITTED,
    CHECKS,
    TECHNICAL,
    ADVICE,
    FINAL_REVIEW,
    ISSUE,
    REFUSE,
    APPEALED, /* refused, then appealed by the exporter */
    WITHDRAW
} stage;

typedef struct demo_line {
    const char *description;
    const char *rating;
    int quantity;
    double value_gbp;
} demo_line;

typedef struct demo_application {
    const char *exporter; /* account */
    const char *destination;
    const char *end_use;
    const char *end_user, *end_user_type;
    const char *consignee; /* NULL for none */
    demo_line lines[3];
    stage stage;
    const char *refusal_criteria; /* for REFUSE */
} demo_application;

static const demo_application plans[] = {
    {"acme",
     "US",
     "Spares for the F-35 global support pool",
     "United States Department of Defense",
     "armed_forces",
     "Lockheed Martin Corporation",
     {{"Components for F-35 combat aircraft (global programme)", "ML10.a", 120, 840000}},
     ISSUE,
     NULL},
    {"acme",
     "DE",
     "Overhaul of Eurofighter Typhoon landing gear",
     "Bundeswehr",
     "armed_forces",
     NULL,
     {{"Landing gear components for military combat aircraft", "ML10.a", 16, 220000}},
     ISSUE,
     NULL},
    {"northbridge",
     "FR",
     "Thermal sights for armoured vehicles",
     "Direction générale de l'armement",
     "government",
     NULL,
     {{"Thermal imaging sights", "ML15.d", 40, 380000},
      {"Image intensifier tubes", "ML15.c", 80, 96000}},
     ISSUE,
     NULL},
    {"halden",
     "JP",
     "Sonar upgrade for destroyers",
     "Japan Maritime Self-Defense Force",
     "armed_forces",
     NULL,
     {{"Hull-mounted sonar components", "ML9", 6, 1250000}},
     ISSUE,
     NULL},
    {"cobalt",
     "IN",
     "Encrypted radio network for a railway operator",
     "Bharat Electronics Ltd",
     "commercial",
     NULL,
     {{"Encryption modules for radio base stations", "5A002", 300, 450000}},
     ISSUE,
     NULL},
    {"acme",
     "RU",
     "Aircraft engine spares",
     "Rostec",
     "government",
     NULL,
     {{"Aero-engine components", "ML10.d", 12, 300000}},
     REFUSE,
     "1a"},
    {"acme",
     "IL",
     "Maintenance of the F-16 fleet",
     "Israel Ministry of Defence",
     "armed_forces",
     NULL,
     {{"Components for military combat aircraft (F-16)", "ML10.a", 40, 125000}},
     APPEALED,
     "2c"},
    {"northbridge",
     "CN",
     "Thermal cameras for public security",
     "Ministry of Public Security",
     "police",
     NULL,
     {{"Thermal imaging cameras", "6A003", 200, 640000}},
     ADVICE,
     NULL},
    {"acme",
     "IL",
     "Trainer aircraft spares",
     "Israeli Air Force Flight Academy",
     "armed_forces",
     NULL,
     {{"Components for training aircraft", "ML10.a", 30, 52000}},
     FINAL_REVIEW,
     NULL},
    {"acme",
     "SA",
     "Munitions for the air force",
     "Royal Saudi Air Force",
     "armed_forces",
     NULL,
     {{"Guided bomb components", "ML4", 200, 4800000}},
     ADVICE,
     NULL},
    {"northbridge",
     "AE",
     "Targeting pods for fast jets",
     "UAE Armed Forces",
     "armed_forces",
     "Orion Dual Use Trading FZE",
     {{"Targeting pod components", "ML5.b", 12, 2100000}},
     TECHNICAL,
     NULL},
    {"halden",
     "AU",
     "Submarine periscope spares",
     "Royal Australian Navy",
     "armed_forces",
     "Sable Maritime Logistics",
     {{"Periscope optics", "ML9", 4, 310000}},
     FINAL_REVIEW,
     NULL},
    {"cobalt",
     "BR",
     "Secure communications for an airline",
     "Embraer S.A.",
     "commercial",
     NULL,
     {{"Encryption software", "5D002", 1, 85000}},
     CHECKS,
     NULL},
    {"acme",
     "TR",
     "Helicopter gearbox spares",
     "Turkish Aerospace Industries",
     "commercial",
     "Kestrel Avionics Industrial Co",
     {{"Components for military helicopters", "ML10.a", 8, 410000}},
     ADVICE,
     NULL},
    {"northbridge",
     "KE",
     "Night vision for wildlife protection",
     "Kenya Wildlife Service",
     "government",
     NULL,
     {{"Night vision goggles", "ML15.c", 60, 180000}},
     SUBMITTED,
     NULL},
    {"halden",
     "NO",
     "Unmanned surface vessel trials",
     "Norwegian Defence Research Establishment",
     "government",
     NULL,
     {{"Autonomous navigation systems", "ML9", 2, 760000}},
     CHECKS,
     NULL},
    {"cobalt",
     "SG",
     "Encrypted links for a port operator",
     "PSA International",
     "commercial",
     NULL,
     {{"Encryption modules", "5A002", 120, 210000}},
     SUBMITTED,
     NULL},
    {"acme",
     "PL",
     "Drone airframe components",
     "Polish Armed Forces",
     "armed_forces",
     NULL,
     {{"Components for unmanned aerial vehicles", "ML10.c", 50, 940000}},
     TECHNICAL,
     NULL},
    {"northbridge",
     "CA",
     "Laser rangefinders",
     "Canadian Armed Forces",
     "armed_forces",
     NULL,
     {{"Laser rangefinders", "ML5.b", 30, 150000}},
     ADVICE,
     NULL},
    {"halden",
     "IN",
     "Torpedo decoys",
     "Indian Navy",
     "armed_forces",
     NULL,
     {{"Torpedo countermeasure decoys", "ML4", 24, 1600000}},
     FINAL_REVIEW,
     NULL},
    {"cobalt",
     "AE",
     "Telecoms interception test equipment",
     "Etisalat",
     "commercial",
     NULL,
     {{"Telecommunications interception equipment", "5A001", 4, 390000}},
     CHECKS,
     NULL},
    {"acme",
     "NL",
     "Chinook helicopter spares",
     "Royal Netherlands Air Force",
     "armed_forces",
     NULL,
     {{"Components for military helicopters", "ML10.a", 20, 270000}},
     DRAFT,
     NULL},
    {"northbridge",
     "US",
     "Image intensifiers for a border agency",
     "US Customs and Border Protection",
     "government",
     NULL,
     {{"Image intensifier tubes", "ML15.c", 400, 520000}},
     DRAFT,
     NULL},
    {"halden",
     "EG",
     "Patrol boat engines",
     "Egyptian Navy",
     "armed_forces",
     NULL,
     {{"Marine diesel engines for patrol vessels", "ML9", 4, 880000}},
     WITHDRAW,
     NULL},
    {"cobalt",
     "DE",
     "Secure phones for ministries",
     "Federal Office for Information Security",
     "government",
     NULL,
     {{"Encrypted mobile telephones", "5A002", 500, 350000}},
     ISSUE,
     NULL},
    {"acme",
     "IT",
     "Typhoon canopy transparencies",
     "Italian Air Force",
     "armed_forces",
     NULL,
     {{"Canopies for military combat aircraft", "ML10.a", 6, 190000}},
     SUBMITTED,
     NULL},
    {"northbridge",
     "GB-NIR",
     "Demonstration stock",
     "Northbridge Optics (Belfast)",
     "commercial",
     NULL,
     {{"Thermal imaging cores", "6A003", 10, 30000}},
     DRAFT,
     NULL},
};

/* Account names, for readability below. */
#define OFFICER "olivia.officer"
#define ASSESSOR "tara.assessor"
#define FCDO "fiona.fcdo"
#define MOD "martin.mod"
#define COUNTERSIGNER "colin.countersign"
#define DECIDER "dana.decides"

static const demo_account *account(const char *name) {
    for (size_t i = 0; i < demo_account_count; i++)
        if (strcmp(demo_accounts[i].name, name) == 0) return &demo_accounts[i];
    return NULL;
}

static cases_actor actor_of(const char *name) {
    const demo_account *a = account(name);
    cases_actor c = {a->name, a->role, a->team, a->organisation};
    return c;
}

static char *application_json(const demo_application *p) {
    const demo_account *ex = account(p->exporter);
    json_t *parties = json_array();
    json_array_append_new(parties,
                          json_pack("{s:s, s:s, s:s, s:s}", "role", "end_user", "name", p->end_user,
                                    "country", p->destination, "type", p->end_user_type));
    if (p->consignee)
        json_array_append_new(parties, json_pack("{s:s, s:s, s:s, s:s}", "role", "consignee",
                                                 "name", p->consignee, "country", p->destination,
                                                 "type", "commercial"));
    json_t *goods = json_array();
    for (int i = 0; i < 3 && p->lines[i].description; i++)
        json_array_append_new(goods, json_pack("{s:s, s:s, s:i, s:f}", "description",
                                               p->lines[i].description, "rating",
                                               p->lines[i].rating, "quantity", p->lines[i].quantity,
                                               "value_gbp", p->lines[i].value_gbp));
    json_t *app = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "type", "SIEL", "destination",
                            p->destination, "end_use", p->end_use, "exporter", ex->organisation,
                            "parties", parties, "goods", goods);
    char *text = json_dumps(app, JSON_COMPACT);
    json_decref(app);
    return text;
}

static int fire(store *db, const cases_services *svc, const char *who, const char *ref,
                const char *event, const char *reason, const char *criteria, ph_err *err) {
    cases_actor a = actor_of(who);
    cases_event_params p = {reason, criteria, NULL, NULL};
    return cases_fire(db, svc, &a, ref, event, &p, 0, err);
}

/* The case officer looks at each screening hit: in the demonstration every
 * one turns out to be another company of a similar name. */
static int dispose_hits(store *db, const cases_services *svc, const char *ref, ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT h.id FROM screening_hit h JOIN application a ON a.id = h.application_id "
            "WHERE a.reference = ? AND h.disposition IS NULL ORDER BY h.id",
            &st, err))
        return err->rc;
    store_bind_text(st, 1, ref);
    int64_t ids[32];
    size_t n = 0;
    while (n < 32 && store_step(st, err) == STORE_ROW)
        ids[n++] = store_col_int(st, 0);
    store_finalize(st);
    cases_actor officer = actor_of(OFFICER);
    for (size_t i = 0; i < n; i++)
        if (cases_dispose(
                db, svc, &officer, ref, 0, ids[i], "false_positive",
                "A different company: its registration number, address and directors do not match "
                "the listing.",
                err))
            return err->rc;
    return PH_OK;
}

/* The demonstration watch list (fictional entities, data/demo/), so that
 * screening finds something even where no official list is loaded. */
static int load_watchlist(store *db, ph_err *err) {
    const ph_embedded *f = ph_embedded_find("data/demo/watchlist.ftm.json");
    if (!f) return ph_fail(err, PH_ERR, "internal: the demonstration watch list is not built in");
    char path[] = "/tmp/penholder-demo-watchlist-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return ph_fail(err, PH_ERR, "cannot write a temporary file for the watch list");
    FILE *out = fdopen(fd, "w");
    int ok = out && fwrite(f->data, 1, f->len, out) == f->len;
    if (out) ok = fclose(out) == 0 && ok;
    int rc = PH_OK;
    if (!ok) rc = ph_fail(err, PH_ERR, "cannot write %s", path);
    const char *paths[] = {path};
    const char *labels[] = {"penholder demonstration watch list (fictional entities)"};
    lists_import_options o = {
        .format = "ftm-json", .list = "demo-watchlist", .labels = labels, .actor = "demo"};
    lists_import_report rep;
    if (!rc) {
        rc = lists_import(db, paths, 1, &o, &rep, err);
        if (!rc) lists_import_report_free(&rep);
    }
    unlink(path);
    return rc;
}

/* The September 2024 pattern: about 350 extant licences to Israel, and the
 * review under Criterion 2(c) with the F-35 global programme carved out,
 * run, approved by a second person and applied. The IHL evidence is the
 * first entry the demonstration adds (EV-0001). */
static const char review_2024[] =
    "{\"title\": \"Israel: compliance with international humanitarian law, September 2024\","
    "\"reason\": \"The review of Israel's compliance with international humanitarian law concluded "
    "that, for "
    "certain items, there is a clear risk that they might be used to commit or facilitate a "
    "serious violation of "
    "international humanitarian law. Every extant licence to Israel is re-assessed under Criterion "
    "2(c).\","
    "\"criteria\": [\"2c\"], \"evidence\": [\"EV-0001\"], \"as_of\": \"2024-09-02\","
    "\"scope\": {\"destinations\": [\"IL\"], \"statuses\": [\"issued\", \"reinstated\"]},"
    "\"exceptions\": [{\"select\": {\"tags\": [\"f35-global-programme\"]}, \"reason\": "
    "\"Components "
    "supplied to the global F-35 programme are excluded as a specific measure announced to "
    "Parliament: suppliers "
    "cannot see the end user of pooled parts, and suspending them would affect the whole fleet of "
    "partner "
    "nations.\", \"authority\": \"HCWS64\"}]}";

static int demo_review(store *db, int *licences, ph_err *err) {
    char path[] = "/tmp/penholder-demo-register-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return ph_fail(err, PH_ERR, "cannot write a temporary file for the register");
    FILE *out = fdopen(fd, "w");
    review_scenario_options so = {0, 0};
    int rc =
        out ? review_scenario_write(out, &so, err) : ph_fail(err, PH_ERR, "cannot write %s", path);
    if (out && fclose(out) != 0 && !rc) rc = ph_fail(err, PH_ERR, "cannot write %s", path);
    register_import_options io = {.format = "penholder-csv", .actor = "demo"};
    register_import_report ir;
    if (!rc) {
        rc = register_import(db, path, &io, &ir, err);
        if (!rc) {
            *licences = (int)ir.licences_added;
            register_import_report_free(&ir);
        }
    }
    unlink(path);
    review_actor officer = {OFFICER, "case_officer"}, decider = {DECIDER, "decision_maker"};
    int64_t id = 0;
    review_run_info run;
    review_apply_report applied;
    if (!rc)
        rc = review_create(db, &officer, "demonstration review", review_2024, strlen(review_2024),
                           &id, err);
    if (!rc) rc = review_run(db, &officer, id, &run, err);
    if (!rc)
        rc = review_approve(db, &decider, id, 0,
                            "Approved: the suspensions follow the IHL assessment; the F-35 measure "
                            "is as announced.",
                            err);
    if (!rc) rc = review_apply(db, &decider, id, 0, NULL, NULL, &applied, err);
    return rc;
}

/* Takes one application as far as its plan says, as the people who would. */
static int play(store *db, const cases_services *svc, const demo_application *p, int *licences,
                ph_err *err) {
    char *json = application_json(p);
    cases_actor exporter = actor_of(p->exporter);
    char ref[CASES_REFERENCE_MAX];
    int rc = cases_create(db, &exporter, json, strlen(json), ref, err);
    free(json);
    if (rc || p->stage == DRAFT) return rc;
    if (p->stage == WITHDRAW) {
        if ((rc = fire(db, svc, p->exporter, ref, "submit", NULL, NULL, err))) return rc;
        return fire(db, svc, p->exporter, ref, "withdraw", "The customer cancelled the order", NULL,
                    err);
    }
    if ((rc = fire(db, svc, p->exporter, ref, "submit", NULL, NULL, err)) || p->stage == SUBMITTED)
        return rc;
    /* Screening hits are disposed of by the case officer straight away. */
    if ((rc = fire(db, svc, OFFICER, ref, "start_checks", NULL, NULL, err)) || p->stage == CHECKS)
        return rc;
    if (p->stage >= ADVICE && (rc = dispose_hits(db, svc, ref, err))) return rc;
    if ((rc = fire(db, svc, OFFICER, ref, "send_to_technical", NULL, NULL, err)) ||
        p->stage == TECHNICAL)
        return rc;
    cases_actor tau = actor_of(ASSESSOR);
    for (int i = 0; i < 3 && p->lines[i].description; i++)
        if ((rc = cases_rate(db, &tau, ref, 0, i + 1, p->lines[i].rating, p->lines[i].description,
                             err)))
            return rc;
    if ((rc = fire(db, svc, ASSESSOR, ref, "complete_technical", NULL, NULL, err))) return rc;
    int refuse = p->stage == REFUSE || p->stage == APPEALED;
    cases_actor fcdo = actor_of(FCDO), mod = actor_of(MOD);
    cases_advice_input fa = {refuse ? "refuse" : "approve",
                             refuse ? "There is a clear risk; the criteria cited are engaged."
                                    : "Consistent with the criteria; no concerns from the desk.",
                             NULL, refuse ? p->refusal_criteria : NULL, NULL};
    cases_advice_input ma = {"approve", "No defence objection.", NULL, NULL, NULL};
    int64_t fcdo_id, mod_id;
    if ((rc = cases_advise(db, &fcdo, ref, 0, &fa, &fcdo_id, err)) ||
        (rc = cases_advise(db, &mod, ref, 0, &ma, &mod_id, err)))
        return rc;
    if (p->stage == ADVICE) return PH_OK;
    if ((rc = fire(db, svc, OFFICER, ref, "consolidate", NULL, NULL, err))) return rc;
    cases_actor cs = actor_of(COUNTERSIGNER);
    if ((rc = cases_countersign(db, &cs, ref, 0, fcdo_id, 1,
                                "The advice is sound and its reasons are recorded.", err)) ||
        (rc = cases_countersign(db, &cs, ref, 0, mod_id, 1, "Agreed.", err)))
        return rc;
    if (p->stage == FINAL_REVIEW) return PH_OK;
    if (refuse) {
        rc = fire(db, svc, DECIDER, ref, "refuse", "Refused on the advice of the penholder.",
                  p->refusal_criteria, err);
        if (rc || p->stage != APPEALED) return rc;
        cases_actor a = actor_of(p->exporter);
        cases_event_params ap = {
            NULL, NULL,
            "The components are for aircraft maintenance outside the area of operations; "
            "end-use assurances are offered.",
            NULL};
        return cases_fire(db, svc, &a, ref, "appeal", &ap, 0, err);
    }
    rc = fire(db, svc, DECIDER, ref, "issue", "Advice accepted.", NULL, err);
    if (!rc) (*licences)++;
    return rc;
}

/* Formal concerns: an open confidential one about a case awaiting its
 * decision, one acknowledged and left unanswered until it fell overdue,
 * and one answered and closed. Dates are set back so the deadlines show. */
static int demo_concerns(store *db, int *raised, ph_err *err) {
    concern_actor nora = {"nora.nominated", "nominated_officer", NULL};
    char key_id[17];
    if (concern_keys_init(db, &nora, DEMO_PASSWORD, key_id, err)) return err->rc;
    int32_t today = ph_date_today();
    char d[6][11];
    int back[6] = {40, 38, 120, 115, 90, 60};
    for (int i = 0; i < 6; i++)
        ph_date_format(today - back[i], d[i]);
    char ref[CASES_REFERENCE_MAX], about[CASES_REFERENCE_MAX + 8], receipt[CONCERN_RECEIPT_TEXT];
    int64_t id;
    /* The case awaiting a decision on trainer-aircraft parts for Israel. */
    if (store_one_int(
            db, &id, err,
            "SELECT a.id FROM application a JOIN application_party p ON p.application_id = a.id "
            "WHERE p.name = 'Israeli Air Force Flight Academy'",
            NULL))
        return err->rc;
    store_stmt *st;
    if (store_prepare(db, "SELECT reference FROM application WHERE id = ?", &st, err))
        return err->rc;
    store_bind_int(st, 1, id);
    ref[0] = '\0';
    if (store_step(st, err) == STORE_ROW) ph_strlcpy(ref, store_col_text(st, 0), sizeof ref);
    store_finalize(st);
    snprintf(about, sizeof about, "case:%s", ref);
    concern_actor fiona = {"fiona.fcdo", "adviser", NULL};
    concern_raise_input c1 = {
        about,
        "legal_risk",
        "The end user's flight academy trains pilots who go on to fly combat missions in Gaza; "
        "the assessment treats trainer components as without combat capability. I believe "
        "this understates the risk under Criterion 2c and ask that it be looked at before a "
        "decision.",
        "2c",
        NULL,
        0,
        1,
        NULL,
        d[0]};
    if (concern_raise(db, &fiona, &c1, &id, receipt, err)) return err->rc;
    concern_event_input ack = {.today = d[1]};
    if (concern_fire(db, &nora, id, "acknowledge", &ack, err)) return err->rc;
    (*raised)++;
    /* Policy dissent, acknowledged and then left without an answer. */
    concern_actor martin = {"martin.mod", "adviser", NULL};
    concern_raise_input c2 = {
        "policy:uk-selc-2021@2021.1",
        "policy_dissent",
        "The shipped policy refers every licence without a named end user under Criterion 7. "
        "Most historic licences name none, so reviews refer hundreds of them by default; the "
        "rule should distinguish open licences from single consignments.",
        "7",
        NULL,
        0,
        0,
        NULL,
        d[2]};
    if (concern_raise(db, &martin, &c2, &id, receipt, err)) return err->rc;
    ack.today = d[3];
    if (concern_fire(db, &nora, id, "acknowledge", &ack, err)) return err->rc;
    (*raised)++;
    /* Answered and closed. */
    concern_actor olivia = {"olivia.officer", "case_officer", NULL};
    concern_raise_input c3 = {
        "policy:uk-selc-2021@2021.1",
        "implementation_dissent",
        "Screening hits on common names are being dismissed without a recorded reason on "
        "busy days; the disposition form should not accept an empty reason.",
        NULL,
        NULL,
        0,
        0,
        NULL,
        d[4]};
    if (concern_raise(db, &olivia, &c3, &id, receipt, err)) return err->rc;
    ack.today = d[4];
    if (concern_fire(db, &nora, id, "acknowledge", &ack, err)) return err->rc;
    concern_event_input resp = {
        .outcome = "upheld",
        .today = d[5],
        .decision = "Upheld: a screening hit may no longer be dismissed without a recorded reason.",
        .actions = "Dispositions now require a reason of at least one sentence, and the case "
                   "system refuses an empty one; the licensing unit was briefed on 1 October.",
        .reasons = "A disposition without a reason cannot be reviewed or audited, and busy days "
                   "are when a wrong dismissal is most likely."};
    if (concern_fire(db, &nora, id, "respond", &resp, err)) return err->rc;
    concern_event_input close = {.today = d[5]};
    if (concern_fire(db, &olivia, id, "close", &close, err)) return err->rc;
    (*raised)++;
    return PH_OK;
}

int demo_fill(store *db, demo_progress_fn progress, void *ctx, demo_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    int64_t have = 0;
    if (store_one_int(db, &have, err, "SELECT count(*) FROM account WHERE name = ?", "t",
                      demo_accounts[0].name))
        return err->rc;
    if (have) {
        report->already = 1;
        return PH_OK;
    }
    /* One hash for every demonstration account: Argon2id takes a good part
     * of a second, and these accounts all share the printed password. */
    char hash[AUTH_HASH_MAX];
    if (auth_password_hash(DEMO_PASSWORD, hash, err)) return err->rc;
    int total = (int)(demo_account_count + sizeof demo_evidence / sizeof demo_evidence[0] +
                      sizeof plans / sizeof plans[0]);
    int done = 0;
    int rc = store_begin(db, err);
    for (size_t i = 0; !rc && i < demo_account_count; i++) {
        const demo_account *a = &demo_accounts[i];
        auth_user_new u = {a->name, AUTH_ROLE_COUNT, a->team, a->organisation};
        auth_user out;
        rc = auth_role_parse(a->role, &u.role, err);
        if (!rc) rc = auth_user_create(db, "demo", &u, hash, &out, NULL, err);
        if (!rc) report->accounts++;
        if (progress) progress(ctx, "accounts", ++done, total);
    }
    if (!rc)
        rc = store_commit(db, err);
    else
        store_rollback(db);
    for (size_t i = 0; !rc && i < sizeof demo_evidence / sizeof demo_evidence[0]; i++) {
        int64_t id;
        rc = assess_evidence_add(db, "demo", &demo_evidence[i], &id, err);
        if (!rc) report->evidence++;
        if (progress) progress(ctx, "evidence", ++done, total);
    }
    if (!rc) rc = load_watchlist(db, err);
    cases_runtime *rt = NULL;
    if (!rc) rc = cases_runtime_open(db, NULL, &rt, err);
    cases_services svc;
    cases_runtime_services(rt, &svc);
    for (size_t i = 0; !rc && i < sizeof plans / sizeof plans[0]; i++) {
        rc = play(db, &svc, &plans[i], &report->licences, err);
        if (rc)
            ph_err_prefix(err, "demonstration application %zu (%s to %s): ", i + 1,
                          plans[i].exporter, plans[i].destination);
        else
            report->applications++;
        if (progress) progress(ctx, "applications", ++done, total);
    }
    cases_runtime_close(rt);
    if (!rc) rc = demo_review(db, &report->review_licences, err);
    if (!rc) rc = demo_concerns(db, &report->concerns, err);
    return rc;
}
