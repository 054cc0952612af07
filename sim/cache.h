/* sim/cache.h: per-CPU cache state at 64-byte line granularity, for the
 * memory the receive path touches (skb data and metadata, socket state, user
 * buffers), with a bounded LRU capacity per CPU.
 *
 * Three outcomes per line touched:
 *   hit      the CPU holds the line;
 *   miss     no other CPU holds it: it comes from memory;
 *   transfer another CPU holds it: a cache-to-cache transfer, the line moves
 *            ("L2_cache_lines_out" in the OLS 2002 paper).  DESIGN.md says
 *            "held modified"; we count clean copies too, because current
 *            CPUs answer such a miss from the other core's cache (AMD's
 *            MOESI owned/forward states, Intel's MESIF forward state), and
 *            that is how a checksum pass on the IRQ CPU makes the reader's
 *            copy pull lines across (docs/model.md).
 * A write invalidates every other CPU's copy and leaves the line modified in
 * the writer's cache; a read of a modified line leaves both copies shared.
 * NIC DMA invalidates every CPU's copy.  Addresses are simulated: callers
 * hand out distinct address ranges for distinct objects (sim_cache_region).
 *
 * Sizes: each CPU holds `lines` lines (rounded up to a power-of-two number of sets) in sets of
 * SIM_CACHE_WAYS ways, least recently used evicted first within a set. */
#ifndef RXSIM_SIM_CACHE_H
#define RXSIM_SIM_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_CACHE_LINE 64
#define SIM_CACHE_MAX_CPUS 64
#define SIM_CACHE_WAYS 8     /* an 8-way L2, as on many x86 cores */

struct sim_touch {
    uint32_t hits, misses, transfers;
};

struct sim_cache_cpu;
struct sim_cache_lines;

struct sim_cache {
    int ncpus;
    uint32_t lines;                     /* capacity per CPU, whole sets */
    struct sim_cache_cpu *cpu[SIM_CACHE_MAX_CPUS];
    uint64_t next_region;               /* simulated address allocator */
    const struct sim_cache_lines *impl; /* the line loops for this CPU's instruction set */
};

int sim_cache_init(struct sim_cache *c, int ncpus, uint32_t lines_per_cpu);  /* -1: no memory */
void sim_cache_fini(struct sim_cache *c);

/* A fresh simulated address range of len bytes, line-aligned. */
uint64_t sim_cache_region(struct sim_cache *c, uint64_t len);

/* cpu reads (write=false) or writes [addr, addr+len); *out counts lines by outcome. */
void sim_cache_touch(struct sim_cache *c, int cpu, uint64_t addr, uint64_t len, bool write,
                     struct sim_touch *out);

/* A device wrote [addr, addr+len) in memory: every cached copy is stale. */
void sim_cache_dma(struct sim_cache *c, uint64_t addr, uint64_t len);

/* The line loops run with the host's best instruction set: "avx2" when the
 * CPU has it, else "sse2"; outcomes are the same.  sim_cache_select() picks
 * one by name (tests run both): 0, or -1 when unknown or this CPU lacks it. */
int sim_cache_select(struct sim_cache *c, const char *isa);
const char *sim_cache_isa(const struct sim_cache *c);

/* Does cpu hold the line containing addr (for tests and reports)? */
bool sim_cache_holds(const struct sim_cache *c, int cpu, uint64_t addr, bool *modified);

#endif
