/* drivers/nic_trace.c: see nic_trace.h. */
#include "drivers/nic_trace.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/rss.h"
#include "netstack/eth.h"
#include "traces/linktype.h"
#include "traces/trace_feed.h"

int nic_trace_set_host(struct nic_trace *ns, const char *addr)
{
    uint8_t a[16] = {0};
    uint8_t v;
    if (inet_pton(AF_INET, addr, a) == 1)
        v = 4;
    else if (inet_pton(AF_INET6, addr, a) == 1)
        v = 6;
    else
        return -1;
    ns->nhosts = 0;
    return nic_trace_add_host(ns, v, a);
}

int nic_trace_add_host(struct nic_trace *ns, uint8_t v, const uint8_t *addr)
{
    if (ns->nhosts >= NIC_TRACE_MAX_HOSTS || (v != 4 && v != 6))
        return -1;
    struct nic_trace_host *h = &ns->hosts[ns->nhosts++];
    memset(h, 0, sizeof *h);
    h->v = v;
    memcpy(h->addr, addr, v == 4 ? 4 : 16);
    ns->any_host = false;
    return 0;
}

void nic_trace_copy_host(struct nic_trace *dst, const struct nic_trace *src)
{
    dst->any_host = src->any_host;
    dst->nhosts = src->nhosts;
    memcpy(dst->hosts, src->hosts, sizeof dst->hosts);
}

/* Where the IP header starts and what it is, the link header being lf
 * (linktype_decap's): 4 or 6, 0 when not IP. */
static int ip_at(const struct linktype_frame *lf, const uint8_t *p, uint32_t caplen, uint32_t *off)
{
    uint32_t o = lf->offset;
    uint16_t type = lf->ethertype;
    if (lf->l2 == LINKTYPE_L2_ETHERNET) {
        uint32_t l3;
        if (eth_find_l3(p + o, caplen - o, &l3, &type) < 0)
            return 0;
        o += l3;
    }
    *off = o;
    if (type == 0x0800 && caplen >= o + 20)
        return 4;
    if (type == 0x86dd && caplen >= o + 40)
        return 6;
    return 0;
}

/* The same from the raw record. */
static int ip_of(int dlt, const uint8_t *p, uint32_t caplen, uint32_t *off)
{
    struct linktype_frame lf;
    return linktype_decap(dlt, p, caplen, &lf) < 0 ? 0 : ip_at(&lf, p, caplen, off);
}

/* The destination table of the guess: open addressing over (version,
 * address), doubled at half load up to GUESS_MAX_ADDRS entries. */
#define GUESS_MAX_ADDRS (1u << 18)

struct guess_slot {
    uint8_t v;                  /* 0: empty */
    uint8_t addr[16];
    uint64_t payload;
    uint64_t order;             /* first seen: ties go to the earlier */
};

struct guess_table {
    struct guess_slot *slot;
    uint32_t cap, len;
    bool full;
};

static uint32_t addr_hash(uint8_t v, const uint8_t *a)
{
    uint32_t h = 2166136261u ^ v;
    for (int i = 0; i < (v == 4 ? 4 : 16); i++)
        h = (h ^ a[i]) * 16777619u;
    return h;
}

static struct guess_slot *guess_find(struct guess_table *g, uint8_t v, const uint8_t *a)
{
    size_t alen = v == 4 ? 4 : 16;
    if (g->cap) {
        for (uint32_t j = addr_hash(v, a) & (g->cap - 1); g->slot[j].v; j = (j + 1) & (g->cap - 1))
            if (g->slot[j].v == v && !memcmp(g->slot[j].addr, a, alen))
                return &g->slot[j];
    }
    if (g->len >= GUESS_MAX_ADDRS) {
        g->full = true;
        return NULL;
    }
    if ((g->len + 1) * 2 > g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 64;
        struct guess_slot *s = calloc(cap, sizeof *s);
        if (!s) {
            g->full = true;
            return NULL;
        }
        for (uint32_t i = 0; i < g->cap; i++) {
            if (!g->slot[i].v)
                continue;
            uint32_t j = addr_hash(g->slot[i].v, g->slot[i].addr) & (cap - 1);
            while (s[j].v)
                j = (j + 1) & (cap - 1);
            s[j] = g->slot[i];
        }
        free(g->slot);
        g->slot = s;
        g->cap = cap;
    }
    uint32_t j = addr_hash(v, a) & (g->cap - 1);
    while (g->slot[j].v)
        j = (j + 1) & (g->cap - 1);
    g->slot[j].v = v;
    memcpy(g->slot[j].addr, a, alen);
    g->slot[j].order = g->len++;
    return &g->slot[j];
}

static int guess_from(struct trace *t, struct nic_trace_guess *out)
{
    struct guess_table g = {0};
    struct trace_err err;
    struct trace_record rec;
    int dlt = trace_linktype(t);
    *out = (struct nic_trace_guess){0};
    bool have_syn = false;
    uint8_t syn_v = 0, syn_addr[16] = {0};
    while (trace_next(t, &rec, &err) == 1) {
        uint32_t off;
        int v = ip_of(dlt, rec.data, rec.caplen, &off);
        if (!v)
            continue;
        const uint8_t *ip = rec.data + off;
        uint32_t ihl = v == 4 ? (uint32_t)(ip[0] & 15) * 4 : 40;
        uint8_t proto = v == 4 ? ip[9] : ip[6];
        if (proto != 6 || ihl < 20 || rec.caplen < off + ihl + 20)
            continue;
        if (v == 4 && ((ip[6] & 0x1f) || ip[7]))
            continue;                           /* a later fragment: no TCP header here */
        const uint8_t *th = ip + ihl;
        const uint8_t *daddr = v == 4 ? ip + 16 : ip + 24;
        /* The payload the sender sent, from the IP length fields (a capture
         * cut by its snaplen still counts what was on the wire). */
        uint32_t tot = v == 4 ? (uint32_t)(ip[2] << 8 | ip[3]) : (uint32_t)(ip[4] << 8 | ip[5]) + 40;
        uint32_t hdrs = ihl + (uint32_t)(th[12] >> 4) * 4;
        uint32_t payload = tot > hdrs ? tot - hdrs : 0;
        if (!have_syn && (th[13] & 0x12) == 0x02) {
            have_syn = true;
            syn_v = (uint8_t)v;
            memcpy(syn_addr, daddr, v == 4 ? 4 : 16);
        }
        if (!payload)
            continue;
        out->total_payload += payload;
        struct guess_slot *sl = guess_find(&g, (uint8_t)v, daddr);
        if (sl)
            sl->payload += payload;
    }
    const struct guess_slot *best = NULL;
    for (uint32_t i = 0; i < g.cap; i++) {
        const struct guess_slot *sl = &g.slot[i];
        if (sl->v && (!best || sl->payload > best->payload ||
                      (sl->payload == best->payload && sl->order < best->order)))
            best = sl;
    }
    out->addresses = g.len;
    out->table_full = g.full;
    if (best) {
        out->how = NIC_TRACE_GUESS_PAYLOAD;
        out->v = best->v;
        memcpy(out->addr, best->addr, 16);
        out->host_payload = best->payload;
    } else if (have_syn) {
        out->how = NIC_TRACE_GUESS_SYN;
        out->v = syn_v;
        memcpy(out->addr, syn_addr, 16);
    }
    free(g.slot);
    if (out->how == NIC_TRACE_GUESS_NONE)
        return -1;
    inet_ntop(out->v == 4 ? AF_INET : AF_INET6, out->addr, out->text, sizeof out->text);
    return 0;
}

void nic_trace_guess_ahead(struct trace *t)
{
    struct trace *own = trace_feed_private(t);
    if (!own)
        return;
    struct nic_trace_guess g;
    guess_from(own, &g);
    trace_feed_remember(t, own, &g, sizeof g);
}

/* A trace read through a shared feed (rxsim compare's rows in one process,
 * traces/trace_feed.h) is guessed once per feed, on a private reading, and
 * every later asker gets that answer and the lines the reading printed. */
int nic_trace_guess_host(struct trace *t, struct nic_trace_guess *out)
{
    if (trace_feed_recall(t, out, sizeof *out))
        return out->how == NIC_TRACE_GUESS_NONE ? -1 : 0;
    struct trace *own = trace_feed_private(t);
    if (!own)
        return guess_from(t, out);
    int rc = guess_from(own, out);
    trace_feed_remember(t, own, out, sizeof *out);
    trace_feed_recall(t, out, sizeof *out);     /* prints what the reading printed */
    return rc;
}

static bool to_host(const struct nic_trace *ns, int v, const uint8_t *daddr)
{
    for (int i = 0; i < ns->nhosts; i++)
        if (ns->hosts[i].v == v && !memcmp(ns->hosts[i].addr, daddr, v == 4 ? 4 : 16))
            return true;
    return false;
}

/* --nics: the first-appearance table, open addressing over sorted 4-tuples.
 * Keys are hashed and compared as bytes, so the padding is a named field
 * (zeroed with the rest): no byte of a key is left unspecified. */
struct flow_key {
    uint8_t v;
    uint8_t a[2][16];
    uint8_t pad;
    uint16_t port[2];
};
_Static_assert(sizeof(struct flow_key) == 38, "flow_key has no unnamed padding");

struct flow_slot {
    struct flow_key k;
    uint32_t order;
    bool used;
};

struct nic_trace_flows {
    struct flow_slot *slot;
    uint32_t cap, len;
};

static uint32_t flow_hash(const struct flow_key *k)
{
    const uint8_t *p = (const uint8_t *)k;
    uint32_t h = 2166136261u;                   /* FNV-1a */
    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int flows_grow(struct nic_trace_flows *fl)
{
    uint32_t cap = fl->cap ? fl->cap * 2 : 256;
    struct flow_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (uint32_t i = 0; i < fl->cap; i++) {
        if (!fl->slot[i].used)
            continue;
        uint32_t j = flow_hash(&fl->slot[i].k) & (cap - 1);
        while (s[j].used)
            j = (j + 1) & (cap - 1);
        s[j] = fl->slot[i];
    }
    free(fl->slot);
    fl->slot = s;
    fl->cap = cap;
    return 0;
}

/* The connection's order of first appearance, or its hash once the table is
 * full (or memory is short). */
static uint32_t flow_order(struct nic_trace *ns, const struct flow_key *k)
{
    struct nic_trace_flows *fl = ns->flows;
    if (!fl && !(fl = ns->flows = calloc(1, sizeof *fl)))
        return flow_hash(k);
    if (fl->cap) {
        for (uint32_t j = flow_hash(k) & (fl->cap - 1); fl->slot[j].used; j = (j + 1) & (fl->cap - 1))
            if (!memcmp(&fl->slot[j].k, k, sizeof *k))
                return fl->slot[j].order;
    }
    if (fl->len >= NIC_TRACE_MAX_FLOWS || ((fl->len + 1) * 2 > fl->cap && flows_grow(fl) < 0))
        return flow_hash(k);
    uint32_t j = flow_hash(k) & (fl->cap - 1);
    while (fl->slot[j].used)
        j = (j + 1) & (fl->cap - 1);
    fl->slot[j] = (struct flow_slot){ .k = *k, .order = fl->len++, .used = true };
    return fl->slot[j].order;
}

/* Which share a received frame belongs to, from the tuple its source read
 * (frames without TCP ports: share 0). */
static uint32_t share_of(struct nic_trace *ns, const struct skb *skb)
{
    const struct skb_tuple *t = &skb->tuple;
    if (!t->ports)
        return 0;
    int v = t->ip_version;
    const uint8_t *ip = skb->data + t->l3, *th = skb->data + t->l4;
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.v = (uint8_t)v;
    size_t alen = v == 4 ? 4 : 16;
    const uint8_t *sa = v == 4 ? ip + 12 : ip + 8, *da = v == 4 ? ip + 16 : ip + 24;
    uint16_t sp = (uint16_t)(th[0] << 8 | th[1]), dp = (uint16_t)(th[2] << 8 | th[3]);
    int c = memcmp(sa, da, alen);
    bool swap = c > 0 || (c == 0 && sp > dp);
    memcpy(k.a[0], swap ? da : sa, alen);
    memcpy(k.a[1], swap ? sa : da, alen);
    k.port[0] = swap ? dp : sp;
    k.port[1] = swap ? sp : dp;
    return flow_order(ns, &k) % ns->nshares;
}

int nic_trace_accept(struct nic_trace *ns, const struct trace_record *rec, struct skb *skb)
{
    bool counts = ns->share == 0;               /* one share counts what all skip */
    struct linktype_frame lf;
    if (linktype_decap(ns->dlt, rec->data, rec->caplen, &lf) < 0) {
        if (counts)
            ns->link_errors++;
        return 0;
    }
    uint32_t strip = lf.l2 == LINKTYPE_L2_ETHERNET ? lf.offset : 0;
    struct skb *f = skb;                        /* written in place, even when skipped */
    *f = (struct skb){
        .data = rec->data + strip,
        .netns = ns->netns,
        .ts_ns = rec->ts_ns,
        .frame_no = rec->index,
        .len = rec->caplen - strip,
        .wire_len = (rec->wirelen > rec->caplen ? rec->wirelen : rec->caplen) - strip,
        .l2 = lf.l2 == LINKTYPE_L2_ETHERNET ? SKB_L2_ETHERNET : SKB_L2_NONE,
        .l3_off = lf.l2 == LINKTYPE_L2_ETHERNET ? 0 : lf.offset,
        .l3_proto = lf.ethertype,
    };
    rss_peek(f);                                /* the headers read once, for all that follows */
    int v = f->tuple.ip_version;
    if (!ns->any_host && v && !to_host(ns, v, f->data + f->tuple.l3 + (v == 4 ? 16 : 24))) {
        if (counts)
            ns->skipped++;
        return 0;
    }
    if (ns->nshares > 1 && share_of(ns, f) != ns->share) {
        ns->not_mine++;
        return 0;
    }
    ns->ip_received += v != 0;
    return 1;
}

static int trace_next_frame(void *ctx, struct skb *f)
{
    struct nic_trace *ns = ctx;
    struct trace_record rec;
    for (;;) {
        int rc = trace_next(ns->t, &rec, &ns->err);
        if (rc < 0)
            ns->partial = true;
        if (rc <= 0)
            return rc;
        if (nic_trace_accept(ns, &rec, f))
            return 1;
    }
}

struct nic_source nic_trace_source(struct nic_trace *ns)
{
    ns->dlt = trace_linktype(ns->t);
    return (struct nic_source){ .next = trace_next_frame, .ctx = ns };
}

void nic_trace_fini(struct nic_trace *ns)
{
    if (!ns || !ns->flows)
        return;
    free(ns->flows->slot);
    free(ns->flows);
    ns->flows = NULL;
}
