/* tests/unit/check_functions.c: rxsim validate --functions
 * (sim/validate/functions.c) on a hand-made --keep-perf directory.
 *
 * Two configurations, A ("same-csum-nogro-1500": two repetitions) and B
 * ("other-csum-nogro-1500": one), every repetition with sample_period_ns 1000
 * and tsc_ghz 2.0, so a sample is 2000 cycles.  The samples, by chain:
 *   COPY   the reader's recv(): _copy_to_iter < skb_copy_datagram_iter <
 *          tcp_recvmsg ... (the receive side)
 *   RCV    the softirq in the sender's send(): tcp_rcv_established <
 *          tcp_v4_do_rcv < tcp_v4_rcv < ... net_rx_action < handle_softirqs <
 *          ... tcp_sendmsg (the receive side, or shared with the ACKs)
 *   SEND   the sender's own copy: csum_partial_copy_generic < ...
 *          tcp_sendmsg (the sender: never counted)
 *   COPY x2, SEND x2, segs_in 10
 *   COPY x1, RCV x1, segs_in 10
 *   B-000: COPY x1, RCV x4, SEND x1, segs_in 20
 * Cycles per segment in, by hand:
 *   _copy_to_iter          A 3 x 2000 / 20 = 300   B 1 x 2000 / 20 = 100
 *   tcp_rcv_established    A 1 x 2000 / 20 = 100   B 4 x 2000 / 20 = 400
 *   all functions          A 400                   B 500
 * Most different first: tcp_rcv_established (spread 300), then _copy_to_iter
 * (200); csum_partial_copy_generic is in no row.  --top 1 keeps the first.
 * And the errors: a directory without perf/, counters.txt without segs_in,
 * a perf script without the reader's samples (its recv path would be lost). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/validate/functions.h"
#include "tests/common/testenv.h"

static const char *const copy_chain =
    "rxv-reader 200/200 [001] cpu-clock: \n"
    "\tffffffff81a2b3c4 _copy_to_iter\n"
    "\tffffffff81a2c000 skb_copy_datagram_iter\n"
    "\tffffffff82071000 tcp_recvmsg_locked\n"
    "\tffffffff82072000 tcp_recvmsg\n"
    "\tffffffff820a0000 inet_recvmsg\n"
    "\tffffffff81e7e000 sock_recvmsg\n"
    "\tffffffff81e7f500 __sys_recvfrom\n"
    "\tffffffff81e7f600 __x64_sys_recvfrom\n"
    "\tffffffff8225a101 do_syscall_64\n"
    "\tffffffff81000130 entry_SYSCALL_64_after_hwframe\n"
    "\t          11e2f0 __libc_recv\n"
    "\n";

/* The sender's send() the two sender chains run inside. */
#define SEND_CALL \
    "\tffffffff8206cba0 tcp_sendmsg_locked\n" \
    "\tffffffff8206d66b tcp_sendmsg\n" \
    "\tffffffff81e7f039 __sys_sendto\n" \
    "\tffffffff81e7f080 __x64_sys_sendto\n" \
    "\tffffffff8225a101 do_syscall_64\n" \
    "\tffffffff81000130 entry_SYSCALL_64_after_hwframe\n" \
    "\t          10ab59 __send\n" \
    "\n"

static const char *const rcv_chain =
    "rxv-sender 100/100 [000] cpu-clock: \n"
    "\tffffffff8207eb4e tcp_rcv_established\n"
    "\tffffffff82091ea0 tcp_v4_do_rcv\n"
    "\tffffffff8209435a tcp_v4_rcv\n"
    "\tffffffff820540bc ip_protocol_deliver_rcu\n"
    "\tffffffff820542d1 ip_local_deliver_finish\n"
    "\tffffffff81eb77dd __netif_receive_skb_one_core\n"
    "\tffffffff81eb7ac3 process_backlog\n"
    "\tffffffff81eb81b1 __napi_poll\n"
    "\tffffffff81eb878e net_rx_action\n"
    "\tffffffff8136979d handle_softirqs\n"
    "\tffffffff813691ab do_softirq.part.0\n"
    "\tffffffff81369a94 __local_bh_enable_ip\n"
    "\tffffffff81eb48c4 __dev_queue_xmit\n"
    "\tffffffff8205892c ip_finish_output2\n"
    SEND_CALL;

static const char *const send_chain =
    "rxv-sender 100/100 [000] cpu-clock: \n"
    "\tffffffff82256444 csum_partial_copy_generic\n"
    "\tffffffff81e8d16d skb_copy_and_csum_bits\n"
    SEND_CALL;

static char dir[1024];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* DIR/perf/NAME with its counters and ncopy, nrcv, nsend samples. */
static void rep(const char *name, int segs, int ncopy, int nrcv, int nsend)
{
    char path[1400], text[64];
    snprintf(path, sizeof path, "%s/perf/%s", dir, name);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/perf/%s/counters.txt", dir, name);
    snprintf(text, sizeof text, "segs_in %d\nsample_period_ns 1000\ntsc_ghz 2.000000 (measured)\n", segs);
    write_file(path, text);
    size_t cap = 16384, used = 0;
    char *script = calloc(1, cap);
    ck_assert(script != NULL);
    for (int i = 0; i < ncopy + nrcv + nsend; i++) {
        const char *c = i < ncopy ? copy_chain : i < ncopy + nrcv ? rcv_chain : send_chain;
        ck_assert(used + strlen(c) < cap);
        memcpy(script + used, c, strlen(c) + 1);
        used += strlen(c);
    }
    snprintf(path, sizeof path, "%s/perf/%s/perf.script", dir, name);
    write_file(path, script);
    free(script);
}

static void setup(void)
{
    testenv_mkdtemp(dir, sizeof dir);
    char path[1100];
    snprintf(path, sizeof path, "%s/perf", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    rep("same-csum-nogro-1500-000", 10, 2, 0, 2);
    rep("same-csum-nogro-1500-001", 10, 1, 1, 0);
    rep("other-csum-nogro-1500-000", 20, 1, 4, 1);
}

/* The table's text for --top top. */
static char *table(int top)
{
    char *text = NULL, err[512] = "";
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    ck_assert(out != NULL);
    int r = val_functions(dir, top, out, err, sizeof err);
    fclose(out);
    ck_assert_msg(r == 0, "%s", err);
    return text;
}

/* The row of name: its two numbers, in the table's column order. */
static void row(const char *text, const char *name, double *first, double *second)
{
    const char *p = strstr(text, name);
    ck_assert_msg(p != NULL, "no row %s in:\n%s", name, text);
    ck_assert_int_eq(sscanf(p + strlen(name), "%lf %lf", first, second), 2);
}

START_TEST(cycles_per_segment_by_hand)
{
    char *t = table(30);
    /* the columns in directory order: other-... before same-... */
    const char *b = strstr(t, "other-csum-nogro-1500"), *a = strstr(t, "same-csum-nogro-1500");
    ck_assert_msg(a && b && b < a, "columns:\n%s", t);
    double vb, va;
    row(t, "_copy_to_iter", &vb, &va);
    ck_assert_double_eq_tol(va, 300, 0.5);
    ck_assert_double_eq_tol(vb, 100, 0.5);
    row(t, "tcp_rcv_established", &vb, &va);
    ck_assert_double_eq_tol(va, 100, 0.5);
    ck_assert_double_eq_tol(vb, 400, 0.5);
    row(t, "all functions", &vb, &va);
    ck_assert_double_eq_tol(va, 400, 0.5);
    ck_assert_double_eq_tol(vb, 500, 0.5);
    ck_assert_msg(strstr(t, "csum_partial_copy_generic") == NULL, "the sender's copy counted:\n%s", t);
    ck_assert_msg(strstr(t, "tcp_rcv_established") < strstr(t, "_copy_to_iter"), "order:\n%s", t);
    free(t);
    t = table(1);
    ck_assert_msg(strstr(t, "tcp_rcv_established") && !strstr(t, "_copy_to_iter"), "--top 1:\n%s", t);
    ck_assert_msg(strstr(t, "all functions") != NULL, "--top 1 keeps the totals:\n%s", t);
    free(t);
}
END_TEST

START_TEST(errors_name_the_file)
{
    char err[512] = "", path[1400];
    FILE *out = fopen("/dev/null", "w");
    ck_assert(out != NULL);
    snprintf(path, sizeof path, "%s/none", dir);
    ck_assert_int_eq(val_functions(path, 30, out, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "/none/perf") && strstr(err, "--keep-perf"), "%s", err);
    snprintf(path, sizeof path, "%s/perf/same-csum-nogro-1500-001/counters.txt", dir);
    write_file(path, "sample_period_ns 1000\ntsc_ghz 2.0\n");
    ck_assert_int_eq(val_functions(dir, 30, out, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "same-csum-nogro-1500-001/counters.txt") && strstr(err, "segs_in"), "%s", err);
    write_file(path, "segs_in 10\nsample_period_ns 1000\ntsc_ghz 2.0\n");
    snprintf(path, sizeof path, "%s/perf/same-csum-nogro-1500-001/perf.script", dir);
    write_file(path, rcv_chain);        /* the sender's samples only */
    ck_assert_int_eq(val_functions(dir, 30, out, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "same-csum-nogro-1500-001/perf.script") && strstr(err, "rxv-reader"), "%s", err);
    fclose(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("functions");
    TCase *tc = tcase_create("functions");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, cycles_per_segment_by_hand);
    tcase_add_test(tc, errors_name_the_file);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
