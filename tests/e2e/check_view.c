/* tests/e2e/check_view.c: what the report adds for people reading it
 * (issue 16 item 3), on the shipped traces:
 *  - per RX queue counters: with RSS over 8 queues, the 4 connections of
 *    parallel4-v4-64k.pcap reach at most 4 queues, so at least 4 get no
 *    frame, and the report says so (rx_queues_without_frames, queues[],
 *    the text's "RX queues" line and per-queue block); the frames the queues
 *    took add up to the frames offered less the NIC's drops;
 *  - netperf's service demand is the busy time of all CPUs per KB read:
 *    cycles_total / MHz / (bytes_read / 1024), from the same report. */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char parallel[4096];

static char *run_text(const char *fmt, const char *trace, const char *const *args)
{
    char *argv[64];
    int n = 0;
    argv[n++] = "run";
    if (fmt)
        argv[n++] = (char *)fmt;
    argv[n++] = "--no-progress";
    for (int i = 0; args[i] && n < 60; i++)
        argv[n++] = (char *)args[i];
    argv[n++] = (char *)trace;
    argv[n] = NULL;
    char *text;
    int rc = testenv_run_lib(argv, &text);
    ck_assert_msg(rc == 0, "run %s: exit %d (stderr above)", trace, rc);
    return text;
}

START_TEST(idle_queues_are_said)
{
    const char *args[] = { "--queues", "8", "--cpus", "4", "--irq", "rss", NULL };
    char *text = run_text("--json", parallel, args);
    json_object *j = json_tokener_parse(text);
    ck_assert_ptr_nonnull(j);
    json_object *r = get(j, "result"), *qs = get(j, "queues");
    ck_assert_int_eq(i64(r, "rx_queues"), 8);
    ck_assert_msg(i64(r, "rx_queues_without_frames") >= 4, "%lld queues without a frame, want >= 4 (4 connections)",
                  (long long)i64(r, "rx_queues_without_frames"));
    ck_assert_uint_eq(json_object_array_length(qs), 8);
    int64_t frames = 0, idle = 0;
    for (size_t i = 0; i < 8; i++) {
        json_object *q = json_object_array_get_idx(qs, i);
        ck_assert_int_eq(i64(q, "queue"), (int64_t)i);
        frames += i64(q, "frames");
        idle += i64(q, "frames") == 0;
    }
    ck_assert_int_eq(idle, i64(r, "rx_queues_without_frames"));
    int64_t nic_drops = i64(get(r, "drops"), "ring_full") + i64(get(r, "drops"), "frame_too_long");
    ck_assert_msg(frames == i64(r, "frames_offered") - nic_drops, "queues took %lld frames; offered %lld, NIC drops %lld",
                  (long long)frames, (long long)i64(r, "frames_offered"), (long long)nic_drops);

    /* service demand: cycles / MHz = us of CPU, over KB read */
    double mhz = num(get(j, "config"), "ghz") * 1000;
    double want = (double)i64(r, "cycles_total") / mhz / ((double)i64(r, "bytes_read") / 1024);
    double sd = num(r, "service_demand_us_per_kb");
    ck_assert_msg(want > 0 && fabs(sd - want) < 1e-3 * want, "service demand %g, want %g", sd, want);
    json_object_put(j);
    free(text);

    text = run_text(NULL, parallel, args);
    ck_assert_msg(strstr(text, "\nRX queues      8; ") && strstr(text, " got no frame (RSS keeps each connection"),
                  "text: %s", text);
    ck_assert_msg(strstr(text, "  nic0 q7 ") && strstr(text, "(no frame: idle)"), "per-queue block: %s", text);
    ck_assert_msg(strstr(text, "\nservice demand ") && strstr(text, " us of CPU per KB read"), "text: %s", text);
    free(text);

    /* One queue: no warning line, no per-queue block. */
    const char *one[] = { "--queues", "1", NULL };
    text = run_text(NULL, parallel, one);
    ck_assert_msg(!strstr(text, "got no frame") && !strstr(text, "  nic0 q0 "), "one queue: %s", text);
    free(text);
}
END_TEST

int main(void)
{
    testenv_path(parallel, sizeof parallel, "traces/data/parallel4-v4-64k.pcap");
    if (access(parallel, R_OK))
        testenv_skip_suite("traces/data/parallel4-v4-64k.pcap missing from the source tree");
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("view");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, idle_queues_are_said);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
