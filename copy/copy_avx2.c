/* copy/copy_avx2.c: 32-byte AVX2 copy.  Up to 256 bytes: loads from both
 * ends, overlapping, no loop (glibc's shape).  Beyond: 128 bytes per
 * iteration with stores aligned to 32, the last 128 bytes stored from
 * registers loaded up front.  Built into its own static
 * library with -mavx2: call only when copy_cpu_has(COPY_NEED_AVX2). */
#include <immintrin.h>

#include "copy/routines.h"
#include "copy/small.h"

void *copy_avx2(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n <= 32) {
        copy_small32(d, s, n);
        return dst;
    }
    __m256i head = _mm256_loadu_si256((const __m256i *)s);
    __m256i tail = _mm256_loadu_si256((const __m256i *)(s + n - 32));
    unsigned char *end = d + n;
    if (n <= 64) {
        _mm256_storeu_si256((__m256i *)d, head);
        _mm256_storeu_si256((__m256i *)(end - 32), tail);
        return dst;
    }
    if (n <= 128) {                  /* two from each end, overlapping: no loop */
        __m256i h2 = _mm256_loadu_si256((const __m256i *)(s + 32));
        __m256i t2 = _mm256_loadu_si256((const __m256i *)(s + n - 64));
        _mm256_storeu_si256((__m256i *)d, head);
        _mm256_storeu_si256((__m256i *)(d + 32), h2);
        _mm256_storeu_si256((__m256i *)(end - 64), t2);
        _mm256_storeu_si256((__m256i *)(end - 32), tail);
        return dst;
    }
    /* the last 128 bytes are loaded first and stored last, so the loop
     * below needs no remainder */
    __m256i t1 = _mm256_loadu_si256((const __m256i *)(s + n - 128));
    __m256i t2 = _mm256_loadu_si256((const __m256i *)(s + n - 96));
    __m256i t3 = _mm256_loadu_si256((const __m256i *)(s + n - 64));
    if (n <= 256) {
        __m256i h1 = _mm256_loadu_si256((const __m256i *)(s + 32));
        __m256i h2 = _mm256_loadu_si256((const __m256i *)(s + 64));
        __m256i h3 = _mm256_loadu_si256((const __m256i *)(s + 96));
        _mm256_storeu_si256((__m256i *)d, head);
        _mm256_storeu_si256((__m256i *)(d + 32), h1);
        _mm256_storeu_si256((__m256i *)(d + 64), h2);
        _mm256_storeu_si256((__m256i *)(d + 96), h3);
    } else {
        size_t skew = 32 - ((uintptr_t)d & 31);
        _mm256_storeu_si256((__m256i *)d, head);
        d += skew;
        s += skew;
        n -= skew;
        for (; n > 128; n -= 128, s += 128, d += 128) {
            __m256i a = _mm256_loadu_si256((const __m256i *)s);
            __m256i b = _mm256_loadu_si256((const __m256i *)(s + 32));
            __m256i c = _mm256_loadu_si256((const __m256i *)(s + 64));
            __m256i e = _mm256_loadu_si256((const __m256i *)(s + 96));
            _mm256_store_si256((__m256i *)d, a);
            _mm256_store_si256((__m256i *)(d + 32), b);
            _mm256_store_si256((__m256i *)(d + 64), c);
            _mm256_store_si256((__m256i *)(d + 96), e);
        }
    }
    _mm256_storeu_si256((__m256i *)(end - 128), t1);
    _mm256_storeu_si256((__m256i *)(end - 96), t2);
    _mm256_storeu_si256((__m256i *)(end - 64), t3);
    _mm256_storeu_si256((__m256i *)(end - 32), tail);
    return dst;
}
