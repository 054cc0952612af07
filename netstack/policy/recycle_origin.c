/* netstack/policy/recycle_origin.c: per-CPU caches, but a free goes back to
 * the cache of the CPU that allocated the buffer at once, from the freeing
 * CPU (an idealised return: no list, no IPI; `defer` is what Linux does).
 * A free on another CPU than alloc_cpu is a remote free and pays the one
 * rule of every policy (skb_pool_take_back: REMOTE_FREE and the metadata
 * line); in exchange the IRQ CPU's cache never runs dry, so after warm-up
 * neither CPU takes the global lock and buffers do not drift. */
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
    skb_cache_put(pool, m, cpu, b->alloc_cpu, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_origin = {
    .name = "origin",
    .what = "per-CPU caches; a free returns at once to the allocating CPU's cache",
    .alloc = origin_alloc,
    .release = origin_release,
};
