/* netstack/eth.h: Ethernet II with 802.1Q / 802.1ad (QinQ) tags, the part of a
 * driver's eth_type_trans() that finds the network layer. */
#ifndef RXSIM_NETSTACK_ETH_H
#define RXSIM_NETSTACK_ETH_H

#include "netstack/drop.h"
#include "netstack/skb.h"

#define ETH_HLEN 14
#define ETH_MAX_VLAN_TAGS 8     /* deeper stacks are malformed, not walked */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* Sets skb->l3_off, l3_proto, vlan_tags.  0, or -1 with *why set. */
int eth_rx(struct skb *skb, enum rx_drop *why);

/* The walk eth_rx() does, for code that only peeks at a frame (RSS, the
 * host filter): past the tags of the Ethernet header at p[0..len), where the
 * network header starts and its Ethertype.  Number of tags (>= 0); -1 when
 * the header is cut short, -2 when it has more than ETH_MAX_VLAN_TAGS tags. */
int eth_find_l3(const uint8_t *p, uint32_t len, uint32_t *l3_off, uint16_t *ethertype);

/* The reason for a header cut short: TRUNCATED when the capture lost bytes
 * the wire had, otherwise the layer's own malformed-header reason. */
static inline enum rx_drop skb_short_reason(const struct skb *skb, enum rx_drop malformed)
{
    return skb->len < skb->wire_len ? RX_DROP_TRUNCATED : malformed;
}

#endif
