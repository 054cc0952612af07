/* tests/unit/check_recvmsg.c: recvmsg's cost per skb consumed (issue 13
 * item 8), on hand-built frames through the NIC and the host
 * (tests/common/sim_box.h).  What a recv() charges to tcp_recvmsg
 * (receive_copy.c, netstack/sock.c rx_sock_recvmsg): one call and the
 * cost-table entry `recvmsg` per recv(); `recvmsg_skb` for each skb the
 * call finishes taking (the chunk a protocol pass queued first for the
 * socket, rx_sock_take_head); the socket's lock and receive-queue lines
 * (rx_sock_lock), priced as line misses and transfers.  copy_chunk and
 * the per-byte copy go to copy_to_user, never to tcp_recvmsg.  With
 * recvmsg = 10^6, recvmsg_skb = 1000, copy_chunk = 7 and both line prices
 * 0, tcp_recvmsg's cycles are exactly calls x 10^6 + skbs x 1000.
 *
 * The frames: one flow, NSEG 16 segments of SEG 1000 bytes, 1 us apart,
 * PSH on the last; one interrupt after the last (rx-usecs 20, rx-frames
 * out of reach), one poll of all 16 on CPU 0, where the reader also runs:
 * work items are not preempted, so every byte is queued before its first
 * recv(), and each recv() takes min(recv size, what is left):
 *   delivery  recv size  recv calls             skbs  tcp_recvmsg cycles
 *   packet    16384      1                      16    1 016 000
 *   packet    4000       4                      16    4 016 000
 *   packet    1500       11 (10 x 1500 + 1000)  16   11 016 000
 *   packet    500        32                     16   32 016 000
 *   gro       16384      1                      1     1 001 000
 *   gro       4000       4                      1     4 001 000
 *   gro       500        32                     1    32 001 000
 *   batch:16  16384      1                      16    1 016 000
 *   batch:4   4000       4                      16    4 016 000
 * (packet: one skb per segment; gro: the 16 merge into one skb, so the
 * calls after the first take none: the skb is paid once, by the call
 * that takes its first segment whole; batch:N: a pass carries N unmerged
 * segments, N skbs as netif_receive_skb_list hands TCP, so 16 skbs as
 * with packet, whatever N.)  Every run reads the stream byte for byte. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

#define SEG 1000
#define NSEG 16
#define PER_CALL 1000000u
#define PER_SKB 1000u

static uint8_t stream[NSEG * SEG];
static uint8_t fbytes[NSEG][SEG + 128];
static struct box_frame frames[NSEG];
static struct sim_box box;

static void build(void)
{
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 5 + i / 247);
    ck_assert_int_eq(box_flow_frames(stream, SEG, NSEG, 1000, &fbytes[0][0], sizeof fbytes[0], frames), 0);
}

static const struct {
    const char *deliver;
    uint32_t recv_size;
    uint64_t calls, skbs, passes;
} cases[] = {
    { "packet", 16384, 1, 16, 16 },
    { "packet", 4000, 4, 16, 16 },
    { "packet", 1500, 11, 16, 16 },
    { "packet", 500, 32, 16, 16 },
    { "gro", 16384, 1, 1, 1 },
    { "gro", 4000, 4, 1, 1 },
    { "gro", 500, 32, 1, 1 },
    { "batch:16", 16384, 1, 16, 1 },
    { "batch:4", 4000, 4, 16, 4 },
};

START_TEST(recvmsg_costs_per_call_and_per_skb)
{
    build();
    struct box_config cfg = { .deliver = cases[_i].deliver, .recv_size = cases[_i].recv_size, .app_cpu = 0,
                              .irq = "fixed:0", .rx_usecs = 20, .rx_frames = 1000 };
    ck_assert_int_eq(box_init(&box, &cfg, frames, NSEG), 0);
    box.m.costs.cycles[SIM_COST_RECVMSG] = PER_CALL;
    box.m.costs.cycles[SIM_COST_RECVMSG_SKB] = PER_SKB;
    box.m.costs.cycles[SIM_COST_COPY_CHUNK] = 7;
    box.m.costs.cycles[SIM_COST_LINE_MISS] = 0;
    box.m.costs.cycles[SIM_COST_LINE_TRANSFER] = 0;
    box_run(&box);
    ck_assert_uint_eq(box.nic.st.polls, 1);
    ck_assert_uint_eq(box.host.st.passes, cases[_i].passes);
    ck_assert_uint_eq(box.nread, sizeof stream);
    ck_assert_msg(!memcmp(box.read, stream, sizeof stream), "the stream read differs from the one sent");
    const struct sim_profile *p = &box.m.cpu[0].prof;
    ck_assert_uint_eq(box.m.cpu[1].prof.calls[SIM_FN_TCP_RECVMSG], 0);
    ck_assert_uint_eq(p->calls[SIM_FN_TCP_RECVMSG], cases[_i].calls);
    uint64_t want = cases[_i].calls * PER_CALL + cases[_i].skbs * PER_SKB, got = p->cycles[SIM_FN_TCP_RECVMSG];
    ck_assert_msg(got == want, "%s, recv %u: tcp_recvmsg %llu cycles, want %llu calls x %u + %llu skbs x %u = %llu",
                  cases[_i].deliver, cases[_i].recv_size, (unsigned long long)got,
                  (unsigned long long)cases[_i].calls, PER_CALL, (unsigned long long)cases[_i].skbs, PER_SKB,
                  (unsigned long long)want);
    /* copy_chunk is copy_to_user's: at least once per segment (16 x 7) */
    ck_assert_uint_ge(p->cycles[SIM_FN_COPY_TO_USER], NSEG * 7);
}
END_TEST

static void teardown(void)
{
    ck_assert_msg(box_fini(&box), "buffers still out after teardown");
}

static Suite *recvmsg_suite(void)
{
    Suite *s = suite_create("recvmsg");
    TCase *tc = tcase_create("per_skb");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_loop_test(tc, recvmsg_costs_per_call_and_per_skb, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(recvmsg_suite());
}
