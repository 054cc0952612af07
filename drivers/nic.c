/* drivers/nic.c: arrival → DMA → coalesced interrupt → NAPI poll (nic.h). */
#include "drivers/nic.h"

#include <stdlib.h>
#include <string.h>

#include "netstack/drop.h"

/* Ethernet preamble + start delimiter (8) + FCS (4) + inter-frame gap (12):
 * the bytes a frame occupies on the wire beyond what a capture records. */
#define WIRE_OVERHEAD 24

/* The next descriptor without a buffer after `after` (-1: from start on) in
 * ring order from start, or -1 when none is left. */
static long next_vacant(const struct rx_ring *r, uint32_t start, long after)
{
    uint32_t from = after < 0 ? start : (uint32_t)after + 1;
    if (after < 0 || (uint32_t)after >= start) {        /* still in [start, size) */
        long i = rx_ring_vacant(r, from);
        if (i >= 0)
            return i;
        from = 0;
    }
    long i = rx_ring_vacant(r, from);                   /* then [0, start) */
    return i >= 0 && (uint32_t)i < start ? i : -1;
}

/* Every descriptor without a buffer gets one, in ring order from the one the
 * NIC fills next (prod), as a driver fills from next_to_use; the ring's
 * vacancy bitmap finds them without walking all of it on every poll.  Out
 * of buffers (the readers hold them on their sockets), the next poll tries
 * again; but a ring left with no buffer at all takes no frame, so raises no
 * interrupt and gets no poll: a driver then retries from a timer or work
 * item (virtio_net's refill_work, ixgbe's watchdog), and so does the NIC
 * here, every NIC_REFILL_RETRY_NS while frames may still come. */
static int veth_sender(const struct nic *n, const struct nic_queue *q);

static void refill(struct nic *n, struct nic_queue *q, struct sim_cpu *cpu)
{
    /* veth: the sender allocated the skb it hands over (tcp_sendmsg's
     * alloc, skb_segment's), on its own CPU: the allocator's cache and
     * lines are that CPU's, the cycles the sender's, which no receive-path
     * figure counts (the model runs the alloc on a copy of that CPU whose
     * charges are dropped) */
    struct sim_cpu sender;
    struct sim_cpu *at = cpu;
    if (n->cfg.veth) {
        sender = n->m->cpu[veth_sender(n, q)];
        sender.timeline = NULL;
        at = &sender;
    }
    uint32_t start = q->ring.prod;
    for (long i = next_vacant(&q->ring, start, -1); i >= 0; i = next_vacant(&q->ring, start, i)) {
        struct skb_buf *b = n->recycle->alloc(n->recycle_state, n->pool, n->m, at);
        if (!b) {
            if (!n->done && !q->refill_timer.queued)
                sim_schedule(&n->m->q, &q->refill_timer,
                             sim_cpu_now(cpu) + (sim_ps)NIC_REFILL_RETRY_NS * SIM_PS_PER_NS);
            return;
        }
        rx_ring_fill(&q->ring, (uint32_t)i, b);
    }
}

/* The refill retry: a poll on the queue's CPU, whose refill runs again.  Not
 * re-armed when nothing else is left to happen (no buffer can come back, no
 * frame arrive): the run then ends with what was dropped counted. */
static void refill_timer_fires(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct nic_queue *q = ev->arg;
    struct nic *n = q->nic;
    if (n->done || n->m->q.len == 0)
        return;
    n->st.refill_retries++;
    if (!q->softirq.queued)
        sim_cpu_submit(&n->m->cpu[q->cpu], &q->softirq);
}

static void hardirq_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct nic_queue *q = w->arg;
    struct nic *n = q->nic;
    sim_machine_charge(n->m, cpu, SIM_FN_NIC_INTR, SIM_COST_IRQ_ENTRY);
    sim_cpu_submit(cpu, &q->softirq);   /* napi_schedule: the poll runs here (once if already queued) */
}

/* napi_complete_done(): the poll found the ring empty after `done` frames.
 * What GRO holds goes up (all of it, or with a timeout only what is older
 * than a jiffy); the interrupt is unmasked unless napi_defer_hard_irqs
 * keeps it masked; with a timeout the timer polls again. */
static void napi_complete(struct nic *n, struct nic_queue *q, struct sim_cpu *cpu, uint32_t done)
{
    uint32_t timeout = 0;
    bool unmask = true;
    if (done) {
        if (!n->stack.holding || n->stack.holding(n->stack.ctx, cpu))    /* n->gro_bitmask */
            timeout = n->cfg.gro_flush_timeout_ns;
        q->defer_left = n->cfg.defer_hard_irqs;
    }
    if (q->defer_left > 0) {
        q->defer_left--;
        timeout = n->cfg.gro_flush_timeout_ns;
        unmask = timeout == 0;
    }
    if (n->stack.flush)
        n->stack.flush(n->stack.ctx, cpu, timeout != 0);
    refill(n, q, cpu);
    if (timeout) {                      /* hrtimer_start: a pending one is moved */
        sim_cancel(&n->m->q, &q->napi_timer);
        sim_schedule(&n->m->q, &q->napi_timer, sim_cpu_now(cpu) + (sim_ps)timeout * SIM_PS_PER_NS);
    }
    if (unmask)
        coalesce_unmask(&q->co, &n->m->q, 0);
    else
        n->st.irqs_deferred++;
}

/* napi_watchdog: the timer schedules the poll on the CPU that armed it,
 * unless it is scheduled already. */
static void napi_timer_fires(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct nic_queue *q = ev->arg;
    struct nic *n = q->nic;
    if (q->softirq.queued)
        return;
    n->st.napi_timer_polls++;
    sim_cpu_submit(&n->m->cpu[q->cpu], &q->softirq);
}

static void softirq_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct nic_queue *q = w->arg;
    struct nic *n = q->nic;
    uint32_t done = 0;

    /* A pass an interrupt raised (a NIC's hardirq; on veth, RPS's IPI to
     * another CPU than the sender's) is softirq_pass, fitted on RPS-raised
     * ones; veth without RPS is the sender's own xmit running the softirq
     * on its CPU at local_bh_enable: no interrupt (xmit_pass) */
    bool xmit = n->cfg.veth && veth_sender(n, q) == cpu->id;
    sim_machine_charge(n->m, cpu, SIM_FN_NET_RX_ACTION, xmit ? SIM_COST_XMIT_PASS : SIM_COST_SOFTIRQ_PASS);
    if (xmit)
        n->st.xmit_passes++;
    if (n->recycle->softirq)            /* net_rx_action's skb_defer_free_flush, before polling */
        n->recycle->softirq(n->recycle_state, n->pool, n->m, cpu);
    q->polls++;
    n->st.polls++;
    while (done < n->cfg.budget) {      /* the budget counts frames, not descriptors */
        struct rx_desc *d = rx_ring_peek(&q->ring);
        if (!d)
            break;
        struct skb skb = d->skb;
        struct skb_buf *b = rx_ring_consume(&q->ring), *tail = b;
        b->frag = NULL;
        b->tail_of_frame = false;
        sim_machine_charge(n->m, cpu, SIM_FN_NAPI_POLL, SIM_COST_DRIVER_FRAME);
        /* A longer frame's other descriptors: each read and its buffer
         * linked on as the next fragment, one descriptor's cost each. */
        for (uint32_t k = skb_bufs_for(skb.len); k > 1; k--) {
            tail = tail->frag = rx_ring_consume(&q->ring);
            tail->frag = NULL;
            tail->tail_of_frame = true;
            sim_cpu_add_cycles(cpu, SIM_FN_NAPI_POLL, n->m->costs.cycles[SIM_COST_DRIVER_FRAME]);
        }
        skb.buf = b;
        n->stack.rx(n->stack.ctx, cpu, &skb);
        done++;
    }
    n->st.frames_polled += done;
    q->unpolled -= done;
    if (!rx_ring_peek(&q->ring)) {
        napi_complete(n, q, cpu, done);
        return;
    }
    /* Budget spent, work left: poll again.  GRO keeps what it holds but for
     * packets from an earlier jiffy (__napi_poll: napi_gro_flush(n, HZ >= 1000)). */
    if (n->stack.flush)
        n->stack.flush(n->stack.ctx, cpu, true);
    refill(n, q, cpu);
    q->squeezed++;
    n->st.time_squeeze++;
    sim_cpu_submit(cpu, &q->softirq);
}

static void irq_fire(struct coalesce *co)
{
    struct nic_queue *q = co->owner;
    struct nic *n = q->nic;
    /* Queues are numbered across NICs, so rss spreads NIC k's queue i to
     * CPU (k * queues + i) mod ncpus. */
    q->cpu = irq_routing_cpu(&n->cfg.irq, n->id * (int)n->cfg.queues + q->index);
    n->st.interrupts++;
    sim_cpu_submit(&n->m->cpu[q->cpu], &q->hardirq);
}

/* veth: a frame was put in a ring and the next one of the trace is known.
 * The sender's xmit scheduled each fed queue's poll (rx_notify_masked,
 * NAPI_STATE_SCHED) on its CPU, where it runs once the sender's burst ends;
 * no interrupt, no coalescing.  A poll already scheduled, or a queue kept
 * masked by napi_defer_hard_irqs (its timer polls), takes the frames itself. */
static void veth_kick(struct nic *n)
{
    bool burst_goes_on = !n->done && !n->waiting &&
                         n->next.arrival - n->m->q.now <= (sim_ps)n->cfg.veth_gap_ns * SIM_PS_PER_NS;
    for (uint32_t i = 0; i < n->cfg.queues; i++) {
        struct nic_queue *q = &n->q[i];
        if (q->softirq.queued || q->co.masked || !q->unpolled || (burst_goes_on && q->unpolled < n->cfg.budget))
            continue;
        q->co.masked = true;            /* unmasked by napi_complete, as after an interrupt */
        q->cpu = irq_routing_cpu(&n->cfg.irq, n->id * (int)n->cfg.queues + q->index);
        sim_cpu_submit(&n->m->cpu[q->cpu], &q->softirq);
    }
}

/* veth: the CPU whose copy wrote queue q's frames (nic.h). */
static int veth_sender(const struct nic *n, const struct nic_queue *q)
{
    if (n->cfg.veth_sender_set)
        return n->cfg.veth_sender_cpu;
    return irq_routing_peek(&n->cfg.irq, n->id * (int)n->cfg.queues + q->index);
}

/* Serialization time of a frame of wire_len bytes at bps, in ps.  The
 * product needs 128 bits for a hostile wire length (2^32 bytes x 8 x 10^12). */
__extension__ typedef unsigned __int128 nic_u128;
static sim_ps serialization_ps(uint32_t wire_len, uint64_t bps)
{
    nic_u128 ps = (nic_u128)(((uint64_t)wire_len + WIRE_OVERHEAD) * 8) * (uint64_t)SIM_PS_PER_SEC / bps;
    return ps > (nic_u128)SIM_PS_MAX ? SIM_PS_MAX : (sim_ps)ps;
}

/* When the frame just fetched arrives, from its capture time (see nic.h, "the
 * replay clock").  false when the time does not fit the simulated clock. */
static bool replay_time(struct nic *n, sim_ps *at)
{
    int64_t ts = n->next.ts_ns;
    if (!n->started) {
        n->started = true;
        n->anchor_ts_ns = n->prev_ts_ns = ts;
        n->anchor_at = *at = 0;
        return true;
    }
    if (n->cfg.rate_bps)    /* back to back at the line rate: this frame follows the previous one */
        return !__builtin_add_overflow(n->prev_at, serialization_ps(n->next.wire_len, n->cfg.rate_bps), at);
    int64_t gap;
    if (__builtin_sub_overflow(ts, n->prev_ts_ns, &gap))
        gap = ts > n->prev_ts_ns ? INT64_MAX : INT64_MIN;
    n->prev_ts_ns = ts;
    if (gap < 0) {
        /* The capture's clock stepped back: this frame follows the previous
         * one by its own serialization time, and later frames keep their
         * spacing from it (no burst until the clock catches up). */
        n->st.ts_backward++;
        n->anchor_ts_ns = ts;
        if (__builtin_add_overflow(n->prev_at, serialization_ps(n->next.wire_len, NIC_BACKSTEP_BPS),
                                   &n->anchor_at))
            return false;
        *at = n->anchor_at;
        return true;
    }
    if (gap > NIC_MAX_IDLE_NS) {
        /* An idle gap beyond the maximum: the clock jumped, or the capture
         * paused.  Time after it continues from the clamped gap. */
        n->st.gaps_clamped++;
        uint64_t removed = (uint64_t)(gap - NIC_MAX_IDLE_NS);
        n->st.idle_removed_ns = n->st.idle_removed_ns + removed < removed ? UINT64_MAX
                                                                          : n->st.idle_removed_ns + removed;
        n->anchor_ts_ns = ts;
        if (__builtin_add_overflow(n->prev_at, (sim_ps)NIC_MAX_IDLE_NS * SIM_PS_PER_NS, &n->anchor_at))
            return false;
        *at = n->anchor_at;
        return true;
    }
    /* The common case: capture time since the anchor (the first frame, or
     * the last re-anchoring), so rounding never accumulates. */
    sim_ps since;
    return !__builtin_mul_overflow(ts - n->anchor_ts_ns, SIM_PS_PER_NS, &since) &&
           !__builtin_add_overflow(n->anchor_at, since, at);
}

static int fetch_next(struct nic *n)
{
    int rc = n->src.next(n->src.ctx, &n->next);
    if (rc == NIC_SOURCE_PENDING) {
        n->waiting = true;              /* nic_source_ready() asks again */
        return 0;
    }
    if (rc <= 0) {
        n->done = true;
        if (rc < 0)
            n->source_error = -1;
        return -1;
    }
    sim_ps at;
    if (!replay_time(n, &at) || at > NIC_CLOCK_LIMIT_PS) {
        n->clock_full = true;           /* the rest is not replayed: a partial run */
        n->clock_full_frame = n->next.frame_no;
        n->done = true;
        return -1;
    }
    if (at < n->prev_at)
        at = n->prev_at;                /* never before the previous frame (backstep anchor rounding) */
    if (at < n->m->q.now)
        at = n->m->q.now;
    n->next.arrival = n->prev_at = at;
    return sim_schedule(&n->m->q, &n->arrival, at);
}

static void frame_arrives(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct nic *n = ev->arg;
    struct skb *f = &n->next;

    n->st.frames_in++;
    if (n->st.frames_in == 1)
        n->st.first_arrival = f->arrival;
    n->st.last_arrival = f->arrival;

    uint32_t qi = n->cfg.queues > 1
        ? rss_hash_skb(f) % n->cfg.queues : 0;        /* from the tuple the source read */
    struct nic_queue *q = &n->q[qi];
    uint32_t nbufs = skb_bufs_for(f->len);
    struct rx_desc *d;
    if (f->len > SKB_FRAME_MAX || nbufs > q->ring.size) {
        n->st.dropped_too_long++;       /* could never fit, however empty the ring */
        n->stack.dropped(n->stack.ctx, f, RX_DROP_FRAME_TOO_LONG);
    } else if (!(d = rx_ring_slots(&q->ring, nbufs))) {
        n->st.dropped_ring_full++;
        n->stack.dropped(n->stack.ctx, f, RX_DROP_RING_FULL);
    } else {
        d->skb = *f;
        d->skb.data = NULL;             /* the source's bytes are gone after the DMA */
        /* The DMA, real bytes, SKB_BUF_SIZE per descriptor; every CPU's copy
         * of exactly the lines written is invalidated.  veth has no DMA: the
         * sender's CPU wrote them (nic.h), which leaves them modified there. */
        int sender = n->cfg.veth ? veth_sender(n, q) : -1;
        for (uint32_t k = 0, off = 0; k < nbufs; k++, off += SKB_BUF_SIZE) {
            struct skb_buf *b = rx_ring_slot_at(&q->ring, k)->buf;
            uint32_t len = f->len - off < SKB_BUF_SIZE ? f->len - off : SKB_BUF_SIZE;
            memcpy(b->data, f->data + off, len);
            if (sender < 0) {
                sim_cache_dma(&n->m->cache, b->data_addr, len);
                continue;
            }
            struct sim_touch t = { 0 };
            sim_cache_touch(&n->m->cache, sender, b->data_addr, len, true, &t);
            n->st.sender_lines += t.hits + t.misses + t.transfers;
        }
        for (uint32_t k = 0; k < nbufs; k++)
            rx_ring_produce(&q->ring);
        q->frames++;
        q->unpolled++;
        if (!n->cfg.veth)
            coalesce_arrived(&q->co, &n->m->q, 1);
    }
    fetch_next(n);
    if (n->cfg.veth)
        veth_kick(n);                   /* knows now when the next frame comes */
}

int nic_init(struct nic *n, int id, const struct nic_config *cfg, struct sim_machine *m,
             struct skb_pool *pool, const struct recycle_policy_ops *recycle, void *recycle_state,
             const struct nic_source *src, const struct nic_stack_ops *stack)
{
    *n = (struct nic){ .id = id, .cfg = *cfg, .m = m, .pool = pool, .recycle = recycle,
                       .recycle_state = recycle_state, .src = *src, .stack = *stack };
    if (cfg->queues < 1 || cfg->queues > NIC_MAX_QUEUES || cfg->ring < 2 || cfg->budget < 1)
        return -1;
    n->arrival.fn = frame_arrives;
    n->arrival.arg = n;
    for (uint32_t i = 0; i < cfg->queues; i++) {
        struct nic_queue *q = &n->q[i];
        q->nic = n;
        q->index = (int)i;
        if (rx_ring_init(&q->ring, cfg->ring) < 0) {
            nic_fini(n);
            return -1;
        }
        coalesce_init(&q->co, cfg->rx_usecs, cfg->rx_frames);
        q->co.fire = irq_fire;
        q->co.owner = q;
        q->hardirq = (struct sim_work){ .level = SIM_LEVEL_HARDIRQ, .run = hardirq_run, .arg = q,
                                      .name = "e1000_intr" };
        q->softirq = (struct sim_work){ .level = SIM_LEVEL_SOFTIRQ, .run = softirq_run, .arg = q,
                                      .name = "net_rx_action" };
        q->napi_timer.fn = napi_timer_fires;
        q->napi_timer.arg = q;
        q->refill_timer.fn = refill_timer_fires;
        q->refill_timer.arg = q;
        refill(n, q, &m->cpu[0]);
    }
    return 0;
}

void nic_fini(struct nic *n)
{
    for (uint32_t i = 0; i < NIC_MAX_QUEUES; i++) {
        struct rx_ring *r = &n->q[i].ring;
        if (!r->d)
            continue;
        for (uint32_t k = 0; k < r->size; k++)
            if (r->d[k].buf)
                n->recycle->release(n->recycle_state, n->pool, n->m, &n->m->cpu[0], r->d[k].buf);
        rx_ring_fini(r);
    }
}

int nic_start(struct nic *n)
{
    return fetch_next(n) < 0 && n->source_error ? -1 : 0;
}

int nic_source_ready(struct nic *n)
{
    if (!n->waiting || n->done)
        return 0;
    n->waiting = false;
    return fetch_next(n) < 0 && n->source_error ? -1 : 0;
}

int nic_kind_parse(const char *text, bool *veth, uint32_t *gap_ns)
{
    *veth = false;
    *gap_ns = NIC_VETH_GAP_US * 1000;
    if (!strcmp(text, "nic"))
        return 0;
    if (strncmp(text, "veth", 4) || (text[4] && text[4] != ':'))
        return -1;
    *veth = true;
    if (!text[4])
        return 0;
    char *end;
    long us = strtol(text + 5, &end, 10);
    if (end == text + 5 || *end || us < 1 || us > 1000000)
        return -1;
    *gap_ns = (uint32_t)us * 1000;
    return 0;
}

int veth_sender_parse(const char *text, int ncpus, bool *set, int *cpu)
{
    *set = false;
    *cpu = 0;
    if (!strcmp(text, "poll"))
        return 0;
    if (text[0] < '0' || text[0] > '9')     /* strtol would take a sign or blanks */
        return -1;
    char *end;
    long c = strtol(text, &end, 10);
    if (*end || c >= ncpus)
        return -1;
    *set = true;
    *cpu = (int)c;
    return 0;
}
