/* netstack/ip6.c: IPv6 receive and a bounded walk of the extension-header
 * chain (RFC 8200 section 4): every header's length is checked against the
 * payload before it is stepped over, and at most IP6_MAX_EXT_HDRS are walked. */
#include "netstack/ip.h"

#include "netstack/eth.h"

enum {
    IP6_HOPOPTS = 0,
    IP6_ROUTING = 43,
    IP6_FRAGMENT = 44,
    IP6_ESP = 50,
    IP6_AH = 51,
    IP6_NONE = 59,
    IP6_DSTOPTS = 60,
    IP6_MOBILITY = 135,
};

int ip6_rx(struct skb *skb, enum rx_drop *why)
{
    uint32_t avail = skb->len - skb->l3_off;
    const uint8_t *ip = skb->data + skb->l3_off;

    if (avail < 40) {
        *why = skb_short_reason(skb, RX_DROP_IP_HDR);
        return -1;
    }
    if ((ip[0] >> 4) != 6) {
        *why = RX_DROP_IP_HDR;
        return -1;
    }
    uint32_t plen = (uint32_t)ip[4] << 8 | ip[5];
    if (plen == 0) {                    /* jumbogram or garbage: no jumbo support */
        *why = RX_DROP_IP_HDR;
        return -1;
    }
    if (40 + plen > avail) {
        uint32_t wire_avail = skb->wire_len > skb->l3_off ? skb->wire_len - skb->l3_off : 0;
        *why = 40 + plen <= wire_avail ? RX_DROP_TRUNCATED : RX_DROP_IP_HDR;
        if (*why == RX_DROP_TRUNCATED && ip[6] == IPPROTO_TCP_NUM) {
            /* Still dropped; the report names the direction (see ip4.c). */
            skb->ip_version = 6;
            skb->saddr = ip + 8;
            skb->daddr = ip + 24;
            skb->l4_off = skb->l3_off + 40;
            skb->l4_len = plen;
        }
        return -1;
    }

    uint8_t next = ip[6];
    uint32_t off = 40;                  /* from the IPv6 header's start */
    uint32_t end = 40 + plen;
    for (int walked = 0;; walked++) {
        if (next == IPPROTO_TCP_NUM)
            break;
        if (next == IP6_FRAGMENT) {
            *why = RX_DROP_IP_FRAG;
            return -1;
        }
        if (next != IP6_HOPOPTS && next != IP6_ROUTING && next != IP6_DSTOPTS &&
            next != IP6_AH && next != IP6_MOBILITY) {
            *why = RX_DROP_NOT_TCP;     /* UDP, ICMPv6, ESP, no-next-header, ... */
            return -1;
        }
        if (walked == IP6_MAX_EXT_HDRS || end - off < 8) {
            *why = RX_DROP_IP6_EXT;
            return -1;
        }
        const uint8_t *h = ip + off;
        uint32_t hlen = next == IP6_AH ? ((uint32_t)h[1] + 2) * 4 : ((uint32_t)h[1] + 1) * 8;
        if (hlen > end - off) {
            *why = RX_DROP_IP6_EXT;
            return -1;
        }
        next = h[0];
        off += hlen;
    }
    skb->ip_version = 6;
    skb->saddr = ip + 8;
    skb->daddr = ip + 24;
    skb->l4_off = skb->l3_off + off;
    skb->l4_len = end - off;
    return 0;
}
