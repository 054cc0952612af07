/* bench/make_flood.c: writes a many-connection hostile trace (the generator
 * the tests use, tests/common/flood.h).  Usage:
 *   make_flood OUT.pcap syn|syn-rst|holes CONNS [SEGS SEG_LEN]
 * e.g. `make_flood flood.pcap syn 1000000`: a 1M-connection SYN flood, 70 MB. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/flood.h"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: make_flood OUT.pcap syn|syn-rst|holes CONNS [SEGS SEG_LEN]\n");
        return 2;
    }
    struct flood_spec s = { .conns = (uint32_t)strtoul(argv[3], NULL, 10) };
    if (!strcmp(argv[2], "syn"))
        s.kind = FLOOD_SYN;
    else if (!strcmp(argv[2], "syn-rst"))
        s.kind = FLOOD_SYN_RST;
    else if (!strcmp(argv[2], "holes") && argc == 6) {
        s.kind = FLOOD_HOLES;
        s.segs = (uint32_t)strtoul(argv[4], NULL, 10);
        s.seg_len = (uint32_t)strtoul(argv[5], NULL, 10);
        s.gap_us = 20;
        if (!s.seg_len || s.seg_len > 1460) {
            fprintf(stderr, "make_flood: SEG_LEN from 1 to 1460\n");
            return 2;
        }
    } else {
        fprintf(stderr, "make_flood: kind is syn, syn-rst or holes SEGS SEG_LEN\n");
        return 2;
    }
    if (!s.conns || s.conns > (1u << 24)) {
        fprintf(stderr, "make_flood: CONNS from 1 to 16777216\n");
        return 2;
    }
    if (flood_write(argv[1], &s) < 0) {
        fprintf(stderr, "make_flood: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    return 0;
}
