/* netstack/tcp_in.c: TCP header parsing and checksum verdict, the first rungs
 * of tcp_v4_rcv()/tcp_v6_rcv().  Every length is checked against l4_len,
 * which ip4_rx_payload/ip6_rx already bounded by what was captured. */
#include "netstack/tcp.h"

#include "copy/csum.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void tcp_parse_options(const uint8_t *opt, uint32_t len, struct tcp_opts *o)
{
    uint32_t i = 0;
    *o = (struct tcp_opts){0};
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == 0)                  /* end of option list */
            return;
        if (kind == 1) {                /* NOP */
            i++;
            continue;
        }
        if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i) {
            o->malformed = true;
            return;
        }
        uint8_t olen = opt[i + 1];
        const uint8_t *v = opt + i + 2;
        switch (kind) {
        case 2:
            if (olen == 4) { o->has_mss = true; o->mss = rd16(v); }
            else o->malformed = true;
            break;
        case 3:
            if (olen == 3) { o->has_wscale = true; o->wscale = v[0] > 14 ? 14 : v[0]; }
            else o->malformed = true;
            break;
        case 4:
            if (olen == 2) o->sack_perm = true;
            else o->malformed = true;
            break;
        case 5:
            if ((olen - 2) % 8 == 0 && olen > 2) o->has_sack = true;
            else o->malformed = true;
            break;
        case 8:
            if (olen == 10) { o->has_ts = true; o->tsval = rd32(v); o->tsecr = rd32(v + 4); }
            else o->malformed = true;
            break;
        default:                        /* unknown kinds are skipped by their length */
            break;
        }
        i += olen;
    }
}

int tcp_parse(const struct skb *skb, struct tcp_seg *seg, enum rx_drop *why)
{
    const uint8_t *th = skb->data + skb->l4_off;
    if (skb->l4_len < 20) {
        *why = RX_DROP_TCP_HDR;
        return -1;
    }
    uint32_t hlen = (uint32_t)(th[12] >> 4) * 4;
    if (hlen < 20 || hlen > skb->l4_len) {
        *why = RX_DROP_TCP_HDR;
        return -1;
    }
    uint8_t flags = th[13];
    if ((flags & TCP_SYN) && (flags & (TCP_FIN | TCP_RST))) {
        *why = RX_DROP_TCP_FLAGS;
        return -1;
    }
    seg->sport = rd16(th);
    seg->dport = rd16(th + 2);
    seg->seq = rd32(th + 4);
    seg->ack = rd32(th + 8);
    seg->flags = flags;
    seg->window = rd16(th + 14);
    seg->hlen = hlen;
    seg->payload = th + hlen;
    seg->len = skb->l4_len - hlen;
    tcp_parse_options(th + 20, hlen - 20, &seg->opts);
    return 0;
}

static uint32_t pseudo_sum(const struct skb *skb)
{
    return skb->ip_version == 4 ? csum_pseudo_v4(skb->saddr, skb->daddr, 6, skb->l4_len)
                                : csum_pseudo_v6(skb->saddr, skb->daddr, 6, skb->l4_len);
}

bool tcp_csum_ok(const struct skb *skb)
{
    uint32_t sum = csum_partial(skb->data + skb->l4_off, skb->l4_len, pseudo_sum(skb));
    return csum_fold(sum) == 0;
}

bool tcp_csum_like_tx_offload(const struct skb *skb)
{
    const uint8_t *field = skb->data + skb->l4_off + 16;
    uint16_t stored = (uint16_t)(field[0] << 8 | field[1]);
    uint16_t folded = (uint16_t)~csum_fold(pseudo_sum(skb));
    return stored == folded;
}
