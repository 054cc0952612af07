/* netstack/tcp.h: the TCP header as the receive path reads it. */
#ifndef RXSIM_NETSTACK_TCP_H
#define RXSIM_NETSTACK_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/drop.h"
#include "netstack/skb.h"
#include "netstack/tcp_seg.h"

/* Header and options of the segment at skb->l4_off (l4_len bytes).
 * 0, or -1 with *why: TCP_HDR (short, bad data offset), TCP_FLAGS. */
int tcp_parse(const struct skb *skb, struct tcp_seg *seg, enum rx_drop *why);
void tcp_parse_options(const uint8_t *opt, uint32_t len, struct tcp_opts *o);

/* Checksum over the pseudo-header and the whole segment, field included:
 * true when it folds to zero (accepts both zeros, RFC 1624). */
bool tcp_csum_ok(const struct skb *skb);

/* For a segment that failed: does its checksum field hold just the folded
 * pseudo-header sum, what a sender with TX checksum offload leaves for the
 * NIC to finish?  (A capture taken on such a sender, not wire corruption.) */
bool tcp_csum_like_tx_offload(const struct skb *skb);

/* Sequence-space comparisons modulo 2^32 (RFC 793 / RFC 1982). */
static inline bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_after(uint32_t a, uint32_t b) { return (int32_t)(b - a) < 0; }

#endif
