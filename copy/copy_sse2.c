/* copy/copy_sse2.c: 16-byte SSE2 copy, 64 bytes per iteration; unaligned
 * loads, destination aligned to 16 for the stores, overlapping head and tail
 * so no byte loop.  SSE2 is baseline x86-64, so always available. */
#include "copy/routines.h"
#include "copy/small.h"

void *copy_sse2(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n <= 32) {
        copy_small32(d, s, n);
        return dst;
    }
    __m128i head = _mm_loadu_si128((const __m128i *)s);
    __m128i tail = _mm_loadu_si128((const __m128i *)(s + n - 16));
    unsigned char *end = d + n;
    size_t skew = 16 - ((uintptr_t)d & 15);       /* 1..16: first aligned store */
    _mm_storeu_si128((__m128i *)d, head);
    d += skew;
    s += skew;
    n -= skew;
    for (; n >= 64; n -= 64, s += 64, d += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_store_si128((__m128i *)d, a);
        _mm_store_si128((__m128i *)(d + 16), b);
        _mm_store_si128((__m128i *)(d + 32), c);
        _mm_store_si128((__m128i *)(d + 48), e);
    }
    for (; n > 16; n -= 16, s += 16, d += 16)
        _mm_store_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
    _mm_storeu_si128((__m128i *)(end - 16), tail);   /* last 1..16 bytes */
    return dst;
}
