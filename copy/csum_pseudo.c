/* copy/csum_pseudo.c: pseudo-header sums for TCP/UDP over IPv4 (RFC 793) and
 * IPv6 (RFC 8200 section 8.1).  Tiny and fixed-size, so plain C. */
#include "copy/csum.h"

static uint32_t sum_be16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    return s;
}

uint32_t csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4],
                        uint8_t proto, uint32_t len)
{
    uint32_t s = sum_be16(saddr, 4) + sum_be16(daddr, 4);
    s += proto;
    s += len & 0xffff;
    return s;                           /* at most 6 * 0xffff: no overflow */
}

uint32_t csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16],
                        uint8_t proto, uint32_t len)
{
    uint32_t s = sum_be16(saddr, 16) + sum_be16(daddr, 16);
    s += len >> 16;
    s += len & 0xffff;
    s += proto;
    return s;                           /* at most 19 * 0xffff: no overflow */
}
