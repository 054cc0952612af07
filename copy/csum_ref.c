/* copy/csum_ref.c: RFC 1071 checksum, 16-bit words, the reference every
 * faster routine is tested against.  Kept deliberately simple. */
#include "copy/csum.h"

uint32_t csum_ref(const void *buf, size_t len, uint32_t sum);

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

/* Until the copy/ registry dispatches to the fastest routine, the reference
 * is the checksum. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
    return csum_ref(buf, len, sum);
}
