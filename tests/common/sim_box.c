/* tests/common/sim_box.c: see sim_box.h. */
#include "tests/common/sim_box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy/copy.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"

static int box_next(void *ctx, struct skb *skb)
{
    struct sim_box *b = ctx;
    if (b->next == b->nframes)
        return 0;
    const struct box_frame *f = &b->frames[b->next++];
    *skb = (struct skb){ .data = f->data, .len = f->len, .wire_len = f->len, .ts_ns = f->ts_ns,
                         .frame_no = b->next, .l2 = SKB_L2_ETHERNET };
    return 1;
}

static void box_collect(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n)
{
    struct sim_box *b = ctx;
    sha256_update(sha, n, p);
    if (b->nread + n > b->read_cap) {
        size_t cap = (b->nread + n) * 2;
        uint8_t *r = realloc(b->read, cap);
        if (!r)
            abort();
        b->read = r;
        b->read_cap = cap;
    }
    memcpy(b->read + b->nread, p, n);
    b->nread += n;
}

static const struct copy_routine *widest_csum_copy(void)
{
    const struct copy_routine *best = NULL;
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *r = copy_routine_at(i);
        if (r->kind == COPY_KIND_CSUM_COPY && copy_available(r))
            best = r;
    }
    return best;
}

int box_init(struct sim_box *b, const struct box_config *cfg, const struct box_frame *frames, size_t n)
{
    *b = (struct sim_box){ .frames = frames, .nframes = n };
    int cpus = cfg->cpus ? cfg->cpus : 2;
    struct sim_machine_config mc = { .ncpus = cpus, .mhz = 2600, .cache_lines = 8192, .seed = 1 };
    if (sim_machine_init(&b->m, &mc) < 0)
        return -1;
    uint32_t ring = cfg->ring ? cfg->ring : 256, queues = cfg->queues ? cfg->queues : 1;
    if (skb_pool_init(&b->pool, &b->m, ring * queues * 2 + 256, 64) < 0)
        return -1;
    const char *deliver = cfg->deliver ? cfg->deliver : "packet";
    const char *colon = strchr(deliver, ':');
    char dname[32];
    snprintf(dname, sizeof dname, "%.*s", colon ? (int)(colon - deliver) : (int)strlen(deliver), deliver);
    struct rx_host_config hc = {
        .csum = csum_policy_find(cfg->csum ? cfg->csum : "softirq"),
        .deliver = deliver_policy_find(dname),
        .deliver_arg = colon ? colon + 1 : NULL,
        .recycle = recycle_policy_find(cfg->recycle ? cfg->recycle : "percpu"),
        .receive = receive_policy_find(cfg->receive ? cfg->receive : "copy"),
        .copy = copy_find("glibc"),
        .csum_copy = widest_csum_copy(),
        .csum_routine = copy_csum_best(),
        .tsc_to_cpu = 1.0,
        .recv_size = cfg->recv_size ? cfg->recv_size : 16384,
        .app_cycles_per_byte = cfg->app_cycles_per_byte,
        .app = APP_FIXED,
        .app_cpu = cfg->app_cpu,
        .verify_csum = true,
        .veth = cfg->veth,
        .veth_sender_cpu = cfg->veth_sender - 1,
        .hash = box_collect,
        .hash_ctx = b,
    };
    if (!hc.csum || !hc.deliver || !hc.recycle || !hc.receive || !hc.copy || !hc.csum_copy || !hc.csum_routine) {
        fprintf(stderr, "box: unknown policy or routine (%s, %s, %s)\n", cfg->csum, deliver, cfg->recycle);
        return -1;
    }
    b->recycle = hc.recycle;
    b->recycle_state = b->recycle->create ? b->recycle->create(&b->pool, &b->m) : NULL;
    const char *err;
    if (rx_host_init(&b->host, &hc, &b->m, &b->pool, b->recycle_state, &err) < 0) {
        fprintf(stderr, "box: host: %s\n", err);
        return -1;
    }
    struct nic_config nc = { .ring = ring, .queues = queues, .rx_usecs = cfg->rx_usecs,
                             .rx_frames = cfg->rx_frames ? cfg->rx_frames : 1,
                             .budget = cfg->budget ? cfg->budget : 64, .rate_bps = cfg->rate_bps,
                             .gro_flush_timeout_ns = cfg->gro_flush_timeout_ns,
                             .defer_hard_irqs = cfg->defer_hard_irqs, .veth = cfg->veth,
                             .veth_gap_ns = cfg->veth_gap_ns ? cfg->veth_gap_ns : NIC_VETH_GAP_US * 1000,
                             .veth_sender_set = cfg->veth_sender > 0, .veth_sender_cpu = cfg->veth_sender - 1 };
    if (irq_routing_parse(&nc.irq, cfg->irq ? cfg->irq : "fixed:0", cpus) < 0)
        return -1;
    struct nic_source src = { .next = box_next, .ctx = b };
    struct nic_stack_ops ops = rx_host_stack_ops(&b->host);
    return nic_init(&b->nic, 0, &nc, &b->m, &b->pool, b->recycle, b->recycle_state, &src, &ops);
}

void box_run(struct sim_box *b)
{
    sim_machine_reset_stats(&b->m);
    memset(&b->pool.st, 0, sizeof b->pool.st);
    if (nic_start(&b->nic) < 0)
        abort();
    while (sim_step(&b->m.q, NULL))
        ;
}

bool box_fini(struct sim_box *b)
{
    nic_fini(&b->nic);
    rx_host_fini(&b->host);
    if (b->recycle && b->recycle->destroy)
        b->recycle->destroy(b->recycle_state);
    uint32_t out = 0;
    for (uint32_t i = 0; i < b->pool.count; i++)
        out += b->pool.bufs[i].out;
    skb_pool_fini(&b->pool);
    sim_machine_fini(&b->m);
    free(b->read);
    return out == 0;
}

int box_flow_frames(const uint8_t *stream, uint32_t seg, int n, int64_t gap_ns, uint8_t *bytes, size_t stride,
                    struct box_frame *frames)
{
    for (int k = 0; k < n; k++) {
        struct pkt_spec s = { .seq = 1u + (uint32_t)k * seg, .payload = stream + (size_t)k * seg, .len = seg,
                              .flags = k == n - 1 ? TCP_ACK | TCP_PSH : TCP_ACK };
        uint8_t *buf = bytes + (size_t)k * stride;
        size_t len = pkt_build(buf, stride, &s);
        if (len != 54 + (size_t)seg)
            return -1;
        frames[k] = (struct box_frame){ buf, (uint32_t)len, (int64_t)k * gap_ns };
    }
    return 0;
}
