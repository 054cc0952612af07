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
 * NIC DMA), the second by the protocol layers as they parse, once per frame
 * (netstack_parse(): the header rungs of the ladder, run when the frame
 * enters the stack), so delivery (GRO's merge test), the ladder and the
 * socket lookup read the same offsets and flow key without parsing again.
 */
#ifndef RXSIM_NETSTACK_SKB_H
#define RXSIM_NETSTACK_SKB_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/drop.h"
#include "netstack/tcp_seg.h"
#include "sim/time.h"

struct skb_buf;

/* The 4-tuple where a NIC finds it, read without validating anything
 * (drivers/rss.h: rss_peek), once per frame by its source: the host filter
 * and --nics shares of the trace source and the NIC's RSS queue all use it. */
struct skb_tuple {
    bool read;                  /* rss_peek() ran */
    uint8_t ip_version;         /* 4 or 6: an IP header of at least 20 / 40 bytes at l3; 0: none */
    bool ports;                 /* a TCP segment (not a fragment, no IPv6 extension header)
                                   with its ports captured at l4 */
    uint32_t l3, l4;            /* offsets in data */
};

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
    struct skb_tuple tuple;     /* for the source and the NIC, before the stack */

    /* set by the protocol layers */
    uint16_t l3_proto;          /* Ethertype: 0x0800, 0x86dd */
    uint8_t vlan_tags;          /* 802.1Q/802.1ad tags removed by eth_rx() */
    uint8_t ip_version;         /* 4 or 6 */
    uint32_t l3_off;
    uint32_t l4_off;
    uint32_t l4_len;            /* TCP header + payload, from the IP length fields */
    const uint8_t *saddr;       /* into data: 4 or 16 bytes */
    const uint8_t *daddr;

    /* set once by netstack_parse() (netstack.h) */
    bool parsed;
    uint8_t depth;              /* how far the headers were sound: enum skb_depth */
    enum rx_drop parse_why;     /* the header rung that failed; RX_DROP__COUNT: none did */
    bool flow_known;            /* flow computed (netstack_flow(): at the first ask) */
    uint64_t flow;              /* the flow key: hash of the 4-tuple (depth SKB_DEPTH_TCP) */
    struct tcp_seg seg;         /* the TCP header (depth SKB_DEPTH_TCP) */
};

/* How far netstack_parse() got: each depth implies the ones before. */
enum skb_depth {
    SKB_DEPTH_NONE,             /* no network header: link header bad, or not IP */
    SKB_DEPTH_IP,               /* an IPv4/IPv6 header at l3_off, reaching the IP rung */
    SKB_DEPTH_IP_CSUM,          /* an IPv4 header sound up to its checksum rung; an IPv6 one valid */
    SKB_DEPTH_L4,               /* the IP rung passed: ip_version, saddr, daddr, l4_off, l4_len */
    SKB_DEPTH_TCP,              /* the TCP header parsed: seg; flow through netstack_flow() */
};

#endif
