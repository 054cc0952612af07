/* netstack/policy/recycle_global.c: one shared free list behind one lock.
 * Besides the skb's own work (alloc, free, the remote-free rule: skb_pool.c,
 * every policy), the lock: POOL_LOCK (60 cycles) and a write of the lock
 * line on every alloc and every free.  On one CPU the line stays put; when
 * the IRQ CPU allocates and the reader's CPU frees, the line moves twice
 * per buffer, which is the cost this policy exists to show (SQLite
 * pcache1.c's PGroup trade-off).  It now costs what `none` costs: none's
 * allocator is the same list behind the same lock. */
#include "netstack/policy/recycle.h"

static struct skb_buf *global_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                    struct sim_cpu *cpu)
{
    (void)state;
    struct skb_buf *b = skb_pool_global_get(pool, m, cpu);
    return b ? skb_pool_hand_out(pool, m, cpu, b) : NULL;
}

static void global_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                           struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    skb_pool_global_put(pool, m, cpu, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_global = {
    .name = "global",
    .what = "one shared pool behind a lock whose line bounces between CPUs",
    .alloc = global_alloc,
    .release = global_release,
};
