/* penholder lists [import|show|diff|update]: sanctions and denied-party lists. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lists/lists.h"

static const char lists_help[] =
    "usage: penholder lists [--json]\n"
    "       penholder lists import --format FORMAT [--list NAME] [--skip-bad] [--actor NAME] "
    "FILE...\n"
    "       penholder lists show LIST ENTITY_ID [--json]\n"
    "       penholder lists diff LIST [--limit N] [--json]\n"
    "       penholder lists update [--config FILE] [--list NAME] [--timeout SECONDS]\n"
    "                              [--max-bytes N] [--actor NAME] [--json]\n"
    "\n"
    "Without a subcommand, lists every version of every list, newest first.\n"
    "\n"
    "import   stores the files as a new version of a list, in one transaction. Importing\n"
    "         files already imported changes nothing. Formats:\n"
    "%s"
    "         --list NAME   the list to add a version to (default: by format, e.g. ofac-sdn,\n"
    "                       or ofac-cons for cons_prim.csv)\n"
    "         --skip-bad    leave out malformed records and list them (otherwise one stops\n"
    "                       the import and nothing is stored)\n"
    "show     one entity of the current version of a list, as stored\n"
    "diff     what the newest version of LIST added, removed and changed against the one\n"
    "         before (by the list's own identifiers); --limit N entries a section (default 50,\n"
    "         0 for all; --json gives all)\n"
    "update   downloads the official files named in the sources file (--config, else\n"
    "         $PENHOLDER_LIST_SOURCES, else the built-in data/list-sources.json) and imports\n"
    "         each as a new version; when a download fails nothing is imported\n"
    "Each new version is an entry on the audit log (list.import, list.update) under\n"
    "--actor (default $PENHOLDER_ACTOR, else the login name).\n";

static void print_help(void) {
    ph_buf formats;
    ph_buf_init(&formats);
    for (size_t i = 0; i < lists_nformats; i++)
        ph_buf_printf(&formats, "           %-10s %s\n", lists_formats[i].name,
                      lists_formats[i].description);
    printf(lists_help, formats.data);
    ph_buf_free(&formats);
}

static void progress(void *ctx, uint64_t done, uint64_t total) {
    cli_progress((const char *)ctx, done, total);
}

static json_t *strings_json(char *const *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *notes_json(const lists_parse_report *r) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->nnotes; i++)
        json_array_append_new(a,
                              json_pack("{s:s, s:I, s:s}", "file", r->notes[i].file, "line",
                                        (json_int_t)r->notes[i].line, "reason", r->notes[i].text));
    return a;
}

static void notes_print(const lists_parse_report *r) {
    if (!r->skipped) return;
    fprintf(stderr, "skipped records (%ld):\n", r->skipped);
    for (size_t i = 0; i < r->nnotes; i++)
        fprintf(stderr, "  %s\n", r->notes[i].text);
    if ((long)r->nnotes < r->skipped)
        fprintf(stderr, "  ... and %ld more\n", r->skipped - (long)r->nnotes);
}

static json_t *import_json(const lists_import_report *rep) {
    json_t *j =
        json_pack("{s:s, s:I, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "list",
                  rep->list, "version", (json_int_t)rep->version_seq, "already_imported",
                  rep->already_imported, "sha256", rep->sha256, "entities",
                  (json_int_t)rep->entities, "names", (json_int_t)rep->names, "entities_written",
                  (json_int_t)rep->entities_written, "merged", (json_int_t)rep->merged, "added",
                  (json_int_t)rep->added, "changed", (json_int_t)rep->changed, "removed",
                  (json_int_t)rep->removed, "records", (json_int_t)rep->parse.records, "orphans",
                  (json_int_t)rep->parse.orphans, "skipped", (json_int_t)rep->parse.skipped);
    json_object_set_new(j, "skipped_records", notes_json(&rep->parse));
    return j;
}

static void import_print(const lists_import_report *rep, const char *what) {
    char e[32], n[32];
    cli_format_int(rep->entities, e, sizeof e);
    cli_format_int(rep->names, n, sizeof n);
    if (rep->already_imported) {
        printf("%s: %s imported already as version %lld (%s entities, %s names); nothing changed\n",
               rep->list, what, (long long)rep->version_seq, e, n);
        return;
    }
    if (rep->version_seq == 1) {
        printf("%s: version 1: %s entities, %s names\n", rep->list, e, n);
    } else {
        char a[32], c[32], r[32];
        cli_format_int(rep->added, a, sizeof a);
        cli_format_int(rep->changed, c, sizeof c);
        cli_format_int(rep->removed, r, sizeof r);
        printf("%s: version %lld: %s entities, %s names; against version %lld: %s added, %s "
               "changed, %s removed (penholder lists diff %s)\n",
               rep->list, (long long)rep->version_seq, e, n, (long long)rep->version_seq - 1, a, c,
               r, rep->list);
    }
    if (rep->merged)
        printf("  %ld records merged into an entity listed earlier with the same identifier\n",
               rep->merged);
    if (rep->parse.orphans)
        printf("  %ld alias, address or comment rows name no entity of the primary file and were "
               "left out\n",
               rep->parse.orphans);
    notes_print(&rep->parse);
}

static int lists_import_cmd(cli_common *c, lists_import_options *o, int argc, char **argv) {
    if (!o->format) return cli_usage("lists", "import needs --format (see --help)");
    if (!lists_format_find(o->format)) {
        ph_buf names;
        ph_buf_init(&names);
        for (size_t i = 0; i < lists_nformats; i++)
            ph_buf_printf(&names, "%s%s", i ? ", " : "", lists_formats[i].name);
        int rc = cli_usage("lists", "unknown --format '%s' (expected %s)", o->format, names.data);
        ph_buf_free(&names);
        return rc;
    }
    if (argc == 0) return cli_usage("lists", "import needs at least one FILE");
    o->progress = progress;
    o->progress_ctx = "importing";
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    lists_import_report rep;
    int rc = lists_import(db, (const char *const *)argv, (size_t)argc, o, &rep, &err);
    store_close(db);
    cli_progress_done("importing");
    if (rc) {
        notes_print(&rep.parse);
        lists_import_report_free(&rep);
        return cli_fail(&err);
    }
    if (c->json)
        cli_print_json(import_json(&rep));
    else
        import_print(&rep, argc == 1 ? "this file was" : "these files were");
    lists_import_report_free(&rep);
    return 0;
}

static int lists_versions_cmd(cli_common *c) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    lists_version *v;
    size_t n;
    int rc = lists_versions(db, NULL, &v, &n, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                a, json_pack("{s:s, s:I, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "list",
                             v[i].list, "version", (json_int_t)v[i].seq, "current", v[i].current,
                             "format", v[i].format, "origin", v[i].origin, "imported_at",
                             v[i].imported_at, "entities", (json_int_t)v[i].entities, "names",
                             (json_int_t)v[i].names, "skipped", (json_int_t)v[i].skipped, "files",
                             v[i].files, "sha256", v[i].sha256));
        cli_print_json(a);
    } else if (n == 0) {
        printf("no list imported yet; see 'penholder lists import --help'\n");
    } else {
        const char *h[] = {"list",      ">version", "imported at", "format",
                           ">entities", ">names",   "sha256",      "files"};
        cli_table *t = cli_table_new(8, h);
        for (size_t i = 0; i < n; i++) {
            char seq[32], e[32], nm[32], sha[16];
            snprintf(seq, sizeof seq, "%s%lld", v[i].current ? "* " : "", (long long)v[i].seq);
            cli_format_int(v[i].entities, e, sizeof e);
            cli_format_int(v[i].names, nm, sizeof nm);
            snprintf(sha, sizeof sha, "%.12s", v[i].sha256);
            cli_table_add(t, (const char *[]){v[i].list, seq, v[i].imported_at, v[i].format, e, nm,
                                              sha, v[i].files});
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
        printf("* current version\n");
    }
    lists_versions_free(v, n);
    return 0;
}

static json_t *entity_json(const lists_entity *e) {
    json_t *names = json_array();
    for (size_t i = 0; i < e->nnames; i++)
        json_array_append_new(names, json_pack("{s:s, s:s, s:s}", "text", e->names[i].text, "kind",
                                               e->names[i].kind, "quality", e->names[i].quality));
    json_t *attrs = json_array();
    for (size_t i = 0; i < e->nattrs; i++)
        json_array_append_new(
            attrs, json_pack("{s:s, s:s}", "kind", e->attrs[i].kind, "value", e->attrs[i].value));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "list", e->list, "entity_id", e->entity_id,
                          "type", e->type, "alt_id", e->alt_id, "source", e->source);
    json_object_set_new(j, "names", names);
    json_object_set_new(j, "dates_of_birth", strings_json(e->dobs, e->ndobs));
    json_object_set_new(j, "countries", strings_json(e->countries, e->ncountries));
    json_object_set_new(j, "programmes", strings_json(e->programmes, e->nprogrammes));
    json_object_set_new(j, "addresses", strings_json(e->addresses, e->naddresses));
    json_object_set_new(j, "attributes", attrs);
    json_object_set_new(j, "remarks", e->remarks ? json_string(e->remarks) : json_null());
    return j;
}

static void print_values(const char *label, char *const *v, size_t n) {
    if (!n) return;
    printf("%-16s", label);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "; " : "", v[i]);
    printf("\n");
}

static int lists_show_cmd(cli_common *c, const char *list, const char *id) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    lists_set s;
    int rc = lists_entity_get(db, list, id, &s, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    const lists_entity *e = &s.v[0];
    if (c->json) {
        cli_print_json(entity_json(e));
    } else {
        printf("%-16s%s %s\n", "entity", e->list, e->entity_id);
        if (e->alt_id) printf("%-16s%s\n", "alt id", e->alt_id);
        printf("%-16s%s\n", "type", e->type);
        if (e->source) printf("%-16s%s\n", "source", e->source);
        for (size_t i = 0; i < e->nnames; i++)
            printf("%-16s%s  (%s%s%s)\n", i ? "" : "names", e->names[i].text, e->names[i].kind,
                   e->names[i].quality[0] ? ", " : "", e->names[i].quality);
        print_values("born", e->dobs, e->ndobs);
        print_values("countries", e->countries, e->ncountries);
        print_values("programmes", e->programmes, e->nprogrammes);
        for (size_t i = 0; i < e->naddresses; i++)
            printf("%-16s%s\n", i ? "" : "addresses", e->addresses[i]);
        for (size_t i = 0; i < e->nattrs; i++)
            printf("%-16s%s\n", e->attrs[i].kind, e->attrs[i].value);
        if (e->remarks) printf("%-16s%s\n", "remarks", e->remarks);
    }
    lists_set_free(&s);
    return 0;
}

static json_t *changes_json(const lists_change *v, size_t n, int with_fields) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_pack("{s:s, s:s}", "entity_id", v[i].entity_id, "name", v[i].name);
        if (with_fields) {
            json_t *f = json_array();
            for (size_t k = 0; k < v[i].nfields; k++) {
                const lists_field_change *fc = &v[i].fields[k];
                const char *op = fc->op == '+' ? "added" : fc->op == '-' ? "removed" : "changed";
                json_array_append_new(f, json_pack("{s:s, s:s, s:s}", "field", fc->field, "change",
                                                   op, "value", fc->value));
            }
            json_object_set_new(j, "changes", f);
        }
        json_array_append_new(a, j);
    }
    return a;
}

static void changes_print(const char *title, const lists_change *v, size_t n, long limit,
                          int with_fields) {
    printf("%s: %zu\n", title, n);
    size_t shown = limit > 0 && (size_t)limit < n ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++) {
        printf("  %-12s %s\n", v[i].entity_id, v[i].name);
        for (size_t k = 0; with_fields && k < v[i].nfields; k++)
            printf("  %-12s   %c %s: %s\n", "", v[i].fields[k].op, v[i].fields[k].field,
                   v[i].fields[k].value);
    }
    if (shown < n) printf("  ... and %zu more (--limit 0 shows all)\n", n - shown);
}

static json_t *version_json(const lists_version *v) {
    return json_pack("{s:I, s:s, s:s, s:I, s:s}", "version", (json_int_t)v->seq, "imported_at",
                     v->imported_at, "files", v->files, "entities", (json_int_t)v->entities,
                     "sha256", v->sha256);
}

static int lists_diff_cmd(cli_common *c, const char *list, long limit) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    lists_diff d;
    int rc = lists_diff_latest(db, list, &d, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        json_t *j = json_pack("{s:s}", "list", list);
        json_object_set_new(j, "from", version_json(&d.from));
        json_object_set_new(j, "to", version_json(&d.to));
        json_object_set_new(j, "added", changes_json(d.added, d.nadded, 0));
        json_object_set_new(j, "removed", changes_json(d.removed, d.nremoved, 0));
        json_object_set_new(j, "changed", changes_json(d.changed, d.nchanged, 1));
        cli_print_json(j);
    } else {
        printf("%s: version %lld (%s, %s) against version %lld (%s, %s)\n", list,
               (long long)d.to.seq, d.to.files, d.to.imported_at, (long long)d.from.seq,
               d.from.files, d.from.imported_at);
        changes_print("added", d.added, d.nadded, limit, 0);
        changes_print("removed", d.removed, d.nremoved, limit, 0);
        changes_print("changed", d.changed, d.nchanged, limit, 1);
    }
    lists_diff_free(&d);
    return 0;
}

static void download_progress(void *ctx, const char *label, uint64_t done, uint64_t total) {
    (void)ctx;
    const char *base = strrchr(label, '/');
    char what[128];
    snprintf(what, sizeof what, "downloading %s", base && base[1] ? base + 1 : label);
    cli_progress(what, done, total);
}

static int lists_update_cmd(cli_common *c, lists_update_options *o) {
    o->progress = download_progress;
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    lists_update_result *res = NULL;
    size_t n = 0;
    int rc = lists_update(db, o, &res, &n, &err);
    store_close(db);
    if (rc) {
        lists_update_results_free(res, n);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, import_json(&res[i].import));
        cli_print_json(a);
    } else {
        for (size_t i = 0; i < n; i++)
            import_print(&res[i].import, "the downloaded files were");
    }
    lists_update_results_free(res, n);
    return 0;
}

int cmd_lists(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"list", required_argument, NULL, 'l'},
                                         {"skip-bad", no_argument, NULL, 's'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"max-bytes", required_argument, NULL, 'm'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    lists_import_options io = {0};
    lists_update_options uo = {0};
    long limit = 50;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        int64_t v;
        switch (opt) {
        case 'f': io.format = optarg; break;
        case 'l': io.list = uo.list = optarg; break;
        case 's': io.skip_bad = 1; break;
        case 'c': uo.config_path = optarg; break;
        case 'A': io.actor = uo.actor = optarg; break;
        case 'n':
            if (ph_parse_i64(optarg, &v) || v < 0)
                return cli_usage("lists", "--limit must be a whole number (0 for no limit)");
            limit = (long)v;
            break;
        case 't':
            if (ph_parse_i64(optarg, &v) || v <= 0)
                return cli_usage("lists", "--timeout must be a number of seconds above 0");
            uo.timeout_seconds = (long)v;
            break;
        case 'm':
            if (ph_parse_i64(optarg, &v) || v <= 0)
                return cli_usage("lists", "--max-bytes must be a number of bytes above 0");
            uo.max_bytes = v;
            break;
        default: return cli_bad_option("lists");
        }
    }
    if (c.help) {
        print_help();
        return 0;
    }
    if (optind >= argc) {
        if (io.format || io.list || io.skip_bad)
            return cli_usage("lists", "--format, --list and --skip-bad belong to 'lists import'");
        return lists_versions_cmd(&c);
    }
    const char *sub = argv[optind++];
    int rest = argc - optind;
    char **args = argv + optind;
    if (io.actor && strcmp(sub, "import") && strcmp(sub, "update"))
        return cli_usage("lists", "--actor belongs to 'lists import' and 'lists update'");
    if (!io.actor) io.actor = uo.actor = cli_default_actor();
    if (strcmp(sub, "import") == 0) return lists_import_cmd(&c, &io, rest, args);
    if (strcmp(sub, "show") == 0) {
        if (rest != 2) return cli_usage("lists", "show needs LIST and ENTITY_ID");
        return lists_show_cmd(&c, args[0], args[1]);
    }
    if (strcmp(sub, "diff") == 0) {
        if (rest != 1) return cli_usage("lists", "diff needs exactly one LIST");
        return lists_diff_cmd(&c, args[0], limit);
    }
    if (strcmp(sub, "update") == 0) {
        if (rest != 0) return cli_usage("lists", "update takes no FILE (use --config for sources)");
        return lists_update_cmd(&c, &uo);
    }
    return cli_usage("lists", "unknown subcommand '%s' (expected import, show, diff or update)",
                     sub);
}
