/* penholder demo: a believable working day in a fresh database. */
#include <string.h>

#include "cli/cli.h"
#include "demo/demo.h"

static const char demo_help[] =
    "usage: penholder demo [--db PATH] [--json]\n"
    "\n"
    "Fills the database with demonstration data: accounts for every role, exporter\n"
    "organisations, evidence about destinations, applications at every stage of the\n"
    "workflow and the licences they issued. Every step goes through penholder's rules and\n"
    "onto the audit log. Run `penholder init` first. Running it again does nothing.\n"
    "The demonstration accounts share one password, printed at the end: never use them\n"
    "for real casework.\n";

static void progress(void *ctx, const char *what, int done, int total) {
    (void)ctx;
    cli_progress(what, (uint64_t)done, (uint64_t)total);
}

int cmd_demo(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    cli_common c = {0};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1)
        if (!cli_common_option(&c, opt, optarg)) return cli_bad_option("demo");
    if (c.help) {
        fputs(demo_help, stdout);
        return 0;
    }
    if (optind < argc) return cli_usage("demo", "unexpected argument '%s'", argv[optind]);
    ph_err err = {0};
    store *db;
    if (cli_open_db(&c, 0, &db, &err)) return cli_fail(&err);
    demo_report rep;
    int rc = demo_fill(db, progress, NULL, &rep, &err);
    store_close(db);
    cli_progress_done("demonstration");
    if (rc) return cli_fail(&err);
    if (c.json) {
        json_t *accounts = json_array();
        for (size_t i = 0; i < demo_account_count; i++)
            json_array_append_new(
                accounts, json_pack("{s:s, s:s, s:s?, s:s?}", "name", demo_accounts[i].name, "role",
                                    demo_accounts[i].role, "team", demo_accounts[i].team,
                                    "organisation", demo_accounts[i].organisation));
        cli_print_json(json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:s, s:o}", "already", rep.already,
                                 "accounts", rep.accounts, "evidence", rep.evidence, "applications",
                                 rep.applications, "licences", rep.licences, "concerns",
                                 rep.concerns, "password", DEMO_PASSWORD, "accounts_list",
                                 accounts));
        return 0;
    }
    if (rep.already)
        printf("the demonstration data is already here; nothing added\n");
    else
        printf(
            "demonstration: %d accounts, %d evidence entries, %d applications, %d licences issued, "
            "%d formal concerns, a review of %d licences to Israel (RV-0001)\n",
            rep.accounts, rep.evidence, rep.applications, rep.licences, rep.concerns,
            rep.review_licences);
    printf("\nDemonstration accounts (password for all: %s):\n", DEMO_PASSWORD);
    const char *h[] = {"account", "role", "who"};
    cli_table *t = cli_table_new(3, h);
    for (size_t i = 0; i < demo_account_count; i++)
        cli_table_add(t, (const char *[]){demo_accounts[i].name, demo_accounts[i].role,
                                          demo_accounts[i].what});
    cli_table_print(t, stdout);
    cli_table_free(t);
    return 0;
}
