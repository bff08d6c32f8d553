/*
 * cli — the `penholder` command line: argument parsing, output formatting
 * (aligned tables, CSV, JSON) and exit statuses. Commands call the engine
 * modules and only format what they return; no business rule lives here.
 *
 * Exit statuses: 0 success, 1 failure, 2 usage error (unknown option,
 * missing argument). Errors are one line on stderr: "penholder: message".
 */
#ifndef PH_CLI_H
#define PH_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "store/store.h"
#include "util/util.h"

/* Options every command accepts. */
typedef struct cli_common {
    const char *db;
    int json;
    int help;
} cli_common;

#define CLI_COMMON_OPTIONS                                                                         \
    {"db", required_argument, NULL, 1000}, {"json", no_argument, NULL, 1001}, {                    \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* Handles the common options inside a getopt loop; returns 1 when consumed. */
int cli_common_option(cli_common *c, int opt, const char *arg);

/* Parses options with GNU getopt_long (options may follow operands).
 * Each call starts a fresh parse. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Prints "penholder CMD: message" and a hint; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the error and returns the exit status for it (2 for PH_EUSAGE, else 1). */
int cli_fail(const ph_err *err);
/* Who is acting, for the audit log: $PENHOLDER_ACTOR, else the login name;
 * NULL when neither is known. */
const char *cli_default_actor(void);
/* Handles an unknown option or missing argument reported by getopt: returns 2. */
int cli_bad_option(const char *cmd);

/* Opens the database named by --db / $PENHOLDER_DB / the default. */
int cli_open_db(const cli_common *c, int flags, store **db, ph_err *err);

/* Prints JSON (2-space indent, keys in insertion order) and a newline; frees it. */
void cli_print_json(json_t *j);

/* ---- aligned tables ---- */
typedef struct cli_table cli_table;
cli_table *cli_table_new(size_t ncols, const char *const *headers);
/* Adds a row of ncols strings (copied). Columns whose header starts with '>'
 * are right-aligned (the '>' is not printed). */
void cli_table_add(cli_table *t, const char *const *cells);
void cli_table_print(cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

/* Formats whole pounds with thousands separators: 1234567 -> "1,234,567". */
void cli_format_int(int64_t v, char *out, size_t size);

/* Progress on stderr for long work: "label: 40% (38,524 of 96,311)".
 * Printed only when stderr is a terminal or PENHOLDER_PROGRESS=1. */
void cli_progress(const char *label, uint64_t done, uint64_t total);
void cli_progress_done(const char *label);

/* The commands. */
int cmd_init(int argc, char **argv);
int cmd_controls(int argc, char **argv);
int cmd_destinations(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_licences(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_workflow(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_tokens(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* Registers every audited object type's state function (cmd_audit.c);
 * called once at start-up, before any command runs. */
void cli_audit_register_types(void);
/* licences suspend|reinstate|revoke|surrender|exhaust and licences expire
 * (cmd_licence_status.c). */
int cli_licence_status(const cli_common *c, const char *event, const char *reference,
                       const char *reason, const char *criteria, const char *actor);
int cli_licences_expire(const cli_common *c, const char *as_of, const char *actor, long batch);
int cmd_lists(int argc, char **argv);
int cmd_concern(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_review(int argc, char **argv);

#endif
