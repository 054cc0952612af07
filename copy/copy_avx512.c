/* copy/copy_avx512.c: 64-byte AVX-512 copy, 256 bytes per iteration, the
 * tail done with one byte-masked load and store (AVX-512BW) instead of
 * overlapping moves.  Built into its own static library with -mavx512f
 * -mavx512bw: call only when copy_cpu_has(COPY_NEED_AVX512). */
#include <immintrin.h>

#include "copy/routines.h"

void *copy_avx512(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n > 64) {
        /* one unaligned line, then stores aligned to 64 */
        size_t skew = 64 - ((uintptr_t)d & 63);
        _mm512_storeu_si512(d, _mm512_loadu_si512(s));
        d += skew;
        s += skew;
        n -= skew;
        for (; n >= 256; n -= 256, s += 256, d += 256) {
            __m512i a = _mm512_loadu_si512(s);
            __m512i b = _mm512_loadu_si512(s + 64);
            __m512i c = _mm512_loadu_si512(s + 128);
            __m512i e = _mm512_loadu_si512(s + 192);
            _mm512_store_si512(d, a);
            _mm512_store_si512(d + 64, b);
            _mm512_store_si512(d + 128, c);
            _mm512_store_si512(d + 192, e);
        }
        for (; n >= 64; n -= 64, s += 64, d += 64)
            _mm512_store_si512(d, _mm512_loadu_si512(s));
    }
    /* 0..64 bytes left: masked lanes neither load nor fault nor store */
    __mmask64 m = n >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << n) - 1);
    _mm512_mask_storeu_epi8(d, m, _mm512_maskz_loadu_epi8(m, s));
    return dst;
}
