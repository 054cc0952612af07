/* sim/timeline.h: what each CPU ran, as a Chrome / Perfetto trace-event JSON
 * file (load it in ui.perfetto.dev or chrome://tracing), one track per CPU:
 *  - a "complete" slice per work item (hardirq, softirq poll, a reader's
 *    recv), with args: its cycles and what changed while it ran (frames
 *    handed to the stack, bytes read, ACKs: the session's probe);
 *  - nested in it, a slice per profile function it charged (e1000_intr,
 *    tcp_v4_rcv, copy_to_user, ...), consecutive charges to one function
 *    merged, laid end to end in the order charged;
 *  - flow arrows from the item that raised or woke another (interrupt ->
 *    softirq -> the reader it wakes) to the start of that item;
 *  - counter tracks (RX ring occupancy, socket queue bytes, receive window) sampled at each
 *    item's start and end, written when they change.
 * Written as the run goes, so memory stays small; bounded by max_events
 * (a note at the end says when and where it stopped) and optionally by a
 * window of simulated time: only what overlaps [win_start, win_end) is
 * written. */
#ifndef RXSIM_SIM_TIMELINE_H
#define RXSIM_SIM_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/time.h"

#define SIM_TL_MAX_ARGS 6
#define SIM_TL_MAX_COUNTERS 40
#define SIM_TL_DEPTH 64         /* items dispatched inside items (one per CPU at most) */

/* What the session lets the timeline read (sim/session/run_timeline.c). */
struct sim_timeline_probe {
    int nargs;                                  /* cumulative figures; a slice's args are their changes */
    const char *arg_names[SIM_TL_MAX_ARGS];
    void (*read_args)(void *ctx, uint64_t *out);                /* out[nargs] */
    /* The counters now: up to max names and values; returns how many. */
    int (*read_counters)(void *ctx, const char **names, int64_t *values, int max);
    void *ctx;
};

struct sim_timeline_seg {
    uint16_t fn;
    uint64_t at, cycles;        /* cycles into the item, and how many */
};

struct sim_timeline_cpu {
    struct sim_timeline_seg *seg;
    size_t nseg, cap;
};

/* Where a wakeup came from: kept in the woken work item until it runs. */
struct sim_timeline_waker {
    uint64_t flow;              /* 0: none */
    int cpu;
    sim_ps at, item_start;
};

struct sim_timeline {
    FILE *f;
    uint64_t events, max_events;
    bool truncated;
    sim_ps truncated_at;
    sim_ps win_start, win_end;
    int ncpus;
    struct sim_timeline_cpu *cpu;
    int depth;
    struct sim_timeline_frame {
        int cpu;
        uint32_t mhz;
        sim_ps start;
        const uint64_t *cycles;
        uint64_t args_at_start[SIM_TL_MAX_ARGS], args_children[SIM_TL_MAX_ARGS];
    } stack[SIM_TL_DEPTH];
    uint64_t next_flow;
    struct sim_timeline_probe probe;
    int nctr;
    struct { char name[64]; int64_t last; } ctr[SIM_TL_MAX_COUNTERS];
};

/* 0, or -1 when the file cannot be written (errno set).  win_end
 * SIM_PS_MAX: no window. */
int sim_timeline_open(struct sim_timeline *t, const char *path, int ncpus, uint64_t max_events,
                      sim_ps win_start, sim_ps win_end);
void sim_timeline_set_probe(struct sim_timeline *t, const struct sim_timeline_probe *p);

/* sim/cpu.c's calls: an item starts on cpu (its cycles so far read through
 * *cycles), charges fn, wakes another item, ends. */
void sim_timeline_begin(struct sim_timeline *t, int cpu, uint32_t mhz, sim_ps start, const uint64_t *cycles);
void sim_timeline_charge(struct sim_timeline *t, int cpu, unsigned fn, uint64_t at, uint64_t cycles);
/* Records the running item (the innermost), or cpu's when given (>= 0)
 * with its time now, as w's waker unless w has one already. */
void sim_timeline_wake(struct sim_timeline *t, struct sim_timeline_waker *w);
void sim_timeline_end(struct sim_timeline *t, int cpu, const char *name, const char *level, sim_ps start,
                      sim_ps end, uint64_t cycles, struct sim_timeline_waker *from);
/* Finishes the file; -1 when anything failed to write. */
int sim_timeline_close(struct sim_timeline *t);

#endif
