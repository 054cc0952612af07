/* tests/unit/check_kernel_probe.c: the preflight (sim/validate/kernel_probe.c)
 * on this machine, no root needed: it must finish in under 5 s, give
 * figures inside their ranges (a one-way wakeup can't take less than 0.1 us
 * or the p90 lie below the median; shares are fractions), agree with
 * CPUID on the hypervisor bit, and its verdict must say what the PMU's
 * absence means when there is none.  The figures themselves depend on the
 * machine; the known-answer arithmetic lives in check_kernel_counters. */
#include <check.h>
#include <cpuid.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/validate/kernel_probe.h"
#include "tests/common/testenv.h"

START_TEST(preflight_in_range)
{
    struct val_preflight p;
    char err[256];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert_msg(kernel_preflight(&p, err, sizeof err) == 0, "%s", err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    /* Bounded, not fast: a fixed amount of work (a half-second quiet
     * window, 200 round trips, 30 timed loops), 1-2 s on a quiet machine and
     * several times that when other work shares the CPUs; this only catches
     * a probe that waits forever. */
    ck_assert_msg(took < 60.0, "preflight took %.2f s", took);
    ck_assert_msg(p.wakeup_us_median >= 0.1 && p.wakeup_us_p90 >= p.wakeup_us_median, "wakeup %.2f / %.2f us",
                  p.wakeup_us_median, p.wakeup_us_p90);
    ck_assert_msg(p.speed_cv >= 0 && p.speed_cv < 10, "speed cv %g", p.speed_cv);
    ck_assert_msg(p.other_share >= 0 && p.other_share <= 1 && p.steal_share >= 0 && p.steal_share <= 1,
                  "shares %g %g", p.other_share, p.steal_share);
    ck_assert(p.quiet == (p.other_share < KERNEL_QUIET_OTHER && p.steal_share < KERNEL_QUIET_STEAL));
    unsigned eax, ebx, ecx, edx;
    __cpuid(1, eax, ebx, ecx, edx);
    if ((ecx >> 31) & 1)
        ck_assert(p.hypervisor);
    if (!p.hypervisor)
        ck_assert(!p.nested);
    ck_assert_msg(strstr(p.verdict, p.pmu ? "PMU present" : "cache effects are NOT measurable") != NULL, "%s",
                  p.verdict);
    ck_assert_msg(strstr(p.verdict, p.quiet ? "resolvable, machine quiet" : "NOT resolvable") != NULL, "%s",
                  p.verdict);
    /* A busy machine's wakeup figure is queueing: never read as the VM's cost. */
    ck_assert(p.quiet || !strstr(p.verdict, "cost far more than on bare metal"));
    fprintf(stderr, "# took %.2f s\n", took);
    kernel_preflight_print(&p, stderr);
}
END_TEST

int main(void)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        testenv_skip_suite("the preflight needs 2 CPUs (sender on 0, reader on 1)");
    Suite *s = suite_create("kernel_probe");
    TCase *tc = tcase_create("preflight");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, preflight_in_range);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
