/* tests/e2e/check_closed.c: rxsim run --replay closed (issue 14), the
 * netperf-like workload without a trace, through the library in this
 * process.
 *
 *  - Every run delivers exactly: each stream's SHA-256 equals the one
 *    computed here from synth's content recipe (traces/synth.h: flow i's
 *    bytes are the little-endian xoshiro256** outputs seeded with
 *    seed + (i + 1) * 0x9e3779b97f4a7c15), every flow's bytes are read and
 *    acknowledged, nothing is stranded.
 *  - A ring of 8 descriptors forces ring drops; all are recovered by
 *    retransmission (retransmits > 0, fast retransmits > 0, stranded 0).
 *  - Directions, as inequalities: with one CPU and a 10G link the CPU is
 *    busy (utilisation near 100 %) and goodput stays below the link; GRO
 *    raises goodput; over a 100M link the run is link-bound (goodput close
 *    to 100 Mbit/s) and utilisation falls.
 *  - --nics 3 with 4 flows: a link per NIC, flow i on NIC i mod 3 (NIC 0
 *    carries flows 0 and 3, twice the frames of NIC 1 or 2: each flow is
 *    1 SYN + 150 segments of 1448 bytes: 15 writes of 14480), every stream
 *    still exact.
 *  - The same seed gives the same JSON; --replay closed on two traces is
 *    refused with a usage error (one trace's streams are the workload:
 *    tests/e2e/check_closed_trace.c). */
#include <check.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"
#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

/* rxsim run --json --no-progress --replay closed ARGS... ; exit status in *rc. */
static json_object *closed(const char *const *args, char **raw, int *rc)
{
    static const char *const fixed[] = { "--replay", "closed", NULL };
    return testenv_run_report(fixed, args, NULL, rc, raw);
}

static json_object *closed_ok(const char *const *args, char **raw)
{
    int rc;
    json_object *j = closed(args, raw, &rc);
    ck_assert_msg(rc == 0, "rxsim run --replay closed %s ...: exit %d (stderr above)", args[0], rc);
    ck_assert_msg(j != NULL, "not JSON");
    return j;
}

/* The recipe's SHA-256 of flow i's first `bytes` bytes, as hex. */
static void recipe_sha(uint64_t seed, uint32_t i, uint64_t bytes, char out[65])
{
    struct sim_rng r;
    sim_rng_seed(&r, seed + ((uint64_t)i + 1) * 0x9e3779b97f4a7c15ull);
    struct sha256_ctx sha;
    sha256_init(&sha);
    uint8_t w[8];
    for (uint64_t off = 0; off < bytes; off += 8) {
        uint64_t v = sim_rng_next(&r);
        for (int k = 0; k < 8; k++)
            w[k] = (uint8_t)(v >> (8 * k));
        sha256_update(&sha, bytes - off < 8 ? (size_t)(bytes - off) : 8, w);
    }
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&sha, sizeof d, d);
    for (int k = 0; k < SHA256_DIGEST_SIZE; k++)
        sprintf(out + 2 * k, "%02x", d[k]);
}

/* Every flow's stream byte-exact, read whole, acknowledged, none stranded. */
static void check_exact(json_object *j, uint64_t seed, uint32_t flows, uint64_t bytes, const char *what)
{
    json_object *r = get(j, "result"), *snd = get(r, "sender");
    ck_assert_msg(snd != NULL, "%s: no result.sender", what);
    ck_assert_int_eq(i64(snd, "bytes_stranded"), 0);
    ck_assert_int_eq(i64(r, "bytes_read"), (int64_t)(flows * bytes));
    ck_assert_int_eq(i64(r, "bytes_unread"), 0);
    json_object *conns = get(j, "connections");
    ck_assert_int_eq((int)json_object_array_length(conns), (int)flows);
    for (uint32_t i = 0; i < flows; i++) {
        char want_from[32], sha[65];
        snprintf(want_from, sizeof want_from, "10.0.0.1:%u", 40000 + i);
        recipe_sha(seed, i, bytes, sha);
        bool found = false;
        for (size_t k = 0; k < json_object_array_length(conns); k++) {
            json_object *c = json_object_array_get_idx(conns, k);
            if (strcmp(str(c, "from"), want_from))
                continue;
            found = true;
            ck_assert_msg(!strcmp(str(c, "sha256"), sha), "%s: flow %u sha256 %s, recipe %s", what, i,
                          str(c, "sha256"), sha);
        }
        ck_assert_msg(found, "%s: no connection from %s", what, want_from);
    }
}

START_TEST(test_exact_delivery)
{
    /* Writes of 10000 bytes: each cut into 6 full segments and a short one. */
    const char *args[] = { "--flows", "3", "--bytes", "300000", "--send-size", "10000", "--seed", "7", NULL };
    json_object *j = closed_ok(args, NULL);
    check_exact(j, 7, 3, 300000, "3 flows");
    json_object *snd = get(get(j, "result"), "sender");
    ck_assert_int_eq(i64(snd, "retransmits"), 0);   /* a default ring drops nothing here */
    json_object_put(j);
}
END_TEST

/* Under each congestion control (_i: newreno, cubic). */
START_TEST(test_ring_drops_recovered)
{
    const char *cc = _i ? "cubic" : "newreno";
    const char *args[] = { "--ring", "8", "--flows", "4", "--bytes", "1M", "--cc", cc, NULL };
    char *raw1, *raw2;
    json_object *j = closed_ok(args, &raw1);
    json_object *r = get(j, "result"), *snd = get(r, "sender");
    ck_assert_msg(i64(get(r, "drops"), "ring_full") > 0, "a ring of 8 dropped nothing");
    ck_assert_int_gt(i64(snd, "retransmits"), 0);
    ck_assert_int_gt(i64(snd, "fast_retransmits"), 0);
    ck_assert_msg(num(snd, "recovery_s") > 0, "no time in recovery");
    check_exact(j, 1, 4, 1u << 20, cc);
    ck_assert_str_eq(str(get(j, "config"), "cc"), cc);
    /* closed_ok() asked for exit 0: no direction left unanswered (exit 5). */
    json_object_put(j);
    /* Deterministic: the same run, the same JSON. */
    json_object_put(closed_ok(args, &raw2));
    ck_assert_msg(!strcmp(raw1, raw2), "two identical closed-loop runs differ");
    free(raw1);
    free(raw2);
}
END_TEST

/* Goodput and utilisation of one configuration. */
static void figures(const char *const *args, double *goodput, double *util)
{
    json_object *j = closed_ok(args, NULL);
    json_object *r = get(j, "result");
    *goodput = num(r, "goodput_mbps");
    *util = num(r, "cpu_utilisation");
    json_object *snd = get(r, "sender");
    ck_assert_int_eq(i64(snd, "bytes_stranded"), 0);
    json_object_put(j);
}

START_TEST(test_cpu_bound_then_link_bound)
{
    /* One CPU, 10G, a short RTT so slow start is a small part of the run. */
    const char *cpu[] = { "--cpus", "1", "--link", "10G", "--rtt", "20", "--bytes", "30M", NULL };
    const char *gro[] = { "--cpus", "1", "--link", "10G", "--rtt", "20", "--bytes", "30M", "--delivery", "gro", NULL };
    const char *slow[] = { "--cpus", "1", "--link", "100M", "--rtt", "20", "--bytes", "4M", NULL };
    double g_cpu, u_cpu, g_gro, u_gro, g_slow, u_slow;
    figures(cpu, &g_cpu, &u_cpu);
    figures(gro, &g_gro, &u_gro);
    figures(slow, &g_slow, &u_slow);
    ck_assert_msg(u_cpu > 0.9, "10G on one CPU: utilisation %.3f, want near 1", u_cpu);
    ck_assert_msg(g_cpu < 0.9 * 10000, "10G on one CPU: goodput %.0f Mbit/s, want below the link", g_cpu);
    ck_assert_msg(g_gro > g_cpu, "GRO: goodput %.0f, want above packet's %.0f", g_gro, g_cpu);
    /* 100M: payload 1448 of 1538 wire bytes caps goodput at 94 Mbit/s. */
    ck_assert_msg(g_slow > 85 && g_slow < 100, "100M: goodput %.1f Mbit/s, want link-bound (85..100)", g_slow);
    ck_assert_msg(u_slow < u_cpu / 4, "100M: utilisation %.3f, want far below 10G's %.3f", u_slow, u_cpu);
}
END_TEST

START_TEST(test_nics)
{
    const char *args[] = { "--nics", "3", "--cpus", "2", "--flows", "4", "--bytes", "217200", "--send-size", "14480", NULL };
    json_object *j = closed_ok(args, NULL);
    check_exact(j, 1, 4, 217200, "3 NICs");
    json_object *nics = get(j, "nics");
    ck_assert_int_eq((int)json_object_array_length(nics), 3);
    int64_t in[3];
    for (int k = 0; k < 3; k++)
        in[k] = i64(json_object_array_get_idx(nics, k), "frames_in");
    ck_assert_int_eq(in[0], 2 * 151);
    ck_assert_int_eq(in[1], 151);
    ck_assert_int_eq(in[2], 151);
    json_object_put(j);
}
END_TEST

START_TEST(test_two_traces_refused)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    const char *args[] = { trace, trace, NULL };
    int rc;
    json_object *j = closed(args, NULL, &rc);
    ck_assert_int_eq(rc, 2);
    if (j)
        json_object_put(j);
}
END_TEST

static Suite *closed_suite(void)
{
    Suite *s = suite_create("closed");
    TCase *tc = tcase_create("closed");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_exact_delivery);
    tcase_add_loop_test(tc, test_ring_drops_recovered, 0, 2);
    tcase_add_test(tc, test_cpu_bound_then_link_bound);
    tcase_add_test(tc, test_nics);
    tcase_add_test(tc, test_two_traces_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(closed_suite());
}
