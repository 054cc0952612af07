/* tests/unit/check_skb_pool.c: the skb pool (bulk refill and flush, the
 * colder half leaving first, addresses that never share a line) and every
 * recycle policy in the registry, table-driven: required hooks and unique
 * names; nothing lost or duplicated across CPUs (every buffer in exactly one
 * place after every phase); remote frees counted under every policy when
 * the freeing CPU is not the allocating one, and never when it is, with
 * each policy's freed buffer landing where it says (origin: home; defer:
 * the allocating CPU's defer list); the lock line bouncing only under
 * locking policies and only between CPUs; the skb's own work (ALLOC_SKB,
 * FREE_SKB, REMOTE_FREE on a remote free) charged under every policy, in
 * the function that does it; exhaustion counted.  The defer policy's
 * thresholds are checked in check_skb_defer.c.
 *
 * Each policy's expected behaviour is a row of `expects` below, so a new
 * registry entry fails registry_entry until its author writes one.  Loop
 * iterations share one TAP name: every message names the policy. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/policy/recycle.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"
#include "tests/common/testenv.h"

#define NCPUS 4
#define POOL_N 64
#define CACHE_N 8
#define BURST 4                         /* <= CACHE_N / 2: a warm cache never refills or flushes */

/* How often a policy takes the global lock once warm. */
enum lock_use { LOCK_NEVER, LOCK_IN_BULK, LOCK_EVERY_OP };

/* Where a buffer freed on another CPU than its alloc_cpu goes. */
enum home { TO_GLOBAL, TO_FREEING_CPU, TO_ALLOC_CPU, TO_RING, TO_DEFER_LIST };
static const char *const home_names[] = { "the global list", "the freeing CPU's cache",
                                          "the allocating CPU's cache", "the ring list",
                                          "the allocating CPU's defer list" };

/* Every policy pays ALLOC_SKB per allocation and FREE_SKB per free (the
 * skb's own work, skb_pool.c); a free on another CPU than alloc_cpu pays
 * REMOTE_FREE inside kfree_skb, unless the policy defers it: then the
 * allocating CPU frees it later, locally, inside skb_defer_free_flush. */
struct expect {
    const char *name;
    bool defers;                        /* a remote free's work is done by alloc_cpu's flush */
    enum home home;                     /* where such a free puts the buffer */
    enum lock_use lock_across;          /* alloc on CPU 0, free on CPU 1 */
    enum lock_use lock_alone;           /* both on CPU 0 */
};

static const struct expect expects[] = {
    { "none",   false, TO_GLOBAL,      LOCK_EVERY_OP, LOCK_EVERY_OP },
    { "global", false, TO_GLOBAL,      LOCK_EVERY_OP, LOCK_EVERY_OP },
    { "percpu", false, TO_FREEING_CPU, LOCK_IN_BULK,  LOCK_NEVER },
    { "origin", false, TO_ALLOC_CPU,   LOCK_NEVER,    LOCK_NEVER },
    { "ring",   false, TO_RING,        LOCK_NEVER,    LOCK_NEVER },
    { "defer",  true,  TO_DEFER_LIST,  LOCK_NEVER,    LOCK_NEVER },
};

static int npolicies;

static struct sim_machine m;
static struct skb_pool pool;
static const struct recycle_policy_ops *pol;    /* NULL in tests of the pool alone */
static const struct expect *ex;
static void *state;
static struct skb_buf *held[POOL_N + 1];        /* out, oldest first; one spare to see a policy overdraw */
static uint32_t nheld;

/* ---- helpers ------------------------------------------------------------- */

static const struct expect *expect_for(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(expects); i++)
        if (!strcmp(expects[i].name, name))
            return &expects[i];
    return NULL;
}

static void use_policy(int i)
{
    pol = recycle_policies[i];
    ex = expect_for(pol->name);
    ck_assert_msg(ex, "%s: no row in expects[]", pol->name);
    state = pol->create ? pol->create(&pool, &m) : NULL;
    ck_assert_msg(!pol->create || state, "%s: create() failed", pol->name);
}

/* Policy calls charge cycles, so they run inside a work item on their CPU. */
struct call {
    struct sim_work w;
    bool alloc;
    uint32_t n, done;
};

static void call_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct call *c = (struct call *)w;
    if (c->alloc) {
        /* allocations are a ring refill: the NET_RX softirq starts first */
        if (pol->softirq)
            pol->softirq(state, &pool, &m, cpu);
        while (c->done < c->n && nheld < ARRAY_LEN(held)) {
            struct skb_buf *b = pol->alloc(state, &pool, &m, cpu);
            if (!b)
                break;
            ck_assert_msg(b->alloc_cpu == cpu->id, "%s: alloc_cpu %d on CPU %d", pol->name,
                          b->alloc_cpu, cpu->id);
            held[nheld++] = b;
            c->done++;
        }
    } else {                            /* oldest first, as a socket queue drains */
        for (; c->done < c->n && c->done < nheld; c->done++)
            pol->release(state, &pool, &m, cpu, held[c->done]);
        memmove(held, held + c->done, (nheld - c->done) * sizeof held[0]);
        nheld -= c->done;
    }
}

static uint32_t run_call(int cpu, bool alloc, uint32_t n)
{
    struct call c = { .w = { .level = SIM_LEVEL_PROCESS, .run = call_run }, .alloc = alloc, .n = n };
    sim_cpu_submit(&m.cpu[cpu], &c.w);
    while (sim_step(&m.q, NULL))
        ;
    return c.done;
}

static uint32_t alloc_on(int cpu, uint32_t n) { return run_call(cpu, true, n); }
static void release_on(int cpu, uint32_t n) { run_call(cpu, false, n); }

/* rounds of: BURST buffers allocated on a, then released on b. */
static void cycle(int a, int b, int rounds)
{
    for (int r = 0; r < rounds; r++) {
        ck_assert_msg(alloc_on(a, BURST) == BURST, "%s: pool ran dry in a steady cycle", pol->name);
        release_on(b, BURST);
    }
}

static uint64_t sum_cycles(enum sim_function fn)
{
    uint64_t s = 0;
    for (int c = 0; c < NCPUS; c++)
        s += m.cpu[c].prof.cycles[fn];
    return s;
}

static uint64_t sum_calls(enum sim_function fn)
{
    uint64_t s = 0;
    for (int c = 0; c < NCPUS; c++)
        s += m.cpu[c].prof.calls[fn];
    return s;
}

static uint64_t sum_lines_out(enum sim_function fn)
{
    uint64_t s = 0;
    for (int c = 0; c < NCPUS; c++)
        s += m.cpu[c].prof.lines_out[fn];
    return s;
}

static void see(uint8_t *seen, const struct skb_buf *b, const char *where, const char *when)
{
    const char *name = pol ? pol->name : "pool";
    ck_assert_msg(b >= pool.bufs && b < pool.bufs + pool.count, "%s, %s: foreign buffer in %s",
                  name, when, where);
    ck_assert_msg(!seen[b->id], "%s, %s: buffer %u found twice (again in %s)", name, when, b->id, where);
    seen[b->id] = 1;
}

/* Every buffer is in exactly one place: the global list, the ring list, one
 * CPU's cache, or held (out); counters agree with the lists. */
static void assert_accounted(const char *when)
{
    const char *name = pol ? pol->name : "pool";
    uint8_t seen[POOL_N] = {0};
    uint32_t found = 0;
    const struct skb_list *lists[2 + SIM_MAX_CPUS] = { &pool.global, &pool.ring };
    const char *list_names[2 + SIM_MAX_CPUS] = { "the global list", "the ring list" };
    for (int c = 0; c < SIM_MAX_CPUS; c++) {
        lists[2 + c] = &pool.defer[c];
        list_names[2 + c] = "a defer list";
    }

    ck_assert_uint_eq(pool.count, POOL_N);
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        uint32_t n = 0;
        for (const struct skb_buf *b = lists[l]->head; b && n <= POOL_N; b = b->next, n++) {
            see(seen, b, list_names[l], when);
            ck_assert_msg(!b->out, "%s, %s: buffer %u out but in %s", name, when, b->id, list_names[l]);
        }
        ck_assert_msg(n == lists[l]->len, "%s, %s: %s has %u buffers, len says %u", name, when,
                      list_names[l], n, lists[l]->len);
        found += n;
    }
    for (int c = 0; c < SIM_MAX_CPUS; c++) {
        const struct skb_cache *k = &pool.cache[c];
        ck_assert_msg(k->len <= k->size, "%s, %s: cache %d over its size", name, when, c);
        ck_assert_msg(c < NCPUS || k->len == 0, "%s, %s: cache of absent CPU %d used", name, when, c);
        for (uint32_t i = 0; i < k->len; i++) {
            see(seen, k->slot[i], "a cache", when);
            ck_assert_msg(!k->slot[i]->out, "%s, %s: buffer %u out but cached", name, when, k->slot[i]->id);
        }
        found += k->len;
    }
    for (uint32_t i = 0; i < nheld; i++) {
        see(seen, held[i], "the held set", when);
        ck_assert_msg(held[i]->out, "%s, %s: held buffer %u not marked out", name, when, held[i]->id);
    }
    found += nheld;
    ck_assert_msg(found == POOL_N, "%s, %s: %u of %u buffers accounted for", name, when, found, POOL_N);
    ck_assert_msg(pool.st.allocs == pool.st.frees + pool.st.recycled + nheld,
                  "%s, %s: allocs %llu != frees %llu + recycled %llu + out %u", name, when,
                  (unsigned long long)pool.st.allocs, (unsigned long long)pool.st.frees,
                  (unsigned long long)pool.st.recycled, nheld);
}

/* ---- fixture: proves nothing leaked -------------------------------------- */

static void setup(void)
{
    struct sim_machine_config cfg = { .ncpus = NCPUS, .mhz = 2600, .cache_lines = 4096, .seed = 1 };
    ck_assert_int_eq(sim_machine_init(&m, &cfg), 0);
    ck_assert_int_eq(skb_pool_init(&pool, &m, POOL_N, CACHE_N), 0);
    pol = NULL;
    ex = NULL;
    state = NULL;
    nheld = 0;
}

static void teardown_assert_all_returned(void)
{
    if (pol)
        release_on(0, nheld);
    assert_accounted("at teardown");
    if (pol && pol->destroy)
        pol->destroy(state);
    skb_pool_fini(&pool);
    sim_machine_fini(&m);
}

/* ---- the pool ------------------------------------------------------------ */

START_TEST(pool_init_rejects_bad_sizes)
{
    struct skb_pool p;
    ck_assert_int_eq(skb_pool_init(&p, &m, 0, CACHE_N), -1);
    skb_pool_fini(&p);
    ck_assert_int_eq(skb_pool_init(&p, &m, 8, 0), -1);
    skb_pool_fini(&p);
    ck_assert_int_eq(skb_pool_init(&p, &m, 8, SKB_CACHE_MAX + 1), -1);
    skb_pool_fini(&p);
    ck_assert_int_eq(skb_pool_init(&p, &m, 8, SKB_CACHE_MAX), 0);
    skb_pool_fini(&p);
}
END_TEST

START_TEST(pool_geometry)
{
    assert_accounted("after init");
    ck_assert_uint_eq(pool.global.len, POOL_N);
    ck_assert_ptr_eq(pool.global.head, &pool.bufs[0]);
    for (uint32_t i = 0; i < POOL_N; i++) {
        const struct skb_buf *b = &pool.bufs[i];
        ck_assert_uint_eq(b->id, i);
        ck_assert_int_eq(b->alloc_cpu, -1);
        ck_assert(!b->out);
        memset(b->data, 0xa5, SKB_BUF_SIZE);                    /* ASan: every byte is ours */
        ck_assert_uint_eq(b->data_addr % SIM_CACHE_LINE, 0);
        ck_assert_uint_eq(b->meta_addr % SIM_CACHE_LINE, 0);
        if (i > 0) {                                            /* one array, no sharing */
            ck_assert_ptr_eq(b->data, pool.bufs[i - 1].data + SKB_BUF_SIZE);
            ck_assert_uint_ge(b->data_addr, pool.bufs[i - 1].data_addr + SKB_BUF_SIZE);
            ck_assert_uint_ge(b->meta_addr, pool.bufs[i - 1].meta_addr + SIM_CACHE_LINE);
        }
    }
    uint64_t data_end = pool.bufs[POOL_N - 1].data_addr + SKB_BUF_SIZE;
    ck_assert_uint_ge(pool.bufs[0].meta_addr, data_end);        /* metadata apart from bytes */
    ck_assert_uint_ge(pool.lock_addr, pool.bufs[POOL_N - 1].meta_addr + SIM_CACHE_LINE);
    for (int c = 0; c < SIM_MAX_CPUS; c++)
        ck_assert_uint_eq(pool.cache[c].size, CACHE_N);
}
END_TEST

struct bulk_job {
    struct sim_work w;
    struct skb_buf *b[CACHE_N + 1];
    struct skb_buf *refilled;
};

static void bulk_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct bulk_job *j = (struct bulk_job *)w;
    struct skb_cache *c = &pool.cache[cpu->id];
    const uint32_t half = CACHE_N / 2;

    ck_assert_uint_eq(skb_pool_get_bulk(&pool, j->b, CACHE_N + 1), CACHE_N + 1);
    for (int i = 0; i < CACHE_N; i++)
        skb_cache_put(&pool, &m, cpu, cpu->id, j->b[i]);
    ck_assert_uint_eq(c->len, CACHE_N);
    ck_assert_uint_eq(cpu->prof.calls[SIM_FN_SKB_POOL_LOCK], 0);

    /* Full: this put first flushes the colder half, b[0 .. half), in one locked move. */
    skb_cache_put(&pool, &m, cpu, cpu->id, j->b[CACHE_N]);
    ck_assert_uint_eq(cpu->prof.calls[SIM_FN_SKB_POOL_LOCK], 1);
    ck_assert_uint_eq(c->len, CACHE_N - half + 1);
    ck_assert_uint_eq(pool.global.len, POOL_N - (CACHE_N + 1) + half);
    ck_assert_ptr_eq(pool.global.head, j->b[half - 1]);
    for (uint32_t i = 0; i < c->len; i++)
        ck_assert_ptr_eq(c->slot[i], j->b[half + i]);          /* hot half kept, in order */

    /* Hottest first, without the lock, until empty ... */
    for (int i = CACHE_N; i >= (int)half; i--)
        ck_assert_ptr_eq(skb_cache_get(&pool, &m, cpu), j->b[i]);
    ck_assert_uint_eq(cpu->prof.calls[SIM_FN_SKB_POOL_LOCK], 1);
    /* ... then half a cache at once, from the top of the global list. */
    j->refilled = skb_cache_get(&pool, &m, cpu);
    ck_assert_ptr_eq(j->refilled, j->b[0]);
    ck_assert_uint_eq(cpu->prof.calls[SIM_FN_SKB_POOL_LOCK], 2);
    ck_assert_uint_eq(c->len, half - 1);
    ck_assert_uint_gt(cpu->prof.cycles[SIM_FN_SKB_POOL_LOCK], 0);
}

START_TEST(cache_moves_half_in_bulk)
{
    struct bulk_job j = { .w = { .level = SIM_LEVEL_SOFTIRQ, .run = bulk_run } };
    sim_cpu_submit(&m.cpu[0], &j.w);
    while (sim_step(&m.q, NULL))
        ;
    /* The gets handed out b[half ..= CACHE_N] and b[0]: put them back, and count. */
    skb_pool_put_bulk(&pool, j.b + CACHE_N / 2, CACHE_N / 2 + 1);
    skb_pool_put_bulk(&pool, &j.refilled, 1);
    assert_accounted("after the bulk moves");
}
END_TEST

/* ---- the registry -------------------------------------------------------- */

START_TEST(registry_entry)
{
    const struct recycle_policy_ops *p = recycle_policies[_i];
    ck_assert_msg(p->name && *p->name, "recycle_policies[%d]: no name", _i);
    ck_assert_msg(p->what && *p->what, "%s: no 'what' line for --list", p->name);
    ck_assert_msg(p->alloc && p->release, "%s: a required hook (alloc, release) is missing", p->name);
    ck_assert_msg(!p->destroy || p->create, "%s: destroy() without create()", p->name);
    for (int j = 0; j < npolicies; j++)
        ck_assert_msg(j == _i || strcmp(recycle_policies[j]->name, p->name),
                      "%s: name used twice (entries %d and %d)", p->name, _i, j);
    ck_assert_msg(recycle_policy_find(p->name) == p, "%s: recycle_policy_find() misses it", p->name);
    ck_assert_msg(expect_for(p->name), "%s: add its expected behaviour to expects[] here", p->name);
}
END_TEST

START_TEST(registry_find_unknown)
{
    ck_assert_int_ge(npolicies, 5);
    ck_assert_ptr_null(recycle_policies[npolicies]);
    ck_assert_ptr_null(recycle_policy_find(""));
    ck_assert_ptr_null(recycle_policy_find("nosuch"));
    ck_assert_ptr_null(recycle_policy_find("PerCPU"));          /* names are exact */
    ck_assert_ptr_null(recycle_policy_find("ring "));
    ck_assert_ptr_nonnull(recycle_policy_find("percpu"));
}
END_TEST

/* ---- every policy -------------------------------------------------------- */

START_TEST(nothing_lost_across_cpus)
{
    use_policy(_i);
    struct sim_rng rng;
    sim_rng_seed(&rng, 42);
    char when[64];
    for (int phase = 0; phase < 400; phase++) {
        /* First alternate 0 -> 1 and 1 -> 0, then any CPU to any CPU. */
        int a = phase < 200 ? phase % 2 : (int)sim_rng_below(&rng, NCPUS);
        int b = phase < 200 ? 1 - phase % 2 : (int)sim_rng_below(&rng, NCPUS);
        alloc_on(a, 1 + (uint32_t)sim_rng_below(&rng, POOL_N / 4));
        snprintf(when, sizeof when, "phase %d after alloc on CPU %d", phase, a);
        assert_accounted(when);
        release_on(b, (uint32_t)sim_rng_below(&rng, nheld + 1));
        snprintf(when, sizeof when, "phase %d after release on CPU %d", phase, b);
        assert_accounted(when);
    }
    ck_assert_msg(pool.st.allocs > 2000, "%s: only %llu allocations", pol->name,
                  (unsigned long long)pool.st.allocs);
}
END_TEST

/* Whether b is in the list l. */
static bool in_list(const struct skb_list *l, const struct skb_buf *b)
{
    uint32_t n = 0;
    for (const struct skb_buf *x = l->head; x && n <= POOL_N; x = x->next, n++)
        if (x == b)
            return true;
    return false;
}

static bool in_cache(int cpu, const struct skb_buf *b)
{
    for (uint32_t i = 0; i < pool.cache[cpu].len; i++)
        if (pool.cache[cpu].slot[i] == b)
            return true;
    return false;
}

/* Remote = freed on another CPU than the one that allocated it, under every
 * policy (the IRQ CPU allocates, the reader's CPU frees); a policy changes
 * where the buffer goes next, never whether the free was remote. */
START_TEST(remote_frees_counted_under_every_policy)
{
    use_policy(_i);
    struct { int alloc_cpu, free_cpu, rounds; } runs[] = {
        { 0, 1, 50 },                   /* IRQ CPU != reader CPU: every free remote */
        { 1, 0, 50 },
        { 2, 2, 50 },                   /* IRQ CPU == reader CPU: none */
        { 3, 3, 50 },
    };
    for (size_t r = 0; r < ARRAY_LEN(runs); r++) {
        uint64_t before = pool.st.remote_frees, frees = pool.st.frees + pool.st.recycled;
        cycle(runs[r].alloc_cpu, runs[r].free_cpu, runs[r].rounds);
        uint64_t released = pool.st.frees + pool.st.recycled - frees;
        uint64_t want = runs[r].alloc_cpu != runs[r].free_cpu ? released : 0;
        ck_assert_msg(released == (uint64_t)runs[r].rounds * BURST, "%s: %llu releases", pol->name,
                      (unsigned long long)released);
        ck_assert_msg(pool.st.remote_frees - before == want,
                      "%s: allocated on CPU %d, freed on %d: %llu remote frees of %llu, expected %llu",
                      pol->name, runs[r].alloc_cpu, runs[r].free_cpu,
                      (unsigned long long)(pool.st.remote_frees - before), (unsigned long long)released,
                      (unsigned long long)want);
    }
}
END_TEST

/* Where a remote free puts the buffer: origin sends it home to the cache of
 * the CPU that allocated it, defer to that CPU's defer list; percpu keeps
 * it on the freeing CPU. */
START_TEST(remote_free_lands_where_the_policy_says)
{
    use_policy(_i);
    cycle(0, 1, 10);                    /* warm-up: caches and ring list filled */
    ck_assert_msg(alloc_on(0, BURST) == BURST, "%s: pool ran dry", pol->name);
    struct skb_buf *freed[BURST];
    memcpy(freed, held, sizeof freed);
    release_on(1, BURST);
    for (int i = 0; i < BURST; i++) {
        const struct skb_buf *b = freed[i];
        ck_assert_msg(b->alloc_cpu == 0, "%s: alloc_cpu %d", pol->name, b->alloc_cpu);
        bool where[] = { in_list(&pool.global, b), in_cache(1, b), in_cache(0, b), in_list(&pool.ring, b),
                         in_list(&pool.defer[0], b) };
        ck_assert_msg(where[ex->home], "%s: buffer %u allocated on CPU 0 and freed on 1 is not in %s "
                      "(global %d, cache 1 %d, cache 0 %d, ring %d, defer list 0 %d)", pol->name, b->id,
                      home_names[ex->home], where[0], where[1], where[2], where[3], where[4]);
    }
}
END_TEST

static void assert_lock_use(enum lock_use use, uint64_t ops, const char *how)
{
    uint64_t calls = sum_calls(SIM_FN_SKB_POOL_LOCK);
    switch (use) {
    case LOCK_EVERY_OP:
        ck_assert_msg(calls == ops, "%s %s: %llu lock takes for %llu operations", pol->name, how,
                      (unsigned long long)calls, (unsigned long long)ops);
        break;
    case LOCK_IN_BULK:                  /* once per half cache at most, on each side */
        ck_assert_msg(calls > 0 && calls <= ops / ((CACHE_N + 1) / 2),
                      "%s %s: %llu lock takes for %llu operations", pol->name, how,
                      (unsigned long long)calls, (unsigned long long)ops);
        break;
    case LOCK_NEVER:
        ck_assert_msg(calls == 0, "%s %s: took the global lock %llu times after warm-up", pol->name,
                      how, (unsigned long long)calls);
        break;
    }
    ck_assert_msg(sum_cycles(SIM_FN_SKB_POOL_LOCK) >= calls * m.costs.cycles[SIM_COST_POOL_LOCK],
                  "%s %s: lock takes not charged", pol->name, how);
}

START_TEST(lock_line_bounces_between_cpus)
{
    use_policy(_i);
    cycle(0, 1, 10);                    /* warm-up: caches and ring list filled */
    sim_machine_reset_stats(&m);
    cycle(0, 1, 50);
    assert_lock_use(ex->lock_across, 2 * 50 * BURST, "alloc on 0, free on 1");
    uint64_t moved = sum_lines_out(SIM_FN_SKB_POOL_LOCK);
    if (ex->lock_across == LOCK_NEVER)
        ck_assert_msg(moved == 0, "%s: lock line moved %llu times", pol->name, (unsigned long long)moved);
    else
        ck_assert_msg(moved > 0, "%s: the lock line never moved between CPUs 0 and 1", pol->name);
    /* Metadata lines move with every policy: written on 0 at alloc, on 1 at
     * free, back on 0 at the next alloc (or, under defer, at the flush). */
    uint64_t back = sum_lines_out(SIM_FN_ALLOC_SKB) + sum_lines_out(SIM_FN_SKB_DEFER_FLUSH);
    ck_assert_msg(back > 0 && sum_lines_out(SIM_FN_KFREE_SKB) > 0,
                  "%s: metadata lines did not move (back to CPU 0 %llu, free %llu)", pol->name,
                  (unsigned long long)back, (unsigned long long)sum_lines_out(SIM_FN_KFREE_SKB));
    ck_assert_msg(ex->defers || sum_lines_out(SIM_FN_SKB_DEFER_FLUSH) == 0,
                  "%s: lines moved by a flush it never does", pol->name);
}
END_TEST

START_TEST(one_cpu_moves_no_lines)
{
    use_policy(_i);
    cycle(0, 0, 10);
    ck_assert_msg(sum_lines_out(SIM_FN_SKB_POOL_LOCK) == 0, "%s: lock line moved with one CPU", pol->name);
    sim_machine_reset_stats(&m);
    uint64_t n = 50 * BURST;
    cycle(0, 0, 50);
    assert_lock_use(ex->lock_alone, 2 * n, "on CPU 0 alone");
    for (int f = 0; f < SIM_FN__COUNT; f++)
        ck_assert_msg(sum_lines_out((enum sim_function)f) == 0, "%s: %s moved lines with one CPU",
                      pol->name, sim_function_name((enum sim_function)f));
    /* Warm lines cost nothing, so what is left is the skb's own work, the
     * same under every policy: nothing deferred, nothing remote. */
    uint64_t want_alloc = n * m.costs.cycles[SIM_COST_ALLOC_SKB];
    uint64_t want_free = n * m.costs.cycles[SIM_COST_FREE_SKB];
    ck_assert_msg(sum_calls(SIM_FN_SKB_DEFER_FLUSH) == 0 && pool.st.deferred == 0,
                  "%s: deferred a free with one CPU", pol->name);
    ck_assert_msg(sum_cycles(SIM_FN_ALLOC_SKB) == want_alloc, "%s: alloc_skb %llu cycles, expected %llu",
                  pol->name, (unsigned long long)sum_cycles(SIM_FN_ALLOC_SKB), (unsigned long long)want_alloc);
    ck_assert_msg(sum_cycles(SIM_FN_KFREE_SKB) == want_free, "%s: kfree_skb %llu cycles, expected %llu",
                  pol->name, (unsigned long long)sum_cycles(SIM_FN_KFREE_SKB), (unsigned long long)want_free);
}
END_TEST

START_TEST(allocator_costs_across_cpus)
{
    use_policy(_i);
    /* Lines free of charge: what remains is each policy's per-buffer work. */
    m.costs.cycles[SIM_COST_LINE_MISS] = 0;
    m.costs.cycles[SIM_COST_LINE_TRANSFER] = 0;
    cycle(0, 1, 10);
    sim_machine_reset_stats(&m);
    const struct skb_pool_stats before = pool.st;
    uint64_t n = 50 * BURST;
    cycle(0, 1, 50);
    /* Every policy: n x ALLOC_SKB on CPU 0.  A remote free's work, n x
     * (FREE_SKB + REMOTE_FREE) inside kfree_skb on CPU 1; under defer, CPU
     * 0's flush at each next alloc frees the BURST deferred before it,
     * locally: n x FREE_SKB inside skb_defer_free_flush (the warm-up's last
     * BURST flushed in the window, the window's last BURST still queued). */
    uint64_t want_alloc = n * m.costs.cycles[SIM_COST_ALLOC_SKB];
    uint64_t remote = n * (m.costs.cycles[SIM_COST_FREE_SKB] + m.costs.cycles[SIM_COST_REMOTE_FREE]);
    uint64_t want_free = ex->defers ? 0 : remote;
    uint64_t want_flush = ex->defers ? n * m.costs.cycles[SIM_COST_FREE_SKB] : 0;
    ck_assert_msg(sum_cycles(SIM_FN_ALLOC_SKB) == want_alloc, "%s: alloc_skb %llu cycles, expected %llu",
                  pol->name, (unsigned long long)sum_cycles(SIM_FN_ALLOC_SKB), (unsigned long long)want_alloc);
    ck_assert_msg(sum_cycles(SIM_FN_KFREE_SKB) == want_free, "%s: kfree_skb %llu cycles, expected %llu",
                  pol->name, (unsigned long long)sum_cycles(SIM_FN_KFREE_SKB), (unsigned long long)want_free);
    ck_assert_msg(sum_cycles(SIM_FN_SKB_DEFER_FLUSH) == want_flush,
                  "%s: skb_defer_free_flush %llu cycles, expected %llu", pol->name,
                  (unsigned long long)sum_cycles(SIM_FN_SKB_DEFER_FLUSH), (unsigned long long)want_flush);
    ck_assert_msg(m.cpu[1].prof.cycles[SIM_FN_SKB_DEFER_FLUSH] == 0, "%s: CPU 1 flushed CPU 0's skbs",
                  pol->name);
    uint64_t deferred = pool.st.deferred - before.deferred, flushes = pool.st.defer_flushes - before.defer_flushes;
    ck_assert_msg(ex->defers ? deferred == n && flushes == 50 && sum_calls(SIM_FN_SKB_DEFER_FLUSH) == 50
                             : deferred == 0 && sum_calls(SIM_FN_SKB_DEFER_FLUSH) == 0,
                  "%s: %llu deferred, %llu flushes (%llu calls), expected %llu and 50 under defer, else 0",
                  pol->name, (unsigned long long)deferred, (unsigned long long)flushes,
                  (unsigned long long)sum_calls(SIM_FN_SKB_DEFER_FLUSH), (unsigned long long)n);
    ck_assert_msg(sum_cycles(SIM_FN_SKB_POOL_LOCK) ==
                      sum_calls(SIM_FN_SKB_POOL_LOCK) * m.costs.cycles[SIM_COST_POOL_LOCK],
                  "%s: lock cycles are not POOL_LOCK per take", pol->name);
    /* The profile's calls are real calls: one alloc_skb per buffer handed
     * out and one kfree_skb per release, whatever the policy adds inside. */
    ck_assert_msg(sum_calls(SIM_FN_ALLOC_SKB) == n && pool.st.allocs >= n,
                  "%s: %llu alloc_skb calls for %llu buffers allocated", pol->name,
                  (unsigned long long)sum_calls(SIM_FN_ALLOC_SKB), (unsigned long long)n);
    ck_assert_msg(sum_calls(SIM_FN_KFREE_SKB) == n, "%s: %llu kfree_skb calls for %llu buffers released",
                  pol->name, (unsigned long long)sum_calls(SIM_FN_KFREE_SKB), (unsigned long long)n);
}
END_TEST

START_TEST(exhaustion_is_counted)
{
    use_policy(_i);
    ck_assert_msg(alloc_on(0, POOL_N) == POOL_N, "%s: could not hand out the whole pool", pol->name);
    ck_assert_msg(pool.st.exhausted == 0, "%s: exhausted before the pool ran dry", pol->name);
    ck_assert_msg(alloc_on(0, 1) == 0 && alloc_on(1, 1) == 0, "%s: a buffer out of thin air", pol->name);
    ck_assert_msg(pool.st.exhausted == 2, "%s: %llu exhaustions counted, expected 2", pol->name,
                  (unsigned long long)pool.st.exhausted);
    assert_accounted("when dry");
    release_on(0, 1);
    ck_assert_msg(alloc_on(0, 1) == 1, "%s: a released buffer could not be allocated again", pol->name);
    ck_assert_msg(pool.st.exhausted == 2, "%s: counted an exhaustion that did not happen", pol->name);
}
END_TEST

START_TEST(double_release_aborts)
{
    use_policy(_i);
    alloc_on(0, 1);
    struct skb_buf *b = held[0];
    release_on(0, 1);
    held[nheld++] = b;                  /* the caller's bug: b is released again */
    release_on(0, 1);
}
END_TEST

int main(void)
{
    while (recycle_policies[npolicies])
        npolicies++;

    Suite *s = suite_create("skb_pool");
    TCase *tc = tcase_create("pool");
    tcase_add_checked_fixture(tc, setup, teardown_assert_all_returned);
    tcase_add_test(tc, pool_init_rejects_bad_sizes);
    tcase_add_test(tc, pool_geometry);
    tcase_add_test(tc, cache_moves_half_in_bulk);
    suite_add_tcase(s, tc);

    tc = tcase_create("registry");
    tcase_add_loop_test(tc, registry_entry, 0, npolicies);
    tcase_add_test(tc, registry_find_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("policies");
    /* nothing_lost_across_cpus checks every buffer 800 times: ~2 s a policy under
     * ASan, over Check's 4 s default on a loaded CI machine */
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown_assert_all_returned);
    tcase_add_loop_test(tc, nothing_lost_across_cpus, 0, npolicies);
    tcase_add_loop_test(tc, remote_frees_counted_under_every_policy, 0, npolicies);
    tcase_add_loop_test(tc, remote_free_lands_where_the_policy_says, 0, npolicies);
    tcase_add_loop_test(tc, lock_line_bounces_between_cpus, 0, npolicies);
    tcase_add_loop_test(tc, one_cpu_moves_no_lines, 0, npolicies);
    tcase_add_loop_test(tc, allocator_costs_across_cpus, 0, npolicies);
    tcase_add_loop_test(tc, exhaustion_is_counted, 0, npolicies);
    suite_add_tcase(s, tc);

    /* An abort can only be caught in a forked child (CK_FORK=no runs in-process). */
    const char *fork_mode = getenv("CK_FORK");
    if (!fork_mode || strcmp(fork_mode, "no")) {
        tc = tcase_create("misuse");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_loop_test_raise_signal(tc, double_release_aborts, SIGABRT, 0, npolicies);
        suite_add_tcase(s, tc);
    }

    return testenv_run_suite(s);
}
