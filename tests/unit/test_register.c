/* register: import semantics, failure mid-import, statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "helpers.h"
#include "register/register.h"

static const char *SAMPLE = "licence_group,date,rating,count,value,country,refused\n"
                            "1,2010-01-05,ML10,1,1000,Israel,0\n"
                            "1,2010-01-05,ML10.a,2,500,Israel,0\n"
                            "2,2011-03-01,ML1,1,250,USA,0\n"
                            "3,2012-06-30,ML10a,1,,Saudi Arabia,1\n";

static int64_t count(store *db, const char *sql) {
    int64_t n = -1;
    ph_err err = {0};
    if (store_one_int(db, &n, &err, sql, NULL)) fprintf(stderr, "%s\n", err.msg);
    return n;
}

static void test_import_and_stats(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "r.db");
    test_audit_keys(db);
    char path[256];
    snprintf(path, sizeof path, "%s/s.csv", dir);
    test_write_file(path, SAMPLE);
    register_import_options o = {.format = "caat-values", .actor = "rita"};
    register_import_report rep;
    ph_err err = {0};
    assert_int_equal(register_import(db, path, &o, &rep, &err), PH_OK);
    assert_int_equal(rep.licences_added, 3);
    assert_int_equal(rep.lines_added, 4);
    register_import_report_free(&rep);

    register_filter f = {0};
    register_stat *v;
    size_t n;
    /* A licence counts once per key: licence 1 touches ML10 and ML10.a. */
    f.rating = "ML10";
    assert_int_equal(register_stats(db, "destination", &f, &v, &n, &err), PH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].key, "Israel");
    assert_int_equal(v[0].licences, 1);
    assert_int_equal(v[0].value_pence, 150000);
    assert_string_equal(v[1].key, "Saudi Arabia");
    assert_int_equal(v[1].refused, 1);
    register_stats_free(v, n);
    f.rating = NULL;
    assert_int_equal(register_stats(db, "rating", &f, &v, &n, &err), PH_OK);
    assert_int_equal(n, 3); /* ML1, ML10, ML10.a */
    assert_string_equal(v[2].key, "ML10.a");
    assert_int_equal(v[2].licences, 2);
    register_stats_free(v, n);
    assert_int_equal(register_stats(db, "colour", &f, &v, &n, &err), PH_EUSAGE);

    register_licence *l;
    f.destination = "United States of America";
    assert_int_equal(register_list(db, &f, &l, &n, &err), PH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].destination, "US");
    assert_string_equal(l[0].status, "expired");
    register_licences_free(l, n);
    f.destination = "Atlantis";
    assert_int_equal(register_list(db, &f, &l, &n, &err), PH_ENOTFOUND);
    store_close(db);
    test_rmdir(dir);
}

/* The disk fills up half way through: a clear error, and not one row of the
 * file is left behind. */
static void test_disk_full_mid_import(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "f.db");
    test_audit_keys(db);
    char path[256];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *out = fopen(path, "w");
    fputs("licence_group,date,rating,count,value,country,refused\n", out);
    for (int i = 1; i <= 20000; i++)
        fprintf(out, "%d,2012-01-01,ML%d,1,%d,France,0\n", i, i % 22 + 1, i);
    fclose(out);
    ph_err err = {0};
    int64_t pages = count(db, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)pages + 40);
    assert_int_equal(store_exec(db, sql, &err), PH_OK);
    register_import_options o = {.format = "caat-values", .actor = "rita"};
    register_import_report rep;
    assert_int_equal(register_import(db, path, &o, &rep, &err), PH_ERR);
    assert_non_null(strstr(err.msg, "disk is full"));
    assert_int_equal(rep.licences_added, 0);
    register_import_report_free(&rep);
    assert_int_equal(count(db, "SELECT count(*) FROM licence"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM licence_line"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM import_batch"), 0);
    /* With room again the same file goes in whole. */
    assert_int_equal(store_exec(db, "PRAGMA max_page_count=1073741823", &err), PH_OK);
    assert_int_equal(register_import(db, path, &o, &rep, &err), PH_OK);
    register_import_report_free(&rep);
    assert_int_equal(count(db, "SELECT count(*) FROM licence"), 20000);
    store_close(db);
    test_rmdir(dir);
}

static void test_overlapping_files(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "o.db");
    test_audit_keys(db);
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    test_write_file(a, SAMPLE);
    /* A later file repeating licence 2 and adding licence 4. */
    test_write_file(b, "licence_group,date,rating,count,value,country,refused\n"
                       "2,2011-03-01,ML1,1,250,USA,0\n"
                       "4,2013-01-01,ML3,1,10,Chile,0\n");
    register_import_options o = {.format = "caat-values", .actor = "rita"};
    register_import_report rep;
    ph_err err = {0};
    assert_int_equal(register_import(db, a, &o, &rep, &err), PH_OK);
    register_import_report_free(&rep);
    assert_int_equal(register_import(db, b, &o, &rep, &err), PH_OK);
    assert_int_equal(rep.licences_added, 1);
    assert_int_equal(rep.licences_present, 1);
    register_import_report_free(&rep);
    assert_int_equal(count(db, "SELECT count(*) FROM licence_line"), 5);
    store_close(db);
    test_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_stats),
        cmocka_unit_test(test_disk_full_mid_import),
        cmocka_unit_test(test_overlapping_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
