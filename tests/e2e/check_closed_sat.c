/* tests/e2e/check_closed_sat.c: rxsim run --replay closed at saturation
 * (issue 14, done-when 2 and 3): the report's figures over the saturation
 * window and the bottleneck its rule names (sim/report/saturation.h,
 * docs/model.md "Saturation and the bottleneck"), as inequalities, through
 * the library in this process.
 *
 *  - CPU-bound: one CPU, a 10G link, MTU 1500: the CPU busy near 100 % in
 *    the window, goodput below the link's payload rate (10G x 1448 / 1538 =
 *    9.42 Gbit/s), bottleneck "cpu 0"; goodput rises with GRO and with
 *    MTU 9000; with checksum offload it is within 3 % (the NIC's DMA'd lines
 *    miss once either way: in the checksum, or offloaded in the copy).
 *  - Link-bound: a 100M link, the same host: bottleneck "link", goodput
 *    within 85..100 Mbit/s, utilisation far below the 10G run's.
 *  - NIC scalability: 1..4 NICs of 1G, one flow each, one CPU: two NICs
 *    carry about twice one NIC's goodput, four NICs much less than four
 *    times (the CPU full), and the bottleneck goes from "link" (one NIC) to
 *    one naming the CPU (four NICs).
 *  - The other names of the rule: a 16 KiB receive buffer over a 1 ms round
 *    trip (an 8 KiB window a round trip: ~65 Mbit/s, nothing busy) is
 *    "receive window"; a ring of 8 with 4 flows drops and retransmits with
 *    the CPUs and the link far from full: "ring drops".
 *  - The receive window over time: --timeline has a "receive window"
 *    counter track per flow under closed loop, over two NICs, and the
 *    window moves.
 *  - Too few bytes for a window (one segment): bottleneck "not measurable"
 *    and the figures null, never a plausible number.
 *  - The same run twice gives the same saturation figures.
 *  - rxsim compare --replay closed needs no trace and prints the "at
 *    saturation" block, a row per combination with its bottleneck; the CSV
 *    has the saturation.* columns; without a trace and without closed loop
 *    compare refuses (exit 2).
 *
 * Every run is a few MB with a 20 us RTT and a 512 KiB receive buffer (so
 * the window is a steady state: docs/model.md says why), well under a
 * second each in a debugoptimized build. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static const char *const closed_fixed[] = { "--replay", "closed", "--rtt", "20", "--rcvbuf", "512K", NULL };

struct sat {
    double goodput, busiest, util_avg, link;
    char bottleneck[64];
};

/* The run's saturation figures; the run must have stranded nothing. */
static struct sat sat_of(const char *const *args, const char *what)
{
    json_object *j = testenv_run_json(closed_fixed, args, NULL, what, NULL);
    json_object *r = get(j, "result"), *s = get(r, "saturation");
    ck_assert_msg(s != NULL, "%s: no result.saturation", what);
    ck_assert_int_eq(i64(get(r, "sender"), "bytes_stranded"), 0);
    struct sat o = { .goodput = num(s, "goodput_mbps"), .busiest = num(s, "busiest_cpu_utilisation"),
                     .util_avg = num(s, "cpu_utilisation"), .link = num(s, "link_utilisation") };
    snprintf(o.bottleneck, sizeof o.bottleneck, "%s", str(s, "bottleneck"));
    json_object_put(j);
    return o;
}

START_TEST(test_cpu_bound_and_what_helps)
{
    const char *pkt[] = { "--cpus", "1", "--link", "10G", "--bytes", "4M", NULL };
    const char *gro[] = { "--cpus", "1", "--link", "10G", "--bytes", "4M", "--delivery", "gro", NULL };
    const char *off[] = { "--cpus", "1", "--link", "10G", "--bytes", "4M", "--csum", "offload", NULL };
    const char *jumbo[] = { "--cpus", "1", "--link", "10G", "--bytes", "4M", "--mtu", "9000", NULL };
    struct sat p = sat_of(pkt, "10G, one CPU"), g = sat_of(gro, "GRO"), o = sat_of(off, "csum offload"),
               m = sat_of(jumbo, "MTU 9000");
    ck_assert_msg(p.busiest >= 0.9, "10G on one CPU: busiest CPU %.3f, want near 1", p.busiest);
    ck_assert_msg(p.goodput < 0.9 * 9417, "10G on one CPU: goodput %.0f Mbit/s, want below the link", p.goodput);
    ck_assert_msg(p.link < 0.9, "10G on one CPU: link %.3f busy, want not full", p.link);
    ck_assert_str_eq(p.bottleneck, "cpu 0");
    ck_assert_msg(g.goodput > p.goodput, "GRO %.0f, want above packet's %.0f Mbit/s", g.goodput, p.goodput);
    /* a NIC DMAs: the payload's lines miss once either way, in the softirq's
     * checksum or, offloaded, in the reader's copy; offload saves only the
     * checksum's own loop, so it is not slower beyond the run's noise (with
     * the copy's per-segment copy_chunk it is 2 % slower, not faster) */
    ck_assert_msg(o.goodput > 0.97 * p.goodput, "offload %.0f, want not below softirq's %.0f Mbit/s", o.goodput,
                  p.goodput);
    ck_assert_msg(m.goodput > p.goodput, "MTU 9000 %.0f, want above 1500's %.0f Mbit/s", m.goodput, p.goodput);
}
END_TEST

START_TEST(test_link_bound)
{
    const char *cpu[] = { "--cpus", "1", "--link", "10G", "--bytes", "4M", NULL };
    const char *slow[] = { "--cpus", "1", "--link", "100M", "--bytes", "2M", NULL };
    struct sat c = sat_of(cpu, "10G"), s = sat_of(slow, "100M");
    ck_assert_str_eq(s.bottleneck, "link");
    ck_assert_msg(s.link >= 0.9, "100M: link %.3f busy", s.link);
    /* 100M: payload 1448 of 1538 wire bytes caps goodput at 94 Mbit/s. */
    ck_assert_msg(s.goodput > 85 && s.goodput < 100, "100M: goodput %.1f Mbit/s, want 85..100", s.goodput);
    ck_assert_msg(s.busiest < c.busiest / 4, "100M: CPU %.3f, want far below 10G's %.3f", s.busiest, c.busiest);
}
END_TEST

START_TEST(test_nic_scalability)
{
    struct sat n[5];
    for (int k = 1; k <= 4; k++) {
        char nics[8], what[32];
        snprintf(nics, sizeof nics, "%d", k);
        snprintf(what, sizeof what, "%d NICs", k);
        const char *args[] = { "--cpus", "1", "--link", "1G", "--nics", nics, "--flows", nics, "--bytes", "2M", NULL };
        n[k] = sat_of(args, what);
    }
    ck_assert_str_eq(n[1].bottleneck, "link");
    ck_assert_msg(n[1].goodput > 0.9 * 941, "one NIC: %.0f Mbit/s, want near the 1G link's 941", n[1].goodput);
    ck_assert_msg(n[2].goodput > 1.8 * n[1].goodput, "two NICs %.0f, want about twice one's %.0f", n[2].goodput,
                  n[1].goodput);
    ck_assert_msg(n[4].goodput < 0.9 * 4 * n[1].goodput, "four NICs %.0f: scaled on past the CPU (one NIC %.0f)",
                  n[4].goodput, n[1].goodput);
    ck_assert_msg(n[4].busiest >= 0.9, "four NICs: CPU %.3f, want full", n[4].busiest);
    ck_assert_msg(strstr(n[4].bottleneck, "cpu 0") != NULL, "four NICs: bottleneck '%s', want the CPU named",
                  n[4].bottleneck);
}
END_TEST

START_TEST(test_window_and_drops_named)
{
    /* the later --rcvbuf and --rtt win over closed_fixed's */
    const char *win[] = { "--rcvbuf", "16K", "--rtt", "1000", "--bytes", "1M", NULL };
    const char *ring[] = { "--ring", "8", "--flows", "4", "--bytes", "1M", "--cpus", "2", NULL };
    struct sat w = sat_of(win, "16 KiB buffer, 1 ms"), r = sat_of(ring, "ring of 8");
    ck_assert_str_eq(w.bottleneck, "receive window");
    ck_assert_msg(w.busiest < 0.5 && w.link < 0.5, "window-bound: CPU %.3f, link %.3f", w.busiest, w.link);
    ck_assert_str_eq(r.bottleneck, "ring drops");
    ck_assert_msg(r.busiest < 0.9 && r.link < 0.9, "drop-bound: CPU %.3f, link %.3f", r.busiest, r.link);
}
END_TEST

START_TEST(test_window_timeline)
{
    char path[] = "/tmp/rxsim-closed-sat-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *args[] = { "--cpus", "1", "--nics", "2", "--flows", "2", "--bytes", "1M", "--rcvbuf", "256K",
                           "--timeline", path, NULL };
    json_object_put(testenv_run_json(closed_fixed, args, NULL, "timeline", NULL));
    json_object *tl = json_object_from_file(path);
    unlink(path);
    ck_assert_msg(tl != NULL, "the timeline is not JSON");
    json_object *ev = get(tl, "traceEvents");
    int samples[2] = { 0 };
    int64_t lo[2] = { INT64_MAX, INT64_MAX }, hi[2] = { 0 };
    for (size_t i = 0; i < json_object_array_length(ev); i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        const char *name = str(e, "name");
        if (strcmp(str(e, "ph"), "C") || strncmp(name, "receive window 10.0.0.1:4000", 28))
            continue;
        int f = name[28] - '0';
        ck_assert_msg(f == 0 || f == 1, "a window track for an unknown flow: %s", name);
        int64_t v = i64(get(e, "args"), "value");
        samples[f]++;
        lo[f] = v < lo[f] ? v : lo[f];
        hi[f] = v > hi[f] ? v : hi[f];
    }
    for (int f = 0; f < 2; f++) {
        ck_assert_msg(samples[f] > 10, "flow %d: %d receive-window samples", f, samples[f]);
        ck_assert_msg(hi[f] > lo[f], "flow %d: the window never moved (%lld)", f, (long long)lo[f]);
        ck_assert_msg(hi[f] <= 131072, "flow %d: window %lld over half the 256 KiB buffer", f, (long long)hi[f]);
    }
    json_object_put(tl);
}
END_TEST

START_TEST(test_not_measurable_and_deterministic)
{
    const char *tiny[] = { "--bytes", "1000", NULL };
    json_object *j = testenv_run_json(closed_fixed, tiny, NULL, "one segment", NULL);
    json_object *s = get(get(j, "result"), "saturation");
    ck_assert_str_eq(str(s, "bottleneck"), "not measurable");
    json_object *v = NULL;
    ck_assert(json_object_object_get_ex(s, "goodput_mbps", &v));
    ck_assert_msg(v == NULL, "goodput at saturation given without a window: %s", json_object_to_json_string(v));
    json_object_put(j);
    const char *args[] = { "--cpus", "2", "--nics", "2", "--flows", "3", "--bytes", "1M", NULL };
    char *raw1, *raw2;
    json_object_put(testenv_run_json(closed_fixed, args, NULL, "run 1", &raw1));
    json_object_put(testenv_run_json(closed_fixed, args, NULL, "run 2", &raw2));
    ck_assert_msg(!strcmp(raw1, raw2), "two identical closed-loop runs over two NICs differ");
    free(raw1);
    free(raw2);
}
END_TEST

/* rxsim compare ARGS..., stdout into a malloc'd string; exit status in *rc. */
static char *compare(char *const *args, int *rc)
{
    char out[] = "/tmp/rxsim-closed-cmp-XXXXXX";
    int fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    close(fd);
    *rc = testenv_rxsim(args, out, NULL);
    char *text = testenv_slurp(out, NULL);
    unlink(out);
    ck_assert_ptr_nonnull(text);
    return text;
}

START_TEST(test_compare_closed)
{
    char *table_args[] = { "compare", "--replay", "closed", "--vary", "nics=1,2", "--jobs", "1", "--no-progress",
                           "--", "--flows", "2", "--bytes", "512K", "--link", "1G", "--cpus", "1", NULL };
    int rc;
    char *text = compare(table_args, &rc);
    ck_assert_msg(rc == 0, "compare --replay closed: exit %d", rc);
    const char *block = strstr(text, "\nat saturation");
    ck_assert_msg(block != NULL, "no 'at saturation' block in:\n%s", text);
    ck_assert_msg(strstr(block, "bottleneck") && strstr(block, "\n0  1") && strstr(block, "\n1  2"),
                  "the block lacks its rows:\n%s", block);
    ck_assert_msg(strstr(block, "  link\n") != NULL, "1G links on a fast CPU: want 'link' named:\n%s", block);
    free(text);
    char *csv_args[] = { "compare", "--vary", "nics=1,2", "--jobs", "1", "--no-progress", "--csv", "--",
                         "--replay", "closed", "--bytes", "256K", NULL };
    text = compare(csv_args, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(text, "saturation.bottleneck") && strstr(text, "saturation.goodput_mbps"),
                  "no saturation columns in the CSV");
    free(text);
    char *no_trace[] = { "compare", "--vary", "nics=1,2", "--no-progress", NULL };
    free(compare(no_trace, &rc));
    ck_assert_int_eq(rc, 2);
}
END_TEST

static Suite *closed_sat_suite(void)
{
    Suite *s = suite_create("closed_sat");
    TCase *tc = tcase_create("closed_sat");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_cpu_bound_and_what_helps);
    tcase_add_test(tc, test_link_bound);
    tcase_add_test(tc, test_nic_scalability);
    tcase_add_test(tc, test_window_and_drops_named);
    tcase_add_test(tc, test_window_timeline);
    tcase_add_test(tc, test_not_measurable_and_deterministic);
    tcase_add_test(tc, test_compare_closed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(closed_sat_suite());
}
