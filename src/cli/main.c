/* penholder — the case system of an export-licensing authority.
 * The entry point: dispatches `penholder COMMAND ...` to its handler. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"init", cmd_init, "create or upgrade the database and load reference data"},
    {"status", cmd_status, "summarise what the database holds"},
    {"controls", cmd_controls, "search and show the control list"},
    {"destinations", cmd_destinations, "resolve and list licensing destinations"},
    {"import", cmd_import, "import a licence register file"},
    {"licences", cmd_licences, "list licences, produce statistics, change and expire licences"},
    {"workflow", cmd_workflow, "print the state machines penholder enforces"},
    {"demo", cmd_demo, "fill the database with a demonstration working day"},
    {"policy", cmd_policy, "check, show and install licensing policies"},
    {"evidence", cmd_evidence, "add, list and import evidence about destinations"},
    {"assess", cmd_assess, "assess an application against the licensing criteria"},
    {"serve", cmd_serve, "serve the HTTP API and the web pages"},
    {"users", cmd_users, "add, list, disable and enable accounts"},
    {"tokens", cmd_tokens, "create, list and revoke API tokens"},
    {"audit", cmd_audit, "verify the audit log; tree heads, proofs, entries"},
    {"lists", cmd_lists, "import, compare and update sanctions and denied-party lists"},
    {"concern", cmd_concern, "raise, answer, follow and escalate formal concerns"},
    {"screen", cmd_screen, "screen party names against the loaded lists"},
    {"match", cmd_match, "score two names against each other, with the explanation"},
    {"review", cmd_review, "review extant licences: dry run, impact, approval, suspension"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: penholder COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command accepts --db PATH (default var/penholder.db or $PENHOLDER_DB)"
                 " and --help.\n");
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) {
        fprintf(stderr, "penholder: cannot initialise libsodium\n");
        return 1;
    }
    cli_audit_register_types();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "penholder: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
