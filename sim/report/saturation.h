/* sim/report/saturation.h: a closed-loop run's figures at saturation and
 * the bottleneck named by a stated rule (docs/model.md, "Saturation and
 * the bottleneck").
 *
 * Why a window: a closed-loop run starts in slow start and ends draining
 * its last window, and in a run of a few MB those stretches are a large
 * part of the whole.  The figures at saturation are taken between two
 * snapshots the senders ask for (sender_config.mark): when a quarter of
 * every flow's bytes together is acknowledged, and when three quarters
 * are.  Each snapshot holds the counters up to that instant: per-CPU busy
 * cycles (less what the item running then has still to do), bytes read,
 * ring/pool drops, retransmissions, bytes acknowledged, each link's serialization time, and
 * the senders' time stopped by the receive window.
 *
 * The rule, on the window's differences, first match wins:
 *   1. no window (both marks at one instant, or one missing): "not measurable";
 *   2. the links busy >= SAT_LINK_BUSY of the window (all links together:
 *      with --nics, their serialization time over links x window), the readers keeping up
 *      with it (goodput >= SAT_KEEP_UP of the bytes acknowledged, both over
 *      the window), and the busiest CPU busy >= SAT_CPU_BUSY: "link and cpu
 *      N" (both at their limit; more of either alone would not go much
 *      faster);
 *   3. the same without the CPU: "link";
 *      (a busy link whose bytes pile up in the receive buffers, the readers
 *      reading less than SAT_KEEP_UP of them, limits nothing: the host does)
 *   4. a CPU busy >= SAT_CPU_BUSY: "cpu N" (the busiest);
 *   5. ring/pool drops in the window: "ring drops";
 *   6. the flows stopped by the receive window >= SAT_RWND_LIMITED of
 *      their time: "receive window";
 *   7. otherwise "none reached" (e.g. the congestion window, or the round
 *      trip with a window too small for it).
 * Drops come after the CPU, which is what causes them when it is full; the
 * receive window last, since a CPU-bound reader closes it too. */
#ifndef RXSIM_REPORT_SATURATION_H
#define RXSIM_REPORT_SATURATION_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/sender.h"
#include "netstack/host.h"
#include "sim/machine.h"
#include "sim/report/metric.h"

#define SAT_LINK_BUSY 0.90
#define SAT_CPU_BUSY 0.90
#define SAT_RWND_LIMITED 0.50
#define SAT_KEEP_UP 0.90

struct report_sat_snap {
    bool taken;
    sim_ps at;                          /* simulated time */
    uint64_t cpu_busy[SIM_MAX_CPUS];
    uint64_t bytes_read, bytes_acked, ring_drops, retransmits;
    sim_ps link_busy[SENDER_MAX_LINKS];
    sim_ps rwnd_limited;
};

/* The window's two ends, and what the figures need beside them. */
struct report_sat {
    struct report_sat_snap snap[2];
    uint32_t nlinks, flows;
};

/* The counters now into sn. */
void report_sat_take(struct report_sat_snap *sn, const struct sim_machine *m, const struct rx_host *h,
                     const struct sender *s);

/* The figures and the bottleneck into o (its sat_* fields and bottleneck);
 * sat may be NULL (not a closed-loop run: nothing set). */
void report_sat_metrics(const struct report_sat *sat, const struct sim_machine *m, struct run_metrics *o);

#endif
