/* lists: dates, OFAC remarks, text cleaning, the parsers over memory, and the
 * store (import, versions, loading, diff) on a temporary database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "lists/lists.h"
#include "lists/parse.h"
#include "refdata/refdata.h"

/* ---- dates ---- */

static void check_date(const char *in, const char *want) {
    char out[11];
    int rc = lists_date_normalise(in, out);
    if (want) {
        if (rc != PH_OK) fail_msg("'%s' should read as %s", in, want);
        assert_string_equal(out, want);
    } else if (rc == PH_OK) {
        fail_msg("'%s' should not read as a date (got %s)", in, out);
    }
}

static void test_dates(void **state) {
    (void)state;
    check_date("1960", "1960");
    check_date("10 Dec 1948", "1948-12-10");
    check_date("01 Jan 1960.", "1960-01-01");
    check_date("Mar 1960", "1960-03");
    check_date("circa 1958", "1958");
    check_date("circa 03 Jul 1963", "1963-07-03");
    check_date("1951-06-19", "1951-06-19");
    check_date("1967-01", "1967-01");
    check_date("06/19/2003", "2003-06-19");
    check_date("1971-01-22T00:00:00", "1971-01-22");
    check_date("September 1975", "1975-09");
    check_date("30 Feb 1960", NULL);
    check_date("1960-13-01", NULL);
    check_date("0960", NULL);
    check_date("tomorrow", NULL);
    check_date("", NULL);
    check_date("12 34 56 78 90", NULL);
    check_date("-", NULL);

    char a[11], b[11];
    assert_int_equal(lists_date_range("1958 to 1960", a, b), 2);
    assert_string_equal(a, "1958");
    assert_string_equal(b, "1960");
    assert_int_equal(lists_date_range("01 Jan 1960 to 31 Dec 1962", a, b), 2);
    assert_string_equal(a, "1960-01-01");
    assert_string_equal(b, "1962-12-31");
    assert_int_equal(lists_date_range("circa 1979-1981", a, b), 2);
    assert_string_equal(a, "1979");
    assert_string_equal(b, "1981");
    assert_int_equal(lists_date_range("between 1966 and 1968", a, b), 2);
    assert_string_equal(b, "1968");
    assert_int_equal(lists_date_range("1979-12", a, b), 1);
    assert_string_equal(a, "1979-12");
    assert_int_equal(lists_date_range("unknown", a, b), 0);
    assert_int_equal(lists_date_range("1958 to never", a, b), 0);
}

/* ---- OFAC remarks ---- */

static void test_remarks(void **state) {
    (void)state;
    lists_remarks r;
    lists_remarks_parse(
        "DOB 10 Dec 1948; alt. DOB 1950 to 1952; POB Giza, Egypt; nationality Iran; "
        "alt. nationality Iraq; citizen Iran; Gender Male; a.k.a. 'ABU "
        "NAZAR'; a.k.a. 'O'BRIEN; THE ELDER'; f.k.a. 'OLD NAME'; Passport 123 "
        "(Egypt); Linked To: SOME GROUP.",
        &r);
    assert_int_equal(r.ndobs, 3);
    assert_string_equal(r.dobs[0], "1948-12-10");
    assert_string_equal(r.dobs[1], "1950");
    assert_string_equal(r.dobs[2], "1952");
    assert_int_equal(r.nnationalities, 2); /* Iran once */
    assert_string_equal(r.nationalities[0], "Iran");
    assert_string_equal(r.nationalities[1], "Iraq");
    assert_int_equal(r.nplaces_of_birth, 1);
    assert_string_equal(r.places_of_birth[0], "Giza, Egypt");
    assert_string_equal(r.gender, "Male");
    assert_int_equal(r.naliases, 3);
    assert_string_equal(r.aliases[0], "ABU NAZAR");
    assert_string_equal(r.aliases[1], "O'BRIEN; THE ELDER");
    assert_string_equal(r.aliases[2], "OLD NAME");
    lists_remarks_free(&r);

    /* Remarks that end on an alias, with the final full stop. */
    lists_remarks_parse("a.k.a. 'BNC'.", &r);
    assert_int_equal(r.naliases, 1);
    assert_string_equal(r.aliases[0], "BNC");
    assert_int_equal(r.ndobs, 0);
    lists_remarks_free(&r);

    /* An unterminated quote gives no alias and no crash. */
    lists_remarks_parse("a.k.a. 'BROKEN; DOB 1960", &r);
    assert_int_equal(r.naliases, 0);
    lists_remarks_free(&r);
    lists_remarks_parse(NULL, &r);
    assert_int_equal(r.ndobs + r.naliases, 0);
    lists_remarks_free(&r);
}

/* ---- text ---- */

static void test_clean_text(void **state) {
    (void)state;
    char *s;
    assert_int_equal(lists_clean_text("  a \t b\r\n c  ", 14, 100, &s), PH_OK);
    assert_string_equal(s, "a b c");
    free(s);
    assert_int_equal(lists_clean_text("   ", 3, 100, &s), PH_OK);
    assert_null(s);
    /* Windows-1252 bytes become UTF-8. */
    assert_int_equal(lists_clean_text("CAF\xc9 \x93X\x94", 8, 100, &s), PH_OK);
    assert_string_equal(s, "CAF\xc3\x89 \xe2\x80\x9cX\xe2\x80\x9d");
    free(s);
    /* Valid UTF-8 is kept, a no-break space is a space. */
    assert_int_equal(lists_clean_text("\xd0\x98\xc2\xa0X", 5, 100, &s), PH_OK);
    assert_string_equal(s, "\xd0\x98 X");
    free(s);
    assert_int_equal(lists_clean_text("abcdef", 6, 3, &s), PH_ERR);
}

/* ---- parsers over memory ---- */

typedef struct collected {
    lists_builder *v;
    size_t n;
} collected;

static int collect(void *ctx, const lists_entity *e, ph_err *err) {
    collected *c = ctx;
    c->v = realloc(c->v, (c->n + 1) * sizeof *c->v);
    lists_builder_init(&c->v[c->n]);
    int rc = lists_builder_merge(&c->v[c->n], e, err);
    c->n++;
    return rc;
}

static void collected_free(collected *c) {
    for (size_t i = 0; i < c->n; i++)
        lists_builder_free(&c->v[i]);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static const lists_entity *find(const collected *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].e.entity_id, id) == 0) return &c->v[i].e;
    fail_msg("no entity %s", id);
    return NULL;
}

static int parse_mem(const char *format, const char *const *names, const char *const *data,
                     size_t n, int skip_bad, collected *out, lists_parse_report *rep, ph_err *err) {
    lists_input in[8];
    memset(in, 0, sizeof in);
    for (size_t i = 0; i < n; i++) {
        in[i].label = names[i];
        in[i].data = data[i];
        in[i].len = strlen(data[i]);
    }
    lists_parse_options o = {.skip_bad = skip_bad};
    memset(out, 0, sizeof *out);
    return lists_parse(format, in, n, &o, collect, out, rep, err);
}

static const char un_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<CONSOLIDATED_LIST>\n"
    "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ERIC</FIRST_NAME>"
    "<SECOND_NAME>BADEGE</SECOND_NAME><UN_LIST_TYPE>DRC</UN_LIST_TYPE>"
    "<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>"
    "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Bad</ALIAS_NAME></INDIVIDUAL_ALIAS>"
    "<INDIVIDUAL_DATE_OF_BIRTH><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
    "<NATIONALITY><VALUE>Rwanda</VALUE></NATIONALITY></INDIVIDUAL></INDIVIDUALS>\n"
    "<ENTITIES><ENTITY><DATAID>2</DATAID><FIRST_NAME>ADF</FIRST_NAME>"
    "<REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER></ENTITY></ENTITIES>\n"
    "</CONSOLIDATED_LIST>\n";

static void test_un_xml(void **state) {
    (void)state;
    collected c;
    lists_parse_report rep;
    ph_err err = {0};
    const char *names[] = {"un.xml"};
    const char *data[] = {un_xml};
    assert_int_equal(parse_mem("un-xml", names, data, 1, 0, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 2);
    const lists_entity *e = find(&c, "CDi.001");
    assert_string_equal(e->type, "person");
    assert_string_equal(e->alt_id, "1");
    assert_string_equal(e->names[0].text, "ERIC BADEGE");
    assert_string_equal(e->names[0].kind, "primary");
    assert_string_equal(e->names[1].text, "Bad");
    assert_string_equal(e->names[1].quality, "weak");
    assert_int_equal(e->ndobs, 1);
    assert_string_equal(e->dobs[0], "1971");
    assert_string_equal(e->countries[0], "Rwanda");
    assert_string_equal(e->programmes[0], "DRC");
    assert_string_equal(find(&c, "CDe.001")->type, "entity");
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* Truncated: an error with the file name and a line, nothing half-read. */
    const char *cut[] = {"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>X"};
    assert_int_not_equal(parse_mem("un-xml", names, cut, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "un.xml:1:"));
    assert_int_equal(c.n, 0);
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* Entity expansion is refused outright. */
    const char *bomb[] = {"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\">]>"
                          "<CONSOLIDATED_LIST>&a;</CONSOLIDATED_LIST>"};
    assert_int_not_equal(parse_mem("un-xml", names, bomb, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "document type declarations"));
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* Nesting deeper than the cap. */
    ph_buf deep;
    ph_buf_init(&deep);
    ph_buf_puts(&deep, "<CONSOLIDATED_LIST>");
    for (int i = 0; i < 100; i++)
        ph_buf_puts(&deep, "<a>");
    const char *deep_data[] = {deep.data};
    assert_int_not_equal(parse_mem("un-xml", names, deep_data, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "nested deeper"));
    ph_buf_free(&deep);
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* A wrong root element. */
    const char *other[] = {"<html><body/></html>"};
    assert_int_not_equal(parse_mem("un-xml", names, other, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "not a UN consolidated list"));
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* An entry without a reference number: an error, or skipped on request. */
    const char *noref[] = {
        "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>"
        "</INDIVIDUAL>\n<INDIVIDUAL><FIRST_NAME>B</FIRST_NAME><REFERENCE_NUMBER>"
        "X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"};
    assert_int_not_equal(parse_mem("un-xml", names, noref, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "un.xml:2: <INDIVIDUAL> without a REFERENCE_NUMBER"));
    collected_free(&c);
    lists_parse_report_free(&rep);
    assert_int_equal(parse_mem("un-xml", names, noref, 1, 1, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(rep.skipped, 1);
    assert_int_equal(rep.notes[0].line, 2);
    collected_free(&c);
    lists_parse_report_free(&rep);
}

static const char ofac_sdn[] =
    "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
    "2674,\"ABBAS, Abu\",\"individual\",\"SDGT] [IRAN\",\"Director\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- "
    ",\"DOB 10 Dec 1948; nationality Iran; a.k.a. 'ABU'; Linked To: X\"\r\n"
    "15036,\"ARTAVIR\",\"vessel\",\"IRAN\",-0- ,\"9HA1234\",\"Crude Oil Tanker\",-0- ,-0- "
    ",\"Malta\",-0- ,-0- \r\n"
    "\x1a";
static const char ofac_alt[] = "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n"
                               "2674,13,\"fka\",\"ABBAS, Mohammed\",-0- \r\n"
                               "999,14,\"aka\",\"NOBODY\",-0- \r\n\x1a";
static const char ofac_add[] = "36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n\x1a";
static const char ofac_comments[] = "2674,\" more remarks; DOB 1950.\"\r\n";

static void test_ofac(void **state) {
    (void)state;
    collected c;
    lists_parse_report rep;
    ph_err err = {0};
    /* Any order: recognised by their columns. */
    const char *names[] = {"alt.csv", "sdn_comments.csv", "sdn.csv", "add.csv"};
    const char *data[] = {ofac_alt, ofac_comments, ofac_sdn, ofac_add};
    assert_int_equal(parse_mem("ofac-csv", names, data, 4, 0, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 3);
    assert_int_equal(rep.orphans, 1); /* the alias of 999 */
    const lists_entity *e = find(&c, "36");
    assert_string_equal(e->type, "entity");
    assert_int_equal(e->nnames, 2);
    assert_string_equal(e->names[1].text, "AERO-CARIBBEAN");
    assert_string_equal(e->names[1].quality, "strong");
    assert_string_equal(e->addresses[0], "Havana, Cuba");
    assert_string_equal(e->countries[0], "Cuba");
    assert_string_equal(e->programmes[0], "CUBA");
    e = find(&c, "2674");
    assert_string_equal(e->type, "person");
    assert_int_equal(e->nprogrammes, 2);
    assert_string_equal(e->programmes[1], "IRAN");
    assert_int_equal(e->nnames, 3);
    assert_string_equal(e->names[1].text, "ABBAS, Mohammed");
    assert_string_equal(e->names[2].text, "ABU");
    assert_string_equal(e->names[2].quality, "weak");
    assert_int_equal(e->ndobs, 2); /* one in the remarks, one in their continuation */
    assert_string_equal(e->dobs[1], "1950");
    assert_string_equal(e->countries[0], "Iran");
    assert_non_null(strstr(e->remarks, "Linked To: X more remarks"));
    e = find(&c, "15036");
    assert_string_equal(e->type, "vessel");
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* Without a primary file. */
    assert_int_not_equal(parse_mem("ofac-csv", names, data, 2, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "no primary OFAC file"));
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* A bad ent_num names the file and the line. */
    const char *bad[] = {"1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n"
                         "x2,\"B\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n"};
    const char *bad_name[] = {"sdn.csv"};
    assert_int_not_equal(parse_mem("ofac-csv", bad_name, bad, 1, 0, &c, &rep, &err), PH_OK);
    assert_string_equal(err.msg, "sdn.csv:2: ent_num 'x2' is not a number");
    collected_free(&c);
    lists_parse_report_free(&rep);
    assert_int_equal(parse_mem("ofac-csv", bad_name, bad, 1, 1, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(rep.skipped, 1);
    collected_free(&c);
    lists_parse_report_free(&rep);

    /* A record with the wrong number of fields. */
    const char *short_rec[] = {"1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n2,\"B\"\n"};
    assert_int_not_equal(parse_mem("ofac-csv", bad_name, short_rec, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "sdn.csv:2: expected 12 fields"));
    collected_free(&c);
    lists_parse_report_free(&rep);
}

static void test_csl_dpl_ftm(void **state) {
    (void)state;
    collected c;
    lists_parse_report rep;
    ph_err err = {0};
    const char *csl_name[] = {"csl.csv"};
    const char *csl[] = {
        "_id,source,type,name,addresses,alt_names,dates_of_birth,nationalities,citizenships\n"
        "_id,source,type,name,addresses,alt_names,dates_of_birth,nationalities,citizenships\n"
        "1,SDN,Individual,\"DOE, John\",\"1 Road, Tehran, IR; 2 Street, Dubai, AE\","
        "\"DOE, J.; \xd0\x94\xd0\xbe\xd1\x83 \xd0\x94\xd0\xb6\xd0\xbe\xd0\xbd;;\",\"1960; "
        "1961-02-03\",IR,\"IQ; \"\n"};
    assert_int_equal(parse_mem("csl-csv", csl_name, csl, 1, 0, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(rep.ignored, 1); /* the repeated header */
    const lists_entity *e = &c.v[0].e;
    assert_string_equal(e->type, "person");
    assert_int_equal(e->nnames, 3);
    assert_string_equal(e->names[1].text, "DOE, J.");
    assert_string_equal(e->names[2].kind, "original"); /* Cyrillic */
    assert_int_equal(e->naddresses, 2);
    assert_int_equal(e->ncountries, 3); /* IR, AE from the addresses; IQ */
    assert_string_equal(e->countries[1], "AE");
    assert_int_equal(e->ndobs, 2);
    collected_free(&c);
    lists_parse_report_free(&rep);

    const char *dpl_name[] = {"dpl.txt"};
    const char *dpl[] = {"\"Name\"\t\"City\"\t\"Country\"\t\"Effective_Date\"\n"
                         "\"ACME LTD\"\t\"Paris\"\t\"FR\"\t\"01/02/2003\"\n"
                         "\"Acme  Ltd\"\t\"Lyon\"\t\"FR\"\t\"01/02/2003\"\n"
                         "\"ACME LTD\"\t\"Nice\"\t\"FR\"\t\"05/06/2010\"\n"};
    assert_int_equal(parse_mem("bis-dpl", dpl_name, dpl, 1, 0, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 3);
    /* Same folded name and date: the same id; another date: another denial. */
    assert_string_equal(c.v[0].e.entity_id, c.v[1].e.entity_id);
    assert_string_not_equal(c.v[0].e.entity_id, c.v[2].e.entity_id);
    assert_int_equal(strncmp(c.v[0].e.entity_id, "dpl-", 4), 0);
    assert_int_equal(strlen(c.v[0].e.entity_id), 20);
    collected_free(&c);
    lists_parse_report_free(&rep);

    const char *ftm_name[] = {"e.json"};
    const char *ftm[] = {
        "{\"id\":\"p1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A B\",\"C D\"],"
        "\"birthDate\":[\"1970-05\"],\"country\":\"ir\"}}\r\n"
        "\n"
        "{\"id\":\"s1\",\"schema\":\"Sanction\",\"properties\":{}}\n"
        "{\"id\":\"v1\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"SEA\"]}}"};
    assert_int_equal(parse_mem("ftm-json", ftm_name, ftm, 1, 0, &c, &rep, &err), PH_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(rep.ignored, 1);
    assert_string_equal(c.v[0].e.names[0].text, "A B");
    assert_string_equal(c.v[0].e.names[0].kind, "primary");
    assert_string_equal(c.v[0].e.dobs[0], "1970-05");
    assert_string_equal(c.v[0].e.countries[0], "ir");
    assert_string_equal(c.v[1].e.type, "vessel");
    collected_free(&c);
    lists_parse_report_free(&rep);
    const char *bad_json[] = {
        "{\"id\":\"p1\",\"schema\":\"Person\",\"properties\":{\"name\":[]}}\n{"};
    assert_int_not_equal(parse_mem("ftm-json", ftm_name, bad_json, 1, 0, &c, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "e.json:1: entity p1 has no name"));
    collected_free(&c);
    lists_parse_report_free(&rep);
    assert_int_equal(parse_mem("ftm-json", ftm_name, bad_json, 1, 1, &c, &rep, &err), PH_OK);
    assert_int_equal(rep.skipped, 2);
    assert_int_equal(rep.notes[1].line, 2);
    collected_free(&c);
    lists_parse_report_free(&rep);

    assert_string_equal(lists_alias_kind("Ivanov"), "alias");
    assert_string_equal(lists_alias_kind("Jos\xc3\xa9 M\xc3\xbcller"), "alias");
    assert_string_equal(lists_alias_kind("\xe5\xbc\xa0\xe4\xbc\x9f (Zhang)"), "alias");
    assert_string_equal(
        lists_alias_kind(
            "\xe5\xbc\xa0\xe4\xbc\x9f\xe5\xbc\xa0\xe4\xbc\x9f\xe5\xbc\xa0\xe4\xbc\x9f"),
        "original");
    assert_string_equal(lists_alias_kind("\xd8\xb9\xd8\xa8\xd8\xaf"), "original");
}

/* ---- the store ---- */

typedef struct dbfix {
    char dir[64];
    char path[128];
    store *db;
} dbfix;

static int db_setup(void **state) {
    dbfix *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/penholder-unit.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    ph_err err = {0};
    int applied;
    refdata_load_report rep;
    audit_key_report keys;
    if (store_open(f->path, STORE_CREATE | STORE_ANY_VERSION, &f->db, &err) ||
        store_migrate(f->db, &applied, &err) || refdata_load(f->db, &rep, &err) ||
        audit_init_keys(f->db, &keys, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int db_teardown(void **state) {
    dbfix *f = *state;
    store_close(f->db);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text) {
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_store(void **state) {
    dbfix *f = *state;
    ph_err err = {0};
    char sdn[160], alt[160];
    snprintf(sdn, sizeof sdn, "%s/sdn.csv", f->dir);
    snprintf(alt, sizeof alt, "%s/alt.csv", f->dir);
    write_file(sdn, ofac_sdn);
    write_file(alt, ofac_alt);
    const char *paths[] = {sdn, alt};
    lists_import_options o = {.format = "ofac-csv", .actor = "lena"};
    lists_import_report rep;
    assert_int_equal(lists_import(f->db, paths, 2, &o, &rep, &err), PH_OK);
    assert_string_equal(rep.list, "ofac-sdn");
    assert_int_equal(rep.version_seq, 1);
    assert_int_equal(rep.entities, 3);
    assert_false(rep.already_imported);
    lists_import_report_free(&rep);

    /* The same files in another order: nothing new. */
    const char *swapped[] = {alt, sdn};
    assert_int_equal(lists_import(f->db, swapped, 2, &o, &rep, &err), PH_OK);
    assert_true(rep.already_imported);
    assert_int_equal(rep.version_seq, 1);
    lists_import_report_free(&rep);

    int64_t gen1;
    assert_int_equal(lists_generation(f->db, &gen1, &err), PH_OK);
    assert_true(gen1 > 0);

    /* Loading: names in order, countries resolved to codes. */
    lists_set s;
    const char *want[] = {"ofac-sdn"};
    assert_int_equal(lists_load_current(f->db, want, 1, &s, &err), PH_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.nlists, 1);
    const lists_entity *abbas = NULL;
    for (size_t i = 0; i < s.n; i++)
        if (strcmp(s.v[i].entity_id, "2674") == 0) abbas = &s.v[i];
    assert_non_null(abbas);
    assert_string_equal(abbas->list, "ofac-sdn");
    assert_string_equal(abbas->names[0].text, "ABBAS, Abu");
    assert_string_equal(abbas->names[0].kind, "primary");
    assert_string_equal(abbas->countries[0], "IR");
    assert_string_equal(abbas->dobs[0], "1948-12-10");
    lists_set_free(&s);

    /* A second version: one entity changed, one removed, one added. */
    write_file(
        sdn, "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"
             "2674,\"ABBAS, Abu\",\"individual\",\"SDGT\",\"Director\",-0- ,-0- ,-0- ,-0- ,-0- "
             ",-0- ,\"DOB 10 Dec 1948; nationality Iraq\"\n"
             "40000,\"NEW ENTITY LTD\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- "
             ",-0- ,-0- \n");
    assert_int_equal(lists_import(f->db, paths, 2, &o, &rep, &err), PH_OK);
    assert_int_equal(rep.version_seq, 2);
    assert_int_equal(rep.entities_written, 2); /* 36 is shared with version 1 */
    lists_import_report_free(&rep);
    int64_t gen2;
    assert_int_equal(lists_generation(f->db, &gen2, &err), PH_OK);
    assert_true(gen2 > gen1);

    lists_diff d;
    assert_int_equal(lists_diff_latest(f->db, "ofac-sdn", &d, &err), PH_OK);
    assert_int_equal(d.nadded, 1);
    assert_string_equal(d.added[0].entity_id, "40000");
    assert_string_equal(d.added[0].name, "NEW ENTITY LTD");
    assert_int_equal(d.nremoved, 1);
    assert_string_equal(d.removed[0].entity_id, "15036");
    assert_string_equal(d.removed[0].name, "ARTAVIR");
    assert_int_equal(d.nchanged, 1);
    assert_string_equal(d.changed[0].entity_id, "2674");
    int saw_iraq = 0, saw_iran_gone = 0, saw_weak_gone = 0;
    for (size_t i = 0; i < d.changed[0].nfields; i++) {
        const lists_field_change *fc = &d.changed[0].fields[i];
        if (strcmp(fc->field, "country") == 0 && fc->op == '+' && strcmp(fc->value, "IQ") == 0)
            saw_iraq = 1;
        if (strcmp(fc->field, "country") == 0 && fc->op == '-' && strcmp(fc->value, "IR") == 0)
            saw_iran_gone = 1;
        if (strcmp(fc->field, "name") == 0 && fc->op == '-' &&
            strstr(fc->value, "ABU (alias, weak)"))
            saw_weak_gone = 1;
    }
    assert_true(saw_iraq);
    assert_true(saw_iran_gone);
    assert_true(saw_weak_gone);
    lists_diff_free(&d);

    /* Unknown lists are named as such. */
    const char *nope[] = {"nope"};
    assert_int_equal(lists_load_current(f->db, nope, 1, &s, &err), PH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no list named 'nope'"));
    assert_non_null(strstr(err.msg, "ofac-sdn"));
    assert_int_equal(lists_diff_latest(f->db, "nope", &d, &err), PH_ENOTFOUND);

    /* Another format under the same list name is refused. */
    lists_import_options other = {.format = "un-xml", .list = "ofac-sdn", .actor = "lena"};
    char xml[160];
    snprintf(xml, sizeof xml, "%s/un.xml", f->dir);
    write_file(xml, un_xml);
    const char *xml_paths[] = {xml};
    assert_int_equal(lists_import(f->db, xml_paths, 1, &other, &rep, &err), PH_ECONFLICT);
    assert_non_null(strstr(err.msg, "holds ofac-csv versions"));
    lists_import_report_free(&rep);

    /* A write that fails half-way (injected: the third name refused) leaves
     * nothing of the import behind. */
    int64_t entities_before, names_before;
    assert_int_equal(
        store_one_int(f->db, &entities_before, &err, "SELECT count(*) FROM list_entity", ""),
        PH_OK);
    assert_int_equal(
        store_one_int(f->db, &names_before, &err, "SELECT count(*) FROM list_name", ""), PH_OK);
    char trigger[256];
    snprintf(trigger, sizeof trigger,
             "CREATE TEMP TRIGGER inject BEFORE INSERT ON list_name WHEN (SELECT count(*) FROM "
             "list_name) >= %lld BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
             (long long)names_before + 2);
    assert_int_equal(store_exec(f->db, trigger, &err), PH_OK);
    lists_import_options un = {.format = "un-xml", .list = "un-test", .actor = "lena"};
    assert_int_not_equal(lists_import(f->db, xml_paths, 1, &un, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "injected failure"));
    lists_import_report_free(&rep);
    assert_int_equal(store_exec(f->db, "DROP TRIGGER inject", &err), PH_OK);
    int64_t after;
    assert_int_equal(store_one_int(f->db, &after, &err, "SELECT count(*) FROM list_entity", ""),
                     PH_OK);
    assert_int_equal(after, entities_before);
    assert_int_equal(store_one_int(f->db, &after, &err, "SELECT count(*) FROM list_name", ""),
                     PH_OK);
    assert_int_equal(after, names_before);
    assert_int_equal(store_one_int(f->db, &after, &err,
                                   "SELECT count(*) FROM list_version WHERE list = 'un-test'", ""),
                     PH_OK);
    assert_int_equal(after, 0);
    /* And the same import succeeds once the fault is gone. */
    assert_int_equal(lists_import(f->db, xml_paths, 1, &un, &rep, &err), PH_OK);
    assert_int_equal(rep.entities, 2);
    lists_import_report_free(&rep);

    /* A malformed file adds no version. */
    write_file(sdn, "1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n\"unclosed\n");
    assert_int_not_equal(lists_import(f->db, paths, 2, &o, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "sdn.csv:2:"));
    lists_import_report_free(&rep);
    int64_t versions;
    assert_int_equal(store_one_int(f->db, &versions, &err,
                                   "SELECT count(*) FROM list_version WHERE list = 'ofac-sdn'", ""),
                     PH_OK);
    assert_int_equal(versions, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_remarks),
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test(test_un_xml),
        cmocka_unit_test(test_ofac),
        cmocka_unit_test(test_csl_dpl_ftm),
        cmocka_unit_test_setup_teardown(test_store, db_setup, db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
