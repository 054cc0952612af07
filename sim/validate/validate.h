/* sim/validate/validate.h: what `rxsim validate` and `rxsim fit` share: the
 * configurations a real kernel transfer is measured under, what one
 * measured repetition holds, and what the model predicted for the same
 * configuration.  The pieces that fill these:
 *
 *   kernel_probe.c   preflight: PMU, nested virtualisation, cross-CPU wakeup
 *                    cost, vCPU speed stability, other tenants → verdict
 *   kernel_run.c     one repetition: netns + veth, a pinned sender and
 *                    reader, `perf record` bracketing exactly the transfer,
 *                    counters before/after; a separate tcpdump capture
 *   perf_script.c    `perf script` text → samples (cpu, comm, call chain)
 *   attrib.c         a sample → side, rxsim category, cost-table event
 *   model_run.c      rxsim run in-process on the capture, matching options
 *   day_profile.c    the calibration profile of the measuring run's day
 *   dataset.c        the measurements as JSON (the committed reference)
 *   fit.c            per-event costs from attributed cycles ÷ event counts,
 *                    fitted on some configurations, error on the held-out
 *   validate_report.c  the side-by-side table, text and JSON
 *
 * Everything here is plain data: no pointers to free, so a struct can be
 * copied, zeroed and written as it is. */
#ifndef RXSIM_VALIDATE_VALIDATE_H
#define RXSIM_VALIDATE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cost_table.h"
#include "sim/profile.h"

/* One kernel configuration.  "csum" is receive-side verification: on 6.x
 * veth it happens when the SENDER's tx checksum offload is off (the skb
 * arrives CHECKSUM_NONE); with it on, the receiver trusts the checksum.
 * Placement: where the data softirq runs, set by RPS on the receiving veth
 * (same = the reader's CPU, other = the sender's).  Sender on CPU 0,
 * reader on CPU 1, always. */
enum val_placement { VAL_SAME_CPU, VAL_OTHER_CPU };

/* The comm of kernel_opts.keep_awake's SCHED_IDLE spinners: their own
 * samples are idle time (attrib.c), what runs on top of them is not. */
#define VAL_SPINNER_COMM "rxv-idle"

#define VAL_SENDER_CPU 0
#define VAL_READER_CPU 1
#define VAL_MAX_CONFIGS 16

struct val_config {
    char name[48];              /* e.g. "same-csum-nogro-1500" (val_config_name) */
    enum val_placement placement;
    bool csum;                  /* receiver verifies checksums */
    bool gro;                   /* GRO on the receiving veth */
    unsigned mtu;               /* 1500 or 9000 */
    bool held_out;              /* not used by the fit; its error is reported */
};

/* Where a profile sample's time went, from its call chain (attrib.c). */
#define VAL_SIDES(X) \
    X(RX,     "rx",     "receive path of the data: softirq, TCP, socket, the reader's recv") \
    X(ACK,    "ack",    "the receiver building and sending ACKs, and the sender taking them in") \
    X(SENDER, "sender", "the sender's own send path (copy from user, segmentation, transmit)") \
    X(IDLE,   "idle",   "a CPU with nothing to run") \
    X(IPI,    "ipi",    "cross-CPU interrupt handling (IPIs: excluded from fitted costs)") \
    X(OTHER,  "other",  "anything else: other processes, other kernel work (other tenants)")

enum val_side {
#define VAL_SIDE_ENUM(e, key, what) VAL_SIDE_##e,
    VAL_SIDES(VAL_SIDE_ENUM)
#undef VAL_SIDE_ENUM
    VAL_SIDE__COUNT
};

/* What perf attributed in one repetition, in samples (cpu-clock; one
 * sample = sample_period_ns of one CPU's time). */
struct val_attrib {
    uint64_t samples;                       /* every sample in the window */
    uint64_t side[VAL_SIDE__COUNT];
    uint64_t rx_category[SIM_CAT__COUNT];   /* RX-side samples by rxsim category */
    uint64_t rx_unmapped;                   /* RX-side samples no category claims */
    uint64_t event[SIM_COST__COUNT];        /* samples charged to a cost-table event */
    uint64_t protocol_on_cpu[2];            /* RX protocol samples (tcp_v4_rcv below) per CPU */
    /* Receive-stack samples that cannot tell a data skb from an ACK skb
     * (softirq, backlog, netif/IP, tcp_v4_rcv before TCP knows): in samples
     * but in none of the fields above until attrib_split_shared()
     * (attrib.h) divides them between RX and ACK by skb counts. */
    uint64_t shared;
    uint64_t shared_category[SIM_CAT__COUNT];
    uint64_t shared_event[SIM_COST__COUNT];
    uint64_t shared_on_cpu[2];
};

/* The kernel's own counts over one repetition's window (deltas). */
struct val_counters {
    double seconds;             /* the transfer window, wall clock */
    uint64_t bytes;             /* payload the reader read */
    uint64_t segs_in;           /* segments on the wire: the receiving veth's rx packets (Tcp InSegs counts skbs after GRO) */
    uint64_t segs_out;          /* receiver namespace: Tcp OutSegs (ACKs) */
    uint64_t delayed_acks;      /* TcpExt DelayedACKs */
    uint64_t skbs;              /* skbs the receiver's TCP took in after GRO (receiver ns Tcp InSegs: one per skb on 6.x) */
    uint64_t net_rx_softirqs;   /* /proc/softirqs NET_RX, both CPUs */
    uint64_t recv_calls;        /* the reader's recv() calls that returned data */
    uint64_t nvcsw, nivcsw;     /* the reader's context switches (getrusage) */
    double reader_cpu_seconds;  /* the reader's utime + stime */
    uint64_t rcvq_median;       /* bytes queued (FIONREAD) before a recv: median */
    uint64_t rcvq_max;
    double steal_share;         /* /proc/stat steal ÷ all, both CPUs */
};

/* One measured repetition of one configuration. */
struct val_rep {
    struct val_counters c;
    struct val_attrib a;
    uint64_t sample_period_ns;  /* perf record -c (cpu-clock period) */
    double tsc_ghz;             /* cycles per ns used to turn samples into cycles */
};

/* The model's answer for one configuration (model_run.c), per byte the
 * reader got, plus the structural figures validate prints beside the real. */
struct val_model {
    double cycles_per_byte[SIM_CAT__COUNT];
    double core_cycles_per_byte;    /* protocol + csum + copy + skb */
    double core_cycles_per_segment; /* the same cycles per data segment in */
    double acks_per_segment;
    double segments_per_skb;        /* GRO */
    double skbs_per_recv;
    double rcvq_median;             /* bytes queued when the reader ran; < 0: not known */
    int exit_status;                /* rxsim run's; 5: part unanswered */
};

/* What the preflight probes found (kernel_probe.c), and what it means for
 * the figures that follow. */
struct val_preflight {
    bool pmu;                   /* a hardware cycle counter opens (perf_event_open) */
    bool hypervisor;            /* CPUID's hypervisor bit: a guest */
    bool nested;                /* best evidence of a guest inside a guest */
    double wakeup_us_median;    /* cross-CPU wakeup, CPU 0 -> 1 and back (ping-pong) */
    double wakeup_us_p90;
    double speed_cv;            /* spread of a fixed loop's speed (stddev / mean) */
    double other_share;         /* CPU time other processes took while probing, 0..1 */
    double steal_share;         /* /proc/stat steal over the probe, 0..1 */
    bool quiet;                 /* other_share and steal_share low enough to trust placement */
    char verdict[768];          /* what can be trusted, in words, one line per point */
};

/* "same-csum-nogro-1500" from the fields. */
void val_config_name(struct val_config *c);

/* Cycles a count of samples stands for in a repetition. */
static inline double val_cycles(const struct val_rep *r, uint64_t samples)
{
    return (double)samples * (double)r->sample_period_ns * r->tsc_ghz;
}

/* The figure validate compares first: receive-side cycles of the core
 * categories (protocol + csum + copy + skb) per byte read. */
double val_rep_core_cycles_per_byte(const struct val_rep *r);

/* Median and quartiles (linear interpolation between order statistics) of
 * v[0..n); v is sorted in place.  n == 0 gives zeros. */
struct val_spread { double median, q1, q3; };
struct val_spread val_spread_of(double *v, int n);

#endif
