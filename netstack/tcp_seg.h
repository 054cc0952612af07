/* netstack/tcp_seg.h: a TCP segment's header facts as tcp_parse() reads them
 * (netstack/tcp.h), apart so that struct skb can carry them from the one
 * parse of a frame to every layer that needs them. */
#ifndef RXSIM_NETSTACK_TCP_SEG_H
#define RXSIM_NETSTACK_TCP_SEG_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* Options as tcp_parse_options() in Linux finds them; a malformed option
 * ends the walk (Linux ignores the rest, it does not drop the segment). */
struct tcp_opts {
    bool has_mss, has_wscale, sack_perm, has_ts, has_sack;
    bool malformed;
    uint16_t mss;
    uint8_t wscale;
    uint32_t tsval, tsecr;
};

struct tcp_seg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t window;
    uint8_t flags;
    uint32_t hlen;              /* data offset * 4, checked <= skb->l4_len */
    const uint8_t *payload;     /* inside skb->data */
    uint32_t len;               /* payload bytes */
    struct tcp_opts opts;
};

#endif
