/* copy/csum_copy_int.c: checksum and copy in one pass through integer
 * registers (Linux's csum_partial_copy_generic; the kernel's
 * csum_and_copy_to_user, which the `process` checksum policy models).  Each
 * 64-byte block is loaded once into eight registers, summed with one adc
 * chain and stored: the sum rides on loads the copy does anyway.  Built
 * without the vectorisers, like copy_unrolled.c. */
#include "copy/csum_le.h"
#include "copy/routines.h"

uint32_t csum_copy_int(void *restrict dst, const void *restrict src, size_t n, uint32_t sum)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    uint64_t acc = 0;
    for (; n >= 64; n -= 64, s += 64, d += 64) {
        uint64_t a0 = copy_ld64(s), a1 = copy_ld64(s + 8);
        uint64_t a2 = copy_ld64(s + 16), a3 = copy_ld64(s + 24);
        uint64_t a4 = copy_ld64(s + 32), a5 = copy_ld64(s + 40);
        uint64_t a6 = copy_ld64(s + 48), a7 = copy_ld64(s + 56);
        copy_st64(d, a0);
        copy_st64(d + 8, a1);
        copy_st64(d + 16, a2);
        copy_st64(d + 24, a3);
        copy_st64(d + 32, a4);
        copy_st64(d + 40, a5);
        copy_st64(d + 48, a6);
        copy_st64(d + 56, a7);
        acc = csum_add8(acc, a0, a1, a2, a3, a4, a5, a6, a7);
    }
    for (; n >= 8; n -= 8, s += 8, d += 8) {
        uint64_t a = copy_ld64(s);
        copy_st64(d, a);
        acc = csum_add1(acc, a);
    }
    acc = csum_add1(acc, csum_tail_word(s, n));
    copy_small32(d, s, n);
    return csum_finish_le64(acc, sum);
}
