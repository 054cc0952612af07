/* sim/report/run_report.h: the report of `rxsim run` as a readable table, as
 * JSON and as CSV; all three read the same numbers, computed once in
 * run_metrics(), through the metric table (metric.h).
 *
 * Files: run_report.c (run_metrics(), the text report), run_report_json.c,
 * run_report_csv.c, run_report_parts.h (what they share); result.c writes
 * the result figures in each format, metric.c holds the table. */
#ifndef RXSIM_REPORT_RUN_REPORT_H
#define RXSIM_REPORT_RUN_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "copy/copy.h"
#include "drivers/nic.h"
#include "drivers/nic_trace.h"
#include "drivers/sender.h"
#include "netstack/host.h"
#include "netstack/verdict.h"
#include "sim/options/run_config.h"
#include "sim/machine.h"
#include "sim/report/metric.h"
#include "sim/report/saturation.h"

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
    bool closed;                        /* --replay closed: the senders' receiver (guess: from a trace's payload) */
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
    const struct sender_stats *sender;  /* --replay closed: the senders' figures, else NULL */
    const struct sender_workload_info *workload;    /* --replay closed on a trace: its flows, else NULL */
    const struct report_sat *sat;       /* --replay closed: the saturation window (saturation.h), else NULL */
};

void run_metrics(const struct run_view *v, struct run_metrics *out);
int run_report_text(const struct run_view *v, FILE *out);
int run_report_json(const struct run_view *v, FILE *out);
int run_report_csv(const struct run_view *v, FILE *out);

#endif
