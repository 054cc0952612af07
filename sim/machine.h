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

/* What a line the cache model reports as a miss or a transfer costs, by the
 * length of the touch that met it: one rule for every line the model touches
 * (socket, skb metadata, user buffer, ring; payload copies price theirs the
 * same way from their own routine's curves, netstack/host_cost.c).  Entry k
 * (1..SIM_LINE_RUN_MAX) is the per-line price, in CPU cycles, within a touch
 * of k lines; longer touches pay entry SIM_LINE_RUN_MAX.  A line met alone
 * waits out the whole latency; a line in a long run overlaps with the others
 * (the prefetcher streams it), so the price per line falls with k.  Unset
 * (the profile lacks the curves, or --costs gave line_miss / line_transfer):
 * the cost table's flat entry. */
#define SIM_LINE_RUN_MAX 32

struct sim_line_prices {
    bool miss_set, transfer_set;
    double miss[SIM_LINE_RUN_MAX + 1], transfer[SIM_LINE_RUN_MAX + 1];
};

struct sim_machine {
    struct sim_queue q;
    struct sim_rng rng;
    int ncpus;
    struct sim_cpu cpu[SIM_MAX_CPUS];
    struct sim_cache cache;
    struct sim_cost_table costs;
    struct sim_line_prices lines;
};

int sim_machine_init(struct sim_machine *m, const struct sim_machine_config *cfg);  /* -1: bad config or no memory */
void sim_machine_fini(struct sim_machine *m);

/* Zeroes every CPU's counters and profile (after set-up work such as filling
 * the NIC rings, which a real host does before the measured run). */
void sim_machine_reset_stats(struct sim_machine *m);

/* cpu touches [addr, addr+len) on behalf of fn: misses and transfers are
 * charged to fn at the machine's per-line prices (m->lines, else the cost
 * table's flat line_miss / line_transfer), transfers are counted as
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
