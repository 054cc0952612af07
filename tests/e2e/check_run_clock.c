/* tests/e2e/check_run_clock.c: rxsim run's replay clock on hostile capture
 * times (drivers/nic.h, "the replay clock").
 *
 * Every trace is written here, at test time: one TCP connection 10.0.0.1 →
 * 10.0.0.2 of 1000-byte segments whose content the test knows, so each case
 * checks the bytes read and their SHA-256 against the test's own digest, and
 * that no frame was dropped at the ring (the trace's rate is far below what
 * the model receives).  The capture times are what is hostile:
 *  - a 200-day gap in the middle (the old clock multiplied it into a signed
 *    overflow: UBSan, and "simulated 4,761,142 s");
 *  - times before 1970 (classic pcap's 32-bit seconds, which libpcap reads
 *    as signed) and after 2^31 s (pcapng's 64-bit time), also printed by
 *    inspect as dates;
 *  - 10% of the frames stepping the clock back 2 ms (the old clock held every
 *    later frame at the previous time until the capture caught up: one
 *    invented burst, ring_full drops, and a 10 Gbit/s goodput);
 *  - 2600 gaps of 1.5 h: even clamped to 1 h they pass the simulated clock's
 *    range, and the run must say it stopped (exit 4), not overflow.
 * The counts (backward steps, clamped gaps) must be in the JSON report and
 * the warnings on stderr. */
#include <check.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/pkt.h"
#include "tests/common/testenv.h"

#define SEG 1000
#define NS 1000000000LL

static char tmpdir[4096];

struct flow {
    int64_t *ts_ns;             /* per frame: SYN, then data segments */
    int nseg;
    uint8_t sha[SHA256_DIGEST_SIZE];
};

static void payload(uint8_t *p, int seg)
{
    for (int i = 0; i < SEG; i++)
        p[i] = (uint8_t)(seg * 31 + i * 7 + (i >> 8));
}

/* Frame k of the flow (0: SYN) into buf; its length. */
static size_t frame(uint8_t *buf, size_t cap, int k)
{
    uint8_t data[SEG];
    struct pkt_spec s = { .sport = 40000, .dport = 5001, .seq = 1000, .flags = 0x02 };
    if (k > 0) {
        payload(data, k - 1);
        s.flags = 0x18;
        s.seq = 1001 + (uint32_t)(k - 1) * SEG;
        s.ack = 1;
        s.payload = data;
        s.len = SEG;
    }
    return pkt_build(buf, cap, &s);
}

static void flow_sha(struct flow *f)
{
    struct sha256_ctx c;
    sha256_init(&c);
    uint8_t data[SEG];
    for (int i = 0; i < f->nseg; i++) {
        payload(data, i);
        sha256_update(&c, SEG, data);
    }
    sha256_digest(&c, sizeof f->sha, f->sha);
}

static void put32(FILE *o, uint32_t v) { fwrite(&v, 4, 1, o); }
static void put16(FILE *o, uint16_t v) { fwrite(&v, 2, 1, o); }

/* Classic pcap, nanosecond magic, host byte order; seconds written as the
 * 32 bits of ts_ns's floor seconds (libpcap reads them back as signed). */
static void write_pcap(const char *path, const struct flow *f)
{
    FILE *o = fopen(path, "wb");
    ck_assert_msg(o != NULL, "cannot write %s", path);
    put32(o, 0xa1b23c4du);
    put16(o, 2);
    put16(o, 4);
    put32(o, 0);
    put32(o, 0);
    put32(o, 65535);
    put32(o, 1);
    uint8_t buf[2048];
    for (int k = 0; k <= f->nseg; k++) {
        size_t n = frame(buf, sizeof buf, k);
        int64_t sec = f->ts_ns[k] / NS, frac = f->ts_ns[k] % NS;
        if (frac < 0)
            sec--, frac += NS;
        put32(o, (uint32_t)sec);
        put32(o, (uint32_t)frac);
        put32(o, (uint32_t)n);
        put32(o, (uint32_t)n);
        fwrite(buf, 1, n, o);
    }
    ck_assert_int_eq(fclose(o), 0);
}

/* pcapng: SHB, one Ethernet IDB with if_tsresol 9 (ns), an EPB per frame. */
static void write_pcapng(const char *path, const struct flow *f)
{
    FILE *o = fopen(path, "wb");
    ck_assert_msg(o != NULL, "cannot write %s", path);
    put32(o, 0x0a0d0d0au); put32(o, 28); put32(o, 0x1a2b3c4du); put16(o, 1); put16(o, 0);
    put32(o, 0xffffffffu); put32(o, 0xffffffffu); put32(o, 28);
    put32(o, 1); put32(o, 32); put16(o, 1); put16(o, 0); put32(o, 65535);
    put16(o, 9); put16(o, 1); put32(o, 9);          /* if_tsresol = 10^-9, padded */
    put16(o, 0); put16(o, 0);                       /* opt_endofopt */
    put32(o, 32);
    uint8_t buf[2048];
    for (int k = 0; k <= f->nseg; k++) {
        size_t n = frame(buf, sizeof buf, k);
        size_t pad = (4 - n % 4) % 4;
        uint32_t len = (uint32_t)(32 + n + pad);
        uint64_t ts = (uint64_t)f->ts_ns[k];
        put32(o, 6); put32(o, len); put32(o, 0);
        put32(o, (uint32_t)(ts >> 32)); put32(o, (uint32_t)ts);
        put32(o, (uint32_t)n); put32(o, (uint32_t)n);
        fwrite(buf, 1, n, o);
        fwrite("\0\0\0", 1, pad, o);
        put32(o, len);
    }
    ck_assert_int_eq(fclose(o), 0);
}

static struct flow *flow_new(int nseg, int64_t t0, int64_t step)
{
    struct flow *f = calloc(1, sizeof *f);
    f->nseg = nseg;
    f->ts_ns = calloc((size_t)nseg + 1, sizeof *f->ts_ns);
    for (int k = 0; k <= nseg; k++)
        f->ts_ns[k] = t0 + k * step;
    flow_sha(f);
    return f;
}

static void flow_free(struct flow *f)
{
    free(f->ts_ns);
    free(f);
}

struct outcome {
    int rc;
    json_object *j;             /* the report */
    char *err;                  /* stderr */
};

static void rxsim(const char *cmd, const char *trace, struct outcome *o, bool json)
{
    char out[4200], err[4200];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(err, sizeof err, "%s/err", tmpdir);
    char *args[] = { (char *)cmd, json ? "--json" : (char *)trace, json ? "--no-progress" : NULL,
                     json ? (char *)trace : NULL, NULL };
    o->rc = testenv_rxsim(args, out, err);
    o->err = testenv_slurp(err, NULL);
    o->j = json ? json_object_from_file(out) : NULL;
    if (!json) {
        char *text = testenv_slurp(out, NULL);
        free(o->err);
        o->err = text;          /* inspect's text report, for the dates */
    }
    ck_assert_msg(!o->err || !strstr(o->err, "runtime error"), "%s %s: sanitizer: %s", cmd, trace, o->err);
}

/* The connection's bytes and digest are the test's; nothing dropped at the ring. */
static void check_delivered(const struct outcome *o, const struct flow *f, const char *what)
{
    ck_assert_msg(o->j != NULL, "%s: no JSON report (exit %d): %s", what, o->rc, o->err ? o->err : "");
    json_object *r = get(o->j, "result");
    json_object *conns = get(o->j, "connections");
    ck_assert_msg(json_object_array_length(conns) == 1, "%s: %zu connections, want 1", what,
                  json_object_array_length(conns));
    json_object *c = json_object_array_get_idx(conns, 0);
    char want[65];
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(want + 2 * i, "%02x", f->sha[i]);
    ck_assert_msg(i64(c, "bytes") == (int64_t)f->nseg * SEG, "%s: %lld bytes read, want %lld", what,
                  (long long)i64(c, "bytes"), (long long)f->nseg * SEG);
    ck_assert_msg(!strcmp(str(c, "sha256"), want), "%s: sha256 %s, want %s", what, str(c, "sha256"), want);
    ck_assert_msg(i64(get(r, "drops"), "ring_full") == 0, "%s: %lld ring_full drops invented", what,
                  (long long)i64(get(r, "drops"), "ring_full"));
}

static void outcome_free(struct outcome *o)
{
    json_object_put(o->j);
    free(o->err);
}

START_TEST(gap_of_200_days_is_clamped)
{
    struct flow *f = flow_new(400, 1700000000 * NS, 20000);
    for (int k = 201; k <= f->nseg; k++)
        f->ts_ns[k] += 200LL * 86400 * NS;
    char path[4200];
    snprintf(path, sizeof path, "%s/gap200d.pcap", tmpdir);
    write_pcap(path, f);
    struct outcome o;
    rxsim("run", path, &o, true);
    ck_assert_msg(o.rc == 0, "exit %d: %s", o.rc, o.err);
    check_delivered(&o, f, "200-day gap");
    json_object *clk = get(get(o.j, "result"), "replay_clock");
    ck_assert_int_eq(i64(clk, "idle_gaps_clamped"), 1);
    ck_assert_int_eq(i64(clk, "backward_steps"), 0);
    double elapsed = num(get(o.j, "result"), "elapsed_s");
    ck_assert_msg(elapsed > 3600 && elapsed < 3601, "simulated %.3f s: want the 1 h clamp plus 8 ms", elapsed);
    ck_assert_msg(num(clk, "idle_removed_s") > 200.0 * 86400 - 3601, "idle removed %.0f s", num(clk, "idle_removed_s"));
    ck_assert_msg(strstr(o.err, "idle gap longer than 3600 s"), "no warning on stderr: %s", o.err);
    outcome_free(&o);
    flow_free(f);
}
END_TEST

START_TEST(times_before_1970)
{
    /* from 1.5 s before the epoch, across it */
    struct flow *f = flow_new(300, -1500000000LL, 10000);
    char path[4200];
    snprintf(path, sizeof path, "%s/before1970.pcap", tmpdir);
    write_pcap(path, f);
    struct outcome o;
    rxsim("run", path, &o, true);
    ck_assert_msg(o.rc == 0, "exit %d: %s", o.rc, o.err);
    check_delivered(&o, f, "before 1970");
    ck_assert_int_eq(i64(get(get(o.j, "result"), "replay_clock"), "backward_steps"), 0);
    double elapsed = num(get(o.j, "result"), "elapsed_s");
    ck_assert_msg(elapsed > 0.0029 && elapsed < 0.0032, "simulated %.6f s, want the trace's 3 ms", elapsed);
    outcome_free(&o);
    rxsim("inspect", path, &o, false);
    ck_assert_msg(o.rc == 0 && strstr(o.err, "1969-12-31T23:59:58.500000000Z"),
                  "inspect: exit %d, want the first record at 1969-12-31T23:59:58.500000000Z: %s", o.rc, o.err);
    outcome_free(&o);
    flow_free(f);
}
END_TEST

START_TEST(times_after_2_to_the_31)
{
    int64_t t0 = (((int64_t)1 << 31) + 1000) * NS;     /* 2038-01-19T03:30:48Z */
    struct flow *f = flow_new(300, t0, 10000);
    char path[4200];
    snprintf(path, sizeof path, "%s/after2038.pcapng", tmpdir);
    write_pcapng(path, f);
    struct outcome o;
    rxsim("run", path, &o, true);
    ck_assert_msg(o.rc == 0, "exit %d: %s", o.rc, o.err);
    check_delivered(&o, f, "after 2^31 s");
    double elapsed = num(get(o.j, "result"), "elapsed_s");
    ck_assert_msg(elapsed > 0.0029 && elapsed < 0.0032, "simulated %.6f s, want the trace's 3 ms", elapsed);
    outcome_free(&o);
    rxsim("inspect", path, &o, false);
    ck_assert_msg(o.rc == 0 && strstr(o.err, "2038-01-19T03:30:48.000000000Z"),
                  "inspect: exit %d, want the first record at 2038-01-19T03:30:48.000000000Z: %s", o.rc, o.err);
    outcome_free(&o);
    flow_free(f);
}
END_TEST

START_TEST(backward_steps_invent_no_burst)
{
    /* 2000 segments 10 us apart (800 Mbit/s); every 10th steps the clock
     * back 2 ms for good, so the capture clock never catches up. */
    struct flow *f = flow_new(2000, 1700000000 * NS, 10000);
    int64_t shift = 0;
    int steps = 0;
    for (int k = 1; k <= f->nseg; k++) {
        if (k % 10 == 5) {
            shift += 2000000;
            steps++;
        }
        f->ts_ns[k] -= shift;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/backward.pcap", tmpdir);
    write_pcap(path, f);
    struct outcome o;
    rxsim("run", path, &o, true);
    ck_assert_msg(o.rc == 0, "exit %d: %s", o.rc, o.err);
    check_delivered(&o, f, "10% backward steps");
    json_object *r = get(o.j, "result");
    ck_assert_int_eq(i64(get(r, "replay_clock"), "backward_steps"), steps);
    ck_assert_int_eq(i64(get(r, "replay_clock"), "idle_gaps_clamped"), 0);
    double mbps = num(r, "goodput_mbps");
    ck_assert_msg(mbps > 700 && mbps < 1000, "goodput %.1f Mbit/s: the trace sends about 800", mbps);
    ck_assert_msg(strstr(o.err, "200 frames stamped before the previous one"), "no warning on stderr: %s", o.err);
    outcome_free(&o);
    flow_free(f);
}
END_TEST

START_TEST(clock_range_used_up_is_a_partial_run)
{
    /* 2600 gaps of 1.5 h: 3900 h of capture, 2600 h (108 days) once clamped. */
    struct flow *f = flow_new(2600, 1000000000 * NS, 5400 * NS);
    char path[4200];
    snprintf(path, sizeof path, "%s/longest.pcap", tmpdir);
    write_pcap(path, f);
    struct outcome o;
    rxsim("run", path, &o, true);
    ck_assert_msg(o.rc == 4, "exit %d, want 4 (partial): %s", o.rc, o.err);
    ck_assert_msg(o.j != NULL, "no report: %s", o.err);
    json_object *r = get(o.j, "result");
    ck_assert(json_object_get_boolean(get(r, "partial")));
    ck_assert(json_object_get_boolean(get(get(r, "replay_clock"), "range_exhausted")));
    int64_t clamped = i64(get(r, "replay_clock"), "idle_gaps_clamped");
    ck_assert_msg(clamped > 2400 && clamped < 2600, "%lld gaps clamped", (long long)clamped);
    int64_t read = i64(r, "bytes_read");
    ck_assert_msg(read == (clamped + 0) * SEG || read == (clamped - 1) * SEG || read == (clamped + 1) * SEG,
                  "%lld bytes read for %lld clamped gaps", (long long)read, (long long)clamped);
    ck_assert_msg(strstr(o.err, "beyond the simulated clock's range"), "no warning on stderr: %s", o.err);
    outcome_free(&o);
    flow_free(f);
}
END_TEST

int main(void)
{
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    Suite *s = suite_create("run_clock");
    TCase *tc = tcase_create("clock");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, gap_of_200_days_is_clamped);
    tcase_add_test(tc, times_before_1970);
    tcase_add_test(tc, times_after_2_to_the_31);
    tcase_add_test(tc, backward_steps_invent_no_burst);
    tcase_add_test(tc, clock_range_used_up_is_a_partial_run);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
