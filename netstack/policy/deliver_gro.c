/* netstack/policy/deliver_gro.c: coalesce in-order segments of a flow into
 * a merged packet of at most 64 KiB before the protocol layer (GRO), up to
 * GRO_MAX_FLOWS flows at once per CPU, as Linux's napi GRO list does
 * (net/core/gro.c: MAX_GRO_SKBS): a segment of a flow not held takes a free
 * place or pushes the oldest held flow up first.
 *
 * A segment merges, as tcp_gro_receive() decides, when it continues its
 * flow's sequence exactly, carries data with no flag but ACK/PSH, is no
 * longer than the flow's first segment (its gso_size), and has the same ACK
 * number and timestamps; otherwise the held packet goes up and the segment
 * starts a new one.  A merged segment with PSH, or shorter than the first,
 * ends the packet: it goes up with that segment in it.  A segment with PSH
 * and nothing held, or any other flag, goes up alone.
 *
 * The end of a NAPI poll sends held flows up, oldest first: all of them when
 * the poll completes; only those held since an earlier jiffy (HZ 1000) when
 * the poll goes on after a full budget or gro_flush_timeout is set
 * (napi_gro_flush(napi, flush_old)), so a merged packet grows across polls
 * as the kernel's does (drivers/nic.h). */
#include "netstack/policy/deliver.h"

#include <stdlib.h>

#include "netstack/host.h"
#include "netstack/tcp.h"

#define GRO_MAX_BYTES 65536
#define GRO_MAX_FRAMES 64
#define GRO_MAX_FLOWS 8
/* A jiffy at HZ 1000 (an assumption: CONFIG_HZ_1000, Fedora's and most
 * server kernels'; HZ 250 would hold packets up to 4 ms) */
#define GRO_JIFFY_PS (1000 * SIM_PS_PER_US)

struct gro_flow {
    int held;                           /* 0: the place is free */
    uint32_t bytes;
    uint64_t flow;                      /* the held flow's key */
    uint32_t next_seq;                  /* the sequence number that continues it */
    uint32_t mss;                       /* its first segment's length (gso_size) */
    uint32_t ack;                       /* its ACK number and timestamps: a change ends it */
    bool has_ts;
    uint32_t tsval, tsecr;
    uint64_t since;                     /* when it started, for "oldest" */
    sim_ps jiffy;                       /* the jiffy it started in (NAPI_GRO_CB(skb)->age) */
    struct skb frames[GRO_MAX_FRAMES];
};

struct gro_cpu {
    uint64_t clock;                     /* counts merges started */
    struct gro_flow flow[GRO_MAX_FLOWS];
};

struct gro {
    struct gro_cpu *cpu[SIM_MAX_CPUS];  /* made on a CPU's first frame */
};

static void *gro_create(struct rx_host *h, const char *arg, const char **err)
{
    (void)h;
    if (arg) {
        *err = "gro takes no argument";
        return NULL;
    }
    return calloc(1, sizeof(struct gro));
}

static void gro_destroy(void *state)
{
    struct gro *g = state;
    for (int i = 0; i < SIM_MAX_CPUS; i++)
        free(g->cpu[i]);
    free(g);
}

static void flush_flow(struct rx_host *h, struct sim_cpu *cpu, struct gro_flow *f)
{
    if (f->held)
        rx_host_protocol_pass(h, cpu, f->frames, f->held, f->held > 1);
    f->held = 0;
    f->bytes = 0;
}

static void gro_flush(void *state, struct rx_host *h, struct sim_cpu *cpu, bool old_only)
{
    struct gro_cpu *g = ((struct gro *)state)->cpu[cpu->id];
    if (!g)
        return;
    sim_ps jiffy = sim_cpu_now(cpu) / GRO_JIFFY_PS;
    for (;;) {                          /* oldest first, as the list is kept */
        struct gro_flow *oldest = NULL;
        for (int i = 0; i < GRO_MAX_FLOWS; i++)
            if (g->flow[i].held && (!old_only || g->flow[i].jiffy != jiffy) &&
                (!oldest || g->flow[i].since < oldest->since))
                oldest = &g->flow[i];
        if (!oldest)
            return;
        flush_flow(h, cpu, oldest);
    }
}

static bool gro_holding(void *state, struct sim_cpu *cpu)
{
    struct gro_cpu *g = ((struct gro *)state)->cpu[cpu->id];
    for (int i = 0; g && i < GRO_MAX_FLOWS; i++)
        if (g->flow[i].held)
            return true;
    return false;
}

/* The place a new merge of a flow starts in: a free one, else the oldest,
 * sent up first. */
static struct gro_flow *free_place(struct gro_cpu *g, struct rx_host *h, struct sim_cpu *cpu)
{
    struct gro_flow *oldest = &g->flow[0];
    for (int i = 0; i < GRO_MAX_FLOWS; i++) {
        if (!g->flow[i].held)
            return &g->flow[i];
        if (g->flow[i].since < oldest->since)
            oldest = &g->flow[i];
    }
    flush_flow(h, cpu, oldest);
    return oldest;
}

/* Whether segment t continues the packet f holds (tcp_gro_receive's tests). */
static bool continues(const struct gro_flow *f, const struct tcp_seg *t)
{
    return t->seq == f->next_seq && t->len <= f->mss && f->bytes + t->len <= GRO_MAX_BYTES &&
           f->held < GRO_MAX_FRAMES && t->ack == f->ack && t->opts.has_ts == f->has_ts &&
           (!f->has_ts || (t->opts.tsval == f->tsval && t->opts.tsecr == f->tsecr));
}

static void gro_rx(void *state, struct rx_host *h, struct sim_cpu *cpu, struct skb *skb)
{
    struct gro *all = state;
    struct gro_cpu *g = all->cpu[cpu->id];
    if (!g && !(g = all->cpu[cpu->id] = calloc(1, sizeof *g)))
        abort();                        /* the model cannot go on without its frames */
    const struct tcp_seg *t = &skb->seg;    /* read when the frame entered the stack */
    bool tcp = skb->depth == SKB_DEPTH_TCP;     /* only then are there addresses and ports */
    bool mergeable = tcp && t->len > 0 && !(t->flags & ~(TCP_ACK | TCP_PSH));
    uint64_t key = tcp ? netstack_flow(skb) : 0;
    struct gro_flow *f = NULL;
    for (int i = 0; tcp && i < GRO_MAX_FLOWS && !f; i++)
        if (g->flow[i].held && g->flow[i].flow == key)
            f = &g->flow[i];
    if (f && mergeable && continues(f, t)) {
        if (skb->buf)
            skb->buf->gro_merged = true;    /* its data is now the held skb's: freed with it */
        f->frames[f->held++] = *skb;
        f->bytes += t->len;
        f->next_seq = t->seq + t->len;
        if ((t->flags & TCP_PSH) || t->len < f->mss)
            flush_flow(h, cpu, f);      /* the last segment of a write, or a short one, ends it */
        return;
    }
    if (f)
        flush_flow(h, cpu, f);          /* the flow's held data goes up before this segment */
    if (!mergeable || (t->flags & TCP_PSH)) {
        rx_host_protocol_pass(h, cpu, skb, 1, false);
        return;
    }
    f = f ? f : free_place(g, h, cpu);
    f->held = 1;                        /* field by field: frames[] is 64 skbs */
    f->bytes = f->mss = t->len;
    f->flow = key;
    f->next_seq = t->seq + t->len;
    f->ack = t->ack;
    f->has_ts = t->opts.has_ts;
    f->tsval = t->opts.tsval;
    f->tsecr = t->opts.tsecr;
    f->since = ++g->clock;
    f->jiffy = sim_cpu_now(cpu) / GRO_JIFFY_PS;
    f->frames[0] = *skb;
}

const struct deliver_policy_ops deliver_gro = {
    .name = "gro",
    .what = "merge in-order segments of up to 8 flows, 64 KiB each, until PSH or the end of a NAPI poll",
    .create = gro_create,
    .destroy = gro_destroy,
    .rx = gro_rx,
    .flush = gro_flush,
    .holding = gro_holding,
};
