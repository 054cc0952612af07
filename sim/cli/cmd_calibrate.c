/* sim/cli/cmd_calibrate.c: rxsim calibrate: options and printing only; the
 * measuring is copy/calib.c, the profile file copy/costs.c.  Method, file
 * schema and the figures of the reference machine: docs/calibration.md. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/calib.h"
#include "copy/copy.h"
#include "copy/costs.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

static const size_t full_sizes[] = { 64, 128, 256, 512, 1024, 1448, 1500, 2048, 4096,
                                     8192, 16384, 32768, 65536, 1u << 20 };
static const unsigned full_aligns[] = { 0, 1, 4, 8 };
static const size_t quick_sizes[] = { 64, 1448, 65536 };
#define CLASSIC_MAX_SIZE ((size_t)1 << 20)    /* --classic's largest column */
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

static bool selected(const struct copy_routine *r, const char **names, size_t n)
{
    if (!copy_available(r))
        return false;
    if (!n)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], r->name))
            return true;
    return false;
}

/* A point --classic cannot measure is a bug (the buffers are sized for its
 * columns): say which, rather than stop with no word. */
static int classic_failed(const struct copy_routine *r, size_t size, unsigned align,
                          enum calib_cache st)
{
    fflush(stdout);
    fprintf(stderr, "\nrxsim calibrate: --classic: cannot measure %s on %zu bytes at offset %u, "
            "%s (internal error)\n", r->name, size, align, calib_cache_name(st));
    return RX_EXIT_INTERNAL;
}

/* --classic: the shape of Tables 5 and 6 of the OLS 2002 paper. */
static int run_classic(struct calib *cal)
{
    static const char *const names[] = { "rep_movsl", "unrolled_int", "rep_movsb", "glibc" };
    static const char *const labels[] = { "string copy (rep movsl)", "unrolled integer copy",
                                          "rep movsb (ERMS/FSRM)", "glibc memcpy" };
    static const struct { size_t size; enum calib_cache st; const char *label; } cols[] = {
        { 1448, CALIB_HOT, "1448 B hot" },
        { 65536, CALIB_HOT, "64 KiB hot" },
        { CLASSIC_MAX_SIZE, CALIB_COLD, "1 MiB cold" },
    };
    double hz = calib_info(cal)->tsc_hz;
    double t6[N(names)][3];

    printf("\nTable 5 (shape of OLS 2002): copy throughput, MB/s (10^6 bytes/s)\n");
    printf("%-24s %-10s", "routine", "source");
    for (size_t c = 0; c < N(cols); c++)
        printf(" %12s", cols[c].label);
    printf("\n");
    for (size_t i = 0; i < N(names); i++) {
        const struct copy_routine *r = copy_find(names[i]);
        for (unsigned a = 0; a <= 4; a += 4) {
            printf("%-24s %-10s", labels[i], a ? "offset 4" : "aligned");
            for (size_t c = 0; c < N(cols); c++) {
                struct calib_point p;
                if (calib_measure(cal, r, cols[c].size, a, cols[c].st, &p) != 0)
                    return classic_failed(r, cols[c].size, a, cols[c].st);
                printf(" %12.0f", (double)cols[c].size / (p.cycles / hz) / 1e6);
            }
            printf("\n");
        }
        fflush(stdout);
    }

    printf("\nTable 6 (shape of OLS 2002): TSC cycles to copy 1448 bytes\n");
    printf("%-24s %12s %12s %12s\n", "routine", "aligned hot", "offset 4 hot", "aligned cold");
    for (size_t i = 0; i < N(names); i++) {
        const struct copy_routine *r = copy_find(names[i]);
        struct calib_point p;
        if (calib_measure(cal, r, 1448, 0, CALIB_HOT, &p) != 0)
            return classic_failed(r, 1448, 0, CALIB_HOT);
        t6[i][0] = p.cycles;
        if (calib_measure(cal, r, 1448, 4, CALIB_HOT, &p) != 0)
            return classic_failed(r, 1448, 4, CALIB_HOT);
        t6[i][1] = p.cycles;
        if (calib_measure(cal, r, 1448, 0, CALIB_COLD, &p) != 0)
            return classic_failed(r, 1448, 0, CALIB_COLD);
        t6[i][2] = p.cycles;
        printf("%-24s %12.0f %12.0f %12.0f\n", labels[i], t6[i][0], t6[i][1], t6[i][2]);
    }
    printf("\nrep movsl / unrolled integer at 1448 B hot: aligned %.2f, offset 4 %.2f "
           "(in 2002 the string copy lost badly when misaligned)\n",
           t6[0][0] / t6[1][0], t6[0][1] / t6[1][1]);
    return RX_EXIT_OK;
}

struct run {
    const size_t *sizes;
    size_t nsizes;
    const unsigned *aligns;
    size_t naligns;
    bool states[CALIB_NCACHE];
    const char **names;
    size_t nnames;
    unsigned rounds, reps_per_round;
};

/* One point of the grid, with its samples from every round. */
struct cell {
    const struct copy_routine *r;
    enum calib_cache st;
    unsigned align;
    size_t size;
    double *samples;
    unsigned n;
    struct calib_point p;
};

static bool state_runs(struct calib *cal, const struct run *run, int st)
{
    return run->states[st] && !(st == CALIB_REMOTE && calib_info(cal)->remote_cpu < 0);
}

/* Every point is measured a few batches at a time in each of several rounds
 * over the whole grid, so that slow spells of the machine (its clock wanders
 * under a hypervisor) are spread over all points instead of landing on a few. */
static int measure_grid(struct calib *cal, const struct run *run, struct cell *cells, size_t n)
{
    bool tty = isatty(2);
    for (unsigned round = 0; round < run->rounds; round++) {
        for (size_t i = 0; i < n; i++) {
            struct cell *c = &cells[i];
            if (tty && (i % 64 == 0))
                fprintf(stderr, "\rround %u/%u  %3zu%%", round + 1, run->rounds, 100 * i / n);
            if (calib_sample(cal, c->r, NULL, c->size, c->align, c->st, run->reps_per_round,
                             c->samples + c->n) != 0) {
                fprintf(stderr, "rxsim calibrate: %s could not be measured\n", c->r->name);
                return RX_EXIT_INTERNAL;
            }
            c->n += run->reps_per_round;
        }
    }
    if (tty)
        fprintf(stderr, "\r%30s\r", "");
    for (size_t i = 0; i < n; i++)
        calib_summarise(cells[i].samples, cells[i].n, &cells[i].p);
    return RX_EXIT_OK;
}

/* One block per cache state and alignment: rows routines, columns sizes. */
static void print_tables(struct calib *cal, const struct run *run, const struct cell *cells)
{
    double spread_sum = 0, spread_worst = 0;
    size_t spread_n = 0, k = 0;
    char worst[96] = "";
    for (int st = 0; st < CALIB_NCACHE; st++) {
        if (run->states[st] && !state_runs(cal, run, st))
            printf("\nremote: skipped, only one CPU in the affinity mask\n");
        if (!state_runs(cal, run, st))
            continue;
        for (size_t a = 0; a < run->naligns; a++) {
            printf("\n%s, source at +%u: cycles/byte (TSC, median)\n%-22s",
                   calib_cache_name((enum calib_cache)st), run->aligns[a], "routine \\ bytes");
            for (size_t s = 0; s < run->nsizes; s++) {
                if (run->sizes[s] >= (1u << 20))
                    printf(" %6zuM", run->sizes[s] >> 20);
                else
                    printf(" %7zu", run->sizes[s]);
            }
            printf("\n");
            for (size_t i = 0; i < copy_routine_count(); i++) {
                const struct copy_routine *r = copy_routine_at(i);
                if (!selected(r, run->names, run->nnames))
                    continue;
                printf("%-22s", r->name);
                for (size_t s = 0; s < run->nsizes; s++, k++) {
                    const struct calib_point *p = &cells[k].p;
                    printf(" %7.3f", p->cycles / (double)run->sizes[s]);
                    double spread = (p->p90 - p->p10) / p->cycles;
                    spread_sum += spread;
                    spread_n++;
                    if (spread > spread_worst) {
                        spread_worst = spread;
                        snprintf(worst, sizeof worst, "%s %s +%u %zu B", r->name,
                                 calib_cache_name((enum calib_cache)st), run->aligns[a],
                                 run->sizes[s]);
                    }
                }
                printf("\n");
            }
        }
    }
    if (spread_n)
        printf("\nspread (p90 - p10) / median over %u batches per point: mean %.1f%%, "
               "worst %.1f%% (%s)\n", run->rounds * run->reps_per_round,
               100 * spread_sum / (double)spread_n, 100 * spread_worst, worst);
}

static int run_table(struct calib *cal, const struct run *run, struct costs *costs)
{
    size_t n = 0, nr = 0;
    for (size_t i = 0; i < copy_routine_count(); i++)
        nr += selected(copy_routine_at(i), run->names, run->nnames);
    for (int st = 0; st < CALIB_NCACHE; st++)
        n += state_runs(cal, run, st) ? nr * run->naligns * run->nsizes : 0;
    unsigned per = run->rounds * run->reps_per_round;
    struct cell *cells = calloc(n ? n : 1, sizeof *cells);
    double *samples = calloc(n ? n * per : 1, sizeof *samples);
    if (!cells || !samples) {
        free(cells);
        free(samples);
        fprintf(stderr, "rxsim calibrate: out of memory\n");
        return RX_EXIT_INTERNAL;
    }
    size_t k = 0;           /* same order as print_tables walks */
    for (int st = 0; st < CALIB_NCACHE; st++) {
        if (!state_runs(cal, run, st))
            continue;
        for (size_t a = 0; a < run->naligns; a++)
            for (size_t i = 0; i < copy_routine_count(); i++) {
                const struct copy_routine *r = copy_routine_at(i);
                if (!selected(r, run->names, run->nnames))
                    continue;
                for (size_t s = 0; s < run->nsizes; s++, k++)
                    cells[k] = (struct cell){ .r = r, .st = (enum calib_cache)st,
                                              .align = run->aligns[a], .size = run->sizes[s],
                                              .samples = samples + k * per };
            }
    }
    int rc = measure_grid(cal, run, cells, n);
    if (rc == RX_EXIT_OK) {
        print_tables(cal, run, cells);
        for (size_t i = 0; costs && i < n; i++)
            if (costs_add(costs, cells[i].r, cells[i].st, cells[i].align, cells[i].size,
                          &cells[i].p) != 0) {
                fprintf(stderr, "rxsim calibrate: out of memory\n");
                rc = RX_EXIT_INTERNAL;
                break;
            }
    }
    free(cells);
    free(samples);
    return rc;
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", required_argument, NULL, 'j' },
        { "quick", no_argument, NULL, 'q' },
        { "routine", required_argument, NULL, 'r' },
        { "cache", required_argument, NULL, 'c' },
        { "classic", no_argument, NULL, 'C' },
        { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *json = NULL;
    const char *names[MAX_ROUTINES];
    bool quick = false, classic = false, list = false, any_state = false;
    struct run run = { .names = names };
    int ch;
    optind = 1;
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
        .max_size = classic ? CLASSIC_MAX_SIZE : run.sizes[run.nsizes - 1],
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
        rc = run_classic(cal);
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
    rc = run_table(cal, &run, costs);
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
