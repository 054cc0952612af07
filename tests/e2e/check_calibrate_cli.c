/* tests/e2e/check_calibrate_cli.c: rxsim calibrate as a user meets it.
 * --classic --quick prints both of the OLS 2002 tables in full (every row,
 * every column a positive measurement) and exits 0; it once sized its
 * buffers for --quick's 64 KiB grid, could not measure the 1 MiB cold
 * column, and exited 1 half-way through Table 5 with no message. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/testenv.h"

static char tmpdir[4096];

/* Rows of the table under title: lines after its column header, up to the
 * first empty line, each ending with (at least) want_numbers positive numbers. */
static int table_rows(const char *text, const char *title, int want_numbers)
{
    const char *p = strstr(text, title);
    ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", title, text);
    p = strchr(p, '\n');                      /* past the title */
    ck_assert(p && (p = strchr(p + 1, '\n')));  /* past the column header */
    int rows = 0;
    for (p++; *p && *p != '\n'; rows++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        int numbers = 0;
        char *save, *tok;
        double run[16];
        for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            char *e;
            double v = strtod(tok, &e);
            if (*e == '\0' && e != tok && numbers < 16)
                run[numbers++] = v;
            else
                numbers = 0;                  /* only the trailing run of numbers counts */
        }
        /* "offset 4" puts one more number before the measurements */
        ck_assert_msg(numbers >= want_numbers, "%s: want %d numbers in: %.*s", title, want_numbers, (int)len, p);
        for (int i = numbers - want_numbers; i < numbers; i++)
            ck_assert_msg(run[i] > 0, "%s: a measurement that is not positive: %.*s", title, (int)len, p);
        p = end ? end + 1 : p + len;
    }
    return rows;
}

START_TEST(classic_quick_prints_both_tables)
{
    char out[4200], err[4200];
    snprintf(out, sizeof out, "%s/classic.txt", tmpdir);
    snprintf(err, sizeof err, "%s/classic.err", tmpdir);
    char *args[] = { "calibrate", "--classic", "--quick", NULL };
    int rc = testenv_rxsim(args, out, err);
    char *text = testenv_slurp(out, NULL), *msg = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "calibrate --classic --quick: exit %d; stderr: %s; stdout: %s", rc,
                  msg ? msg : "", text ? text : "");
    ck_assert(text != NULL);
    ck_assert_int_eq(table_rows(text, "Table 5", 3), 8);    /* 4 routines x aligned / offset 4 */
    ck_assert_int_eq(table_rows(text, "Table 6", 3), 4);
    ck_assert_msg(strstr(text, "rep movsl / unrolled integer at 1448 B hot"), "the closing ratio line");
    free(text);
    free(msg);
}
END_TEST

int main(void)
{
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    Suite *s = suite_create("calibrate_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, classic_quick_prints_both_tables);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
