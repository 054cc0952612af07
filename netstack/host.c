/* netstack/host.c: the receiving host under the machine model (host.h).
 *
 * A frame longer than one receive buffer arrives as a chain of buffers
 * (skb_pool.h).  The functional core reads a frame in one piece, so such a
 * frame is gathered into h->lin for it (the simulator's own copy, charged
 * nothing); everything the model charges follows the chain instead: the
 * softirq checksum runs once per buffer, and delivered bytes are queued as
 * one chunk per buffer they lie in, so the reader's copy touches exactly the
 * lines of the buffers the NIC wrote. */
#include "netstack/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/eth.h"
#include "netstack/ip.h"
#include "netstack/tcp.h"

#define HEADER_BYTES 128                /* what the protocol layers read of a frame */

/* ---- per-byte costs from the calibration profile ------------------------ */

static double curve(const struct rx_host *h, const struct copy_routine *r, uint32_t n, unsigned align,
                    enum calib_cache state)
{
    return h->cfg.profile ? costs_lookup(h->cfg.profile, r->name, n, align, state) : -1;
}

/* costs_lookup() through a direct-mapped memo: the same few sizes and
 * alignments recur for every frame, and the profile search is by name. */
static const struct cost_memo *costs_of(struct rx_host *h, const struct copy_routine *r, uint32_t n,
                                        unsigned align)
{
    uint64_t key = ((uint64_t)(uintptr_t)r >> 4) ^ (uint64_t)n << 20 ^ (uint64_t)align << 8;
    key *= 0x9e3779b97f4a7c15ull;       /* mix every field into the bits used */
    struct cost_memo *e = &h->memo[(key >> 40) % COST_MEMO];
    if (e->r != r || e->n != n || e->align != align) {
        const struct copy_routine *cs = h->cfg.csum_routine;
        *e = (struct cost_memo){ .r = r, .n = n, .align = (uint8_t)align,
                                 .hot = curve(h, r, n, align, CALIB_HOT),
                                 .remote = curve(h, r, n, align, CALIB_REMOTE),
                                 .csum_hot = cs ? curve(h, cs, n, align, CALIB_HOT) : -1,
                                 .csum_cold = cs ? curve(h, cs, n, align, CALIB_COLD) : -1 };
    }
    return e;
}

uint64_t rx_host_byte_cost(struct rx_host *h, const struct copy_routine *r, uint32_t n,
                           unsigned align, const struct sim_touch *t)
{
    if (!n)
        return 0;
    const struct cost_memo *e = costs_of(h, r, n, align);
    double hot = e->hot;
    if (hot < 0)
        hot = n / 8.0;                  /* no curve: a plain 8-bytes-a-cycle loop */
    double lines = (double)(t->hits + t->misses + t->transfers);
    if (lines <= 0)
        return (uint64_t)(hot * h->cfg.tsc_to_cpu + 0.5);
    /* A source line from memory costs what it costs the checksum routine, a
     * pure read: the profile's cold curves of copies also miss on their
     * destination, which here is the reader's hot user buffer. */
    double rhot = e->csum_hot, rcold = e->csum_cold;
    double miss_line = rhot >= 0 && rcold > rhot ? (rcold - rhot) / lines : 0;
    /* A line from another CPU's cache: the routine's own remote curve
     * (source just written elsewhere, destination hot), or a miss if none. */
    double remote = e->remote;
    double transfer_line = remote > hot ? (remote - hot) / lines : miss_line;
    double cycles = hot + miss_line * t->misses + transfer_line * t->transfers;
    return (uint64_t)(cycles * h->cfg.tsc_to_cpu + 0.5);
}

/* ---- latency histogram: 32 sub-buckets per power of two ----------------- */

static unsigned lat_bucket(sim_ps v)
{
    if (v < 32)
        return (unsigned)(v < 0 ? 0 : v);
    unsigned msb = 63 - (unsigned)__builtin_clzll((unsigned long long)v);
    unsigned sub = (unsigned)((uint64_t)v >> (msb - 5)) & 31;
    return (msb - 4) * 32 + sub;
}

static sim_ps lat_bucket_value(unsigned b)
{
    if (b < 32)
        return (sim_ps)b;
    unsigned msb = b / 32 + 4, sub = b % 32;
    return (sim_ps)(((uint64_t)(32 + sub)) << (msb - 5));
}

static void lat_record(struct rx_host *h, sim_ps v)
{
    unsigned b = lat_bucket(v);
    if (b >= LAT_BUCKETS)
        b = LAT_BUCKETS - 1;
    h->st.lat[b]++;
    h->st.lat_count++;
    if (v > h->st.lat_max)
        h->st.lat_max = v;
}

sim_ps rx_host_latency(const struct rx_host *h, double pct)
{
    if (!h->st.lat_count)
        return 0;
    uint64_t want = (uint64_t)(pct / 100.0 * (double)h->st.lat_count + 0.5);
    if (want < 1)
        want = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < LAT_BUCKETS; b++) {
        seen += h->st.lat[b];
        if (seen >= want)
            return lat_bucket_value(b) < h->st.lat_max ? lat_bucket_value(b) : h->st.lat_max;
    }
    return h->st.lat_max;
}

/* ---- buffers -------------------------------------------------------------- */

static void buf_put(struct rx_host *h, struct sim_cpu *cpu, struct skb_buf *b)
{
    if (--h->refs[b->id] == 0)
        h->cfg.recycle->release(h->recycle_state, h->pool, h->m, cpu, b);
}

/* The buffer of skb's chain holding frame byte *off; *off becomes the offset in it. */
static struct skb_buf *frame_buf_at(const struct skb *skb, uint32_t *off)
{
    struct skb_buf *b = skb->buf;
    for (; *off >= SKB_BUF_SIZE; *off -= SKB_BUF_SIZE)
        b = b->frag;
    return b;
}

/* skb's bytes in one piece: its buffer's own when it fits one (every
 * standard frame), else gathered from the chain into h->lin. */
static const uint8_t *frame_bytes(struct rx_host *h, const struct skb *skb)
{
    if (skb->len <= SKB_BUF_SIZE)
        return skb->buf->data;
    uint32_t off = 0;
    for (const struct skb_buf *b = skb->buf; off < skb->len; b = b->frag) {
        uint32_t k = skb->len - off < SKB_BUF_SIZE ? skb->len - off : SKB_BUF_SIZE;
        memcpy(h->lin + off, b->data, k);
        off += k;
    }
    return h->lin;
}

/* ---- chunks ---------------------------------------------------------------- */

/* A chunk that points into a buffer has no bytes of its own, so they are all
 * one size and are kept for reuse: one malloc per queued chunk in flight, not
 * per delivery.  Chunks with their own bytes come and go through malloc. */
static struct rx_chunk *chunk_new(struct rx_host *h, size_t own)
{
    if (!own && h->spare) {
        struct rx_chunk *c = h->spare;
        h->spare = c->next;
        return c;
    }
    return malloc(sizeof(struct rx_chunk) + own);
}

static void chunk_free(struct rx_host *h, struct rx_chunk *c)
{
    if (c->buf) {
        c->next = h->spare;
        h->spare = c;
    } else {
        free(c);
    }
}

/* ---- sockets and readers ------------------------------------------------- */

static void reader_run(struct sim_work *w, struct sim_cpu *cpu);

static struct rx_sock *sock_get(struct rx_host *h, struct tcp_conn *c, int dir)
{
    struct tcp_dir *d = &c->dir[dir];
    if (d->app)
        return d->app;
    struct rx_sock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->user_buf = malloc(h->cfg.msg_size);
    if (!s->user_buf) {
        free(s);
        return NULL;
    }
    s->host = h;
    s->conn = c;
    s->dir = dir;
    s->cpu = -1;
    s->blocked = true;                  /* the reader starts waiting in recv() */
    s->reader = (struct sim_work){ .level = SIM_LEVEL_PROCESS, .run = reader_run, .arg = s, .name = s->name };
    char from[80];
    tcp_endpoint_format(&c->ep[dir], c->ip_version, from, sizeof from);
    snprintf(s->name, sizeof s->name, "reader %s", from);
    s->user_addr = sim_cache_region(&h->m->cache, h->cfg.msg_size);
    s->sock_addr = sim_cache_region(&h->m->cache, SIM_CACHE_LINE);
    sha256_init(&s->sha);
    s->next_all = h->socks;
    h->socks = s;
    d->app = s;
    return s;
}

static bool cpu_idle(const struct sim_cpu *c)
{
    if (c->running)
        return false;
    for (int l = 0; l < SIM_LEVEL__COUNT; l++)
        if (c->head[l])
            return false;
    return true;
}

static int reader_cpu(struct rx_host *h, struct rx_sock *s, int waker)
{
    switch (h->cfg.app) {
    case APP_FIXED:
        return h->cfg.app_cpu;
    case APP_WAKER:
        return waker;
    case APP_FLOAT:
    default: {
        int idle[SIM_MAX_CPUS], n = 0;
        for (int i = 0; i < h->m->ncpus; i++)
            if (cpu_idle(&h->m->cpu[i]))
                idle[n++] = i;
        if (!n)
            return s->cpu >= 0 ? s->cpu : waker;
        return idle[sim_rng_below(&h->m->rng, (uint64_t)n)];
    }
    }
}

static void reader_submit(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct rx_sock *s = ev->arg;
    sim_cpu_submit(&s->host->m->cpu[s->cpu], &s->reader);
}

static void wake_reader(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    int target = reader_cpu(h, s, cpu->id);
    sim_machine_charge(h->m, cpu, SIM_FN_WAKE_UP, SIM_COST_WAKEUP);
    if (target != cpu->id) {
        sim_machine_charge_more(h->m, cpu, SIM_FN_WAKE_UP, SIM_COST_WAKEUP_IPI);   /* same call */
        h->st.wakeup_ipis++;
    }
    sim_machine_touch(h->m, cpu, SIM_FN_WAKE_UP, s->sock_addr, SIM_CACHE_LINE, true);
    if (s->cpu >= 0 && s->cpu != target)
        s->migrations++;
    s->cpu = target;
    s->blocked = false;
    s->woken = true;
    s->wakeups++;
    h->st.wakeups++;
    /* The reader becomes runnable when the wakeup happens, inside this item. */
    if (sim_schedule_fn(&h->m->q, sim_cpu_now(cpu), reader_submit, s) < 0)
        abort();
}

static void reader_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct rx_sock *s = w->arg;
    struct rx_host *h = s->host;

    if (s->woken) {                     /* switched in after a wakeup */
        sim_machine_charge(h->m, cpu, SIM_FN_SCHEDULE, SIM_COST_SCHEDULE);
        s->woken = false;
    }
    if (!s->head) {                     /* nothing to read: block in recv() */
        s->blocked = true;
        return;
    }
    sim_machine_charge(h->m, cpu, SIM_FN_TCP_RECVMSG, SIM_COST_RECVMSG);
    sim_machine_touch(h->m, cpu, SIM_FN_TCP_RECVMSG, s->sock_addr, SIM_CACHE_LINE, true);
    uint32_t done = 0;
    while (done < h->cfg.msg_size && s->head) {
        struct rx_chunk *c = s->head;
        uint32_t k = c->len - s->head_off;
        if (k > h->cfg.msg_size - done)
            k = h->cfg.msg_size - done;
        h->cfg.csum->copy_out(h, cpu, c, s->head_off, s->user_buf + done, s->user_addr + done, k);
        done += k;
        s->head_off += k;
        if (s->head_off == c->len) {
            lat_record(h, sim_cpu_now(cpu) - c->arrival);
            s->head = c->next;
            if (!s->head)
                s->tail = NULL;
            s->head_off = 0;
            if (c->buf)
                buf_put(h, cpu, c->buf);
            chunk_free(h, c);
        }
    }
    if (h->cfg.app_cycles_per_byte > 0)
        sim_cpu_charge(cpu, SIM_FN_APP_WORK, (uint64_t)(h->cfg.app_cycles_per_byte * done + 0.5));
    if (h->cfg.hash)
        h->cfg.hash(h->cfg.hash_ctx, &s->sha, s->user_buf, done);
    else
        sha256_update(&s->sha, done, s->user_buf);
    s->queued -= done;
    s->bytes_read += done;
    s->reads++;
    h->st.bytes_read += done;
    h->st.last_read = sim_cpu_now(cpu);
    sim_cpu_submit(cpu, &s->reader);    /* the loop's next recv() */
}

static void sock_queue(struct rx_sock *s, struct rx_chunk *ch)
{
    ch->next = NULL;
    if (s->tail)
        s->tail->next = ch;
    else
        s->head = ch;
    s->tail = ch;
    s->queued += ch->len;
}

/* The functional core's in-order bytes: queued as chunks of the buffers they
 * arrived in (one per buffer of a chain they span), or copied when they come
 * from the out-of-order queue. */
static void on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                       uint32_t n)
{
    struct rx_host *h = ctx;
    struct rx_sock *s = sock_get(h, c, dir);
    bool in_frame = n && p >= skb->data && p + n <= skb->data + skb->len;
    if (!s)
        abort();                        /* the model cannot go on without its bytes */
    if (in_frame) {
        uint32_t off = (uint32_t)(p - skb->data);
        struct skb_buf *b = frame_buf_at(skb, &off);
        do {
            struct rx_chunk *ch = chunk_new(h, 0);
            if (!ch)
                abort();
            ch->len = n < SKB_BUF_SIZE - off ? n : SKB_BUF_SIZE - off;
            ch->arrival = skb->arrival;
            ch->buf = b;
            ch->data = b->data + off;
            ch->addr = b->data_addr + off;
            h->refs[b->id]++;
            sock_queue(s, ch);
            n -= ch->len;
            off = 0;
            b = b->frag;
        } while (n);
    } else {
        struct rx_chunk *ch = chunk_new(h, n);
        if (!ch)
            abort();
        ch->len = n;
        ch->arrival = skb->arrival;
        memcpy(ch->own, p, n);
        ch->buf = NULL;
        ch->data = ch->own;
        ch->addr = sim_cache_region(&h->m->cache, n);
        sock_queue(s, ch);
    }
    if (!s->in_pass) {                  /* first bytes for s in this pass: wake it at the end */
        s->in_pass = true;
        s->next_woke = NULL;
        *h->woke_tail = s;
        h->woke_tail = &s->next_woke;
    }
}

/* ---- protocol passes ----------------------------------------------------- */

static bool reached_tcp(int rc, enum rx_drop why)
{
    return rc == 0 || why == RX_DROP_TCP_CSUM || why == RX_DROP_TCP_OLD_DATA ||
           why == RX_DROP_TCP_OOO_LIMIT || why == RX_DROP_TCP_CLOSED || why == RX_DROP_NO_MEMORY;
}

static uint64_t flow_of(const struct skb *skb)
{
    uint64_t hsh = 1469598103934665603ull;
    size_t alen = skb->ip_version == 4 ? 4 : 16;
    const uint8_t *parts[3] = { skb->saddr, skb->daddr, skb->data + skb->l4_off };
    size_t lens[3] = { alen, alen, 4 };
    for (int i = 0; i < 3; i++)
        for (size_t k = 0; k < lens[i]; k++)
            hsh = (hsh ^ parts[i][k]) * 1099511628211ull;
    return hsh;
}

void rx_host_protocol_pass(struct rx_host *h, struct sim_cpu *cpu, struct skb *skbs, int n, bool merged)
{
    struct sim_machine *m = h->m;
    uint64_t last_flow = 0;
    int data_segs = 0;

    h->st.passes++;
    h->st.pass_frames += (uint64_t)n;
    sim_machine_charge(m, cpu, SIM_FN_NETIF_RECEIVE, SIM_COST_NETIF_RECEIVE);
    for (int i = 0; i < n; i++) {
        struct skb *skb = &skbs[i];
        struct skb_buf *b = skb->buf;
        if (merged)                     /* merging is inside the pass's one netif_receive_skb call */
            sim_machine_charge_more(m, cpu, SIM_FN_NETIF_RECEIVE, SIM_COST_GRO_MERGE);

        skb->data = frame_bytes(h, skb);
        enum rx_drop why = RX_DROP__COUNT;
        for (struct skb_buf *x = b; x; x = x->frag)
            h->refs[x->id]++;           /* the pass's own reference */
        uint64_t ip_before = h->ns.st.ipv4 + h->ns.st.ipv6;
        int rc = netstack_rx(&h->ns, skb, &why);
        /* Reading the frame's metadata and headers: ip_rcv's call when the
         * frame reached IP (one call per such frame), else part of the
         * pass's netif_receive_skb call, which found it was not IP.  The
         * functional core touches no simulated memory, so touching after it
         * gives the same cache outcomes as before it. */
        enum sim_function hdr_fn = SIM_FN_NETIF_RECEIVE;
        if (h->ns.st.ipv4 + h->ns.st.ipv6 != ip_before) {
            hdr_fn = SIM_FN_IP_RCV;
            sim_machine_call(m, cpu, SIM_FN_IP_RCV);
        }
        sim_machine_touch(m, cpu, hdr_fn, b->meta_addr, SIM_CACHE_LINE, true);
        sim_machine_touch(m, cpu, hdr_fn, b->data_addr, skb->len < HEADER_BYTES ? skb->len : HEADER_BYTES, false);
        if (rc < 0)
            h->st.drops[why]++;
        if (skb->ip_version && reached_tcp(rc, why)) {
            /* One socket lookup per flow run; per packet unless merged or
             * batched (then the flow hash is not needed). */
            bool lookup = true;
            if (merged || n > 1) {
                uint64_t flow = flow_of(skb);
                lookup = i == 0 || flow != last_flow;
                last_flow = flow;
            }
            if (lookup)
                sim_machine_charge(m, cpu, SIM_FN_TCP_RCV, SIM_COST_TCP_RCV);
            /* One checksum call per buffer the segment lies in, as
             * skb_checksum() walks an skb's fragments. */
            uint32_t off = skb->l4_off, left = skb->l4_len;
            struct skb_buf *x = frame_buf_at(skb, &off);
            do {
                uint32_t k = left < SKB_BUF_SIZE - off ? left : SKB_BUF_SIZE - off;
                h->cfg.csum->rx_verify(h, cpu, x->data + off, x->data_addr + off, k);
                left -= k;
                off = 0;
                x = x->frag;
            } while (left);
            if (rc == 0 && (!merged || i == 0))
                sim_machine_charge(m, cpu, SIM_FN_TCP_DATA_QUEUE, SIM_COST_TCP_QUEUE);
            uint32_t hlen = (uint32_t)(skb->data[skb->l4_off + 12] >> 4) * 4;
            if (rc == 0 && skb->l4_len > hlen && (!merged || i == 0))
                data_segs++;
        }
        while (b) {                     /* freed here unless a socket holds them */
            struct skb_buf *next = b->frag;
            buf_put(h, cpu, b);
            b = next;
        }
    }
    /* Delayed ACK: one for every second data segment TCP saw. */
    h->segs_since_ack += (uint32_t)data_segs;
    while (h->segs_since_ack >= 2) {
        h->segs_since_ack -= 2;
        h->st.acks++;
        sim_machine_charge(m, cpu, SIM_FN_TCP_ACK, SIM_COST_TCP_ACK);
    }
    while (h->woke_head) {
        struct rx_sock *s = h->woke_head;
        h->woke_head = s->next_woke;
        s->next_woke = NULL;
        s->in_pass = false;
        if (s->blocked && !s->woken)
            wake_reader(h, cpu, s);
    }
    h->woke_tail = &h->woke_head;
}

bool rx_frame_tcp(struct rx_host *h, const struct skb *f, struct rx_tcp_info *out)
{
    struct skb skb = {
        .data = frame_bytes(h, f), .len = f->len, .wire_len = f->wire_len,
        .l2 = f->l2, .l3_off = f->l3_off, .l3_proto = f->l3_proto,
    };
    enum rx_drop why;
    if (skb.l2 == SKB_L2_ETHERNET && eth_rx(&skb, &why) < 0)
        return false;
    if (skb.l3_off > skb.len)
        return false;
    if (skb.l3_proto == ETHERTYPE_IPV4 ? ip4_rx(&skb, false, &why) < 0
        : skb.l3_proto == ETHERTYPE_IPV6 ? ip6_rx(&skb, &why) < 0 : true)
        return false;
    struct tcp_seg seg;
    if (tcp_parse(&skb, &seg, &why) < 0)
        return false;
    out->flow = flow_of(&skb);
    out->seq = seg.seq;
    out->len = seg.len;
    out->flags = seg.flags;
    return true;
}

uint64_t rx_host_unread(const struct rx_host *h)
{
    uint64_t n = 0;
    for (const struct rx_sock *s = h->socks; s; s = s->next_all)
        n += s->queued;
    return n;
}

/* ---- the NIC side --------------------------------------------------------- */

static void nic_rx(void *ctx, struct sim_cpu *cpu, const struct skb *skb)
{
    struct rx_host *h = ctx;
    struct skb copy = *skb;             /* the policy may hold it past the poll's descriptor */
    h->st.frames++;
    h->cfg.deliver->rx(h->deliver_state, h, cpu, &copy);
}

static void nic_flush(void *ctx, struct sim_cpu *cpu)
{
    struct rx_host *h = ctx;
    h->cfg.deliver->flush(h->deliver_state, h, cpu);
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
    return (struct nic_stack_ops){ .rx = nic_rx, .flush = nic_flush, .dropped = nic_dropped, .ctx = h };
}

int rx_host_init(struct rx_host *h, const struct rx_host_config *cfg, struct sim_machine *m,
                 struct skb_pool *pool, void *recycle_state, const char **err)
{
    *h = (struct rx_host){ .cfg = *cfg, .m = m, .pool = pool, .recycle_state = recycle_state };
    h->woke_tail = &h->woke_head;
    *err = NULL;
    h->refs = calloc(pool->count, sizeof *h->refs);
    h->lin = malloc(SKB_FRAME_MAX);
    struct netstack_config ncfg = { .verify_csum = cfg->verify_csum, .ooo_limit = cfg->ooo_limit,
                                    .ooo_budget = cfg->ooo_budget, .max_conns = cfg->max_conns,
                                    .deliver = on_deliver, .ctx = h };
    if (!h->refs || !h->lin || netstack_init(&h->ns, &ncfg) < 0) {
        free(h->refs);
        free(h->lin);
        *err = "out of memory";
        return -1;
    }
    if (cfg->deliver->create) {
        h->deliver_state = cfg->deliver->create(h, cfg->deliver_arg, err);
        if (!h->deliver_state) {
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
    struct rx_sock *s = h->socks;
    while (s) {
        struct rx_sock *next = s->next_all;
        struct rx_chunk *c = s->head;
        while (c) {
            struct rx_chunk *cn = c->next;
            if (c->buf)
                buf_put(h, &h->m->cpu[0], c->buf);
            free(c);
            c = cn;
        }
        s->conn->dir[s->dir].app = NULL;
        free(s->user_buf);
        free(s);
        s = next;
    }
    while (h->spare) {
        struct rx_chunk *c = h->spare;
        h->spare = c->next;
        free(c);
    }
    if (h->cfg.deliver->destroy)
        h->cfg.deliver->destroy(h->deliver_state);
    netstack_fini(&h->ns);
    free(h->refs);
    free(h->lin);
}
