/* review — the scenario register: licences to Israel reproducing the
 * pattern of the September 2024 review, written as penholder-csv. The
 * numbers and names are the project's own; no real licence is described.
 * Deterministic for a seed (splitmix64). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv/csv.h"
#include "review/review.h"

#define SCENARIO_BASE 350 /* the counts below are per 350 extant licences */
#define SCENARIO_SEED 2024
#define SCENARIO_DESTINATION "IL"
/* Extant licences were issued in the two years before the review. */
#define ISSUED_FIRST "2022-09-05"
#define ISSUED_LAST "2024-08-30"
#define SIEL_DAYS 730  /* a SIEL is valid for two years */
#define OIEL_DAYS 1826 /* an OIEL for five */
#define OIEL_PER_MILLE 100

/* ---- the rating mix ----
 * Shares (per mille) of the goods lines of each rating among the licences
 * issued for Israel in the published 2008-2015 register (the CAAT export
 * of the UK Strategic Export Controls database): the 40 commonest ratings,
 * 93% of the lines. Ratings are refined to a sub-entry where the goods
 * described belong there (ML7 protective goods are ML7.f). The goods and
 * end users are the project's own illustrations of what such lines are. */
typedef struct mix_row {
    const char *rating;
    int per_mille;
    const char *goods;
    int military; /* chooses the end users */
} mix_row;

static const mix_row MIX[] = {
    {"5A002", 138, "information security equipment (encryption modules)", 0},
    {"ML11.a", 132, "components for military electronic equipment", 1},
    {"ML5.a", 123, "components for fire control equipment", 1},
    {"ML10.a", 82, "components for military aircraft", 1},
    {"6A003", 61, "thermal imaging cameras", 0},
    {"5D002", 35, "information security software", 0},
    {"2B350", 35, "chemical manufacturing equipment (valves and pumps)", 0},
    {"ML4", 31, "components for missile systems", 1},
    {"ML9", 30, "components for naval vessels", 1},
    {"3A002", 24, "electronic test equipment", 0},
    {"ML22", 17, "technology for the production of military equipment", 1},
    {"ML6.b", 17, "components for military vehicles", 1},
    {"2B230", 12, "pressure transducers", 0},
    {"1C240", 12, "nickel powder", 0},
    {"0C004", 11, "high-purity graphite", 0},
    {"ML21", 11, "software for military equipment", 1},
    {"5E002", 11, "information security technology", 0},
    {"4A003", 9, "high-performance computers", 0},
    {"ML3", 9, "components for ammunition", 1},
    {"PL5017", 9, "test equipment for military goods", 1},
    {"9B001", 9, "equipment for producing gas turbine blades", 0},
    {"ML1", 9, "components for small arms", 1},
    {"1C202", 9, "aluminium alloys", 0},
    {"ML14", 8, "military training equipment", 1},
    {"ML13", 7, "armour plate", 1},
    {"6A002", 7, "optical detectors", 0},
    {"2B006", 6, "dimensional inspection equipment", 0},
    {"ML7.f", 6, "protective equipment against chemical agents", 1},
    {"8A002", 6, "marine equipment components", 0},
    {"3A228", 6, "switching devices", 0},
    {"6A203", 6, "high-speed cameras", 0},
    {"3C001", 6, "semiconductor materials", 0},
    {"ML18", 5, "production equipment for military goods", 1},
    {"6A005", 5, "lasers", 0},
    {"ML17", 5, "miscellaneous military equipment", 1},
    {"3A001", 5, "electronic components", 0},
    {"1C010", 5, "fibrous materials", 0},
    {"7A003", 5, "inertial navigation equipment", 0},
    {"1A004", 5, "protective equipment not for military use", 0},
    {"ML15", 4, "components for imaging equipment", 1},
};
#define NMIX (sizeof MIX / sizeof MIX[0])

void review_scenario_mix_write(FILE *out) {
    fputs("rating,per_mille,goods_summary\n", out);
    for (size_t i = 0; i < NMIX; i++) {
        char pm[16];
        snprintf(pm, sizeof pm, "%d", MIX[i].per_mille);
        const char *fields[] = {MIX[i].rating, pm, MIX[i].goods};
        csv_write_row(out, fields, 3);
    }
}

/* Recipients of the background licences: companies that incorporate
 * goods into products (much of it for export onwards) and civil bodies. */
typedef struct recipient {
    const char *name, *type, *end_use;
} recipient;

static const recipient MILITARY_RECIPIENTS[] = {
    {"Negev Avionics Ltd", "commercial",
     "Incorporation into avionics for export to the United States"},
    {"Carmel Electro-Optics Ltd", "commercial",
     "Incorporation into electro-optical systems for export"},
    {"Galilee Aerostructures Ltd", "commercial",
     "Incorporation into aircraft assemblies for export"},
    {"Ashdod Marine Systems Ltd", "commercial", "Incorporation into naval systems for export"},
    {"Arava Defence Electronics Ltd", "commercial", "Incorporation into products for re-export"},
};
static const recipient CIVIL_RECIPIENTS[] = {
    {"Sharon Secure Networks Ltd", "commercial",
     "Secure communications products for civil customers"},
    {"Jezreel Telecom Ltd", "commercial", "Civil telecommunications network"},
    {"Haifa Process Chemicals Ltd", "commercial", "Civil chemical production"},
    {"Rehovot Materials Research Institute", "other", "Research and development"},
    {"Israel Ministry of Health", "government", "Public health laboratories"},
    {"Kinneret Industrial Instruments Ltd", "commercial", "Industrial quality control"},
};

/* ---- the licences the 2024 review singled out ---- */
typedef struct pattern {
    int per_base; /* licences per 350 */
    const char *rating, *goods;
    const char *end_user, *end_user_type, *end_use;
    const char *tags;
    int64_t min_pounds, max_pounds;
} pattern;

static const pattern PATTERNS[] = {
    /* For use by the armed forces, with combat capability. */
    {8, "ML10.a", "components for F-16 combat aircraft", "Israeli Air Force", "armed_forces",
     "Maintenance and repair of the F-16 fleet", "", 50000, 2000000},
    {5, "ML10.a", "components for military helicopters (AH-64 Apache)", "Israeli Air Force",
     "armed_forces", "Spares for attack helicopters", "", 20000, 800000},
    {6, "ML10.c", "parts for unmanned aerial vehicles", "Israel Defense Forces", "armed_forces",
     "Spares for military drones", "", 10000, 600000},
    {4, "ML5.b", "target acquisition and designation equipment components",
     "Israel Defense Forces Ground Forces", "armed_forces", "Fire control for ground forces", "",
     10000, 500000},
    {2, "ML15.d", "thermal imaging targeting pods and components", "Israeli Air Force",
     "armed_forces", "Targeting for combat aircraft", "", 100000, 1500000},
    {2, "ML9", "components for naval combat systems", "Israeli Navy", "armed_forces",
     "Spares for naval vessels", "", 20000, 400000},
    {3, "ML10.a", "components for F-35 combat aircraft", "Israeli Air Force", "armed_forces",
     "Support of the F-35I fleet in Israel", "", 100000, 3000000},
    /* Components for the global F-35 programme (spares pool, production). */
    {8, "ML10.a", "components for F-35 combat aircraft for the global spares pool",
     "F-35 Global Support Solution (users include the Israeli Air Force)", "armed_forces",
     "F-35 global spares pool and common production line", "f35-global-programme", 200000, 5000000},
    /* For the armed forces, without combat capability of their own. */
    {6, "ML10.a", "components for military training aircraft (M-346)", "Israeli Air Force",
     "armed_forces", "Pilot training", "", 10000, 400000},
    {4, "ML10.g", "aircrew life support and safety equipment", "Israeli Air Force", "armed_forces",
     "Aircrew safety", "", 5000, 200000},
    {3, "ML13", "body armour and helmets", "Israel Defense Forces", "armed_forces",
     "Personal protection", "", 5000, 300000},
    {3, "ML7.f", "protective equipment against chemical agents", "Israel Defense Forces",
     "armed_forces", "Civil defence and personal protection", "", 5000, 200000},
    {4, "ML11.a", "military communications equipment components", "Israel Defense Forces",
     "armed_forces", "Communications", "", 10000, 300000},
    {2, "ML22", "technology for the maintenance of military vehicles", "Israel Ministry of Defence",
     "armed_forces", "Maintenance", "", 5000, 100000},
    {2, "ML14", "training simulators", "Israel Defense Forces", "armed_forces", "Training", "",
     20000, 500000},
};
#define NPATTERNS (sizeof PATTERNS / sizeof PATTERNS[0])

/* Licences outside the review's scope, per 350: expired and revoked
 * licences to Israel, and licences to other destinations. */
#define EXPIRED_PER_BASE 12
#define REVOKED_PER_BASE 3
#define ELSEWHERE_PER_BASE 10
static const char *const ELSEWHERE[] = {"US", "DE", "IN", "AU", "FR"};

/* ---- randomness ---- */

static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) {
    return n ? next(s) % n : 0;
}

/* Whole pounds, spread evenly on a log scale. */
static int64_t value_between(uint64_t *s, int64_t lo, int64_t hi) {
    double u = (double)(next(s) >> 11) / (double)(1ull << 53);
    return (int64_t)llround(exp(log((double)lo) + u * (log((double)hi) - log((double)lo))));
}

static int mix_total(void) {
    int total = 0;
    for (size_t i = 0; i < NMIX; i++)
        total += MIX[i].per_mille;
    return total;
}

static const mix_row *mix_pick(uint64_t *s, int total) {
    int at = (int)below(s, (uint64_t)total);
    for (size_t i = 0; i < NMIX; i++) {
        if (at < MIX[i].per_mille) return &MIX[i];
        at -= MIX[i].per_mille;
    }
    return &MIX[0];
}

/* ---- licences ---- */

enum { KIND_BACKGROUND = -1, KIND_EXPIRED = -2, KIND_REVOKED = -3, KIND_ELSEWHERE = -4 };

typedef struct planned {
    int kind; /* a PATTERNS index, or KIND_* */
    int32_t issued;
    uint64_t seed;
} planned;

static int by_issue_date(const void *a, const void *b) {
    const planned *x = a, *y = b;
    if (x->issued != y->issued) return x->issued < y->issued ? -1 : 1;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

static long scaled(int per_base, long licences) {
    return lround((double)per_base * (double)licences / SCENARIO_BASE);
}

static void write_line(FILE *out, const char *const *licence, const char *rating, const char *goods,
                       int64_t qty, int64_t pounds, const char *status, const char *tags) {
    char q[24], v[24];
    snprintf(q, sizeof q, "%lld", (long long)qty);
    snprintf(v, sizeof v, "%lld", (long long)pounds);
    const char *fields[] = {licence[0], licence[1], licence[2], licence[3], licence[4],
                            licence[5], licence[6], licence[7], rating,     goods,
                            q,          v,          status,     tags};
    csv_write_row(out, fields, 14);
}

int review_scenario_write(FILE *out, const review_scenario_options *o, ph_err *err) {
    long n = o && o->licences > 0 ? o->licences : SCENARIO_BASE;
    uint64_t seed = o && o->seed ? o->seed : SCENARIO_SEED;
    if (n > 100000000L) return ph_fail(err, PH_EUSAGE, "at most 100,000,000 licences");
    int32_t first, last;
    int mix = mix_total();
    ph_date_parse(ISSUED_FIRST, &first);
    ph_date_parse(ISSUED_LAST, &last);

    /* Plan every licence: its kind and date, then number them by date. */
    long structured = 0;
    for (size_t k = 0; k < NPATTERNS; k++)
        structured += scaled(PATTERNS[k].per_base, n);
    if (structured > n) structured = n;
    long extra =
        scaled(EXPIRED_PER_BASE, n) + scaled(REVOKED_PER_BASE, n) + scaled(ELSEWHERE_PER_BASE, n);
    size_t total = (size_t)(n + extra);
    planned *plan = ph_calloc(total, sizeof *plan);
    uint64_t rng = seed;
    size_t at = 0;
    for (size_t k = 0; k < NPATTERNS; k++)
        for (long i = scaled(PATTERNS[k].per_base, n); i > 0 && at < (size_t)n; i--)
            plan[at++].kind = (int)k;
    while (at < (size_t)n)
        plan[at++].kind = KIND_BACKGROUND;
    for (long i = scaled(EXPIRED_PER_BASE, n); i > 0; i--)
        plan[at++].kind = KIND_EXPIRED;
    for (long i = scaled(REVOKED_PER_BASE, n); i > 0; i--)
        plan[at++].kind = KIND_REVOKED;
    while (at < total)
        plan[at++].kind = KIND_ELSEWHERE;
    for (size_t i = 0; i < total; i++) {
        plan[i].seed = next(&rng);
        uint64_t s = plan[i].seed;
        if (plan[i].kind == KIND_EXPIRED)
            plan[i].issued =
                first - 1200 + (int32_t)below(&s, 400); /* 2019-2020: expired by 2024 */
        else
            plan[i].issued = first + (int32_t)below(&s, (uint64_t)(last - first + 1));
    }
    qsort(plan, total, sizeof *plan, by_issue_date);

    fputs("reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,"
          "goods_summary,"
          "quantity,value_gbp,status,tags\n",
          out);
    for (size_t i = 0; i < total; i++) {
        const planned *p = &plan[i];
        uint64_t s = p->seed;
        int oiel = p->kind < 0 && below(&s, 1000) < OIEL_PER_MILLE;
        int y, m, d;
        ph_date_to_ymd(p->issued, &y, &m, &d);
        char reference[40], issued[11], expires[11];
        snprintf(reference, sizeof reference, "GB%s/%d/%07zu/P", oiel ? "OIEL" : "SIEL", y,
                 1000 + i);
        ph_date_format(p->issued, issued);
        ph_date_format(p->issued + (oiel ? OIEL_DAYS : SIEL_DAYS), expires);
        const char *destination = SCENARIO_DESTINATION, *status = "issued";
        if (p->kind == KIND_EXPIRED) status = "expired";
        if (p->kind == KIND_REVOKED) status = "revoked";
        if (p->kind == KIND_ELSEWHERE)
            destination = ELSEWHERE[below(&s, sizeof ELSEWHERE / sizeof ELSEWHERE[0])];
        if (p->kind >= 0) {
            const pattern *pt = &PATTERNS[p->kind];
            const char *licence[] = {reference,         "SIEL",      issued,
                                     expires,           destination, pt->end_user,
                                     pt->end_user_type, pt->end_use};
            write_line(out, licence, pt->rating, pt->goods, 1 + (int64_t)below(&s, 200),
                       value_between(&s, pt->min_pounds, pt->max_pounds), status, pt->tags);
            /* Some also carry the technology to maintain what they supply. */
            if (below(&s, 4) == 0 && strcmp(pt->rating, "ML22") != 0)
                write_line(out, licence, "ML22",
                           "technology for the maintenance of the goods above", 1,
                           value_between(&s, 2000, 50000), status, pt->tags);
            continue;
        }
        /* The rest: one to three lines of the rating mix to one recipient. */
        const mix_row *lines[3];
        size_t nlines = 1 + (size_t)(below(&s, 10) < 3) + (size_t)(below(&s, 10) < 1);
        lines[0] = mix_pick(&s, mix);
        for (size_t k = 1; k < nlines; k++) {
            const mix_row *r = mix_pick(&s, mix);
            int repeat = 0;
            for (size_t j = 0; j < k; j++)
                repeat |= lines[j] == r;
            if (repeat || r->military != lines[0]->military) {
                nlines = k;
                break;
            }
            lines[k] = r;
        }
        const recipient *who =
            lines[0]->military ? &MILITARY_RECIPIENTS[below(&s, sizeof MILITARY_RECIPIENTS /
                                                                    sizeof MILITARY_RECIPIENTS[0])]
                               : &CIVIL_RECIPIENTS[below(&s, sizeof CIVIL_RECIPIENTS /
                                                                 sizeof CIVIL_RECIPIENTS[0])];
        const char *licence[] = {
            reference,   oiel ? "OIEL" : "SIEL", issued, expires, destination, who->name, who->type,
            who->end_use};
        for (size_t k = 0; k < nlines; k++)
            write_line(out, licence, lines[k]->rating, lines[k]->goods, 1 + (int64_t)below(&s, 500),
                       value_between(&s, 2000, 750000), status, "");
    }
    free(plan);
    if (fflush(out) || ferror(out))
        return ph_fail(err, PH_ERR, "could not write the scenario register");
    return PH_OK;
}
