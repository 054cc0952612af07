/* tests/unit/check_cache.c: hits, misses, cache-to-cache transfers, DMA
 * invalidation and the LRU bound, each against the MESI-like rules in
 * sim/cache.h, and a randomized run against a naive reference model.  Every
 * test runs once per line-loop instruction set (sse2, avx2); one the CPU
 * lacks is skipped, as the copy routines are. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cache.h"
#include "sim/rng.h"
#include "tests/common/testenv.h"

static struct sim_cache c;
static const char *const isas[] = { "sse2", "avx2" };

/* Failure messages name the instruction set: loop iterations share a TAP name. */
#define EXPECT_EQ(got, want)                                                                    \
    ck_assert_msg((got) == (want), "%s: %s is %llu, want %llu", isas[_i], #got,                  \
                  (unsigned long long)(got), (unsigned long long)(want))
#define EXPECT(cond) ck_assert_msg(cond, "%s: %s", isas[_i], #cond)

/* Selects isas[i] for cc; false (the test is skipped) when this CPU lacks it. */
static bool use_isa(struct sim_cache *cc, int i)
{
    return sim_cache_select(cc, isas[i]) == 0;
}

static void setup(void) { ck_assert_int_eq(sim_cache_init(&c, 2, 64), 0); }
static void teardown(void) { sim_cache_fini(&c); }

static struct sim_touch touch(int cpu, uint64_t addr, uint64_t len, bool write)
{
    struct sim_touch t = {0};
    sim_cache_touch(&c, cpu, addr, len, write, &t);
    return t;
}

START_TEST(best_isa_by_default)
{
    ck_assert_str_eq(sim_cache_isa(&c), __builtin_cpu_supports("avx2") ? "avx2" : "sse2");
    ck_assert_int_eq(sim_cache_select(&c, "mmx"), -1);
    ck_assert_str_eq(sim_cache_isa(&c), __builtin_cpu_supports("avx2") ? "avx2" : "sse2");
}
END_TEST

START_TEST(miss_then_hit)
{
    if (!use_isa(&c, _i))
        return;
    uint64_t buf = sim_cache_region(&c, 1500);
    struct sim_touch t = touch(0, buf, 1500, false);
    EXPECT_EQ(t.misses, 24);                            /* 1500 B = 24 lines */
    t = touch(0, buf, 1500, false);
    EXPECT_EQ(t.hits, 24);
    EXPECT_EQ(t.misses + t.transfers, 0);
}
END_TEST

START_TEST(modified_line_moves)
{
    if (!use_isa(&c, _i))
        return;
    uint64_t buf = sim_cache_region(&c, 1448);
    touch(0, buf, 1448, true);                          /* CPU 0 writes: modified there */
    bool m;
    EXPECT(sim_cache_holds(&c, 0, buf + 1400, &m) && m);
    EXPECT(!sim_cache_holds(&c, 1, buf, NULL));
    struct sim_touch t = touch(1, buf, 1448, false);    /* CPU 1 reads it */
    EXPECT_EQ(t.transfers, 23);
    EXPECT_EQ(t.misses, 0);
    EXPECT(sim_cache_holds(&c, 0, buf, &m) && !m);      /* both shared now */
    EXPECT(sim_cache_holds(&c, 1, buf, &m) && !m);
    t = touch(0, buf, 1448, false);                     /* still cached on 0 */
    EXPECT_EQ(t.hits, 23);
    t = touch(1, buf, 64, true);                        /* write invalidates 0's copy */
    EXPECT_EQ(t.hits, 1);
    EXPECT(!sim_cache_holds(&c, 0, buf, NULL));
}
END_TEST

START_TEST(clean_copy_also_moves)
{
    if (!use_isa(&c, _i))
        return;
    uint64_t buf = sim_cache_region(&c, 1448);
    touch(0, buf, 1448, false);                         /* the softirq's checksum pass */
    struct sim_touch t = touch(1, buf, 1448, false);    /* the reader's copy */
    EXPECT_EQ(t.transfers, 23);
    EXPECT_EQ(t.misses, 0);
}
END_TEST

START_TEST(dma_invalidates_everyone)
{
    if (!use_isa(&c, _i))
        return;
    uint64_t buf = sim_cache_region(&c, 256);
    touch(0, buf, 256, false);
    touch(1, buf, 256, false);
    sim_cache_dma(&c, buf, 256);
    EXPECT(!sim_cache_holds(&c, 0, buf, NULL));
    EXPECT(!sim_cache_holds(&c, 1, buf + 192, NULL));
    struct sim_touch t = touch(1, buf, 256, false);
    EXPECT_EQ(t.misses, 4);
}
END_TEST

START_TEST(lru_bound)
{
    if (!use_isa(&c, _i))
        return;
    uint64_t buf = sim_cache_region(&c, 64 * 100);
    touch(0, buf, 64 * 100, false);                     /* 100 lines into 64 */
    EXPECT(!sim_cache_holds(&c, 0, buf, NULL));         /* oldest evicted */
    EXPECT(sim_cache_holds(&c, 0, buf + 64 * 99, NULL));
    touch(0, buf + 64 * 40, 64, false);                 /* refresh line 40 */
    touch(0, sim_cache_region(&c, 64 * 30), 64 * 30, false);
    EXPECT(sim_cache_holds(&c, 0, buf + 64 * 40, NULL));
    EXPECT(!sim_cache_holds(&c, 0, buf + 64 * 41, NULL));
}
END_TEST

/* Reference: per CPU an array of (line, modified, last use) per set; linear
 * scans, LRU within the line's set (line mod sets), as a set-associative cache. */
#define REF_CAP 32
#define REF_SETS (REF_CAP / SIM_CACHE_WAYS)
struct ref_line { uint64_t line; bool modified; uint64_t used; bool valid; };
static struct ref_line ref[4][REF_CAP];
static uint64_t ref_clock;

static struct ref_line *ref_find(int cpu, uint64_t line)
{
    for (int i = 0; i < REF_CAP; i++)
        if (ref[cpu][i].valid && ref[cpu][i].line == line)
            return &ref[cpu][i];
    return NULL;
}

static int ref_touch(int ncpu, int cpu, uint64_t line, bool write)  /* 0 hit 1 miss 2 transfer */
{
    struct ref_line *mine = ref_find(cpu, line);
    int outcome = mine ? 0 : 1;
    for (int o = 0; o < ncpu; o++) {
        if (o == cpu)
            continue;
        struct ref_line *x = ref_find(o, line);
        if (!x)
            continue;
        if (!mine)
            outcome = 2;                /* any other copy answers the miss */
        if (write)
            x->valid = false;
        else
            x->modified = false;
    }
    if (!mine) {
        int set = (int)(line % REF_SETS), victim = -1;
        for (int i = 0; i < REF_CAP; i++) {
            if (i % REF_SETS != set)
                continue;               /* slot i belongs to set i mod REF_SETS */
            if (!ref[cpu][i].valid) { victim = i; break; }
            if (victim < 0 || ref[cpu][i].used < ref[cpu][victim].used)
                victim = i;
        }
        mine = &ref[cpu][victim];
        *mine = (struct ref_line){ .line = line, .valid = true };
    }
    if (write)
        mine->modified = true;
    mine->used = ++ref_clock;
    return outcome;
}

START_TEST(matches_reference_model)
{
    struct sim_cache rc;
    struct sim_rng r;
    ck_assert_int_eq(sim_cache_init(&rc, 4, REF_CAP), 0);
    if (!use_isa(&rc, _i)) {
        sim_cache_fini(&rc);
        return;
    }
    memset(ref, 0, sizeof ref);
    sim_rng_seed(&r, 1);
    for (int step = 0; step < 200000; step++) {
        int cpu = (int)sim_rng_below(&r, 4);
        uint64_t line = 100 + sim_rng_below(&r, 40);
        bool write = sim_rng_below(&r, 3) == 0;
        struct sim_touch t = {0};
        if (sim_rng_below(&r, 50) == 0) {
            sim_cache_dma(&rc, line * 64, 64);
            for (int o = 0; o < 4; o++) {
                struct ref_line *x = ref_find(o, line);
                if (x)
                    x->valid = false;
            }
            continue;
        }
        sim_cache_touch(&rc, cpu, line * 64 + 5, 1, write, &t);
        int want = ref_touch(4, cpu, line, write);
        int got = t.hits ? 0 : t.misses ? 1 : 2;
        ck_assert_msg(got == want, "%s: step %d cpu %d line %llu write %d: got %d want %d", isas[_i],
                      step, cpu, (unsigned long long)line, write, got, want);
    }
    sim_cache_fini(&rc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("lines");
    tcase_add_checked_fixture(tc, setup, teardown);
    int n = (int)(sizeof isas / sizeof isas[0]);
    tcase_add_test(tc, best_isa_by_default);
    tcase_add_loop_test(tc, miss_then_hit, 0, n);
    tcase_add_loop_test(tc, modified_line_moves, 0, n);
    tcase_add_loop_test(tc, clean_copy_also_moves, 0, n);
    tcase_add_loop_test(tc, dma_invalidates_everyone, 0, n);
    tcase_add_loop_test(tc, lru_bound, 0, n);
    tcase_add_loop_test(tc, matches_reference_model, 0, n);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
