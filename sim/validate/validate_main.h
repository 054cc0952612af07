/* sim/validate/validate_main.h: rxsim validate from argv to the table: the
 * options and configuration matrix (validate_opts.c) and the run itself
 * (validate_main.c: preflight, captures, interleaved measured repetitions,
 * fit, the model under the fitted costs, the table, the recorded dataset). */
#ifndef RXSIM_VALIDATE_VALIDATE_MAIN_H
#define RXSIM_VALIDATE_VALIDATE_MAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/validate/dataset.h"
#include "sim/validate/validate.h"

/* One repetition here is about a second (512 MiB at MTU 1500 took 0.78 s
 * on this nested VM, perf's start and stop the rest), so the default 10
 * configurations × 11 repetitions, with the captures, take a few minutes;
 * 11 gives quartiles that mean something (the hand comparison used 15). */
#define VALIDATE_DEFAULT_REPS 11
#define VALIDATE_DEFAULT_BYTES (512ull << 20)
#define VALIDATE_DEFAULT_BYTES_TEXT "512M"
#define VALIDATE_DEFAULT_CAPTURE (4ull << 20)
#define VALIDATE_DEFAULT_CAPTURE_TEXT "4M"
#define VALIDATE_DEFAULT_MSG_SIZE 65536u

struct validate_opts {
    struct val_config configs[VAL_MAX_CONFIGS];
    int nconfigs;
    int reps;
    uint64_t bytes, capture_bytes;
    unsigned msg_size;
    const char *out_dir;
    bool keep_perf;
    bool sleep_ok;          /* --let-cpus-sleep: no keep_awake spinners (cpu-clock then misses busy time) */
    unsigned seed;
    const char *from;       /* --from: a saved dataset, no measurement */
    const char *functions;  /* --functions: a --keep-perf run's directory, leaf functions only */
    int top;                /* --top: --functions' rows */
    bool fit_on_given;      /* --fit-on was given: with --from it re-divides the dataset */
    const char *costs;      /* the model's --costs for the table */
    const char *profile;    /* --profile, or the one this run measured or found (day_profile.h); NULL: checked in */
    bool json, progress;
};

void validate_usage(FILE *out);
/* 0 parsed, 1 --help was shown, or RX_EXIT_USAGE after a message. */
int validate_parse(int argc, char **argv, struct validate_opts *o);

/* The whole command; the exit status. */
int validate_main(int argc, char **argv);

#endif
