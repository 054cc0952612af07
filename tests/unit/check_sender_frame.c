/* tests/unit/check_sender_frame.c: the closed-loop senders' frames and wire
 * impairments, on small hand-computed cases.
 *
 *  - drivers/sender_frame.h: an IPv4 SYN with every option and an IPv6 data
 *    segment without timestamps: lengths, header fields, option bytes and
 *    payload at the offsets the headers give, and both checksums verifying
 *    (the IPv4 header folds to 0, TCP over its pseudo-header folds to 0).
 *  - drivers/sender_impair.h: with both probabilities 0 every frame arrives
 *    and nothing is drawn; with loss 1 every frame is lost; with reorder 1 a
 *    frame is held and handed back to its wire at its arrival time plus the
 *    delay, released one one-way delay before it. */
#include <check.h>
#include <string.h>

#include "copy/csum.h"
#include "drivers/sender_frame.h"
#include "drivers/sender_impair.h"
#include "tests/common/testenv.h"

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

START_TEST(test_ipv4_syn)
{
    struct sender_flow_spec sp = { .v = 4, .caddr = { 10, 0, 0, 1 }, .saddr = { 10, 0, 0, 2 }, .sport = 40000,
                                   .dport = 5001, .bytes = 100, .send_size = 100, .mss = 1460, .wscale = 7,
                                   .has_wscale = true, .has_ts = true };
    struct sender_frame f = { .sp = &sp, .syn = true, .seq = 1000, .ip_id = 7, .tsval = 42 };
    uint8_t fr[256];
    /* 14 Ethernet + 20 IPv4 + 20 TCP + 20 options (MSS 4, NOP NOP TS 12, NOP WS 4) = 74 */
    ck_assert_uint_eq(sender_frame_build(fr, &f), 74);
    ck_assert_uint_eq(get16(fr + 12), 0x0800);
    const uint8_t *ip = fr + 14, *th = ip + 20;
    ck_assert_uint_eq(ip[0], 0x45);
    ck_assert_uint_eq(get16(ip + 2), 60);               /* 20 + 40 */
    ck_assert_uint_eq(get16(ip + 4), 7);
    ck_assert_uint_eq(csum_fold(csum_partial(ip, 20, 0)), 0);
    ck_assert_uint_eq(get16(th), 40000);
    ck_assert_uint_eq(get16(th + 2), 5001);
    ck_assert_uint_eq(get16(th + 4) << 16 | get16(th + 6), 1000);
    ck_assert_uint_eq(th[12], 10 << 4);                 /* 40 bytes of header: 10 words */
    ck_assert_uint_eq(th[13], 0x02);                    /* SYN alone */
    static const uint8_t opt[20] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 42, 0, 0, 0, 0, 1, 3, 3, 7 };
    ck_assert_mem_eq(th + 20, opt, 20);
    ck_assert_uint_eq(csum_fold(csum_partial(th, 40, csum_pseudo_v4(sp.caddr, sp.saddr, 6, 40))), 0);
}
END_TEST

START_TEST(test_ipv6_data)
{
    uint8_t data[300];
    for (int i = 0; i < 300; i++)
        data[i] = (uint8_t)(i * 7);
    struct sender_flow_spec sp = { .v = 6, .caddr = { 0xfd, 0x78, [15] = 1 }, .saddr = { 0xfd, 0x78, [15] = 2 },
                                   .sport = 41000, .dport = 5001, .bytes = 300, .data = data, .send_size = 300,
                                   .mss = 1440 };
    struct sender_frame f = { .sp = &sp, .psh = true, .seq = 5, .off = 200, .len = 100 };
    uint8_t fr[256];
    /* 14 Ethernet + 40 IPv6 + 20 TCP (no timestamps) + 100 payload = 174 */
    ck_assert_uint_eq(sender_frame_build(fr, &f), 174);
    ck_assert_uint_eq(get16(fr + 12), 0x86dd);
    const uint8_t *ip = fr + 14, *th = ip + 40;
    ck_assert_uint_eq(ip[0] >> 4, 6);
    ck_assert_uint_eq(get16(ip + 4), 120);              /* payload length: TCP 20 + 100 */
    ck_assert_uint_eq(ip[6], 6);
    ck_assert_mem_eq(ip + 8, sp.caddr, 16);
    ck_assert_mem_eq(ip + 24, sp.saddr, 16);
    ck_assert_uint_eq(th[12], 5 << 4);
    ck_assert_uint_eq(th[13], 0x18);                    /* ACK | PSH: the write's last segment */
    ck_assert_mem_eq(th + 20, data + 200, 100);
    ck_assert_uint_eq(csum_fold(csum_partial(th, 120, csum_pseudo_v6(sp.caddr, sp.saddr, 6, 120))), 0);
}
END_TEST

struct released {
    int n;
    void *dest;
    uint32_t len;
    sim_ps at, when;
    struct sim_queue *q;
};

static void on_release(void *ctx, void *dest, const uint8_t *frame, uint32_t len, sim_ps at)
{
    (void)frame;
    struct released *r = ctx;
    r->n++;
    r->dest = dest;
    r->len = len;
    r->at = at;
    r->when = r->q->now;
}

START_TEST(test_impair)
{
    struct sim_queue q;
    ck_assert_int_eq(sim_queue_init(&q), 0);
    struct released r = { .q = &q };
    struct sender_impair im;
    uint8_t frame[64] = { 1 };
    int wire;
    /* Nothing asked: nothing drawn, every frame arrives. */
    sender_impair_init(&im, 0, 0, 0, 1, &q, 50 * SIM_PS_PER_US, on_release, &r);
    struct sim_rng before = im.rng;
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(sender_impair_fate(&im, &wire, frame, 64, 1000, 0), SENDER_FATE_ARRIVES);
    ck_assert_mem_eq(&im.rng, &before, sizeof before);
    sender_impair_fini(&im);
    /* Loss 1 (the option caps it below 1; the arithmetic allows it). */
    sender_impair_init(&im, 1, 0, 0, 1, &q, 50 * SIM_PS_PER_US, on_release, &r);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(sender_impair_fate(&im, &wire, frame, 64, 1000, 0), SENDER_FATE_LOST);
    ck_assert_uint_eq(im.lost, 10);
    sender_impair_fini(&im);
    /* Reorder 1, 30 us: a frame arriving at 200 us (sender's clock, offset
     * 10 us) arrives at 230 us instead, put back at 230 - 50 = 180 us of
     * the sender's clock = 170 us simulated. */
    sender_impair_init(&im, 0, 1, 30 * SIM_PS_PER_US, 1, &q, 50 * SIM_PS_PER_US, on_release, &r);
    ck_assert_int_eq(sender_impair_fate(&im, &wire, frame, 64, 200 * SIM_PS_PER_US, 10 * SIM_PS_PER_US),
                     SENDER_FATE_HELD);
    ck_assert_uint_eq(im.reordered, 1);
    while (sim_step(&q, NULL))
        ;
    ck_assert_int_eq(r.n, 1);
    ck_assert_ptr_eq(r.dest, &wire);
    ck_assert_uint_eq(r.len, 64);
    ck_assert_int_eq(r.at, 230 * SIM_PS_PER_US);
    ck_assert_int_eq(r.when, 170 * SIM_PS_PER_US);
    ck_assert_ptr_null(im.held);
    sender_impair_fini(&im);
    sim_queue_fini(&q);
}
END_TEST

static Suite *frame_suite(void)
{
    Suite *s = suite_create("sender_frame");
    TCase *tc = tcase_create("sender_frame");
    tcase_add_test(tc, test_ipv4_syn);
    tcase_add_test(tc, test_ipv6_data);
    tcase_add_test(tc, test_impair);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(frame_suite());
}
