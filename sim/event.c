/* sim/event.c: binary heap keyed (when, seq), free-listed events (event.h). */
#include "sim/event.h"

#include <stdio.h>
#include <stdlib.h>

#define EVENT_BLOCK 4096

static bool earlier(const struct sim_event *a, const struct sim_event *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

int sim_queue_init(struct sim_queue *q)
{
    *q = (struct sim_queue){0};
    q->cap = 1024;
    q->heap = malloc(q->cap * sizeof *q->heap);
    return q->heap ? 0 : -1;
}

void sim_queue_fini(struct sim_queue *q)
{
    for (size_t i = 0; i < q->nblocks; i++)
        free(q->blocks[i]);
    free(q->blocks);
    free(q->heap);
    *q = (struct sim_queue){0};
}

static void place(struct sim_queue *q, size_t i, struct sim_event *ev)
{
    q->heap[i] = ev;
    ev->heap_idx = i;
}

static void sift_up(struct sim_queue *q, size_t i)
{
    struct sim_event *ev = q->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(ev, q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, ev);
}

static void sift_down(struct sim_queue *q, size_t i)
{
    struct sim_event *ev = q->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        const struct sim_event *b = ev;
        if (l < q->len && earlier(q->heap[l], b)) {
            best = l;
            b = q->heap[l];
        }
        if (l + 1 < q->len && earlier(q->heap[l + 1], b))
            best = l + 1;
        if (best == i)
            break;
        place(q, i, q->heap[best]);
        i = best;
    }
    place(q, i, ev);
}

/* Takes the event in slot i out of the heap. */
static void heap_remove(struct sim_queue *q, size_t i)
{
    struct sim_event *ev = q->heap[i];
    struct sim_event *last = q->heap[--q->len];
    ev->queued = false;
    if (i == q->len)
        return;
    place(q, i, last);
    if (i > 0 && earlier(last, q->heap[(i - 1) / 2]))
        sift_up(q, i);
    else
        sift_down(q, i);
}

int sim_schedule(struct sim_queue *q, struct sim_event *ev, sim_ps when)
{
    if (ev->queued) {
        fprintf(stderr, "rxsim: internal error: event scheduled twice\n");
        abort();
    }
    if (when < q->now) {
        /* Causality: an event in the past is a bug in the model, not bad input. */
        fprintf(stderr, "rxsim: internal error: event scheduled at %lld ps, before now %lld ps\n",
                (long long)when, (long long)q->now);
        abort();
    }
    if (q->len == q->cap) {
        size_t cap = q->cap * 2;
        struct sim_event **heap = realloc(q->heap, cap * sizeof *heap);
        if (!heap)
            return -1;
        q->heap = heap;
        q->cap = cap;
    }
    ev->when = when;
    ev->seq = q->next_seq++;
    ev->queued = true;
    place(q, q->len, ev);
    sift_up(q, q->len++);
    return 0;
}

int sim_reschedule(struct sim_queue *q, struct sim_event *ev, sim_ps when)
{
    if (ev->queued)
        heap_remove(q, ev->heap_idx);
    return sim_schedule(q, ev, when);
}

static struct sim_event *event_get(struct sim_queue *q)
{
    if (!q->free_list) {
        struct sim_event *block = calloc(EVENT_BLOCK, sizeof *block);
        struct sim_event **blocks = realloc(q->blocks, (q->nblocks + 1) * sizeof *blocks);
        if (!block || !blocks) {
            free(block);
            if (blocks)
                q->blocks = blocks;
            return NULL;
        }
        q->blocks = blocks;
        q->blocks[q->nblocks++] = block;
        for (size_t i = 0; i < EVENT_BLOCK; i++) {
            block[i].pooled = true;
            block[i].next_free = q->free_list;
            q->free_list = &block[i];
        }
    }
    struct sim_event *ev = q->free_list;
    q->free_list = ev->next_free;
    return ev;
}

int sim_schedule_fn(struct sim_queue *q, sim_ps when, sim_event_fn fn, void *arg)
{
    struct sim_event *ev = event_get(q);
    if (!ev)
        return -1;
    ev->fn = fn;
    ev->arg = arg;
    if (sim_schedule(q, ev, when) < 0) {
        ev->next_free = q->free_list;
        q->free_list = ev;
        return -1;
    }
    return 0;
}

static void release(struct sim_queue *q, struct sim_event *ev);

void sim_cancel(struct sim_queue *q, struct sim_event *ev)
{
    if (!ev->queued)
        return;
    heap_remove(q, ev->heap_idx);
    release(q, ev);
}

static struct sim_event *pop(struct sim_queue *q)
{
    struct sim_event *top = q->heap[0];
    heap_remove(q, 0);
    return top;
}

static void release(struct sim_queue *q, struct sim_event *ev)
{
    if (ev->pooled) {
        ev->next_free = q->free_list;
        q->free_list = ev;
    }
}

sim_ps sim_peek(struct sim_queue *q)
{
    return q->len ? q->heap[0]->when : SIM_PS_MAX;
}

bool sim_step(struct sim_queue *q, void *ctx)
{
    if (sim_peek(q) == SIM_PS_MAX)
        return false;
    struct sim_event *ev = pop(q);
    q->now = ev->when;
    q->executed++;
    ev->fn(ev, ctx);
    if (!ev->queued)                    /* the callback may have re-queued it */
        release(q, ev);
    return true;
}
