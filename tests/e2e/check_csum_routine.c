/* tests/e2e/check_csum_routine.c: rxsim run --csum-routine NAME.
 *  - the default is csum_linux (the kernel's x86-64 csum_partial), echoed in
 *    the report's config;
 *  - the routine decides the softirq's csum cycles, nothing else: on the
 *    same synth trace, csum_ref (the 16-bit loop, ~4x slower hot in the
 *    profile) costs more csum cycles than csum_linux, the copy, protocol and
 *    skb cycles are equal, and the bytes read are the same (SHA-256);
 *  - an unknown name, or a routine that is not a checksum, exits 2 naming
 *    the available checksum routines. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char tmp[512], trace[600];

static json_object *run(const char *routine)
{
    /* NULL: the defaults, --csum softirq and --csum-routine csum_linux */
    const char *const args[] = { "--csum", "softirq", "--csum-routine", routine, NULL };
    return testenv_run_json(NULL, routine ? args : NULL, trace, routine ? routine : "the defaults", NULL);
}

static double cat(json_object *j, const char *k)
{
    return num(get(get(j, "result"), "cycles_per_byte_by_category"), k);
}

START_TEST(the_routine_prices_the_softirq_checksum)
{
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(trace, sizeof trace, "%s/t.pcap", tmp);
    char *synth[] = { "synth", "-o", trace, "--bytes", "256K", "--seed", "9", NULL };
    ck_assert_int_eq(testenv_rxsim(synth, NULL, NULL), 0);
    json_object *d = run(NULL), *l = run("csum_linux"), *r = run("csum_ref");
    ck_assert_str_eq(str(get(d, "config"), "csum_routine"), "csum_linux");
    ck_assert_double_eq(cat(d, "csum"), cat(l, "csum"));
    ck_assert_msg(cat(r, "csum") > cat(l, "csum"), "csum_ref %.3f vs csum_linux %.3f cycles/byte", cat(r, "csum"),
                  cat(l, "csum"));
    const char *same[] = { "copy", "protocol", "skb" };
    for (size_t i = 0; i < 3; i++)
        ck_assert_double_eq(cat(r, same[i]), cat(l, same[i]));
    json_object *cr = json_object_array_get_idx(get(r, "connections"), 0);
    json_object *cl = json_object_array_get_idx(get(l, "connections"), 0);
    ck_assert_str_eq(str(cr, "sha256"), str(cl, "sha256"));
    json_object_put(d);
    json_object_put(l);
    json_object_put(r);
}
END_TEST

START_TEST(an_unknown_routine_is_a_usage_error)
{
    char err[700];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    const char *names[] = { "no_such", "glibc" };
    for (size_t i = 0; i < 2; i++) {
        char *argv[] = { "run", "--csum-routine", (char *)names[i], "x.pcap", NULL };
        ck_assert_int_eq(testenv_rxsim(argv, NULL, err), 2);
        FILE *f = fopen(err, "r");
        char line[1024] = "";
        ck_assert(f && fgets(line, sizeof line, f));
        fclose(f);
        ck_assert_msg(strstr(line, names[i]) && strstr(line, "available:") && strstr(line, "csum_linux") &&
                      strstr(line, "csum_ref") && !strstr(line, " glibc"), "stderr: %s", line);
    }
}
END_TEST

static Suite *csum_routine_suite(void)
{
    Suite *s = suite_create("csum_routine");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, the_routine_prices_the_softirq_checksum);
    tcase_add_test(tc, an_unknown_routine_is_a_usage_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(csum_routine_suite());
}
