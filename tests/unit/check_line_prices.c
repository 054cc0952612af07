/* tests/unit/check_line_prices.c: one price per line (issue 13 item 5).
 * The machine charges a miss or a transfer at the per-line price for the
 * touch's length when the session set one, else the cost table's flat
 * entry; the session reads those prices off a calibration profile as
 * (cold - hot) / k and (remote - hot) / k of the probe routine at 64 k bytes.
 * Every expected figure is computed by hand in a comment. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "copy/costs.h"
#include "sim/machine.h"
#include "sim/session/line_prices.h"
#include "tests/common/testenv.h"

static struct sim_machine m;

static void machine_up(void)
{
    struct sim_machine_config mc = { .ncpus = 2, .mhz = 2000, .cache_lines = 4096, .seed = 1 };
    ck_assert_int_eq(sim_machine_init(&m, &mc), 0);
}

/* Cycles fn was charged on cpu by one touch. */
static uint64_t touch_cycles(int cpu, uint64_t addr, uint64_t len, bool write)
{
    uint64_t before = m.cpu[cpu].prof.cycles[SIM_FN_TCP_RCV];
    sim_machine_touch(&m, &m.cpu[cpu], SIM_FN_TCP_RCV, addr, len, write);
    return m.cpu[cpu].prof.cycles[SIM_FN_TCP_RCV] - before;
}

START_TEST(test_flat_without_prices)
{
    machine_up();
    /* No prices set: a cold line costs line_miss (180), a line CPU 0 wrote
     * costs CPU 1 line_transfer (260). */
    uint64_t a = sim_cache_region(&m.cache, 4096);
    ck_assert_uint_eq(touch_cycles(0, a, 64, true), m.costs.cycles[SIM_COST_LINE_MISS]);
    ck_assert_uint_eq(touch_cycles(1, a, 64, false), m.costs.cycles[SIM_COST_LINE_TRANSFER]);
    sim_machine_fini(&m);
}
END_TEST

START_TEST(test_price_by_run_length)
{
    machine_up();
    for (int k = 1; k <= SIM_LINE_RUN_MAX; k++) {
        m.lines.miss[k] = 100.0 / k + 10;      /* 1 line: 110; 4 lines: 35 each; 32: 13.125 each */
        m.lines.transfer[k] = 40.0 / k;        /* 1 line: 40; 4 lines: 10 each */
    }
    m.lines.miss_set = m.lines.transfer_set = true;
    uint64_t a = sim_cache_region(&m.cache, 1 << 16);
    ck_assert_uint_eq(touch_cycles(0, a, 64, true), 110);             /* one cold line */
    ck_assert_uint_eq(touch_cycles(0, a + 4096, 256, true), 4 * 35);  /* four cold lines in one touch */
    ck_assert_uint_eq(touch_cycles(1, a + 4096, 256, false), 4 * 10); /* the four, written on CPU 0 */
    ck_assert_uint_eq(touch_cycles(1, a + 4096, 256, false), 0);      /* now shared: hits */
    /* 64 lines: longer than SIM_LINE_RUN_MAX, each at entry 32: 64 x 13.125 = 840 */
    ck_assert_uint_eq(touch_cycles(0, a + 8192, 64 * 64, true), 840);
    /* A touch of 2 lines, one hit and one miss: the miss at entry 2 (60). */
    ck_assert_uint_eq(touch_cycles(0, a + 8192 - 64, 128, false), 60);
    /* Only the transfer half set: misses fall back to the flat entry. */
    m.lines.miss_set = false;
    ck_assert_uint_eq(touch_cycles(0, a + 20000 * 2, 64, true), m.costs.cycles[SIM_COST_LINE_MISS]);
    sim_machine_fini(&m);
}
END_TEST

static char tmpdir[4096];

static struct costs *profile_with(const char *curves)
{
    char path[4200], err[512], text[4096];
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    snprintf(path, sizeof path, "%s/p.json", tmpdir);
    snprintf(text, sizeof text,
             "{\"schema\": \"rxsim-costs/1\", \"mode\": \"full\",\n"
             " \"machine\": {\"cpu_model\": \"test\", \"tsc_hz\": 2e9},\n \"curves\": [%s]}\n", curves);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    struct costs *c = costs_load(path, err, sizeof err);
    ck_assert_msg(c != NULL, "costs_load: %s", err);
    return c;
}

#define CURVE(cache, p64, p2048) \
    "{\"routine\": \"" LINE_PRICE_ROUTINE "\", \"kind\": \"csum\", \"cache\": \"" cache "\", \"align\": 0," \
    " \"points\": [[64, " #p64 ", " #p64 ", " #p64 "], [2048, " #p2048 ", " #p2048 ", " #p2048 "]]}"

START_TEST(test_prices_from_profile)
{
    struct costs *c = profile_with(CURVE("hot", 14, 192) "," CURVE("cold", 151, 834) "," CURVE("remote", 39, 235));
    struct sim_line_prices p;
    line_prices_from_profile(&p, c, 1.0, false, false);
    ck_assert(p.miss_set && p.transfer_set);
    ck_assert_double_eq_tol(p.miss[1], 151 - 14, 1e-9);                 /* 137 */
    ck_assert_double_eq_tol(p.transfer[1], 39 - 14, 1e-9);              /* 25 */
    ck_assert_double_eq_tol(p.miss[32], (834.0 - 192) / 32, 1e-9);      /* 20.0625 */
    ck_assert_double_eq_tol(p.transfer[32], (235.0 - 192) / 32, 1e-9);  /* 1.34375 */
    /* 2 lines = 128 bytes, 1/31 of the way from 64 to 2048:
     * hot 14 + 178/31, cold 151 + 683/31: (137 + 505/31) / 2 */
    ck_assert_double_eq_tol(p.miss[2], (137 + 505.0 / 31) / 2, 1e-9);
    /* A CPU at twice the TSC's clock waits twice the cycles. */
    line_prices_from_profile(&p, c, 2.0, false, false);
    ck_assert_double_eq_tol(p.miss[1], 274, 1e-9);
    /* A --costs file's flat line_transfer keeps that half unset. */
    line_prices_from_profile(&p, c, 1.0, false, true);
    ck_assert(p.miss_set && !p.transfer_set);
    costs_free(c);
    /* No remote curve (a one-CPU calibration): transfers stay flat, misses priced. */
    c = profile_with(CURVE("hot", 14, 192) "," CURVE("cold", 151, 834));
    line_prices_from_profile(&p, c, 1.0, false, false);
    ck_assert(p.miss_set && !p.transfer_set);
    costs_free(c);
    /* A remote curve below the hot one (noise) prices a line at 0, never below. */
    c = profile_with(CURVE("hot", 14, 192) "," CURVE("remote", 10, 100));
    line_prices_from_profile(&p, c, 1.0, false, false);
    ck_assert(!p.miss_set && p.transfer_set);
    ck_assert_double_eq_tol(p.transfer[1], 0, 1e-12);
    costs_free(c);
}
END_TEST

/* The shipped profile prices a lone line above a line in a long run: the
 * rule's point (a lone miss waits out the latency, a run streams). */
START_TEST(test_shipped_profile)
{
    char path[4200], err[512];
    testenv_path(path, sizeof path, "copy/profiles/default.json");
    struct costs *c = costs_load(path, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    struct sim_line_prices p;
    line_prices_from_profile(&p, c, 1.0, false, false);
    ck_assert(p.miss_set && p.transfer_set);
    ck_assert_msg(p.miss[1] > 2 * p.miss[32], "lone miss %.1f vs in a run of 32 %.1f", p.miss[1], p.miss[32]);
    ck_assert_msg(p.transfer[1] > 2 * p.transfer[32], "lone transfer %.1f vs %.1f", p.transfer[1], p.transfer[32]);
    costs_free(c);
}
END_TEST

static Suite *line_prices_suite(void)
{
    Suite *s = suite_create("line_prices");
    TCase *tc = tcase_create("line_prices");
    tcase_add_test(tc, test_flat_without_prices);
    tcase_add_test(tc, test_price_by_run_length);
    tcase_add_test(tc, test_prices_from_profile);
    tcase_add_test(tc, test_shipped_profile);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(line_prices_suite());
}
