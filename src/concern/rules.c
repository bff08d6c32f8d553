/* The pure rules of formal concerns: durations and settings, the timeline
 * and its deadlines, receipt codes, texts and what a concern is about.
 * No I/O and no database, so they are unit-tested and fuzzed directly. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "concern.h"
#include "review/review.h"

const char *const concern_categories[] = {"legal_risk", "policy_dissent", "implementation_dissent",
                                          "conduct", NULL};
const char *const concern_outcomes[] = {"upheld", "partly_upheld", "not_upheld", NULL};

/* "legal-risk" -> "legal_risk", then checked against the list. */
static int word_parse(const char *what, const char *s, const char *const *allowed, char *out,
                      size_t size, ph_err *err) {
    if (!s || !*s)
        return ph_fail(err, PH_EUSAGE, "%s: required (one of %s)", what, "the values listed below");
    char norm[64];
    size_t n = strlen(s);
    if (n >= sizeof norm) n = sizeof norm - 1;
    for (size_t i = 0; i < n; i++)
        norm[i] = s[i] == '-' ? '_' : s[i];
    norm[n] = '\0';
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(norm, *a) == 0) {
            ph_strlcpy(out, *a, size);
            return PH_OK;
        }
    char list[256] = "";
    size_t used = 0;
    for (const char *const *a = allowed; *a; a++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *a);
        if (w > 0 && (size_t)w < sizeof list - used) used += (size_t)w;
    }
    return ph_fail(err, PH_EUSAGE, "%s: '%.64s' is not one of %s", what, s, list);
}

int concern_category_parse(const char *s, char out[32], ph_err *err) {
    if (!s || !*s)
        return ph_fail(
            err, PH_EUSAGE,
            "category: required (legal_risk, policy_dissent, implementation_dissent or conduct)");
    return word_parse("category", s, concern_categories, out, 32, err);
}

int concern_outcome_parse(const char *s, char out[24], ph_err *err) {
    if (!s || !*s)
        return ph_fail(err, PH_EUSAGE, "outcome: required (upheld, partly_upheld or not_upheld)");
    return word_parse("outcome", s, concern_outcomes, out, 24, err);
}

/* ---- durations ---- */

int concern_duration_parse(const char *s, concern_duration *out, ph_err *err) {
    out->n = 0;
    out->unit = CONCERN_DAYS;
    if (!s) return ph_fail(err, PH_EUSAGE, "a duration is required");
    if (strcmp(s, "none") == 0 || strcmp(s, "") == 0) return PH_OK;
    size_t i = 0;
    int64_t n = 0;
    while (s[i] >= '0' && s[i] <= '9' && i < 6)
        n = n * 10 + (s[i++] - '0');
    const char *unit = s + i;
    if (i == 0 || n <= 0 || n > 3650)
        return ph_fail(err, PH_EUSAGE,
                       "duration '%.32s': expected a number from 1 to 3650 and a unit: 7d (days), "
                       "2wd (working days), "
                       "3m (months), or none",
                       s);
    if (strcmp(unit, "d") == 0)
        out->unit = CONCERN_DAYS;
    else if (strcmp(unit, "wd") == 0)
        out->unit = CONCERN_WORKING_DAYS;
    else if (strcmp(unit, "m") == 0 && n <= 120)
        out->unit = CONCERN_MONTHS;
    else
        return ph_fail(err, PH_EUSAGE,
                       "duration '%.32s': the unit must be d (days), wd (working days) or m "
                       "(months, at most 120)",
                       s);
    out->n = (int)n;
    return PH_OK;
}

void concern_duration_format(const concern_duration *d, char *out, size_t size) {
    if (!d->n) {
        ph_strlcpy(out, "none", size);
        return;
    }
    snprintf(out, size, "%d%s", d->n,
             d->unit == CONCERN_DAYS           ? "d"
             : d->unit == CONCERN_WORKING_DAYS ? "wd"
                                               : "m");
}

static int days_in_month(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return days[m - 1];
}

int32_t concern_duration_add(const calendar *cal, int32_t day, const concern_duration *d) {
    if (day == CONCERN_NO_DATE || !d->n) return CONCERN_NO_DATE;
    switch (d->unit) {
    case CONCERN_DAYS: return day + d->n;
    case CONCERN_WORKING_DAYS: return calendar_add_working_days(cal, day, d->n);
    case CONCERN_MONTHS: {
        int y, m, dd;
        ph_date_to_ymd(day, &y, &m, &dd);
        int months = (m - 1) + d->n;
        y += months / 12;
        m = months % 12 + 1;
        int last = days_in_month(y, m);
        return ph_date_from_ymd(y, m, dd > last ? last : dd);
    }
    }
    return CONCERN_NO_DATE;
}

/* ---- settings ---- */

const char *const concern_setting_keys[] = {
    "acknowledge_within", "respond_within",  "respond_extended_within",
    "respond_from",       "calendar",        "escalation_chain",
    "block_finalising",   "stats_min_count", NULL};

typedef struct preset {
    const char *name;
    const char *values[8]; /* in the order of concern_setting_keys */
} preset;

/* EU Directive 2019/1937 Art 9(1)(b) and (f): acknowledge within 7 days,
 * feedback within 3 months of the acknowledgement (or of the end of the
 * 7 days when none was sent). The chain follows the Civil Service Code:
 * line manager, then a nominated officer, then the Civil Service
 * Commission. External channels (Art 11(2)(d)) may take 6 months in duly
 * justified cases. The US State Department's Dissent Channel (2 FAM 070)
 * acknowledges within 2 working days and replies within 30, at most 60,
 * working days. */
static const preset presets[] = {
    {"eu-directive",
     {"7d", "3m", "none", "acknowledgement", CALENDAR_DEFAULT,
      "line_manager,nominated_officer,civil_service_commission", "no", "3"}},
    {"eu-external-authority",
     {"7d", "3m", "6m", "acknowledgement", CALENDAR_DEFAULT,
      "competent_authority,civil_service_commission", "no", "3"}},
    {"us-dissent-channel",
     {"2wd", "30wd", "60wd", "acknowledgement", "united-states-federal",
      "policy_planning_staff,secretary_of_state,office_of_inspector_general", "no", "3"}},
};
const char *const concern_presets[] = {"eu-directive", "eu-external-authority",
                                       "us-dissent-channel", NULL};

static int level_name_ok(const char *s, size_t n) {
    if (n == 0 || n >= CONCERN_LEVEL_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z')) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int concern_settings_apply(concern_settings *s, const char *key, const char *value, ph_err *err) {
    if (!key || !value) return ph_fail(err, PH_EUSAGE, "a setting needs a name and a value");
    if (strcmp(key, "acknowledge_within") == 0 || strcmp(key, "respond_within") == 0) {
        concern_duration d;
        if (concern_duration_parse(value, &d, err)) return ph_err_prefix(err, "%s: ", key);
        if (!d.n)
            return ph_fail(err, PH_EUSAGE, "%s: a deadline is required (e.g. 7d, 2wd, 3m)", key);
        if (key[0] == 'a')
            s->acknowledge_within = d;
        else
            s->respond_within = d;
        return PH_OK;
    }
    if (strcmp(key, "respond_extended_within") == 0) {
        if (concern_duration_parse(value, &s->respond_extended, err))
            return ph_err_prefix(err, "%s: ", key);
        return PH_OK;
    }
    if (strcmp(key, "respond_from") == 0) {
        if (strcmp(value, "acknowledgement") == 0)
            s->respond_from_raising = 0;
        else if (strcmp(value, "raising") == 0)
            s->respond_from_raising = 1;
        else
            return ph_fail(err, PH_EUSAGE,
                           "respond_from: '%.32s' is not acknowledgement or raising", value);
        return PH_OK;
    }
    if (strcmp(key, "calendar") == 0) {
        calendar *c;
        if (calendar_load(value, &c, err)) return ph_err_prefix(err, "calendar: ");
        calendar_free(c);
        ph_strlcpy(s->calendar, value, sizeof s->calendar);
        return PH_OK;
    }
    if (strcmp(key, "escalation_chain") == 0) {
        concern_settings t = *s;
        t.nchain = 0;
        for (const char *p = value; *p;) {
            size_t n = strcspn(p, ",");
            size_t a = 0, b = n;
            while (a < b && p[a] == ' ')
                a++;
            while (b > a && p[b - 1] == ' ')
                b--;
            if (!level_name_ok(p + a, b - a))
                return ph_fail(err, PH_EUSAGE,
                               "escalation_chain: '%.*s' is not a level name (lower-case letters, "
                               "digits and _)",
                               (int)(b - a > 64 ? 64 : b - a), p + a);
            if (t.nchain == CONCERN_LEVELS_MAX)
                return ph_fail(err, PH_EUSAGE, "escalation_chain: at most %d levels",
                               CONCERN_LEVELS_MAX);
            for (size_t i = 0; i < t.nchain; i++)
                if (strlen(t.chain[i]) == b - a && strncmp(t.chain[i], p + a, b - a) == 0)
                    return ph_fail(err, PH_EUSAGE, "escalation_chain: '%s' appears twice",
                                   t.chain[i]);
            memcpy(t.chain[t.nchain], p + a, b - a);
            t.chain[t.nchain][b - a] = '\0';
            t.nchain++;
            p += n;
            if (*p == ',') p++;
        }
        if (t.nchain == 0)
            return ph_fail(
                err, PH_EUSAGE,
                "escalation_chain: give at least one level, e.g. line_manager,nominated_officer");
        *s = t;
        return PH_OK;
    }
    if (strcmp(key, "block_finalising") == 0) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0 || strcmp(value, "true") == 0)
            s->block_finalising = 1;
        else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0 || strcmp(value, "false") == 0)
            s->block_finalising = 0;
        else
            return ph_fail(err, PH_EUSAGE, "block_finalising: '%.32s' is not yes or no", value);
        return PH_OK;
    }
    if (strcmp(key, "stats_min_count") == 0) {
        int64_t n;
        if (ph_parse_i64(value, &n) || n < 2 || n > 100)
            return ph_fail(err, PH_EUSAGE,
                           "stats_min_count: expected a whole number from 2 to 100");
        s->stats_min_count = (int)n;
        return PH_OK;
    }
    return ph_fail(err, PH_EUSAGE,
                   "no setting '%.64s' (acknowledge_within, respond_within, "
                   "respond_extended_within, respond_from, "
                   "calendar, escalation_chain, block_finalising, stats_min_count)",
                   key);
}

int concern_settings_value(const concern_settings *s, const char *key, char *out, size_t size,
                           ph_err *err) {
    out[0] = '\0';
    if (strcmp(key, "acknowledge_within") == 0)
        concern_duration_format(&s->acknowledge_within, out, size);
    else if (strcmp(key, "respond_within") == 0)
        concern_duration_format(&s->respond_within, out, size);
    else if (strcmp(key, "respond_extended_within") == 0)
        concern_duration_format(&s->respond_extended, out, size);
    else if (strcmp(key, "respond_from") == 0)
        ph_strlcpy(out, s->respond_from_raising ? "raising" : "acknowledgement", size);
    else if (strcmp(key, "calendar") == 0)
        ph_strlcpy(out, s->calendar, size);
    else if (strcmp(key, "escalation_chain") == 0) {
        size_t used = 0;
        for (size_t i = 0; i < s->nchain; i++) {
            int w = snprintf(out + used, size - used, "%s%s", i ? "," : "", s->chain[i]);
            if (w < 0 || (size_t)w >= size - used) break;
            used += (size_t)w;
        }
    } else if (strcmp(key, "block_finalising") == 0)
        ph_strlcpy(out, s->block_finalising ? "yes" : "no", size);
    else if (strcmp(key, "stats_min_count") == 0)
        snprintf(out, size, "%d", s->stats_min_count);
    else
        return ph_fail(err, PH_EUSAGE, "no setting '%.64s'", key);
    return PH_OK;
}

int concern_settings_preset(const char *name, concern_settings *out, ph_err *err) {
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(presets[i].name, name) != 0) continue;
        memset(out, 0, sizeof *out);
        for (size_t k = 0; concern_setting_keys[k]; k++)
            if (concern_settings_apply(out, concern_setting_keys[k], presets[i].values[k], err))
                return ph_err_prefix(err, "preset %s: ", name);
        return PH_OK;
    }
    return ph_fail(err, PH_EUSAGE,
                   "no preset '%.64s' (eu-directive, eu-external-authority, us-dissent-channel)",
                   name);
}

/* ---- the timeline ---- */

static int level_index(const concern_settings *s, const char *level) {
    for (size_t i = 0; level && i < s->nchain; i++)
        if (strcmp(s->chain[i], level) == 0) return (int)i;
    return -1;
}

static void set_level(const concern_settings *s, concern_timeline *t, const char *level) {
    ph_strlcpy(t->level, level ? level : "", sizeof t->level);
    t->level_index = level_index(s, level);
}

const char *concern_next_level(const concern_settings *s, const concern_timeline *t) {
    if (t->level_index < 0) return s->nchain ? s->chain[0] : NULL;
    if ((size_t)t->level_index + 1 >= s->nchain) return NULL;
    return s->chain[t->level_index + 1];
}

/* The response deadline counted from `base`, extended or not. */
static int32_t response_due(const concern_settings *s, const calendar *cal,
                            const concern_timeline *t, int32_t base) {
    if (t->extended && s->respond_extended.n)
        return concern_duration_add(cal, base, &s->respond_extended);
    return concern_duration_add(cal, base, &s->respond_within);
}

int concern_timeline_compute(const concern_settings *s, const calendar *cal,
                             const concern_step *steps, size_t n, concern_timeline *t,
                             ph_err *err) {
    memset(t, 0, sizeof *t);
    t->raised = t->acknowledge_due = t->respond_due = t->acknowledged = t->responded = t->closed =
        t->due = t->last_event = CONCERN_NO_DATE;
    t->level_index = -1;
    if (n == 0 || strcmp(steps[0].event, "raise") != 0)
        return ph_fail(err, PH_ERR, "a concern's history must begin with its raising");
    int32_t first_base = CONCERN_NO_DATE;   /* what the first response deadline counts from */
    int32_t current_base = CONCERN_NO_DATE; /* what the awaited response counts from */
    for (size_t i = 0; i < n; i++) {
        const concern_step *e = &steps[i];
        int32_t d = e->day;
        t->last_event = d;
        if (strcmp(e->event, "raise") == 0) {
            t->raised = d;
            ph_strlcpy(t->state, "raised", sizeof t->state);
            set_level(s, t, e->level);
            t->acknowledge_due = concern_duration_add(cal, d, &s->acknowledge_within);
            first_base = s->respond_from_raising ? d : t->acknowledge_due;
            t->respond_due = response_due(s, cal, t, first_base);
            t->due = t->acknowledge_due;
            ph_strlcpy(t->due_for, "acknowledgement", sizeof t->due_for);
            continue;
        }
        const char *from = t->state;
        int from_escalated = strcmp(from, "escalated") == 0;
        if (strcmp(e->event, "acknowledge") == 0) {
            if (t->acknowledged == CONCERN_NO_DATE) {
                t->acknowledged = d;
                if (!s->respond_from_raising) first_base = d;
                t->respond_due = response_due(s, cal, t, first_base);
                current_base = first_base;
            } else {
                current_base = d; /* an escalation taken up: the new level's clock */
            }
            t->due = response_due(s, cal, t, current_base);
            ph_strlcpy(t->due_for, "response", sizeof t->due_for);
        } else if (strcmp(e->event, "consider") == 0) {
            if (from_escalated) {
                current_base = d;
                t->due = response_due(s, cal, t, current_base);
                ph_strlcpy(t->due_for, "response", sizeof t->due_for);
            }
        } else if (strcmp(e->event, "respond") == 0) {
            if (t->responded == CONCERN_NO_DATE) t->responded = d;
            ph_strlcpy(t->outcome, e->outcome ? e->outcome : "", sizeof t->outcome);
            t->due = CONCERN_NO_DATE;
            t->due_for[0] = '\0';
        } else if (strcmp(e->event, "appeal") == 0) {
            current_base = d;
            t->due = response_due(s, cal, t, current_base);
            ph_strlcpy(t->due_for, "response to the appeal", sizeof t->due_for);
        } else if (strcmp(e->event, "escalate") == 0) {
            set_level(s, t, e->level);
            t->due = concern_duration_add(cal, d, &s->acknowledge_within);
            snprintf(t->due_for, sizeof t->due_for, "taking up at %s", t->level);
        } else if (strcmp(e->event, "extend") == 0) {
            t->extended = 1;
            if (t->responded == CONCERN_NO_DATE && first_base != CONCERN_NO_DATE)
                t->respond_due = response_due(s, cal, t, first_base);
            if (strncmp(t->due_for, "response", 8) == 0) {
                int32_t base = current_base != CONCERN_NO_DATE ? current_base : first_base;
                t->due = response_due(s, cal, t, base);
            }
        } else if (strcmp(e->event, "close") == 0) {
            t->closed = d;
            t->due = CONCERN_NO_DATE;
            t->due_for[0] = '\0';
        }
        if (e->to_state && *e->to_state) ph_strlcpy(t->state, e->to_state, sizeof t->state);
    }
    return PH_OK;
}

int concern_timeline_overdue(const concern_timeline *t, int32_t as_of) {
    return t->due != CONCERN_NO_DATE && as_of > t->due;
}

/* ---- receipt codes ---- */

static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";
#define RECEIPT_PREFIX "pcr-"

void concern_receipt_format(const unsigned char code[CONCERN_RECEIPT_BYTES],
                            char out[CONCERN_RECEIPT_TEXT]) {
    char chars[33];
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < CONCERN_RECEIPT_BYTES; i++) {
        acc = (acc << 8) | code[i];
        bits += 8;
        while (bits >= 5) {
            chars[o++] = base32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    chars[o] = '\0';
    size_t w = 0;
    memcpy(out, RECEIPT_PREFIX, 4);
    w = 4;
    for (size_t i = 0; i < o; i++) {
        if (i && i % 4 == 0) out[w++] = '-';
        out[w++] = chars[i];
    }
    out[w] = '\0';
}

int concern_receipt_parse(const char *s, size_t len, unsigned char out[CONCERN_RECEIPT_BYTES],
                          ph_err *err) {
    memset(out, 0, CONCERN_RECEIPT_BYTES);
    if (!s) return ph_fail(err, PH_EUSAGE, "receipt code: required");
    if (len > 4 * CONCERN_RECEIPT_TEXT)
        return ph_fail(err, PH_EUSAGE, "receipt code: too long (a code is like pcr-abcd-efgh-...)");
    /* The letters and digits, without separators; the "pcr" prefix is
     * recognised by the count (35 = 3 + 32), with or without its dash. */
    char chars[4 * CONCERN_RECEIPT_TEXT];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '-' || c == ' ') continue;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return ph_fail(err, PH_EUSAGE, "receipt code: unexpected character at position %zu",
                           i + 1);
        chars[n++] = (char)c;
    }
    size_t from = 0;
    if (n == 35 && chars[0] == 'p' && chars[1] == 'c' && chars[2] == 'r') from = 3;
    if (n - from != 32)
        return ph_fail(err, PH_EUSAGE,
                       "receipt code: expected 32 letters and digits (8 groups of 4), got %zu",
                       n - from);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = from; i < n; i++) {
        char c = chars[i];
        uint32_t v = c >= 'a' ? (uint32_t)(c - 'a') : (uint32_t)(c - '2' + 26);
        acc = (acc << 5) | v;
        bits += 5;
        if (bits >= 8) {
            out[o++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
            acc &= (1u << bits) - 1;
        }
    }
    sodium_memzero(chars, sizeof chars);
    return PH_OK;
}

void concern_receipt_hash(const unsigned char code[CONCERN_RECEIPT_BYTES],
                          char out[PH_SHA256_HEX]) {
    ph_sha256_hex(code, CONCERN_RECEIPT_BYTES, out);
}

void concern_receipt_pseudonym(const unsigned char code[CONCERN_RECEIPT_BYTES],
                               char out[CONCERN_PSEUDONYM_MAX]) {
    static const char label[] = "penholder concern pseudonym";
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, code, CONCERN_RECEIPT_BYTES, (const unsigned char *)label,
                       sizeof label - 1);
    char hex[2 * crypto_generichash_BYTES + 1];
    ph_hex(h, sizeof h, hex);
    snprintf(out, CONCERN_PSEUDONYM_MAX, "reporter-%.12s", hex);
}

/* ---- texts ---- */

/* Length of the valid UTF-8 sequence at s (shortest form, no surrogates),
 * or 0. */
static size_t utf8_char(const unsigned char *s, size_t left) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

int concern_text_check(const char *field, const char *s, size_t len, size_t max, ph_err *err) {
    if (!s) return ph_fail(err, PH_EUSAGE, "%s: required", field);
    if (len > max) return ph_fail(err, PH_EUSAGE, "%s: longer than %zu bytes", field, max);
    int blank = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return ph_fail(err, PH_EUSAGE, "%s: control character at byte %zu", field, i + 1);
        if (c == 0x7f)
            return ph_fail(err, PH_EUSAGE, "%s: control character at byte %zu", field, i + 1);
        size_t n = utf8_char((const unsigned char *)s + i, len - i);
        if (!n) return ph_fail(err, PH_EUSAGE, "%s: invalid UTF-8 at byte %zu", field, i + 1);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = 0;
        i += n;
    }
    if (blank) return ph_fail(err, PH_EUSAGE, "%s: required (it is blank)", field);
    return PH_OK;
}

/* ---- a substantive response ---- */

const char *const concern_response_parts[] = {"decision", "actions", "reasons", NULL};
static const char *const part_asks[] = {"what was decided", "what was done or not done", "why"};

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bytes without the white space around them, and words (runs of other bytes). */
static void measure(const char *s, size_t *bytes, size_t *words) {
    size_t len = strlen(s), from = 0, to = len;
    while (from < to && is_space((unsigned char)s[from]))
        from++;
    while (to > from && is_space((unsigned char)s[to - 1]))
        to--;
    *bytes = to - from;
    *words = 0;
    for (size_t i = from; i < to; i++)
        if (!is_space((unsigned char)s[i]) && (i == from || is_space((unsigned char)s[i - 1])))
            (*words)++;
}

/* The next byte of a text with ASCII case folded and each run of white
 * space read as one space (none at the end); 0 at the end. */
static unsigned char next_folded(const char **p) {
    const char *s = *p;
    if (is_space((unsigned char)*s)) {
        while (is_space((unsigned char)*s))
            s++;
        *p = s;
        return *s ? ' ' : 0;
    }
    if (!*s) return 0;
    unsigned char c = (unsigned char)*s;
    *p = s + 1;
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* 1 when a and b are the same text but for ASCII case and white space. */
static int same_text(const char *a, const char *b) {
    while (is_space((unsigned char)*a))
        a++;
    while (is_space((unsigned char)*b))
        b++;
    for (;;) {
        unsigned char x = next_folded(&a), y = next_folded(&b);
        if (x != y) return 0;
        if (!x) return 1;
    }
}

int concern_response_check(const char *decision, const char *actions, const char *reasons,
                           const char **field, ph_err *err) {
    const char *parts[] = {decision, actions, reasons};
    if (field) *field = NULL;
    for (size_t i = 0; i < 3; i++) {
        const char *name = concern_response_parts[i];
        if (field) *field = name;
        if (!parts[i] || !*parts[i])
            return ph_fail(err, PH_EUSAGE,
                           "%s: required: say %s (a substantive response has three parts: "
                           "decision, actions and reasons)",
                           name, part_asks[i]);
        if (concern_text_check(name, parts[i], strlen(parts[i]), CONCERN_TEXT_MAX, err))
            return err->rc;
        size_t bytes, words;
        measure(parts[i], &bytes, &words);
        if (bytes < CONCERN_RESPONSE_PART_MIN || words < CONCERN_RESPONSE_PART_WORDS)
            return ph_fail(err, PH_EUSAGE,
                           "%s: '%.40s' does not say %s (write at least %d bytes and %d words); "
                           "an acknowledgement is not a response",
                           name, parts[i], part_asks[i], CONCERN_RESPONSE_PART_MIN,
                           CONCERN_RESPONSE_PART_WORDS);
        for (size_t k = 0; k < i; k++)
            if (same_text(parts[i], parts[k]))
                return ph_fail(err, PH_EUSAGE, "%s: repeats the %s: say %s", name,
                               concern_response_parts[k], part_asks[i]);
    }
    if (field) *field = NULL;
    return PH_OK;
}

/* ---- what a concern is about ---- */

int concern_about_parse(const char *s, concern_about *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    static const char hint[] =
        "expected case:REF, licence:REF, review:RV-0001, advice:ID, assessment:ID or "
        "policy:NAME[@VERSION]";
    if (!s || !*s) return ph_fail(err, PH_EUSAGE, "about: required (%s)", hint);
    size_t len = strlen(s);
    if (len >= CONCERN_ABOUT_MAX)
        return ph_fail(err, PH_EUSAGE, "about: longer than %d bytes", CONCERN_ABOUT_MAX - 1);
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof out->kind || !colon[1])
        return ph_fail(err, PH_EUSAGE, "about: '%.64s': %s", s, hint);
    memcpy(out->kind, s, (size_t)(colon - s));
    out->kind[colon - s] = '\0';
    const char *rest = colon + 1;
    for (const char *p = rest; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return ph_fail(err, PH_EUSAGE,
                           "about: '%.64s': no spaces or control characters in the identifier", s);
    if (strcmp(out->kind, "case") == 0 || strcmp(out->kind, "licence") == 0) {
        ph_strlcpy(out->id, rest, sizeof out->id);
        return PH_OK;
    }
    if (strcmp(out->kind, "review") == 0) {
        /* A review is known by its reference (RV-0001, as `penholder review`
         * prints it) or its number; it is kept as the reference. */
        int64_t id;
        if (review_parse_ref(rest, &id))
            return ph_fail(err, PH_EUSAGE,
                           "about: '%.64s': a review is named by its reference (RV-0001) or its "
                           "number",
                           s);
        review_ref(id, out->id);
        return PH_OK;
    }
    if (strcmp(out->kind, "advice") == 0 || strcmp(out->kind, "assessment") == 0) {
        int64_t id;
        if (ph_parse_i64(rest, &id) || id <= 0)
            return ph_fail(err, PH_EUSAGE, "about: '%.64s': %s ids are whole numbers", s,
                           out->kind);
        snprintf(out->id, sizeof out->id, "%lld", (long long)id);
        return PH_OK;
    }
    if (strcmp(out->kind, "policy") == 0) {
        const char *at = strchr(rest, '@');
        size_t n = at ? (size_t)(at - rest) : strlen(rest);
        if (n == 0 || (at && !at[1]))
            return ph_fail(err, PH_EUSAGE, "about: '%.64s': policy:NAME or policy:NAME@VERSION", s);
        if (n >= sizeof out->id) n = sizeof out->id - 1;
        memcpy(out->id, rest, n);
        out->id[n] = '\0';
        if (at) {
            if (strlen(at + 1) >= sizeof out->version)
                return ph_fail(err, PH_EUSAGE, "about: the policy version is too long");
            ph_strlcpy(out->version, at + 1, sizeof out->version);
        }
        return PH_OK;
    }
    return ph_fail(err, PH_EUSAGE, "about: '%.64s': unknown kind '%s' (%s)", s, out->kind, hint);
}
