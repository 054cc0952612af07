/* sim/cache_lines.h: private to sim/cache.c and sim/cache_avx2.c.  The
 * layout of a CPU's cache and the per-line loops, written once and compiled
 * once per instruction set: the includer first defines, for one set's 8 tags,
 *
 *   ways_ours(tag, tg, &sign)  ways holding tag tg in any state; *sign gets
 *                              the ways whose top bit is set (MODIFIED, or EMPTY)
 *   ways_holding(tag, tg)      ways holding tg in any state
 *   ways_free(tag)             EMPTY ways
 *   ways_dma(tag, tg)          makes a way holding tg EMPTY
 *
 * each returning one bit per way, and LINES(name) to name its copies of the
 * loops.  cache.c does it with SSE2 (two 4-tag compares per set), the
 * baseline; cache_avx2.c with AVX2 (one 8-tag compare), picked at run time
 * when the CPU has it.  Both give the same outcomes; check_cache runs the
 * reference-model test against each. */
#ifndef RXSIM_SIM_CACHE_LINES_H
#define RXSIM_SIM_CACHE_LINES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/cache.h"

#define EMPTY UINT32_MAX
#define MODIFIED 0x80000000u            /* tag bit: held modified (so by this CPU alone) */
#define TAG_LIMIT 0x7fffffffu           /* tags stay below: EMPTY & ~MODIFIED is never a tag */

_Static_assert(SIM_CACHE_WAYS == 8, "a set is 8 tags: one AVX2 or two SSE2 compares");

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
    int nothers;                        /* every other CPU's sets, for a touch to ask */
    struct set *others[SIM_CACHE_MAX_CPUS - 1];
};

/* The line loops of one instruction set (cache.c picks one at init). */
struct sim_cache_lines {
    const char *isa;
    void (*touch)(struct sim_cache_cpu *me, uint64_t first, uint64_t last, bool write,
                  struct sim_touch *out);
    void (*dma)(struct sim_cache_cpu *const *cpu, int ncpus, uint64_t first, uint64_t last);
};

extern const struct sim_cache_lines sim_cache_lines_sse2, sim_cache_lines_avx2;

#endif

#ifdef LINES                            /* the loops, once per includer */

static inline void LINES(use)(struct sim_cache_cpu *p, struct set *s, unsigned way)
{
    if (__builtin_expect(++p->clock == 0, 0)) {   /* stamps wrapped: restart every age at 0 */
        for (uint32_t i = 0; i < p->sets; i++)
            memset(p->set[i].used, 0, sizeof p->set[i].used);
        p->clock = 1;
    }
    s->used[way] = p->clock;
}

/* Per line: a modified copy of our own is a hit that involves nobody else
 * (a write invalidates every other copy, a read by another CPU downgrades
 * ours).  Otherwise every other CPU's copy is invalidated (write) or
 * downgraded (read), and the line is a hit, a transfer (someone else held
 * it) or a miss, inserted into the first free way or over the least recently
 * used.  nothers is a constant where this is inlined for common sizes. */
static inline __attribute__((always_inline)) void
LINES(touch_n)(struct sim_cache_cpu *me, struct set *const *others, int nothers, uint64_t first,
               uint64_t last, bool write, struct sim_touch *out)
{
    const uint64_t setmask = me->sets - 1;
    const unsigned shift = me->shift;
    uint32_t hits = 0, misses = 0, transfers = 0;

    for (uint64_t line = first; line <= last; line++) {
        size_t si = (size_t)(line & setmask);
        struct set *s = &me->set[si];
        uint32_t tg = (uint32_t)(line >> shift);
        unsigned sign;
        unsigned mine = ways_ours(s->tag, tg, &sign);
        if (mine & sign) {              /* ours and exclusive */
            hits++;
            LINES(use)(me, s, (unsigned)__builtin_ctz(mine));
            continue;
        }
        bool elsewhere = false;
        for (int k = 0; k < nothers; k++) {
            struct set *os = &others[k][si];
            unsigned w = ways_holding(os->tag, tg);
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
            LINES(use)(me, s, w);
            continue;
        }
        transfers += elsewhere;
        misses += !elsewhere;
        unsigned free_ways = ways_free(s->tag);
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
        LINES(use)(me, s, victim);
    }
    out->hits += hits;
    out->misses += misses;
    out->transfers += transfers;
}

static void LINES(touch)(struct sim_cache_cpu *me, uint64_t first, uint64_t last, bool write,
                         struct sim_touch *out)
{
    struct set *const *others = me->others;
    switch (me->nothers) {              /* the loop over other CPUs unrolled for 1, 2 and 4 CPUs */
    case 0: LINES(touch_n)(me, others, 0, first, last, write, out); break;
    case 1: LINES(touch_n)(me, others, 1, first, last, write, out); break;
    case 3: LINES(touch_n)(me, others, 3, first, last, write, out); break;
    default: LINES(touch_n)(me, others, me->nothers, first, last, write, out); break;
    }
}

/* Per CPU and line, without branches on what is held (see ways_dma). */
static void LINES(dma)(struct sim_cache_cpu *const *cpu, int ncpus, uint64_t first, uint64_t last)
{
    for (int o = 0; o < ncpus; o++) {
        struct sim_cache_cpu *p = cpu[o];
        const uint64_t setmask = p->sets - 1;
        for (uint64_t line = first; line <= last; line++)
            ways_dma(p->set[line & setmask].tag, (uint32_t)(line >> p->shift));
    }
}

#endif
