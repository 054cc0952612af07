/* sim/machine.h: the simulated machine: the event queue and clock, N CPUs,
 * their caches, the per-event cost table and the seeded RNG.  Everything a
 * model component charges goes through here, so costs, cache outcomes and
 * the profile stay consistent. */
#ifndef RXSIM_SIM_MACHINE_H
#define RXSIM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cache.h"
#include "sim/cost_table.h"
#include "sim/cpu.h"
#include "sim/event.h"
#include "sim/rng.h"

#define SIM_MAX_CPUS SIM_CACHE_MAX_CPUS

struct sim_machine_config {
    int ncpus;                  /* 1..SIM_MAX_CPUS */
    uint32_t mhz;               /* clock of every CPU */
    uint32_t cache_lines;       /* capacity per CPU in 64-byte lines */
    uint64_t seed;
};

struct sim_machine {
    struct sim_queue q;
    struct sim_rng rng;
    int ncpus;
    struct sim_cpu cpu[SIM_MAX_CPUS];
    struct sim_cache cache;
    struct sim_cost_table costs;
};

int sim_machine_init(struct sim_machine *m, const struct sim_machine_config *cfg);  /* -1: bad config or no memory */
void sim_machine_fini(struct sim_machine *m);

/* Zeroes every CPU's counters and profile (after set-up work such as filling
 * the NIC rings, which a real host does before the measured run). */
void sim_machine_reset_stats(struct sim_machine *m);

/* cpu touches [addr, addr+len) on behalf of fn: misses and transfers are
 * charged to fn at the cost table's per-line prices, transfers are counted as
 * fn's lines_out.  Counts no call: fn must be the function whose call (counted
 * with sim_machine_charge or sim_machine_call) made the touch.  Returns the
 * outcome counts. */
struct sim_touch sim_machine_touch(struct sim_machine *m, struct sim_cpu *cpu, enum sim_function fn,
                                   uint64_t addr, uint64_t len, bool write);

/* The profile's calls are real calls: each function the model runs counts
 * exactly one call where it is called, and every other charge lands inside
 * a call already counted (so no row has cycles without calls, and a call
 * that costs several cost-table entries is still one call). */

/* One call of fn, costing the cost-table entry c. */
static inline void sim_machine_charge(struct sim_machine *m, struct sim_cpu *cpu,
                                      enum sim_function fn, enum sim_cost c)
{
    sim_cpu_charge(cpu, fn, m->costs.cycles[c]);
}

/* One call of fn with no fixed cost of its own: its cycles are the cache
 * misses and transfers of the sim_machine_touch() calls made for it. */
static inline void sim_machine_call(struct sim_machine *m, struct sim_cpu *cpu, enum sim_function fn)
{
    (void)m;
    sim_cpu_charge(cpu, fn, 0);
}

/* The cost-table entry c, spent inside a call of fn already counted (the
 * IPI of a wakeup, the allocator's work inside alloc_skb). */
static inline void sim_machine_charge_more(struct sim_machine *m, struct sim_cpu *cpu,
                                           enum sim_function fn, enum sim_cost c)
{
    sim_cpu_add_cycles(cpu, fn, m->costs.cycles[c]);
}

#endif
