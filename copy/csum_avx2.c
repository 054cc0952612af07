/* copy/csum_avx2.c: the Internet checksum, and checksum+copy, with AVX2.
 *
 * Each 32-byte load v is read as four 64-bit lanes = lo + 2^32 hi (two
 * 32-bit words each).  Per load only three operations: H += v >> 32 (exact:
 * hi < 2^32) and V += v (wrapping mod 2^64).  At the end the exact sum of
 * the low words is V - 2^32 H (mod 2^64, exact because it is < 2^64), so the
 * 32-bit word sum is V - 2^32 H + H.  Lane sums stay below 2^58 within a
 * 1 GiB chunk; chunks are added with end-around carry.  Four accumulator
 * pairs hide the add latency.  Loads are unaligned on purpose: aligning by
 * an odd head would shift every word by a byte.  copy/csum_le.h swaps the
 * result into RFC 1071 order.
 * Built into its own static library with -mavx2: call only when
 * copy_cpu_has(COPY_NEED_AVX2). */
#include <immintrin.h>

#include "copy/csum_le.h"
#include "copy/routines.h"

#define CHUNK ((size_t)1 << 30)

struct acc {
    __m256i v, h;
};

static inline struct acc acc_add(struct acc a, __m256i x)
{
    a.v = _mm256_add_epi64(a.v, x);
    a.h = _mm256_add_epi64(a.h, _mm256_srli_epi64(x, 32));
    return a;
}

/* Exact per-lane word sums (V - 2^32 H + H), added over lanes: < 2^62. */
static inline uint64_t reduce(struct acc a, struct acc b, struct acc c, struct acc d)
{
    __m256i v = _mm256_add_epi64(_mm256_add_epi64(a.v, b.v), _mm256_add_epi64(c.v, d.v));
    __m256i h = _mm256_add_epi64(_mm256_add_epi64(a.h, b.h), _mm256_add_epi64(c.h, d.h));
    __m256i t = _mm256_add_epi64(_mm256_sub_epi64(v, _mm256_slli_epi64(h, 32)), h);
    __m128i x = _mm_add_epi64(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
    return (uint64_t)_mm_cvtsi128_si64(x) + (uint64_t)_mm_extract_epi64(x, 1);
}

/* The last 0..31 bytes, scalar. */
static inline uint64_t sum_tail(uint64_t acc, const unsigned char *p, size_t n)
{
    for (; n >= 8; n -= 8, p += 8)
        acc = csum_add1(acc, copy_ld64(p));
    return csum_add1(acc, csum_tail_word(p, n));
}

static uint64_t sum_chunk(const unsigned char *p, size_t n)
{
    struct acc a0 = { _mm256_setzero_si256(), _mm256_setzero_si256() }, a1 = a0, a2 = a0, a3 = a0;
    for (; n >= 128; n -= 128, p += 128) {
        a0 = acc_add(a0, _mm256_loadu_si256((const __m256i *)p));
        a1 = acc_add(a1, _mm256_loadu_si256((const __m256i *)(p + 32)));
        a2 = acc_add(a2, _mm256_loadu_si256((const __m256i *)(p + 64)));
        a3 = acc_add(a3, _mm256_loadu_si256((const __m256i *)(p + 96)));
    }
    for (; n >= 32; n -= 32, p += 32)
        a0 = acc_add(a0, _mm256_loadu_si256((const __m256i *)p));
    return sum_tail(reduce(a0, a1, a2, a3), p, n);
}

uint32_t csum_avx2(const void *buf, size_t n, uint32_t sum)
{
    const unsigned char *p = buf;
    uint64_t acc = 0;
    for (; n > CHUNK; n -= CHUNK, p += CHUNK)
        acc = csum_add1(acc, sum_chunk(p, CHUNK));
    return csum_finish_le64(csum_add1(acc, sum_chunk(p, n)), sum);
}

static uint64_t copy_chunk(unsigned char *restrict d, const unsigned char *restrict s, size_t n)
{
    struct acc a0 = { _mm256_setzero_si256(), _mm256_setzero_si256() }, a1 = a0, a2 = a0, a3 = a0;
    for (; n >= 128; n -= 128, s += 128, d += 128) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)s);
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(s + 32));
        __m256i v2 = _mm256_loadu_si256((const __m256i *)(s + 64));
        __m256i v3 = _mm256_loadu_si256((const __m256i *)(s + 96));
        _mm256_storeu_si256((__m256i *)d, v0);
        _mm256_storeu_si256((__m256i *)(d + 32), v1);
        _mm256_storeu_si256((__m256i *)(d + 64), v2);
        _mm256_storeu_si256((__m256i *)(d + 96), v3);
        a0 = acc_add(a0, v0);
        a1 = acc_add(a1, v1);
        a2 = acc_add(a2, v2);
        a3 = acc_add(a3, v3);
    }
    for (; n >= 32; n -= 32, s += 32, d += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)s);
        _mm256_storeu_si256((__m256i *)d, v);
        a0 = acc_add(a0, v);
    }
    copy_small32(d, s, n);
    return sum_tail(reduce(a0, a1, a2, a3), s, n);
}

uint32_t csum_copy_avx2(void *restrict dst, const void *restrict src, size_t n, uint32_t sum)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    uint64_t acc = 0;
    for (; n > CHUNK; n -= CHUNK, s += CHUNK, d += CHUNK)
        acc = csum_add1(acc, copy_chunk(d, s, CHUNK));
    return csum_finish_le64(csum_add1(acc, copy_chunk(d, s, n)), sum);
}
