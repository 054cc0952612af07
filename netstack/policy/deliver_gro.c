/* netstack/policy/deliver_gro.c: coalesce in-order segments of one flow into
 * a merged packet of at most 64 KiB before the protocol layer (GRO).  A
 * segment merges when it continues the held flow's sequence exactly and
 * carries data with no flag but ACK/PSH; anything else closes the merge. */
#include "netstack/policy/deliver.h"

#include <stdlib.h>

#include "netstack/host.h"
#include "netstack/tcp.h"

#define GRO_MAX_BYTES 65536
#define GRO_MAX_FRAMES 64

struct gro_cpu {
    int held;
    uint32_t bytes;
    uint64_t flow;                      /* the held flow's key */
    uint32_t next_seq;                  /* the sequence number that continues it */
    struct skb frames[GRO_MAX_FRAMES];
};

struct gro {
    struct gro_cpu cpu[SIM_MAX_CPUS];
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

static void gro_destroy(void *state) { free(state); }

static void gro_flush(void *state, struct rx_host *h, struct sim_cpu *cpu)
{
    struct gro_cpu *g = &((struct gro *)state)->cpu[cpu->id];
    if (g->held)
        rx_host_protocol_pass(h, cpu, g->frames, g->held, g->held > 1);
    g->held = 0;
    g->bytes = 0;
}

static void gro_rx(void *state, struct rx_host *h, struct sim_cpu *cpu, struct skb *skb)
{
    struct gro_cpu *g = &((struct gro *)state)->cpu[cpu->id];
    const struct tcp_seg *t = &skb->seg;    /* read when the frame entered the stack */
    bool mergeable = skb->depth == SKB_DEPTH_TCP && t->len > 0 && !(t->flags & ~(TCP_ACK | TCP_PSH));
    if (g->held && (!mergeable || netstack_flow(skb) != g->flow || t->seq != g->next_seq ||
                    g->bytes + t->len > GRO_MAX_BYTES || g->held == GRO_MAX_FRAMES))
        gro_flush(state, h, cpu);
    if (!mergeable) {
        rx_host_protocol_pass(h, cpu, skb, 1, false);
        return;
    }
    g->flow = netstack_flow(skb);          /* before the copy, so the copy carries it */
    g->frames[g->held++] = *skb;
    g->bytes += t->len;
    g->next_seq = t->seq + t->len;
}

const struct deliver_policy_ops deliver_gro = {
    .name = "gro",
    .what = "merge in-order segments of a flow up to 64 KiB before the protocol layer",
    .create = gro_create,
    .destroy = gro_destroy,
    .rx = gro_rx,
    .flush = gro_flush,
};
