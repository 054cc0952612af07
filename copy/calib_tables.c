/* copy/calib_tables.c: rxsim calibrate's measurements and tables
 * (copy/calib_tables.h).  Method and figures: docs/calibration.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/calib_tables.h"
#include "copy/copy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

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
    return -1;
}

int calib_classic_run(struct calib *cal)
{
    static const char *const names[] = { "rep_movsl", "unrolled_int", "rep_movsb", "glibc" };
    static const char *const labels[] = { "string copy (rep movsl)", "unrolled integer copy",
                                          "rep movsb (ERMS/FSRM)", "glibc memcpy" };
    static const struct { size_t size; enum calib_cache st; const char *label; } cols[] = {
        { 1448, CALIB_HOT, "1448 B hot" },
        { 65536, CALIB_HOT, "64 KiB hot" },
        { CALIB_CLASSIC_MAX_SIZE, CALIB_COLD, "1 MiB cold" },
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
    return 0;
}

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

static bool state_runs(struct calib *cal, const struct calib_grid *run, int st)
{
    return run->states[st] && !(st == CALIB_REMOTE && calib_info(cal)->remote_cpu < 0);
}

/* Every point is measured a few batches at a time in each of several rounds
 * over the whole grid, so that slow spells of the machine (its clock wanders
 * under a hypervisor) are spread over all points instead of landing on a few. */
static int measure_grid(struct calib *cal, const struct calib_grid *run, struct cell *cells, size_t n)
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
                return -1;
            }
            c->n += run->reps_per_round;
        }
    }
    if (tty)
        fprintf(stderr, "\r%30s\r", "");
    for (size_t i = 0; i < n; i++)
        calib_summarise(cells[i].samples, cells[i].n, &cells[i].p);
    return 0;
}

/* One block per cache state and alignment: rows routines, columns sizes. */
static void print_tables(struct calib *cal, const struct calib_grid *run, const struct cell *cells)
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

int calib_grid_run(struct calib *cal, const struct calib_grid *run, struct costs *costs)
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
        return -1;
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
    if (rc == 0) {
        print_tables(cal, run, cells);
        for (size_t i = 0; costs && i < n; i++)
            if (costs_add(costs, cells[i].r, cells[i].st, cells[i].align, cells[i].size,
                          &cells[i].p) != 0) {
                fprintf(stderr, "rxsim calibrate: out of memory\n");
                rc = -1;
                break;
            }
    }
    free(cells);
    free(samples);
    return rc;
}
