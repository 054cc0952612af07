/* copy/calib.h: measuring what a copy or checksum routine costs on this
 * machine, in TSC cycles per call, by size, source misalignment and cache
 * state.  Used by `rxsim calibrate` (sim/cli/cmd_calibrate.c) and
 * bench/bench_copy.c; the figures it produces are stored by copy/costs.h.
 *
 * Method (docs/calibration.md): the calling thread is pinned to one CPU; the
 * TSC is calibrated against CLOCK_MONOTONIC; each measurement warms up, then
 * times batches of calls with rdtsc; a batch is as many calls as fit in
 * about 40 us, so the rdtsc overhead is amortised.  A point is the median,
 * 10th and 90th percentile of the per-call cost over the batches.  Callers
 * that want stable medians on a machine whose clock wanders (a VM, turbo)
 * take a few batches per point in several rounds over all points, with
 * calib_sample(), and summarise at the end.
 *
 * Cache states:
 *   hot     the same source and destination every call (in L1/L2).
 *   cold    every call uses a fresh source and destination slot, visited in
 *           random order, out of two regions each several times the LLC:
 *           neither is in any cache, and the stride prefetcher cannot guess
 *           the next slot.
 *   remote  the source was just written by a thread pinned on another CPU
 *           (modified in that CPU's cache); the destination is hot.  Needs
 *           a second CPU in the affinity mask.
 */
#ifndef RXSIM_COPY_CALIB_H
#define RXSIM_COPY_CALIB_H

#include <stdbool.h>
#include <stddef.h>

#include "copy/copy.h"

enum calib_cache { CALIB_HOT, CALIB_COLD, CALIB_REMOTE };
#define CALIB_NCACHE 3

const char *calib_cache_name(enum calib_cache c);        /* "hot", "cold", "remote" */
int calib_cache_parse(const char *name);                 /* -1 when unknown */

struct calib_config {
    unsigned reps;            /* timed batches per measurement (median over them); 0: 21 */
    double batch_us;          /* target batch length; 0: 40 */
    size_t max_size;          /* largest size to be measured; 0: 1 MiB */
    double tsc_ms;            /* length of each of 3 TSC calibration windows; 0: 50 */
    bool want_remote;         /* start the writer thread on a second CPU if there is one */
};

struct calib_point {
    double cycles;            /* median TSC cycles per call */
    double p10, p90;          /* spread of the per-call cost over the batches */
    unsigned reps;            /* batches the point summarises */
};

struct calib;

/* Pins the calling thread, calibrates the TSC, allocates the buffers (cold
 * regions of ~4x the LLC each).  NULL with a message in err on failure. */
struct calib *calib_open(const struct calib_config *cfg, char *err, size_t errlen);
/* Stops the writer thread, frees, restores the caller's CPU affinity. */
void calib_close(struct calib *c);

/* Measures r (any kind; must be available) on size bytes, source at
 * align (0..63) past a 64-byte boundary, destination 64-byte aligned.
 * Returns 0, or -1 when the state cannot be measured here (remote without a
 * second CPU) or size > max_size. */
int calib_measure(struct calib *c, const struct copy_routine *r, size_t size,
                  unsigned align, enum calib_cache state, struct calib_point *out);

/* Like calib_measure but each call is copy_r then csum_r over the
 * destination: a copy followed by a separate checksum pass. */
int calib_measure_pair(struct calib *c, const struct copy_routine *copy_r,
                       const struct copy_routine *csum_r, size_t size, unsigned align,
                       enum calib_cache state, struct calib_point *out);

/* The primitive: warms up, then times reps batches and stores each batch's
 * cycles per call in samples[0..reps).  then_csum (NULL, or a checksum when
 * r is a copy) adds a separate checksum pass over the destination to each
 * call.  0, or -1 as for calib_measure. */
int calib_sample(struct calib *c, const struct copy_routine *r,
                 const struct copy_routine *then_csum, size_t size, unsigned align,
                 enum calib_cache state, unsigned reps, double *samples);

/* Median and spread of n samples (sorts them). */
void calib_summarise(double *samples, unsigned n, struct calib_point *out);

/* What was found while opening. */
struct calib_info {
    double tsc_hz;
    int cpu;                  /* CPU the measurements run on, -1 when not pinned */
    int remote_cpu;           /* writer thread's CPU, -1 when none */
    size_t llc_bytes;
    const char *llc_source;   /* "sysfs", "sysconf" or "default (32 MiB)" */
    size_t cold_bytes;        /* size of each cold region */
    char cpu_model[128];
    const char *cpu_flags;    /* space-separated, from /proc/cpuinfo ("" if unknown) */
};
const struct calib_info *calib_info(const struct calib *c);

#endif
