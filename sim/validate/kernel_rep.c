/* sim/validate/kernel_rep.c: one repetition recorded (kernel_rep.h).
 *
 * The samples and the counters cover the same window: from before the
 * first byte to after the last, plus perf's ack latency (about a
 * millisecond, < 0.5% of a 0.5 s rep).  The receiver namespace's counters
 * are read through /proc/<reader>/net/ files opened while the reader lives
 * (kernel_counters.h); the wall time is the transfer's own, go to the last
 * byte read. */
#include "sim/validate/kernel_rep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/validate/kernel_exec.h"
#include "sim/validate/kernel_peer.h"
#include "sim/validate/kernel_perf.h"

#define PERF_ACK_MS 5000

/* The directory this rep's perf.data goes to: keep_dir/<config>-<rep> when
 * kept, else the env's scratch directory. */
static int rep_dir(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   char *dir, size_t cap, char *err, size_t n)
{
    if (!o->keep_dir) {
        snprintf(dir, cap, "%s", e->tmpdir);
        return 0;
    }
    if (mkdir(o->keep_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, n, "%s: %s", o->keep_dir, strerror(errno));
        return -1;
    }
    snprintf(dir, cap, "%s/%s-%03u", o->keep_dir, c->name, e->reps);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, n, "%s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The transfer itself, between perf's ping and its stop. */
static int window(struct kernel_env *e, const struct kernel_opts *o, struct kernel_perf *perf,
                  struct kernel_peers *peers, struct kernel_snap s[2], struct kernel_reader_result *rr,
                  pid_t pids[2], char *err, size_t n)
{
    struct kernel_snap_src src;
    if (kernel_peers_start(e, o, o->bytes, peers, err, n) != 0)
        return -1;
    pids[0] = peers->reader;
    pids[1] = peers->sender;
    if (kernel_snap_open(peers->reader, e->dev_rcv, &src, err, n) != 0) {
        kernel_peers_kill(peers);
        return -1;
    }
    int rc = -1;
    pid_t spin[2] = { 0, 0 };
    for (int cpu = 0; o->keep_awake && cpu < 2; cpu++)
        if ((spin[cpu] = kernel_spin_start(cpu, err, n)) < 0)
            goto out;
    if (kernel_snap_take(&src, &s[0], err, n) != 0 || kernel_perf_cmd(perf, "enable", PERF_ACK_MS, err, n) != 0)
        goto out;
    double t0 = now_s();
    if (kernel_peers_go(peers, err, n) != 0 ||
        kernel_peers_wait(peers, (int)o->timeout_s * 1000, rr, err, n) != 0)
        goto out;
    double t1 = now_s();
    if (kernel_perf_cmd(perf, "disable", PERF_ACK_MS, err, n) != 0 || kernel_snap_take(&src, &s[1], err, n) != 0)
        goto out;
    s[0].t = t0;    /* the transfer's own wall time: go to the last byte */
    s[1].t = t1;
    rc = 0;
out:
    kernel_spin_stop(spin[0]);
    kernel_spin_stop(spin[1]);
    kernel_snap_close(&src);
    kernel_peers_kill(peers);
    return rc;
}

int kernel_rep_record(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                      struct kernel_raw *raw, char *err, size_t n)
{
    memset(raw, 0, sizeof *raw);
    if (!e->configured || strcmp(e->cur.name, c->name) != 0 || e->cur.mtu != c->mtu ||
        e->cur.gro != c->gro || e->cur.csum != c->csum || e->cur.placement != c->placement) {
        snprintf(err, n, "%s: the bench is not set to this configuration (call kernel_env_set first)", c->name);
        return 1;
    }
    if (rep_dir(e, c, o, raw->dir, sizeof raw->dir, err, n) != 0)
        return 1;
    e->reps++;
    struct kernel_perf perf;
    if (kernel_perf_start(&perf, raw->dir, o->sample_period_ns, err, n) != 0)
        return 1;
    snprintf(raw->perf_data, sizeof raw->perf_data, "%s", perf.data);
    struct kernel_peers peers;
    struct kernel_snap s[2];
    struct kernel_reader_result rr;
    pid_t pids[2] = { 0, 0 };
    int w = window(e, o, &perf, &peers, s, &rr, pids, err, n);
    char perr[512];
    int p = kernel_perf_stop(&perf, perr, sizeof perr);
    if (w != 0)
        return 1;
    if (p != 0) {
        snprintf(err, n, "%s", perr);
        return 1;
    }
    if (kernel_snap_delta(&s[0], &s[1], &raw->c, err, n) != 0)
        return 1;
    raw->before = s[0];
    raw->after = s[1];
    raw->reader_pid = pids[0];
    raw->sender_pid = pids[1];
    raw->c.bytes = rr.bytes;
    raw->c.recv_calls = rr.recv_calls;
    raw->c.nvcsw = rr.nvcsw;
    raw->c.nivcsw = rr.nivcsw;
    raw->c.reader_cpu_seconds = rr.cpu_seconds;
    raw->c.rcvq_median = rr.rcvq_median;
    raw->c.rcvq_max = rr.rcvq_max;
    return 0;
}
