/* sim/options/run_config.h: everything `rxsim run` and `rxsim live` are told,
 * parsed and checked (absurd values refused with a reason) by
 * run_options_parse() from the one option table (run_options.h), which
 * holds each option's range and default. */
#ifndef RXSIM_OPTIONS_RUN_CONFIG_H
#define RXSIM_OPTIONS_RUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUN_MAX_TRACES 8
#define RUN_MAX_NICS RUN_MAX_TRACES     /* traces, or --nics, or one live interface */

struct run_config {
    const char *traces[RUN_MAX_TRACES];
    int ntraces;
    uint32_t nics;                  /* --nics N over one trace; 0: one NIC per trace */
    const char *filter;
    const char *read;               /* -r FILE: a trace before the operands (tcpdump's -r) */
    double start;                   /* --start SECONDS of trace time skipped (run) */
    const char *host;               /* the first --host; NULL: guessed (live: the interface's addresses) */
    const char *hosts[RUN_MAX_TRACES];  /* run: one --host per trace, in trace order ("guess": guessed) */
    int nhosts;
    int cpus;
    double ghz;                     /* 0: the profile's TSC frequency */
    uint32_t cache_kib;
    uint64_t seed;
    const char *csum, *delivery, *recycle, *copy, *csum_copy, *irq, *app;
    const char *csum_routine;       /* --csum-routine: the softirq's checksum (copy/registry.c) */
    const char *receive;            /* --receive copy | zerocopy (netstack/policy/receive.h) */
    int reader_threads;             /* --reader-threads: zerocopy's shootdowns go to the others' CPUs */
    uint32_t ring, queues, rx_usecs, rx_frames, budget, recv_size, pool;
    const char *nic_kind;           /* --nic-kind nic | veth[:GAP_US] */
    const char *veth_sender_cpu;    /* --veth-sender-cpu poll | C: whose cache a veth frame starts in */
    uint32_t gro_flush_timeout;     /* --gro-flush-timeout NS (sysfs gro_flush_timeout) */
    uint32_t napi_defer_hard_irqs;  /* --napi-defer-hard-irqs N */
    const char *replay;             /* "trace", "rate:10G" or "closed" */
    bool closed;                    /* --replay closed: simulated senders answer the host (issue 14) */
    const char *link;               /* --link RATE (closed loop), parsed by the session */
    double rtt_us;                  /* --rtt: round-trip propagation (closed loop) */
    double loss;                    /* --loss P: each data frame lost on the wire (closed loop) */
    const char *reorder;            /* --reorder P[:US]: each data frame held US (closed loop) */
    const char *cc;                 /* --cc newreno|cubic (closed loop), parsed by the session */
    uint32_t flows, send_size, mtu; /* closed loop without a trace: the netperf-like workload */
    const char *bytes;              /* --bytes SIZE per flow, parsed by the session */
    uint64_t rate_bps;
    double app_cycles_per_byte;
    const char *profile, *costs;
    bool verify_csum;
    bool payload_synth;             /* --payload synth: fill what the snaplen cut */
    size_t ooo_budget;              /* --ooo-budget; 0: the default, SIZE_MAX: none */
    size_t max_conns;               /* --max-conns; 0: the default, SIZE_MAX: no cap */
    size_t rcvbuf, rcvbuf_max;      /* --rcvbuf, --rcvbuf-max; 0: Linux's defaults, SIZE_MAX: none */
    bool rcvbuf_autotune;           /* --no-rcvbuf-autotune clears it */
    bool timing_measured;
    const char *timeline;           /* --timeline FILE */
    const char *timeline_window;    /* --timeline-window START,DURATION (seconds) */
    bool json, csv, progress;
    bool progress_lines;            /* --progress: lines for scripts (sim/options/progress.h) */
    bool list_costs;                /* --list-costs: print the cost table (after --costs), run nothing */
    double realtime;                /* --realtime SPEED; 0: off */
    /* rxsim live */
    const char *iface;              /* -i IFACE */
    double duration;                /* --duration SECONDS; run: of trace time after --start; live: wall; 0: no end */
    uint64_t count;                 /* -c, --count FRAMES; run: per trace; 0: no limit */
    bool promisc;                   /* --promisc */
    uint32_t buffer_kib;            /* --buffer-kib: the kernel's capture buffer */
};

#endif
