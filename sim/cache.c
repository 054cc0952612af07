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
 * is one SSE2 compare of the loaded tags, no second array.  DMA is
 * branch-free: per CPU and line, a matching tag is ORed with its all-ones
 * compare result, which is EMPTY.  (Before, with tags, stamps and modified
 * flags in three arrays and a search per CPU per line, the same work took
 * about 30% longer: bench/out replay of a run's cache operations, 0.19 s
 * against 0.13 s.) */
#include "sim/cache.h"

#include <emmintrin.h>             /* SSE2: baseline x86-64, like the rest of rxsim */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX
#define MODIFIED 0x80000000u            /* tag bit: held modified (so by this CPU alone) */
#define TAG_LIMIT 0x7fffffffu           /* tags stay below: EMPTY & ~MODIFIED is never a tag */

_Static_assert(SIM_CACHE_WAYS == 8, "a set is two 4-tag SSE2 vectors");

/* Tags are line numbers divided by the set count, in 31 bits; line numbers
 * stay below TAG_LIMIT * sets (sim_cache_region checks). */
struct set {
    uint32_t tag[SIM_CACHE_WAYS];       /* line / sets, | MODIFIED; or EMPTY */
    uint32_t used[SIM_CACHE_WAYS];      /* last-use stamp (LRU) */
};
_Static_assert(sizeof(struct set) == 64, "one set is one host cache line");

struct sim_cache_cpu {
    struct set *set;                    /* [sets], 64-byte aligned */
    uint32_t sets;                      /* a power of two */
    uint32_t shift;                     /* log2(sets) */
    uint32_t clock;
};

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

static inline void use(struct sim_cache_cpu *p, struct set *s, unsigned way)
{
    if (__builtin_expect(++p->clock == 0, 0)) {              /* stamps wrapped: restart every age at 0 */
        for (uint32_t i = 0; i < p->sets; i++)
            memset(p->set[i].used, 0, sizeof p->set[i].used);
        p->clock = 1;
    }
    s->used[way] = p->clock;
}

/* One bit per way from two 4-lane compare results. */
static inline unsigned ways(__m128i lo, __m128i hi)
{
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(lo)) |
           (unsigned)_mm_movemask_ps(_mm_castsi128_ps(hi)) << 4;
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
    for (int i = 0; i < ncpus; i++)
        if (!(c->cpu[i] = cpu_new(sets))) {
            sim_cache_fini(c);
            return -1;
        }
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

/* Per line: a modified copy of our own is a hit that involves nobody else
 * (a write invalidates every other copy, a read by another CPU downgrades
 * ours).  Otherwise every other CPU's copy is invalidated (write) or
 * downgraded (read), and the line is a hit, a transfer (someone else held
 * it) or a miss, inserted into a free way or over the least recently used.
 * nothers is a constant where it is inlined for the common machine sizes. */
static inline __attribute__((always_inline)) void
touch_range(struct sim_cache_cpu *me, struct set *const *others, int nothers, uint64_t first,
            uint64_t last, bool write, struct sim_touch *out)
{
    const uint64_t setmask = me->sets - 1;
    const unsigned shift = me->shift;
    const __m128i empty = _mm_set1_epi32(-1), mod = _mm_set1_epi32((int)MODIFIED);
    uint32_t hits = 0, misses = 0, transfers = 0;

    for (uint64_t line = first; line <= last; line++) {
        size_t si = (size_t)(line & setmask);
        struct set *s = &me->set[si];
        uint32_t tg = (uint32_t)(line >> shift);
        __m128i want = _mm_set1_epi32((int)tg);
        __m128i lo = _mm_load_si128((const __m128i *)s->tag);
        __m128i hi = _mm_load_si128((const __m128i *)(s->tag + 4));
        /* Ours, in any state (EMPTY & ~MODIFIED is never a tag); the sign
         * bits are MODIFIED (or EMPTY, which never matches). */
        unsigned mine = ways(_mm_cmpeq_epi32(_mm_andnot_si128(mod, lo), want),
                             _mm_cmpeq_epi32(_mm_andnot_si128(mod, hi), want));
        if (mine & ways(lo, hi)) {      /* ours and exclusive */
            hits++;
            use(me, s, (unsigned)__builtin_ctz(mine));
            continue;
        }
        bool elsewhere = false;
        for (int k = 0; k < nothers; k++) {
            struct set *os = &others[k][si];
            __m128i olo = _mm_andnot_si128(mod, _mm_load_si128((const __m128i *)os->tag));
            __m128i ohi = _mm_andnot_si128(mod, _mm_load_si128((const __m128i *)(os->tag + 4)));
            unsigned w = ways(_mm_cmpeq_epi32(olo, want), _mm_cmpeq_epi32(ohi, want));
            if (w) {
                elsewhere = true;
                os->tag[__builtin_ctz(w)] = write ? EMPTY : tg;    /* invalidate, or downgrade */
            }
        }
        uint32_t mine_tag = write ? tg | MODIFIED : tg;
        if (mine) {
            unsigned w = (unsigned)__builtin_ctz(mine);
            hits++;
            s->tag[w] = mine_tag;
            use(me, s, w);
            continue;
        }
        transfers += elsewhere;
        misses += !elsewhere;
        unsigned free_ways = ways(_mm_cmpeq_epi32(lo, empty), _mm_cmpeq_epi32(hi, empty));
        unsigned victim = 0;
        if (free_ways) {
            victim = (unsigned)__builtin_ctz(free_ways);
        } else {
            uint32_t oldest = s->used[0];
            for (unsigned w = 1; w < SIM_CACHE_WAYS; w++)
                if (s->used[w] < oldest) {
                    oldest = s->used[w];
                    victim = w;
                }
        }
        s->tag[victim] = mine_tag;
        use(me, s, victim);
    }
    out->hits += hits;
    out->misses += misses;
    out->transfers += transfers;
}

void sim_cache_touch(struct sim_cache *c, int cpu, uint64_t addr, uint64_t len, bool write,
                     struct sim_touch *out)
{
    if (!len)
        return;
    uint64_t first = addr / SIM_CACHE_LINE, last = (addr + len - 1) / SIM_CACHE_LINE;
    struct set *others[SIM_CACHE_MAX_CPUS];
    int nothers = 0;
    for (int o = 0; o < c->ncpus; o++)
        if (o != cpu)
            others[nothers++] = c->cpu[o]->set;
    switch (nothers) {                  /* the loop unrolled for 1-4 CPUs */
    case 0: touch_range(c->cpu[cpu], others, 0, first, last, write, out); break;
    case 1: touch_range(c->cpu[cpu], others, 1, first, last, write, out); break;
    case 3: touch_range(c->cpu[cpu], others, 3, first, last, write, out); break;
    default: touch_range(c->cpu[cpu], others, nothers, first, last, write, out); break;
    }
}

void sim_cache_dma(struct sim_cache *c, uint64_t addr, uint64_t len)
{
    if (!len)
        return;
    uint64_t first = addr / SIM_CACHE_LINE, last = (addr + len - 1) / SIM_CACHE_LINE;
    const __m128i mod = _mm_set1_epi32((int)MODIFIED);
    for (int o = 0; o < c->ncpus; o++) {
        struct sim_cache_cpu *p = c->cpu[o];
        const uint64_t setmask = p->sets - 1;
        for (uint64_t line = first; line <= last; line++) {
            __m128i *t = (__m128i *)p->set[line & setmask].tag;
            __m128i want = _mm_set1_epi32((int)(uint32_t)(line >> p->shift));
            __m128i lo = _mm_load_si128(t), hi = _mm_load_si128(t + 1);
            _mm_store_si128(t, _mm_or_si128(lo, _mm_cmpeq_epi32(_mm_andnot_si128(mod, lo), want)));
            _mm_store_si128(t + 1, _mm_or_si128(hi, _mm_cmpeq_epi32(_mm_andnot_si128(mod, hi), want)));
        }
    }
}

bool sim_cache_holds(const struct sim_cache *c, int cpu, uint64_t addr, bool *modified)
{
    const struct sim_cache_cpu *p = c->cpu[cpu];
    uint64_t line = addr / SIM_CACHE_LINE;
    const struct set *s = &p->set[line & (p->sets - 1)];
    uint32_t tg = (uint32_t)(line >> p->shift);
    for (unsigned w = 0; w < SIM_CACHE_WAYS; w++)
        if (s->tag[w] != EMPTY && (s->tag[w] & ~MODIFIED) == tg) {
            if (modified)
                *modified = (s->tag[w] & MODIFIED) != 0;
            return true;
        }
    return false;
}
