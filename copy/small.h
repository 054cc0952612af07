/* copy/small.h: private helpers for the copy routines: unaligned word access
 * without undefined behaviour, and the branchy copy of 0..32 bytes the SIMD
 * routines share (two overlapping moves of the largest fitting width, so
 * every size costs at most two loads and two stores, never a byte loop). */
#ifndef RXSIM_COPY_SMALL_H
#define RXSIM_COPY_SMALL_H

#include <emmintrin.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t copy_u64u __attribute__((aligned(1), may_alias));
typedef uint32_t copy_u32u __attribute__((aligned(1), may_alias));
typedef uint16_t copy_u16u __attribute__((aligned(1), may_alias));

static inline uint64_t copy_ld64(const unsigned char *p) { return *(const copy_u64u *)p; }
static inline void copy_st64(unsigned char *p, uint64_t v) { *(copy_u64u *)p = v; }

/* n <= 32.  Baseline x86-64, so SSE2 is always there. */
static inline void copy_small32(unsigned char *d, const unsigned char *s, size_t n)
{
    if (n >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + n - 16));
        _mm_storeu_si128((__m128i *)d, a);
        _mm_storeu_si128((__m128i *)(d + n - 16), b);
    } else if (n >= 8) {
        uint64_t a = copy_ld64(s), b = copy_ld64(s + n - 8);
        copy_st64(d, a);
        copy_st64(d + n - 8, b);
    } else if (n >= 4) {
        uint32_t a = *(const copy_u32u *)s, b = *(const copy_u32u *)(s + n - 4);
        *(copy_u32u *)d = a;
        *(copy_u32u *)(d + n - 4) = b;
    } else if (n >= 2) {
        uint16_t a = *(const copy_u16u *)s, b = *(const copy_u16u *)(s + n - 2);
        *(copy_u16u *)d = a;
        *(copy_u16u *)(d + n - 2) = b;
    } else if (n) {
        *d = *s;
    }
}

#endif
