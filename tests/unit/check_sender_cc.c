/* tests/unit/check_sender_cc.c: the closed-loop sender's NewReno and RTO
 * arithmetic (drivers/sender_cc.h), on small hand-computed cases with an
 * MSS of 1000 bytes so every window is a round number. */
#include <check.h>

#include "drivers/sender_cc.h"
#include "tests/common/testenv.h"

#define MSS 1000u

START_TEST(test_slow_start_and_avoidance)
{
    struct sender_cc cc;
    bool left;
    sender_cc_init(&cc, MSS);
    ck_assert_uint_eq(cc.cwnd, 10000);          /* IW10 */
    /* Slow start: a delayed ACK of 2000 bytes adds 2000; a stretch ACK of
     * 5000 adds all 5000 (Linux; RFC 3465's L = 2 would add 2000); slow
     * start stops at ssthresh: 17000 + 4000 capped at 18000. */
    ck_assert_int_eq(sender_cc_ack(&cc, 2000, 2000, 8000, 0, &left), SENDER_CC_NOTHING);
    ck_assert_uint_eq(cc.cwnd, 12000);
    sender_cc_ack(&cc, 5000, 7000, 5000, 0, &left);
    ck_assert_uint_eq(cc.cwnd, 17000);
    cc.ssthresh = 18000;
    sender_cc_ack(&cc, 4000, 11000, 5000, 0, &left);
    ck_assert_uint_eq(cc.cwnd, 18000);
    /* Congestion avoidance at cwnd 14000: one MSS per 14000 bytes acked.
     * 7 ACKs of 2000: the 7th reaches 14000, cwnd 15000, remainder 0. */
    cc.cwnd = 14000;
    cc.ssthresh = 14000;
    for (int i = 0; i < 6; i++)
        sender_cc_ack(&cc, 2000, 9000 + 2000 * (uint64_t)i, 10000, 0, &left);
    ck_assert_uint_eq(cc.cwnd, 14000);
    sender_cc_ack(&cc, 2000, 21000, 10000, 0, &left);
    ck_assert_uint_eq(cc.cwnd, 15000);
    ck_assert_uint_eq(cc.acked_ca, 0);
}
END_TEST

START_TEST(test_fast_retransmit_newreno)
{
    struct sender_cc cc;
    bool left;
    sender_cc_init(&cc, MSS);
    cc.cwnd = 20000;
    cc.ssthresh = 1000000;
    /* 20 segments out, [0, 20000); the first lost.  Dup ACKs at una 0:
     * nothing on the first two, fast retransmit on the third with
     * ssthresh = 20000 / 2 = 10000, cwnd = 10000 + 3000 = 13000, recover =
     * 20000; the fourth inflates to 14000. */
    ck_assert_int_eq(sender_cc_dupack(&cc, 0, 20000, 20000), SENDER_CC_NOTHING);
    ck_assert_int_eq(sender_cc_dupack(&cc, 0, 20000, 20000), SENDER_CC_NOTHING);
    ck_assert_int_eq(sender_cc_dupack(&cc, 0, 20000, 20000), SENDER_CC_RETRANSMIT);
    ck_assert(cc.in_recovery);
    ck_assert_uint_eq(cc.ssthresh, 10000);
    ck_assert_uint_eq(cc.cwnd, 13000);
    ck_assert_uint_eq(cc.recover, 20000);
    sender_cc_dupack(&cc, 0, 20000, 22000);
    ck_assert_uint_eq(cc.cwnd, 14000);
    /* A partial ACK to 5000 (a second hole there): retransmit, cwnd
     * 14000 - 5000 + 1000 = 10000, still in recovery. */
    ck_assert_int_eq(sender_cc_ack(&cc, 5000, 5000, 17000, 0, &left), SENDER_CC_RETRANSMIT);
    ck_assert(!left && cc.in_recovery);
    ck_assert_uint_eq(cc.cwnd, 10000);
    /* The full ACK to 22000 (past recover), 2000 still out: cwnd =
     * min(ssthresh 10000, 2000 + 1000) = 3000. */
    ck_assert_int_eq(sender_cc_ack(&cc, 17000, 22000, 2000, 0, &left), SENDER_CC_NOTHING);
    ck_assert(left && !cc.in_recovery);
    ck_assert_uint_eq(cc.cwnd, 3000);
    /* Three more dup ACKs at una 22000 > recover 20000: a new recovery. */
    sender_cc_dupack(&cc, 22000, 3000, 25000);
    sender_cc_dupack(&cc, 22000, 3000, 25000);
    ck_assert_int_eq(sender_cc_dupack(&cc, 22000, 3000, 25000), SENDER_CC_RETRANSMIT);
    ck_assert_uint_eq(cc.ssthresh, 2000);       /* max(3000 / 2, 2 MSS) */
}
END_TEST

START_TEST(test_no_recovery_before_recover)
{
    struct sender_cc cc;
    sender_cc_init(&cc, MSS);
    /* After a timeout with 30000 sent, dup ACKs for data below recover
     * (una 5000 < 30000) start no fast retransmit (RFC 6582 step 2). */
    sender_cc_timeout(&cc, 10000, 30000);
    ck_assert_uint_eq(cc.cwnd, 1000);
    ck_assert_uint_eq(cc.ssthresh, 5000);
    ck_assert_uint_eq(cc.rto, 2 * SENDER_RTO_INIT);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(sender_cc_dupack(&cc, 5000, 8000, 30000), SENDER_CC_NOTHING);
    ck_assert(!cc.in_recovery);
}
END_TEST

START_TEST(test_rto)
{
    struct sender_cc cc;
    sender_cc_init(&cc, MSS);
    ck_assert_int_eq(cc.rto, SENDER_RTO_INIT);  /* 1 s before a sample */
    /* First sample 100 ms: srtt 100, rttvar 50, rto = 100 + 200 = 300 ms. */
    sender_cc_rtt(&cc, 100 * SIM_PS_PER_MS);
    ck_assert_int_eq(cc.srtt, 100 * SIM_PS_PER_MS);
    ck_assert_int_eq(cc.rttvar, 50 * SIM_PS_PER_MS);
    ck_assert_int_eq(cc.rto, 300 * SIM_PS_PER_MS);
    /* Second 180 ms: rttvar = (3 * 50 + 80) / 4 = 57.5, srtt = (7 * 100 +
     * 180) / 8 = 110, rto = 110 + 230 = 340 ms. */
    sender_cc_rtt(&cc, 180 * SIM_PS_PER_MS);
    ck_assert_int_eq(cc.rttvar, 57500 * SIM_PS_PER_US);
    ck_assert_int_eq(cc.srtt, 110 * SIM_PS_PER_MS);
    ck_assert_int_eq(cc.rto, 340 * SIM_PS_PER_MS);
    /* A LAN's 100 us: srtt + 4 rttvar is far below Linux's 200 ms floor. */
    struct sender_cc lan;
    sender_cc_init(&lan, MSS);
    sender_cc_rtt(&lan, 100 * SIM_PS_PER_US);
    ck_assert_int_eq(lan.rto, SENDER_RTO_MIN);
    /* Backoff doubles up to 120 s. */
    for (int i = 0; i < 20; i++)
        sender_cc_timeout(&lan, 0, 0);
    ck_assert_int_eq(lan.rto, SENDER_RTO_MAX);
}
END_TEST

/* CUBIC (RFC 9438) by hand, MSS 1000, C = 0.4 segments/s^3, beta 0.7. */
START_TEST(test_cubic)
{
    struct sender_cc cc;
    bool left;
    sender_cc_init(&cc, MSS);
    cc.algo = SENDER_CC_CUBIC;
    cc.cwnd = 100000;
    /* Third duplicate with 100000 bytes out: ssthresh 0.7 x 100000 = 70000
     * (NewReno: 50000), cwnd 70000 + 3 MSS; the plateau W_max = 100000. */
    for (int i = 0; i < 2; i++)
        sender_cc_dupack(&cc, 0, 100000, 100000);
    ck_assert_int_eq(sender_cc_dupack(&cc, 0, 100000, 100000), SENDER_CC_RETRANSMIT);
    ck_assert_uint_eq(cc.ssthresh, 70000);
    ck_assert_uint_eq(cc.cwnd, 73000);
    ck_assert_uint_eq(cc.cubic.w_max, 100000);
    /* The full ACK: cwnd = min(ssthresh, flight + MSS) = min(70000, 69000 + 1000). */
    sender_cc_ack(&cc, 31000, 100000, 69000, 0, &left);
    ck_assert(left);
    ck_assert_uint_eq(cc.cwnd, 70000);
    /* Avoidance begins at 10 s: K = cbrt((100 - 70) / 0.4) = cbrt(75) =
     * 4.2172 s, W_cubic(0) = 0.4 (-K)^3 + 100 = 70 segments: no cubic
     * growth.  The Reno-friendly estimate grows by alpha = 3 x 0.3 / 1.7 =
     * 0.5294 segments per window: 70000 + 0.5294 x 1000 x 1000 / 70000 =
     * 70007.56, above W_cubic(0), so cwnd = 70007. */
    const sim_ps t0 = 10 * SIM_PS_PER_SEC;
    sender_cc_ack(&cc, 1000, 101000, 69000, t0, &left);
    ck_assert_msg(cc.cubic.k_s > 4.2171 && cc.cubic.k_s < 4.2172, "K %f", cc.cubic.k_s);
    ck_assert_uint_eq(cc.cwnd, 70007);
    /* At t = K the curve is at its plateau, 100000 bytes (under the 1.5 cwnd
     * cap): cwnd grows by (100000 - 70007) x 1000 / 70007 = 428.4 -> 70435;
     * W_cubic is above the estimate (70015.1), which no longer decides. */
    sender_cc_ack(&cc, 1000, 102000, 69000, t0 + (sim_ps)(cc.cubic.k_s * SIM_PS_PER_SEC), &left);
    ck_assert_uint_eq(cc.cwnd, 70435);
    /* Fast convergence: a loss below the plateau aims lower, W_max = 90000 x
     * (1 + 0.7) / 2 = 76500; ssthresh 0.7 x 80000 = 56000. */
    cc.cwnd = 90000;
    cc.dupacks = 0;
    for (int i = 0; i < 3; i++)
        sender_cc_dupack(&cc, 110000, 80000, 190000);
    ck_assert_uint_eq(cc.cubic.w_max, 76500);
    ck_assert_uint_eq(cc.ssthresh, 56000);
    ck_assert(!cc.cubic.in_epoch);
    /* A timeout: ssthresh 0.7 x 50000 = 35000, one segment. */
    sender_cc_timeout(&cc, 50000, 200000);
    ck_assert_uint_eq(cc.ssthresh, 35000);
    ck_assert_uint_eq(cc.cwnd, MSS);
    enum sender_cc_algo a;
    ck_assert_int_eq(sender_cc_algo_parse("cubic", &a), 0);
    ck_assert_int_eq(a, SENDER_CC_CUBIC);
    ck_assert_int_eq(sender_cc_algo_parse("reno", &a), -1);
}
END_TEST

static Suite *sender_cc_suite(void)
{
    Suite *s = suite_create("sender_cc");
    TCase *tc = tcase_create("sender_cc");
    tcase_add_test(tc, test_slow_start_and_avoidance);
    tcase_add_test(tc, test_fast_retransmit_newreno);
    tcase_add_test(tc, test_no_recovery_before_recover);
    tcase_add_test(tc, test_rto);
    tcase_add_test(tc, test_cubic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(sender_cc_suite());
}
