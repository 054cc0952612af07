/* tests/unit/check_cpu.c: priority levels, FIFO within a level, busy time
 * equal to charged cycles, cycles by category and function, time inside an
 * item, that raising a queued item twice runs it once, and that a queued
 * item taken off its queue (a load balancer's move) runs where it is put. */
#include <check.h>
#include <stdlib.h>

#include "sim/cpu.h"
#include "tests/common/testenv.h"

static struct sim_queue q;
static struct sim_cpu cpu;
static char order[32];
static int norder;

struct job {
    struct sim_work w;
    char tag;
    uint64_t cycles;
    enum sim_function fn;
    struct sim_work *spawn;             /* submitted from inside the item */
    sim_ps seen_now;
};

static void job_run(struct sim_work *w, struct sim_cpu *c)
{
    struct job *j = (struct job *)w;
    order[norder++] = j->tag;
    sim_cpu_charge(c, j->fn, j->cycles / 2);
    j->seen_now = sim_cpu_now(c);
    sim_cpu_charge(c, j->fn, j->cycles - j->cycles / 2);
    if (j->spawn)
        sim_cpu_submit(c, j->spawn);
}

static void setup(void)
{
    ck_assert_int_eq(sim_queue_init(&q), 0);
    sim_cpu_init(&cpu, 0, 2000, &q);    /* 2 GHz: 500 ps a cycle */
    norder = 0;
}

static void teardown(void) { sim_queue_fini(&q); }

#define JOB(t, lvl, cyc, f) { .w = { .level = (lvl), .run = job_run }, .tag = (t), .cycles = (cyc), .fn = (f) }

START_TEST(priority_and_fifo)
{
    struct job p1 = JOB('p', SIM_LEVEL_PROCESS, 1000, SIM_FN_COPY_TO_USER);
    struct job p2 = JOB('q', SIM_LEVEL_PROCESS, 1000, SIM_FN_COPY_TO_USER);
    struct job s1 = JOB('s', SIM_LEVEL_SOFTIRQ, 400, SIM_FN_TCP_RCV);
    struct job h1 = JOB('h', SIM_LEVEL_HARDIRQ, 100, SIM_FN_NIC_INTR);
    sim_cpu_submit(&cpu, &p1.w);        /* starts at once: the CPU is idle */
    sim_cpu_submit(&cpu, &p2.w);
    sim_cpu_submit(&cpu, &s1.w);
    sim_cpu_submit(&cpu, &h1.w);
    while (sim_step(&q, NULL))
        ;
    order[norder] = '\0';
    ck_assert_str_eq(order, "phsq");    /* no preemption of p; then by level */
    ck_assert_uint_eq(cpu.busy_cycles, 2500);
    ck_assert_int_eq(q.now, 2500 * 500);
    ck_assert_uint_eq(cpu.cat_cycles[SIM_CAT_COPY], 2000);
    ck_assert_uint_eq(cpu.cat_cycles[SIM_CAT_PROTOCOL], 400);
    ck_assert_uint_eq(cpu.cat_cycles[SIM_CAT_IRQ], 100);
    ck_assert_uint_eq(cpu.prof.calls[SIM_FN_COPY_TO_USER], 4);
    ck_assert_uint_eq(cpu.level_cycles[SIM_LEVEL_HARDIRQ], 100);
    ck_assert_int_eq(h1.seen_now, 1000 * 500 + 50 * 500);   /* half-way into h */
}
END_TEST

START_TEST(spawned_work_waits_and_runs)
{
    struct job child = JOB('c', SIM_LEVEL_PROCESS, 10, SIM_FN_SCHEDULE);
    struct job parent = JOB('a', SIM_LEVEL_SOFTIRQ, 20, SIM_FN_TCP_RCV);
    parent.spawn = &child.w;
    sim_cpu_submit(&cpu, &parent.w);
    sim_cpu_submit(&cpu, &parent.w);   /* running, not queued: queued again once */
    while (sim_step(&q, NULL))
        ;
    order[norder] = '\0';
    ck_assert_str_eq(order, "aac");
    ck_assert_uint_eq(cpu.busy_cycles, 50);
}
END_TEST

START_TEST(idle_gaps_are_not_busy)
{
    struct job a = JOB('a', SIM_LEVEL_PROCESS, 100, SIM_FN_APP_WORK);
    sim_cpu_submit(&cpu, &a.w);
    while (sim_step(&q, NULL))
        ;
    q.now = 1000000;                    /* time passes with nothing to do */
    sim_cpu_submit(&cpu, &a.w);
    while (sim_step(&q, NULL))
        ;
    ck_assert_uint_eq(cpu.busy_cycles, 200);
    ck_assert_int_eq(q.now, 1000000 + 100 * 500);
}
END_TEST

/* p runs (the CPU was idle), q, r, t queue behind it; r (the middle) and t
 * (the tail) are taken off and r put on a second CPU; the running p cannot
 * be.  r starts at once on the idle CPU 1 (at time 0, as p does), so the
 * order is p, r, then q (t never runs). */
START_TEST(unqueued_work_moves)
{
    struct sim_cpu other;
    sim_cpu_init(&other, 1, 2000, &q);
    struct job p = JOB('p', SIM_LEVEL_PROCESS, 100, SIM_FN_APP_WORK);
    struct job qq = JOB('q', SIM_LEVEL_PROCESS, 100, SIM_FN_APP_WORK);
    struct job r = JOB('r', SIM_LEVEL_PROCESS, 100, SIM_FN_APP_WORK);
    struct job t = JOB('t', SIM_LEVEL_PROCESS, 100, SIM_FN_APP_WORK);
    sim_cpu_submit(&cpu, &p.w);
    sim_cpu_submit(&cpu, &qq.w);
    sim_cpu_submit(&cpu, &r.w);
    sim_cpu_submit(&cpu, &t.w);
    ck_assert(!sim_cpu_unqueue(&cpu, &p.w));          /* running, not queued */
    ck_assert(!sim_cpu_unqueue(&other, &r.w));        /* queued, but not there */
    ck_assert(sim_cpu_unqueue(&cpu, &r.w));
    ck_assert(sim_cpu_unqueue(&cpu, &t.w));           /* the tail: tail pointer moves back to q */
    ck_assert(!sim_cpu_unqueue(&cpu, &t.w));
    ck_assert_ptr_eq(cpu.tail[SIM_LEVEL_PROCESS], &qq.w);
    sim_cpu_submit(&other, &r.w);
    while (sim_step(&q, NULL))
        ;
    order[norder] = '\0';
    ck_assert_str_eq(order, "prq");                  /* r starts at once on the idle CPU 1 */
    ck_assert_uint_eq(cpu.busy_cycles, 200);
    ck_assert_uint_eq(other.busy_cycles, 100);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, priority_and_fifo);
    tcase_add_test(tc, spawned_work_waits_and_runs);
    tcase_add_test(tc, idle_gaps_are_not_busy);
    tcase_add_test(tc, unqueued_work_moves);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
