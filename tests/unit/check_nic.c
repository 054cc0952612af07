/* tests/unit/check_nic.c: drivers/, one test case per part: the RX ring
 * (descriptors, multi-buffer frames, wrap-around, the vacancy bitmap), the
 * interrupt coalescing (rx-frames and rx-usecs thresholds, masking while the
 * poll runs), RSS (the Microsoft verification vectors, the frame parser that
 * feeds it, IRQ routing), and the NIC as a whole driving the host
 * (tests/common/sim_box.h): every frame offered is polled or dropped with
 * its reason, a full ring drops, a frame no ring can hold is too long,
 * coalescing bounds the interrupts, RSS keeps a flow on one queue and
 * spreads flows over queues, and NAPI's budget squeezes a long poll. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/coalesce.h"
#include "drivers/nic.h"
#include "drivers/rss.h"
#include "drivers/rx_ring.h"
#include "netstack/eth.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

/* ---- ring ------------------------------------------------------------------ */

static struct skb_buf bufs[64];

static void ring_fill_all(struct rx_ring *r)
{
    uint32_t k = 0;
    for (long i = rx_ring_vacant(r, 0); i >= 0; i = rx_ring_vacant(r, (uint32_t)i + 1))
        rx_ring_fill(r, (uint32_t)i, &bufs[k++]);
    ck_assert_uint_eq(k, r->size);
}

START_TEST(ring_fills_in_index_order_and_drops_when_full)
{
    struct rx_ring r;
    ck_assert_int_eq(rx_ring_init(&r, 8), 0);
    ck_assert_ptr_null(rx_ring_slots(&r, 1));       /* no buffers yet: a frame would drop */
    ck_assert_int_eq(rx_ring_vacant(&r, 0), 0);
    ring_fill_all(&r);
    ck_assert_int_eq(rx_ring_vacant(&r, 0), -1);
    for (int i = 0; i < 8; i++) {
        struct rx_desc *d = rx_ring_slots(&r, 1);
        ck_assert_ptr_nonnull(d);
        d->skb.frame_no = (uint64_t)i + 1;
        rx_ring_produce(&r);
    }
    ck_assert_uint_eq(r.filled, 8);
    ck_assert_ptr_null(rx_ring_slots(&r, 1));       /* full */
    for (int i = 0; i < 8; i++) {                   /* oldest first */
        struct rx_desc *d = rx_ring_peek(&r);
        ck_assert_ptr_nonnull(d);
        ck_assert_uint_eq(d->skb.frame_no, (uint64_t)i + 1);
        ck_assert_ptr_eq(rx_ring_consume(&r), &bufs[i]);
    }
    ck_assert_ptr_null(rx_ring_peek(&r));
    ck_assert_ptr_null(rx_ring_slots(&r, 1));       /* consumed slots wait for a refill */
    ck_assert_int_eq(rx_ring_vacant(&r, 0), 0);
    ck_assert_int_eq(rx_ring_vacant(&r, 5), 5);
    rx_ring_fini(&r);
}
END_TEST

START_TEST(ring_frame_spans_descriptors_across_the_wrap)
{
    struct rx_ring r;
    ck_assert_int_eq(rx_ring_init(&r, 70), 0);      /* two bitmap words */
    for (uint32_t i = 0; i < 70; i++)
        rx_ring_fill(&r, i, &bufs[i % 64]);
    for (int i = 0; i < 66; i++) {                  /* move prod and cons to 66 */
        rx_ring_produce(&r);
        rx_ring_consume(&r);
    }
    for (uint32_t i = 0; i < 66; i++)
        rx_ring_fill(&r, i, &bufs[i % 64]);
    ck_assert_int_eq(rx_ring_vacant(&r, 0), -1);
    ck_assert_ptr_nonnull(rx_ring_slots(&r, 6));    /* 66..69, 0, 1 */
    ck_assert_ptr_eq(rx_ring_slot_at(&r, 5), &r.d[1]);
    for (int k = 0; k < 6; k++)
        rx_ring_produce(&r);
    ck_assert_uint_eq(r.prod, 2);
    ck_assert_ptr_null(rx_ring_slots(&r, 65));      /* only 64 left */
    ck_assert_ptr_nonnull(rx_ring_slots(&r, 64));
    for (int k = 0; k < 6; k++)
        rx_ring_consume(&r);
    ck_assert_int_eq(rx_ring_vacant(&r, 0), 0);     /* 0 and 1 wait, then 66.. */
    ck_assert_int_eq(rx_ring_vacant(&r, 2), 66);
    rx_ring_fini(&r);
}
END_TEST

/* ---- coalescing --------------------------------------------------------------- */

static int fired;
static sim_ps fired_at;
static struct sim_queue cq;

static void on_fire(struct coalesce *co)
{
    (void)co;
    fired++;
    fired_at = cq.now;
}

static void coalesce_setup(void)
{
    fired = 0;
    fired_at = -1;
    ck_assert_int_eq(sim_queue_init(&cq), 0);
}

static void coalesce_teardown(void)
{
    sim_queue_fini(&cq);
}

START_TEST(coalesce_fires_at_rx_frames)
{
    struct coalesce co;
    coalesce_init(&co, 1000, 4);
    co.fire = on_fire;
    for (int i = 0; i < 3; i++)
        coalesce_arrived(&co, &cq, 1);
    ck_assert_int_eq(fired, 0);
    coalesce_arrived(&co, &cq, 1);
    ck_assert_int_eq(fired, 1);
    ck_assert_uint_eq(co.frame_fires, 1);
    coalesce_arrived(&co, &cq, 8);                  /* masked: the poll will see them */
    ck_assert_int_eq(fired, 1);
    coalesce_unmask(&co, &cq, 4);                   /* 4 still in the ring: they count as arrived */
    ck_assert_int_eq(fired, 2);
    coalesce_unmask(&co, &cq, 0);
    ck_assert(!co.masked);
}
END_TEST

START_TEST(coalesce_fires_after_rx_usecs)
{
    struct coalesce co;
    coalesce_init(&co, 10, 64);
    co.fire = on_fire;
    coalesce_arrived(&co, &cq, 1);
    coalesce_arrived(&co, &cq, 1);
    ck_assert_int_eq(fired, 0);
    while (sim_step(&cq, NULL))
        ;
    ck_assert_int_eq(fired, 1);
    ck_assert_int_eq(fired_at, 10 * SIM_PS_PER_US);  /* from the first pending frame */
    ck_assert_uint_eq(co.timer_fires, 1);
}
END_TEST

START_TEST(coalesce_without_timer_fires_at_once)
{
    struct coalesce co;
    coalesce_init(&co, 0, 0);
    co.fire = on_fire;
    coalesce_arrived(&co, &cq, 1);
    ck_assert_int_eq(fired, 1);
    ck_assert(co.masked);
}
END_TEST

/* ---- RSS ------------------------------------------------------------------------ */

/* The Microsoft RSS specification's verification suite (TCP rows). */
START_TEST(rss_matches_the_specification)
{
    static const struct { uint8_t src[4], dst[4]; uint16_t sport, dport; uint32_t hash; } v4[] = {
        { { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766, 0x51ccc178 },
        { { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739, 0xc626b0ea },
        { { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024, 0x5c2b394a },
        { { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217, 0xafc7327f },
        { { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303, 0x10e828a2 },
    };
    for (size_t i = 0; i < ARRAY_LEN(v4); i++)
        ck_assert_msg(rss_hash_tuple(4, v4[i].src, v4[i].dst, v4[i].sport, v4[i].dport) == v4[i].hash,
                      "IPv4 vector %zu: 0x%08x", i,
                      rss_hash_tuple(4, v4[i].src, v4[i].dst, v4[i].sport, v4[i].dport));
    static const uint8_t s6[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7 };
    static const uint8_t d6[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1 };
    ck_assert_uint_eq(rss_hash_tuple(6, s6, d6, 2794, 1766), 0x40207d3d);
}
END_TEST

static uint32_t frame_hash(const struct pkt_spec *s)
{
    uint8_t f[256];
    size_t len = pkt_build(f, sizeof f, s);
    ck_assert_uint_gt(len, 0);
    return rss_hash_frame(f, (uint32_t)len, 1, 0);
}

START_TEST(rss_reads_the_tuple_from_frames)
{
    struct pkt_spec s = { .sport = 2794, .dport = 1766, .src = { 66, 9, 149, 187 },
                          .dst = { 161, 142, 100, 80 } };
    ck_assert_uint_eq(frame_hash(&s), 0x51ccc178);
    s.vlan_tags = 2;                                /* tags skipped */
    ck_assert_uint_eq(frame_hash(&s), 0x51ccc178);
    s.vlan_tags = 0;
    s.frag = 0x2000;                                /* a fragment: the default queue */
    ck_assert_uint_eq(frame_hash(&s), 0);
    s.frag = 0;
    s.proto = 17;                                   /* not TCP */
    ck_assert_uint_eq(frame_hash(&s), 0);
    s.proto = 0;
    s.ethertype = 0x0806;                           /* ARP */
    ck_assert_uint_eq(frame_hash(&s), 0);
}
END_TEST

/* The tuple read once (rss_peek) hashes as the frame parser does, for every
 * kind of frame, cut short or not, with or without an Ethernet header. */
START_TEST(rss_from_the_peeked_tuple_matches_the_frame_parser)
{
    static const uint8_t ext[8] = { 6, 0 };         /* one destination-options header, then TCP */
    static const uint8_t pl[64];
    const struct pkt_spec specs[] = {
        { .sport = 1234 }, { .ip_version = 6, .sport = 4321 }, { .vlan_tags = 1 }, { .frag = 0x2000 },
        { .proto = 17 }, { .ip_version = 6, .ext = ext, .ext_len = 8, .first_next = 60 },
        { .ethertype = 0x0806 }, { .payload = pl, .len = 64 },
    };
    for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
        uint8_t f[256];
        uint32_t len = (uint32_t)pkt_build(f, sizeof f, &specs[i]);
        ck_assert_uint_gt(len, 0);
        for (uint32_t cut = 0; cut <= len; cut++) {
            struct skb skb = { .data = f, .len = cut, .wire_len = len, .l2 = SKB_L2_ETHERNET };
            ck_assert_msg(rss_hash_skb(&skb) == rss_hash_frame(f, cut, 1, 0), "frame %zu cut at %u", i, cut);
            /* the same without its Ethernet header, the link saying IPv4 or IPv6 */
            for (int v = 0; v < 2 && cut >= ETH_HLEN; v++) {
                struct skb raw = { .data = f + ETH_HLEN, .len = cut - ETH_HLEN, .wire_len = len - ETH_HLEN,
                                   .l2 = SKB_L2_NONE, .l3_proto = v ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4 };
                ck_assert_msg(rss_hash_skb(&raw) == rss_hash_frame(raw.data, raw.len, 0, 0),
                              "frame %zu cut at %u, no Ethernet header, link says v%d", i, cut, v ? 6 : 4);
            }
        }
    }
}
END_TEST

START_TEST(irq_routing_rules)
{
    struct irq_routing r;
    ck_assert_int_eq(irq_routing_parse(&r, "fixed:2", 4), 0);
    ck_assert_int_eq(irq_routing_cpu(&r, 0), 2);
    ck_assert_int_eq(irq_routing_cpu(&r, 3), 2);
    ck_assert_int_eq(irq_routing_parse(&r, "rss", 3), 0);
    ck_assert_int_eq(irq_routing_cpu(&r, 4), 1);
    ck_assert_int_eq(irq_routing_parse(&r, "rr", 3), 0);
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(irq_routing_cpu(&r, 0), i % 3);
    static const char *const bad[] = { "fixed:4", "fixed:", "fixed:-1", "fixed:1x", "rrr", "" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        ck_assert_msg(irq_routing_parse(&r, bad[i], 4) < 0, "'%s' accepted", bad[i]);
}
END_TEST

/* ---- the NIC ---------------------------------------------------------------------- */

#define NFLOWS 4
#define PER_FLOW 32
#define SEG 1000

static uint8_t payload[SEG];
static uint8_t fbytes[NFLOWS * PER_FLOW + 2][SKB_BUF_SIZE * 3];
static struct box_frame frames[NFLOWS * PER_FLOW + 2];
static size_t nframes;
static struct sim_box box;

/* NFLOWS flows interleaved, PER_FLOW in-order segments each, gap_ns apart. */
static void build_flows(int64_t gap_ns)
{
    nframes = 0;
    for (int k = 0; k < PER_FLOW; k++)
        for (int f = 0; f < NFLOWS; f++) {
            struct pkt_spec s = { .sport = (uint16_t)(40000 + f), .seq = 1u + (uint32_t)k * SEG,
                                  .flags = TCP_ACK, .payload = payload, .len = SEG };
            size_t len = pkt_build(fbytes[nframes], sizeof fbytes[nframes], &s);
            ck_assert_uint_gt(len, 0);
            frames[nframes] = (struct box_frame){ fbytes[nframes], (uint32_t)len, (int64_t)nframes * gap_ns };
            nframes++;
        }
}

static void run_box(const struct box_config *cfg)
{
    ck_assert_int_eq(box_init(&box, cfg, frames, nframes), 0);
    box_run(&box);
    const struct nic_stats *st = &box.nic.st;
    ck_assert_uint_eq(st->frames_in, nframes);
    ck_assert_uint_eq(st->frames_polled + st->dropped_ring_full + st->dropped_too_long, nframes);
    ck_assert_uint_eq(box.host.st.frames, st->frames_polled);
    ck_assert_uint_eq(box.host.st.drops[RX_DROP_RING_FULL], st->dropped_ring_full);
    ck_assert_uint_eq(box.host.st.drops[RX_DROP_FRAME_TOO_LONG], st->dropped_too_long);
}

static void nic_teardown(void)
{
    ck_assert_msg(box_fini(&box), "buffers still out after teardown");
}

START_TEST(nic_delivers_every_frame_when_the_ring_keeps_up)
{
    build_flows(20000);
    run_box(&(struct box_config){ .app_cpu = 1 });
    ck_assert_uint_eq(box.nic.st.frames_polled, nframes);
    ck_assert_uint_eq(box.nic.st.interrupts, nframes);  /* rx-frames 1, no timer: one per frame */
    ck_assert_uint_eq(box.nread, (size_t)NFLOWS * PER_FLOW * SEG);
    ck_assert_uint_eq(box.nic.st.first_arrival, 0);
    ck_assert_uint_eq(box.nic.st.last_arrival, (sim_ps)(nframes - 1) * 20000 * SIM_PS_PER_NS);
}
END_TEST

START_TEST(nic_drops_when_the_ring_is_full)
{
    build_flows(0);                                 /* all at once: the poll cannot keep up */
    run_box(&(struct box_config){ .app_cpu = 1, .ring = 16, .rx_usecs = 100, .rx_frames = 64 });
    ck_assert_uint_eq(box.nic.st.dropped_ring_full, nframes - 16);
    ck_assert_uint_eq(box.nic.st.interrupts, 1);
}
END_TEST

START_TEST(nic_drops_a_frame_no_ring_can_hold)
{
    build_flows(20000);
    struct pkt_spec s = { .seq = 1u + PER_FLOW * SEG, .flags = TCP_ACK, .payload = NULL, .len = 0 };
    static uint8_t big[SKB_BUF_SIZE * 3];
    s.len = SKB_BUF_SIZE * 2 + 100;                 /* three buffers, the ring has two */
    uint8_t *pl = calloc(1, s.len);
    s.payload = pl;
    size_t len = pkt_build(big, sizeof big, &s);
    free(pl);
    ck_assert_uint_gt(len, 0);
    frames[nframes++] = (struct box_frame){ big, (uint32_t)len, (int64_t)nframes * 20000 };
    run_box(&(struct box_config){ .app_cpu = 1, .ring = 2 });
    ck_assert_uint_eq(box.nic.st.dropped_too_long, 1);
    ck_assert_uint_eq(box.nic.st.dropped_ring_full, 0);
}
END_TEST

START_TEST(nic_coalescing_bounds_interrupts)
{
    build_flows(1000);
    run_box(&(struct box_config){ .app_cpu = 1, .rx_frames = 8, .rx_usecs = 1000 });
    ck_assert_uint_eq(box.nic.st.dropped_ring_full, 0);
    ck_assert_uint_le(box.nic.st.interrupts, nframes / 8);
    ck_assert_uint_ge(box.nic.st.interrupts, 1);
}
END_TEST

START_TEST(nic_budget_squeezes_a_long_poll)
{
    build_flows(0);
    run_box(&(struct box_config){ .app_cpu = 1, .budget = 4, .rx_usecs = 100, .rx_frames = 64 });
    ck_assert_uint_eq(box.nic.st.frames_polled, nframes);
    ck_assert_uint_gt(box.nic.st.time_squeeze, 0);
    ck_assert_uint_ge(box.nic.st.polls, nframes / 4);
}
END_TEST

START_TEST(nic_rss_keeps_a_flow_on_one_queue)
{
    build_flows(20000);
    run_box(&(struct box_config){ .cpus = 2, .queues = 2, .irq = "rss", .app_cpu = 1 });
    uint64_t q0 = box.nic.q[0].frames, q1 = box.nic.q[1].frames;
    ck_assert_uint_eq(q0 + q1, nframes);
    ck_assert_msg(q0 % PER_FLOW == 0 && q1 % PER_FLOW == 0, "a flow split across queues: %llu + %llu",
                  (unsigned long long)q0, (unsigned long long)q1);
    /* which queue each flow lands on is its Toeplitz hash's */
    uint64_t want0 = 0;
    for (int f = 0; f < NFLOWS; f++) {
        static const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
        want0 += rss_hash_tuple(4, src, dst, (uint16_t)(40000 + f), 5001) % 2 == 0 ? PER_FLOW : 0;
    }
    ck_assert_uint_eq(q0, want0);
    ck_assert_uint_eq(box.nread, (size_t)NFLOWS * PER_FLOW * SEG);
}
END_TEST

static Suite *nic_suite(void)
{
    Suite *s = suite_create("nic");
    TCase *tc = tcase_create("ring");
    tcase_add_test(tc, ring_fills_in_index_order_and_drops_when_full);
    tcase_add_test(tc, ring_frame_spans_descriptors_across_the_wrap);
    suite_add_tcase(s, tc);

    tc = tcase_create("coalesce");
    tcase_add_checked_fixture(tc, coalesce_setup, coalesce_teardown);
    tcase_add_test(tc, coalesce_fires_at_rx_frames);
    tcase_add_test(tc, coalesce_fires_after_rx_usecs);
    tcase_add_test(tc, coalesce_without_timer_fires_at_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("rss");
    tcase_add_test(tc, rss_matches_the_specification);
    tcase_add_test(tc, rss_reads_the_tuple_from_frames);
    tcase_add_test(tc, rss_from_the_peeked_tuple_matches_the_frame_parser);
    tcase_add_test(tc, irq_routing_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("nic");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, nic_teardown);
    tcase_add_test(tc, nic_delivers_every_frame_when_the_ring_keeps_up);
    tcase_add_test(tc, nic_drops_when_the_ring_is_full);
    tcase_add_test(tc, nic_drops_a_frame_no_ring_can_hold);
    tcase_add_test(tc, nic_coalescing_bounds_interrupts);
    tcase_add_test(tc, nic_budget_squeezes_a_long_poll);
    tcase_add_test(tc, nic_rss_keeps_a_flow_on_one_queue);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(nic_suite());
}
