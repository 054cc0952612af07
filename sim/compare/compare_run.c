/* sim/compare/compare_run.c: a matrix's rows (all, or one shard's slice) run
 * and read back: together in worker processes sharing reads and hashes
 * (compare_group.c) when the traces are files, else one `rxsim run` process
 * each (compare_pool.c).  Each row's report is parsed into rows[index]; the
 * lowest-numbered failure, whatever finished first, is the one reported,
 * with its stderr and the command that re-runs it alone. */
#include "sim/compare/compare.h"

#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"

/* Says why row i failed; its exit status as compare's own. */
/* a, quoted for a POSIX shell when it needs it (--filter 'tcp port 80'). */
static void put_word(const char *a)
{
    if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == strlen(a)) {
        fprintf(stderr, " %s", a);
        return;
    }
    fputs(" '", stderr);
    for (; *a; a++)
        fputs(*a == '\'' ? "'\\''" : (char[]){ *a, 0 }, stderr);
    fputc('\'', stderr);
}

static int report_failure(const struct compare_job *job, size_t i, const char *label)
{
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
        put_word(*a);
    fprintf(stderr, "\n");
    return job->status == RX_EXIT_USAGE || job->status == RX_EXIT_INPUT ? job->status : RX_EXIT_INTERNAL;
}

int compare_run_rows(const struct compare_matrix *m, int shard_k, int shard_n, int jobs, int progress,
                     const char *self_exe, int (*run)(int argc, char **argv), struct compare_row *rows)
{
    int rc = RX_EXIT_INTERNAL;
    size_t nj = 0;
    struct compare_job *jv = calloc(m->ncombos, sizeof *jv);
    size_t *idx_of = calloc(m->ncombos, sizeof *idx_of);
    if (!jv || !idx_of)
        goto out;
    for (size_t i = 0; i < m->ncombos; i++) {
        if (shard_n && i % (size_t)shard_n != (size_t)(shard_k - 1))
            continue;
        idx_of[nj] = i;
        if (!(jv[nj++].argv = compare_row_argv(m, i, "rxsim")))
            goto out;
    }
    int prc = compare_group_fits(m) ? compare_group_run(m, jv, nj, jobs, progress, "runs", run)
                                    : compare_pool_run(self_exe, jv, nj, jobs, true, progress, "runs");
    if (prc < 0)
        goto out;
    for (size_t j = 0; j < nj; j++) {
        struct compare_job *job = &jv[j];
        size_t i = idx_of[j];
        char label[1024];
        compare_combo_label(m, i, " ", true, label, sizeof label);
        if (job->status == COMPARE_NOT_RUN) {   /* rows start in order: only after a failure, reported above */
            fprintf(stderr, "rxsim compare: combination %zu (%s) was not run\n", i, label);
            goto out;
        }
        if (job->status == 0 || job->status == RX_EXIT_PARTIAL || job->status == RX_EXIT_UNANSWERED) {
            rows[i].exit = job->status;
            if ((rows[i].run = json_tokener_parse(job->out)))
                continue;
            fprintf(stderr, "rxsim compare: combination %zu (%s): the run's output is not JSON\n", i, label);
            job->status = RX_EXIT_INTERNAL;
        }
        rc = report_failure(job, i, label);
        goto out;
    }
    rc = RX_EXIT_OK;
out:
    for (size_t j = 0; jv && j < nj; j++)
        compare_job_fini(&jv[j]);
    free(jv);
    free(idx_of);
    return rc;
}
