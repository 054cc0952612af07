/* tests/common/flood.c: hostile many-connection traces (see flood.h). */
#include "tests/common/flood.h"

#include <stdio.h>
#include <string.h>

#include "netstack/tcp.h"
#include "tests/common/pkt.h"

static int put32(FILE *f, uint32_t v) { return fwrite(&v, 4, 1, f) == 1 ? 0 : -1; }
static int put16(FILE *f, uint16_t v) { return fwrite(&v, 2, 1, f) == 1 ? 0 : -1; }

static int record(FILE *f, uint64_t *usec, uint32_t gap, const struct pkt_spec *ps)
{
    uint8_t frame[1600];
    size_t n = pkt_build(frame, sizeof frame, ps);
    uint64_t t = *usec;
    *usec += gap;
    if (!n || put32(f, (uint32_t)(1700000000 + t / 1000000)) || put32(f, (uint32_t)(t % 1000000)) ||
        put32(f, (uint32_t)n) || put32(f, (uint32_t)n) || fwrite(frame, n, 1, f) != 1)
        return -1;
    return 0;
}

int flood_write(const char *path, const struct flood_spec *spec)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    static uint8_t payload[1460];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    int rc = put32(f, 0xa1b2c3d4) | put16(f, 2) | put16(f, 4) | put32(f, 0) | put32(f, 0) |
             put32(f, 65535) | put32(f, 1);            /* LINKTYPE_ETHERNET */
    uint64_t usec = 0;
    uint32_t gap = spec->gap_us ? spec->gap_us : 1;
    for (uint32_t i = 0; i < spec->conns && !rc; i++) {
        struct pkt_spec c = { .ip_version = 4, .src = { 11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i },
                              .dst = { 10, 0, 0, 2 }, .sport = (uint16_t)(1024 + i % 60000), .dport = 80,
                              .seq = 1000, .flags = TCP_SYN };
        struct pkt_spec s = { .ip_version = 4, .src = { 10, 0, 0, 2 }, .dst = { 11, (uint8_t)(i >> 16),
                              (uint8_t)(i >> 8), (uint8_t)i }, .sport = 80, .dport = c.sport, .seq = 5000,
                              .ack = 1001 };
        rc |= record(f, &usec, gap, &c);
        if (spec->kind == FLOOD_SYN_RST) {
            s.flags = TCP_RST | TCP_ACK;
            s.seq = 0;
            rc |= record(f, &usec, gap, &s);
        } else if (spec->kind == FLOOD_HOLES) {
            s.flags = TCP_SYN | TCP_ACK;
            rc |= record(f, &usec, gap, &s);
            c.flags = TCP_ACK;
            c.ack = 5001;
            c.len = spec->seg_len;
            c.payload = payload;
            for (uint32_t k = 1; k <= spec->segs && !rc; k++) {      /* segment 0 is the hole */
                c.seq = 1001 + k * spec->seg_len;
                rc |= record(f, &usec, gap, &c);
            }
        }
    }
    if (fclose(f) != 0)
        rc = -1;
    return rc ? -1 : 0;
}
