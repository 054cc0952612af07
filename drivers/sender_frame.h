/* drivers/sender_frame.h: the bytes of one closed-loop frame (sender.h):
 * Ethernet, IPv4 (DF, TTL 64, its checksum) or IPv6 (hop limit 64), and TCP
 * (the flow's ports, the sequence number, ACK 1: the server's ISN is not
 * simulated, a 65535 window, its checksum) with a SYN's options (MSS, [NOP
 * NOP timestamps], [NOP window scale], as the flow's spec says) or a data
 * segment's (NOP NOP timestamps when the flow has them) and payload.  Pure:
 * the same arguments, the same bytes. */
#ifndef RXSIM_DRIVERS_SENDER_FRAME_H
#define RXSIM_DRIVERS_SENDER_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/sender_workload.h"

#define SENDER_FRAME_HDR 74u            /* Ethernet 14 + IPv6 40 + TCP 20: the longest headers */
#define SENDER_TS_OPT_LEN 12u           /* NOP NOP timestamps, on every data segment of a flow that has them */

struct sender_frame {
    const struct sender_flow_spec *sp;
    bool syn;                           /* a SYN, else data [off, off + len) */
    bool psh;                           /* data: the write's last segment */
    uint32_t seq;                       /* the segment's sequence number */
    uint16_t ip_id;
    uint32_t tsval;
    uint64_t off;
    uint32_t len;
    const uint8_t *ring;                /* without sp->data: stream byte k at ring[k & ring_mask] */
    uint64_t ring_mask;
};

/* Writes the frame into fr (room for SENDER_FRAME_HDR + 20 + len bytes); its length. */
uint32_t sender_frame_build(uint8_t *fr, const struct sender_frame *f);

#endif
