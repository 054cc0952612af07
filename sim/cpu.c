/* sim/cpu.c: priority dispatch and cycle accounting (see cpu.h). */
#include "sim/cpu.h"

#include <stdlib.h>

sim_ps sim_cycles_to_ps(uint64_t cycles, uint32_t mhz)
{
    /* ps = cycles * 10^6 / MHz, exact for any run shorter than ~5 hours at 1 GHz. */
    return (sim_ps)((cycles * 1000000u + mhz / 2) / mhz);
}

static void dispatch(struct sim_cpu *cpu);

static const char *const level_names[SIM_LEVEL__COUNT] = { "hardirq", "softirq", "process" };

static void item_done(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct sim_cpu *cpu = ev->arg;
    cpu->running = false;
    dispatch(cpu);
}

void sim_cpu_init(struct sim_cpu *cpu, int id, uint32_t mhz, struct sim_queue *q)
{
    *cpu = (struct sim_cpu){ .id = id, .mhz = mhz, .q = q };
    cpu->done.fn = item_done;
    cpu->done.arg = cpu;
}

static void dispatch(struct sim_cpu *cpu)
{
    if (cpu->running)
        return;
    for (int l = 0; l < SIM_LEVEL__COUNT; l++) {
        struct sim_work *w = cpu->head[l];
        if (!w)
            continue;
        cpu->head[l] = w->next;
        if (!cpu->head[l])
            cpu->tail[l] = NULL;
        w->queued = false;
        w->next = NULL;
        cpu->running = true;
        cpu->level = (enum sim_level)l;
        cpu->item_start = cpu->q->now;
        cpu->item_cycles = 0;
        cpu->items[l]++;
        if (cpu->timeline)
            sim_timeline_begin(cpu->timeline, cpu->id, cpu->mhz, cpu->item_start, &cpu->item_cycles);
        w->run(w, cpu);                 /* may submit more work, here or elsewhere */
        cpu->busy_cycles += cpu->item_cycles;
        cpu->level_cycles[l] += cpu->item_cycles;
        sim_ps end = cpu->item_start + sim_cycles_to_ps(cpu->item_cycles, cpu->mhz);
        if (cpu->timeline)
            sim_timeline_end(cpu->timeline, cpu->id, w->name ? w->name : level_names[l], level_names[l],
                             cpu->item_start, end, cpu->item_cycles, &w->waker);
        if (sim_schedule(cpu->q, &cpu->done, end) < 0)
            abort();                    /* the embedded event needs no memory */
        return;
    }
}

void sim_cpu_submit(struct sim_cpu *cpu, struct sim_work *w)
{
    if (w->queued)
        return;
    if (cpu->timeline)
        sim_timeline_wake(cpu->timeline, &w->waker);  /* the item running now, if any, raised it */
    w->queued = true;
    w->next = NULL;
    if (cpu->tail[w->level])
        cpu->tail[w->level]->next = w;
    else
        cpu->head[w->level] = w;
    cpu->tail[w->level] = w;
    dispatch(cpu);
}

bool sim_cpu_unqueue(struct sim_cpu *cpu, struct sim_work *w)
{
    if (!w->queued)
        return false;
    struct sim_work *prev = NULL;
    for (struct sim_work *x = cpu->head[w->level]; x; prev = x, x = x->next) {
        if (x != w)
            continue;
        if (prev)
            prev->next = w->next;
        else
            cpu->head[w->level] = w->next;
        if (cpu->tail[w->level] == w)
            cpu->tail[w->level] = prev;
        w->next = NULL;
        w->queued = false;
        return true;
    }
    return false;                       /* queued on another CPU */
}

sim_ps sim_cpu_now(const struct sim_cpu *cpu)
{
    if (!cpu->running)
        return cpu->q->now;
    return cpu->item_start + sim_cycles_to_ps(cpu->item_cycles, cpu->mhz);
}
