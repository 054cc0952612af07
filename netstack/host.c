/* netstack/host.c: the receiving host under the machine model (host.h):
 * set-up and teardown, and the NIC side of the seam (netstack/nic_stack.h),
 * which hands frames to the delivery policy.  The rest lives by job:
 * host_pass.c the protocol passes, sock.c the socket queues, app.c the
 * reader processes, host_cost.c the per-byte costs. */
#include "netstack/host.h"

#include <stdlib.h>

#include "netstack/host_internal.h"

uint64_t rx_host_unread(const struct rx_host *h)
{
    uint64_t n = 0;
    for (const struct rx_sock *s = h->socks; s; s = s->next_all)
        n += s->queued + s->bl_bytes;   /* the backlog's bytes are unread too */
    return n;
}

/* ---- the NIC side --------------------------------------------------------- */

static void nic_rx(void *ctx, struct sim_cpu *cpu, struct skb *skb)
{
    struct rx_host *h = ctx;
    h->st.frames++;
    skb->data = rx_skb_bytes(h, skb);
    netstack_parse(skb);                /* the headers read once, for every layer after */
    h->cfg.deliver->rx(h->deliver_state, h, cpu, skb);     /* a policy that holds it copies it */
}

static void nic_flush(void *ctx, struct sim_cpu *cpu, bool old_only)
{
    struct rx_host *h = ctx;
    h->cfg.deliver->flush(h->deliver_state, h, cpu, old_only);
}

static bool nic_holding(void *ctx, struct sim_cpu *cpu)
{
    struct rx_host *h = ctx;
    return h->cfg.deliver->holding && h->cfg.deliver->holding(h->deliver_state, cpu);
}

static void nic_dropped(void *ctx, const struct skb *skb, int reason)
{
    struct rx_host *h = ctx;
    struct skb copy = *skb;             /* the ladder's peek writes the protocol fields */
    h->st.drops[reason]++;
    netstack_nic_drop(&h->ns, &copy, (enum rx_drop)reason);
}

struct nic_stack_ops rx_host_stack_ops(struct rx_host *h)
{
    return (struct nic_stack_ops){ .rx = nic_rx, .flush = nic_flush, .holding = nic_holding, .dropped = nic_dropped, .ctx = h };
}

int rx_host_init(struct rx_host *h, const struct rx_host_config *cfg, struct sim_machine *m,
                 struct skb_pool *pool, void *recycle_state, const char **err)
{
    *h = (struct rx_host){ .cfg = *cfg, .m = m, .pool = pool, .recycle_state = recycle_state,
                           .reader_run = rx_app_reader_run };
    h->woke_tail = &h->woke_head;
    *err = NULL;
    if (!h->cfg.receive)
        h->cfg.receive = receive_policy_find("copy");
    if (h->cfg.reader_threads < 1)
        h->cfg.reader_threads = 1;
    if (h->cfg.receive->maps && h->cfg.csum->in_copy) {
        *err = "zerocopy maps the payload, so no copy can verify its checksum: use --csum softirq or offload";
        return -1;
    }
    h->refs = calloc(pool->count, sizeof *h->refs);
    h->lin = malloc(SKB_FRAME_MAX);
    struct netstack_config ncfg = { .verify_csum = cfg->verify_csum, .ooo_limit = cfg->ooo_limit,
                                    .ooo_budget = cfg->ooo_budget, .max_conns = cfg->max_conns,
                                    .deliver = rx_sock_deliver, .ctx = h };
    if (!h->refs || !h->lin || netstack_init(&h->ns, &ncfg) < 0) {
        free(h->refs);
        free(h->lin);
        *err = "out of memory";
        return -1;
    }
    if (h->cfg.receive->create && !(h->receive_state = h->cfg.receive->create(h))) {
        netstack_fini(&h->ns);
        free(h->refs);
        free(h->lin);
        *err = "out of memory";
        return -1;
    }
    if (cfg->deliver->create) {
        h->deliver_state = cfg->deliver->create(h, cfg->deliver_arg, err);
        if (!h->deliver_state) {
            if (h->cfg.receive->destroy)
                h->cfg.receive->destroy(h->receive_state);
            netstack_fini(&h->ns);
            free(h->refs);
            free(h->lin);
            if (!*err)
                *err = "out of memory";
            return -1;
        }
    }
    return 0;
}

void rx_host_fini(struct rx_host *h)
{
    rx_sock_free_all(h);
    if (h->cfg.deliver->destroy)
        h->cfg.deliver->destroy(h->deliver_state);
    if (h->cfg.receive->destroy)
        h->cfg.receive->destroy(h->receive_state);
    netstack_fini(&h->ns);
    free(h->refs);
    free(h->lin);
}
