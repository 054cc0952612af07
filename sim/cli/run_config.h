/* sim/cli/run_config.h: everything `rxsim run` is told, parsed and checked
 * (absurd values refused with a reason), and the run's outcome. */
#ifndef RXSIM_CLI_RUN_CONFIG_H
#define RXSIM_CLI_RUN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define RUN_MAX_TRACES 8

struct run_config {
    const char *traces[RUN_MAX_TRACES];
    int ntraces;
    const char *filter;
    const char *host;               /* NULL: guessed */
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
    bool timing_measured;
    const char *timeline;           /* --timeline FILE */
    bool json, csv, progress;
    double realtime;                /* --realtime SPEED; 0: off */
};

#endif
