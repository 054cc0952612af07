/* tests/unit/check_acks.c: the host's ACKs as Linux's receiver decides them
 * (netstack/sock.c rx_sock_ack_pass / rx_sock_ack_read, sent by
 * netstack/sock_ack.c rx_ack_send; issue 13, mechanism 3), on hand-built
 * frames through the NIC and the host (tests/common/sim_box.h):
 *  - the delayed-ACK state (quickack count, bytes unacknowledged) is the
 *    connection's, not the host's;
 *  - a lagging reader's ACKs go out from its recvmsg (tcp_cleanup_rbuf), on
 *    its CPU, not from the softirq;
 *  - with GRO, one ACK decision per merged skb, not per segment.
 *
 * The rules, as sock.c has them: a socket starts with RX_QUICKACKS = 16
 * quick ACKs, one per protocol pass that gave it data; after that a pass
 * ACKs when more than rcv_mss (the largest segment, here SEG) is
 * unacknowledged AND the reader keeps up (bytes queued <= bytes
 * unacknowledged); otherwise the ACK is owed and the reader's recv() sends
 * it once it read something and more than rcv_mss is unacknowledged.
 *
 * Every frame is SEG = 1000 payload bytes (IPv4, no options); a flow's
 * last segment has PSH.  CPUs at 2.6 GHz; the NIC's interrupt and softirq
 * run on CPU 0, the reader on CPU 1 (app fixed:1).  Counts are the host's
 * (rx_host.st.acks), the per-CPU profile's tcp_send_ack calls
 * (sim_cpu.prof.calls[SIM_FN_TCP_ACK]), and, per connection, what a
 * sender hears through rx_host.ack_sent. */
#include <check.h>
#include <string.h>

#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

#define SEG 1000
#define QUICK 16                        /* RX_QUICKACKS (netstack/host_internal.h) */
#define MAX_FLOWS 2
#define MAX_SEGS 200
#define MAX_FRAMES (MAX_FLOWS * MAX_SEGS)

static uint8_t stream[MAX_FLOWS][MAX_SEGS * SEG];
static uint8_t fbytes[MAX_FRAMES][SEG + 128];
static struct box_frame frames[MAX_FRAMES];
static struct sim_box box;

/* What the data's senders hear: ACKs by connection id (1-based, in order of
 * first appearance: flow 0 is connection 1), and the last rcv_nxt each got. */
static struct {
    uint64_t acks[MAX_FLOWS + 1];
    uint32_t last[MAX_FLOWS + 1];
} heard;

static void on_ack(void *ctx, sim_ps at, const struct tcp_conn *c, int dir, uint32_t ack, uint32_t window)
{
    (void)ctx, (void)at, (void)dir, (void)window;
    ck_assert_uint_le(c->id, MAX_FLOWS);
    heard.acks[c->id]++;
    heard.last[c->id] = ack;
}

/* nflows flows of per_flow segments, interleaved segment by segment (frame
 * k is flow k % nflows's segment k / nflows), frame k at ts_of(k) ns; flow
 * f from port 40000 + f.  Returns the number of frames. */
static size_t build(int nflows, int per_flow, int64_t (*ts_of)(int k))
{
    ck_assert_int_le(nflows, MAX_FLOWS);
    ck_assert_int_le(per_flow, MAX_SEGS);
    for (int f = 0; f < nflows; f++)
        for (size_t i = 0; i < (size_t)per_flow * SEG; i++)
            stream[f][i] = (uint8_t)(i * 7 + i / 251 + 31 * f);
    int n = nflows * per_flow;
    for (int k = 0; k < n; k++) {
        int f = k % nflows, i = k / nflows;
        struct pkt_spec s = { .sport = (uint16_t)(40000 + f), .seq = 1u + (uint32_t)i * SEG,
                              .flags = i == per_flow - 1 ? TCP_ACK | TCP_PSH : TCP_ACK,
                              .payload = stream[f] + (size_t)i * SEG, .len = SEG };
        size_t len = pkt_build(fbytes[k], sizeof fbytes[k], &s);
        ck_assert_uint_gt(len, 0);
        frames[k] = (struct box_frame){ fbytes[k], (uint32_t)len, ts_of(k) };
    }
    return (size_t)n;
}

/* Runs the box over n frames (listening to the ACKs when `listen`): every
 * frame polled, every byte read. */
static void run(const struct box_config *cfg, size_t n, bool listen)
{
    memset(&heard, 0, sizeof heard);
    ck_assert_int_eq(box_init(&box, cfg, frames, n), 0);
    if (listen) {
        box.host.ack_sent = on_ack;
        box.host.ack_ctx = NULL;
    }
    box_run(&box);
    ck_assert_uint_eq(box.nic.st.frames_polled, n);
    ck_assert_uint_eq(box.nread, n * SEG);
}

static uint64_t acks_on(int cpu)
{
    return box.m.cpu[cpu].prof.calls[SIM_FN_TCP_ACK];
}

static void teardown(void)
{
    ck_assert_msg(box_fini(&box), "buffers still out after teardown");
}

/* Delayed ACKs per connection.  Two flows, A (connection 1) and B, 32
 * segments each, interleaved A B A B ..., one frame every 50 us: each frame
 * is its own interrupt and pass (delivery packet), and the reader reads it
 * (well under 50 us) before the next comes, so it keeps up throughout.
 * Per connection, by hand:
 *   its segments 1..16: quickack, one ACK each                 16
 *   its segments 17..32: 17 owes (1000 unacked, not > 1000), 18 sends
 *   (2000 > 1000, 1000 queued <= 2000), and so on: 16 / 2      8
 *   total per connection 24, the last carrying rcv_nxt 1 + 32 x 1000 =
 *   32001; host 48, all from the softirq (CPU 0), none from recv().
 * A host-wide counter fails: the quick ACKs would go 8 to A and 8 to B,
 * then of the 48 later segments every second one overall (always B's)
 * would be ACKed: B 32, A 8 and, 40 ms after its 9th segment, the one its
 * delayed-ACK timer sends (listening to ACKs arms it, sock_ack.c): 9. */
static int64_t every_50us(int k) { return (int64_t)k * 50000; }
START_TEST(delayed_acks_are_per_connection)
{
    size_t n = build(2, 32, every_50us);
    run(&(struct box_config){ .app_cpu = 1 }, n, true);
    for (int id = 1; id <= 2; id++) {
        ck_assert_msg(heard.acks[id] == QUICK + 8, "connection %d heard %llu ACKs for its 32 segments (expected 24)",
                      id, (unsigned long long)heard.acks[id]);
        ck_assert_uint_eq(heard.last[id], 1 + 32 * SEG);
    }
    ck_assert_uint_eq(box.host.st.acks, 48);
    ck_assert_uint_eq(acks_on(0), 48);
    ck_assert_uint_eq(acks_on(1), 0);
    ck_assert_uint_eq(box.host.st.passes, 64);
}
END_TEST

/* Window-update ACKs from recvmsg.  One flow of 200 segments: 0..15 every
 * 100 us (quickack; each read at once), then 16..199 every 10 us from
 * 1.6 ms to 3.43 ms (100 MB/s).  The reader reads 4096 bytes per recv()
 * and then works 50 cycles a byte (--app-cycles-per-byte): 204800 cycles,
 * 78.8 us per full read, so it drains at most 52 MB/s and lags from the
 * first few segments of the fast part on.  By hand:
 *   CPU 0 (softirq): the 16 quick ACKs, plus at most a few while the
 *     reader still catches up at the start of the fast part (3 today:
 *     queued <= unacked each time); none once it lags, as the queue then
 *     always holds more than was received since the last ACK;   16..20
 *   CPU 1 (the reader): one ACK per recv() that started while data kept
 *     coming (7 to 9 segments arrived since the last one): 1830 us / at
 *     least 78.8 us, at most 23, plus one for the first recv() after the
 *     last segment; 22 today;                                    18..24
 *   then the reader drains the rest with nothing unacknowledged: the
 *     socket ends with 0 bytes unacknowledged and no ACK owed.
 * A softirq that found the reader holding the lock put its frame on the
 * backlog (host.st.backlog_drains release_sock runs, on CPU 1); each such
 * run could send at most one ACK, so the recv() path sent at least
 * acks_on(1) - backlog_drains (11 today) > 0.  Without the recvmsg ACK,
 * CPU 1 sends only what a release_sock decides (1 of 11 drains today), the
 * softirq's unacknowledged count outgrows the queue now and then (22 on
 * CPU 0), and the last bytes stay unacknowledged. */
static int64_t slow_then_fast(int k) { return k < QUICK ? (int64_t)k * 100000 : 1600000 + (int64_t)(k - QUICK) * 10000; }
START_TEST(a_lagging_reader_acks_from_recvmsg)
{
    size_t n = build(1, 200, slow_then_fast);
    run(&(struct box_config){ .app_cpu = 1, .recv_size = 4096, .app_cycles_per_byte = 50 }, n, false);
    ck_assert_uint_eq(box.host.st.acks, acks_on(0) + acks_on(1));
    ck_assert_msg(acks_on(1) > box.host.st.backlog_drains, "reader's ACKs %llu, backlog drains %llu: none from recv()",
                  (unsigned long long)acks_on(1), (unsigned long long)box.host.st.backlog_drains);
    ck_assert_msg(acks_on(1) >= 18 && acks_on(1) <= 24, "reader's ACKs: %llu (expected 18..24)",
                  (unsigned long long)acks_on(1));
    ck_assert_msg(acks_on(0) >= QUICK && acks_on(0) <= QUICK + 4, "softirq ACKs: %llu (expected 16..20)",
                  (unsigned long long)acks_on(0));
    struct rx_sock *s = box.host.socks;
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(s->next_all);
    ck_assert_msg(s->unacked == 0 && !s->ack_pending, "%llu bytes unacknowledged at the end",
                  (unsigned long long)s->unacked);
    /* the ratio issue 13 names: far fewer than one ACK per two segments */
    ck_assert_uint_lt(box.host.st.acks * 4, n);
}
END_TEST

/* One ACK decision per merged skb.  One flow of 192 segments in 24 bursts
 * of 8, segments 1 us apart, bursts 100 us apart, delivery gro, interrupt
 * 10 us after a burst's first frame (rx-frames out of reach): each burst
 * is one poll that completes, so one merged skb of 8 (the last burst's
 * ends at its PSH): 24 passes of 8 frames.  The reader reads each skb
 * (8000 bytes) before the next burst.  By hand:
 *   skbs 1..16: quickack, one ACK each                           16
 *   skbs 17..24: 8000 bytes unacknowledged > 1000, 8000 queued <=
 *   8000: one ACK each                                            8
 *   24 ACKs = 24 skbs, against 192 / 2 = 96 if each segment were decided
 *   on (16 quick + 176 / 2 = 104 with the quick ACKs counted per segment). */
static int64_t bursts_of_8(int k) { return (int64_t)(k / 8) * 100000 + (int64_t)(k % 8) * 1000; }
START_TEST(gro_decides_once_per_merged_skb)
{
    size_t n = build(1, 192, bursts_of_8);
    run(&(struct box_config){ .app_cpu = 1, .deliver = "gro", .rx_usecs = 10, .rx_frames = 1000 }, n, false);
    ck_assert_uint_eq(box.host.st.passes, 24);
    ck_assert_uint_eq(box.host.st.pass_frames, 192);
    ck_assert_uint_le(box.host.st.acks, box.host.st.passes);
    ck_assert_uint_lt(box.host.st.acks, n / 2);
    ck_assert_uint_eq(box.host.st.acks, 24);
    ck_assert_uint_eq(acks_on(0), 24);
}
END_TEST

/* A batch is a list of skbs: one ACK decision per skb, as for packet.  The
 * same 24 bursts of 8 under batch:8: 24 passes of 8 unmerged frames.  By
 * hand: skbs 1..16 quickack, one ACK each (16, the first two bursts);
 * then in each of the 22 bursts left (the reader, on the other CPU, reads
 * a burst only after its pass, so all of it is still queued), after the
 * burst's skb k, k x 1000 bytes are queued and, since its last ACK, the
 * unacknowledged: k = 1: 1000, not more than a segment: owed; k = 2: 2000
 * > 1000 and queued 2000 <= 2000: an ACK from the softirq; k = 3..8: 1000
 * to 6000 against 3000 to 8000 queued, the reader lagging: owed, and sent
 * by the reader's recv() (tcp_cleanup_rbuf) on CPU 1.  So 16 + 22 = 38 on
 * CPU 0 and 22 on CPU 1, 60 in all; one decision per pass, as a GRO
 * pass's one skb gets, would give 16 + 8 = 24, all on CPU 0. */
START_TEST(batch_decides_per_skb)
{
    size_t n = build(1, 192, bursts_of_8);
    run(&(struct box_config){ .app_cpu = 1, .deliver = "batch:8", .rx_usecs = 10, .rx_frames = 1000 }, n, false);
    ck_assert_uint_eq(box.host.st.passes, 24);
    ck_assert_uint_eq(box.host.st.pass_frames, 192);
    ck_assert_uint_eq(acks_on(0), 38);
    ck_assert_uint_eq(acks_on(1), 22);
    ck_assert_uint_eq(box.host.st.acks, 60);
}
END_TEST

static Suite *acks_suite(void)
{
    Suite *s = suite_create("acks");
    TCase *tc = tcase_create("acks");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, delayed_acks_are_per_connection);
    tcase_add_test(tc, a_lagging_reader_acks_from_recvmsg);
    tcase_add_test(tc, gro_decides_once_per_merged_skb);
    tcase_add_test(tc, batch_decides_per_skb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(acks_suite());
}
