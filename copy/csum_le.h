/* copy/csum_le.h: private helpers of the wide checksums (csum_64.c,
 * csum_copy_int.c, csum_avx2.c).  They sum little-endian words in a 64-bit
 * ones'-complement accumulator (end-around carry); since 2^64-1 is a
 * multiple of 2^16-1 that is the 16-bit ones'-complement sum, byte-swapped
 * because the words were read little-endian (RFC 1071 section 2(B)). */
#ifndef RXSIM_COPY_CSUM_LE_H
#define RXSIM_COPY_CSUM_LE_H

#include <stddef.h>
#include <stdint.h>

#include "copy/small.h"

/* acc += a + b + ... with the carries wrapped around: one adc chain. */
static inline uint64_t csum_add8(uint64_t acc, uint64_t a0, uint64_t a1, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                                 uint64_t a7)
{
    __asm__("addq %1, %0\n\tadcq %2, %0\n\tadcq %3, %0\n\tadcq %4, %0\n\t"
            "adcq %5, %0\n\tadcq %6, %0\n\tadcq %7, %0\n\tadcq %8, %0\n\t"
            "adcq $0, %0"
            : "+r"(acc)
            : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
            : "cc");
    return acc;
}

static inline uint64_t csum_add1(uint64_t acc, uint64_t a)
{
    acc += a;
    return acc + (acc < a);
}

/* The last 0..7 bytes as a little-endian word, zero-padded: an odd final
 * byte lands in the low byte of its 16-bit word, as RFC 1071 wants after
 * the swap. */
static inline uint64_t csum_tail_word(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
    size_t i = 0;
    if (n & 4) {
        w = *(const copy_u32u *)p;
        i = 4;
    }
    if (n & 2) {
        w |= (uint64_t)*(const copy_u16u *)(p + i) << (8 * i);
        i += 2;
    }
    if (n & 1)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

/* Folds the accumulator to 16 bits, swaps it into the RFC 1071 (big-endian)
 * sum and adds that to sum with end-around carry. */
static inline uint32_t csum_finish_le64(uint64_t acc, uint32_t sum)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);    /* <= 2^33 */
    acc = (acc & 0xffffffffu) + (acc >> 32);    /* now < 2^32 */
    uint32_t s = (uint32_t)acc;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = ((s & 0xff) << 8) | (s >> 8);           /* little-endian words -> RFC 1071 */
    uint32_t t = sum + s;
    return t + (t < s);
}

#endif
