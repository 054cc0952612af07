/* tests/unit/check_sched.c: the reader placement rules of netstack/sched.h,
 * each on its own, with the answers worked out by hand from the kernel
 * logic the rule stands for (select_task_rq_fair: wake_affine_idle,
 * wake_affine_weight, select_idle_sibling; load_balance), and --app's
 * values. */
#include <check.h>

#include "netstack/sched.h"
#include "tests/common/testenv.h"

/* nr = runnable readers per CPU; prev = last CPU; waker = softirq's CPU. */
struct wake_case {
    const char *why;
    int ncpus, nr[4], prev, waker, want;
};

static const struct wake_case wake_cases[] = {
    /* this == prev and idle: select_idle_sibling returns it */
    { "prev idle, woken on prev", 2, { 0, 0 }, 0, 0, 0 },
    /* wake_affine_idle: this idle and prev idle -> prev (cache-hot, no migration) */
    { "prev idle, woken elsewhere: stays", 2, { 0, 0 }, 1, 0, 1 },
    /* this idle, prev busy -> this; select_idle_sibling: 0 idle -> 0 */
    { "prev busy, waker idle: to the waker", 2, { 0, 1 }, 1, 0, 0 },
    /* this has 1 task, sync -> this; 0 busy, prev busy, no idle CPU -> target 0 */
    { "sync, waker's only task, prev busy: stacks on the waker", 2, { 1, 1 }, 1, 0, 0 },
    /* this has 1 task, sync -> this (0); select_idle_sibling: 0 busy, prev 1 idle -> 1 */
    { "sync picks the waker but prev is idle: prev", 2, { 1, 0 }, 1, 0, 1 },
    /* weight: this 2*100 = 200 < prev 2*108+1 = 217 -> this; no idle CPU -> 0 */
    { "equal loads: the waker (sync bias)", 2, { 2, 2 }, 1, 0, 0 },
    /* weight: this 3*100 = 300 >= prev 217 -> prev; no idle CPU -> 1 */
    { "waker heavier: prev", 2, { 3, 2 }, 1, 0, 1 },
    /* first wakeup: prev = waker = 1, busy; scan from 1+1 wraps to 0, idle -> 0 */
    { "first wakeup on a busy CPU: the idle one", 2, { 0, 1 }, -1, 1, 0 },
    /* four CPUs: target 1 busy, prev == target; scan 2 (idle) -> 2 */
    { "scan from target+1", 4, { 1, 1, 0, 0 }, 1, 1, 2 },
    /* target 3 busy; scan wraps: 0 idle -> 0 */
    { "scan wraps", 4, { 0, 1, 1, 1 }, 3, 3, 0 },
    /* target 3 busy; scan 0 busy, 1 idle -> 1 */
    { "scan takes the first idle", 4, { 1, 0, 1, 1 }, 3, 3, 1 },
    /* every CPU busy, this == prev: stays */
    { "all busy: stays on prev", 4, { 1, 1, 1, 1 }, 2, 2, 2 },
};

START_TEST(wake_rules)
{
    const struct wake_case *c = &wake_cases[_i];
    int got = sched_linux_wake_cpu(c->nr, c->ncpus, c->prev, c->waker);
    ck_assert_msg(got == c->want, "%s: CPU %d, want %d", c->why, got, c->want);
}
END_TEST

START_TEST(imbalance)
{
    int from = -1, to = -1;
    ck_assert(sched_linux_imbalance((int[]){ 0, 2 }, 2, &from, &to));
    ck_assert_int_eq(from, 1);
    ck_assert_int_eq(to, 0);
    ck_assert(!sched_linux_imbalance((int[]){ 1, 2 }, 2, &from, &to));    /* no idle CPU */
    ck_assert(!sched_linux_imbalance((int[]){ 0, 1 }, 2, &from, &to));    /* nothing to pull */
    ck_assert(sched_linux_imbalance((int[]){ 1, 0, 2, 3 }, 4, &from, &to));
    ck_assert_int_eq(from, 3);                                              /* the busiest */
    ck_assert_int_eq(to, 1);                                                /* the first idle */
    ck_assert(sched_linux_imbalance((int[]){ 2, 0, 2, 0 }, 4, &from, &to));
    ck_assert_int_eq(from, 0);                                              /* the lowest of equals */
    ck_assert_int_eq(to, 1);
}
END_TEST

START_TEST(balance_period_is_sd_weight_ms)
{
    ck_assert_int_eq(sched_balance_period(2), 2 * SIM_PS_PER_MS);
    ck_assert_int_eq(sched_balance_period(8), 8 * SIM_PS_PER_MS);
}
END_TEST

START_TEST(app_values)
{
    enum app_affinity a;
    int cpu = -1;
    ck_assert_int_eq(app_affinity_parse("fixed:1", 2, &a, &cpu), 0);
    ck_assert(a == APP_FIXED && cpu == 1);
    ck_assert_int_eq(app_affinity_parse("pin:irq", 2, &a, &cpu), 0);
    ck_assert(a == APP_PIN_IRQ);
    ck_assert_int_eq(app_affinity_parse("pin:rr", 2, &a, &cpu), 0);
    ck_assert(a == APP_PIN_RR);
    ck_assert_int_eq(app_affinity_parse("linux", 2, &a, &cpu), 0);
    ck_assert(a == APP_LINUX);
    ck_assert_int_eq(app_affinity_parse("waker", 1, &a, &cpu), 0);
    ck_assert(a == APP_WAKER);
    ck_assert_int_eq(app_affinity_parse("float", 1, &a, &cpu), 0);
    ck_assert(a == APP_FLOAT);
    static const char *const bad[] = { "fixed:2", "fixed:", "fixed:-1", "fixed:1x", "pin", "pin:", "pin:0",
                                       "Linux", "", "fixed:+1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(app_affinity_parse(bad[i], 2, &a, &cpu) < 0, "'%s' accepted", bad[i]);
    ck_assert_int_eq(app_affinity_parse(NULL, 2, &a, &cpu), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, wake_rules, 0, (int)(sizeof wake_cases / sizeof wake_cases[0]));
    tcase_add_test(tc, imbalance);
    tcase_add_test(tc, balance_period_is_sd_weight_ms);
    tcase_add_test(tc, app_values);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
