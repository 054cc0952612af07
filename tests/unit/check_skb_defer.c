/* tests/unit/check_skb_defer.c: the defer policy (netstack/policy/
 * recycle_defer.c, Linux's skb_attempt_defer_free) on small sequences whose
 * every count and cycle is computed by hand below: a free on another CPU
 * than alloc_cpu waits on alloc_cpu's defer list and is freed there, locally,
 * by its next NET_RX softirq; the free that finds defer_max / 2 skbs queued
 * sends one IPI whose softirq flushes the list; a free that finds defer_max
 * queued is done on the spot, remote; a free on the allocating CPU is never
 * deferred; the list counts skbs, not the page frags of a longer frame nor
 * the segments GRO merged into an skb, which go where their head went.
 * Cache-line prices are set to 0 so that cycles are the cost table's
 * entries alone (check_skb_pool covers the lines). */
#include <check.h>
#include <string.h>

#include "netstack/policy/recycle.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"
#include "tests/common/testenv.h"

#define POOL_N 64

static struct sim_machine m;
static struct skb_pool pool;
static const struct recycle_policy_ops *pol;
static void *state;
static struct skb_buf *held[POOL_N];
static uint32_t nheld;
static uint64_t c_alloc, c_free, c_remote, c_ipi, c_pass;     /* the cost table's entries */

/* One work item on a CPU: a softirq start (the hook), n allocations, or n releases. */
enum op { OP_SOFTIRQ, OP_ALLOC, OP_RELEASE };
struct call {
    struct sim_work w;
    enum op op;
    uint32_t n;
};

static void call_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct call *c = (struct call *)w;
    if (c->op == OP_SOFTIRQ) {
        pol->softirq(state, &pool, &m, cpu);
    } else if (c->op == OP_ALLOC) {
        for (uint32_t i = 0; i < c->n; i++) {
            struct skb_buf *b = pol->alloc(state, &pool, &m, cpu);
            ck_assert_ptr_nonnull(b);
            held[nheld++] = b;
        }
    } else {                            /* oldest first, as a socket queue drains */
        ck_assert_uint_le(c->n, nheld);
        for (uint32_t i = 0; i < c->n; i++)
            pol->release(state, &pool, &m, cpu, held[i]);
        memmove(held, held + c->n, (nheld - c->n) * sizeof held[0]);
        nheld -= c->n;
    }
}

/* Runs the item on cpu, then everything it caused (an IPI's softirq). */
static void on(int cpu, enum op op, uint32_t n)
{
    struct call c = { .w = { .level = SIM_LEVEL_PROCESS, .run = call_run }, .op = op, .n = n };
    sim_cpu_submit(&m.cpu[cpu], &c.w);
    while (sim_step(&m.q, NULL))
        ;
}

static void setup(void)
{
    struct sim_machine_config cfg = { .ncpus = 2, .mhz = 2600, .cache_lines = 4096, .seed = 1 };
    ck_assert_int_eq(sim_machine_init(&m, &cfg), 0);
    ck_assert_int_eq(skb_pool_init(&pool, &m, POOL_N, POOL_N), 0);
    ck_assert_uint_eq(pool.defer_max, 64);             /* Linux 6.x's skb_defer_max */
    m.costs.cycles[SIM_COST_LINE_MISS] = 0;
    m.costs.cycles[SIM_COST_LINE_TRANSFER] = 0;
    c_alloc = m.costs.cycles[SIM_COST_ALLOC_SKB];
    c_free = m.costs.cycles[SIM_COST_FREE_SKB];
    c_remote = m.costs.cycles[SIM_COST_REMOTE_FREE];
    c_ipi = m.costs.cycles[SIM_COST_WAKEUP_IPI];
    c_pass = m.costs.cycles[SIM_COST_SOFTIRQ_PASS];
    pol = recycle_policy_find("defer");
    ck_assert_ptr_nonnull(pol);
    ck_assert_ptr_nonnull(pol->softirq);
    state = pol->create(&pool, &m);
    ck_assert_ptr_nonnull(state);
    nheld = 0;
}

static void teardown(void)
{
    pol->destroy(state);
    skb_pool_fini(&pool);
    sim_machine_fini(&m);
}

static uint64_t cyc(int cpu, enum sim_function f) { return m.cpu[cpu].prof.cycles[f]; }
static uint64_t calls(int cpu, enum sim_function f) { return m.cpu[cpu].prof.calls[f]; }

/* skb_defer_max 8: 20 skbs allocated on CPU 0, all freed on CPU 1 in one item.
 *   frees 1..8   queued on CPU 0's list (it held 0..7 before each);
 *   free 5       found 4 = 8 / 2 queued: one IPI (WAKEUP_IPI in kfree_skb);
 *   frees 9..20  found 8 = defer_max queued: freed on the spot on CPU 1,
 *                FREE_SKB + REMOTE_FREE each, into CPU 1's cache (12);
 * then the IPI's softirq on CPU 0: one net_rx_action (no fixed cost: it
 * polls no NAPI device, so not SOFTIRQ_PASS; the IPI is the sender's) and one
 * flush of the 8, FREE_SKB each, locally (no REMOTE_FREE), into CPU 0's cache. */
START_TEST(kick_at_half_then_free_on_the_spot_when_full)
{
    pool.defer_max = 8;
    on(0, OP_ALLOC, 20);
    ck_assert_uint_eq(cyc(0, SIM_FN_ALLOC_SKB), 20 * c_alloc);
    on(1, OP_RELEASE, 20);
    ck_assert_uint_eq(pool.st.frees, 20);
    ck_assert_uint_eq(pool.st.remote_frees, 20);
    ck_assert_uint_eq(pool.st.deferred, 8);
    ck_assert_uint_eq(pool.st.defer_kicks, 1);
    ck_assert_uint_eq(pool.st.defer_full, 12);
    ck_assert_uint_eq(pool.st.defer_flushes, 1);
    ck_assert_uint_eq(calls(1, SIM_FN_KFREE_SKB), 20);
    ck_assert_uint_eq(cyc(1, SIM_FN_KFREE_SKB), 12 * (c_free + c_remote) + c_ipi);
    ck_assert_uint_eq(calls(0, SIM_FN_NET_RX_ACTION), 1);
    ck_assert_uint_eq(cyc(0, SIM_FN_NET_RX_ACTION), 0);
    ck_assert_uint_gt(c_pass, 0);                                  /* so the 0 above tells */
    ck_assert_uint_eq(calls(0, SIM_FN_SKB_DEFER_FLUSH), 1);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 8 * c_free);
    ck_assert_uint_eq(calls(1, SIM_FN_SKB_DEFER_FLUSH), 0);
    ck_assert_uint_eq(pool.defer[0].len, 0);
    ck_assert_uint_eq(pool.defer_skbs[0], 0);
    ck_assert_uint_eq(pool.cache[0].len, POOL_N / 2 - 20 + 8);     /* refilled half a cache, gave 20 */
    ck_assert_uint_eq(pool.cache[1].len, 12);
    ck_assert_uint_eq(m.cpu[0].items[SIM_LEVEL_SOFTIRQ], 1);       /* the IPI's softirq */
}
END_TEST

/* The threshold exactly, skb_defer_max 8: four frees queue without an IPI
 * (the list held 0..3); the fifth finds 4 = 8 / 2 and sends it, and the
 * IPI's softirq on CPU 0 flushes all five. */
START_TEST(the_ipi_goes_with_the_free_that_finds_half)
{
    pool.defer_max = 8;
    on(0, OP_ALLOC, 5);
    on(1, OP_RELEASE, 4);
    ck_assert_uint_eq(pool.st.defer_kicks, 0);
    ck_assert_uint_eq(pool.defer[0].len, 4);
    on(1, OP_RELEASE, 1);
    ck_assert_uint_eq(pool.st.defer_kicks, 1);
    ck_assert_uint_eq(pool.st.defer_flushes, 1);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 5 * c_free);
    ck_assert_uint_eq(pool.defer[0].len, 0);
}
END_TEST

/* Default skb_defer_max (64): 10 freed on CPU 1 wait (no IPI below 32)
 * until CPU 0's next NET_RX softirq frees them: one flush, 10 x FREE_SKB;
 * its lines: the list's line (CPU 1 wrote it last) and the 10 metadata
 * lines, all moved back from CPU 1 (counted though priced 0 here). */
START_TEST(flushed_by_the_next_softirq_on_the_alloc_cpu)
{
    on(0, OP_ALLOC, 10);
    on(1, OP_RELEASE, 10);
    ck_assert_uint_eq(pool.st.deferred, 10);
    ck_assert_uint_eq(pool.st.defer_kicks, 0);
    ck_assert_uint_eq(pool.st.defer_flushes, 0);
    ck_assert_uint_eq(pool.defer[0].len, 10);
    ck_assert_uint_eq(cyc(1, SIM_FN_KFREE_SKB), 0);                /* the free's work is not done yet */
    on(1, OP_SOFTIRQ, 0);                                           /* CPU 1's list is empty: no call */
    ck_assert_uint_eq(calls(1, SIM_FN_SKB_DEFER_FLUSH), 0);
    on(0, OP_SOFTIRQ, 0);
    ck_assert_uint_eq(pool.st.defer_flushes, 1);
    ck_assert_uint_eq(calls(0, SIM_FN_SKB_DEFER_FLUSH), 1);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 10 * c_free);
    ck_assert_uint_eq(m.cpu[0].prof.lines_out[SIM_FN_SKB_DEFER_FLUSH], 11);
    ck_assert_uint_eq(pool.defer[0].len, 0);
    on(0, OP_SOFTIRQ, 0);                                           /* nothing left: no second call */
    ck_assert_uint_eq(calls(0, SIM_FN_SKB_DEFER_FLUSH), 1);
}
END_TEST

/* Allocated and freed on CPU 1: never deferred, never remote; the skb's
 * own work only: 20 x ALLOC_SKB, 20 x FREE_SKB. */
START_TEST(a_local_free_is_never_deferred)
{
    on(1, OP_ALLOC, 20);
    on(1, OP_RELEASE, 20);
    ck_assert_uint_eq(pool.st.deferred + pool.st.defer_kicks + pool.st.defer_full + pool.st.remote_frees, 0);
    ck_assert_uint_eq(cyc(1, SIM_FN_ALLOC_SKB), 20 * c_alloc);
    ck_assert_uint_eq(cyc(1, SIM_FN_KFREE_SKB), 20 * c_free);
    ck_assert_uint_eq(pool.defer[1].len, 0);
}
END_TEST

/* Two 5-buffer frames (a jumbo frame's head and its four page frags):
 * the list counts 2 skbs for its 10 buffers, and the flush frees 2 skbs. */
START_TEST(the_list_counts_skbs_not_frags)
{
    on(0, OP_ALLOC, 10);
    for (uint32_t i = 0; i < 10; i++)
        held[i]->tail_of_frame = i % 5 != 0;
    on(1, OP_RELEASE, 10);
    ck_assert_uint_eq(pool.defer[0].len, 10);
    ck_assert_uint_eq(pool.defer_skbs[0], 2);
    on(0, OP_SOFTIRQ, 0);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 2 * c_free);
}
END_TEST

/* GRO: 64 segments merged two by two (32 skbs after GRO, as tcp_recvmsg
 * frees them), all freed on CPU 1.  The list counts 32 skbs, so no free finds
 * 32 queued: no IPI (counting the 64 segments, the 33rd would have sent one).
 * The flush still pays FREE_SKB per segment (fitted so: skb_pool.h). */
START_TEST(gro_merged_segments_do_not_count)
{
    on(0, OP_ALLOC, 64);
    for (uint32_t i = 0; i < 64; i++)
        held[i]->gro_merged = i % 2 != 0;
    on(1, OP_RELEASE, 64);
    ck_assert_uint_eq(pool.st.deferred, 64);
    ck_assert_uint_eq(pool.defer_skbs[0], 32);
    ck_assert_uint_eq(pool.st.defer_kicks, 0);
    ck_assert_uint_eq(pool.st.defer_full, 0);
    on(0, OP_SOFTIRQ, 0);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 64 * c_free);
    on(0, OP_ALLOC, 1);                 /* a buffer handed out again starts unmerged */
    ck_assert(!held[0]->gro_merged);
}
END_TEST

/* skb_defer_max 4; buffers 0..6 allocated on CPU 0, freed on CPU 1 in one
 * item, 4 and 6 merged by GRO into the skbs of 3 and 5:
 *   0, 1   heads, queued (the list held 0, 1);
 *   2      finds 2 = 4 / 2: queued, one IPI;
 *   3      finds 3: queued, the list holds 4 = skb_defer_max;
 *   4      merged into 3's skb: follows it onto the full list (not counted);
 *   5      finds 4 = skb_defer_max: freed on the spot, FREE_SKB + REMOTE_FREE;
 *   6      merged into 5's skb: on the spot with it, FREE_SKB + REMOTE_FREE;
 * then the IPI's softirq flushes the 5 queued, FREE_SKB each, locally. */
START_TEST(merged_segments_go_where_their_head_went)
{
    pool.defer_max = 4;
    on(0, OP_ALLOC, 7);
    held[4]->gro_merged = held[6]->gro_merged = true;
    on(1, OP_RELEASE, 7);
    ck_assert_uint_eq(pool.st.deferred, 5);
    ck_assert_uint_eq(pool.st.defer_full, 2);
    ck_assert_uint_eq(pool.st.defer_kicks, 1);
    ck_assert_uint_eq(pool.st.defer_flushes, 1);
    ck_assert_uint_eq(cyc(1, SIM_FN_KFREE_SKB), 2 * (c_free + c_remote) + c_ipi);
    ck_assert_uint_eq(cyc(0, SIM_FN_SKB_DEFER_FLUSH), 5 * c_free);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("skb_defer");
    TCase *tc = tcase_create("defer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kick_at_half_then_free_on_the_spot_when_full);
    tcase_add_test(tc, the_ipi_goes_with_the_free_that_finds_half);
    tcase_add_test(tc, flushed_by_the_next_softirq_on_the_alloc_cpu);
    tcase_add_test(tc, a_local_free_is_never_deferred);
    tcase_add_test(tc, the_list_counts_skbs_not_frags);
    tcase_add_test(tc, gro_merged_segments_do_not_count);
    tcase_add_test(tc, merged_segments_go_where_their_head_went);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
