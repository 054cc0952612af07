/* sim/session/run_config.h: everything `rxsim run` and `rxsim live` are told,
 * parsed and checked (absurd values refused with a reason) by
 * run_options_parse() (run_session.h). */
#ifndef RXSIM_SESSION_RUN_CONFIG_H
#define RXSIM_SESSION_RUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUN_MAX_TRACES 8
#define RUN_MAX_NICS RUN_MAX_TRACES     /* traces, or --nics, or one live interface */

/* The ranges of the numeric options, "lo, hi": the parser (run_session.c)
 * and rxsim serve's form (serve_form.c) check the same bounds.  The users
 * include sim/machine.h (SIM_MAX_CPUS) and drivers/nic.h (NIC_MAX_QUEUES). */
#define RUN_RANGE_CPUS 1, SIM_MAX_CPUS
#define RUN_RANGE_GHZ 0.1, 10
#define RUN_RANGE_CACHE_KIB 4, 1u << 20
#define RUN_RANGE_RING 2, 65536
#define RUN_RANGE_QUEUES 1, NIC_MAX_QUEUES
#define RUN_RANGE_RX_USECS 0, 1000000
#define RUN_RANGE_RX_FRAMES 0, 65536
#define RUN_RANGE_BUDGET 1, 65536
#define RUN_RANGE_MSG_SIZE 1, 1u << 26
#define RUN_RANGE_APP_CPB 0, 1e6
#define RUN_RANGE_MAX_CONNS 0, 1000000000u     /* 0: no cap */

struct run_config {
    const char *traces[RUN_MAX_TRACES];
    int ntraces;
    uint32_t nics;                  /* --nics N over one trace; 0: one NIC per trace */
    const char *filter;
    const char *host;               /* the first --host; NULL: guessed (live: the interface's addresses) */
    const char *hosts[RUN_MAX_TRACES];  /* run: one --host per trace, in trace order ("guess": guessed) */
    int nhosts;
    int cpus;
    double ghz;                     /* 0: the profile's TSC frequency */
    uint32_t cache_kib;
    uint64_t seed;
    const char *csum, *delivery, *recycle, *copy, *csum_copy, *irq, *app;
    uint32_t ring, queues, rx_usecs, rx_frames, budget, msg_size, pool;
    const char *replay;             /* "trace" or "rate:10G" */
    uint64_t rate_bps;
    double app_cycles_per_byte;
    const char *profile, *costs;
    bool verify_csum;
    bool payload_synth;             /* --payload synth: fill what the snaplen cut */
    size_t ooo_budget;              /* --ooo-budget; 0: the default, SIZE_MAX: none */
    size_t max_conns;               /* --max-conns; 0: the default, SIZE_MAX: no cap */
    bool timing_measured;
    const char *timeline;           /* --timeline FILE */
    bool json, csv, progress;
    double realtime;                /* --realtime SPEED; 0: off */
    /* rxsim live */
    const char *iface;              /* -i IFACE */
    double duration;                /* --duration SECONDS; 0: until Ctrl-C */
    uint64_t count;                 /* --count FRAMES; 0: no limit */
    bool promisc;                   /* --promisc */
    uint32_t buffer_kib;            /* --buffer-kib: the kernel's capture buffer */
};

#endif
