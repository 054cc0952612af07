/* netstack/ip.h: IPv4 and IPv6 receive: validate, find the transport header.
 *
 * IPv4 is three rungs, so that netstack_parse() reads the headers once and
 * netstack_rx() checks the header checksum at its place in the order:
 * ip4_rx_header() the header's own fields (version, IHL, lengths against
 * what was captured), ip4_csum_ok() the checksum (skipped for captures taken
 * where the NIC filled it in), ip4_rx_payload() fragments and protocol.
 *
 * ip4_rx_payload() and ip6_rx() set skb->ip_version, saddr, daddr, l4_off and l4_len, with
 * l4_off + l4_len <= skb->len guaranteed (Ethernet padding beyond the IP
 * length is ignored; a datagram longer than what was captured is dropped as
 * TRUNCATED, one longer than the frame on the wire as IP_HDR).  Only TCP
 * passes; fragments are set aside with IP_FRAG (no IP reassembly here). */
#ifndef RXSIM_NETSTACK_IP_H
#define RXSIM_NETSTACK_IP_H

#include <stdbool.h>

#include "netstack/drop.h"
#include "netstack/skb.h"

#define IPPROTO_TCP_NUM 6
#define IP6_MAX_EXT_HDRS 8      /* a longer chain is an attack or garbage */

/* Each 0, or -1 with *why set (ip4_csum_ok: true when the sum folds to 0). */
int ip4_rx_header(struct skb *skb, enum rx_drop *why);
bool ip4_csum_ok(const struct skb *skb);
int ip4_rx_payload(struct skb *skb, enum rx_drop *why);
int ip6_rx(struct skb *skb, enum rx_drop *why);

#endif
