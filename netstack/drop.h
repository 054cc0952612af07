/* netstack/drop.h: every way a frame can leave the stack without its data
 * reaching a socket.  One list generates the enum, the report names and the
 * JSON keys (the kernel's drop-reason X-macro, STYLE.md practice 8). */
#ifndef RXSIM_NETSTACK_DROP_H
#define RXSIM_NETSTACK_DROP_H

#define RX_DROP_REASONS(X) \
    X(RING_FULL,     "ring_full",     "NIC receive ring full or out of buffers (simulator only)") \
    X(FRAME_TOO_LONG, "frame_too_long", "frame longer than the RX ring's buffers or 256 KiB (simulator only)") \
    X(TRUNCATED,     "truncated",     "frame cut short by the capture's snaplen before its IP datagram ended") \
    X(LINK_HDR,      "link_hdr",      "link-layer header cut short or malformed") \
    X(NOT_IP,        "not_ip",        "neither IPv4 nor IPv6 (ARP, LLDP, ...)") \
    X(IP_HDR,        "ip_hdr",        "IP header malformed: version, header length, total length") \
    X(IP_CSUM,       "ip_csum",       "IPv4 header checksum wrong") \
    X(IP_FRAG,       "ip_frag",       "IP fragment, set aside (no IP reassembly)") \
    X(IP6_EXT,       "ip6_ext",       "IPv6 extension-header chain malformed or too long") \
    X(NOT_TCP,       "not_tcp",       "not TCP (UDP, ICMP, ...)") \
    X(TCP_HDR,       "tcp_hdr",       "TCP header malformed: data offset") \
    X(TCP_FLAGS,     "tcp_flags",     "TCP flag combination no stack accepts (SYN+FIN, SYN+RST)") \
    X(TCP_CSUM,      "tcp_csum",      "TCP checksum wrong") \
    X(TCP_OLD_DATA,  "tcp_old_data",  "segment wholly already received (retransmission, keep-alive)") \
    X(TCP_OOO_LIMIT, "tcp_ooo_limit", "out-of-order queue over its memory bound") \
    X(TCP_OOO_BUDGET, "tcp_ooo_budget", "out-of-order data over the budget all connections share (--ooo-budget)") \
    X(TCP_CLOSED,    "tcp_closed",    "segment after the direction ended (RST, or data past FIN)") \
    X(CONN_TABLE_FULL, "conn_table_full", "new connection refused: --max-conns connections open") \
    X(NO_MEMORY,     "no_memory",     "out of memory queueing out-of-order data")

enum rx_drop {
#define RX_DROP_ENUM(e, key, what) RX_DROP_##e,
    RX_DROP_REASONS(RX_DROP_ENUM)
#undef RX_DROP_ENUM
    RX_DROP__COUNT
};

const char *rx_drop_key(enum rx_drop r);    /* "tcp_csum": report and JSON key */
const char *rx_drop_what(enum rx_drop r);   /* one line for people */

#endif
