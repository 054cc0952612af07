/* sim/validate/kernel_run.c: one measured repetition (kernel_run.h):
 * kernel_rep.c records it, attrib.c attributes its samples (the shared
 * receive-stack samples split between data and ACK skbs by their counts:
 * skbs and segs_out), and the counters, the sample period and the TSC
 * frequency that turns samples into cycles go into struct val_rep.
 *
 * With keep_dir, each rep's directory keeps perf.data, perf.log, the
 * `perf script` text attrib.c read (perf.script: written with
 * attrib_perf_data's argv, then attributed from the file, so it is exactly
 * the text attributed; 0.2 s per 0.8 s rep) and
 * counters.txt: both snapshots, every figure of the rep, and where the TSC
 * frequency came from; without it only counters.txt is written, in the
 * scratch directory kernel_env_down removes. */
#include "sim/validate/kernel_run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/validate/attrib.h"
#include "sim/validate/kernel_exec.h"
#include "sim/validate/kernel_rep.h"
#include "sim/validate/perf_script.h"

/* dir/perf.script (out): the text attrib.c reads, kept for a reader of
 * keep_dir and attributed from the file itself. */
static int keep_script(const struct kernel_raw *raw, char *out, size_t outn, char *err, size_t n)
{
    char errp[480];
    snprintf(out, outn, "%s/perf.script", raw->dir);
    snprintf(errp, sizeof errp, "%s/perf.script.err", raw->dir);
    /* attrib_perf_data's argv exactly (perf_script.h), so the file is the text attributed */
    char *argv[] = { "perf", "script", "-f", "-i", (char *)raw->perf_data, "-F", PERF_SCRIPT_FIELDS, "--no-demangle",
                     "--no-inline", NULL };
    pid_t pid = kernel_spawn(NULL, argv, out, errp, err, n);
    if (pid < 0)
        return -1;
    char why[160];
    int st = kernel_reap(pid, 120000, why, sizeof why);
    if (st != 0) {
        snprintf(err, n, "perf script -i %s exited %d%s%s (see %s)", raw->perf_data, st, st < 0 ? ": " : "",
                 st < 0 ? why : "", errp);
        return -1;
    }
    return 0;
}

static void write_counters(const char *dir, const struct val_config *c, const struct kernel_snap *a,
                           const struct kernel_snap *b, const struct val_rep *r, const char *tsc_source)
{
    char path[512];
    snprintf(path, sizeof path, "%s/counters.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "config %s\n", c->name);
    const struct kernel_snap *s[2] = { a, b };
    for (int i = 0; i < 2; i++)
        fprintf(f, "%s t=%.6f rx_packets=%llu InSegs=%llu OutSegs=%llu DelayedACKs=%llu NET_RX=%llu softnet_processed=%llu "
                   "cpu_total=%llu cpu_steal=%llu\n", i ? "after" : "before", s[i]->t, (unsigned long long)s[i]->rx_packets,
                (unsigned long long)s[i]->in_segs, (unsigned long long)s[i]->out_segs,
                (unsigned long long)s[i]->delayed_acks, (unsigned long long)s[i]->net_rx,
                (unsigned long long)s[i]->softnet_processed, (unsigned long long)s[i]->cpu_total,
                (unsigned long long)s[i]->cpu_steal);
    const struct val_counters *k = &r->c;
    fprintf(f, "other_skbs %llu (softnet processed - InSegs - OutSegs: other traffic on the host)\n",
            (unsigned long long)kernel_snap_other_skbs(a, b));
    fprintf(f, "seconds %.6f\nbytes %llu\nsegs_in %llu\nsegs_out %llu\ndelayed_acks %llu\nskbs %llu\n"
               "net_rx_softirqs %llu\nrecv_calls %llu\nnvcsw %llu\nnivcsw %llu\nreader_cpu_seconds %.6f\n"
               "rcvq_median %llu\nrcvq_max %llu\nsteal_share %.4f\nsample_period_ns %llu\ntsc_ghz %.6f (%s)\n"
               "samples %llu\n",
            k->seconds, (unsigned long long)k->bytes, (unsigned long long)k->segs_in,
            (unsigned long long)k->segs_out, (unsigned long long)k->delayed_acks, (unsigned long long)k->skbs,
            (unsigned long long)k->net_rx_softirqs, (unsigned long long)k->recv_calls,
            (unsigned long long)k->nvcsw, (unsigned long long)k->nivcsw, k->reader_cpu_seconds,
            (unsigned long long)k->rcvq_median, (unsigned long long)k->rcvq_max, k->steal_share,
            (unsigned long long)r->sample_period_ns, r->tsc_ghz, tsc_source, (unsigned long long)r->a.samples);
    fprintf(f, "samples by side (after the shared split):");
#define SIDE_OUT(e, key, what) fprintf(f, " %s=%llu", key, (unsigned long long)r->a.side[VAL_SIDE_##e]);
    VAL_SIDES(SIDE_OUT)
#undef SIDE_OUT
    fprintf(f, "\n");
    fclose(f);
}

/* keep_dir: perf script into the kept perf.script, then attributed from it. */
static int attribute_kept(const struct kernel_raw *raw, const struct attrib_who *who, struct val_attrib *a,
                          char *err, size_t n)
{
    char script[480];
    if (keep_script(raw, script, sizeof script, err, n) != 0)
        return -1;
    FILE *f = fopen(script, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", script, strerror(errno));
        return -1;
    }
    int r = attrib_stream(f, script, who, a, err, n);
    fclose(f);
    return r;
}

static double tsc_ghz_cached(const char **source)
{
    static double ghz;
    static const char *src;
    if (ghz <= 0)
        ghz = kernel_tsc_ghz(&src);
    *source = src;
    return ghz;
}

int kernel_measure(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   struct val_rep *out, char *err, size_t n)
{
    static struct kernel_raw raw;   /* large; one rep at a time per process */
    memset(out, 0, sizeof *out);
    if (kernel_rep_record(e, c, o, &raw, err, n) != 0)
        return 1;
    out->c = raw.c;
    out->sample_period_ns = o->sample_period_ns;
    const char *tsc_source;
    out->tsc_ghz = tsc_ghz_cached(&tsc_source);
    struct attrib_who who = { .sender_pid = (int)raw.sender_pid, .reader_pid = (int)raw.reader_pid };
    int a = o->keep_dir ? attribute_kept(&raw, &who, &out->a, err, n)
                        : attrib_perf_data(raw.perf_data, &who, &out->a, err, n);
    /* The stack before TCP decides runs for data skbs (to the receiver)
     * and ACK skbs (to the sender) alike: split it by their counts. */
    if (a == 0 && attrib_split_shared(&out->a, out->c.skbs, out->c.segs_out) != 0) {
        snprintf(err, n, "%s: no skbs and no ACKs counted: cannot split shared samples", c->name);
        a = -1;
    }
    write_counters(raw.dir, c, &raw.before, &raw.after, out, tsc_source);
    if (!o->keep_dir)
        unlink(raw.perf_data);
    return a == 0 ? 0 : 1;
}
