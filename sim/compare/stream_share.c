/* sim/compare/stream_share.c: see stream_share.h.
 *
 * A copy holds the canonical bytes [base, base + len) and the SHA-256 context
 * of [0, base).  Each attached row's reader (a member) is at pos, base <= pos
 * <= base + len: everything it read so far equals the copy's [0, pos).  A
 * member leaving (bytes differ, too far behind, or its row syncs) takes the
 * context, adds [base, pos) and from then on its own bytes. */
#include "sim/compare/stream_share.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct member;

struct copy {
    uint8_t key[STREAM_SHARE_KEY_MAX];
    size_t keylen;
    struct sha256_ctx ctx;      /* of [0, base) */
    uint64_t base;
    uint8_t *buf;               /* [base, base + len) */
    size_t len, cap;
    struct member **members;
    size_t nmembers, members_cap;
    int joined;                 /* rows that ever attached */
    struct copy *next;          /* same key hash bucket */
};

struct member {
    struct sha256_ctx *sha;
    struct copy *copy;          /* NULL: on its own (or synced) */
    uint64_t pos;
    size_t slot;                /* index in copy->members */
};

struct row {                    /* the row's members by sha pointer, open addressing */
    struct member **slot;
    size_t cap, used;
};

#define BUCKETS 1024

struct stream_share {
    int nrows;
    size_t window;
    struct row *rows;
    struct copy *bucket[BUCKETS];
    struct stream_share_stats st;
};

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "rxsim compare: out of memory sharing stream hashes\n");
        exit(1);
    }
    return p;
}

struct stream_share *stream_share_new(int rows, size_t window)
{
    struct stream_share *sh = calloc(1, sizeof *sh);
    if (!sh || !(sh->rows = calloc((size_t)(rows > 0 ? rows : 1), sizeof *sh->rows))) {
        free(sh);
        return NULL;
    }
    sh->nrows = rows;
    sh->window = window;
    return sh;
}

static uint64_t key_hash(const uint8_t *k, size_t n)
{
    uint64_t h = 14695981039346656037ull;       /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 1099511628211ull;
    return h;
}

static size_t ptr_hash(const void *p, size_t cap)
{
    return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) & (cap - 1);
}

static struct member **row_find(struct row *r, const struct sha256_ctx *sha)
{
    size_t i = ptr_hash(sha, r->cap);
    while (r->slot[i] && r->slot[i]->sha != sha)
        i = (i + 1) & (r->cap - 1);
    return &r->slot[i];
}

static void row_grow(struct row *r)
{
    size_t cap = r->cap ? r->cap * 2 : 64;
    struct row n = { .slot = must(calloc(cap, sizeof *n.slot)), .cap = cap, .used = r->used };
    for (size_t i = 0; i < r->cap; i++)
        if (r->slot[i])
            *row_find(&n, r->slot[i]->sha) = r->slot[i];
    free(r->slot);
    *r = n;
}

/* A copy of this key that still starts at byte 0 (a new member must compare
 * from there), made when there is none. */
static struct copy *copy_for(struct stream_share *sh, const void *key, size_t keylen)
{
    if (keylen > STREAM_SHARE_KEY_MAX)
        keylen = STREAM_SHARE_KEY_MAX;
    struct copy **b = &sh->bucket[key_hash(key, keylen) % BUCKETS];
    for (struct copy *c = *b; c; c = c->next)
        if (c->keylen == keylen && !memcmp(c->key, key, keylen) && c->base == 0 && c->joined < sh->nrows)
            return c;
    struct copy *c = must(calloc(1, sizeof *c));
    memcpy(c->key, key, keylen);
    c->keylen = keylen;
    sha256_init(&c->ctx);
    c->next = *b;
    *b = c;
    return c;
}

static void attach(struct copy *c, struct member *m)
{
    if (c->nmembers == c->members_cap) {
        c->members_cap = c->members_cap ? c->members_cap * 2 : 8;
        c->members = must(realloc(c->members, c->members_cap * sizeof *c->members));
    }
    m->copy = c;
    m->slot = c->nmembers;
    c->members[c->nmembers++] = m;
    c->joined++;
}

/* m goes on alone: its context is the copy's hash of [0, m->pos). */
static void detach(struct stream_share *sh, struct member *m)
{
    struct copy *c = m->copy;
    *m->sha = c->ctx;
    if (m->pos > c->base)
        sha256_update(m->sha, (size_t)(m->pos - c->base), c->buf);
    sh->st.hashed += m->pos - c->base;
    struct member *last = c->members[--c->nmembers];
    c->members[m->slot] = last;
    last->slot = m->slot;
    m->copy = NULL;
}

/* Hashes and drops the bytes every member has read past. */
static void advance(struct stream_share *sh, struct copy *c)
{
    uint64_t low = c->base + c->len;
    for (size_t i = 0; i < c->nmembers; i++)
        if (c->members[i]->pos < low)
            low = c->members[i]->pos;
    size_t done = (size_t)(low - c->base);
    if (!done)
        return;
    sha256_update(&c->ctx, done, c->buf);
    sh->st.hashed += done;
    memmove(c->buf, c->buf + done, c->len - done);
    c->len -= done;
    c->base = low;
}

/* Room for need more bytes: drop what every member has passed (only once
 * every row has attached, or when the window is full: a late row then starts
 * a copy of its own), then let the laggards go, then grow. */
static void make_room(struct stream_share *sh, struct copy *c, size_t need)
{
    if (c->len + need <= c->cap)
        return;
    bool full = c->len + need > sh->window;
    if (c->joined >= sh->nrows || full)
        advance(sh, c);
    if (c->len + need > sh->window) {
        size_t behind = sh->window / 2 < c->len ? sh->window / 2 : c->len;
        uint64_t keep_from = c->base + c->len - behind;
        for (size_t i = c->nmembers; i-- > 0;)
            if (c->members[i]->pos < keep_from) {
                sh->st.evicted++;
                detach(sh, c->members[i]);
            }
        advance(sh, c);
    }
    if (c->len + need > c->cap) {
        size_t cap = c->cap ? c->cap : 1 << 20;
        while (cap < c->len + need)
            cap *= 2;
        c->buf = must(realloc(c->buf, cap));
        c->cap = cap;
    }
}

void stream_share_update(struct stream_share *sh, int row, struct sha256_ctx *sha, const void *key,
                         size_t keylen, const uint8_t *p, size_t n)
{
    struct row *r = &sh->rows[row];
    if (r->used * 2 >= r->cap)
        row_grow(r);
    struct member **slot = row_find(r, sha), *m = *slot;
    if (!m) {
        m = *slot = must(calloc(1, sizeof *m));
        r->used++;
        m->sha = sha;
        attach(copy_for(sh, key, keylen), m);
    }
    struct copy *c = m->copy;
    if (c) {
        size_t have = (size_t)(c->base + c->len - m->pos);  /* canonical bytes beyond m */
        size_t k = have < n ? have : n;
        if (k && memcmp(c->buf + (m->pos - c->base), p, k)) {
            sh->st.diverged++;
            detach(sh, m);
        } else {
            sh->st.compared += k;
            if (n > k) {            /* m is at the front: it is never the laggard let go */
                make_room(sh, c, n - k);
                memcpy(c->buf + c->len, p + k, n - k);
                c->len += n - k;
            }
            m->pos += n;
            return;
        }
    }
    sha256_update(m->sha, n, p);
    sh->st.hashed += n;
    m->pos += n;
}

void stream_share_sync(struct stream_share *sh, int row)
{
    struct row *r = &sh->rows[row];
    for (size_t i = 0; i < r->cap; i++) {
        struct member *m = r->slot[i];
        if (!m)
            continue;
        if (m->copy) {
            if (m->copy->joined >= sh->nrows)
                advance(sh, m->copy);   /* hashed once here, not once per member below */
            detach(sh, m);
        }
        free(m);
    }
    free(r->slot);
    *r = (struct row){ 0 };
}

struct stream_share_stats stream_share_stats(const struct stream_share *sh)
{
    return sh->st;
}

void stream_share_free(struct stream_share *sh)
{
    if (!sh)
        return;
    for (int i = 0; i < sh->nrows; i++)
        stream_share_sync(sh, i);
    for (size_t b = 0; b < BUCKETS; b++)
        for (struct copy *c = sh->bucket[b], *next; c; c = next) {
            next = c->next;
            free(c->buf);
            free(c->members);
            free(c);
        }
    free(sh->rows);
    free(sh);
}
