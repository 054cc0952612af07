/* sim/cache.c: per-CPU LRU line sets and the modified-line directory
 * (see cache.h).  Each CPU's set is a fixed node pool, a doubly linked LRU
 * list, and an open-addressing index (backward-shift deletion) twice the
 * pool's size, so a touch is O(1) per line and nothing allocates after init. */
#include "sim/cache.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define EMPTY UINT64_MAX

struct node {
    uint64_t line;                      /* address / 64 */
    uint32_t prev, next;                /* LRU list: head = most recent */
    bool modified;
};

struct sim_cache_cpu {
    struct node *node;
    uint32_t cap, used;
    uint32_t head, tail, free_head;
    uint64_t *key;                      /* index: line number or EMPTY */
    uint32_t *val;                      /* index: node number */
    uint32_t mask;
};

static uint32_t hash_line(uint64_t line, uint32_t mask)
{
    line *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(line >> 32) & mask;
}

static struct sim_cache_cpu *cpu_new(uint32_t cap)
{
    struct sim_cache_cpu *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    uint32_t isize = 1;
    while (isize < 2 * cap)
        isize <<= 1;
    p->node = malloc(cap * sizeof *p->node);
    p->key = malloc(isize * sizeof *p->key);
    p->val = malloc(isize * sizeof *p->val);
    if (!p->node || !p->key || !p->val) {
        free(p->node);
        free(p->key);
        free(p->val);
        free(p);
        return NULL;
    }
    memset(p->key, 0xff, isize * sizeof *p->key);
    p->cap = cap;
    p->mask = isize - 1;
    p->head = p->tail = NIL;
    for (uint32_t i = 0; i < cap; i++)
        p->node[i].next = i + 1 < cap ? i + 1 : NIL;
    p->free_head = 0;
    return p;
}

static void cpu_free(struct sim_cache_cpu *p)
{
    if (!p)
        return;
    free(p->node);
    free(p->key);
    free(p->val);
    free(p);
}

static uint32_t index_find(const struct sim_cache_cpu *p, uint64_t line)
{
    for (uint32_t i = hash_line(line, p->mask);; i = (i + 1) & p->mask) {
        if (p->key[i] == line)
            return i;
        if (p->key[i] == EMPTY)
            return NIL;
    }
}

static void index_insert(struct sim_cache_cpu *p, uint64_t line, uint32_t n)
{
    uint32_t i = hash_line(line, p->mask);
    while (p->key[i] != EMPTY)
        i = (i + 1) & p->mask;
    p->key[i] = line;
    p->val[i] = n;
}

static void index_delete(struct sim_cache_cpu *p, uint32_t i)
{
    /* Backward-shift: re-home the entries after i until an empty slot. */
    p->key[i] = EMPTY;
    for (uint32_t j = (i + 1) & p->mask; p->key[j] != EMPTY; j = (j + 1) & p->mask) {
        uint64_t k = p->key[j];
        uint32_t v = p->val[j];
        p->key[j] = EMPTY;
        index_insert(p, k, v);
    }
}

static void lru_unlink(struct sim_cache_cpu *p, uint32_t n)
{
    struct node *x = &p->node[n];
    if (x->prev != NIL) p->node[x->prev].next = x->next; else p->head = x->next;
    if (x->next != NIL) p->node[x->next].prev = x->prev; else p->tail = x->prev;
}

static void lru_push_front(struct sim_cache_cpu *p, uint32_t n)
{
    struct node *x = &p->node[n];
    x->prev = NIL;
    x->next = p->head;
    if (p->head != NIL)
        p->node[p->head].prev = n;
    p->head = n;
    if (p->tail == NIL)
        p->tail = n;
}

/* Drops the line from this CPU's set (it must be there: slot i of the index). */
static void cpu_drop(struct sim_cache_cpu *p, uint32_t i)
{
    uint32_t n = p->val[i];
    index_delete(p, i);
    lru_unlink(p, n);
    p->node[n].next = p->free_head;
    p->free_head = n;
    p->used--;
}

static void cpu_insert(struct sim_cache_cpu *p, uint64_t line, bool modified)
{
    if (p->used == p->cap) {            /* evict the least recently used */
        uint32_t victim = p->tail;
        cpu_drop(p, index_find(p, p->node[victim].line));
    }
    uint32_t n = p->free_head;
    p->free_head = p->node[n].next;
    p->used++;
    p->node[n].line = line;
    p->node[n].modified = modified;
    lru_push_front(p, n);
    index_insert(p, line, n);
}

int sim_cache_init(struct sim_cache *c, int ncpus, uint32_t lines_per_cpu)
{
    *c = (struct sim_cache){ .ncpus = ncpus, .lines = lines_per_cpu, .next_region = 1u << 20 };
    if (ncpus < 1 || ncpus > SIM_CACHE_MAX_CPUS || lines_per_cpu < 1)
        return -1;
    for (int i = 0; i < ncpus; i++)
        if (!(c->cpu[i] = cpu_new(lines_per_cpu))) {
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
    uint32_t i = index_find(me, line);
    bool held_elsewhere = false;

    if (i != NIL && me->node[me->val[i]].modified) {
        out->hits++;                    /* ours and exclusive: nothing else can hold it */
        lru_unlink(me, me->val[i]);
        lru_push_front(me, me->val[i]);
        return;
    }
    /* Shared here or absent: other CPUs may hold it too. */
    for (int o = 0; o < c->ncpus; o++) {
        if (o == cpu)
            continue;
        struct sim_cache_cpu *other = c->cpu[o];
        uint32_t j = index_find(other, line);
        if (j == NIL)
            continue;
        struct node *x = &other->node[other->val[j]];
        held_elsewhere = true;
        if (write)
            cpu_drop(other, j);         /* invalidate */
        else
            x->modified = false;        /* downgrade to shared */
    }
    if (i != NIL) {
        out->hits++;
        struct node *x = &me->node[me->val[i]];
        x->modified = write;
        lru_unlink(me, me->val[i]);
        lru_push_front(me, me->val[i]);
        return;
    }
    if (held_elsewhere)
        out->transfers++;
    else
        out->misses++;
    cpu_insert(me, line, write);
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
            uint32_t j = index_find(c->cpu[o], line);
            if (j != NIL)
                cpu_drop(c->cpu[o], j);
        }
}

bool sim_cache_holds(const struct sim_cache *c, int cpu, uint64_t addr, bool *modified)
{
    const struct sim_cache_cpu *p = c->cpu[cpu];
    uint32_t i = index_find(p, addr / SIM_CACHE_LINE);
    if (i == NIL)
        return false;
    if (modified)
        *modified = p->node[p->val[i]].modified;
    return true;
}
