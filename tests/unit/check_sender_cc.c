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
    /* Slow start: a delayed ACK of 2000 bytes adds 2000 (L = 2 MSS); one of
     * 5000 (a stretch ACK) adds only 2000. */
    ck_assert_int_eq(sender_cc_ack(&cc, 2000, 2000, 8000, &left), SENDER_CC_NOTHING);
    ck_assert_uint_eq(cc.cwnd, 12000);
    sender_cc_ack(&cc, 5000, 7000, 5000, &left);
    ck_assert_uint_eq(cc.cwnd, 14000);
    /* Congestion avoidance at cwnd 14000: one MSS per 14000 bytes acked.
     * 7 ACKs of 2000: the 7th reaches 14000, cwnd 15000, remainder 0. */
    cc.ssthresh = 14000;
    for (int i = 0; i < 6; i++)
        sender_cc_ack(&cc, 2000, 9000 + 2000 * (uint64_t)i, 10000, &left);
    ck_assert_uint_eq(cc.cwnd, 14000);
    sender_cc_ack(&cc, 2000, 21000, 10000, &left);
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
    ck_assert_int_eq(sender_cc_ack(&cc, 5000, 5000, 17000, &left), SENDER_CC_RETRANSMIT);
    ck_assert(!left && cc.in_recovery);
    ck_assert_uint_eq(cc.cwnd, 10000);
    /* The full ACK to 22000 (past recover), 2000 still out: cwnd =
     * min(ssthresh 10000, 2000 + 1000) = 3000. */
    ck_assert_int_eq(sender_cc_ack(&cc, 17000, 22000, 2000, &left), SENDER_CC_NOTHING);
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

static Suite *sender_cc_suite(void)
{
    Suite *s = suite_create("sender_cc");
    TCase *tc = tcase_create("sender_cc");
    tcase_add_test(tc, test_slow_start_and_avoidance);
    tcase_add_test(tc, test_fast_retransmit_newreno);
    tcase_add_test(tc, test_no_recovery_before_recover);
    tcase_add_test(tc, test_rto);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(sender_cc_suite());
}
