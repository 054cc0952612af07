/* netstack/netstack.h: the receive stack's functional core, one frame at a
 * time: link → IPv4/IPv6 → TCP → reassembly → the application's bytes.
 *
 * This is the code the simulator drives with a machine model and that
 * `rxsim inspect` drives without one.  A frame leaves netstack_rx() either
 * consumed (its new bytes delivered, or it carried only control) or dropped
 * with a named reason and a counter; there is no third way out.
 */
#ifndef RXSIM_NETSTACK_NETSTACK_H
#define RXSIM_NETSTACK_NETSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/drop.h"
#include "netstack/skb.h"
#include "netstack/tcp_conn.h"

struct netstack_config {
    bool verify_csum;           /* false for traces taken with checksum offload */
    size_t ooo_limit;           /* out-of-order bytes per direction; 0: the default */
    size_t ooo_budget;          /* out-of-order bytes over all connections; 0: the default, SIZE_MAX: none */
    size_t max_conns;           /* connections open at once; 0: the default, SIZE_MAX: none */
    /* required: in-order bytes of direction dir of c, found while receiving
     * skb: p lies in skb->data when they are its own, elsewhere when they
     * waited in the out-of-order queue */
    void (*deliver)(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                    uint32_t n);
    void *ctx;
};

struct netstack_stats {
    uint64_t frames;
    uint64_t ipv4, ipv6;
    uint64_t tcp_segs;          /* passed the TCP header checks */
    uint64_t consumed;          /* frames that left without a drop */
    uint64_t opts_malformed;    /* segments whose option walk stopped early */
    uint64_t drops[RX_DROP__COUNT];
};

struct netstack {
    struct netstack_config cfg;
    struct netstack_stats st;
    struct tcp_table conns;
};

int netstack_init(struct netstack *ns, const struct netstack_config *cfg);  /* -1: no memory */
void netstack_fini(struct netstack *ns);

/* Processes one frame; skb->data/len/wire_len/ts_ns/frame_no/l2 (and l3_off,
 * l3_proto for SKB_L2_NONE) must be set.  Returns 0 if consumed, or -1 when
 * dropped, with *why set when why is non-NULL.  The headers are read by
 * netstack_parse() unless the frame's were already. */
int netstack_rx(struct netstack *ns, struct skb *skb, enum rx_drop *why);

/* The ladder's header rungs without side effects or checksums, once per
 * frame: link header, IPv4 (its header checksum left to netstack_rx) or IPv6,
 * the TCP header; fills skb's protocol fields, depth, parse_why and seg.  0 when every header is sound, else -1 (skb->parse_why says
 * which rung failed).  skb->data must stay where it was (or hold the same
 * bytes at the same address) until netstack_rx() runs. */
int netstack_parse(struct skb *skb);

/* The flow key of a parsed TCP segment (depth SKB_DEPTH_TCP): a hash of its
 * 4-tuple, computed at the first ask (only batched and merged delivery
 * need it) and carried in skb->flow from then on. */
uint64_t netstack_flow(struct skb *skb);

/* Counts a drop found outside the stack (e.g. a link header the trace layer
 * could not strip), so every frame is accounted for in one place. */
void netstack_count_drop(struct netstack *ns, enum rx_drop why);

/* Counts a frame the NIC dropped before the stack saw it (ring full, too
 * long), and when its headers are readable and it carried data this
 * direction had not yet received, charges those bytes to the direction
 * (tcp_dir.nic_lost_*): a replay never retransmits them, so the report can
 * say why the stream came out short (netstack/verdict.h).  skb as for
 * netstack_rx(); no stream state changes. */
void netstack_nic_drop(struct netstack *ns, struct skb *skb, enum rx_drop why);

#endif
