/* sim/session/stream_hash.c: see stream_hash.h.  One producer, one consumer: the
 * producer fills `cur`; full chunks go through a bounded FIFO to the worker,
 * which hands them back through a free list. */
#include "sim/session/stream_hash.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_HASH_CHUNK (1u << 20)
#define STREAM_HASH_CHUNKS 8

struct entry {                          /* followed by len bytes, padded to 8 */
    struct sha256_ctx *ctx;
    size_t len;
};

struct chunk {
    size_t used;
    uint8_t data[STREAM_HASH_CHUNK];
};

struct stream_hash {
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t work;                /* signalled when a chunk is queued or on stop */
    pthread_cond_t done;                /* signalled when a chunk is freed */
    struct chunk *queue[STREAM_HASH_CHUNKS];
    unsigned head, count;               /* FIFO of full chunks */
    struct chunk *free_list[STREAM_HASH_CHUNKS];
    unsigned nfree;
    unsigned made;                      /* chunks allocated so far, up to STREAM_HASH_CHUNKS */
    unsigned busy;                      /* chunks the worker holds */
    bool stop;
    struct chunk *cur;                  /* producer's, unlocked */
};

static void hash_chunk(struct chunk *c)
{
    size_t off = 0;
    while (off < c->used) {
        struct entry e;
        memcpy(&e, c->data + off, sizeof e);
        off += sizeof e;
        sha256_update(e.ctx, e.len, c->data + off);
        off += (e.len + 7) & ~(size_t)7;
    }
    c->used = 0;
}

static void *worker_main(void *arg)
{
    struct stream_hash *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->count && !h->stop)
            pthread_cond_wait(&h->work, &h->lock);
        if (!h->count)
            break;                      /* stop, and nothing left */
        struct chunk *c = h->queue[h->head];
        h->head = (h->head + 1) % STREAM_HASH_CHUNKS;
        h->count--;
        h->busy++;
        pthread_mutex_unlock(&h->lock);
        hash_chunk(c);
        pthread_mutex_lock(&h->lock);
        h->busy--;
        h->free_list[h->nfree++] = c;
        pthread_cond_broadcast(&h->done);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

struct stream_hash *stream_hash_new(void)
{
    struct stream_hash *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    /* One chunk now, the rest as a stream needs them (rotate()): a small
     * trace does not pay for 8 MiB. */
    struct chunk *c = malloc(sizeof *c);
    if (!c)
        goto out_free;
    c->used = 0;
    h->free_list[h->nfree++] = c;
    h->made = 1;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->work, NULL);
    pthread_cond_init(&h->done, NULL);
    if (pthread_create(&h->worker, NULL, worker_main, h) != 0)
        goto out_destroy;
    return h;

out_destroy:
    pthread_cond_destroy(&h->done);
    pthread_cond_destroy(&h->work);
    pthread_mutex_destroy(&h->lock);
out_free:
    for (unsigned i = 0; i < h->nfree; i++)
        free(h->free_list[i]);
    free(h);
    return NULL;
}

/* Hands the current chunk to the worker (if it holds anything) and takes a
 * free one: a new one while fewer than STREAM_HASH_CHUNKS exist, else it
 * waits for the worker to give one back. */
static void rotate(struct stream_hash *h)
{
    pthread_mutex_lock(&h->lock);
    if (h->cur && h->cur->used) {
        h->queue[(h->head + h->count) % STREAM_HASH_CHUNKS] = h->cur;
        h->count++;
        h->cur = NULL;
        pthread_cond_signal(&h->work);
    }
    if (!h->cur && !h->nfree && h->made < STREAM_HASH_CHUNKS) {
        struct chunk *c = malloc(sizeof *c);    /* on failure, wait for one back */
        if (c) {
            c->used = 0;
            h->free_list[h->nfree++] = c;
            h->made++;
        }
    }
    if (!h->cur) {
        while (!h->nfree)
            pthread_cond_wait(&h->done, &h->lock);
        h->cur = h->free_list[--h->nfree];
    }
    pthread_mutex_unlock(&h->lock);
}

void stream_hash_update(struct stream_hash *h, struct sha256_ctx *ctx, const uint8_t *p, size_t n)
{
    while (n) {
        if (!h->cur || STREAM_HASH_CHUNK - h->cur->used < sizeof(struct entry) + 8)
            rotate(h);
        struct chunk *c = h->cur;
        size_t room = (STREAM_HASH_CHUNK - c->used - sizeof(struct entry)) & ~(size_t)7;
        size_t take = n < room ? n : room;
        struct entry e = { ctx, take };
        memcpy(c->data + c->used, &e, sizeof e);
        memcpy(c->data + c->used + sizeof e, p, take);
        c->used += sizeof e + ((take + 7) & ~(size_t)7);
        p += take;
        n -= take;
    }
}

void stream_hash_sync(struct stream_hash *h)
{
    rotate(h);
    pthread_mutex_lock(&h->lock);
    while (h->count || h->busy)
        pthread_cond_wait(&h->done, &h->lock);
    pthread_mutex_unlock(&h->lock);
}

void stream_hash_free(struct stream_hash *h)
{
    if (!h)
        return;
    stream_hash_sync(h);
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_signal(&h->work);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->worker, NULL);
    free(h->cur);
    for (unsigned i = 0; i < h->nfree; i++)
        free(h->free_list[i]);
    pthread_cond_destroy(&h->done);
    pthread_cond_destroy(&h->work);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
