/* drivers/nic.h: the simulated NIC: frames arrive from a source (a trace) at
 * their capture time or back-to-back at a line rate, are hashed to an RX
 * queue (RSS), DMA'd into the queue's ring (real bytes copied; every CPU's
 * cached copy of the buffer invalidated), and announced by a coalesced
 * interrupt routed to a CPU.  The hardirq schedules the queue's NAPI poll
 * (softirq, same CPU), which hands up to `budget` frames per pass to the
 * stack and refills the ring through the recycle policy.
 *
 * The end of a poll is the kernel's (net/core/dev.c): a poll that used its
 * whole budget and runs again keeps what GRO holds (napi_gro_flush(n, true)
 * in __napi_poll sends up only packets held since an earlier jiffy); a poll
 * that completes (napi_complete_done) sends up everything, unless the
 * queue has a gro_flush_timeout: then only packets from an earlier jiffy go
 * up, the rest wait, and a timer polls again after the timeout; with
 * napi_defer_hard_irqs N the interrupt also stays masked after a poll that
 * found work, and the timer polls up to N times before it is unmasked.
 *
 * kind veth: no interrupt.  The peer's xmit puts each frame in the ring and
 * schedules the NAPI poll on its own CPU (veth_xmit, __veth_xdp_flush); the
 * poll runs when that CPU leaves the transmit section, i.e. when the
 * sender's burst ends: when the next frame of the trace is more than
 * veth_gap_ns away (or `budget` frames wait, or the trace ends).  veth
 * never DMAs: the sender's copy (tcp_sendmsg's copy_from_user into the skb)
 * wrote the frame, so its lines start modified in the SENDING CPU's cache
 * (veth_sender_cpu, else the CPU the poll runs on: without RPS veth's poll
 * runs on the sender's CPU), every other copy invalidated, at no cost to
 * the receive path (the sender's work).
 *
 * The stack sees the NIC only through nic_stack_ops, which netstack/
 * declares (netstack/nic_stack.h) and implements: netstack/ never includes
 * this header.  A frame is one struct skb from the source to the stack. */
#ifndef RXSIM_DRIVERS_NIC_H
#define RXSIM_DRIVERS_NIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/coalesce.h"
#include "drivers/rss.h"
#include "drivers/rx_ring.h"
#include "netstack/nic_stack.h"
#include "netstack/policy/recycle.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"

#define NIC_MAX_QUEUES 16

/* The replay clock.  Frame k arrives at its capture time relative to the
 * first frame's, in integer ps, with every product and sum checked:
 *  - an idle gap longer than NIC_MAX_IDLE_NS (1 hour) is shortened to it,
 *    counted, and later frames keep their spacing from the shortened gap
 *    (a clock jump of months would otherwise eat the simulated clock's ~106
 *    days, and no receive-path figure depends on how long an idle link
 *    stayed idle);
 *  - a frame stamped before the previous one (the capture's clock stepped
 *    back, or two capture queues were merged) arrives right after the
 *    previous frame, by its own serialization time at NIC_BACKSTEP_BPS, and
 *    later frames keep their spacing from it; it is counted.  Clamping the
 *    later frames to the previous time instead would bunch them into one
 *    invented burst until the capture clock caught up (ring_full drops that
 *    the real receiver never had);
 *  - a frame whose arrival would pass NIC_CLOCK_LIMIT_PS ends the replay of
 *    that NIC (clock_full; the report calls the run partial).
 * With --replay rate:R frames come back to back at R whatever their stamps. */
#define NIC_MAX_IDLE_NS (3600LL * 1000000000LL)
#define NIC_BACKSTEP_BPS 10000000000ULL
#define NIC_CLOCK_LIMIT_PS (SIM_PS_MAX - 86400LL * SIM_PS_PER_SEC)   /* a day left for timers */

/* Where frames come from: fills all of *skb, its receive fields set but
 * arrival and buf, the rest zero (skb->data: the frame's skb->len bytes,
 * valid until the next call); 1,
 * 0 at the end, -1 on a damaged source (the run stops as a partial trace),
 * or NIC_SOURCE_PENDING: nothing yet (a live capture).  After PENDING the NIC
 * schedules nothing until the source's owner calls nic_source_ready(). */
#define NIC_SOURCE_PENDING 2
struct nic_source {
    int (*next)(void *ctx, struct skb *skb);
    void *ctx;
};

struct nic_config {
    uint32_t ring;              /* descriptors per queue */
    uint32_t queues;            /* RX queues (RSS when > 1) */
    uint32_t rx_usecs, rx_frames;
    uint32_t budget;            /* frames per poll pass (NAPI weight) */
    uint32_t gro_flush_timeout_ns;  /* /sys/class/net/DEV/gro_flush_timeout; 0: off */
    uint32_t defer_hard_irqs;   /* /sys/class/net/DEV/napi_defer_hard_irqs */
    bool veth;                  /* no interrupt: the sender's burst schedules the poll */
    uint32_t veth_gap_ns;       /* veth: a longer gap ends the sender's burst */
    bool veth_sender_set;       /* veth: the sender runs on veth_sender_cpu; else on the poll's CPU */
    int veth_sender_cpu;
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
    struct sim_event napi_timer;    /* gro_flush_timeout's hrtimer (napi_watchdog) */
    struct sim_event refill_timer;  /* a refill that ran out of buffers retries (nic.c: refill) */
    uint32_t defer_left;        /* napi_defer_hard_irqs still to use (defer_hard_irqs_count) */
    uint32_t unpolled;          /* frames in the ring not yet polled */
    uint64_t frames, polls, squeezed;
};

struct nic_stats {
    uint64_t frames_in;         /* offered by the source */
    /* the replay clock (see above) */
    uint64_t ts_backward;       /* frames whose capture time is before the previous frame's */
    uint64_t gaps_clamped;      /* idle gaps longer than NIC_MAX_IDLE_NS, shortened to it */
    uint64_t idle_removed_ns;   /* capture time those gaps lost (saturating) */
    uint64_t dropped_ring_full, dropped_too_long;
    uint64_t interrupts, polls, frames_polled, time_squeeze;
    uint64_t napi_timer_polls;  /* polls the gro_flush_timeout timer scheduled */
    uint64_t xmit_passes;       /* veth: polls on the sender's CPU, run by its xmit (no RPS) */
    uint64_t irqs_deferred;     /* completed polls that left the interrupt masked */
    uint64_t refill_retries;    /* polls the refill retry scheduled (buffers ran out) */
    uint64_t sender_lines;      /* veth: frame lines the sender's copy left in its CPU's cache */
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
    struct skb next;            /* its descriptor, data pointing at the source's bytes */
    /* the replay clock: arrival = anchor_at + (ts - anchor_ts_ns) in ps */
    int64_t anchor_ts_ns, prev_ts_ns;
    sim_ps anchor_at, prev_at;
    bool clock_full;            /* a frame fell beyond NIC_CLOCK_LIMIT_PS: replay stopped there */
    uint64_t clock_full_frame;  /* its record number */
    bool started, done;
    bool waiting;               /* the source said NIC_SOURCE_PENDING */
    int source_error;           /* -1 when the source reported damage */
    struct nic_stats st;
};

/* How long a ring that ran out of buffers waits before its refill retries:
 * a jiffy at HZ=1000 (virtio_net retries its refill work at once and then
 * every HZ/2; a shorter wait drops fewer frames and costs more polls). */
#define NIC_REFILL_RETRY_NS 1000000

/* --nic-kind: "nic" (*veth false) or "veth[:GAP]", GAP in us (default
 * NIC_VETH_GAP_US); 0, or -1 for anything else. */
#define NIC_VETH_GAP_US 10
int nic_kind_parse(const char *text, bool *veth, uint32_t *gap_ns);
/* --veth-sender-cpu: "poll" (*set false) or a CPU below ncpus; 0, or -1. */
int veth_sender_parse(const char *text, int ncpus, bool *set, int *cpu);

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
