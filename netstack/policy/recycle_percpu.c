/* netstack/policy/recycle_percpu.c: per-CPU caches, frees land on the
 * freeing CPU (slab's and DPDK's mempool's per-CPU caches).  Alloc and free
 * touch only the CPU's own cache; the lock is taken once per half cache (per
 * 32 buffers with the 64-slot caches of rxsim run), to refill an empty cache
 * or flush a full one.  When the IRQ CPU allocates and the reader's CPU
 * frees, buffers drift: the reader's cache fills and flushes to the global
 * list, the IRQ CPU's empties and refills from it (every such free is
 * remote, counted by skb_pool_take_back as under every policy), so this is
 * the policy that shows the drift.  Linux before 5.17 (no deferred free)
 * and SLUB's per-CPU sheaves free this way; `defer` is the default now. */
#include "netstack/policy/recycle.h"

static struct skb_buf *percpu_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                    struct sim_cpu *cpu)
{
    (void)state;
    return skb_cache_alloc(pool, m, cpu);
}

static void percpu_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                           struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    skb_cache_put(pool, m, cpu, cpu->id, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_percpu = {
    .name = "percpu",
    .what = "per-CPU caches; a free lands in the freeing CPU's cache (buffers drift)",
    .alloc = percpu_alloc,
    .release = percpu_release,
};
