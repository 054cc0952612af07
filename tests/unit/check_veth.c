/* tests/unit/check_veth.c: where a veth frame's lines start (drivers/nic.h,
 * docs/model.md "veth: where the frame's lines start"), on hand-built frames
 * through the NIC and the host (tests/common/sim_box.h).  A NIC DMAs each
 * frame, so the softirq's checksum reads its lines from memory; veth never
 * DMAs: the sender's copy left them in the sending CPU's cache, so the
 * checksum finds them there (a hit, when the softirq runs on the sender's
 * CPU) or pulls them from there (a transfer, when RPS put the softirq on
 * another CPU).  The answers, by hand:
 *
 * The frames: NSEG segments of SEG = 1024 payload bytes, Ethernet 14 + IPv4
 * 20 + TCP 20 = 54 header bytes, so 1078-byte frames, each in a fresh
 * 2 KiB buffer (the ring of 256 is filled once; 8 frames never reuse one)
 * whose data starts on a line: bytes 0..1077 are lines 0..16, 17 lines a
 * frame, 136 for the 8.  The protocol pass first reads the headers (bytes
 * 0..127: lines 0 and 1) on the softirq's CPU, then --csum softirq sums the
 * TCP segment, bytes 34..1077: lines 0..16, of which 0 and 1 are now hits,
 * and 2..16, 15 lines a frame, 120 for the 8, are wherever the frame's
 * writer left them:
 *   NIC (DMA)                         hits 16,  misses 120, transfers 0
 *   veth, sender CPU 0, softirq CPU 1 hits 16,  misses 0,   transfers 120
 *   veth, sender = the poll's CPU 1   hits 136, misses 0,   transfers 0
 *   veth, sender CPU 0, softirq CPU 0 hits 136, misses 0,   transfers 0
 * veth's sender writes 17 lines a frame: veth_sender_lines 136 (0 on a NIC).
 * The checksum's transfers are csum_partial's lines_out on the softirq's CPU.
 *
 * The skb: a NIC's driver allocates a buffer for each descriptor it used,
 * after each poll, on the poll's CPU (box: an interrupt, so a poll, per
 * frame: 8 alloc_skb calls, 8 x 160 cycles plus the metadata line's misses
 * on that CPU).  On veth the sender allocated the skb it hands over: the
 * pool still hands out 8 buffers (pool.st.allocs, counted after the first fill),
 * but no CPU is charged an alloc_skb call or cycle.
 *
 * The pass: a poll on the sender's CPU is the sender's xmit running the
 * softirq in line (xmit_pass, counted in xmit_passes); on a NIC, or on veth
 * with RPS (the poll on another CPU than the sender's), an interrupt raised
 * it (softirq_pass).  Either way net_rx_action costs exactly polls x that.
 * A pass on veth's sender's CPU whose reader is on the other CPU also pays
 * beside_sender_skb per skb it queues (8, one a segment: no GRO), on top of
 * tcp_v4_rcv's tcp_rcv: with it set to 10^6, tcp_v4_rcv costs 8 x 10^6 more
 * there and nothing more anywhere else (a NIC, RPS, or the reader beside).
 *
 * The copy: each segment's payload costs copy_chunk once on the reader's
 * CPU (recv size 16384 holds all 8 segments, so no recv stops inside one):
 * with copy_chunk set to 10^6, copy_to_user costs 8 x 10^6 plus the
 * per-byte copy, which is far below 10^6. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/nic.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

#define SEG 1024
#define NSEG 8

static uint8_t stream[NSEG * SEG];
static uint8_t fbytes[NSEG][SEG + 128];
static struct box_frame frames[NSEG];
static struct sim_box box;

/* One flow, segments 1 us apart, the last with PSH. */
static void build(void)
{
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 13 + i / 241);
    ck_assert_int_eq(box_flow_frames(stream, SEG, NSEG, 1000, &fbytes[0][0], sizeof fbytes[0], frames), 0);
}

struct want {
    uint64_t hits, misses, transfers, sender_lines;
};

#define CHUNK 1000000u

static void run(const struct box_config *cfg, int softirq_cpu, struct want w)
{
    build();
    ck_assert_int_eq(box_init(&box, cfg, frames, NSEG), 0);
    box.m.costs.cycles[SIM_COST_COPY_CHUNK] = CHUNK;
    box.m.costs.cycles[SIM_COST_BESIDE_SENDER_SKB] = CHUNK;
    box_run(&box);
    bool xmit = cfg->veth && (cfg->veth_sender == 0 || cfg->veth_sender - 1 == softirq_cpu);
    bool beside = xmit && cfg->app_cpu != softirq_cpu;
    uint64_t v4 = box.m.cpu[softirq_cpu].prof.cycles[SIM_FN_TCP_RCV];
    ck_assert_uint_eq(box.host.st.beside_sender_skbs, beside ? NSEG : 0);
    ck_assert_msg(beside ? v4 >= NSEG * (uint64_t)CHUNK && v4 < (NSEG + 1) * (uint64_t)CHUNK : v4 < CHUNK,
                  "tcp_v4_rcv %llu cycles: want %d beside_sender_skbs", (unsigned long long)v4, beside ? NSEG : 0);
    uint64_t polls = box.nic.st.polls;
    ck_assert_uint_gt(polls, 0);
    ck_assert_uint_eq(box.nic.st.xmit_passes, xmit ? polls : 0);
    ck_assert_uint_eq(box.m.cpu[softirq_cpu].prof.calls[SIM_FN_NET_RX_ACTION], polls);
    ck_assert_uint_eq(box.m.cpu[softirq_cpu].prof.cycles[SIM_FN_NET_RX_ACTION],
                      polls * box.m.costs.cycles[xmit ? SIM_COST_XMIT_PASS : SIM_COST_SOFTIRQ_PASS]);
    uint64_t copy = box.m.cpu[cfg->app_cpu].prof.cycles[SIM_FN_COPY_TO_USER];
    ck_assert_msg(copy >= NSEG * (uint64_t)CHUNK && copy < (NSEG + 1) * (uint64_t)CHUNK,
                  "copy_to_user %llu cycles: want %u copy_chunks and the bytes' copy", (unsigned long long)copy,
                  NSEG);
    ck_assert_uint_eq(box.nread, sizeof stream);
    ck_assert_msg(!memcmp(box.read, stream, sizeof stream), "the stream read differs from the one sent");
    const struct sim_touch *t = &box.host.st.csum_lines;
    ck_assert_uint_eq(t->hits, w.hits);
    ck_assert_uint_eq(t->misses, w.misses);
    ck_assert_uint_eq(t->transfers, w.transfers);
    ck_assert_uint_eq(box.nic.st.sender_lines, w.sender_lines);
    ck_assert_uint_eq(box.m.cpu[softirq_cpu].prof.lines_out[SIM_FN_CSUM_PARTIAL], w.transfers);
    ck_assert_uint_eq(box.m.cpu[1 - softirq_cpu].prof.calls[SIM_FN_CSUM_PARTIAL], 0);
    ck_assert_uint_eq(box.pool.st.allocs, NSEG);
    uint64_t alloc_calls = box.m.cpu[softirq_cpu].prof.calls[SIM_FN_ALLOC_SKB];
    uint64_t alloc_cycles = box.m.cpu[softirq_cpu].prof.cycles[SIM_FN_ALLOC_SKB];
    ck_assert_uint_eq(box.m.cpu[1 - softirq_cpu].prof.calls[SIM_FN_ALLOC_SKB], 0);
    if (cfg->veth) {
        ck_assert_uint_eq(alloc_calls, 0);
        ck_assert_uint_eq(alloc_cycles, 0);
    } else {
        ck_assert_uint_eq(alloc_calls, NSEG);
        ck_assert_uint_ge(alloc_cycles, NSEG * box.m.costs.cycles[SIM_COST_ALLOC_SKB]);
    }
}

static void teardown(void)
{
    ck_assert_msg(box_fini(&box), "buffers still out after teardown");
}

START_TEST(a_nic_dma_leaves_the_lines_in_memory)
{
    run(&(struct box_config){ .app_cpu = 1, .irq = "fixed:1" }, 1,
        (struct want){ .hits = 16, .misses = 120, .transfers = 0, .sender_lines = 0 });
}
END_TEST

/* A NIC's softirq on another CPU than the reader's: no sender there, so no
 * beside_sender_skb (run() checks it is 0). */
START_TEST(a_nic_softirq_away_from_the_reader)
{
    run(&(struct box_config){ .app_cpu = 1, .irq = "fixed:0" }, 0,
        (struct want){ .hits = 16, .misses = 120, .transfers = 0, .sender_lines = 0 });
}
END_TEST

START_TEST(veth_rps_pulls_the_lines_from_the_sender)
{
    run(&(struct box_config){ .app_cpu = 1, .irq = "fixed:1", .veth = true, .veth_sender = 1 + 0 }, 1,
        (struct want){ .hits = 16, .misses = 0, .transfers = 120, .sender_lines = 136 });
}
END_TEST

START_TEST(veth_default_sender_is_the_polls_cpu)
{
    run(&(struct box_config){ .app_cpu = 1, .irq = "fixed:1", .veth = true }, 1,
        (struct want){ .hits = 136, .misses = 0, .transfers = 0, .sender_lines = 136 });
}
END_TEST

START_TEST(veth_softirq_on_the_sender_hits)
{
    run(&(struct box_config){ .app_cpu = 1, .irq = "fixed:0", .veth = true, .veth_sender = 1 + 0 }, 0,
        (struct want){ .hits = 136, .misses = 0, .transfers = 0, .sender_lines = 136 });
}
END_TEST

/* The reader beside the softirq on the sender's CPU: nothing met from
 * another CPU, so no beside_sender_skb (run() checks it is 0). */
START_TEST(veth_reader_on_the_senders_cpu_too)
{
    run(&(struct box_config){ .app_cpu = 0, .irq = "fixed:0", .veth = true, .veth_sender = 1 + 0 }, 0,
        (struct want){ .hits = 136, .misses = 0, .transfers = 0, .sender_lines = 136 });
}
END_TEST

/* copy_chunk is per segment, not per 2 KiB buffer: 4 segments of 5000
 * payload bytes (5054-byte frames, 3 buffers each) on veth cost 3 chunks,
 * not 9; recv size 16384 holds all 15000 bytes, so no recv stops inside one. */
#define BIG 5000
#define NBIG 3
START_TEST(copy_chunk_per_segment_not_per_buffer)
{
    static uint8_t big[NBIG * BIG], bbytes[NBIG][BIG + 128];
    static struct box_frame bframes[NBIG];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + i / 253);
    for (int k = 0; k < NBIG; k++) {
        struct pkt_spec sp = { .seq = 1u + (uint32_t)k * BIG, .payload = big + k * BIG, .len = BIG,
                               .flags = k == NBIG - 1 ? TCP_ACK | TCP_PSH : TCP_ACK };
        size_t n = pkt_build(bbytes[k], sizeof bbytes[k], &sp);
        bframes[k] = (struct box_frame){ bbytes[k], (uint32_t)n, (int64_t)k * 5000 };
    }
    ck_assert_int_eq(box_init(&box, &(struct box_config){ .app_cpu = 1, .irq = "fixed:1", .veth = true }, bframes,
                              NBIG), 0);
    box.m.costs.cycles[SIM_COST_COPY_CHUNK] = CHUNK;
    box_run(&box);
    ck_assert_uint_eq(box.nread, sizeof big);
    ck_assert_msg(!memcmp(box.read, big, sizeof big), "the stream read differs from the one sent");
    ck_assert_uint_eq(box.m.cpu[1].prof.calls[SIM_FN_COPY_TO_USER], NBIG * 3);     /* a copy per buffer */
    uint64_t copy = box.m.cpu[1].prof.cycles[SIM_FN_COPY_TO_USER];
    ck_assert_msg(copy >= NBIG * (uint64_t)CHUNK && copy < (NBIG + 1) * (uint64_t)CHUNK,
                  "copy_to_user %llu cycles: want %u copy_chunks", (unsigned long long)copy, NBIG);
}
END_TEST

/* --veth-sender-cpu's text, on a 2-CPU machine. */
START_TEST(veth_sender_parses)
{
    bool set;
    int cpu;
    ck_assert_int_eq(veth_sender_parse("poll", 2, &set, &cpu), 0);
    ck_assert(!set);
    ck_assert_int_eq(veth_sender_parse("1", 2, &set, &cpu), 0);
    ck_assert(set);
    ck_assert_int_eq(cpu, 1);
    const char *bad[] = { "2", "-1", "+1", " 1", "1x", "", "x", "Poll" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(veth_sender_parse(bad[i], 2, &set, &cpu) < 0, "'%s' accepted", bad[i]);
}
END_TEST

static Suite *veth_suite(void)
{
    Suite *s = suite_create("veth");
    TCase *tc = tcase_create("placement");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, a_nic_dma_leaves_the_lines_in_memory);
    tcase_add_test(tc, a_nic_softirq_away_from_the_reader);
    tcase_add_test(tc, veth_rps_pulls_the_lines_from_the_sender);
    tcase_add_test(tc, veth_default_sender_is_the_polls_cpu);
    tcase_add_test(tc, veth_softirq_on_the_sender_hits);
    tcase_add_test(tc, veth_reader_on_the_senders_cpu_too);
    tcase_add_test(tc, copy_chunk_per_segment_not_per_buffer);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, veth_sender_parses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(veth_suite());
}
