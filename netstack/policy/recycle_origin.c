/* netstack/policy/recycle_origin.c: per-CPU caches, but a free goes back to
 * the cache of the CPU that allocated the buffer (the kernel's skb->alloc_cpu
 * and deferred free lists).  A free on another CPU than alloc_cpu is still a
 * remote free (counted by skb_pool_take_back, as under every policy): the
 * freeing CPU pays REMOTE_FREE (220 cycles) to send the buffer home; in
 * exchange the IRQ CPU's cache never runs dry, so after warm-up neither CPU
 * takes the global lock and buffers do not drift. */
#include "netstack/policy/recycle.h"

static struct skb_buf *origin_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                    struct sim_cpu *cpu)
{
    (void)state;
    return skb_cache_alloc(pool, m, cpu);
}

static void origin_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                           struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    if (b->alloc_cpu != cpu->id)
        sim_machine_charge_more(m, cpu, SIM_FN_KFREE_SKB, SIM_COST_REMOTE_FREE);
    skb_cache_put(pool, m, cpu, b->alloc_cpu, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_origin = {
    .name = "origin",
    .what = "per-CPU caches; a free returns to the allocating CPU's cache, at a cost",
    .alloc = origin_alloc,
    .release = origin_release,
};
