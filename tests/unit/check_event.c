/* tests/unit/check_event.c: the event queue: (time, seq) order against a
 * sorted reference, ties in insertion order, cancel, re-queueing, pooled
 * events reused, and the RNG's determinism. */
#include <check.h>
#include <stdlib.h>

#include "sim/event.h"
#include "sim/rng.h"
#include "tests/common/testenv.h"

#define N 20000

struct rec {
    sim_ps when;
    int id;
};

static struct rec ran[N];
static int nran;

static void record(struct sim_event *ev, void *ctx)
{
    struct sim_queue *q = ctx;
    ran[nran].when = q->now;
    ran[nran].id = (int)(intptr_t)ev->arg;
    nran++;
}

START_TEST(order_matches_sorted_reference)
{
    struct sim_queue q;
    struct sim_rng r;
    static sim_ps when[N];
    ck_assert_int_eq(sim_queue_init(&q), 0);
    sim_rng_seed(&r, 42);
    nran = 0;
    for (int i = 0; i < N; i++) {
        when[i] = (sim_ps)sim_rng_below(&r, 1000);      /* many ties */
        ck_assert_int_eq(sim_schedule_fn(&q, when[i], record, (void *)(intptr_t)i), 0);
    }
    while (sim_step(&q, &q))
        ;
    ck_assert_int_eq(nran, N);
    for (int i = 1; i < N; i++) {
        ck_assert_msg(ran[i - 1].when <= ran[i].when, "time went back at %d", i);
        if (ran[i - 1].when == ran[i].when)
            ck_assert_msg(ran[i - 1].id < ran[i].id, "tie at %lld not in insertion order",
                          (long long)ran[i].when);
        ck_assert_int_eq(ran[i].when, when[ran[i].id]);
    }
    ck_assert_uint_eq(q.executed, N);
    sim_queue_fini(&q);
}
END_TEST

START_TEST(cancel_skips)
{
    struct sim_queue q;
    struct sim_event a = { .fn = record, .arg = (void *)1 }, b = { .fn = record, .arg = (void *)2 };
    ck_assert_int_eq(sim_queue_init(&q), 0);
    nran = 0;
    sim_schedule(&q, &a, 10);
    sim_schedule(&q, &b, 20);
    sim_cancel(&q, &a);
    ck_assert(!a.queued);
    ck_assert_int_eq(sim_peek(&q), 20);
    sim_schedule(&q, &a, 30);           /* cancelled events can be queued again */
    sim_reschedule(&q, &a, 5);          /* and moved */
    ck_assert_int_eq(sim_peek(&q), 5);
    while (sim_step(&q, &q))
        ;
    ck_assert_int_eq(nran, 2);
    ck_assert_int_eq(ran[0].id, 1);
    ck_assert_int_eq(ran[0].when, 5);
    ck_assert_int_eq(ran[1].id, 2);
    sim_queue_fini(&q);
}
END_TEST

static void requeue(struct sim_event *ev, void *ctx)
{
    struct sim_queue *q = ctx;
    record(ev, ctx);
    if (nran < 5)
        sim_schedule(q, ev, q->now + 7);
}

/* Random cancels and reschedules against a reference list. */
START_TEST(cancel_random_against_reference)
{
    struct sim_queue q;
    struct sim_rng r;
    static struct sim_event ev[500];
    static sim_ps want[500];            /* -1: cancelled */
    ck_assert_int_eq(sim_queue_init(&q), 0);
    sim_rng_seed(&r, 3);
    nran = 0;
    for (int i = 0; i < 500; i++) {
        ev[i] = (struct sim_event){ .fn = record, .arg = (void *)(intptr_t)i };
        want[i] = (sim_ps)sim_rng_below(&r, 100000);
        sim_schedule(&q, &ev[i], want[i]);
    }
    for (int k = 0; k < 2000; k++) {
        int i = (int)sim_rng_below(&r, 500);
        if (sim_rng_below(&r, 2)) {
            sim_cancel(&q, &ev[i]);
            want[i] = -1;
        } else {
            want[i] = (sim_ps)sim_rng_below(&r, 100000);
            sim_reschedule(&q, &ev[i], want[i]);
        }
    }
    int live = 0;
    for (int i = 0; i < 500; i++)
        live += want[i] >= 0;
    while (sim_step(&q, &q))
        ;
    ck_assert_int_eq(nran, live);
    for (int k = 0; k < nran; k++) {
        ck_assert_int_eq(ran[k].when, want[ran[k].id]);
        if (k)
            ck_assert(ran[k - 1].when <= ran[k].when);
    }
    sim_queue_fini(&q);
}
END_TEST

START_TEST(event_requeues_itself)
{
    struct sim_queue q;
    struct sim_event tick = { .fn = requeue, .arg = (void *)9 };
    ck_assert_int_eq(sim_queue_init(&q), 0);
    nran = 0;
    sim_schedule(&q, &tick, 3);
    while (sim_step(&q, &q))
        ;
    ck_assert_int_eq(nran, 5);
    ck_assert_int_eq(ran[4].when, 3 + 4 * 7);
    sim_queue_fini(&q);
}
END_TEST

START_TEST(pool_reuses_events)
{
    struct sim_queue q;
    ck_assert_int_eq(sim_queue_init(&q), 0);
    nran = 0;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 100; i++)
            sim_schedule_fn(&q, q.now + i, record, (void *)(intptr_t)i);
        while (sim_step(&q, &q))
            ;
        nran = 0;
    }
    ck_assert_uint_eq(q.nblocks, 1);      /* 5000 events, one block of storage */
    sim_queue_fini(&q);
}
END_TEST

START_TEST(rng_deterministic)
{
    struct sim_rng a, b, c;
    sim_rng_seed(&a, 7);
    sim_rng_seed(&b, 7);
    sim_rng_seed(&c, 8);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_rng_next(&a);
        ck_assert_uint_eq(x, sim_rng_next(&b));
        differ += x != sim_rng_next(&c);
        ck_assert_uint_lt(sim_rng_below(&a, 3), 3);
        sim_rng_below(&b, 3);
    }
    ck_assert_int_gt(differ, 990);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("queue");
    tcase_add_test(tc, order_matches_sorted_reference);
    tcase_add_test(tc, cancel_skips);
    tcase_add_test(tc, cancel_random_against_reference);
    tcase_add_test(tc, event_requeues_itself);
    tcase_add_test(tc, pool_reuses_events);
    tcase_add_test(tc, rng_deterministic);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
