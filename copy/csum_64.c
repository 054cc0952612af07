/* copy/csum_64.c: the Internet checksum with a 64-bit accumulator, 64 bytes
 * per iteration, carries folded back with adc (the shape of Linux's x86-64
 * csum_partial).  Summing little-endian 64-bit words mod 2^64-1 gives the
 * RFC 1071 sum byte-swapped (RFC 1071 section 2(B)); csum_finish_le64 folds
 * and swaps.  No alignment work: unaligned loads cost nothing here and keep
 * the result independent of the address parity.  Built without the
 * vectorisers, like the other integer-register files. */
#include "copy/routines.h"
#include "copy/csum_le.h"

uint32_t csum_64(const void *buf, size_t n, uint32_t sum)
{
    const unsigned char *p = buf;
    uint64_t acc = 0;
    for (; n >= 64; n -= 64, p += 64)
        acc = csum_add8(acc, copy_ld64(p), copy_ld64(p + 8), copy_ld64(p + 16),
                        copy_ld64(p + 24), copy_ld64(p + 32), copy_ld64(p + 40),
                        copy_ld64(p + 48), copy_ld64(p + 56));
    for (; n >= 8; n -= 8, p += 8)
        acc = csum_add1(acc, copy_ld64(p));
    acc = csum_add1(acc, csum_tail_word(p, n));
    return csum_finish_le64(acc, sum);
}
