/* tests/common/flood.h: hostile traces made at test (and bench) time, so no
 * large file is committed: many connections from distinct clients to one
 * server (10.0.0.2:80), written as a microsecond pcap, one record per frame.
 *
 *   FLOOD_SYN       one SYN per connection, never answered: a SYN flood
 *   FLOOD_SYN_RST   a SYN, then the server's RST: every connection ends
 *   FLOOD_HOLES     a handshake, then segs data segments of seg_len bytes
 *                   that all lie behind a hole (the first seg_len bytes are
 *                   never sent): every byte waits in the out-of-order queue
 *
 * Client i is 11.(i>>16).(i>>8).i : 1024 + i % 60000 (distinct 4-tuples for
 * up to 2^24 connections). */
#ifndef RXSIM_TESTS_FLOOD_H
#define RXSIM_TESTS_FLOOD_H

#include <stdint.h>

enum flood_kind { FLOOD_SYN, FLOOD_SYN_RST, FLOOD_HOLES };

struct flood_spec {
    enum flood_kind kind;
    uint32_t conns;
    uint32_t segs;              /* FLOOD_HOLES: data segments per connection */
    uint32_t seg_len;           /* FLOOD_HOLES: bytes per segment, at most 1460 */
    uint32_t gap_us;            /* between frames; 0: 1 */
};

/* 0, or -1 with errno when the file cannot be written. */
int flood_write(const char *path, const struct flood_spec *spec);

#endif
