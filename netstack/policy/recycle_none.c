/* netstack/policy/recycle_none.c: no recycling, the baseline.  Every buffer
 * comes from the allocator and goes back to it: the skb's own work
 * (ALLOC_SKB per buffer, FREE_SKB per frame and the remote-free rule, which
 * skb_pool.c charges for every policy) plus the allocator's global list
 * behind its lock on both sides, so two lock-line writes per buffer, each a
 * cache-to-cache transfer when the IRQ CPU and the reader's CPU differ.
 * Since every policy pays the skb's own work, `none` and `global` cost the
 * same: the allocator modelled here is a global list behind a lock. */
#include "netstack/policy/recycle.h"

static struct skb_buf *none_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                  struct sim_cpu *cpu)
{
    (void)state;
    struct skb_buf *b = skb_pool_global_get(pool, m, cpu);
    return b ? skb_pool_hand_out(pool, m, cpu, b) : NULL;
}

static void none_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                         struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    skb_pool_global_put(pool, m, cpu, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_none = {
    .name = "none",
    .what = "the allocator every time: a global list behind a lock per buffer",
    .alloc = none_alloc,
    .release = none_release,
};
