/* copy/csum_ref.c: RFC 1071 checksum, 16-bit words, the reference every
 * faster routine is tested against.  Kept deliberately simple: it is also
 * the "16-bit loop" the benchmark compares the wide sums with.  Built
 * without the vectorisers so it stays that loop. */
#include "copy/csum.h"
#include "copy/routines.h"

uint32_t csum_ref(const void *buf, size_t len, uint32_t sum)
{
    const uint8_t *p = buf;
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}
