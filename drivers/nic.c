/* drivers/nic.c: arrival → DMA → coalesced interrupt → NAPI poll (nic.h). */
#include "drivers/nic.h"

#include <string.h>

#include "netstack/drop.h"

/* Ethernet preamble + start delimiter (8) + FCS (4) + inter-frame gap (12):
 * the bytes a frame occupies on the wire beyond what a capture records. */
#define WIRE_OVERHEAD 24

/* Every descriptor without a buffer gets one, lowest index first; the ring's
 * vacancy bitmap finds them without walking all of it on every poll. */
static void refill(struct nic *n, struct nic_queue *q, struct sim_cpu *cpu)
{
    for (long i = rx_ring_vacant(&q->ring, 0); i >= 0; i = rx_ring_vacant(&q->ring, (uint32_t)i + 1)) {
        struct skb_buf *b = n->recycle->alloc(n->recycle_state, n->pool, n->m, cpu);
        if (!b)
            return;                     /* out of buffers: try again next poll */
        rx_ring_fill(&q->ring, (uint32_t)i, b);
    }
}

static void hardirq_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct nic_queue *q = w->arg;
    struct nic *n = q->nic;
    sim_machine_charge(n->m, cpu, SIM_FN_NIC_INTR, SIM_COST_IRQ_ENTRY);
    sim_cpu_submit(cpu, &q->softirq);   /* napi_schedule: the poll runs here */
}

static void softirq_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct nic_queue *q = w->arg;
    struct nic *n = q->nic;
    uint32_t done = 0;

    sim_machine_charge(n->m, cpu, SIM_FN_NET_RX_ACTION, SIM_COST_SOFTIRQ_PASS);
    q->polls++;
    n->st.polls++;
    while (done < n->cfg.budget) {
        struct rx_desc *d = rx_ring_peek(&q->ring);
        if (!d)
            break;
        struct nic_frame f = d->f;
        struct skb_buf *b = rx_ring_consume(&q->ring);
        sim_machine_charge(n->m, cpu, SIM_FN_NAPI_POLL, SIM_COST_DRIVER_FRAME);
        n->stack.rx(n->stack.ctx, cpu, b, &f);
        done++;
    }
    n->st.frames_polled += done;
    if (n->stack.flush)
        n->stack.flush(n->stack.ctx, cpu);
    refill(n, q, cpu);
    if (rx_ring_peek(&q->ring)) {       /* budget spent, work left: poll again */
        q->squeezed++;
        n->st.time_squeeze++;
        sim_cpu_submit(cpu, &q->softirq);
        return;
    }
    coalesce_unmask(&q->co, &n->m->q, 0);   /* napi_complete */
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

static int fetch_next(struct nic *n)
{
    int rc = n->src.next(n->src.ctx, &n->next, &n->next_data);
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
    if (!n->started) {
        n->started = true;
        n->ts0_ns = n->next.ts_ns;
        at = 0;
    } else if (n->cfg.rate_bps) {
        /* Back-to-back at the line rate: this frame follows the previous one. */
        uint64_t bits = ((uint64_t)n->next.wire_len + WIRE_OVERHEAD) * 8;
        at = n->st.last_arrival + (sim_ps)(bits * (uint64_t)SIM_PS_PER_SEC / n->cfg.rate_bps);
    } else {
        int64_t dt = n->next.ts_ns - n->ts0_ns;
        at = dt > 0 ? dt * SIM_PS_PER_NS : 0;
        if (at < n->st.last_arrival)
            at = n->st.last_arrival;    /* a trace whose clock steps back: keep order */
    }
    if (at < n->m->q.now)
        at = n->m->q.now;
    n->next.arrival = at;
    return sim_schedule(&n->m->q, &n->arrival, at);
}

static void frame_arrives(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct nic *n = ev->arg;
    struct nic_frame f = n->next;

    n->st.frames_in++;
    if (n->st.frames_in == 1)
        n->st.first_arrival = f.arrival;
    n->st.last_arrival = f.arrival;

    uint32_t qi = n->cfg.queues > 1
        ? rss_hash_frame(n->next_data, f.len, f.ethernet, f.l3_off) % n->cfg.queues : 0;
    struct nic_queue *q = &n->q[qi];
    struct rx_desc *d = rx_ring_slot(&q->ring);
    if (f.len > SKB_BUF_SIZE) {
        n->st.dropped_too_long++;
        n->stack.dropped(n->stack.ctx, &f, RX_DROP_FRAME_TOO_LONG);
    } else if (!d) {
        n->st.dropped_ring_full++;
        n->stack.dropped(n->stack.ctx, &f, RX_DROP_RING_FULL);
    } else {
        memcpy(d->buf->data, n->next_data, f.len);          /* the DMA, real bytes */
        sim_cache_dma(&n->m->cache, d->buf->data_addr, f.len);
        d->f = f;
        rx_ring_produce(&q->ring);
        q->frames++;
        coalesce_arrived(&q->co, &n->m->q, 1);
    }
    fetch_next(n);
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
