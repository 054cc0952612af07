/* netstack/eth.c: Ethernet II and VLAN tag walk (see eth.h).
 * Tags: 0x8100 (802.1Q), 0x88a8 (802.1ad) and 0x9100 (pre-standard QinQ). */
#include "netstack/eth.h"

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static int is_vlan_tpid(uint16_t t)
{
    return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

int eth_find_l3(const uint8_t *p, uint32_t len, uint32_t *l3_off, uint16_t *ethertype)
{
    if (len < ETH_HLEN)
        return -1;
    uint32_t off = 12;
    uint16_t type = rd16(p + off);
    int tags = 0;
    while (is_vlan_tpid(type)) {
        if (++tags > ETH_MAX_VLAN_TAGS)
            return -2;
        off += 4;                       /* TPID+TCI consumed; next type field */
        if (len < off + 2)
            return -1;
        type = rd16(p + off);
    }
    *l3_off = off + 2;
    *ethertype = type;
    return tags;
}

int eth_rx(struct skb *skb, enum rx_drop *why)
{
    uint32_t off;
    uint16_t type;
    int tags = eth_find_l3(skb->data, skb->len, &off, &type);
    if (tags < 0) {
        /* Too many tags is malformed; cut short may be the capture's doing. */
        *why = tags == -2 ? RX_DROP_LINK_HDR : skb_short_reason(skb, RX_DROP_LINK_HDR);
        return -1;
    }
    if (type < 0x0600) {                /* 802.3 length field: LLC/SNAP, not IP here */
        *why = RX_DROP_NOT_IP;
        return -1;
    }
    skb->l3_proto = type;
    skb->l3_off = off;
    skb->vlan_tags = (uint8_t)tags;
    return 0;
}
