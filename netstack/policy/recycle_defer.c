/* netstack/policy/recycle_defer.c: Linux's deferred skb free (net/core/
 * skbuff.c, skb_attempt_defer_free, since 5.19: commit 68822bdf76f1; 5.17
 * deferred to a per-socket list, f35f821935d8), the default policy.
 *
 * The reader's recvmsg frees each skb it has consumed (tcp_eat_recv_skb).
 * When the skb was allocated on this CPU, it is freed here at once.  When
 * it was allocated on another CPU (skb->alloc_cpu: the one whose NET_RX
 * softirq built it), it is queued on that CPU's defer list instead, under
 * the list's lock (one line, written by both CPUs), and that CPU frees the
 * whole list at the start of its next NET_RX softirq (net_rx_action ->
 * skb_defer_free_flush: the softirq hook), locally, into its own per-CPU
 * cache, so buffers never drift to the reader's CPU as under `percpu`.
 *
 * Two thresholds of sysctl net.core.skb_defer_max (pool->defer_max, 64 on
 * 6.x), on the list's skb count (skbs as tcp_recvmsg frees them: after GRO,
 * so a buffer GRO merged into an earlier segment's skb, or a longer frame's
 * 2nd.. buffer, does not count and follows its head onto the list):
 *   - the free that finds defer_max / 2 skbs already queued kicks the alloc
 *     CPU (kick_defer_list_purge: an IPI, smp_call_function_single_async,
 *     at most one in flight: defer_ipi_scheduled), whose handler raises
 *     NET_RX there: a softirq of its own that flushes the list;
 *   - a free that finds defer_max queued frees the skb on the spot (the
 *     remote-free rule of skb_pool.h applies), into the freeing CPU's cache.
 *
 * Costs besides the skb's own work (skb_pool.h, every policy): the defer
 * list's line per deferred free (inside kfree_skb) and per flush; an IPI,
 * WAKEUP_IPI (the model's one price of an IPI, charged to the sender as a
 * wakeup's is) inside the kfree_skb that kicks.  The kicked softirq is one
 * net_rx_action call with no fixed cost of its own: SOFTIRQ_PASS is fitted
 * on softirqs that poll a NAPI device, and this one polls none; its cycles
 * are the flush's (a row of its own).  The alloc side is the per-CPU caches
 * of `percpu`.  Counted in pool->st:
 * deferred, defer_flushes, defer_kicks, defer_full. */
#include <stdlib.h>

#include "netstack/policy/recycle.h"

struct defer_state;

struct defer_kick {                     /* one CPU's defer_csd: the IPI and its softirq */
    struct sim_work w;
    struct defer_state *st;
    int cpu;
    bool scheduled;                     /* sd->defer_ipi_scheduled */
};

struct defer_state {
    struct skb_pool *pool;
    struct sim_machine *m;
    struct defer_kick kick[SIM_MAX_CPUS];
};

/* The IPI arrived: trigger_rx_softirq clears defer_ipi_scheduled and raises
 * NET_RX; that net_rx_action finds no NAPI to poll, only the list. */
static void kick_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct defer_kick *k = w->arg;
    k->scheduled = false;
    sim_machine_call(k->st->m, cpu, SIM_FN_NET_RX_ACTION);
    skb_pool_defer_flush(k->st->pool, k->st->m, cpu);
}

static void kick_arrive(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct defer_kick *k = ev->arg;
    sim_cpu_submit(&k->st->m->cpu[k->cpu], &k->w);
}

static void *defer_create(struct skb_pool *pool, struct sim_machine *m)
{
    struct defer_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->pool = pool;
    st->m = m;
    for (int c = 0; c < SIM_MAX_CPUS; c++)
        st->kick[c] = (struct defer_kick){
            .w = { .level = SIM_LEVEL_SOFTIRQ, .run = kick_run, .arg = &st->kick[c], .name = "defer IPI" },
            .st = st, .cpu = c };
    return st;
}

static void defer_destroy(void *state)
{
    free(state);
}

static struct skb_buf *defer_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                   struct sim_cpu *cpu)
{
    (void)state;
    return skb_cache_alloc(pool, m, cpu);
}

static void kick(struct defer_state *st, struct sim_cpu *cpu, int owner)
{
    struct defer_kick *k = &st->kick[owner];
    if (k->scheduled)
        return;                         /* an IPI is in flight already */
    k->scheduled = true;
    sim_machine_charge_more(st->m, cpu, SIM_FN_KFREE_SKB, SIM_COST_WAKEUP_IPI);
    st->pool->st.defer_kicks++;
    /* the IPI lands when it is sent, inside this item */
    if (sim_schedule_fn(&st->m->q, sim_cpu_now(cpu), kick_arrive, k) < 0)
        abort();
}

static void defer_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                          struct sim_cpu *cpu, struct skb_buf *b)
{
    int owner = b->alloc_cpu;
    /* The count is of skbs, after GRO: a longer frame's page frags and the
     * segments GRO merged into an skb are freed with their head, so they do
     * not count, and go where their head went (Linux frees them as one). */
    bool head = !b->tail_of_frame && !b->gro_merged;
    bool full = pool->defer_skbs[owner] >= pool->defer_max;
    pool->st.frees++;
    if (owner != cpu->id && head)
        pool->defer_head_queued[owner] = !full;
    else if (owner != cpu->id && full && pool->defer_head_queued[owner])
        full = false;                   /* its head filled the list: it joins it there */
    if (owner == cpu->id || full) {
        if (owner != cpu->id)
            pool->st.defer_full++;      /* nodefer: freed here, the remote rule applies */
        skb_pool_take_back(pool, m, cpu, b);
        skb_cache_put(pool, m, cpu, cpu->id, b);
        return;
    }
    skb_pool_take_back_deferred(pool, m, cpu, b);
    /* spin_lock(&sd->defer_lock), defer_count, defer_list: one line of the owner's */
    sim_machine_touch(m, cpu, SIM_FN_KFREE_SKB, pool->defer_addr + (uint64_t)owner * SIM_CACHE_LINE,
                      SIM_CACHE_LINE, true);
    bool kicks = false;
    if (head) {
        kicks = pool->defer_skbs[owner] == pool->defer_max / 2;
        pool->defer_skbs[owner]++;
    }
    skb_list_push(&pool->defer[owner], b);
    pool->st.deferred++;
    if (kicks)
        kick(state, cpu, owner);
}

static void defer_softirq(void *state, struct skb_pool *pool, struct sim_machine *m, struct sim_cpu *cpu)
{
    (void)state;
    skb_pool_defer_flush(pool, m, cpu);
}

const struct recycle_policy_ops recycle_defer = {
    .name = "defer",
    .what = "Linux >= 5.19: a remote free is queued to the allocating CPU and freed there (default)",
    .create = defer_create,
    .destroy = defer_destroy,
    .alloc = defer_alloc,
    .release = defer_release,
    .softirq = defer_softirq,
};
