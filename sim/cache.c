/* sim/cache.c: per-CPU set-associative line caches (see cache.h).
 *
 * Each CPU's cache is `lines` lines in sets of SIM_CACHE_WAYS ways, LRU
 * within a set, as real caches are built; a line's set is its number modulo
 * the set count.  A lookup scans one set's tags, an invalidation clears one
 * tag: no hashing, no allocation after init, and the same set on every CPU,
 * so asking who else holds a line costs one set scan per other CPU.
 *
 * Shaped for speed, because this is the simulating thread's largest cost: a
 * default run over 300k frames does ~23M line touches and ~7M line DMA
 * invalidations per CPU.  One set is one 64-byte record (8 tags, 8 LRU
 * stamps), so a touch that hits reads and writes one host cache line; the
 * modified state is the top bit of the tag, so "do I hold it, and modified?"
 * comes from one load of the tags, no second array; DMA is branch-free.  The
 * loops (cache_lines.h) are compiled for SSE2 here and for AVX2 in
 * cache_avx2.c, chosen at init.  Replaying the cache operations of that run
 * alone: 0.19 s with the earlier layout (tags, stamps and modified flags in
 * three arrays, a search per CPU per line), 0.12 s with this one on SSE2,
 * 0.10 s on AVX2 (docs/performance.md). */
#include "sim/cache.h"

#include <emmintrin.h>             /* SSE2: baseline x86-64, like the rest of rxsim */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cache_lines.h"

/* ---- SSE2: a set's 8 tags as two 4-lane compares ---------------------- */

static inline unsigned ways(__m128i lo, __m128i hi)
{
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
           (unsigned)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
}

static inline unsigned ways_holding(const uint32_t *tag, uint32_t tg)
{
    const __m128i mod = _mm_set1_epi32((int)MODIFIED), want = _mm_set1_epi32((int)tg);
    __m128i lo = _mm_andnot_si128(mod, _mm_load_si128((const __m128i *)tag));
    __m128i hi = _mm_andnot_si128(mod, _mm_load_si128((const __m128i *)(tag + 4)));
    return ways(_mm_cmpeq_epi32(lo, want), _mm_cmpeq_epi32(hi, want));
}

static inline unsigned ways_ours(const uint32_t *tag, uint32_t tg, unsigned *sign)
{
    *sign = ways(_mm_load_si128((const __m128i *)tag), _mm_load_si128((const __m128i *)(tag + 4)));
    return ways_holding(tag, tg);
}

static inline unsigned ways_free(const uint32_t *tag)
{
    const __m128i empty = _mm_set1_epi32(-1);
    return ways(_mm_cmpeq_epi32(_mm_load_si128((const __m128i *)tag), empty),
                _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)(tag + 4)), empty));
}

/* A matching tag ORed with its all-ones compare result is EMPTY. */
static inline void ways_dma(uint32_t *tag, uint32_t tg)
{
    const __m128i mod = _mm_set1_epi32((int)MODIFIED), want = _mm_set1_epi32((int)tg);
    __m128i *t = (__m128i *)tag;
    __m128i lo = _mm_load_si128(t), hi = _mm_load_si128(t + 1);
    _mm_store_si128(t, _mm_or_si128(lo, _mm_cmpeq_epi32(_mm_andnot_si128(mod, lo), want)));
    _mm_store_si128(t + 1, _mm_or_si128(hi, _mm_cmpeq_epi32(_mm_andnot_si128(mod, hi), want)));
}

#define LINES(name) name##_sse2
#include "sim/cache_lines.h"

const struct sim_cache_lines sim_cache_lines_sse2 = { "sse2", touch_sse2, dma_sse2 };

/* ---- the cache ---------------------------------------------------------- */

static struct sim_cache_cpu *cpu_new(uint32_t sets)
{
    struct sim_cache_cpu *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->set = aligned_alloc(64, (size_t)sets * sizeof *p->set);
    if (!p->set) {
        free(p);
        return NULL;
    }
    for (uint32_t s = 0; s < sets; s++) {
        memset(p->set[s].tag, 0xff, sizeof p->set[s].tag);
        memset(p->set[s].used, 0, sizeof p->set[s].used);
    }
    p->sets = sets;
    while ((1u << p->shift) < sets)
        p->shift++;
    return p;
}

static void cpu_free(struct sim_cache_cpu *p)
{
    if (!p)
        return;
    free(p->set);
    free(p);
}

int sim_cache_init(struct sim_cache *c, int ncpus, uint32_t lines_per_cpu)
{
    *c = (struct sim_cache){ .ncpus = ncpus, .next_region = 1u << 20 };
    if (ncpus < 1 || ncpus > SIM_CACHE_MAX_CPUS || lines_per_cpu < 1)
        return -1;
    uint32_t sets = 1;
    while ((uint64_t)sets * SIM_CACHE_WAYS < lines_per_cpu)
        sets <<= 1;
    c->lines = sets * SIM_CACHE_WAYS;
    if (sim_cache_select(c, "avx2") < 0)
        sim_cache_select(c, "sse2");
    for (int i = 0; i < ncpus; i++)
        if (!(c->cpu[i] = cpu_new(sets))) {
            sim_cache_fini(c);
            return -1;
        }
    for (int i = 0; i < ncpus; i++)
        for (int o = 0; o < ncpus; o++)
            if (o != i)
                c->cpu[i]->others[c->cpu[i]->nothers++] = c->cpu[o]->set;
    return 0;
}

void sim_cache_fini(struct sim_cache *c)
{
    for (int i = 0; i < SIM_CACHE_MAX_CPUS; i++) {
        cpu_free(c->cpu[i]);
        c->cpu[i] = NULL;
    }
}

uint64_t sim_cache_region(struct sim_cache *c, uint64_t len)
{
    uint64_t base = c->next_region;
    c->next_region += (len + SIM_CACHE_LINE - 1) / SIM_CACHE_LINE * SIM_CACHE_LINE + SIM_CACHE_LINE;
    uint64_t sets = c->lines / SIM_CACHE_WAYS;
    if (c->next_region / SIM_CACHE_LINE / sets >= TAG_LIMIT) {
        /* ~2^48 bytes with the default 1 MiB cache: a bug, not a trace. */
        fprintf(stderr, "rxsim: internal error: simulated address space exhausted\n");
        abort();
    }
    return base;
}

void sim_cache_touch(struct sim_cache *c, int cpu, uint64_t addr, uint64_t len, bool write,
                     struct sim_touch *out)
{
    if (!len)
        return;
    c->impl->touch(c->cpu[cpu], addr / SIM_CACHE_LINE, (addr + len - 1) / SIM_CACHE_LINE, write, out);
}

void sim_cache_dma(struct sim_cache *c, uint64_t addr, uint64_t len)
{
    if (!len)
        return;
    c->impl->dma(c->cpu, c->ncpus, addr / SIM_CACHE_LINE, (addr + len - 1) / SIM_CACHE_LINE);
}

int sim_cache_select(struct sim_cache *c, const char *isa)
{
    if (!strcmp(isa, "sse2")) {
        c->impl = &sim_cache_lines_sse2;
        return 0;
    }
    if (!strcmp(isa, "avx2") && __builtin_cpu_supports("avx2")) {
        c->impl = &sim_cache_lines_avx2;
        return 0;
    }
    return -1;
}

const char *sim_cache_isa(const struct sim_cache *c)
{
    return c->impl->isa;
}

bool sim_cache_holds(const struct sim_cache *c, int cpu, uint64_t addr, bool *modified)
{
    const struct sim_cache_cpu *p = c->cpu[cpu];
    uint64_t line = addr / SIM_CACHE_LINE;
    const struct set *s = &p->set[line & (p->sets - 1)];
    unsigned w = ways_holding(s->tag, (uint32_t)(line >> p->shift));
    if (!w)
        return false;
    if (modified)
        *modified = (s->tag[__builtin_ctz(w)] & MODIFIED) != 0;
    return true;
}
