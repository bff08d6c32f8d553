/* penholder init, penholder status */
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "refdata/refdata.h"
#include "register/register.h"

static const char init_help[] =
    "usage: penholder init [--db PATH]\n"
    "\n"
    "Creates the database (or upgrades its schema) and loads the reference data built\n"
    "into penholder: destinations, embargoes, licensing criteria and the control list.\n"
    "Running it again changes nothing unless penholder's reference data changed.\n"
    "\n"
    "The first run also makes the audit log's Ed25519 signing key: the private key goes\n"
    "to DB.audit-key (mode 0600; or the file named by $PENHOLDER_AUDIT_KEY), never into\n"
    "the database. Back that file up: without it no write can be audited.\n";

int cmd_init(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    cli_common c = {0};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1)
        if (!cli_common_option(&c, opt, optarg)) return cli_bad_option("init");
    if (c.help) {
        fputs(init_help, stdout);
        return 0;
    }
    if (optind < argc) return cli_usage("init", "unexpected argument '%s'", argv[optind]);

    ph_err err = {0};
    store *db;
    const char *path = store_default_path(c.db);
    if (store_open(path, STORE_CREATE | STORE_ANY_VERSION, &db, &err)) return cli_fail(&err);
    int before = store_schema_version(db), applied = 0;
    refdata_load_report rep;
    audit_key_report key;
    if (store_migrate(db, &applied, &err) || refdata_load(db, &rep, &err) ||
        audit_init_keys(db, &key, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    int after = store_schema_version(db);
    store_close(db);
    if (c.json) {
        json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "database", path, "schema_before",
                              before, "schema", after, "tables_loaded", rep.tables_loaded,
                              "tables_current", rep.tables_current, "rows_loaded", rep.rows);
        json_object_set_new(j, "audit_key",
                            json_pack("{s:s, s:s, s:b}", "key_id", key.key_id, "file", key.path,
                                      "created", key.created));
        cli_print_json(j);
        return 0;
    }
    if (applied)
        printf("%s: schema %d -> %d\n", path, before, after);
    else
        printf("%s: schema %d is current\n", path, after);
    if (rep.tables_loaded)
        printf("reference data: %d tables loaded (%d rows), %d already current\n",
               rep.tables_loaded, rep.rows, rep.tables_current);
    else
        printf("reference data: all %d tables current\n", rep.tables_current);
    if (key.created || key.adopted)
        printf("audit: signing key %s %s (%s); back it up\n", key.key_id,
               key.created ? "created in" : "taken from", key.path);
    else
        printf("audit: signing key %s present (%s)\n", key.key_id, key.path);
    return 0;
}

static const char status_help[] = "usage: penholder status [--db PATH] [--json]\n"
                                  "\n"
                                  "Summarises what the database holds.\n";

int cmd_status(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    cli_common c = {0};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1)
        if (!cli_common_option(&c, opt, optarg)) return cli_bad_option("status");
    if (c.help) {
        fputs(status_help, stdout);
        return 0;
    }
    if (optind < argc) return cli_usage("status", "unexpected argument '%s'", argv[optind]);
    ph_err err = {0};
    store *db;
    if (cli_open_db(&c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    static const char *const tables[][2] = {
        {"destinations", "SELECT count(*) FROM destination"},
        {"destination names", "SELECT count(*) FROM destination_alias"},
        {"embargoes", "SELECT count(*) FROM embargo"},
        {"criteria", "SELECT count(*) FROM criterion"},
        {"control list entries", "SELECT count(*) FROM control_entry"},
    };
    int64_t counts[sizeof tables / sizeof tables[0]];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (store_one_int(db, &counts[i], &err, tables[i][1], NULL)) {
            store_close(db);
            return cli_fail(&err);
        }
    register_summary s;
    if (register_summarise(db, &s, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    int schema = store_schema_version(db);
    if (c.json) {
        json_t *j = json_object();
        json_object_set_new(j, "database", json_string(store_path(db)));
        json_object_set_new(j, "schema", json_integer(schema));
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
            json_object_set_new(j, tables[i][0], json_integer(counts[i]));
        json_object_set_new(j, "licences", json_integer(s.licences));
        json_object_set_new(j, "licence_lines", json_integer(s.lines));
        json_object_set_new(j, "refused", json_integer(s.refused));
        json_object_set_new(j, "licence_destinations", json_integer(s.destinations));
        json_object_set_new(j, "first_date", json_string(s.first_date));
        json_object_set_new(j, "last_date", json_string(s.last_date));
        cli_print_json(j);
    } else {
        printf("database  %s (schema %d)\n\n", store_path(db), schema);
        const char *headers[] = {"holds", ">count"};
        cli_table *t = cli_table_new(2, headers);
        char n[32];
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
            cli_format_int(counts[i], n, sizeof n);
            const char *row[] = {tables[i][0], n};
            cli_table_add(t, row);
        }
        cli_format_int(s.licences, n, sizeof n);
        cli_table_add(t, (const char *[]){"licences in the register", n});
        cli_format_int(s.refused, n, sizeof n);
        cli_table_add(t, (const char *[]){"  of which refused", n});
        cli_format_int(s.destinations, n, sizeof n);
        cli_table_add(t, (const char *[]){"  destinations", n});
        cli_table_print(t, stdout);
        cli_table_free(t);
        if (s.licences) printf("\nregister covers %s to %s\n", s.first_date, s.last_date);
    }
    store_close(db);
    return 0;
}
