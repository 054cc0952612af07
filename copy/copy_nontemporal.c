/* copy/copy_nontemporal.c: streaming (non-temporal) stores.  movntdq writes
 * whole lines around the caches: no read-for-ownership of the destination
 * and no eviction of useful lines, so it wins for copies larger than the
 * cache and loses for small ones (the data must be fetched back to be used,
 * and sfence costs).  Below 256 bytes it is an ordinary copy.  SSE2 only, so
 * always available. */
#include "copy/routines.h"
#include "copy/small.h"

void *copy_nontemporal(void *restrict dst, const void *restrict src, size_t n)
{
    if (n < 256)
        return copy_sse2(dst, src, n);
    unsigned char *d = dst;
    const unsigned char *s = src;
    unsigned char *end = d + n;
    __m128i head = _mm_loadu_si128((const __m128i *)s);
    __m128i tail = _mm_loadu_si128((const __m128i *)(s + n - 16));
    size_t skew = 16 - ((uintptr_t)d & 15);
    _mm_storeu_si128((__m128i *)d, head);
    d += skew;
    s += skew;
    n -= skew;
    for (; n >= 64; n -= 64, s += 64, d += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
    }
    for (; n > 16; n -= 16, s += 16, d += 16)
        _mm_stream_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
    _mm_sfence();            /* streamed stores drained before the overlapping tail */
    _mm_storeu_si128((__m128i *)(end - 16), tail);
    return dst;
}
