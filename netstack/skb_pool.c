/* netstack/skb_pool.c: the buffer pool and per-CPU caches (skb_pool.h).
 *
 * All buffers live in one array and all their bytes in one allocation, so a
 * pool of 8192 buffers is two mallocs (16 MiB of bytes, ~0.4 MiB of
 * metadata) and a run never allocates on the hot path.  Simulated addresses
 * come from two regions (data, then one metadata line per buffer), so no two
 * buffers share a line and a recycled buffer keeps its lines.
 *
 * Cache refills and flushes move half a cache, rounded up (a 1-slot cache
 * still moves one buffer), and a flush sends the bottom half, which holds
 * the buffers freed longest ago and so the least likely to be in this CPU's
 * cache model; the hot top stays for the next allocations. */
#include "netstack/skb_pool.h"

#include <stdlib.h>
#include <string.h>

int skb_pool_init(struct skb_pool *p, struct sim_machine *m, uint32_t count, uint32_t cache_size)
{
    memset(p, 0, sizeof *p);
    if (count < 1 || cache_size < 1 || cache_size > SKB_CACHE_MAX)
        return -1;
    p->bufs = calloc(count, sizeof *p->bufs);
    p->bytes = malloc((size_t)count * SKB_BUF_SIZE);
    if (!p->bufs || !p->bytes) {
        skb_pool_fini(p);
        return -1;
    }
    p->count = count;
    p->ncpus = m->ncpus;
    uint64_t data = sim_cache_region(&m->cache, (uint64_t)count * SKB_BUF_SIZE);
    uint64_t meta = sim_cache_region(&m->cache, (uint64_t)count * SIM_CACHE_LINE);
    p->lock_addr = sim_cache_region(&m->cache, SIM_CACHE_LINE);
    p->defer_addr = sim_cache_region(&m->cache, (uint64_t)SIM_MAX_CPUS * SIM_CACHE_LINE);
    p->defer_max = SKB_DEFER_MAX;
    for (uint32_t i = count; i-- > 0;) {        /* pushed in reverse: buffer 0 comes out first */
        struct skb_buf *b = &p->bufs[i];
        b->data = p->bytes + (size_t)i * SKB_BUF_SIZE;
        b->data_addr = data + (uint64_t)i * SKB_BUF_SIZE;
        b->meta_addr = meta + (uint64_t)i * SIM_CACHE_LINE;
        b->alloc_cpu = -1;
        b->id = i;
        skb_list_push(&p->global, b);
    }
    for (int c = 0; c < SIM_MAX_CPUS; c++)
        p->cache[c].size = cache_size;
    return 0;
}

void skb_pool_fini(struct skb_pool *p)
{
    free(p->bufs);
    free(p->bytes);
    memset(p, 0, sizeof *p);
}

uint32_t skb_pool_get_bulk(struct skb_pool *p, struct skb_buf **out, uint32_t n)
{
    uint32_t got = 0;
    while (got < n && p->global.head)
        out[got++] = skb_list_pop(&p->global);
    return got;
}

void skb_pool_put_bulk(struct skb_pool *p, struct skb_buf *const *bufs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        skb_list_push(&p->global, bufs[i]);
}

void skb_pool_lock(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu)
{
    sim_machine_charge(m, cpu, SIM_FN_SKB_POOL_LOCK, SIM_COST_POOL_LOCK);
    sim_machine_touch(m, cpu, SIM_FN_SKB_POOL_LOCK, p->lock_addr, SIM_CACHE_LINE, true);
}

struct skb_buf *skb_pool_hand_out(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu,
                                  struct skb_buf *b)
{
    if (b->out)
        abort();                        /* already out: the free places are corrupt */
    b->out = true;
    b->alloc_cpu = cpu->id;
    b->gro_merged = false;
    /* the one alloc_skb call of this buffer: the allocator's work (head +
     * data) and the metadata line it initialises */
    sim_machine_charge(m, cpu, SIM_FN_ALLOC_SKB, SIM_COST_ALLOC_SKB);
    sim_machine_touch(m, cpu, SIM_FN_ALLOC_SKB, b->meta_addr, SIM_CACHE_LINE, true);
    p->st.allocs++;
    return b;
}

void skb_pool_free_work(struct sim_machine *m, struct sim_cpu *cpu, enum sim_function fn,
                        const struct skb_buf *b)
{
    /* one skb freed per frame, as Linux frees one skb with its page frags
     * (validate fits free_skb per segment; a 9000-byte frame's five buffers
     * are one free) */
    if (!b->tail_of_frame)
        sim_machine_charge_more(m, cpu, fn, SIM_COST_FREE_SKB);
    if (b->alloc_cpu != cpu->id)        /* the allocator's remote-free path, every policy */
        sim_machine_charge_more(m, cpu, fn, SIM_COST_REMOTE_FREE);
}

void skb_pool_take_back_deferred(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu,
                                 struct skb_buf *b)
{
    if (b < p->bufs || b >= p->bufs + p->count || !b->out)
        abort();                        /* foreign or released twice: it would be in two places */
    b->out = false;
    if (b->alloc_cpu != cpu->id)        /* the definition of a remote free (skb_pool.h) */
        p->st.remote_frees++;
    sim_machine_call(m, cpu, SIM_FN_KFREE_SKB);     /* the one kfree_skb call of this release */
    sim_machine_touch(m, cpu, SIM_FN_KFREE_SKB, b->meta_addr, SIM_CACHE_LINE, true);
}

void skb_pool_take_back(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, struct skb_buf *b)
{
    skb_pool_take_back_deferred(p, m, cpu, b);
    skb_pool_free_work(m, cpu, SIM_FN_KFREE_SKB, b);
}

void skb_pool_defer_flush(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu)
{
    struct skb_list *l = &p->defer[cpu->id];
    if (!l->head)
        return;
    /* skb_defer_free_flush: take the whole list under its lock, then free
     * each skb here, where it was allocated: a local free */
    sim_machine_call(m, cpu, SIM_FN_SKB_DEFER_FLUSH);
    sim_machine_touch(m, cpu, SIM_FN_SKB_DEFER_FLUSH, p->defer_addr + (uint64_t)cpu->id * SIM_CACHE_LINE,
                      SIM_CACHE_LINE, true);
    p->st.defer_flushes++;
    p->defer_skbs[cpu->id] = 0;
    for (struct skb_buf *b; (b = skb_list_pop(l));) {
        sim_machine_touch(m, cpu, SIM_FN_SKB_DEFER_FLUSH, b->meta_addr, SIM_CACHE_LINE, true);
        skb_pool_free_work(m, cpu, SIM_FN_SKB_DEFER_FLUSH, b);
        skb_cache_put(p, m, cpu, cpu->id, b);
    }
}

struct skb_buf *skb_cache_get(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu)
{
    struct skb_cache *c = &p->cache[cpu->id];
    if (c->len == 0) {
        skb_pool_lock(p, m, cpu);
        c->len = skb_pool_get_bulk(p, c->slot, (c->size + 1) / 2);
        if (c->len == 0)
            return NULL;
    }
    return c->slot[--c->len];
}

void skb_cache_put(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, int owner,
                   struct skb_buf *b)
{
    struct skb_cache *c = &p->cache[owner];
    if (c->len == c->size) {
        uint32_t n = (c->size + 1) / 2;
        skb_pool_lock(p, m, cpu);
        skb_pool_put_bulk(p, c->slot, n);
        memmove(c->slot, c->slot + n, (c->len - n) * sizeof c->slot[0]);
        c->len -= n;
    }
    c->slot[c->len++] = b;
}

struct skb_buf *skb_cache_alloc(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu)
{
    struct skb_buf *b = skb_cache_get(p, m, cpu);
    if (!b) {
        p->st.exhausted++;
        return NULL;
    }
    return skb_pool_hand_out(p, m, cpu, b);
}

struct skb_buf *skb_pool_global_get(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu)
{
    struct skb_buf *b;
    skb_pool_lock(p, m, cpu);
    if (skb_pool_get_bulk(p, &b, 1) == 0) {
        p->st.exhausted++;
        return NULL;
    }
    return b;
}

void skb_pool_global_put(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, struct skb_buf *b)
{
    skb_pool_lock(p, m, cpu);
    skb_pool_put_bulk(p, &b, 1);
}
