/* netstack/skb.h: the socket buffer: metadata about one received frame.
 *
 * struct skb holds metadata only; the bytes live elsewhere (a trace record's
 * buffer for `inspect`, a pool slot for the simulator) and are never written
 * by the protocol layers:
 *
 *     data ──▶ | link hdr | IP hdr | TCP hdr | payload ............ | (pad) |
 *              0          l3_off   l4_off    l4_off+tcp_hlen         len
 *                                  \____________ l4_len ___________/
 *
 * len is what was captured (readable); wire_len what was on the wire.  Every
 * offset the parsers set is checked against len before a byte is read, so a
 * snaplen-truncated frame is never read past its end.
 *
 * One skb describes a frame from the NIC to the stack: the frame source
 * (drivers/nic_trace.c) fills the receive group, the NIC keeps it in the RX
 * descriptor and hands it up with buf set, and the protocol layers fill the
 * second group as they parse.  No other copy of these facts exists.
 *
 * Field groups by writer: the first by whoever receives the frame (replay or
 * NIC DMA), the second by the protocol layers as they parse.
 */
#ifndef RXSIM_NETSTACK_SKB_H
#define RXSIM_NETSTACK_SKB_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

struct skb_buf;

enum skb_l2 {
    SKB_L2_ETHERNET,    /* data starts with an Ethernet header */
    SKB_L2_NONE,        /* data + l3_off is the network header; l3_proto set */
};

struct skb {
    /* set on receive */
    const uint8_t *data;        /* the source's bytes; in the stack, the buffers' bytes in one piece */
    struct skb_buf *buf;        /* the receive buffers holding the frame (NULL outside the
                                   simulator): len bytes in buf, then buf->frag... (skb_pool.h) */
    uint32_t len;               /* captured bytes readable at data */
    uint32_t wire_len;          /* bytes the frame had on the wire */
    int64_t ts_ns;              /* capture time */
    sim_ps arrival;             /* simulated arrival at the NIC (set by the NIC) */
    uint64_t frame_no;          /* 1-based record number in the trace */
    enum skb_l2 l2;
    uint16_t netns;             /* connection namespace: each replayed trace has its own */

    /* set by the protocol layers */
    uint16_t l3_proto;          /* Ethertype: 0x0800, 0x86dd */
    uint8_t vlan_tags;          /* 802.1Q/802.1ad tags removed by eth_rx() */
    uint8_t ip_version;         /* 4 or 6 */
    uint32_t l3_off;
    uint32_t l4_off;
    uint32_t l4_len;            /* TCP header + payload, from the IP length fields */
    const uint8_t *saddr;       /* into data: 4 or 16 bytes */
    const uint8_t *daddr;
};

#endif
