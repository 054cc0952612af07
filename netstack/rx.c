/* netstack/rx.c: netstack_rx(), the receive ladder for one frame (the path of
 * netif_receive_skb → ip_rcv → tcp_v4_rcv → tcp_data_queue, without costs).
 * Every rung is an early exit with a reason; see netstack.h. */
#include "netstack/netstack.h"

#include "netstack/eth.h"
#include "netstack/ip.h"
#include "netstack/tcp.h"

int netstack_init(struct netstack *ns, const struct netstack_config *cfg)
{
    *ns = (struct netstack){ .cfg = *cfg };
    struct tcp_table_limits lim = { .ooo_limit = cfg->ooo_limit, .ooo_budget = cfg->ooo_budget,
                                    .max_conns = cfg->max_conns };
    return tcp_table_init(&ns->conns, &lim);
}

void netstack_fini(struct netstack *ns)
{
    tcp_table_fini(&ns->conns);
}

void netstack_count_drop(struct netstack *ns, enum rx_drop why)
{
    ns->st.frames++;
    ns->st.drops[why]++;
}

struct deliver_ctx {
    struct netstack *ns;
    const struct skb *skb;
    struct tcp_conn *c;
    int dir;
};

static void deliver_to_app(void *ctx, const uint8_t *p, uint32_t n)
{
    struct deliver_ctx *d = ctx;
    d->ns->cfg.deliver(d->ns->cfg.ctx, d->skb, d->c, d->dir, p, n);
}

/* A new client SYN on a 4-tuple whose connection has ended starts a new one. */
static bool is_new_incarnation(const struct tcp_conn *c, int dir, const struct tcp_seg *seg)
{
    return (seg->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && tcp_conn_ended(c) &&
           !(c->dir[dir].reasm.syn_seen && c->dir[dir].reasm.isn == seg->seq);
}

/* The rungs after the TCP header (netstack_parse() read it into skb->seg). */
static int tcp_rx(struct netstack *ns, struct skb *skb, enum rx_drop *why)
{
    const struct tcp_seg seg = skb->seg;
    ns->st.tcp_segs++;
    if (seg.opts.malformed)
        ns->st.opts_malformed++;

    int dir;
    struct tcp_conn *c = tcp_conn_lookup(&ns->conns, skb->netns, skb->ip_version, skb->saddr, skb->daddr,
                                         seg.sport, seg.dport, false, &dir);
    if (!c) {                           /* a new connection, if there is room */
        if (tcp_table_full(&ns->conns)) {
            *why = RX_DROP_CONN_TABLE_FULL;
            return -1;
        }
        c = tcp_conn_lookup(&ns->conns, skb->netns, skb->ip_version, skb->saddr, skb->daddr,
                            seg.sport, seg.dport, true, &dir);
        if (!c) {
            *why = RX_DROP_NO_MEMORY;
            return -1;
        }
    } else if (is_new_incarnation(c, dir, &seg)) {
        if (tcp_table_full(&ns->conns)) {
            *why = RX_DROP_CONN_TABLE_FULL;
            return -1;
        }
        c = tcp_conn_reincarnate(&ns->conns, c, dir);
        dir = 0;
        if (!c) {
            *why = RX_DROP_NO_MEMORY;
            return -1;
        }
    }
    if (!c->first_frame) {
        c->first_frame = skb->frame_no;
        c->first_ts_ns = skb->ts_ns;
    }
    c->last_frame = skb->frame_no;
    c->last_ts_ns = skb->ts_ns;

    struct tcp_dir *d = &c->dir[dir];
    d->segs++;
    d->payload_bytes += seg.len;
    if (ns->cfg.verify_csum && !tcp_csum_ok(skb)) {
        d->bad_csum++;
        d->bad_csum_offload += tcp_csum_like_tx_offload(skb);
        d->dropped++;
        *why = RX_DROP_TCP_CSUM;
        return -1;
    }
    if ((seg.flags & TCP_SYN) && !d->reasm.syn_seen)
        d->syn_opts = seg.opts;

    struct deliver_ctx dc = { ns, skb, c, dir };
    if (tcp_reasm_segment(&d->reasm, seg.seq, seg.flags, seg.payload, seg.len,
                          deliver_to_app, &dc, why) < 0) {
        d->dropped++;
        return -1;
    }
    if (seg.flags & TCP_RST)            /* a reset ends the connection both ways */
        c->dir[!dir].reasm.reset = true;
    if (tcp_conn_ended(c)) {            /* nothing more will be delivered */
        for (int k = 0; k < 2; k++)     /* what waited behind a hole is stranded for good */
            c->dir[k].stranded_at_close += tcp_reasm_pending(&c->dir[k].reasm);
        tcp_conn_close(&ns->conns, c);  /* frees the queues; may retire (free) c */
    }
    return 0;
}

/* A frame the snaplen cut (dropped as truncated): when its IP and TCP
 * headers were captured and it carried payload the file lacks, the direction
 * it belongs to counts a segment whose payload was not captured, so reports
 * say "payload not captured (snaplen N)" there instead of an empty stream. */
static void note_uncaptured(struct netstack *ns, const struct skb *skb)
{
    if (skb->l4_off > skb->len || skb->len - skb->l4_off < 20 || skb->l4_len < 20)
        return;
    const uint8_t *th = skb->data + skb->l4_off;
    uint32_t hlen = (uint32_t)(th[12] >> 4) * 4;
    if (hlen < 20 || hlen > skb->l4_len || hlen > skb->len - skb->l4_off)
        return;                         /* the TCP header itself was cut */
    uint32_t wire_payload = skb->l4_len - hlen;
    uint32_t captured = skb->len - skb->l4_off - hlen;
    if (wire_payload <= captured)
        return;
    int dir;
    struct tcp_conn *c = tcp_conn_lookup(&ns->conns, skb->netns, skb->ip_version, skb->saddr, skb->daddr,
                                         (uint16_t)(th[0] << 8 | th[1]), (uint16_t)(th[2] << 8 | th[3]),
                                         true, &dir);
    if (!c)
        return;
    if (!c->first_frame) {
        c->first_frame = skb->frame_no;
        c->first_ts_ns = skb->ts_ns;
    }
    c->last_frame = skb->frame_no;
    c->last_ts_ns = skb->ts_ns;
    struct tcp_dir *d = &c->dir[dir];
    d->uncaptured_segs++;
    d->uncaptured_bytes += wire_payload - captured;
    if (skb->len > d->uncaptured_snaplen)
        d->uncaptured_snaplen = skb->len;
}

void netstack_nic_drop(struct netstack *ns, struct skb *skb, enum rx_drop why)
{
    netstack_count_drop(ns, why);
    /* The headers, read as the ladder would (checksums aside), without
     * touching any stream: only which direction lost which bytes. */
    if (!skb->parsed)
        netstack_parse(skb);
    const struct tcp_seg seg = skb->seg;
    if (skb->depth < SKB_DEPTH_TCP || !seg.len)
        return;
    int dir;
    struct tcp_conn *c = tcp_conn_lookup(&ns->conns, skb->netns, skb->ip_version, skb->saddr, skb->daddr, seg.sport,
                                         seg.dport, true, &dir);
    if (!c)
        return;
    if (!c->first_frame) {
        c->first_frame = skb->frame_no;
        c->first_ts_ns = skb->ts_ns;
    }
    struct tcp_dir *d = &c->dir[dir];
    const struct tcp_reasm *r = &d->reasm;
    uint32_t start = seg.seq + ((seg.flags & TCP_SYN) ? 1u : 0u), end = start + seg.len;
    if (r->synced && !seq_after(end, r->rcv_nxt))
        return;                         /* all of it already delivered: nothing lost */
    if (r->synced && seq_before(start, r->rcv_nxt))
        start = r->rcv_nxt;
    d->nic_lost_segs++;
    d->nic_lost_bytes += end - start;
    if (!d->nic_lost_segs_any || seq_after(end, d->nic_lost_end))
        d->nic_lost_end = end;
    d->nic_lost_segs_any = true;
}

/* FNV-1a over the addresses and the ports: the key of the 4-tuple in one
 * direction, which delivery and the socket lookup compare. */
uint64_t netstack_flow(struct skb *skb)
{
    if (skb->flow_known)
        return skb->flow;
    uint64_t hsh = 1469598103934665603ull;
    size_t alen = skb->ip_version == 4 ? 4 : 16;
    const uint8_t *parts[3] = { skb->saddr, skb->daddr, skb->data + skb->l4_off };
    size_t lens[3] = { alen, alen, 4 };
    for (int i = 0; i < 3; i++)
        for (size_t k = 0; k < lens[i]; k++)
            hsh = (hsh ^ parts[i][k]) * 1099511628211ull;
    skb->flow_known = true;
    return skb->flow = hsh;
}

int netstack_parse(struct skb *skb)
{
    enum rx_drop why = RX_DROP__COUNT;
    skb->parsed = true;
    skb->flow_known = false;
    skb->depth = SKB_DEPTH_NONE;
    if (skb->l2 == SKB_L2_ETHERNET && eth_rx(skb, &why) < 0)
        goto out;
    if (skb->l3_off > skb->len) {
        why = RX_DROP_LINK_HDR;
        goto out;
    }
    if (skb->l3_proto != ETHERTYPE_IPV4 && skb->l3_proto != ETHERTYPE_IPV6) {
        why = RX_DROP_NOT_IP;
        goto out;
    }
    skb->depth = SKB_DEPTH_IP;
    if (skb->l3_proto == ETHERTYPE_IPV4) {
        if (ip4_rx_header(skb, &why) < 0)
            goto out;
        skb->depth = SKB_DEPTH_IP_CSUM;
        if (ip4_rx_payload(skb, &why) < 0)
            goto out;
    } else {
        if (ip6_rx(skb, &why) < 0)
            goto out;
        skb->depth = SKB_DEPTH_IP_CSUM;
    }
    skb->depth = SKB_DEPTH_L4;
    if (tcp_parse(skb, &skb->seg, &why) < 0)
        goto out;
    skb->depth = SKB_DEPTH_TCP;
out:
    skb->parse_why = why;
    return why == RX_DROP__COUNT ? 0 : -1;
}

int netstack_rx(struct netstack *ns, struct skb *skb, enum rx_drop *why)
{
    enum rx_drop reason;
    ns->st.frames++;

    if (!skb->parsed)
        netstack_parse(skb);
    reason = skb->parse_why;
    if (skb->depth >= SKB_DEPTH_IP) {
        if (skb->l3_proto == ETHERTYPE_IPV4) {
            ns->st.ipv4++;
            /* the checksum rung, between the header's fields and the rest */
            if (skb->depth >= SKB_DEPTH_IP_CSUM && ns->cfg.verify_csum && !ip4_csum_ok(skb)) {
                reason = RX_DROP_IP_CSUM;
                goto drop;
            }
        } else {
            ns->st.ipv6++;
        }
    }
    if (reason != RX_DROP__COUNT)
        goto drop;
    if (tcp_rx(ns, skb, &reason) < 0)
        goto drop;
    ns->st.consumed++;
    return 0;

drop:
    if (reason == RX_DROP_TRUNCATED && skb->ip_version)
        note_uncaptured(ns, skb);
    ns->st.drops[reason]++;
    if (why)
        *why = reason;
    return -1;
}
