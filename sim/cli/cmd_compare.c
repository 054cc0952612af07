/* sim/cli/cmd_compare.c: rxsim compare's command line: options into a matrix
 * (sim/compare/compare_matrix.c), every value checked (compare_check.c), the
 * rows run (compare_run.c: together, sharing reads and hashes, or one `rxsim
 * run` process each), the output (compare_table.c, compare_plots.c) or one
 * shard's JSON for rxsim merge. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/compare/compare.h"
#include "sim/session/exit_codes.h"
#include "sim/options/value.h"

#define SELF_EXE "/proc/self/exe"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim compare TRACE... --vary AXIS=V1,V2,... [--vary ...] [OPTIONS] [-- RUN-OPTIONS]\n"
        "       rxsim compare -r TRACE ... (the same, traces given as tcpdump does)\n"
        "\n"
        "Runs `rxsim run` once per combination of the --vary values (the cross product,\n"
        "first axis outermost), in parallel worker processes, and reports the runs side\n"
        "by side with each headline metric's %% change against a baseline row.  Output\n"
        "does not depend on --jobs or on sharding.  docs/compare.md has the details.\n"
        "\n"
        "  -r, --read TRACE       a trace, as an operand (tcpdump's -r; repeatable, before\n"
        "                         the operands; - is standard input).  A part of each:\n"
        "                         -- --count N, --start S, --duration S (rxsim run --help)\n"
        "  --replay closed        every row runs the closed-loop senders (the same as\n"
        "                         -- --replay closed): no trace needed, and the table\n"
        "                         gains the figures at saturation and the bottleneck\n"
        "  --vary AXIS=V1,V2,...  an axis and its values; repeat for more axes\n"
        "  --baseline AXIS=V      compare each row with the row that has V on AXIS and its\n"
        "                         own values on the other axes (repeatable); default:\n"
        "                         every row against row 0.  Adds a %% table of throughput\n"
        "                         scaled to CPU laid out like the OLS 2002 paper's Table 1\n"
        "  --jobs N               worker processes at once (default: online CPUs)\n"
        "  --json                 matrix + every run's full report and its exact argv\n"
        "  --csv                  one line per combination, every scalar a column\n"
        "  --svg DIR              also write SVG charts into DIR\n"
        "  --html FILE            also write one self-contained page: the table and every\n"
        "                         chart\n"
        "  --columns LIST         the table's metric columns, comma-separated, or all\n"
        "                         (default; a table wider than 100 columns is printed\n"
        "                         in blocks): ");
    for (size_t k = 0; k < report_ncompare(); k++)
        fprintf(out, "%s%s", k ? "," : "", report_compare_metric(k)->compare_key);
    fprintf(out, "\n"
        "  --shard K/N            run only rows with index %% N == K-1 and write them as a\n"
        "                         shard JSON file for `rxsim merge` (1 <= K <= N)\n"
        "  --no-progress          no progress line (default: shown on a terminal)\n"
        "  --progress             progress as lines for scripts, one a second, even off a\n"
        "                         terminal (docs/user-guide.md, Progress)\n"
        "  -- RUN-OPTIONS         options given to every run, e.g. -- --cpus 4 --replay rate:10G\n"
        "\n"
        "axes (every `rxsim run` option that takes a value; rxsim run --help):\n");
    compare_axes_help(out);
    fprintf(out,
        "\n"
        "exit status: 0 ok, 2 usage (bad axis, value or shard; or a run refused its\n"
        "options), 3 unusable input, 4 partial trace in some run, 5 some run flagged\n"
        "results it cannot answer (n/m in the table), 1 internal error.\n");
}

/* The -r traces, then the operands before "--": every row's traces. */
static int set_traces(struct compare_matrix *m, int nr, const char *const *reads, int n, char **names)
{
    m->ntraces = nr + n;
    if (!(m->traces = calloc((size_t)(nr + n) + 1, sizeof *m->traces)))
        return -1;
    for (int i = 0; i < nr + n; i++)
        if (!(m->traces[i] = strdup(i < nr ? reads[i] : names[i - nr])))
            return -1;
    return 0;
}

/* The options after "--", with compare's own --replay MODE first (a later
 * --replay after "--" is refused as given twice by rxsim run's parse). */
static int run_opts(struct compare_matrix *m, const char *replay, int argc, char **argv, char *err, size_t errsz)
{
    if (!replay)
        return compare_matrix_run_opts(m, argc, argv, err, errsz);
    char **all = calloc((size_t)argc + 3, sizeof *all);
    if (!all) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    all[0] = "--replay";
    all[1] = (char *)replay;
    memcpy(all + 2, argv, (size_t)argc * sizeof *all);
    int rc = compare_matrix_run_opts(m, argc + 2, all, err, errsz);
    free(all);
    return rc;
}

/* Runs the rows (or shard_k's) and writes the output: the chosen format, or
 * with shard_n the shard file. */
static int run_and_write(const struct compare_matrix *m, int shard_k, int shard_n, int jobs, int progress,
                         enum compare_out fmt, const struct compare_view *view)
{
    struct compare_row *rows = calloc(m->ncombos, sizeof *rows);
    if (!rows)
        return RX_EXIT_INTERNAL;
    int rc = compare_run_rows(m, shard_k, shard_n, jobs, progress, SELF_EXE, cmd_run, rows);
    if (rc == RX_EXIT_OK && shard_n) {
        int wrc = compare_write_json(m, rows, shard_k, shard_n, stdout);
        if (fflush(stdout) != 0 || wrc < 0) {
            fprintf(stderr, "rxsim compare: error writing the output\n");
            rc = RX_EXIT_INTERNAL;
        } else {
            rc = compare_exit_status(m, rows);
        }
    } else if (rc == RX_EXIT_OK) {
        rc = compare_emit(m, rows, fmt, view, "compare");
    }
    for (size_t i = 0; i < m->ncombos; i++)
        json_object_put(rows[i].run);
    free(rows);
    return rc;
}

enum { O_VARY = 256, O_BASELINE, O_JOBS, O_JSON, O_CSV, O_SVG, O_SHARD, O_NOPROG, O_PROG, O_COLUMNS, O_HTML, O_REPLAY };
static const struct option opts[] = {
    { "vary", required_argument, NULL, O_VARY }, { "baseline", required_argument, NULL, O_BASELINE },
    { "jobs", required_argument, NULL, O_JOBS }, { "json", no_argument, NULL, O_JSON },
    { "csv", no_argument, NULL, O_CSV }, { "svg", required_argument, NULL, O_SVG },
    { "shard", required_argument, NULL, O_SHARD }, { "no-progress", no_argument, NULL, O_NOPROG },
    { "progress", no_argument, NULL, O_PROG }, { "columns", required_argument, NULL, O_COLUMNS },
    { "html", required_argument, NULL, O_HTML }, { "help", no_argument, NULL, 'h' },
    { "read", required_argument, NULL, 'r' }, { "replay", required_argument, NULL, O_REPLAY }, { 0 },
};

int cmd_compare(int argc, char **argv)
{
    /* Everything after a bare "--" belongs to the runs; getopt must not see it. */
    int ours = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            ours = i;
            break;
        }
    struct compare_matrix m;
    compare_matrix_init(&m);
    const char *baselines[COMPARE_MAX_AXES], *reads[64];
    int nread = 0;
    int nbase = 0, shard_k = 0, shard_n = 0, rc = RX_EXIT_USAGE, o;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    bool json = false, csv = false;
    int progress = isatty(2) ? COMPARE_PROGRESS_TTY : COMPARE_PROGRESS_OFF;
    struct compare_view view = {0};
    const char *replay = NULL;
    char err[1024];
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(ours, argv, "hr:", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
            if (nread == (int)(sizeof reads / sizeof reads[0])) {
                fprintf(stderr, "rxsim compare: too many -r\n");
                goto out;
            }
            reads[nread++] = optarg;
            break;
        case O_VARY:
            if (compare_matrix_vary(&m, optarg, err, sizeof err) < 0) {
                fprintf(stderr, "rxsim compare: %s\n", err);
                goto out;
            }
            break;
        case O_BASELINE:
            if (nbase == COMPARE_MAX_AXES) {
                fprintf(stderr, "rxsim compare: too many --baseline\n");
                goto out;
            }
            baselines[nbase++] = optarg;
            break;
        case O_JOBS: {
            int j;
            if (value_int(optarg, 1, 4096, &j) < 0) {
                fprintf(stderr, "rxsim compare: --jobs '%s': want a whole number from 1 to 4096\n", optarg);
                goto out;
            }
            jobs = j;
            break;
        }
        case O_JSON: json = true; break;
        case O_CSV: csv = true; break;
        case O_SVG: view.svg_dir = optarg; break;
        case O_HTML: view.html = optarg; break;
        case O_REPLAY: replay = optarg; break;
        case O_COLUMNS:
            if (compare_columns_parse(optarg, &view.columns, err, sizeof err) < 0) {
                fprintf(stderr, "rxsim compare: %s\n", err);
                goto out;
            }
            break;
        case O_SHARD:
            if (compare_shard_parse(optarg, &shard_k, &shard_n) < 0) {
                fprintf(stderr, "rxsim compare: --shard '%s': want K/N with 1 <= K <= N, e.g. 3/8\n", optarg);
                goto out;
            }
            break;
        case O_NOPROG: progress = COMPARE_PROGRESS_OFF; break;
        case O_PROG: progress = COMPARE_PROGRESS_LINES; break;
        case 'h': usage(stdout); rc = RX_EXIT_OK; goto out;
        default:
            fprintf(stderr, "rxsim compare: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            goto out;
        }
    }
    if (jobs < 1)
        jobs = 1;
    if (json && csv) {
        fprintf(stderr, "rxsim compare: --json and --csv: choose one\n");
        goto out;
    }
    if (shard_n && (csv || view.svg_dir || view.html)) {
        fprintf(stderr, "rxsim compare: --shard writes shard JSON only; --csv, --svg and --html belong to rxsim merge\n");
        goto out;
    }
    if (set_traces(&m, nread, reads, ours - optind, argv + optind) < 0) {
        rc = RX_EXIT_INTERNAL;
        goto out;
    }
    for (int i = 0; i < nbase; i++)
        if (compare_matrix_baseline(&m, baselines[i], err, sizeof err) < 0) {
            fprintf(stderr, "rxsim compare: %s\n", err);
            goto out;
        }
    if (run_opts(&m, replay, ours < argc ? argc - ours - 1 : 0, argv + ours + 1, err, sizeof err) < 0 ||
        compare_matrix_finish(&m, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim compare: %s\n", err);
        goto out;
    }
    if ((rc = compare_check_values(&m, (int)jobs, SELF_EXE)) != RX_EXIT_OK)
        goto out;

    rc = run_and_write(&m, shard_k, shard_n, (int)jobs, progress,
                       json ? COMPARE_OUT_JSON : csv ? COMPARE_OUT_CSV : COMPARE_OUT_TEXT, &view);
out:
    compare_matrix_fini(&m);
    return rc;
}
