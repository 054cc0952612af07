/* sim/cache.c: per-CPU set-associative line caches (see cache.h).
 *
 * Each CPU's cache is `lines` lines in sets of SIM_CACHE_WAYS ways, LRU
 * within a set, as real caches are built; a line's set is its number modulo
 * the set count.  A lookup scans one set's tags, an invalidation clears one
 * tag: no hashing, no allocation after init, and the same set on every CPU,
 * so asking who else holds a line costs one set scan per other CPU. */
#include "sim/cache.h"

#include <emmintrin.h>             /* SSE2: baseline x86-64, like the rest of rxsim */
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

/* Tags are line numbers divided by the set count, in 32 bits: a set's 8 tags
 * are 32 bytes, compared four at a time with SSE2.  Line numbers stay
 * below 2^32 * sets (simulated addresses grow by what a run allocates). */
struct sim_cache_cpu {
    uint32_t *tag;                      /* [sets][ways]: line / sets, or EMPTY */
    uint32_t *used;                     /* [sets][ways]: last-use stamp (LRU) */
    uint8_t *modified;                  /* [sets][ways] */
    uint32_t sets;                      /* a power of two */
    uint32_t shift;                     /* log2(sets) */
    uint32_t clock;
};

static struct sim_cache_cpu *cpu_new(uint32_t sets)
{
    struct sim_cache_cpu *p = calloc(1, sizeof *p);
    size_t n = (size_t)sets * SIM_CACHE_WAYS;
    if (!p)
        return NULL;
    p->tag = malloc(n * sizeof *p->tag);
    p->used = calloc(n, sizeof *p->used);
    p->modified = calloc(n, 1);
    if (!p->tag || !p->used || !p->modified) {
        free(p->tag);
        free(p->used);
        free(p->modified);
        free(p);
        return NULL;
    }
    memset(p->tag, 0xff, n * sizeof *p->tag);
    p->sets = sets;
    while ((1u << p->shift) < sets)
        p->shift++;
    return p;
}

static void cpu_free(struct sim_cache_cpu *p)
{
    if (!p)
        return;
    free(p->tag);
    free(p->used);
    free(p->modified);
    free(p);
}

static size_t set_base(const struct sim_cache_cpu *p, uint64_t line)
{
    return (size_t)(line & (p->sets - 1)) * SIM_CACHE_WAYS;
}

/* Slot of line in p, or -1: the set's 8 tags compared four at a time. */
static long find(const struct sim_cache_cpu *p, uint64_t line)
{
    _Static_assert(SIM_CACHE_WAYS == 8, "find() compares 8 ways");
    const uint32_t *t = p->tag + set_base(p, line);
    __m128i want = _mm_set1_epi32((int)(uint32_t)(line >> p->shift));
    __m128i a = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)t), want);
    __m128i b = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(t + 4)), want);
    /* Two 32-bit masks packed to 16-bit lanes: two bits per way. */
    unsigned hit = (unsigned)_mm_movemask_epi8(_mm_packs_epi32(a, b));
    return hit ? (long)(t - p->tag) + __builtin_ctz(hit) / 2 : -1;
}

static void use(struct sim_cache_cpu *p, size_t slot)
{
    if (++p->clock == 0) {              /* stamps wrapped: restart every age at 0 */
        memset(p->used, 0, (size_t)p->sets * SIM_CACHE_WAYS * sizeof *p->used);
        p->clock = 1;
    }
    p->used[slot] = p->clock;
}

/* Puts line in its set: into a free way if there is one, else over the
 * least recently used.  Free ways are found with the same SSE2 compare. */
static void insert(struct sim_cache_cpu *p, uint64_t line, bool modified)
{
    size_t base = set_base(p, line), victim = base;
    const uint32_t *t = p->tag + base;
    __m128i empty = _mm_set1_epi32(-1);
    unsigned free_ways = (unsigned)_mm_movemask_epi8(_mm_packs_epi32(
        _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)t), empty),
        _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(t + 4)), empty)));
    if (free_ways) {
        victim = base + __builtin_ctz(free_ways) / 2;
    } else {
        const uint32_t *u = p->used + base;
        uint32_t oldest = u[0];
        for (size_t w = 1; w < SIM_CACHE_WAYS; w++)
            if (u[w] < oldest) {
                oldest = u[w];
                victim = base + w;
            }
    }
    p->tag[victim] = (uint32_t)(line >> p->shift);
    p->modified[victim] = modified;
    use(p, victim);
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
    return base;
}

static void touch_line(struct sim_cache *c, int cpu, uint64_t line, bool write, struct sim_touch *out)
{
    struct sim_cache_cpu *me = c->cpu[cpu];
    long mine = find(me, line);

    if (mine >= 0 && me->modified[mine]) {
        out->hits++;                    /* ours and exclusive: nobody else holds it */
        use(me, (size_t)mine);
        return;
    }
    bool elsewhere = false;
    for (int o = 0; o < c->ncpus; o++) {
        if (o == cpu)
            continue;
        struct sim_cache_cpu *other = c->cpu[o];
        long s = find(other, line);
        if (s < 0)
            continue;
        elsewhere = true;
        if (write)
            other->tag[s] = EMPTY;      /* invalidate */
        else
            other->modified[s] = 0;     /* downgrade to shared */
    }
    if (mine >= 0) {
        out->hits++;
        me->modified[mine] = write;
        use(me, (size_t)mine);
        return;
    }
    if (elsewhere)
        out->transfers++;
    else
        out->misses++;
    insert(me, line, write);
}

void sim_cache_touch(struct sim_cache *c, int cpu, uint64_t addr, uint64_t len, bool write,
                     struct sim_touch *out)
{
    if (!len)
        return;
    uint64_t first = addr / SIM_CACHE_LINE, last = (addr + len - 1) / SIM_CACHE_LINE;
    for (uint64_t line = first; line <= last; line++)
        touch_line(c, cpu, line, write, out);
}

void sim_cache_dma(struct sim_cache *c, uint64_t addr, uint64_t len)
{
    if (!len)
        return;
    uint64_t first = addr / SIM_CACHE_LINE, last = (addr + len - 1) / SIM_CACHE_LINE;
    for (uint64_t line = first; line <= last; line++)
        for (int o = 0; o < c->ncpus; o++) {
            long s = find(c->cpu[o], line);
            if (s >= 0)
                c->cpu[o]->tag[s] = EMPTY;
        }
}

bool sim_cache_holds(const struct sim_cache *c, int cpu, uint64_t addr, bool *modified)
{
    long s = find(c->cpu[cpu], addr / SIM_CACHE_LINE);
    if (s < 0)
        return false;
    if (modified)
        *modified = c->cpu[cpu]->modified[s];
    return true;
}
