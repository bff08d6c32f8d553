/*
 * demo — fills a database with a believable working day, so a newcomer
 * lands in a living system: accounts for every role, exporter
 * organisations, evidence about destinations, a few dozen applications
 * spread over the workflow (drafts, cases under checks and advice, issued
 * and refused decisions, a withdrawal), and the licences they issued.
 *
 * Everything goes through the engines (cases, assess, auth), as the real
 * users would, so every step is on the audit log and every rule applies.
 * Demonstration accounts share one password, printed by `penholder demo`:
 * they are for trying penholder out, never for real casework.
 */
#ifndef PH_DEMO_H
#define PH_DEMO_H

#include <stddef.h>

#include "store/store.h"
#include "util/util.h"

#define DEMO_PASSWORD "penholder-demo-2026"

typedef struct demo_account {
    const char *name;
    const char *role;
    const char *team;
    const char *organisation;
    const char *what; /* what they do in the demonstration */
} demo_account;

/* The accounts the demonstration creates. */
extern const demo_account demo_accounts[];
extern const size_t demo_account_count;

typedef struct demo_report {
    int already; /* the database had the demonstration already: nothing done */
    int accounts;
    int evidence;
    int applications;
    int licences;
    int concerns;
    int review_licences; /* licences of the register the review looked at */
} demo_report;

/* Progress: called after each step with a short description. */
typedef void (*demo_progress_fn)(void *ctx, const char *what, int done, int total);

int demo_fill(store *db, demo_progress_fn progress, void *ctx, demo_report *report, ph_err *err);

#endif
