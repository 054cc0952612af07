/* netstack/policy/recycle_none.c: no recycling, the baseline.  Every buffer
 * comes from the allocator and goes back to it: alloc_skb's and kfree_skb's
 * own cost (ALLOC_SKB per buffer, FREE_SKB per frame: sim/cost_table.h) plus the global
 * list's lock on both sides, so two lock-line writes per buffer, each a
 * cache-to-cache transfer when the IRQ CPU and the reader's CPU differ. */
#include "netstack/policy/recycle.h"

static struct skb_buf *none_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                  struct sim_cpu *cpu)
{
    (void)state;
    struct skb_buf *b = skb_pool_global_get(pool, m, cpu);
    if (!b)
        return NULL;
    sim_machine_charge_more(m, cpu, SIM_FN_ALLOC_SKB, SIM_COST_ALLOC_SKB);
    return skb_pool_hand_out(pool, m, cpu, b);
}

static void none_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                         struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    /* one skb freed per frame, as Linux frees one skb with its page frags
     * (validate fits free_skb per segment; a 9000-byte frame's five buffers
     * were charged five times) */
    if (!b->tail_of_frame)
        sim_machine_charge_more(m, cpu, SIM_FN_KFREE_SKB, SIM_COST_FREE_SKB);
    skb_pool_global_put(pool, m, cpu, b);
    pool->st.frees++;
}

const struct recycle_policy_ops recycle_none = {
    .name = "none",
    .what = "allocator every time: alloc_skb/kfree_skb cost and the global lock per buffer",
    .alloc = none_alloc,
    .release = none_release,
};
