/* tests/e2e/check_kernel_rep.c: the real-kernel bench of sim/validate/
 * (kernel_env, kernel_peer, kernel_perf, kernel_rep, kernel_capture) on this
 * machine's kernel: each configuration kind is set, read back and recorded
 * with 8 MiB, and the kernel's own counts must show what the settings mean
 * (GRO merges segments into fewer skbs, MTU 9000 needs ~6x fewer segments:
 * 8948 vs 1448 payload bytes each).  Also: the capture holds wire-size
 * frames even with GRO on (the model must see segments, not skbs), and
 * neither kernel_env_down nor a SIGINT leaves a namespace behind; a
 * transfer that cannot finish ends at the timeout with every child reaped.
 * Needs root, perf, ip, ethtool, tcpdump; skips with the reason otherwise.
 * About 15 s. */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/validate/kernel_capture.h"
#include "sim/validate/kernel_env.h"
#include "sim/validate/kernel_rep.h"
#include "tests/common/testenv.h"

/* Tags carry this process's id, so two test runs on one machine (the two
 * CI builds, or a developer's beside CI) never share a bench. */
static const char *tag(char letter)
{
    static char tags[26][12];
    char *t = tags[(letter - 'a') % 26];
    snprintf(t, sizeof tags[0], "k%c%05d", letter, (int)(getpid() % 100000));
    return t;
}

#define BYTES (8ull << 20)

static struct kernel_env env;
static struct kernel_opts opts;
static char err[1024];

static struct val_config cfg(enum val_placement p, bool csum, bool gro, unsigned mtu)
{
    struct val_config c = { .placement = p, .csum = csum, .gro = gro, .mtu = mtu };
    val_config_name(&c);
    return c;
}

static void bench_up(void)
{
    kernel_opts_default(&opts);
    opts.tag = tag('r');
    opts.bytes = BYTES;
    opts.timeout_s = 20;
    int r = kernel_env_up(&env, &opts, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "check_kernel_rep: kernel_env_up: %s\n", err);
        memset(&env, 0, sizeof env);
    }
}

static void bench_down(void)
{
    kernel_env_down(&env);
}

/* Sets c, checks it reads back, records one rep; the common assertions. */
static void record(const struct val_config *c, struct kernel_raw *raw)
{
    ck_assert_msg(env.ns_rcv_made, "bench not up");
    ck_assert_msg(kernel_env_set(&env, c, err, sizeof err) == 0, "%s: set: %s", c->name, err);
    struct kernel_settings s;
    ck_assert_msg(kernel_env_read(&env, &s, err, sizeof err) == 0, "%s: read: %s", c->name, err);
    ck_assert_msg(s.mtu_snd == c->mtu && s.mtu_rcv == c->mtu, "%s: mtu %u/%u", c->name, s.mtu_snd, s.mtu_rcv);
    ck_assert_msg(s.gro_rcv == c->gro, "%s: gro reads %d", c->name, s.gro_rcv);
    ck_assert_msg(s.tx_csum_snd == !c->csum, "%s: sender tx-checksumming reads %d", c->name, s.tx_csum_snd);
    ck_assert_msg(s.rps_mask == (c->placement == VAL_SAME_CPU ? 2u : 1u), "%s: rps %x", c->name, s.rps_mask);
    ck_assert_msg(kernel_rep_record(&env, c, &opts, raw, err, sizeof err) == 0, "%s: record: %s", c->name, err);
    const struct val_counters *k = &raw->c;
    fprintf(stderr, "# %s: %.3f s, segs_in %llu, segs_out %llu, skbs %llu, recv %llu, rcvq median %llu, "
            "other skbs %llu\n", c->name, k->seconds, (unsigned long long)k->segs_in,
            (unsigned long long)k->segs_out, (unsigned long long)k->skbs, (unsigned long long)k->recv_calls,
            (unsigned long long)k->rcvq_median, (unsigned long long)kernel_snap_other_skbs(&raw->before, &raw->after));
    ck_assert_msg(k->bytes == BYTES, "%s: read %llu bytes", c->name, (unsigned long long)k->bytes);
    ck_assert_msg(k->segs_in > 0 && k->segs_out > 0 && k->skbs > 0, "%s: no segments, ACKs or skbs", c->name);
    ck_assert_msg(k->recv_calls > 0 && k->seconds > 0, "%s: no recv calls or time", c->name);
    struct stat st;
    ck_assert_msg(stat(raw->perf_data, &st) == 0 && st.st_size > 0, "%s: no %s", c->name, raw->perf_data);
}

static const struct { enum val_placement p; bool csum, gro; unsigned mtu; } kinds[] = {
    { VAL_SAME_CPU, true, false, 1500 },
    { VAL_OTHER_CPU, true, false, 1500 },
    { VAL_SAME_CPU, false, false, 1500 },
    { VAL_SAME_CPU, true, true, 1500 },
    { VAL_SAME_CPU, true, false, 9000 },
};

START_TEST(each_kind_records)
{
    struct val_config c = cfg(kinds[_i].p, kinds[_i].csum, kinds[_i].gro, kinds[_i].mtu);
    struct kernel_raw raw;
    record(&c, &raw);
    /* Without GRO every segment is its own skb (a few pure ACKs from the
     * sender are in rx_packets too, and counted by InSegs as skbs); with
     * it, far fewer skbs. */
    if (c.gro)
        ck_assert_msg(raw.c.skbs * 2 < raw.c.segs_in, "%s: %llu skbs for %llu segments", c.name,
                      (unsigned long long)raw.c.skbs, (unsigned long long)raw.c.segs_in);
    else
        ck_assert_msg(raw.c.skbs <= raw.c.segs_in + 5 && raw.c.skbs * 10 >= raw.c.segs_in * 9,
                      "%s: %llu skbs for %llu segments", c.name, (unsigned long long)raw.c.skbs,
                      (unsigned long long)raw.c.segs_in);
}
END_TEST

START_TEST(mtu_9000_needs_fewer_segments)
{
    struct val_config small = cfg(VAL_SAME_CPU, true, false, 1500), big = cfg(VAL_SAME_CPU, true, false, 9000);
    struct kernel_raw a, b;
    record(&small, &a);
    record(&big, &b);
    /* 8 MiB / 1448 = 5794 segments, / 8948 = 938: a ratio of 6.2; demand > 4. */
    ck_assert_msg(b.c.segs_in * 4 < a.c.segs_in, "MTU 9000 %llu segments vs MTU 1500 %llu",
                  (unsigned long long)b.c.segs_in, (unsigned long long)a.c.segs_in);
    ck_assert_uint_ge(a.c.segs_in, 5794);
}
END_TEST

/* The largest original frame length in a pcap (little-endian, either
 * timestamp precision), and the record count. */
static long max_frame(const char *path, long *records)
{
    size_t len;
    unsigned char *b = (unsigned char *)testenv_slurp(path, &len);
    long max = -1;
    *records = 0;
    if (!b || len < 24)
        goto out;
    for (size_t p = 24; p + 16 <= len;) {
        uint32_t incl, orig;
        memcpy(&incl, b + p + 8, 4);
        memcpy(&orig, b + p + 12, 4);
        if ((long)orig > max)
            max = (long)orig;
        (*records)++;
        p += 16 + incl;
    }
out:
    free(b);
    return max;
}

/* With GRO on at the receiver too: every frame in the file must be wire
 * size (MTU + 14), i.e. taken before GRO. */
START_TEST(capture_is_wire_size)
{
    struct val_config c = cfg(VAL_SAME_CPU, true, true, 1500);
    ck_assert_msg(kernel_env_set(&env, &c, err, sizeof err) == 0, "set: %s", err);
    char pcap[256];
    snprintf(pcap, sizeof pcap, "%s/capture.pcap", env.tmpdir);
    ck_assert_msg(kernel_capture(&env, &c, &opts, 1 << 20, pcap, err, sizeof err) == 0, "capture: %s", err);
    long records, max = max_frame(pcap, &records);
    /* 1 MiB = 725 segments of 1448 bytes, plus the handshake and the ACKs. */
    ck_assert_msg(records > 725, "%s: %ld records", pcap, records);
    ck_assert_msg(max == 1514, "%s: largest frame %ld bytes, wanted 1514", pcap, max);
    unlink(pcap);
}
END_TEST

/* keep_awake: the rep still measures the transfer, and no spinner (nor
 * any other child) outlives it. */
START_TEST(keep_awake_leaves_nothing)
{
    struct val_config c = cfg(VAL_SAME_CPU, true, false, 9000);
    struct kernel_opts o = opts;
    o.keep_awake = true;
    ck_assert_msg(kernel_env_set(&env, &c, err, sizeof err) == 0, "set: %s", err);
    struct kernel_raw raw;
    ck_assert_msg(kernel_rep_record(&env, &c, &o, &raw, err, sizeof err) == 0, "record: %s", err);
    ck_assert_uint_eq(raw.c.bytes, BYTES);
    ck_assert_msg(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child is left");
}
END_TEST

START_TEST(refuses_a_config_not_set)
{
    struct val_config set = cfg(VAL_SAME_CPU, true, false, 1500), other = cfg(VAL_SAME_CPU, true, true, 1500);
    ck_assert_msg(kernel_env_set(&env, &set, err, sizeof err) == 0, "set: %s", err);
    struct kernel_raw raw;
    ck_assert_int_eq(kernel_rep_record(&env, &other, &opts, &raw, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "not set to this configuration") != NULL, "%s", err);
}
END_TEST

/* 64 GiB cannot cross in 1 s here (~0.7 GB/s): the wait must end at the
 * timeout with a message, and every child (perf, reader, sender) reaped. */
START_TEST(stuck_transfer_times_out)
{
    struct val_config c = cfg(VAL_SAME_CPU, true, false, 1500);
    ck_assert_msg(kernel_env_set(&env, &c, err, sizeof err) == 0, "set: %s", err);
    struct kernel_opts o = opts;
    o.bytes = 64ull << 30;
    o.timeout_s = 1;
    struct kernel_raw raw;
    ck_assert_int_eq(kernel_rep_record(&env, &c, &o, &raw, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "did not finish within 1 s") != NULL, "%s", err);
    ck_assert_msg(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child is left");
}
END_TEST

static bool ns_exists(const char *name)
{
    char p[96];
    snprintf(p, sizeof p, "/run/netns/%s", name);
    return access(p, F_OK) == 0;
}

START_TEST(down_leaves_nothing)
{
    struct kernel_env e;
    struct kernel_opts o;
    kernel_opts_default(&o);
    o.tag = tag('d');
    char ns_s[32], ns_r[32];
    snprintf(ns_s, sizeof ns_s, "rxv-%.8s-s", o.tag);
    snprintf(ns_r, sizeof ns_r, "rxv-%.8s-r", o.tag);
    ck_assert_msg(kernel_env_up(&e, &o, err, sizeof err) == 0, "up: %s", err);
    char tmp[sizeof e.tmpdir];
    snprintf(tmp, sizeof tmp, "%s", e.tmpdir);
    ck_assert(ns_exists(ns_s) && ns_exists(ns_r));
    kernel_env_down(&e);
    kernel_env_down(&e);    /* twice is safe */
    ck_assert(!ns_exists(ns_s) && !ns_exists(ns_r));
    ck_assert_msg(access(tmp, F_OK) != 0, "%s still there", tmp);
}
END_TEST

/* A second bench with a live run's tag is refused (not allowed to delete
 * its namespaces); once the first is down, the tag is free again. */
START_TEST(same_tag_twice_refused)
{
    struct kernel_env a, b;
    struct kernel_opts o;
    kernel_opts_default(&o);
    o.tag = tag('t');
    char ns_s[32], ns_r[32], want[64];
    snprintf(ns_s, sizeof ns_s, "rxv-%.8s-s", o.tag);
    snprintf(ns_r, sizeof ns_r, "rxv-%.8s-r", o.tag);
    snprintf(want, sizeof want, "another run with tag '%.8s' is live", o.tag);
    ck_assert_msg(kernel_env_up(&a, &o, err, sizeof err) == 0, "up: %s", err);
    ck_assert_int_eq(kernel_env_up(&b, &o, err, sizeof err), 1);
    ck_assert_msg(strstr(err, want), "%s", err);
    kernel_env_down(&b);
    ck_assert_msg(ns_exists(ns_s) && ns_exists(ns_r), "the live run's namespaces went");
    kernel_env_down(&a);
    ck_assert_msg(kernel_env_up(&b, &o, err, sizeof err) == 0, "up after down: %s", err);
    kernel_env_down(&b);
}
END_TEST

START_TEST(sigint_leaves_no_namespace)
{
    const char *t = tag('g');          /* before the fork: the child's pid would change it */
    char ns_s[32], ns_r[32], scratch[64];
    snprintf(ns_s, sizeof ns_s, "rxv-%.8s-s", t);
    snprintf(ns_r, sizeof ns_r, "rxv-%.8s-r", t);
    snprintf(scratch, sizeof scratch, "/tmp/rxsim-kernel-%.8s.*", t);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct kernel_env e;
        struct kernel_opts o;
        kernel_opts_default(&o);
        o.tag = t;
        if (kernel_env_up(&e, &o, err, sizeof err) != 0) {
            fprintf(stderr, "# sigint child: kernel_env_up: %s\n", err);
            _exit(3);
        }
        kernel_env_guard(&e);
        raise(SIGINT);
        _exit(4);   /* not reached: the guard re-raises with the default action */
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "child status %#x", st);
    ck_assert(!ns_exists(ns_s) && !ns_exists(ns_r));
    /* The scratch directory stays after a signal (removing a tree is not
     * async-signal-safe; kernel_env.h says so): the test removes it. */
    glob_t g;
    if (glob(scratch, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *rm[] = { "/bin/rm", "-rf", g.gl_pathv[i], NULL };
            testenv_run(rm, NULL, NULL);
        }
        globfree(&g);
    }
}
END_TEST

int main(void)
{
    struct kernel_env probe;
    struct kernel_opts o;
    kernel_opts_default(&o);
    o.tag = tag('r');
    int r = kernel_env_up(&probe, &o, err, sizeof err);
    kernel_env_down(&probe);
    if (r == 77)
        testenv_skip_suite(err);
    Suite *s = suite_create("kernel_rep");
    TCase *tc = tcase_create("bench");
    tcase_add_unchecked_fixture(tc, bench_up, bench_down);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, each_kind_records, 0, (int)ARRAY_LEN(kinds));
    tcase_add_test(tc, mtu_9000_needs_fewer_segments);
    tcase_add_test(tc, capture_is_wire_size);
    tcase_add_test(tc, keep_awake_leaves_nothing);
    tcase_add_test(tc, refuses_a_config_not_set);
    tcase_add_test(tc, stuck_transfer_times_out);
    suite_add_tcase(s, tc);
    tc = tcase_create("cleanup");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, down_leaves_nothing);
    tcase_add_test(tc, same_tag_twice_refused);
    tcase_add_test(tc, sigint_leaves_no_namespace);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
