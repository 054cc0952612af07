/* netstack/policy/deliver_gro.c: coalesce in-order segments of a flow into
 * a merged packet of at most 64 KiB before the protocol layer (GRO), up to
 * GRO_MAX_FLOWS flows at once per CPU, as Linux's napi GRO list does
 * (net/core/gro.c: MAX_GRO_SKBS): a segment of a flow not held takes a free
 * place or pushes the oldest held flow up first.  A segment merges when it
 * continues its flow's sequence exactly and carries data with no flag but
 * ACK/PSH; anything else sends that flow's held packet up first, then goes
 * up alone.  The end of a NAPI poll sends every held flow up, oldest first. */
#include "netstack/policy/deliver.h"

#include <stdlib.h>

#include "netstack/host.h"
#include "netstack/tcp.h"

#define GRO_MAX_BYTES 65536
#define GRO_MAX_FRAMES 64
#define GRO_MAX_FLOWS 8

struct gro_flow {
    int held;                           /* 0: the place is free */
    uint32_t bytes;
    uint64_t flow;                      /* the held flow's key */
    uint32_t next_seq;                  /* the sequence number that continues it */
    uint64_t since;                     /* when it started, for "oldest" */
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

static void gro_flush(void *state, struct rx_host *h, struct sim_cpu *cpu)
{
    struct gro_cpu *g = ((struct gro *)state)->cpu[cpu->id];
    if (!g)
        return;
    for (;;) {                          /* oldest first, as the list is kept */
        struct gro_flow *oldest = NULL;
        for (int i = 0; i < GRO_MAX_FLOWS; i++)
            if (g->flow[i].held && (!oldest || g->flow[i].since < oldest->since))
                oldest = &g->flow[i];
        if (!oldest)
            return;
        flush_flow(h, cpu, oldest);
    }
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
    if (f && (!mergeable || t->seq != f->next_seq || f->bytes + t->len > GRO_MAX_BYTES ||
              f->held == GRO_MAX_FRAMES))
        flush_flow(h, cpu, f);          /* the flow's held data goes up before this segment */
    if (!mergeable) {
        rx_host_protocol_pass(h, cpu, skb, 1, false);
        return;
    }
    if (!f || !f->held) {
        f = f ? f : free_place(g, h, cpu);
        f->flow = key;
        f->since = ++g->clock;
    }
    f->frames[f->held++] = *skb;
    f->bytes += t->len;
    f->next_seq = t->seq + t->len;
}

const struct deliver_policy_ops deliver_gro = {
    .name = "gro",
    .what = "merge in-order segments of up to 8 flows, 64 KiB each, until the end of a NAPI poll",
    .create = gro_create,
    .destroy = gro_destroy,
    .rx = gro_rx,
    .flush = gro_flush,
};
