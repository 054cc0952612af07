/* netstack/ip4.c: IPv4 receive, a ladder of early exits in ip_rcv_core()'s
 * order: version, header length, total length against what was captured,
 * header checksum, fragments, protocol; in three rungs (ip.h). */
#include "netstack/ip.h"

#include "copy/csum.h"
#include "netstack/eth.h"

int ip4_rx_header(struct skb *skb, enum rx_drop *why)
{
    uint32_t avail = skb->len - skb->l3_off;      /* eth_rx/linktype keep l3_off <= len */
    const uint8_t *ip = skb->data + skb->l3_off;

    if (avail < 20) {
        *why = skb_short_reason(skb, RX_DROP_IP_HDR);
        return -1;
    }
    uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
    if ((ip[0] >> 4) != 4 || ihl < 20) {
        *why = RX_DROP_IP_HDR;
        return -1;
    }
    if (ihl > avail) {
        *why = skb_short_reason(skb, RX_DROP_IP_HDR);
        return -1;
    }
    uint32_t tot_len = (uint32_t)ip[2] << 8 | ip[3];
    if (tot_len < ihl) {                /* includes BIG TCP's tot_len 0 */
        *why = RX_DROP_IP_HDR;
        return -1;
    }
    if (tot_len > avail) {
        /* Bytes the wire had but the capture lost, or a length field that lies. */
        uint32_t wire_avail = skb->wire_len > skb->l3_off ? skb->wire_len - skb->l3_off : 0;
        *why = tot_len <= wire_avail ? RX_DROP_TRUNCATED : RX_DROP_IP_HDR;
        uint16_t frag = (uint16_t)(ip[6] << 8 | ip[7]);
        if (*why == RX_DROP_TRUNCATED && ip[9] == IPPROTO_TCP_NUM && !(frag & 0x3fff)) {
            /* Still dropped, but the report can name the direction whose
             * payload the snaplen cut (netstack_rx: note_uncaptured). */
            skb->ip_version = 4;
            skb->saddr = ip + 12;
            skb->daddr = ip + 16;
            skb->l4_off = skb->l3_off + ihl;
            skb->l4_len = tot_len - ihl;
        }
        return -1;
    }
    return 0;
}

bool ip4_csum_ok(const struct skb *skb)
{
    const uint8_t *ip = skb->data + skb->l3_off;
    return csum_fold(csum_partial(ip, (uint32_t)(ip[0] & 0x0f) * 4, 0)) == 0;
}

int ip4_rx_payload(struct skb *skb, enum rx_drop *why)
{
    const uint8_t *ip = skb->data + skb->l3_off;
    uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
    uint32_t tot_len = (uint32_t)ip[2] << 8 | ip[3];
    uint16_t frag = (uint16_t)(ip[6] << 8 | ip[7]);
    if (frag & 0x3fff) {                /* MF set or offset non-zero */
        *why = RX_DROP_IP_FRAG;
        return -1;
    }
    if (ip[9] != IPPROTO_TCP_NUM) {
        *why = RX_DROP_NOT_TCP;
        return -1;
    }
    skb->ip_version = 4;
    skb->saddr = ip + 12;
    skb->daddr = ip + 16;
    skb->l4_off = skb->l3_off + ihl;
    skb->l4_len = tot_len - ihl;
    return 0;
}
