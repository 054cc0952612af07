/* sim/compare/compare_check.c: every value of a matrix checked before any row
 * runs: policy and routine names against the registries; everything `rxsim
 * run` parses by asking it (`rxsim run OPTS --AXIS VALUE --list` exits after
 * parsing, one short process per distinct value); then fixed:C affinities
 * against each combination's CPU count.  Messages name the axis and value. */
#include "sim/compare/compare.h"

#include <stdlib.h>
#include <string.h>

#include "copy/copy.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "netstack/sched.h"
#include "sim/session/exit_codes.h"

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
    if (!strcmp(axis, "receive"))
        return receive_policy_find(v) ? NULL : "no such receive policy (rxsim run --list)";
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
    if (!strcmp(axis, "app")) {        /* fixed:C against each combination's CPUs below */
        enum app_affinity aff;
        int cpu;
        return app_affinity_parse(v, SIM_MAX_CPUS, &aff, &cpu) < 0 ? "want " APP_AFFINITY_VALUES : NULL;
    }
    if (!strcmp(axis, "irq")) {
        if (!strcmp(v, "rr") || !strcmp(v, "rss"))
            return NULL;
        char *end;
        if (strncmp(v, "fixed:", 6) || v[6] < '0' || v[6] > '9' || (strtol(v + 6, &end, 10), *end))
            return "want fixed:C, rr or rss";
    }
    return NULL;
}

static void first_line(const char *text, char *buf, size_t size)
{
    const char *nl = text ? strchr(text, '\n') : NULL;
    snprintf(buf, size, "%.*s", nl ? (int)(nl - text) : (int)(text ? strlen(text) : 0), text ? text : "");
}

/* Every value is checked before any row runs. */
int compare_check_values(const struct compare_matrix *m, int jobs, const char *self_exe)
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
    if (compare_pool_run(self_exe, jobsv, k, jobs, false, false, "checking") < 0) {
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
