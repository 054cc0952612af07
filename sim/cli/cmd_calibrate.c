/* sim/cli/cmd_calibrate.c: rxsim calibrate's command line; the measuring is
 * copy/calib.c, the grid and its tables copy/calib_tables.c, the profile
 * file copy/costs.c.  Method, file
 * schema and the figures of the reference machine: docs/calibration.md. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy/calib.h"
#include "copy/calib_tables.h"
#include "copy/copy.h"
#include "copy/costs.h"
#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"

static const size_t full_sizes[] = { 64, 128, 256, 512, 1024, 1448, 1500, 2048, 4096,
                                     8192, 16384, 32768, 65536, 1u << 20 };
static const unsigned full_aligns[] = { 0, 1, 4, 8 };
static const size_t quick_sizes[] = { 64, 1448, 65536 };
static const unsigned quick_aligns[] = { 0, 4 };

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ROUTINES 64

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim calibrate [--quick] [--json FILE] [--routine NAME]... [--cache STATE]...\n"
        "       rxsim calibrate --classic | --list | --help\n"
        "\n"
        "Measures each available copy, checksum and checksum+copy routine on this\n"
        "machine: TSC cycles per byte by size, source misalignment and cache state\n"
        "(hot, cold, remote), pinned to one CPU, median of repeated batches.\n"
        "\n"
        "  --json FILE      also write the profile the simulator loads (docs/calibration.md)\n"
        "  --quick          3 sizes (64, 1448, 65536), aligns 0 and 4, fewer repetitions: < 10 s\n"
        "  --routine NAME   only this routine (repeatable; see --list)\n"
        "  --cache STATE    only this cache state: hot, cold or remote (repeatable)\n"
        "  --classic        the OLS 2002 paper's Tables 5 and 6, measured here: string copy\n"
        "                   vs unrolled integer copy, source aligned vs offset by 4\n"
        "  --list           the routine table: name, kind, CPU feature needed, available\n"
        "  --help           this text\n"
        "\n"
        "A full run measures 14 sizes x 4 alignments x 3 cache states per routine and\n"
        "takes about 15 s.  Exit status: 0 ok, 1 internal error (I/O, memory),\n"
        "2 usage error.\n");
}

static void print_list(void)
{
    printf("%-22s %-9s %-6s %-3s %s\n", "name", "kind", "needs", "ok", "what");
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *r = copy_routine_at(i);
        printf("%-22s %-9s %-6s %-3s %s\n", r->name, copy_kind_name(r->kind),
               copy_feature_name(r->needs), copy_available(r) ? "yes" : "no", r->what);
    }
}

static void print_info(const struct calib_info *in, bool remote_wanted)
{
    char remote[48];
    if (in->remote_cpu >= 0)
        snprintf(remote, sizeof remote, "CPU %d", in->remote_cpu);
    else
        snprintf(remote, sizeof remote, remote_wanted ? "none (one CPU: remote skipped)"
                                                      : "not needed");
    printf("cpu: %s; TSC %.3f GHz; measuring on CPU %d; remote writer: %s;\n"
           "LLC %zu KiB (%s); cold regions 2 x %zu MiB\n",
           in->cpu_model, in->tsc_hz / 1e9, in->cpu, remote, in->llc_bytes >> 10,
           in->llc_source, in->cold_bytes >> 20);
}

static int add_name(const char *arg, const char **list, size_t *n)
{
    const struct copy_routine *r = copy_find(arg);
    if (!r) {
        fprintf(stderr, "rxsim calibrate: unknown routine '%s' (see --list)\n", arg);
        return -1;
    }
    if (!copy_available(r)) {
        fprintf(stderr, "rxsim calibrate: %s needs %s, which this CPU lacks\n", arg,
                copy_feature_name(r->needs));
        return -1;
    }
    if (*n < MAX_ROUTINES)
        list[(*n)++] = r->name;
    return 0;
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", required_argument, NULL, 'j' }, { "quick", no_argument, NULL, 'q' },
        { "routine", required_argument, NULL, 'r' }, { "cache", required_argument, NULL, 'c' },
        { "classic", no_argument, NULL, 'C' }, { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    const char *json = NULL;
    const char *names[MAX_ROUTINES];
    bool quick = false, classic = false, list = false, any_state = false;
    struct calib_grid run = { .names = names };
    int ch;
    optind = opterr = 0;        /* 0: getopt starts afresh; no message of getopt's (ours names the command) */
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = optarg;
            break;
        case 'q':
            quick = true;
            break;
        case 'r':
            if (add_name(optarg, names, &run.nnames) != 0)
                return RX_EXIT_USAGE;
            break;
        case 'c': {
            int st = calib_cache_parse(optarg);
            if (st < 0) {
                fprintf(stderr, "rxsim calibrate: --cache wants hot, cold or remote, not '%s'\n",
                        optarg);
                return RX_EXIT_USAGE;
            }
            run.states[st] = true;
            any_state = true;
            break;
        }
        case 'C':
            classic = true;
            break;
        case 'l':
            list = true;
            break;
        case 'h':
            usage(stdout);
            return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim calibrate: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rxsim calibrate: unexpected argument '%s'\n", argv[optind]);
        return RX_EXIT_USAGE;
    }
    if (list) {
        print_list();
        return RX_EXIT_OK;
    }
    if (classic && (json || run.nnames || any_state)) {
        fprintf(stderr, "rxsim calibrate: --classic takes no other options but --quick\n");
        return RX_EXIT_USAGE;
    }
    if (!any_state)
        for (int st = 0; st < CALIB_NCACHE; st++)
            run.states[st] = true;
    run.sizes = quick ? quick_sizes : full_sizes;
    run.nsizes = quick ? N(quick_sizes) : N(full_sizes);
    run.aligns = quick ? quick_aligns : full_aligns;
    run.naligns = quick ? N(quick_aligns) : N(full_aligns);

    run.rounds = quick ? 2 : 30;
    run.reps_per_round = 3;
    struct calib_config cfg = {
        .reps = quick ? 7 : 31,               /* --classic's calib_measure() */
        .batch_us = quick ? 20 : 50,
        .tsc_ms = quick ? 10 : 50,
        .want_remote = run.states[CALIB_REMOTE] && !classic,
        /* --quick shrinks the grid, not --classic's columns (up to 1 MiB) */
        .max_size = classic ? CALIB_CLASSIC_MAX_SIZE : run.sizes[run.nsizes - 1],
    };
    char err[256];
    struct calib *cal = calib_open(&cfg, err, sizeof err);
    if (!cal) {
        fprintf(stderr, "rxsim calibrate: %s\n", err);
        return RX_EXIT_INTERNAL;
    }
    print_info(calib_info(cal), cfg.want_remote);
    int rc;
    if (classic) {
        rc = calib_classic_run(cal) == 0 ? RX_EXIT_OK : RX_EXIT_INTERNAL;
        calib_close(cal);
        return rc;
    }
    struct costs *costs = NULL;
    if (json) {
        costs = costs_new(calib_info(cal), quick ? "quick" : "full", "rxsim " RXSIM_VERSION);
        if (!costs) {
            calib_close(cal);
            fprintf(stderr, "rxsim calibrate: out of memory\n");
            return RX_EXIT_INTERNAL;
        }
    }
    rc = calib_grid_run(cal, &run, costs) == 0 ? RX_EXIT_OK : RX_EXIT_INTERNAL;
    calib_close(cal);
    if (rc == RX_EXIT_OK && costs) {
        if (costs_save(costs, json, err, sizeof err) != 0) {
            fprintf(stderr, "rxsim calibrate: %s\n", err);
            rc = RX_EXIT_INTERNAL;
        } else {
            printf("\nprofile written to %s\n", json);
        }
    }
    costs_free(costs);
    return rc;
}
