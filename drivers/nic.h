/* drivers/nic.h: the simulated NIC: frames arrive from a source (a trace) at
 * their capture time or back-to-back at a line rate, are hashed to an RX
 * queue (RSS), DMA'd into the queue's ring (real bytes copied; every CPU's
 * cached copy of the buffer invalidated), and announced by a coalesced
 * interrupt routed to a CPU.  The hardirq schedules the queue's NAPI poll
 * (softirq, same CPU), which hands up to `budget` frames per pass to the
 * stack and refills the ring through the recycle policy.
 *
 * The stack sees the NIC only through the two callbacks in nic_stack_ops,
 * the rx_napi seam of DESIGN.md: netstack/ never includes this header. */
#ifndef RXSIM_DRIVERS_NIC_H
#define RXSIM_DRIVERS_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/coalesce.h"
#include "drivers/rss.h"
#include "drivers/rx_ring.h"
#include "netstack/policy/recycle.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"

#define NIC_MAX_QUEUES 16

/* Where frames come from: fills *f (all but arrival and len) and *data; 1,
 * 0 at the end, -1 on a damaged source (the run stops as a partial trace),
 * or NIC_SOURCE_PENDING: nothing yet (a live capture).  After PENDING the NIC
 * schedules nothing until the source's owner calls nic_source_ready(). */
#define NIC_SOURCE_PENDING 2
struct nic_source {
    int (*next)(void *ctx, struct nic_frame *f, const uint8_t **data);
    void *ctx;
};

/* The stack's side of the seam. */
struct nic_stack_ops {
    /* required: one received frame; the stack owns buf from here on */
    void (*rx)(void *ctx, struct sim_cpu *cpu, struct skb_buf *buf, const struct nic_frame *f);
    /* optional: the end of a poll pass (batched delivery flushes here) */
    void (*flush)(void *ctx, struct sim_cpu *cpu);
    /* required: a frame the NIC dropped (ring full, too long), never reaching rx */
    void (*dropped)(void *ctx, const struct nic_frame *f, int reason);
    void *ctx;
};

struct nic_config {
    uint32_t ring;              /* descriptors per queue */
    uint32_t queues;            /* RX queues (RSS when > 1) */
    uint32_t rx_usecs, rx_frames;
    uint32_t budget;            /* frames per poll pass (NAPI weight) */
    uint64_t rate_bps;          /* 0: arrive at capture times; else back-to-back at this rate */
    struct irq_routing irq;
};

struct nic;

struct nic_queue {
    struct nic *nic;
    int index;
    struct rx_ring ring;
    struct coalesce co;
    int cpu;                    /* CPU that took the last interrupt, runs the poll */
    struct sim_work hardirq;
    struct sim_work softirq;
    uint64_t frames, polls, squeezed;
};

struct nic_stats {
    uint64_t frames_in;         /* offered by the source */
    uint64_t dropped_ring_full, dropped_too_long;
    uint64_t interrupts, polls, frames_polled, time_squeeze;
    sim_ps first_arrival, last_arrival;
};

struct nic {
    int id;
    struct nic_config cfg;
    struct sim_machine *m;
    struct skb_pool *pool;
    const struct recycle_policy_ops *recycle;
    void *recycle_state;
    struct nic_source src;
    struct nic_stack_ops stack;
    struct nic_queue q[NIC_MAX_QUEUES];
    struct sim_event arrival;   /* the next frame's */
    struct nic_frame next;
    const uint8_t *next_data;
    int64_t ts0_ns;
    bool started, done;
    bool waiting;               /* the source said NIC_SOURCE_PENDING */
    int source_error;           /* -1 when the source reported damage */
    struct nic_stats st;
};

/* Sets up queues and fills every ring with buffers (allocated on CPU 0 by
 * the recycle policy, before time starts).  0, or -1: no memory. */
int nic_init(struct nic *n, int id, const struct nic_config *cfg, struct sim_machine *m,
             struct skb_pool *pool, const struct recycle_policy_ops *recycle, void *recycle_state,
             const struct nic_source *src, const struct nic_stack_ops *stack);
void nic_fini(struct nic *n);

/* Schedules the first arrival. */
int nic_start(struct nic *n);

/* For a source that answered NIC_SOURCE_PENDING: it has frames now (or has
 * ended); the NIC asks it again and schedules the next arrival, no earlier
 * than the simulated now.  A no-op unless the NIC is waiting.  0, or -1 when
 * the source reported damage. */
int nic_source_ready(struct nic *n);

#endif
