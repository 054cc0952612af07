/* netstack/tcp_conn.c: the 4-tuple table (see tcp_conn.h). */
#include "netstack/tcp_conn.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the namespace and the canonical (sorted) endpoints, so both
 * directions hash alike (namespace 0 hashes as before namespaces existed). */
static uint64_t key_hash(uint16_t netns, uint8_t v, const struct tcp_endpoint *lo,
                         const struct tcp_endpoint *hi)
{
    uint64_t h = 1469598103934665603ull ^ v ^ (uint64_t)netns << 8;
    const struct tcp_endpoint *e[2] = { lo, hi };
    size_t alen = v == 4 ? 4 : 16;
    for (int i = 0; i < 2; i++) {
        for (size_t k = 0; k < alen; k++)
            h = (h ^ e[i]->addr[k]) * 1099511628211ull;
        h = (h ^ (e[i]->port >> 8)) * 1099511628211ull;
        h = (h ^ (e[i]->port & 0xff)) * 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static int ep_cmp(const struct tcp_endpoint *a, const struct tcp_endpoint *b)
{
    int c = memcmp(a->addr, b->addr, sizeof a->addr);
    return c ? c : (int)a->port - (int)b->port;
}

static bool ep_eq(const struct tcp_endpoint *a, const struct tcp_endpoint *b)
{
    return a->port == b->port && !memcmp(a->addr, b->addr, sizeof a->addr);
}

static uint64_t conn_hash(const struct tcp_conn *c)
{
    return ep_cmp(&c->ep[0], &c->ep[1]) <= 0 ? key_hash(c->netns, c->ip_version, &c->ep[0], &c->ep[1])
                                             : key_hash(c->netns, c->ip_version, &c->ep[1], &c->ep[0]);
}

int tcp_table_init(struct tcp_table *t, const struct tcp_table_limits *lim)
{
    *t = (struct tcp_table){0};
    t->cap = 64;
    t->slot = calloc(t->cap, sizeof *t->slot);
    t->ooo_limit = lim->ooo_limit;
    t->ooo_budget.limit = lim->ooo_budget == SIZE_MAX ? 0
                        : lim->ooo_budget ? lim->ooo_budget : TCP_REASM_DEFAULT_OOO_BUDGET;
    t->max_conns = lim->max_conns ? lim->max_conns : TCP_TABLE_DEFAULT_MAX_CONNS;
    return t->slot ? 0 : -1;
}

void tcp_conn_free(struct tcp_conn *c)
{
    tcp_reasm_fini(&c->dir[0].reasm);
    tcp_reasm_fini(&c->dir[1].reasm);
    free(c);
}

void tcp_table_fini(struct tcp_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->all[i])
            tcp_conn_free(t->all[i]);
    free(t->all);
    free(t->slot);
    *t = (struct tcp_table){0};
}

static void insert_slot(struct tcp_conn **slot, size_t cap, struct tcp_conn *c)
{
    size_t i = conn_hash(c) & (cap - 1);
    while (slot[i])
        i = (i + 1) & (cap - 1);
    slot[i] = c;
}

/* Takes c out of the lookup index (backward-shift deletion). */
static void index_remove(struct tcp_table *t, struct tcp_conn *c)
{
    size_t cap = t->cap, i = conn_hash(c) & (cap - 1);
    while (t->slot[i] != c)
        i = (i + 1) & (cap - 1);
    t->slot[i] = NULL;
    for (size_t j = (i + 1) & (cap - 1); t->slot[j]; j = (j + 1) & (cap - 1)) {
        struct tcp_conn *m = t->slot[j];
        t->slot[j] = NULL;
        insert_slot(t->slot, cap, m);
    }
    c->indexed = false;
    t->live--;
}

static int grow(struct tcp_table *t)
{
    size_t cap = t->cap * 2;
    struct tcp_conn **slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i])
            insert_slot(slot, cap, t->slot[i]);
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
    return 0;
}

static struct tcp_conn *conn_new(struct tcp_table *t, uint16_t netns, uint8_t v,
                                 const struct tcp_endpoint *src, const struct tcp_endpoint *dst)
{
    if ((t->live + 1) * 2 > t->cap && grow(t) < 0)
        return NULL;
    if (t->count == t->all_cap && t->retire && t->count > 2 * t->live) {
        size_t k = 0;                   /* more than half are retired holes: close them up */
        for (size_t i = 0; i < t->count; i++)
            if (t->all[i]) {
                t->all[i]->all_index = k;
                t->all[k++] = t->all[i];
            }
        t->count = k;
    }
    if (t->count == t->all_cap) {
        size_t n = t->all_cap ? t->all_cap * 2 : 64;
        struct tcp_conn **all = realloc(t->all, n * sizeof *all);
        if (!all)
            return NULL;
        t->all = all;
        t->all_cap = n;
    }
    struct tcp_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->id = ++t->ids;
    c->ip_version = v;
    c->netns = netns;
    c->incarnation = 1;
    c->ep[0] = *src;
    c->ep[1] = *dst;
    for (int d = 0; d < 2; d++) {
        tcp_reasm_init(&c->dir[d].reasm, t->ooo_limit);
        c->dir[d].reasm.budget = &t->ooo_budget;
    }
    c->all_index = t->count;
    t->all[t->count++] = c;
    insert_slot(t->slot, t->cap, c);
    c->indexed = true;
    t->live++;
    t->open++;
    return c;
}

struct tcp_conn *tcp_conn_lookup(struct tcp_table *t, uint16_t netns, uint8_t v,
                                 const uint8_t *saddr, const uint8_t *daddr,
                                 uint16_t sport, uint16_t dport, bool create, int *dir)
{
    struct tcp_endpoint src = { .port = sport }, dst = { .port = dport };
    size_t alen = v == 4 ? 4 : 16;
    memcpy(src.addr, saddr, alen);
    memcpy(dst.addr, daddr, alen);

    uint64_t h = ep_cmp(&src, &dst) <= 0 ? key_hash(netns, v, &src, &dst) : key_hash(netns, v, &dst, &src);
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        struct tcp_conn *c = t->slot[i];
        if (!c)
            break;
        if (c->ip_version != v || c->netns != netns)
            continue;
        if (ep_eq(&c->ep[0], &src) && ep_eq(&c->ep[1], &dst)) {
            *dir = 0;
            return c;
        }
        if (ep_eq(&c->ep[0], &dst) && ep_eq(&c->ep[1], &src)) {
            *dir = 1;
            return c;
        }
    }
    if (!create)
        return NULL;
    *dir = 0;
    return conn_new(t, netns, v, &src, &dst);
}

static void ended_unlink(struct tcp_table *t, struct tcp_conn *c)
{
    if (c->ended_prev)
        c->ended_prev->ended_next = c->ended_next;
    else
        t->ended_head = c->ended_next;
    if (c->ended_next)
        c->ended_next->ended_prev = c->ended_prev;
    else
        t->ended_tail = c->ended_prev;
    c->ended_prev = c->ended_next = NULL;
    t->ended--;
}

/* Takes an ended connection out of the table and hands it to the retire hook. */
static void retire(struct tcp_table *t, struct tcp_conn *c)
{
    ended_unlink(t, c);
    if (c->indexed)
        index_remove(t, c);
    t->all[c->all_index] = NULL;
    t->retire(t->retire_ctx, c);
}

void tcp_table_retire_ended(struct tcp_table *t, void (*fn)(void *ctx, struct tcp_conn *c), void *ctx)
{
    t->retire = fn;
    t->retire_ctx = ctx;
}

bool tcp_table_full(const struct tcp_table *t)
{
    return t->max_conns != SIZE_MAX && t->open >= t->max_conns;
}

void tcp_conn_close(struct tcp_table *t, struct tcp_conn *c)
{
    if (c->closed)
        return;
    c->closed = true;
    t->open--;
    tcp_reasm_fini(&c->dir[0].reasm);       /* nothing more will be delivered */
    tcp_reasm_fini(&c->dir[1].reasm);
    if (!t->retire)
        return;
    c->ended_prev = t->ended_tail;
    if (t->ended_tail)
        t->ended_tail->ended_next = c;
    else
        t->ended_head = c;
    t->ended_tail = c;
    t->ended++;
    if (t->ended > TCP_TABLE_KEEP_ENDED)
        retire(t, t->ended_head);
}

struct tcp_conn *tcp_conn_reincarnate(struct tcp_table *t, struct tcp_conn *c, int dir)
{
    tcp_conn_close(t, c);
    index_remove(t, c);
    struct tcp_conn *fresh = conn_new(t, c->netns, c->ip_version, &c->ep[dir], &c->ep[!dir]);
    if (fresh) {
        fresh->incarnation = c->incarnation + 1;
        if (t->retire)
            retire(t, c);               /* no segment can reach it any more */
    }
    return fresh;
}

bool tcp_conn_ended(const struct tcp_conn *c)
{
    for (int d = 0; d < 2; d++) {
        const struct tcp_reasm *r = &c->dir[d].reasm;
        if (!r->reset && !r->fin_done)
            return false;
    }
    return true;
}

void tcp_endpoint_format(const struct tcp_endpoint *e, uint8_t v, char *buf, size_t size)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(v == 4 ? AF_INET : AF_INET6, e->addr, a, sizeof a);
    snprintf(buf, size, v == 4 ? "%s:%u" : "[%s]:%u", a, e->port);
}
