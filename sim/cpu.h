/* sim/cpu.h: simulated CPUs that run work items by priority and account for
 * every cycle.
 *
 * A CPU runs one work item at a time, choosing the oldest item of the highest
 * level queued: hardirq > softirq > process.  An item's function runs at the
 * moment it starts and charges the cycles it would take (sim_cpu_charge); the
 * CPU is then busy until start + those cycles, and sim_cpu_now() tells an item
 * how far into itself it is, so what it causes (a wakeup, a freed buffer) is
 * stamped at the right time.  Items are not preempted: the model's items are
 * short (one frame's protocol pass, one recv chunk), so a hardirq waits at
 * most one item, a deliberate simplification written up in docs/model.md.
 *
 * Every cycle is charged to a function of sim/profile.h, and so to a
 * category; idle = elapsed - busy. */
#ifndef RXSIM_SIM_CPU_H
#define RXSIM_SIM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"
#include "sim/profile.h"
#include "sim/time.h"
#include "sim/timeline.h"

enum sim_level {
    SIM_LEVEL_HARDIRQ,
    SIM_LEVEL_SOFTIRQ,
    SIM_LEVEL_PROCESS,
    SIM_LEVEL__COUNT
};

struct sim_cpu;

struct sim_work {
    struct sim_work *next;
    enum sim_level level;
    void (*run)(struct sim_work *w, struct sim_cpu *cpu);  /* required */
    void *arg;
    const char *name;           /* optional: shown on the timeline */
    bool queued;
    struct sim_timeline_waker waker;    /* --timeline: the item that raised or woke it */
};

struct sim_cpu {
    int id;
    uint32_t mhz;
    struct sim_queue *q;
    struct sim_work *head[SIM_LEVEL__COUNT], *tail[SIM_LEVEL__COUNT];
    bool running;
    enum sim_level level;               /* of the running item */
    sim_ps item_start;
    uint64_t item_cycles;
    struct sim_event done;

    uint64_t busy_cycles;
    uint64_t level_cycles[SIM_LEVEL__COUNT];
    uint64_t cat_cycles[SIM_CAT__COUNT];
    uint64_t items[SIM_LEVEL__COUNT];
    struct sim_profile prof;
    struct sim_timeline *timeline;      /* optional: every item run is written there */
};

void sim_cpu_init(struct sim_cpu *cpu, int id, uint32_t mhz, struct sim_queue *q);

/* Queues w on cpu at its level; starts it now when the CPU is idle.  A work
 * item already queued is left where it is (raising twice is one run). */
void sim_cpu_submit(struct sim_cpu *cpu, struct sim_work *w);

/* Takes w off cpu's queue when it is queued there and not running (a load
 * balancer moving a runnable task to another CPU): true when it was. */
bool sim_cpu_unqueue(struct sim_cpu *cpu, struct sim_work *w);

/* The same without counting a call (cache misses inside a call already counted).
 * Inline, as sim_cpu_charge: several calls per simulated frame. */
static inline void sim_cpu_add_cycles(struct sim_cpu *cpu, enum sim_function fn, uint64_t cycles)
{
    if (cpu->timeline)
        sim_timeline_charge(cpu->timeline, cpu->id, fn, cpu->item_cycles, cycles);
    cpu->item_cycles += cycles;
    cpu->cat_cycles[sim_function_category(fn)] += cycles;
    cpu->prof.cycles[fn] += cycles;
}

/* Charges cycles of function fn to the running item, counting one call of fn. */
static inline void sim_cpu_charge(struct sim_cpu *cpu, enum sim_function fn, uint64_t cycles)
{
    sim_cpu_add_cycles(cpu, fn, cycles);
    cpu->prof.calls[fn]++;
}

/* Counts lines fn pulled from another CPU's cache (the paper's lines_out). */
static inline void sim_cpu_lines_out(struct sim_cpu *cpu, enum sim_function fn, uint64_t lines)
{
    cpu->prof.lines_out[fn] += lines;
}

/* --timeline: the running item on `from` woke w, though w is submitted
 * later (by an event: a wakeup sent to another CPU); the timeline draws the
 * arrow from here.  A submit from inside an item notes its waker itself. */
static inline void sim_cpu_note_waker(const struct sim_cpu *from, struct sim_work *w)
{
    if (from->timeline)
        sim_timeline_wake(from->timeline, &w->waker);
}

/* Simulated time inside the running item (its start when idle). */
sim_ps sim_cpu_now(const struct sim_cpu *cpu);

sim_ps sim_cycles_to_ps(uint64_t cycles, uint32_t mhz);

#endif
