/* copy/copy_unrolled.c: the "unrolled integer copy" of the OLS 2002 paper
 * (Linux's __copy_user_intel): 64 bytes per iteration through eight integer
 * registers, all loads then all stores, destination aligned to 8 first.  In
 * 2002 this beat rep movsl whenever source and destination were mutually
 * misaligned.  The _prefetch variant touches the source 5 lines ahead, the
 * software prefetch of that era.  meson builds this file with the
 * vectorisers and memcpy-pattern recognition off, so it stays integer code. */
#include "copy/routines.h"
#include "copy/small.h"

static inline void *unrolled(void *restrict dst, const void *restrict src, size_t n,
                             int prefetch)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 64) {
        size_t head = (8 - ((uintptr_t)d & 7)) & 7;
        if (head) {
            copy_st64(d, copy_ld64(s));          /* covers head, may overlap the body */
            d += head;
            s += head;
            n -= head;
        }
        for (; n >= 64; n -= 64, s += 64, d += 64) {
            if (prefetch)
                __builtin_prefetch(s + 320);
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
        }
    }
    for (; n >= 8; n -= 8, s += 8, d += 8)
        copy_st64(d, copy_ld64(s));
    if (n & 4) {
        *(copy_u32u *)d = *(const copy_u32u *)s;
        d += 4;
        s += 4;
    }
    if (n & 2) {
        *(copy_u16u *)d = *(const copy_u16u *)s;
        d += 2;
        s += 2;
    }
    if (n & 1)
        *d = *s;
    return dst;
}

void *copy_unrolled_int(void *restrict dst, const void *restrict src, size_t n)
{
    return unrolled(dst, src, n, 0);
}

void *copy_unrolled_int_prefetch(void *restrict dst, const void *restrict src, size_t n)
{
    return unrolled(dst, src, n, 1);
}
