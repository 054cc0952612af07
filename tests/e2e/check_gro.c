/* tests/e2e/check_gro.c: gro_flush_timeout and napi_defer_hard_irqs through
 * rxsim run on a small synth trace, the answers computed by hand:
 *
 * The trace: rxsim synth, one flow of 512 KiB in 64 KiB writes (8 writes of
 * 45 segments of 1448 bytes and a 376-byte one with PSH: 368 data
 * segments), replayed at 1 Gbit/s: a 1514-byte frame every (1514 + 24) x 8
 * ns = 12.3 us.  372 frames reach the host (the 368, the handshake's SYN
 * and ACK, the FIN and the last ACK; the receiver's ACKs are skipped).
 *
 *  - Defaults (rx-usecs 20, no timeout): an interrupt 20 us after a first
 *    frame finds 2 (t, t + 12.3; the third comes at 24.6), and each poll
 *    completes: GRO sends its 2 up.  About 372 / 2 passes: frames per pass
 *    between 1.5 and 2.5.
 *  - gro_flush_timeout 200 us, napi_defer_hard_irqs 2: after the first
 *    interrupt, every poll finds work, so the interrupt stays masked and the
 *    timer polls every ~200 us (~16 frames each); GRO holds a write's
 *    segments across polls until its PSH, except that a completion sends up
 *    a packet begun in an earlier jiffy (1 ms: the 4.5 ms trace crosses 4
 *    boundaries, at most one split each) and a segment whose timestamp
 *    changed (the sender's clock ticks each ms: at most 5 more).  Passes <=
 *    8 writes + 4 non-data + 4 + 5 = 21: frames per pass >= 372 / 21 = 17.7.
 *    One interrupt in all; every other poll is the timer's.
 *  - gro_flush_timeout alone: interrupts as by default (the interrupt is
 *    unmasked after each poll), but GRO holds across them, so the same
 *    bound; each poll re-arms the timer, which fires once, at the end.
 * Every run reads the 512 KiB the truth file says, with its SHA-256. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char trace[600], sha[80];

static void make_trace(void)
{
    char tmp[512], truth[700];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(trace, sizeof trace, "%s/one.pcap", tmp);
    char *synth[] = { "synth", "-o", trace, "--flows", "1", "--bytes", "512K", "--send-size", "64K", "--seed", "4",
                      NULL };
    ck_assert_int_eq(testenv_rxsim(synth, NULL, NULL), 0);
    snprintf(truth, sizeof truth, "%s.truth.json", trace);
    json_object *t = json_object_from_file(truth);
    ck_assert_msg(t, "cannot read %s", truth);
    json_object *d = json_object_array_get_idx(get(t, "directions"), 0);
    ck_assert_int_eq(i64(d, "bytes"), 512 * 1024);
    snprintf(sha, sizeof sha, "%s", str(d, "sha256"));
    json_object_put(t);
}

/* rxsim run --json --delivery gro --replay rate:1G --app fixed:1 ARGS... on
 * the trace.  The reader apart from the softirq, so that the NAPI options
 * alone decide when interrupts come (beside it, its copies shift them). */
static json_object *run(const char *const *args)
{
    static const char *const fixed[] = { "--delivery", "gro", "--replay", "rate:1G", "--app", "fixed:1", NULL };
    json_object *j = testenv_run_json(fixed, args, trace, "check_gro", NULL);
    json_object *c = json_object_array_get_idx(get(j, "connections"), 0);
    ck_assert_int_eq(i64(get(j, "result"), "bytes_read"), 512 * 1024);
    ck_assert_str_eq(str(c, "sha256"), sha);
    ck_assert_int_eq(i64(get(j, "result"), "frames_to_stack"), 372);
    return j;
}

START_TEST(timeout_and_deferral_raise_segments_per_skb)
{
    make_trace();
    const char *none[] = { NULL };
    const char *defer[] = { "--gro-flush-timeout", "200000", "--napi-defer-hard-irqs", "2", NULL };
    const char *alone[] = { "--gro-flush-timeout", "200000", NULL };
    json_object *a = run(none), *b = run(defer), *c = run(alone);
    json_object *ra = get(a, "result"), *rb = get(b, "result"), *rc = get(c, "result");
    double fa = num(ra, "frames_per_pass"), fb = num(rb, "frames_per_pass"), fc = num(rc, "frames_per_pass");
    ck_assert_msg(fa > 1.5 && fa < 2.5, "defaults: %.2f frames per pass, want about 2", fa);
    ck_assert_msg(fb >= 17.7, "timeout + defer: %.2f frames per pass, want >= 17.7", fb);
    ck_assert_msg(fc >= 17.7, "timeout alone: %.2f frames per pass, want >= 17.7", fc);
    ck_assert_int_eq(i64(ra, "napi_timer_polls"), 0);
    ck_assert_int_eq(i64(rb, "interrupts"), 1);
    ck_assert_int_eq(i64(rb, "softirq_polls"), 1 + i64(rb, "napi_timer_polls"));
    ck_assert_int_eq(i64(rb, "irqs_deferred"), i64(rb, "napi_timer_polls"));
    ck_assert_int_eq(i64(rc, "interrupts"), i64(ra, "interrupts"));
    ck_assert_int_eq(i64(rc, "napi_timer_polls"), 1);
    ck_assert_int_eq(i64(rc, "irqs_deferred"), 0);
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
}
END_TEST

static Suite *gro_suite(void)
{
    Suite *s = suite_create("gro");
    TCase *tc = tcase_create("napi");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, timeout_and_deferral_raise_segments_per_skb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(gro_suite());
}
