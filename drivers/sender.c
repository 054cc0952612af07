/* drivers/sender.c: the closed-loop senders (sender.h): flows, their
 * segments on the link, the ACKs coming back, the timers.  Congestion
 * control is sender_cc.c's arithmetic. */
#include "drivers/sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/rss.h"
#include "drivers/sender_frame.h"
#include "drivers/sender_workload.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define IP6_HLEN 40
#define TS_OPT_LEN SENDER_TS_OPT_LEN
#define DATA_RING (1u << 20)            /* per flow: unacknowledged bytes kept for retransmission */

enum timer_kind { TIMER_NONE, TIMER_START, TIMER_HANDSHAKE, TIMER_RTO, TIMER_PERSIST };

struct sender_flow {
    struct sender *s;
    uint32_t idx;
    const struct sender_flow_spec *sp;  /* its 4-tuple, bytes, options, start */
    struct sender_link *link;           /* the NIC's it rides: idx mod nlinks */
    uint32_t seg_payload;               /* payload bytes per full segment */
    uint32_t optlen;                    /* option bytes on each data segment (timestamps or none) */
    uint32_t isn;
    uint64_t una, nxt, max;             /* stream offsets: acknowledged, next to send, one past highest sent */
    uint64_t end;                       /* one past the last byte to send: the spec's, or max at --duration */
    uint32_t rwnd;                      /* the receiver's last advertised window */
    struct sender_cc cc;
    struct sim_rng content;             /* next word holds stream byte gen */
    uint64_t gen;
    uint8_t *data;                      /* synth's content: DATA_RING bytes, stream [una, gen) at
                                           offset & (DATA_RING - 1); NULL when sp->data holds them */
    bool established, done;
    bool timing;                        /* a segment is being timed (Karn: never a retransmitted one) */
    uint64_t timed_end;
    sim_ps timed_at;                    /* v */
    bool recovering;                    /* fast recovery, or after an RTO until recover is acked */
    sim_ps recovering_since;            /* v */
    struct sim_event timer;
    enum timer_kind timer_kind;
    uint32_t rtos_in_row;               /* timeouts without an ACK of new data between */
    bool rwnd_limited;                  /* the last try_send stopped at the receiver's window */
    sim_ps rwnd_since;                  /* v: since then */
};

/* An ACK on its way back (one event each: ACKs from different CPUs are not
 * reported in time order). */
struct sender_ack {
    struct sim_event ev;
    struct sender *s;
    struct sender_ack *next_free;
    struct sender_ack *next_all;        /* every one allocated, for sender_fini */
    uint32_t flow, ack, window;
};

static sim_ps vnow(const struct sender *s) { return s->m->q.now + s->offset; }

/* The payload of flow f's segment starting at stream offset off: up to the
 * MSS, never across a write boundary (synth's cut). */
static uint32_t seg_len(const struct sender_flow *f, uint64_t off)
{
    uint64_t wend = (off / f->sp->send_size + 1) * f->sp->send_size;
    if (wend > f->end)
        wend = f->end;
    uint64_t n = wend - off;
    return n < f->seg_payload ? (uint32_t)n : f->seg_payload;
}

/* Stream bytes up to `end` generated into the flow's ring (little-endian
 * words of the content generator, as synth writes them). */
static void generate(struct sender_flow *f, uint64_t end)
{
    while (f->data && f->gen < end) {
        uint64_t w = sim_rng_next(&f->content);
        for (int k = 0; k < 8; k++)
            f->data[(f->gen + (uint64_t)k) & (DATA_RING - 1)] = (uint8_t)(w >> (8 * k));
        f->gen += 8;
    }
}

/* Builds a frame of flow f (a SYN, or payload [off, off + len)) into the
 * FIFO and puts it on the link now. */
static void transmit(struct sender_flow *f, bool syn, uint64_t off, uint32_t len)
{
    struct sender *s = f->s;
    uint8_t *fr = sender_link_slot(f->link);
    if (!fr) {
        s->error = -1;
        return;
    }
    const struct sender_flow_spec *sp = f->sp;
    sim_ps now = vnow(s);
    struct sender_frame sf = { .sp = sp, .syn = syn, .off = off, .len = len, .ring = f->data,
                               .ring_mask = DATA_RING - 1, .seq = syn ? f->isn : f->isn + 1 + (uint32_t)off,
                               .ip_id = (uint16_t)(s->st.segments & 0xffff), .tsval = (uint32_t)(now / SIM_PS_PER_MS),
                               .psh = !syn && ((off + len) % sp->send_size == 0 || off + len == sp->bytes) };
    uint32_t flen = sender_frame_build(fr, &sf);
    sim_ps at = sender_link_put(f->link, flen, now);
    if (!syn && sender_impair_fate(&s->wire, f->link, fr, flen, at, s->offset) != SENDER_FATE_ARRIVES)
        sender_link_take_back(f->link);     /* lost on the wire, or held to arrive later (sender_impair.h) */
}

/* A held frame back on its link among the frames in flight, in arrival order. */
static void wire_release(void *ctx, void *dest, const uint8_t *frame, uint32_t len, sim_ps at)
{
    struct sender *s = ctx;
    struct sender_link *l = dest;
    if (sender_link_insert(l, frame, len, at) < 0)
        s->error = -1;
    else if (l->nic)
        nic_source_ready(l->nic);
}

static void timer_set(struct sender_flow *f, enum timer_kind k, sim_ps at_v)
{
    struct sender *s = f->s;
    f->timer_kind = k;
    sim_ps at = at_v - s->offset;
    if (at < s->m->q.now)
        at = s->m->q.now;
    if (sim_reschedule(&s->m->q, &f->timer, at) < 0)
        s->error = -1;
}

static void timer_stop(struct sender_flow *f)
{
    sim_cancel(&f->s->m->q, &f->timer);
    f->timer_kind = TIMER_NONE;
}

/* One data segment at off (a retransmission when off is below max). */
static void send_segment(struct sender_flow *f, uint64_t off)
{
    struct sender *s = f->s;
    uint32_t len = seg_len(f, off);
    generate(f, off + len);
    transmit(f, false, off, len);
    s->st.segments++;
    if (off < f->max) {
        s->st.retransmits++;
        if (f->timing && off < f->timed_end)
            f->timing = false;          /* Karn: the timed segment went twice */
    } else if (!f->timing) {
        f->timing = true;
        f->timed_end = off + len;
        f->timed_at = vnow(s);
    }
    if (off + len > f->max)
        f->max = off + len;
    if (f->timer_kind != TIMER_RTO)
        timer_set(f, TIMER_RTO, vnow(s) + f->cc.rto);
}

/* The flow is (or is no longer) stopped by the receiver's window: the
 * stretch's time is summed for the report (sender_rwnd_limited_now). */
static void rwnd_state(struct sender_flow *f, bool limited)
{
    if (limited == f->rwnd_limited)
        return;
    if (f->rwnd_limited)
        f->s->st.rwnd_limited_ps += vnow(f->s) - f->rwnd_since;
    f->rwnd_limited = limited;
    f->rwnd_since = vnow(f->s);
}

/* New segments while the congestion and receive windows allow. */
static void try_send(struct sender_flow *f)
{
    struct sender *s = f->s;
    if (!f->established || f->done)
        return;
    bool by_rwnd = false;
    while (f->nxt < f->end) {
        uint32_t len = seg_len(f, f->nxt);
        uint64_t wnd = f->cc.cwnd < f->rwnd ? f->cc.cwnd : f->rwnd;
        if (f->nxt + len - f->una > wnd || (f->data && f->nxt + len + 8 - f->una > DATA_RING)) {
            by_rwnd = f->rwnd <= f->cc.cwnd && f->nxt + len - f->una > f->rwnd;
            break;
        }
        send_segment(f, f->nxt);
        f->nxt += len;
    }
    rwnd_state(f, by_rwnd);
    if (f->nxt == f->una && f->nxt < f->end && f->timer_kind != TIMER_PERSIST)
        timer_set(f, TIMER_PERSIST, vnow(s) + f->cc.rto);   /* a zero window, nothing in flight */
}

static void recovery_end(struct sender_flow *f)
{
    if (f->recovering) {
        f->s->st.recovery_ps += vnow(f->s) - f->recovering_since;
        f->recovering = false;
    }
}

static void recovery_begin(struct sender_flow *f)
{
    if (!f->recovering) {
        f->recovering = true;
        f->recovering_since = vnow(f->s);
    }
}

/* Flow f's SYN on the link now; data may follow one round trip later (the
 * SYN-ACK is not simulated: the handshake only takes its time).  The first
 * SYN of the run sets the sender's clock offset: the NIC puts it at time 0. */
static void syn_send(struct sender_flow *f)
{
    struct sender *s = f->s;
    transmit(f, true, 0, 0);
    if (s->error)
        return;
    sim_ps syn_at = sender_link_last_arrival(f->link);
    if (!s->offset_set) {
        s->offset = syn_at;
        s->offset_set = true;
    }
    f->timer_kind = TIMER_HANDSHAKE;
    if (sim_reschedule(&s->m->q, &f->timer, syn_at - s->offset + s->owd) < 0)
        s->error = -1;
}

static void flow_timer(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct sender_flow *f = ev->arg;
    struct sender *s = f->s;
    enum timer_kind k = f->timer_kind;
    f->timer_kind = TIMER_NONE;
    if (f->done)
        return;
    if (k == TIMER_START) {
        syn_send(f);
    } else if (k == TIMER_HANDSHAKE) {
        f->established = true;
    } else if (k == TIMER_RTO) {
        s->st.rtos++;
        if (++f->rtos_in_row > SENDER_RETRIES) {
            s->st.aborted++;            /* tcp_retries2: the connection is given up, its bytes stranded */
            rwnd_state(f, false);
            f->done = true;
            s->st.flows_done++;
            recovery_end(f);
            if (f->link->nic)
                nic_source_ready(f->link->nic);
            return;
        }
        sender_cc_timeout(&f->cc, f->nxt - f->una, f->max);
        f->nxt = f->una;                /* go-back-N: no SACK to say what arrived */
        f->timing = false;
        recovery_begin(f);
        send_segment(f, f->nxt);
        f->nxt += seg_len(f, f->nxt);
        timer_set(f, TIMER_RTO, vnow(s) + f->cc.rto);
    } else if (k == TIMER_PERSIST) {
        if (f->nxt == f->una && f->nxt < f->end) {
            s->st.probes++;
            send_segment(f, f->nxt);    /* a probe with data: the ACK brings the window */
            f->nxt += seg_len(f, f->nxt);
        }
    }
    try_send(f);
    if (f->link->nic)
        nic_source_ready(f->link->nic); /* a no-op unless the NIC found the link empty */
}

static void flow_acked(struct sender_flow *f, uint64_t ack_off)
{
    struct sender *s = f->s;
    uint64_t acked = ack_off - f->una;
    if (f->timing && ack_off >= f->timed_end) {
        sender_cc_rtt(&f->cc, vnow(s) - f->timed_at);
        f->timing = false;
    }
    f->una = ack_off;
    if (f->nxt < ack_off)
        f->nxt = ack_off;               /* after go-back-N the receiver had more */
    s->st.bytes_acked += acked;
    /* The saturation window: from a quarter to three quarters of all bytes acknowledged. */
    while (s->marks < 2 && s->st.bytes_acked * 4 >= s->total_bytes * (uint64_t)(1 + 2 * s->marks)) {
        if (s->cfg.mark)
            s->cfg.mark(s->cfg.mark_ctx, s->marks);
        s->marks++;
    }
    f->rtos_in_row = 0;
    bool left;
    enum sender_cc_do d = sender_cc_ack(&f->cc, acked, ack_off, f->nxt - ack_off, vnow(s), &left);
    if (left || (f->recovering && !f->cc.in_recovery && f->cc.recover_set && ack_off >= f->cc.recover))
        recovery_end(f);
    if (d == SENDER_CC_RETRANSMIT && f->una < f->max)
        send_segment(f, f->una);
    if (f->una >= f->end) {
        rwnd_state(f, false);
        f->done = true;
        s->st.flows_done++;
        s->st.last_ack = s->m->q.now;
        recovery_end(f);
        timer_stop(f);
        return;
    }
    if (f->una == f->max)
        timer_stop(f);
    else
        timer_set(f, TIMER_RTO, vnow(s) + f->cc.rto);
}

static void ack_arrives(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct sender_ack *a = (struct sender_ack *)ev;
    struct sender *s = a->s;
    struct sender_flow *f = &s->flow[a->flow];
    uint32_t ack = a->ack, window = a->window;
    a->next_free = s->free_acks;
    s->free_acks = a;
    s->st.acks++;
    if (f->done)
        return;
    int32_t delta = (int32_t)(ack - (f->isn + 1 + (uint32_t)f->una));
    if (delta < 0 || f->una + (uint64_t)delta > f->max)
        return;                         /* an old ACK, or one for bytes never sent */
    f->rwnd = f->sp->has_wscale || window < 65535 ? window : 65535;   /* unscaled: RFC 7323 2.2 */
    if (!f->established)
        f->established = true;          /* data already came through: the handshake is over */
    if (delta > 0) {
        flow_acked(f, f->una + (uint64_t)delta);
    } else if (f->nxt > f->una) {
        s->st.dupacks++;
        if (sender_cc_dupack(&f->cc, f->una, f->nxt - f->una, f->max) == SENDER_CC_RETRANSMIT) {
            s->st.fast_retransmits++;
            recovery_begin(f);
            send_segment(f, f->una);
        }
    }
    try_send(f);
    if (f->link->nic)
        nic_source_ready(f->link->nic); /* a no-op unless the NIC found the link empty */
}

void sender_ack_sent(void *ctx, sim_ps at, const struct tcp_conn *c, int dir, uint32_t ack, uint32_t window)
{
    struct sender *s = ctx;
    const struct tcp_endpoint *e = &c->ep[dir], *h = &c->ep[!dir];
    uint32_t i;
    if (sender_workload_find(s->spec, s->by_tuple, s->cfg.flows, c->ip_version, e->addr, e->port, h->addr, h->port,
                             &i) < 0)
        return;                         /* not one of ours */
    struct sender_ack *a = s->free_acks;
    if (a)
        s->free_acks = a->next_free;
    else if (!(a = calloc(1, sizeof *a))) {
        s->error = -1;
        return;
    } else {
        a->next_all = s->all_acks;
        s->all_acks = a;
    }
    a->s = s;
    a->flow = i;
    a->ack = ack;
    a->window = window;
    a->ev.fn = ack_arrives;
    a->ev.arg = a;
    sim_ps when = at + s->owd;
    if (when < s->m->q.now)
        when = s->m->q.now;
    if (sim_schedule(&s->m->q, &a->ev, when) < 0)
        s->error = -1;
    a->next_free = NULL;
}

/* --duration: from now on nothing new is sent; what was sent is still
 * delivered (retransmitted as need be) and the flow ends when it is
 * acknowledged.  A flow not yet started sends nothing.  The saturation
 * marks keep counting the whole workload's bytes: a window they never
 * reached is reported as not reached, not made from a few ACKs. */
static void senders_stop(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct sender *s = ev->arg;
    for (uint32_t i = 0; i < s->cfg.flows; i++) {
        struct sender_flow *f = &s->flow[i];
        if (!f->done)
            f->end = f->max;
        if (!f->done && f->una >= f->end) {
            f->done = true;
            s->st.flows_done++;
            recovery_end(f);
            timer_stop(f);
        }
    }
    for (uint32_t k = 0; k < s->nlinks; k++)
        if (s->link[k].nic)
            nic_source_ready(s->link[k].nic);
}

/* The SYNs of the flows starting at v = 0 back to back (synth's: every
 * flow); a later start waits on the flow's timer.  A flow whose start falls
 * before the first SYN's arrival is clamped to it (v = simulated time +
 * offset is known only from then). */
static void start(struct sender *s)
{
    s->started = true;
    if (s->cfg.stop) {
        s->stop_ev.fn = senders_stop;
        s->stop_ev.arg = s;
        if (sim_schedule(&s->m->q, &s->stop_ev, s->cfg.stop) < 0)
            s->error = -1;
    }
    for (uint32_t i = 0; i < s->cfg.flows; i++)
        if (!s->flow[i].sp->start)
            syn_send(&s->flow[i]);
    for (uint32_t i = 0; i < s->cfg.flows; i++)
        if (s->flow[i].sp->start)
            timer_set(&s->flow[i], TIMER_START, s->flow[i].sp->start);
}

static int sender_next(void *ctx, struct skb *skb)
{
    struct sender_link *l = ctx;
    struct sender *s = l->owner;
    if (!s->started)
        start(s);
    if (s->error || s->wire.error)
        return -1;
    const uint8_t *data;
    uint32_t len;
    sim_ps at;
    if (!sender_link_pop(l, &data, &len, &at))
        return s->st.flows_done == s->cfg.flows ? 0 : NIC_SOURCE_PENDING;
    at -= s->offset;
    *skb = (struct skb){ .data = (uint8_t *)data, .len = len, .wire_len = len, .ts_ns = at / SIM_PS_PER_NS,
                         .frame_no = ++s->frames, .l2 = SKB_L2_ETHERNET };
    rss_peek(skb);
    return 1;
}

int sender_init(struct sender *s, const struct sender_config *cfg, struct sim_machine *m, char *err, size_t size)
{
    *s = (struct sender){ .cfg = *cfg, .m = m };
    if (cfg->mtu < IP4_HLEN + TCP_HLEN + TS_OPT_LEN + 8 || cfg->mtu > SKB_FRAME_MAX - ETH_HLEN) {
        snprintf(err, size, "--mtu %u: want %u..%u", cfg->mtu, IP4_HLEN + TCP_HLEN + TS_OPT_LEN + 8,
                 SKB_FRAME_MAX - ETH_HLEN);
        return -1;
    }
    if (!cfg->spec && (!cfg->link_bps || sender_workload_synth(cfg->flows, cfg->bytes, cfg->send_size,
            (uint16_t)(cfg->mtu - IP4_HLEN - TCP_HLEN), cfg->seed, &s->own_spec, err, size) < 0)) {
        if (!cfg->link_bps)
            snprintf(err, size, "closed loop needs --link above 0");
        return -1;
    }
    s->spec = cfg->spec ? cfg->spec : s->own_spec;
    if (!cfg->link_bps) {
        snprintf(err, size, "closed loop needs --link above 0");
        sender_fini(s);
        return -1;
    }
    s->owd = cfg->rtt / 2;
    sender_impair_init(&s->wire, cfg->loss, cfg->reorder, cfg->reorder_delay, cfg->seed, &m->q, s->owd,
                       wire_release, s);
    s->nlinks = cfg->nlinks ? cfg->nlinks : 1;
    if (s->nlinks > SENDER_MAX_LINKS) {
        snprintf(err, size, "closed loop: at most %u links (NICs)", SENDER_MAX_LINKS);
        sender_fini(s);
        return -1;
    }
    bool links = true;
    for (uint32_t k = 0; k < s->nlinks; k++) {
        links = links && sender_link_init(&s->link[k], k, cfg->link_bps, s->owd, ETH_HLEN + cfg->mtu) == 0;
        s->link[k].owner = s;
    }
    s->flow = calloc(cfg->flows ? cfg->flows : 1, sizeof *s->flow);    /* a trace may leave no flow */
    s->by_tuple = sender_workload_index(s->spec, cfg->flows);
    if (!s->flow || !links || !s->by_tuple) {
        snprintf(err, size, "out of memory for %u flows", cfg->flows);
        sender_fini(s);
        return -1;
    }
    s->st.flows = cfg->flows;
    for (uint32_t i = 0; i < cfg->flows; i++) {
        struct sender_flow *f = &s->flow[i];
        const struct sender_flow_spec *sp = &s->spec[i];
        f->s = s;
        f->idx = i;
        f->sp = sp;
        f->link = &s->link[i % s->nlinks];
        s->total_bytes += sp->bytes;
        /* The segment: the SYN's MSS capped by the MTU, less the options each carries. */
        uint32_t mss = cfg->mtu - (sp->v == 6 ? IP6_HLEN : IP4_HLEN) - TCP_HLEN;
        if (sp->mss && sp->mss < mss)
            mss = sp->mss;
        f->optlen = sp->has_ts ? TS_OPT_LEN : 0;
        if (!sp->bytes || !sp->send_size || mss <= f->optlen) {
            snprintf(err, size, "flow %u: %s", i, !sp->bytes ? "no bytes to send" : !sp->send_size ?
                     "no write size" : "its MSS leaves no room for payload");
            sender_fini(s);
            return -1;
        }
        f->seg_payload = mss - f->optlen;
        f->end = sp->bytes;
        struct sim_rng isn;
        sim_rng_seed(&isn, cfg->seed ^ (((uint64_t)i + 1) * 0xd1b54a32d192ed03ull));
        f->isn = (uint32_t)sim_rng_next(&isn);
        f->rwnd = 65535;                /* the SYN-ACK's, until the first ACK says */
        sender_cc_init(&f->cc, f->seg_payload);
        f->cc.algo = cfg->cc;
        f->timer.fn = flow_timer;
        f->timer.arg = f;
        if (!sp->data) {
            sim_rng_seed(&f->content, sp->content_seed);
            if (!(f->data = malloc(DATA_RING))) {
                snprintf(err, size, "out of memory for %u flows", cfg->flows);
                sender_fini(s);
                return -1;
            }
        }
    }
    return 0;
}

void sender_fini(struct sender *s)
{
    if (s->flow) {
        for (uint32_t i = 0; i < s->cfg.flows; i++) {
            sim_cancel(&s->m->q, &s->flow[i].timer);
            free(s->flow[i].data);
        }
    }
    if (s->m)
        sim_cancel(&s->m->q, &s->stop_ev);
    sender_impair_fini(&s->wire);
    free(s->flow);
    free(s->own_spec);
    free(s->by_tuple);
    for (uint32_t k = 0; k < SENDER_MAX_LINKS; k++)
        sender_link_fini(&s->link[k]);
    while (s->all_acks) {
        struct sender_ack *a = s->all_acks;
        s->all_acks = a->next_all;
        sim_cancel(&s->m->q, &a->ev);
        free(a);
    }
    *s = (struct sender){0};
}

struct nic_source sender_source(struct sender *s, uint32_t k)
{
    return (struct nic_source){ .next = sender_next, .ctx = &s->link[k] };
}

void sender_attach(struct sender *s, uint32_t k, struct nic *nic)
{
    s->link[k].nic = nic;
}

void sender_stats(const struct sender *s, struct sender_stats *out)
{
    *out = s->st;
    out->wire_lost = s->wire.lost;
    out->wire_reordered = s->wire.reordered;
    for (uint32_t i = 0; i < s->cfg.flows; i++) {
        out->bytes_stranded += s->flow[i].end - s->flow[i].una;
        out->bytes_not_sent += s->spec[i].bytes - s->flow[i].end;
    }
}

sim_ps sender_rwnd_limited_now(const struct sender *s)
{
    sim_ps sum = s->st.rwnd_limited_ps;
    for (uint32_t i = 0; i < s->cfg.flows; i++)
        if (s->flow[i].rwnd_limited)
            sum += vnow(s) - s->flow[i].rwnd_since;
    return sum;
}

sim_ps sender_link_busy_now(const struct sender *s, uint32_t k)
{
    return sender_link_busy_by(&s->link[k], vnow(s));
}
