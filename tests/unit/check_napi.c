/* tests/unit/check_napi.c: where NAPI ends a GRO packet, on hand-timed
 * frames through the NIC and the host (tests/common/sim_box.h), each answer
 * computed by hand below:
 *  - tcp_gro_receive's rules: a PSH segment or a short one ends the packet
 *    it joins;
 *  - a poll that used its whole budget keeps what GRO holds (__napi_poll),
 *    one that completes sends it up (napi_complete_done);
 *  - gro_flush_timeout holds packets across polls and its timer polls again;
 *    with napi_defer_hard_irqs the interrupt stays masked meanwhile;
 *  - veth: no interrupt, one poll per sender's burst;
 *  - the 64 KiB cap (issue 13 item 7): one flow's full segments, no PSH,
 *    all in one poll, merge into skbs of at most 65536 payload bytes.
 * Every run delivers the stream byte for byte.
 *
 * The frames: one flow, BURSTS bursts of PER_BURST segments of SEG bytes,
 * 1 us apart inside a burst, bursts 100 us apart (at 0, 100, 200, 300 us);
 * the last segment has PSH, as the last of a write does.  CPUs at 2.6 GHz:
 * an interrupt's entry is 1200 cycles (0.46 us), a poll of a few frames
 * costs under 15 us of cycles (softirq_pass 8100 plus per frame and per
 * packet costs), so every poll below ends long before the next burst. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/nic.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

#define SEG 1000
#define BURSTS 4
#define PER_BURST 4
#define NSEG (BURSTS * PER_BURST)

static uint8_t stream[NSEG * SEG];
static uint8_t fbytes[NSEG][SEG + 128];
static struct box_frame frames[NSEG];
static struct sim_box box;

/* flags_of(k): the TCP flags of segment k; len_of(k): its payload length. */
static void build(uint8_t (*flags_of)(int k), uint32_t (*len_of)(int k), int64_t burst_gap_ns)
{
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 7 + i / 251);
    uint32_t off = 0;
    for (int k = 0; k < NSEG; k++) {
        uint32_t len = len_of(k);
        struct pkt_spec s = { .seq = 1u + off, .flags = flags_of(k), .payload = stream + off, .len = len };
        size_t n = pkt_build(fbytes[k], sizeof fbytes[k], &s);
        ck_assert_uint_gt(n, 0);
        int64_t ts = (int64_t)(k / PER_BURST) * burst_gap_ns + (int64_t)(k % PER_BURST) * 1000;
        frames[k] = (struct box_frame){ fbytes[k], (uint32_t)n, ts };
        off += len;
    }
}

static uint8_t psh_last(int k) { return k == NSEG - 1 ? TCP_ACK | TCP_PSH : TCP_ACK; }
static uint32_t full(int k) { (void)k; return SEG; }

/* Runs the box; every byte of the stream read, in order. */
static void run(const struct box_config *cfg, size_t bytes)
{
    ck_assert_int_eq(box_init(&box, cfg, frames, NSEG), 0);
    box_run(&box);
    ck_assert_uint_eq(box.nic.st.frames_polled, NSEG);
    ck_assert_uint_eq(box.nread, bytes);
    ck_assert_msg(!memcmp(box.read, stream, bytes), "the stream read differs from the one sent");
}

static void teardown(void)
{
    ck_assert_msg(box_fini(&box), "buffers still out after teardown");
}

/* The timer-driven interrupt of 10 us (rx-frames out of reach) */
#define IRQ_10US .app_cpu = 1, .deliver = "gro", .rx_usecs = 10, .rx_frames = 1000

/* No mechanism: each burst is one interrupt (10 us after its first frame,
 * after its last), one poll that completes: 4 packets of 4 segments. */
START_TEST(each_poll_ends_its_packets)
{
    build(psh_last, full, 100000);
    run(&(struct box_config){ IRQ_10US }, sizeof stream);
    ck_assert_uint_eq(box.nic.st.interrupts, 4);
    ck_assert_uint_eq(box.nic.st.polls, 4);
    ck_assert_uint_eq(box.host.st.passes, 4);
    ck_assert_uint_eq(box.host.st.pass_frames, NSEG);
    ck_assert_uint_eq(box.nic.st.napi_timer_polls, 0);
}
END_TEST

/* gro_flush_timeout 150 us, napi_defer_hard_irqs 1.  Poll A (interrupt,
 * 10.5 us) takes burst 0 and holds it (same jiffy); it found work, so the
 * interrupt stays masked and the timer polls at A's end + 150 us (~165 us):
 * poll B takes burst 1 (8 held), masked again, timer ~320 us: poll C takes
 * bursts 2 and 3, the PSH ends the packet (16 segments, one pass); C found
 * work, so one more timer poll D (~485 us) finds nothing, its deferral is
 * spent: the interrupt is unmasked.  1 interrupt, 4 polls, 3 of them the
 * timer's, 3 completions that left the interrupt masked, 1 packet of 16. */
START_TEST(defer_hard_irqs_holds_gro_across_timer_polls)
{
    build(psh_last, full, 100000);
    run(&(struct box_config){ IRQ_10US, .gro_flush_timeout_ns = 150000, .defer_hard_irqs = 1 }, sizeof stream);
    ck_assert_uint_eq(box.nic.st.interrupts, 1);
    ck_assert_uint_eq(box.nic.st.polls, 4);
    ck_assert_uint_eq(box.nic.st.napi_timer_polls, 3);
    ck_assert_uint_eq(box.nic.st.irqs_deferred, 3);
    ck_assert_uint_eq(box.host.st.passes, 1);
    ck_assert_uint_eq(box.host.st.pass_frames, NSEG);
}
END_TEST

/* gro_flush_timeout 150 us alone: the interrupt is unmasked after each poll
 * (4 interrupts, one per burst), but GRO keeps the packet at each
 * completion (younger than a jiffy) and each poll re-arms the timer; the
 * PSH in burst 3 ends the packet (1 pass of 16); the timer armed by burst
 * 2's poll (~360 us) still fires: one timer poll, which finds nothing. */
START_TEST(gro_flush_timeout_alone_holds_packets)
{
    build(psh_last, full, 100000);
    run(&(struct box_config){ IRQ_10US, .gro_flush_timeout_ns = 150000 }, sizeof stream);
    ck_assert_uint_eq(box.nic.st.interrupts, 4);
    ck_assert_uint_eq(box.nic.st.polls, 5);
    ck_assert_uint_eq(box.nic.st.napi_timer_polls, 1);
    ck_assert_uint_eq(box.nic.st.irqs_deferred, 0);
    ck_assert_uint_eq(box.host.st.passes, 1);
}
END_TEST

/* A full budget is not the end of a packet: budget 4, the whole stream in
 * one burst (all 16 frames 1 us apart, polled 10 us after the first: 10
 * waiting, then 4 polls of 4 as frames keep coming).  Each poll that used
 * its budget runs again and keeps the packet; the last completes.  Before,
 * every poll sent its 4 up. */
START_TEST(a_full_budget_keeps_the_packet)
{
    build(psh_last, full, 4000);        /* bursts 4 us apart: one run of frames 1 us apart */
    run(&(struct box_config){ IRQ_10US, .budget = 4 }, sizeof stream);
    ck_assert_uint_gt(box.nic.st.time_squeeze, 0);
    ck_assert_uint_eq(box.host.st.passes, 1);
    ck_assert_uint_eq(box.host.st.pass_frames, NSEG);
}
END_TEST

/* tcp_gro_receive: PSH on segment 5 ends its packet: [0..5] and [6..15] in
 * one poll (all 16 in one burst, interrupt 20 us after the first). */
static uint8_t psh_5(int k) { return k == 5 || k == NSEG - 1 ? TCP_ACK | TCP_PSH : TCP_ACK; }
START_TEST(psh_ends_a_packet)
{
    build(psh_5, full, 4000);
    run(&(struct box_config){ .app_cpu = 1, .deliver = "gro", .rx_usecs = 20, .rx_frames = 1000 }, sizeof stream);
    ck_assert_uint_eq(box.nic.st.polls, 1);
    ck_assert_uint_eq(box.host.st.passes, 2);
}
END_TEST

/* A segment shorter than the packet's first ends it (len < mss): segment 9
 * carries 500 bytes: [0..9] and [10..15]. */
static uint32_t short_9(int k) { return k == 9 ? SEG / 2 : SEG; }
START_TEST(a_short_segment_ends_a_packet)
{
    build(psh_last, short_9, 4000);
    run(&(struct box_config){ .app_cpu = 1, .deliver = "gro", .rx_usecs = 20, .rx_frames = 1000 },
        sizeof stream - SEG / 2);
    ck_assert_uint_eq(box.host.st.passes, 2);
}
END_TEST

/* veth: no interrupt; a burst ends when the next frame is more than the gap
 * away.  Gap 10 us: bursts 100 us apart are 4 polls of 4 (one packet each).
 * Gap 200 us: the 97 us between bursts is inside one sender's burst, so one
 * poll at the last frame takes all 16: one packet. */
START_TEST(veth_polls_once_per_burst)
{
    build(psh_last, full, 100000);
    run(&(struct box_config){ .app_cpu = 1, .deliver = "gro", .veth = true }, sizeof stream);
    ck_assert_uint_eq(box.nic.st.interrupts, 0);
    ck_assert_uint_eq(box.nic.st.polls, 4);
    ck_assert_uint_eq(box.host.st.passes, 4);
    ck_assert_msg(box_fini(&box), "buffers still out");
    run(&(struct box_config){ .app_cpu = 1, .deliver = "gro", .veth = true, .veth_gap_ns = 200000 },
        sizeof stream);
    ck_assert_uint_eq(box.nic.st.interrupts, 0);
    ck_assert_uint_eq(box.nic.st.polls, 1);
    ck_assert_uint_eq(box.host.st.passes, 1);
}
END_TEST

/* The 64 KiB cap (deliver_gro.c: a segment joins while the merged payload
 * stays <= GRO_MAX_BYTES 65536 and the skb holds < GRO_MAX_FRAMES 64).
 * CAP_N 100 segments of CAP_SEG 1448 bytes (MSS at MTU 1500), 1 us apart,
 * ACK only: no PSH anywhere, all equal, so only the cap ends a packet
 * before the poll does.  rx-usecs 200 fires after the last frame (99 us):
 * one interrupt, one poll of all 100 (budget 128).  By hand:
 *   45 x 1448 = 65160 <= 65536, 46 x 1448 = 66608 > 65536: 45 a packet
 *   (the 64-frame limit is not reached: 45 < 64);
 *   skbs of 45, 45 and 10 segments: 65160, 65160, 14480 bytes, 3 passes,
 *   100 frames, 144800 bytes read, byte for byte.
 * Each merged skb is one ACK decision; the first 16 data skbs of a
 * connection are quick-ACKed (RX_QUICKACKS), so each pass's ACK names the
 * byte after its skb (the stream starts at sequence 1): 65161, 130321,
 * 144801: exactly 3 ACKs.  Removing the byte cap or doubling it lets the
 * 64-frame limit end the first skb at 92672 bytes (64 + 36 segments). */
#define CAP_SEG 1448
#define CAP_N 100
#define CAP_MAX_ACKS 8

static uint32_t cap_acks[CAP_MAX_ACKS];
static int cap_nacks;

static void cap_ack_sent(void *ctx, sim_ps at, const struct tcp_conn *c, int dir, uint32_t ack, uint32_t window)
{
    (void)ctx, (void)at, (void)c, (void)dir, (void)window;
    if (cap_nacks < CAP_MAX_ACKS)
        cap_acks[cap_nacks] = ack;
    cap_nacks++;
}

START_TEST(gro_caps_a_packet_at_64_kib)
{
    static uint8_t cstream[CAP_N * CAP_SEG], cbytes[CAP_N][CAP_SEG + 128];
    static struct box_frame cframes[CAP_N];
    for (size_t i = 0; i < sizeof cstream; i++)
        cstream[i] = (uint8_t)(i * 11 + i / 239);
    for (int k = 0; k < CAP_N; k++) {
        struct pkt_spec sp = { .seq = 1u + (uint32_t)k * CAP_SEG, .flags = TCP_ACK,
                               .payload = cstream + k * CAP_SEG, .len = CAP_SEG };
        size_t n = pkt_build(cbytes[k], sizeof cbytes[k], &sp);
        ck_assert_uint_eq(n, 54 + CAP_SEG);
        cframes[k] = (struct box_frame){ cbytes[k], (uint32_t)n, (int64_t)k * 1000 };
    }
    struct box_config cfg = { .app_cpu = 1, .deliver = "gro", .rx_usecs = 200, .rx_frames = 1000, .budget = 128 };
    ck_assert_int_eq(box_init(&box, &cfg, cframes, CAP_N), 0);
    cap_nacks = 0;
    box.host.ack_sent = cap_ack_sent;
    box_run(&box);
    ck_assert_uint_eq(box.nic.st.interrupts, 1);
    ck_assert_uint_eq(box.nic.st.polls, 1);
    ck_assert_uint_eq(box.nic.st.frames_polled, CAP_N);
    ck_assert_msg(cap_nacks >= 1 && cap_acks[0] - 1 == 45 * CAP_SEG, "the first skb holds %u bytes, not 65160",
                  cap_nacks >= 1 ? cap_acks[0] - 1 : 0);
    ck_assert_int_eq(cap_nacks, 3);
    ck_assert_uint_eq(cap_acks[1], 1 + 90 * CAP_SEG);      /* 130321: the second, 65160 */
    ck_assert_uint_eq(cap_acks[2], 1 + CAP_N * CAP_SEG);   /* 144801: the poll's end flushes 10 */
    ck_assert_uint_eq(box.host.st.acks, 3);
    ck_assert_uint_eq(box.host.st.passes, 3);
    ck_assert_uint_eq(box.host.st.pass_frames, CAP_N);
    uint32_t prev = 1;
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_le(cap_acks[i] - prev, 65536);
        prev = cap_acks[i];
    }
    ck_assert_uint_eq(box.nread, sizeof cstream);
    ck_assert_msg(!memcmp(box.read, cstream, sizeof cstream), "the stream read differs from the one sent");
}
END_TEST

/* --nic-kind's text. */
START_TEST(nic_kind_parses)
{
    bool veth;
    uint32_t gap;
    ck_assert_int_eq(nic_kind_parse("nic", &veth, &gap), 0);
    ck_assert(!veth);
    ck_assert_int_eq(nic_kind_parse("veth", &veth, &gap), 0);
    ck_assert(veth);
    ck_assert_uint_eq(gap, NIC_VETH_GAP_US * 1000);
    ck_assert_int_eq(nic_kind_parse("veth:25", &veth, &gap), 0);
    ck_assert_uint_eq(gap, 25000);
    const char *bad[] = { "veth:", "veth:0", "veth:x", "vethx", "e1000", "veth:1000001", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(nic_kind_parse(bad[i], &veth, &gap) < 0, "'%s' accepted", bad[i]);
}
END_TEST

static Suite *napi_suite(void)
{
    Suite *s = suite_create("napi");
    TCase *tc = tcase_create("gro");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, each_poll_ends_its_packets);
    tcase_add_test(tc, defer_hard_irqs_holds_gro_across_timer_polls);
    tcase_add_test(tc, gro_flush_timeout_alone_holds_packets);
    tcase_add_test(tc, a_full_budget_keeps_the_packet);
    tcase_add_test(tc, psh_ends_a_packet);
    tcase_add_test(tc, a_short_segment_ends_a_packet);
    tcase_add_test(tc, veth_polls_once_per_burst);
    tcase_add_test(tc, gro_caps_a_packet_at_64_kib);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, nic_kind_parses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(napi_suite());
}
