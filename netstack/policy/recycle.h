/* netstack/policy/recycle.h: where a receive buffer goes when the reader is
 * done with it, and where the NIC's ring gets the next one (the recycle axis
 * of DESIGN.md).  Const, stateless ops tables found by name (STYLE.md 2-4);
 * per-run state comes from create().
 *
 *   none    every buffer from the allocator and back to it (alloc/free cost
 *           each time; the allocator is a global pool behind a lock)
 *   global  one shared free pool behind a lock whose line bounces between
 *           the CPUs that allocate and free
 *   percpu  per-CPU caches: a free lands in the freeing CPU's cache, so
 *           buffers drift towards the reader's CPU when IRQ and reader CPUs
 *           differ; caches exchange halves with the global pool
 *   origin  a free goes back at once to the cache of the buffer's alloc_cpu
 *   ring    buffers go straight back to the NIC's ring (page_pool)
 *   defer   the default, Linux >= 5.19 (skb_attempt_defer_free): a free on
 *           another CPU than alloc_cpu is queued on that CPU's defer list
 *           and freed there by its next NET_RX softirq (the softirq hook),
 *           with an IPI when the list reaches skb_defer_max / 2 and a free
 *           on the spot when it holds skb_defer_max
 *
 * A free on another CPU than the buffer's alloc_cpu is a remote free under
 * every policy, counted in one place, and the skb's own work (alloc, free,
 * the remote-free rule) is priced in one place (skb_pool.h); a policy
 * decides only where the buffer goes next and what that costs besides.
 *
 * Costs are charged on the CPU passed in, to SIM_FN_ALLOC_SKB,
 * SIM_FN_KFREE_SKB, SIM_FN_SKB_POOL_LOCK and SIM_FN_SKB_DEFER_FLUSH; counts
 * go to pool->st.  The alloc_skb and kfree_skb calls are counted once per
 * buffer by skb_pool_hand_out() and skb_pool_take_back(), so a policy adds
 * its own cost with sim_machine_charge_more() (inside that call);
 * skb_pool_lock() and skb_pool_defer_flush() are calls of their own. */
#ifndef RXSIM_NETSTACK_POLICY_RECYCLE_H
#define RXSIM_NETSTACK_POLICY_RECYCLE_H

#include "netstack/skb_pool.h"
#include "sim/machine.h"

struct recycle_policy_ops {
    const char *name;                                           /* required */
    const char *what;                                           /* required: one line for --list */
    /* optional: per-run state, handed back to every hook */
    void *(*create)(struct skb_pool *pool, struct sim_machine *m);
    void (*destroy)(void *state);                               /* optional */
    /* required: a buffer for the RX ring, allocated on cpu (the CPU refilling
     * the ring: the one running the NIC's softirq).  NULL when none is left
     * (the ring stays short and the NIC drops: RX_DROP_RING_FULL). */
    struct skb_buf *(*alloc)(void *state, struct skb_pool *pool, struct sim_machine *m,
                             struct sim_cpu *cpu);
    /* required: the reader (on cpu) is done with b. */
    void (*release)(void *state, struct skb_pool *pool, struct sim_machine *m,
                    struct sim_cpu *cpu, struct skb_buf *b);
    /* optional: a NET_RX softirq starts on cpu (net_rx_action, before any
     * poll; drivers/nic.c), where defer frees its list. */
    void (*softirq)(void *state, struct skb_pool *pool, struct sim_machine *m, struct sim_cpu *cpu);
};

const struct recycle_policy_ops *recycle_policy_find(const char *name);  /* NULL when unknown */
/* The registry, in --list order, NULL-terminated. */
extern const struct recycle_policy_ops *const recycle_policies[];

#endif
