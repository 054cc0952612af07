/* copy/copy_string.c: the x86 string-instruction copies.
 *
 * rep movsb is what the kernel's copy_user uses when the CPU has ERMS (fast
 * byte string moves, 2013) and FSRM (fast short rep mov, 2019); before ERMS
 * the microcode was only fast for rep movsl/movsq on aligned data, which is
 * what the OLS 2002 measurements saw.  movsl/movsq copy the body in 4- or
 * 8-byte units and finish the 0..7 byte tail with movsb. */
#include "copy/routines.h"

static inline void rep_movsb(void *dst, const void *src, size_t n)
{
    __asm__ volatile("rep movsb"
                     : "+D"(dst), "+S"(src), "+c"(n)
                     :
                     : "memory");
}

void *copy_rep_movsb(void *restrict dst, const void *restrict src, size_t n)
{
    rep_movsb(dst, src, n);
    return dst;
}

void *copy_rep_movsl(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    const void *s = src;
    size_t words = n >> 2;
    __asm__ volatile("rep movsl"
                     : "+D"(d), "+S"(s), "+c"(words)
                     :
                     : "memory");
    rep_movsb(d, s, n & 3);        /* rep movs leaves rdi/rsi past the body */
    return dst;
}

void *copy_rep_movsq(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    const void *s = src;
    size_t words = n >> 3;
    __asm__ volatile("rep movsq"
                     : "+D"(d), "+S"(s), "+c"(words)
                     :
                     : "memory");
    rep_movsb(d, s, n & 7);
    return dst;
}
