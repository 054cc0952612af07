/* sim/cli/cmd_compare.c: rxsim compare: the cross product of --vary axes over
 * the same traces, each combination an `rxsim run --json` worker process, the
 * results side by side (compare_table.c) and as charts (compare_plots.c).
 *
 * Order of work: parse; check every axis value before running anything
 * (policy names against the registries here, everything `rxsim run` parses by
 * asking it: `rxsim run OPTS --AXIS VALUE --list` exits after parsing, one
 * short process per distinct value; then affinities against each
 * combination's CPU count); run the rows (or one shard's rows); report. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/recycle.h"
#include "sim/cli/commands.h"
#include "sim/compare/compare.h"
#include "sim/session/exit_codes.h"
#include "sim/options/value.h"

#define SELF_EXE "/proc/self/exe"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim compare TRACE... --vary AXIS=V1,V2,... [--vary ...] [OPTIONS] [-- RUN-OPTIONS]\n"
        "\n"
        "Runs `rxsim run` once per combination of the --vary values (the cross product,\n"
        "first axis outermost), in parallel worker processes, and reports the runs side\n"
        "by side with each headline metric's %% change against a baseline row.  Output\n"
        "does not depend on --jobs or on sharding.  docs/compare.md has the details.\n"
        "\n"
        "  --vary AXIS=V1,V2,...  an axis and its values; repeat for more axes\n"
        "  --baseline AXIS=V      compare each row with the row that has V on AXIS and its\n"
        "                         own values on the other axes (repeatable); default:\n"
        "                         every row against row 0.  Adds a %% table of throughput\n"
        "                         scaled to CPU laid out like the OLS 2002 paper's Table 1\n"
        "  --jobs N               worker processes at once (default: online CPUs)\n"
        "  --json                 matrix + every run's full report and its exact argv\n"
        "  --csv                  one line per combination, every scalar a column\n"
        "  --svg DIR              also write SVG charts into DIR\n"
        "  --shard K/N            run only rows with index %% N == K-1 and write them as a\n"
        "                         shard JSON file for `rxsim merge` (1 <= K <= N)\n"
        "  --no-progress          no progress line (default: shown on a terminal)\n"
        "  --progress             progress even when stderr is not a terminal (one line each)\n"
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

/* The value an option has in combination vi: varied, passed on, or NULL. */
static const char *option_value(const struct compare_matrix *m, const int *vi, const char *name)
{
    for (int a = 0; a < m->naxes; a++)
        if (!strcmp(m->axis[a].opt->name, name))
            return m->axis[a].values[vi[a]];
    size_t len = strlen(name);
    const char *v = NULL;
    for (int i = 0; i < m->nrun_opts; i++) {
        const char *o = m->run_opts[i];
        if (strncmp(o, "--", 2) || strncmp(o + 2, name, len))
            continue;
        if (o[2 + len] == '=')
            v = o + 3 + len;
        else if (!o[2 + len] && i + 1 < m->nrun_opts)
            v = m->run_opts[i + 1];
    }
    return v;
}

/* Names checked against the registries `rxsim run` resolves them in. */
static const char *check_name(const char *axis, const char *v)
{
    if (!strcmp(axis, "csum"))
        return csum_policy_find(v) ? NULL : "no such checksum policy (rxsim run --list)";
    if (!strcmp(axis, "recycle"))
        return recycle_policy_find(v) ? NULL : "no such recycle policy (rxsim run --list)";
    if (!strcmp(axis, "delivery")) {
        char name[64];
        const char *colon = strchr(v, ':');
        snprintf(name, sizeof name, "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
        const struct deliver_policy_ops *d = deliver_policy_find(name);
        if (!d)
            return "no such delivery policy (rxsim run --list)";
        if (!d->arg_help != !colon)
            return d->arg_help ? "this policy takes an argument, e.g. batch:8" : "this policy takes no argument";
        return NULL;
    }
    if (!strcmp(axis, "copy") || !strcmp(axis, "csum-copy")) {
        const struct copy_routine *r = copy_find(v);
        enum copy_kind want = !strcmp(axis, "copy") ? COPY_KIND_COPY : COPY_KIND_CSUM_COPY;
        if (!r || r->kind != want)
            return "no such routine of that kind (rxsim run --list)";
        return copy_available(r) ? NULL : "this CPU cannot run it";
    }
    if (!strcmp(axis, "irq") || !strcmp(axis, "app")) {
        if (!strcmp(axis, "irq") ? !strcmp(v, "rr") || !strcmp(v, "rss") : !strcmp(v, "waker") || !strcmp(v, "float"))
            return NULL;
        char *end;
        if (strncmp(v, "fixed:", 6) || v[6] < '0' || v[6] > '9' || (strtol(v + 6, &end, 10), *end))
            return !strcmp(axis, "irq") ? "want fixed:C, rr or rss" : "want fixed:C, waker or float";
    }
    return NULL;
}

static void first_line(const char *text, char *buf, size_t size)
{
    const char *nl = text ? strchr(text, '\n') : NULL;
    snprintf(buf, size, "%.*s", nl ? (int)(nl - text) : (int)(text ? strlen(text) : 0), text ? text : "");
}

/* Every value is checked before any row runs. */
static int validate(const struct compare_matrix *m, int jobs)
{
    for (int a = 0; a < m->naxes; a++)
        for (int v = 0; v < m->axis[a].nvalues; v++) {
            const char *why = check_name(m->axis[a].opt->name, m->axis[a].values[v]);
            if (why) {
                fprintf(stderr, "rxsim compare: --vary %s=%s: %s\n", m->axis[a].opt->name, m->axis[a].values[v],
                        why);
                return RX_EXIT_USAGE;
            }
        }
    /* The rest of the checks are `rxsim run`'s own: one parse per distinct value. */
    size_t n = 1;
    for (int a = 0; a < m->naxes; a++)
        n += (size_t)m->axis[a].nvalues;
    struct compare_job *jobsv = calloc(n, sizeof *jobsv);
    if (!jobsv)
        return RX_EXIT_INTERNAL;
    size_t k = 0;
    int rc = RX_EXIT_OK;
    for (int a = -1; a < m->naxes; a++)
        for (int v = 0; v < (a < 0 ? 1 : m->axis[a].nvalues); v++) {
            /* The job owns its argv (compare_job_fini frees every string). */
            char **own = calloc((size_t)m->nrun_opts + 6, sizeof *own);
            jobsv[k++].argv = own;
            if (!own) {
                rc = RX_EXIT_INTERNAL;
                goto out;
            }
            char opt[80];
            const char *args[4] = { "rxsim", "run" };
            int c = 0;
            for (int i = 0; i < 2; i++)
                own[c++] = strdup(args[i]);
            for (int i = 0; i < m->nrun_opts; i++)
                own[c++] = strdup(m->run_opts[i]);
            if (a >= 0) {
                snprintf(opt, sizeof opt, "--%s", m->axis[a].opt->name);
                own[c++] = strdup(opt);
                own[c++] = strdup(m->axis[a].values[v]);
            }
            own[c++] = strdup("--list");
            for (int i = 0; i < c; i++)
                if (!own[i]) {
                    rc = RX_EXIT_INTERNAL;  /* freed up to the first NULL: a leak only when out of memory */
                    goto out;
                }
        }
    if (compare_pool_run(SELF_EXE, jobsv, k, jobs, false, false, "checking") < 0) {
        rc = RX_EXIT_INTERNAL;
        goto out;
    }
    k = 0;
    for (int a = -1; a < m->naxes && rc == RX_EXIT_OK; a++)
        for (int v = 0; v < (a < 0 ? 1 : m->axis[a].nvalues); v++, k++) {
            if (jobsv[k].status == 0)
                continue;
            char line[1024];
            first_line(jobsv[k].err, line, sizeof line);
            if (a < 0)
                fprintf(stderr, "rxsim compare: options after --: %s\n", line);
            else
                fprintf(stderr, "rxsim compare: --vary %s=%s: %s\n", m->axis[a].opt->name, m->axis[a].values[v],
                        line);
            rc = jobsv[k].status == RX_EXIT_USAGE || jobsv[k].status == RX_EXIT_INPUT ? jobsv[k].status
                                                                                      : RX_EXIT_INTERNAL;
            break;
        }
    if (rc != RX_EXIT_OK)
        goto out;

    /* Affinities name CPUs; each combination's CPU count is known now. */
    for (size_t i = 0; i < m->ncombos; i++) {
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        const char *cpus_s = option_value(m, vi, "cpus");
        long cpus = cpus_s ? strtol(cpus_s, NULL, 10) : 2;
        static const char *const aff[] = { "irq", "app" };
        for (int f = 0; f < 2; f++) {
            const char *v = option_value(m, vi, aff[f]);
            if (!v || strncmp(v, "fixed:", 6) || strtol(v + 6, NULL, 10) < cpus)
                continue;
            char label[1024];
            compare_combo_label(m, i, " ", true, label, sizeof label);
            fprintf(stderr, "rxsim compare: combination %zu (%s): --%s %s names a CPU it does not have (--cpus %ld)\n",
                    i, label, aff[f], v, cpus);
            rc = RX_EXIT_USAGE;
            goto out;
        }
    }
out:
    for (size_t i = 0; i < n; i++)
        compare_job_fini(&jobsv[i]);
    free(jobsv);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    enum { O_VARY = 256, O_BASELINE, O_JOBS, O_JSON, O_CSV, O_SVG, O_SHARD, O_NOPROG, O_PROG };
    static const struct option opts[] = {
        { "vary", required_argument, NULL, O_VARY }, { "baseline", required_argument, NULL, O_BASELINE },
        { "jobs", required_argument, NULL, O_JOBS }, { "json", no_argument, NULL, O_JSON },
        { "csv", no_argument, NULL, O_CSV }, { "svg", required_argument, NULL, O_SVG },
        { "shard", required_argument, NULL, O_SHARD }, { "no-progress", no_argument, NULL, O_NOPROG },
        { "progress", no_argument, NULL, O_PROG }, { "help", no_argument, NULL, 'h' }, { 0 },
    };
    /* Everything after a bare "--" belongs to the runs; getopt must not see it. */
    int ours = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            ours = i;
            break;
        }
    struct compare_matrix m;
    compare_matrix_init(&m);
    const char *baselines[COMPARE_MAX_AXES];
    int nbase = 0, shard_k = 0, shard_n = 0, rc = RX_EXIT_USAGE, o;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    bool json = false, csv = false, progress = isatty(2);
    const char *svg = NULL;
    char err[1024];
    struct compare_row *rows = NULL;
    struct compare_job *jv = NULL;
    size_t nj = 0;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(ours, argv, "h", opts, NULL)) != -1) {
        switch (o) {
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
        case O_SVG: svg = optarg; break;
        case O_SHARD:
            if (compare_shard_parse(optarg, &shard_k, &shard_n) < 0) {
                fprintf(stderr, "rxsim compare: --shard '%s': want K/N with 1 <= K <= N, e.g. 3/8\n", optarg);
                goto out;
            }
            break;
        case O_NOPROG: progress = false; break;
        case O_PROG: progress = true; break;
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
    if (shard_n && (csv || svg)) {
        fprintf(stderr, "rxsim compare: --shard writes shard JSON only; --csv and --svg belong to rxsim merge\n");
        goto out;
    }
    m.ntraces = ours - optind;
    m.traces = calloc((size_t)m.ntraces + 1, sizeof *m.traces);
    for (int i = 0; m.traces && i < m.ntraces; i++)
        if (!(m.traces[i] = strdup(argv[optind + i]))) {
            rc = RX_EXIT_INTERNAL;
            goto out;
        }
    if (!m.traces) {
        rc = RX_EXIT_INTERNAL;
        goto out;
    }
    for (int i = 0; i < nbase; i++)
        if (compare_matrix_baseline(&m, baselines[i], err, sizeof err) < 0) {
            fprintf(stderr, "rxsim compare: %s\n", err);
            goto out;
        }
    if (compare_matrix_run_opts(&m, ours < argc ? argc - ours - 1 : 0, argv + ours + 1, err, sizeof err) < 0 ||
        compare_matrix_finish(&m, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim compare: %s\n", err);
        goto out;
    }
    if ((rc = validate(&m, (int)jobs)) != RX_EXIT_OK)
        goto out;

    /* The rows this invocation runs: all, or one shard's slice. */
    rc = RX_EXIT_INTERNAL;
    rows = calloc(m.ncombos, sizeof *rows);
    jv = calloc(m.ncombos, sizeof *jv);
    if (!rows || !jv)
        goto out;
    size_t *idx_of = calloc(m.ncombos, sizeof *idx_of);
    if (!idx_of)
        goto out;
    for (size_t i = 0; i < m.ncombos; i++) {
        if (shard_n && i % (size_t)shard_n != (size_t)(shard_k - 1))
            continue;
        idx_of[nj] = i;
        if (!(jv[nj++].argv = compare_row_argv(&m, i, "rxsim"))) {
            free(idx_of);
            goto out;
        }
    }
    if (compare_pool_run(SELF_EXE, jv, nj, (int)jobs, true, progress, "runs") < 0) {
        free(idx_of);
        goto out;
    }
    /* The lowest-numbered failure is the one reported, whatever finished first. */
    for (size_t j = 0; j < nj; j++) {
        struct compare_job *job = &jv[j];
        size_t i = idx_of[j];
        char label[1024];
        compare_combo_label(&m, i, " ", true, label, sizeof label);
        if (job->status == COMPARE_NOT_RUN) {   /* rows start in order: only after a failure, reported above */
            fprintf(stderr, "rxsim compare: combination %zu (%s) was not run\n", i, label);
            rc = RX_EXIT_INTERNAL;
            free(idx_of);
            goto out;
        }
        if (job->status == 0 || job->status == RX_EXIT_PARTIAL || job->status == RX_EXIT_UNANSWERED) {
            rows[i].exit = job->status;
            if (!(rows[i].run = json_tokener_parse(job->out))) {
                fprintf(stderr, "rxsim compare: combination %zu (%s): the run's output is not JSON\n", i, label);
                job->status = RX_EXIT_INTERNAL;
            } else {
                continue;
            }
        }
        fprintf(stderr, "rxsim compare: combination %zu (%s) failed (%s %d):\n", i, label,
                job->status == COMPARE_SIGNALLED ? "killed by a signal," : "exit", job->status);
        for (const char *p = job->err; p && *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            if (len)
                fprintf(stderr, "  %.*s\n", len, p);
            p += len + (nl ? 1 : 0);
        }
        fprintf(stderr, "  re-run alone:");
        for (char **a = job->argv; *a; a++)
            fprintf(stderr, " %s", *a);
        fprintf(stderr, "\n");
        rc = job->status == RX_EXIT_USAGE || job->status == RX_EXIT_INPUT ? job->status : RX_EXIT_INTERNAL;
        free(idx_of);
        goto out;
    }
    free(idx_of);

    if (shard_n) {
        int wrc = compare_write_json(&m, rows, shard_k, shard_n, stdout);
        if (fflush(stdout) != 0 || wrc < 0) {
            fprintf(stderr, "rxsim compare: error writing the output\n");
            rc = RX_EXIT_INTERNAL;
            goto out;
        }
        rc = compare_exit_status(&m, rows);
        goto out;
    }
    rc = compare_emit(&m, rows, json ? COMPARE_OUT_JSON : csv ? COMPARE_OUT_CSV : COMPARE_OUT_TEXT, svg, "compare");

out:
    for (size_t j = 0; j < nj; j++)
        compare_job_fini(&jv[j]);
    free(jv);
    for (size_t i = 0; rows && i < m.ncombos; i++)
        json_object_put(rows[i].run);
    free(rows);
    compare_matrix_fini(&m);
    return rc;
}
