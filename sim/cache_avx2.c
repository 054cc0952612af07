/* sim/cache_avx2.c: the cache's line loops (cache_lines.h) with AVX2 set
 * compares: a set's 8 tags are one 256-bit vector, so each question about a
 * set is one compare and one movemask instead of two of each.  Built with
 * -mavx2 as its own library (sim/meson.build); sim_cache_init() uses it only
 * when the CPU has AVX2 (STYLE.md practice 16).  About 20% faster than the
 * SSE2 loops on the cache operations of a default run (docs/performance.md). */
#include <immintrin.h>

#include "sim/cache_lines.h"

static inline unsigned ways(__m256i m)
{
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m));
}

static inline unsigned ways_holding(const uint32_t *tag, uint32_t tg)
{
    __m256i t = _mm256_andnot_si256(_mm256_set1_epi32((int)MODIFIED), _mm256_load_si256((const __m256i *)tag));
    return ways(_mm256_cmpeq_epi32(t, _mm256_set1_epi32((int)tg)));
}

static inline unsigned ways_ours(const uint32_t *tag, uint32_t tg, unsigned *sign)
{
    *sign = ways(_mm256_load_si256((const __m256i *)tag));
    return ways_holding(tag, tg);
}

static inline unsigned ways_free(const uint32_t *tag)
{
    return ways(_mm256_cmpeq_epi32(_mm256_load_si256((const __m256i *)tag), _mm256_set1_epi32(-1)));
}

/* A matching tag ORed with its all-ones compare result is EMPTY. */
static inline void ways_dma(uint32_t *tag, uint32_t tg)
{
    __m256i t = _mm256_load_si256((const __m256i *)tag);
    __m256i hit = _mm256_cmpeq_epi32(_mm256_andnot_si256(_mm256_set1_epi32((int)MODIFIED), t),
                                     _mm256_set1_epi32((int)tg));
    _mm256_store_si256((__m256i *)tag, _mm256_or_si256(t, hit));
}

#define LINES(name) name##_avx2
#include "sim/cache_lines.h"

const struct sim_cache_lines sim_cache_lines_avx2 = { "avx2", touch_avx2, dma_avx2 };
