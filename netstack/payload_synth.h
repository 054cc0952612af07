/* netstack/payload_synth.h: `rxsim run --payload synth`: the payload a
 * header-only capture lacks, filled in so the machine model can still price
 * the trace.
 *
 * A frame whose TCP payload the snaplen cut (its IP and TCP headers whole) is
 * rebuilt at its wire length: the captured bytes as they are, then every
 * missing payload byte from a documented pattern keyed by the flow and the
 * byte's sequence number, so the same capture always gives the same stream:
 *
 *     byte at sequence number s of the direction sport -> dport =
 *         ((s XOR (sport << 16 | dport)) * 2654435761 mod 2^32) >> 24
 *
 * Bytes past the IP datagram (link padding) are zero.  The TCP checksum is
 * recomputed over the result, so it verifies: checksums of filled segments
 * are treated as good.  The IPv4 header (captured whole) is not touched. */
#ifndef RXSIM_NETSTACK_PAYLOAD_SYNTH_H
#define RXSIM_NETSTACK_PAYLOAD_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

/* The pattern byte for sequence number seq of the flow sport -> dport. */
static inline uint8_t payload_synth_byte(uint32_t seq, uint16_t sport, uint16_t dport)
{
    return (uint8_t)(((seq ^ ((uint32_t)sport << 16 | dport)) * 2654435761u) >> 24);
}

/* Rebuilds the frame in[0..caplen) (ethernet: from the Ethernet header; else
 * the network header at l3_off, of type l3_proto) into out[0..wire_len) with
 * its missing payload filled.  True with *filled = payload bytes made up when
 * done; false (out untouched) when there is nothing to fill or the frame
 * cannot be filled: not cut, wire_len > out_size, headers cut, not TCP,
 * an IP fragment, IPv6 extension headers. */
bool payload_synth_fill(const uint8_t *in, uint32_t caplen, uint32_t wire_len, bool ethernet,
                        uint32_t l3_off, uint16_t l3_proto, uint8_t *out, uint32_t out_size,
                        uint32_t *filled);

#endif
