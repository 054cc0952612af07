/* copy/csum_linux.c: the Internet checksum as Linux's x86-64 csum_partial()
 * computes it since 6.8 (arch/x86/lib/csum-partial_64.c: "do two 40-byte
 * chunks in parallel to get better ILP"), the routine the kernel's softirq
 * runs when it verifies a segment with CHECKSUM_NONE (skb_checksum()).
 *
 * Its shape, which is what its speed depends on: two independent add-with-
 * carry chains, each adding five 64-bit words straight from memory (adcq
 * with a memory operand, no separate loads), over 80-byte blocks; the two
 * accumulators added at the end; then one 40-byte chain, 32, 16 and 8 byte
 * steps, the last 1..7 bytes as one zero-padded word; and the 64-bit
 * accumulator folded to 32 bits as the kernel's csum_finalize_sum() does,
 * (a + ror64(a, 32)) >> 32.  No alignment work (6.8 dropped the odd-address
 * case: unaligned loads cost nothing).  Two differences, neither in the
 * loop: the kernel reads the tail with one 8-byte load_unaligned_zeropad(),
 * which may read past the buffer (the page-fault fixup makes that safe in
 * the kernel, not here), so the tail is read in pieces; and the result is
 * turned into csum.h's convention (RFC 1071, big-endian words) by a fold
 * and a byte swap, where the kernel keeps its native-order __wsum.
 *
 * Older kernels (5.17-6.7) ran one chain of eight words over 64-byte
 * blocks: csum_64.c's shape.  Built without the vectorisers, like the other
 * integer-register files. */
#include "copy/csum_le.h"
#include "copy/routines.h"

/* acc + the five 64-bit words at p, one adc chain with memory operands
 * (update_csum_40b). */
static inline uint64_t add40(uint64_t acc, const unsigned char *p)
{
    __asm__("addq 0(%[p]), %[a]\n\tadcq 8(%[p]), %[a]\n\tadcq 16(%[p]), %[a]\n\t"
            "adcq 24(%[p]), %[a]\n\tadcq 32(%[p]), %[a]\n\tadcq $0, %[a]"
            : [a] "+r"(acc)
            : [p] "r"(p), "m"(*(const unsigned char(*)[40])p)
            : "cc");
    return acc;
}

static inline uint64_t add32(uint64_t acc, const unsigned char *p)
{
    __asm__("addq 0(%[p]), %[a]\n\tadcq 8(%[p]), %[a]\n\tadcq 16(%[p]), %[a]\n\t"
            "adcq 24(%[p]), %[a]\n\tadcq $0, %[a]"
            : [a] "+r"(acc)
            : [p] "r"(p), "m"(*(const unsigned char(*)[32])p)
            : "cc");
    return acc;
}

static inline uint64_t add16(uint64_t acc, const unsigned char *p)
{
    __asm__("addq 0(%[p]), %[a]\n\tadcq 8(%[p]), %[a]\n\tadcq $0, %[a]"
            : [a] "+r"(acc)
            : [p] "r"(p), "m"(*(const unsigned char(*)[16])p)
            : "cc");
    return acc;
}

uint32_t csum_linux(const void *buf, size_t n, uint32_t sum)
{
    const unsigned char *p = buf;
    uint64_t a = 0;
    if (n >= 80) {
        uint64_t b = 0;
        do {
            a = add40(a, p);
            b = add40(b, p + 40);
            p += 80;
            n -= 80;
        } while (n >= 80);
        a = csum_add1(a, b);
    }
    if (n >= 40) {
        a = add40(a, p);
        p += 40;
        n -= 40;
    }
    if (n & 32) {
        a = add32(a, p);
        p += 32;
    }
    if (n & 16) {
        a = add16(a, p);
        p += 16;
    }
    if (n & 8) {
        a = csum_add1(a, copy_ld64(p));
        p += 8;
    }
    if (n & 7)
        a = csum_add1(a, csum_tail_word(p, n & 7));
    uint64_t folded = (a + (a >> 32 | a << 32)) >> 32;     /* csum_finalize_sum */
    return csum_finish_le64(folded, sum);
}
