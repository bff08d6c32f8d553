/* penholder controls search|show, penholder destinations resolve|embargoes */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "control/control.h"
#include "refdata/refdata.h"

static const char controls_help[] =
    "usage: penholder controls search WORDS... [--limit N] [--json]\n"
    "       penholder controls show RATING [--json]\n"
    "\n"
    "search  ranks control list entries by how well they match the words\n"
    "show    prints an entry with its path from the top of the list and its children;\n"
    "        ratings are accepted with or without dots (ML10.a, ml10a)\n";

static json_t *entry_json(const control_entry *e) {
    json_t *regimes = json_array();
    for (const char *p = e->regimes; *p;) {
        size_t len = strcspn(p, ";");
        if (len) json_array_append_new(regimes, json_stringn(p, len));
        p += len + (p[len] == ';');
    }
    return json_pack("{s:s, s:s?, s:s, s:b, s:s, s:o}", "rating", e->rating, "parent",
                     e->parent[0] ? e->parent : NULL, "kind", e->kind, "military", e->military,
                     "title", e->title, "regimes", regimes);
}

static int controls_search(cli_common *c, const char *query, long limit) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    control_entry *v;
    size_t n;
    if (control_search(db, query, (int)limit, &v, &n, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, entry_json(&v[i]));
        cli_print_json(a);
    } else if (n == 0) {
        printf("no control list entry matches \"%s\"\n", query);
    } else {
        const char *h[] = {"rating", "kind", "title"};
        cli_table *t = cli_table_new(3, h);
        for (size_t i = 0; i < n; i++)
            cli_table_add(t, (const char *[]){v[i].rating, v[i].kind, v[i].title});
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    control_entries_free(v, n);
    store_close(db);
    return 0;
}

static int controls_show(cli_common *c, const char *rating) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    control_entry *path = NULL, *kids = NULL;
    size_t npath = 0, nkids = 0;
    int rc = control_path(db, rating, &path, &npath, &err);
    if (!rc) rc = control_children(db, rating, &kids, &nkids, &err);
    if (rc) {
        store_close(db);
        if (err.rc == PH_ENOTFOUND)
            fprintf(stderr,
                    "penholder: no control list entry '%s' (try `penholder controls search`)\n",
                    rating);
        else
            cli_fail(&err);
        return 1;
    }
    const control_entry *e = &path[npath - 1];
    if (c->json) {
        json_t *j = entry_json(e);
        json_t *p = json_array(), *k = json_array();
        for (size_t i = 0; i < npath; i++)
            json_array_append_new(
                p, json_pack("{s:s, s:s}", "rating", path[i].rating, "title", path[i].title));
        for (size_t i = 0; i < nkids; i++)
            json_array_append_new(
                k, json_pack("{s:s, s:s}", "rating", kids[i].rating, "title", kids[i].title));
        json_object_set_new(j, "path", p);
        json_object_set_new(j, "children", k);
        cli_print_json(j);
    } else {
        printf("%s  %s\n", e->rating, e->title);
        printf("  kind     %s%s\n", e->kind, e->military ? " (military list)" : "");
        printf("  regimes  %s\n", e->regimes[0] ? e->regimes : "-");
        printf("  path     ");
        for (size_t i = 0; i < npath; i++)
            printf("%s%s", i ? " > " : "", path[i].rating);
        printf("\n");
        for (size_t i = 0; i + 1 < npath; i++)
            printf("%*s%s  %s\n", (int)(4 + 2 * i), "", path[i].rating, path[i].title);
        printf("%*s%s  %s\n", (int)(4 + 2 * (npath - 1)), "", e->rating, e->title);
        for (size_t i = 0; i < nkids; i++)
            printf("%*s%s  %s\n", (int)(6 + 2 * (npath - 1)), "", kids[i].rating, kids[i].title);
    }
    control_entries_free(path, npath);
    control_entries_free(kids, nkids);
    store_close(db);
    return 0;
}

int cmd_controls(int argc, char **argv) {
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS, {"limit", required_argument, NULL, 'n'}, {0, 0, 0, 0}};
    cli_common c = {0};
    long limit = 10;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        if (opt == 'n') {
            int64_t v;
            if (ph_parse_i64(optarg, &v) || v < 1 || v > 10000)
                return cli_usage("controls", "--limit must be a number from 1 to 10000");
            limit = (long)v;
            continue;
        }
        return cli_bad_option("controls");
    }
    if (c.help) {
        fputs(controls_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("controls", "expected 'search' or 'show'");
    const char *sub = argv[optind++];
    if (strcmp(sub, "search") == 0) {
        if (optind >= argc) return cli_usage("controls", "search needs some words");
        ph_buf q;
        ph_buf_init(&q);
        for (int i = optind; i < argc; i++) {
            if (q.len) ph_buf_putc(&q, ' ');
            ph_buf_puts(&q, argv[i]);
        }
        int rc = controls_search(&c, q.data, limit);
        ph_buf_free(&q);
        return rc;
    }
    if (strcmp(sub, "show") == 0) {
        if (optind + 1 != argc) return cli_usage("controls", "show needs exactly one rating");
        return controls_show(&c, argv[optind]);
    }
    return cli_usage("controls", "unknown subcommand '%s' (expected search or show)", sub);
}

static const char destinations_help[] =
    "usage: penholder destinations resolve NAME-OR-CODE... [--json]\n"
    "       penholder destinations embargoes CODE [--json]\n"
    "\n"
    "resolve    prints the destination code, name and report name for each argument\n"
    "embargoes  lists arms embargoes on a destination (UN, UK, EU, OSCE)\n";

int cmd_destinations(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS, {0, 0, 0, 0}};
    cli_common c = {0};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1)
        if (!cli_common_option(&c, opt, optarg)) return cli_bad_option("destinations");
    if (c.help) {
        fputs(destinations_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("destinations", "expected 'resolve' or 'embargoes'");
    const char *sub = argv[optind++];
    if (strcmp(sub, "resolve") != 0 && strcmp(sub, "embargoes") != 0)
        return cli_usage("destinations", "unknown subcommand '%s'", sub);
    if (optind >= argc) return cli_usage("destinations", "%s needs a destination", sub);
    ph_err err = {0};
    store *db;
    if (cli_open_db(&c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    int status = 0;
    json_t *out = json_array();
    cli_table *t = NULL;
    if (strcmp(sub, "resolve") == 0) {
        const char *h[] = {"given", "code", "name", "report name"};
        t = cli_table_new(4, h);
        for (int i = optind; i < argc; i++) {
            char code[REFDATA_CODE_MAX];
            refdata_destination d;
            if (refdata_resolve_destination(db, argv[i], code, &err) ||
                refdata_destination_get(db, code, &d, &err)) {
                fprintf(stderr, "penholder: %s\n", err.msg);
                status = 1;
                continue;
            }
            json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "given", argv[i],
                                                 "code", d.code, "name", d.name, "report_name",
                                                 d.report_name, "kind", d.kind));
            cli_table_add(t, (const char *[]){argv[i], d.code, d.name, d.report_name});
            refdata_destination_clear(&d);
        }
    } else {
        const char *h[] = {"source", "scope", "since", "description"};
        t = cli_table_new(4, h);
        char code[REFDATA_CODE_MAX];
        refdata_embargo *v = NULL;
        size_t n = 0;
        if (refdata_resolve_destination(db, argv[optind], code, &err) ||
            refdata_embargoes(db, code, "", &v, &n, &err)) {
            fprintf(stderr, "penholder: %s\n", err.msg);
            status = 1;
        }
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "destination",
                                                 v[i].destination, "source", v[i].source, "scope",
                                                 v[i].scope, "since", v[i].since, "description",
                                                 v[i].description, "authority", v[i].authority));
            cli_table_add(t,
                          (const char *[]){v[i].source, v[i].scope, v[i].since, v[i].description});
        }
        if (!status && n == 0 && !c.json) printf("no arms embargo recorded on %s\n", code);
        refdata_embargoes_free(v, n);
    }
    if (c.json) {
        cli_print_json(out);
    } else {
        if (json_array_size(out)) cli_table_print(t, stdout);
        json_decref(out);
    }
    cli_table_free(t);
    store_close(db);
    return status;
}
