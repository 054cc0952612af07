/* netstack/policy/recycle_ring.c: buffers go straight back to the RX ring
 * (the driver-side recycling of e1000's copybreak era, today's page_pool).
 * A released buffer's data waits on the pool's ring list for the next
 * refill, with no lock; the skb around it is still built and freed (Linux
 * frees the skb head, page_pool keeps the page), so the skb's own work
 * (ALLOC_SKB, FREE_SKB, the remote-free rule: skb_pool.c) is paid as under
 * every policy.
 *
 * A buffer enters the ring's circulation once, from the allocator (under
 * the global list's lock), when the ring list is empty: at
 * the first ring fill, which rxsim run does before it starts measuring, or
 * when sockets hold so many buffers that the ring must grow its share.  One
 * ring list serves every RX queue, a simplification (page_pool has one per
 * queue) that changes no cost here. */
#include "netstack/policy/recycle.h"

static struct skb_buf *ring_alloc(void *state, struct skb_pool *pool, struct sim_machine *m,
                                  struct sim_cpu *cpu)
{
    (void)state;
    struct skb_buf *b = skb_list_pop(&pool->ring);
    if (!b && !(b = skb_pool_global_get(pool, m, cpu)))  /* ring list empty: the allocator */
        return NULL;
    return skb_pool_hand_out(pool, m, cpu, b);
}

static void ring_release(void *state, struct skb_pool *pool, struct sim_machine *m,
                         struct sim_cpu *cpu, struct skb_buf *b)
{
    (void)state;
    skb_pool_take_back(pool, m, cpu, b);
    skb_list_push(&pool->ring, b);
    pool->st.recycled++;
}

const struct recycle_policy_ops recycle_ring = {
    .name = "ring",
    .what = "buffers go straight back to the RX ring: no lock",
    .alloc = ring_alloc,
    .release = ring_release,
};
