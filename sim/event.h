/* sim/event.h: the discrete-event queue (ns-3's scheduler, shaped small).
 *
 * A binary min-heap keyed by (when, seq): seq is the insertion order, so two
 * events at the same picosecond run in the order they were scheduled and a
 * run is deterministic.  Events are caller-owned structs (embed one, or take
 * one from the queue's free list: no malloc per event on the hot path).
 * Each queued event knows its heap slot, so cancelling removes it at once
 * and the same struct can be scheduled again right away. */
#ifndef RXSIM_SIM_EVENT_H
#define RXSIM_SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

struct sim_event;
typedef void (*sim_event_fn)(struct sim_event *ev, void *ctx);

struct sim_event {
    sim_ps when;
    uint64_t seq;
    sim_event_fn fn;
    void *arg;                  /* the callback's own pointer */
    size_t heap_idx;            /* valid while queued */
    bool queued;
    bool pooled;                /* from the free list: returned after it runs */
    struct sim_event *next_free;
};

struct sim_queue {
    struct sim_event **heap;
    size_t len, cap;
    uint64_t next_seq;
    sim_ps now;                 /* time of the event being run; never goes back */
    uint64_t executed;
    struct sim_event *free_list;
    struct sim_event **blocks;  /* free-list storage, freed at the end */
    size_t nblocks;
};

int sim_queue_init(struct sim_queue *q);                  /* 0, or -1: no memory */
void sim_queue_fini(struct sim_queue *q);

/* Queues ev at `when` (>= now; earlier is a caller bug and aborts).  0, or -1: no memory. */
int sim_schedule(struct sim_queue *q, struct sim_event *ev, sim_ps when);
/* Moves a queued event to a new time, or queues it. */
int sim_reschedule(struct sim_queue *q, struct sim_event *ev, sim_ps when);

/* A pooled event running fn(ev, ctx) with ev->arg = arg at `when`. */
int sim_schedule_fn(struct sim_queue *q, sim_ps when, sim_event_fn fn, void *arg);

void sim_cancel(struct sim_queue *q, struct sim_event *ev);   /* no-op when not queued */

/* Runs the earliest event: true, or false when the queue is empty.  Events
 * run with q->now = their time; ctx is handed to each callback. */
bool sim_step(struct sim_queue *q, void *ctx);

/* Time of the next live event, or SIM_PS_MAX. */
sim_ps sim_peek(struct sim_queue *q);

#endif
