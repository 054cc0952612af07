/* netstack/ip.h: IPv4 and IPv6 receive: validate, find the transport header.
 *
 * Both set skb->ip_version, saddr, daddr, l4_off and l4_len, with
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

/* 0, or -1 with *why set.  verify_csum=false skips the IPv4 header checksum
 * (captures taken where the NIC filled it in). */
int ip4_rx(struct skb *skb, bool verify_csum, enum rx_drop *why);
/* ip4_rx() in its three rungs, for netstack_parse(), which reads headers
 * once and leaves the checksum to the ladder: the header's own fields
 * (version, IHL, lengths against what was captured); the header checksum;
 * fragments and protocol, setting the fields above. */
int ip4_rx_header(struct skb *skb, enum rx_drop *why);
bool ip4_csum_ok(const struct skb *skb);
int ip4_rx_payload(struct skb *skb, enum rx_drop *why);
int ip6_rx(struct skb *skb, enum rx_drop *why);

#endif
