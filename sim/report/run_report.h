/* sim/report/run_report.h: the report of `rxsim run` as a readable table and as
 * JSON; both read the same numbers, computed once in run_metrics(). */
#ifndef RXSIM_REPORT_RUN_REPORT_H
#define RXSIM_REPORT_RUN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "copy/copy.h"
#include "drivers/nic.h"
#include "drivers/nic_trace.h"
#include "netstack/host.h"
#include "netstack/verdict.h"
#include "sim/session/run_config.h"
#include "sim/machine.h"

/* rxsim live's capture, beside the model's figures: frames libpcap gave us,
 * those lost before the NIC model saw them (our queue full: the simulation
 * fell behind; the kernel's buffer full), and why the capture stopped. */
struct run_live_stats {
    const char *iface;
    uint64_t captured;                  /* records libpcap handed over */
    uint64_t queue_drops;               /* our bounded queue was full */
    uint64_t kernel_drops;              /* pcap_stats() ps_drop + ps_ifdrop */
    uint64_t skipped;                   /* not to this host (also frames_skipped) */
    double wall_s;                      /* capture time */
    const char *stopped_by;             /* "signal", "duration", "count", "error" */
};

/* How a trace's host was chosen (rxsim run). */
struct run_host_choice {
    char addr[48];                      /* "any": none found, every frame received */
    bool given;                         /* --host; else guess says how */
    struct nic_trace_guess guess;
};

struct run_view {
    const struct run_config *cfg;
    const struct sim_machine *m;
    const struct rx_host *host;
    const struct skb_pool *pool;
    const struct nic *nics;
    const struct nic_trace *srcs;
    int nnics;
    const char *host_addr;              /* every trace's host, ", "-joined */
    const struct run_host_choice *hosts;    /* per NIC; NULL for rxsim live */
    bool partial;
    const char *profile_path;
    const struct copy_routine *copy, *csum_copy;
    const struct run_live_stats *live;  /* rxsim live, else NULL */
    uint64_t synth_segments, synth_bytes;   /* --payload synth: frames filled, bytes made up */
};

struct run_metrics {
    double elapsed_s;
    uint64_t frames_offered, frames_skipped, frames_to_stack, frames_dropped;
    uint64_t trace_warnings;            /* records the trace reader warned about */
    /* the replay clock (drivers/nic.h): summed over NICs */
    uint64_t ts_backward, gaps_clamped, idle_removed_ns;
    bool clock_full;                    /* a NIC's replay stopped at the clock's range */
    uint64_t nics_without_frames;       /* rxsim run: NICs no frame was addressed to */
    double goodput_mbps;
    double util_avg;                    /* 0..1 over all CPUs */
    double scaled_mbps;                 /* goodput / average utilisation */
    uint64_t total_cycles;
    double cycles_per_byte, cycles_per_packet;
    double cat_per_byte[SIM_CAT__COUNT];
    uint64_t interrupts, polls, passes;
    double frames_per_irq, frames_per_pass;
    uint64_t lines_out_total;
    double lat_p50_us, lat_p99_us, lat_max_us;
    /* Directions the run cannot answer for (netstack/verdict.h), summed.
     * When any reason is set, goodput, throughput scaled to CPU, cycles per
     * byte and latency are not meaningful: the reports flag them in place. */
    struct rx_verdict_sum unanswered;
    char unanswered_text[512];          /* rx_verdict_describe(), "" when answered */
};

/* The result keys flagged not meaningful when run_metrics() found a reason. */
extern const char *const run_not_meaningful_keys[];
extern const int run_not_meaningful_nkeys;

void run_metrics(const struct run_view *v, struct run_metrics *out);
int run_report_text(const struct run_view *v, FILE *out);
int run_report_json(const struct run_view *v, FILE *out);
int run_report_csv(const struct run_view *v, FILE *out);

#endif
