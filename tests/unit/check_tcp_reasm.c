/* tests/unit/check_tcp_reasm.c: one direction's reassembly, every case the
 * receive path meets: in order, reordered, duplicated, overlapping, wrapped,
 * FIN before the hole fills, RST mid-stream, the out-of-order bound, and a
 * connection picked up mid-stream.  The oracle is the byte string the sender
 * wrote, built here; the queue must be empty (nothing leaked) at the end.
 * A byte-array reference model (ref_*) checks the queue segment by segment
 * over many random permutations with overlaps, and the interleaved 1-byte
 * case must finish in CPU time that only an O(log n) queue reaches. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netstack/tcp.h"
#include "netstack/tcp_reasm.h"
#include "tests/common/testenv.h"

#define STREAM_MAX 65536

struct sink {
    uint8_t buf[STREAM_MAX];
    size_t len;
    int calls;
};

static void collect(void *ctx, const uint8_t *p, uint32_t n)
{
    struct sink *s = ctx;
    ck_assert_uint_le(s->len + n, STREAM_MAX);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->calls++;
}

struct big_sink {
    uint8_t *buf;
    size_t len;
};

static void collect_big(void *ctx, const uint8_t *p, uint32_t n)
{
    struct big_sink *s = ctx;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static uint8_t src[STREAM_MAX];         /* what the sender wrote */
static struct tcp_reasm r;
static struct sink sink;

static void setup(void)
{
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 131 + (i >> 8));
    tcp_reasm_init(&r, 0);
    memset(&sink, 0, sizeof sink);
}

static void teardown(void)
{
    tcp_reasm_fini(&r);
}

/* Feeds stream bytes [from, from+len) with ISN isn (SYN at isn). */
static int feed(uint32_t isn, uint32_t from, uint32_t len, uint8_t flags, enum rx_drop *why)
{
    return tcp_reasm_segment(&r, isn + 1 + from, flags, src + from, len, collect, &sink, why);
}

static void syn(uint32_t isn)
{
    enum rx_drop why;
    ck_assert_int_eq(tcp_reasm_segment(&r, isn, TCP_SYN, NULL, 0, collect, &sink, &why), 0);
}

static void assert_delivered(size_t n)
{
    ck_assert_uint_eq(sink.len, n);
    ck_assert_msg(!memcmp(sink.buf, src, n), "delivered bytes differ from what was sent");
}

START_TEST(in_order)
{
    enum rx_drop why;
    syn(1000);
    for (uint32_t off = 0; off < 10 * 1448; off += 1448)
        ck_assert_int_eq(feed(1000, off, 1448, TCP_ACK, &why), 0);
    assert_delivered(10 * 1448);
    ck_assert_uint_eq(r.st.retrans_segs, 0);
    ck_assert_uint_eq(r.st.ooo_segs, 0);
    ck_assert_uint_eq(r.rcv_nxt, 1000 + 1 + 10 * 1448);
}
END_TEST

START_TEST(reordered)
{
    enum rx_drop why;
    syn(5);
    ck_assert_int_eq(feed(5, 0, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(5, 200, 100, TCP_ACK, &why), 0);     /* ahead of a hole */
    ck_assert_int_eq(feed(5, 300, 100, TCP_ACK, &why), 0);
    assert_delivered(100);
    ck_assert_uint_eq(tcp_reasm_pending(&r), 200);
    ck_assert_int_eq(feed(5, 100, 100, TCP_ACK, &why), 0);     /* fills it */
    assert_delivered(400);
    ck_assert_uint_eq(tcp_reasm_pending(&r), 0);
    ck_assert_uint_eq(r.st.ooo_segs, 2);
}
END_TEST

START_TEST(duplicated)
{
    enum rx_drop why = RX_DROP__COUNT;
    syn(77);
    ck_assert_int_eq(feed(77, 0, 500, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(77, 0, 500, TCP_ACK, &why), -1);
    ck_assert_int_eq(why, RX_DROP_TCP_OLD_DATA);
    ck_assert_int_eq(feed(77, 800, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(77, 800, 100, TCP_ACK, &why), -1);  /* duplicate of queued data */
    ck_assert_int_eq(why, RX_DROP_TCP_OLD_DATA);
    ck_assert_int_eq(feed(77, 500, 300, TCP_ACK, &why), 0);
    assert_delivered(900);
    ck_assert_uint_eq(r.st.retrans_segs, 2);
}
END_TEST

START_TEST(overlapping)
{
    enum rx_drop why;
    syn(0);
    ck_assert_int_eq(feed(0, 0, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(0, 50, 100, TCP_ACK, &why), 0);      /* half old: trimmed */
    ck_assert_int_eq(feed(0, 300, 100, TCP_ACK, &why), 0);     /* queued [300,400) */
    ck_assert_int_eq(feed(0, 350, 100, TCP_ACK, &why), 0);     /* queued overlap: [400,450) added */
    ck_assert_int_eq(feed(0, 250, 300, TCP_ACK, &why), 0);     /* spans around a queued piece */
    ck_assert_uint_eq(tcp_reasm_pending(&r), 300);             /* [250,550) exactly once */
    ck_assert_int_eq(feed(0, 140, 120, TCP_ACK, &why), 0);     /* bridges the hole */
    assert_delivered(550);
    ck_assert_uint_eq(tcp_reasm_pending(&r), 0);
    ck_assert_uint_ge(r.st.overlap_segs, 2);
}
END_TEST

/* The first copy wins when a retransmission overlaps queued data with other bytes. */
START_TEST(first_copy_wins)
{
    enum rx_drop why;
    uint8_t other[100];
    memset(other, 0xee, sizeof other);
    syn(0);
    ck_assert_int_eq(feed(0, 100, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(tcp_reasm_segment(&r, 1 + 150, TCP_ACK, other, 100, collect, &sink, &why), 0);
    ck_assert_int_eq(feed(0, 0, 100, TCP_ACK, &why), 0);
    ck_assert_uint_eq(sink.len, 250);
    ck_assert(!memcmp(sink.buf, src, 200));
    ck_assert(!memcmp(sink.buf + 200, other + 50, 50));
}
END_TEST

START_TEST(wrapped)
{
    enum rx_drop why;
    uint32_t isn = 0xffffffffu - 3000;                          /* wraps inside the stream */
    syn(isn);
    ck_assert_int_eq(feed(isn, 0, 1448, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(isn, 2896, 1448, TCP_ACK, &why), 0);  /* beyond 2^32: ahead */
    ck_assert_int_eq(feed(isn, 1448, 1448, TCP_ACK, &why), 0);  /* straddles the wrap */
    ck_assert_int_eq(feed(isn, 1448, 1448, TCP_ACK, &why), -1); /* old, across the wrap */
    assert_delivered(3 * 1448);
    ck_assert_uint_eq(r.rcv_nxt, isn + 1 + 3 * 1448);
}
END_TEST

START_TEST(fin_before_hole_fills)
{
    enum rx_drop why;
    syn(10);
    ck_assert_int_eq(feed(10, 0, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(10, 200, 100, TCP_ACK | TCP_FIN, &why), 0);
    ck_assert(r.fin_seen);
    ck_assert(!r.fin_done);
    ck_assert_int_eq(feed(10, 100, 100, TCP_ACK, &why), 0);
    assert_delivered(300);
    ck_assert(r.fin_done);
    ck_assert_int_eq(feed(10, 300, 10, TCP_ACK, &why), -1);    /* data after the FIN */
    ck_assert_int_eq(why, RX_DROP_TCP_CLOSED);
    assert_delivered(300);
}
END_TEST

START_TEST(rst_mid_stream)
{
    enum rx_drop why;
    syn(10);
    ck_assert_int_eq(feed(10, 0, 100, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(10, 200, 100, TCP_ACK, &why), 0);    /* queued behind a hole */
    ck_assert_int_eq(feed(10, 100, 0, TCP_RST, &why), 0);
    ck_assert(r.reset);
    ck_assert_int_eq(feed(10, 100, 100, TCP_ACK, &why), -1);
    ck_assert_int_eq(why, RX_DROP_TCP_CLOSED);
    assert_delivered(100);
}
END_TEST

START_TEST(ooo_bound)
{
    enum rx_drop why;
    tcp_reasm_fini(&r);
    tcp_reasm_init(&r, 4096);
    syn(0);
    ck_assert_int_eq(feed(0, 1000, 3000, TCP_ACK, &why), 0);
    ck_assert_int_eq(feed(0, 5000, 2000, TCP_ACK, &why), -1);  /* 3000 + 2000 > 4096 */
    ck_assert_int_eq(why, RX_DROP_TCP_OOO_LIMIT);
    ck_assert_uint_eq(r.st.ooo_dropped_bytes, 2000);
    ck_assert_uint_le(tcp_reasm_pending(&r), 4096);
    ck_assert_int_eq(feed(0, 0, 1000, TCP_ACK, &why), 0);
    assert_delivered(4000);                                     /* dropped data stays a hole */
}
END_TEST

/* 1-byte segments behind a hole: each piece is charged its bytes plus
 * TCP_OOO_PIECE_COST, so the queue holds limit / (1 + cost) of them, not
 * limit of them (which would be 32 bytes of allocation per byte queued). */
START_TEST(tiny_pieces_charge_their_cost)
{
    enum rx_drop why;
    const uint32_t limit = 65536, sent = 20000;
    tcp_reasm_fini(&r);
    tcp_reasm_init(&r, limit);
    syn(0);
    uint32_t taken = 0;
    for (uint32_t i = 1; i <= sent; i++)
        taken += feed(0, i, 1, TCP_ACK, &why) == 0;
    size_t want = limit / (1 + TCP_OOO_PIECE_COST);
    ck_assert_uint_eq(r.ooo_pieces, want);
    ck_assert_uint_eq(taken, want);
    ck_assert_uint_eq(r.st.ooo_dropped_bytes, sent - want);
    ck_assert_int_eq(feed(0, 0, 1, TCP_ACK, &why), 0);          /* the hole fills */
    assert_delivered(1 + want);
    ck_assert_uint_eq(r.ooo_pieces, 0);
    ck_assert_uint_eq(r.ooo_bytes, 0);
}
END_TEST

/* Segments of random lengths in a random order, with duplicates and
 * overlaps: the queue (pieces placed after, before and between queued ones,
 * drained from its first) must give back exactly what was sent. */
START_TEST(random_order_and_overlaps)
{
    enum rx_drop why;
    syn(0);
    enum { N = 3000 };
    static uint32_t from[N], len[N];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint32_t pos = 0;
    int n = 0;
    while (pos < STREAM_MAX && n < N) {           /* cover the stream, pieces of 1..64 bytes */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t l = 1 + (uint32_t)(x >> 58);
        if (pos + l > STREAM_MAX)
            l = STREAM_MAX - pos;
        from[n] = pos, len[n] = l, n++;
        pos += l;
    }
    for (int i = n - 1; i > 0; i--) {              /* Fisher-Yates, but keep runs in order sometimes */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        if ((x >> 60) < 6)
            continue;
        int j = (int)((x >> 33) % (uint64_t)(i + 1));
        uint32_t f = from[i], l = len[i];
        from[i] = from[j], len[i] = len[j], from[j] = f, len[j] = l;
    }
    for (int i = 0; i < n; i++) {
        feed(0, from[i], len[i], TCP_ACK, &why);
        if (i % 7 == 0) {                           /* a duplicate, and an overlap of two pieces */
            feed(0, from[i], len[i], TCP_ACK, &why);
            uint32_t end = from[i] + len[i] + 16 <= pos ? from[i] + len[i] + 16 : pos;
            feed(0, from[i], end - from[i], TCP_ACK, &why);
        }
    }
    assert_delivered(pos);
    ck_assert_uint_eq(r.ooo_pieces, 0);
    ck_assert_uint_eq(r.ooo_bytes, 0);
}
END_TEST

START_TEST(mid_stream_pickup)
{
    enum rx_drop why;
    /* No SYN captured: a bare ACK says nothing; the first data sets rcv_nxt. */
    ck_assert_int_eq(tcp_reasm_segment(&r, 5000, TCP_ACK, NULL, 0, collect, &sink, &why), 0);
    ck_assert(!r.synced);
    ck_assert_int_eq(tcp_reasm_segment(&r, 9000, TCP_ACK, src, 100, collect, &sink, &why), 0);
    ck_assert_int_eq(tcp_reasm_segment(&r, 9100, TCP_ACK, src + 100, 100, collect, &sink, &why), 0);
    assert_delivered(200);
}
END_TEST

START_TEST(syn_with_data)
{
    enum rx_drop why;
    ck_assert_int_eq(tcp_reasm_segment(&r, 41, TCP_SYN, src, 10, collect, &sink, &why), 0);
    ck_assert_int_eq(feed(41, 10, 10, TCP_ACK, &why), 0);
    assert_delivered(20);
}
END_TEST


/* ---- reference model ----------------------------------------------------
 * The rules of tcp_reasm.h over a plain byte array, offsets from the stream
 * start (no wrap): a byte is queued or not, a piece is a maximal run of new
 * bytes one segment added (charged TCP_OOO_PIECE_COST), in-order data is
 * delivered from the segment and then whatever queued bytes follow it. */
#define REF_MAX 8192
struct ref {
    uint32_t rcv;                       /* next offset to deliver */
    bool have[REF_MAX], starts[REF_MAX];
    uint8_t val[REF_MAX];
    size_t bytes, pieces, limit;
    uint8_t out[REF_MAX];
    size_t out_len;
    uint64_t retrans, overlap, ooo, ooo_dropped;
};

static void ref_unqueue(struct ref *m, uint32_t i)
{
    if (m->have[i]) {
        m->have[i] = false;
        m->bytes--;
    }
    if (m->starts[i]) {
        m->starts[i] = false;
        m->pieces--;
    }
}

static int ref_segment(struct ref *m, uint32_t off, const uint8_t *p, uint32_t len, enum rx_drop *why)
{
    uint32_t end = off + len;
    if (end <= m->rcv) {
        m->retrans++;
        *why = RX_DROP_TCP_OLD_DATA;
        return -1;
    }
    if (off < m->rcv) {
        m->overlap++;
        p += m->rcv - off;
        off = m->rcv;
    }
    if (off == m->rcv) {
        memcpy(m->out + m->out_len, p, end - off);
        m->out_len += end - off;
        /* Queued pieces that start inside it go (their tails are still queued
         * bytes), then every queued byte that now follows in order. */
        for (uint32_t i = off; i < end; i++)
            ref_unqueue(m, i);
        m->rcv = end;
        while (m->rcv < REF_MAX && m->have[m->rcv]) {
            m->out[m->out_len++] = m->val[m->rcv];
            ref_unqueue(m, m->rcv);
            m->rcv++;
        }
        return 0;
    }
    m->ooo++;
    uint32_t queued = 0, s = off;
    bool limited = false;
    while (s < end) {
        if (m->have[s]) {
            s++;
            continue;
        }
        uint32_t e = s;
        while (e < end && !m->have[e])
            e++;
        if (m->bytes + (e - s) + (m->pieces + 1) * TCP_OOO_PIECE_COST > m->limit) {
            limited = true;
            break;
        }
        for (uint32_t i = s; i < e; i++) {
            m->have[i] = true;
            m->val[i] = p[i - off];
        }
        m->starts[s] = true;
        m->bytes += e - s;
        m->pieces++;
        queued += e - s;
        s = e;
    }
    if (limited)
        m->ooo_dropped += len - queued;
    if (queued)
        return 0;
    if (limited) {
        *why = RX_DROP_TCP_OOO_LIMIT;
        return -1;
    }
    m->ooo--;
    m->retrans++;
    *why = RX_DROP_TCP_OLD_DATA;
    return -1;
}

static uint64_t rng_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

/* Random segments over a REF_MAX-byte stream: a cover in pieces of 1..64
 * bytes, shuffled, with random overlapping spans and duplicates mixed in,
 * under a random out-of-order bound; after every segment the queue must
 * agree with the model on verdict, bytes delivered, bytes and pieces held;
 * at the end on every delivered byte and counter.  ISNs near 2^32 make the
 * tree's modular order wrap. */
START_TEST(matches_reference_model)
{
    static struct ref m;
    enum { SEGS = 1200 };
    static uint32_t from[SEGS], len[SEGS];
    uint64_t x = 0x5eed0000u + (uint64_t)_i * 0x9e3779b97f4a7c15ull;
    uint32_t isn = (_i % 3 == 0) ? 0xffffffffu - (uint32_t)(rng_next(&x) % REF_MAX) : (uint32_t)rng_next(&x) * 2654435761u;
    size_t limits[] = { 1u << 20, 4096, 1500, 16384 };
    size_t limit = limits[_i % 4];
    memset(&m, 0, sizeof m);
    m.limit = limit;
    tcp_reasm_fini(&r);
    tcp_reasm_init(&r, limit);
    syn(isn);

    int n = 0;
    for (uint32_t pos = 0; pos < REF_MAX && n < SEGS;) {
        uint32_t l = 1 + (uint32_t)(rng_next(&x) % 64);
        if (pos + l > REF_MAX)
            l = REF_MAX - pos;
        from[n] = pos, len[n] = l, n++;
        pos += l;
    }
    while (n < SEGS) {                                  /* overlapping spans and duplicates */
        uint32_t a = (uint32_t)(rng_next(&x) % REF_MAX);
        uint32_t l = 1 + (uint32_t)(rng_next(&x) % 300);
        from[n] = a, len[n] = a + l > REF_MAX ? REF_MAX - a : l, n++;
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng_next(&x) % (uint64_t)(i + 1));
        uint32_t f = from[i], l = len[i];
        from[i] = from[j], len[i] = len[j], from[j] = f, len[j] = l;
    }
    for (int i = 0; i < n; i++) {
        enum rx_drop why = RX_DROP__COUNT, want_why = RX_DROP__COUNT;
        int got = feed(isn, from[i], len[i], TCP_ACK, &why);
        int want = ref_segment(&m, from[i], src + from[i], len[i], &want_why);
        ck_assert_msg(got == want && (got == 0 || why == want_why),
                      "seed %d segment %d [%u,+%u): got %d/%d, model %d/%d", _i, i,
                      from[i], len[i], got, (int)why, want, (int)want_why);
        ck_assert_msg(sink.len == m.out_len && r.ooo_bytes == m.bytes && r.ooo_pieces == m.pieces,
                      "seed %d segment %d: delivered %zu/%zu, held %zu/%zu bytes in %zu/%zu pieces",
                      _i, i, sink.len, m.out_len, r.ooo_bytes, m.bytes, r.ooo_pieces, m.pieces);
    }
    ck_assert_msg(!memcmp(sink.buf, m.out, m.out_len), "seed %d: delivered bytes differ", _i);
    ck_assert_uint_eq(r.st.retrans_segs, m.retrans);
    ck_assert_uint_eq(r.st.overlap_segs, m.overlap);
    ck_assert_uint_eq(r.st.ooo_segs, m.ooo);
    ck_assert_uint_eq(r.st.ooo_dropped_bytes, m.ooo_dropped);
    ck_assert_uint_eq(r.st.delivered, m.out_len);
}
END_TEST

static uint8_t byte_at(uint32_t i) { return (uint8_t)(i * 131 + (i >> 8) + (i >> 16)); }

/* 240k one-byte segments: the odd bytes, then the even ones, then byte 0,
 * so every even byte lands between two queued ones.  A sorted list walks
 * half the queue per insert (24.5 s); the tree takes well under a second
 * (5 s of CPU allowed for sanitizers and a loaded machine).  Every byte must
 * come out once, in order. */
START_TEST(interleaved_one_byte_segments)
{
    enum { N = 240000 };
    static uint8_t stream[N], got[N];
    struct big_sink out = { got, 0 };
    enum rx_drop why;
    for (uint32_t i = 0; i < N; i++)
        stream[i] = byte_at(i);
    tcp_reasm_fini(&r);
    tcp_reasm_init(&r, (size_t)N * (1 + TCP_OOO_PIECE_COST));
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    ck_assert_int_eq(tcp_reasm_segment(&r, 7, TCP_SYN, NULL, 0, collect, &sink, &why), 0);
    uint32_t order[2] = { 1, 2 };
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = order[pass]; i < N; i += 2)
            ck_assert_int_eq(tcp_reasm_segment(&r, 8 + i, TCP_ACK, stream + i, 1,
                                               collect_big, &out, &why), 0);
    ck_assert_uint_eq(r.ooo_pieces, N - 1);
    ck_assert_int_eq(tcp_reasm_segment(&r, 8, TCP_ACK, stream, 1, collect_big, &out, &why), 0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_uint_eq(out.len, N);
    ck_assert_msg(!memcmp(got, stream, N), "interleaved bytes delivered out of order");
    ck_assert_uint_eq(r.ooo_pieces, 0);
    ck_assert_msg(secs < 5.0, "240k interleaved 1-byte segments took %.2f s of CPU", secs);
}
END_TEST

static Suite *reasm_suite(void)
{
    Suite *s = suite_create("tcp_reasm");
    TCase *tc = tcase_create("cases");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, in_order);
    tcase_add_test(tc, reordered);
    tcase_add_test(tc, duplicated);
    tcase_add_test(tc, overlapping);
    tcase_add_test(tc, first_copy_wins);
    tcase_add_test(tc, wrapped);
    tcase_add_test(tc, fin_before_hole_fills);
    tcase_add_test(tc, rst_mid_stream);
    tcase_add_test(tc, ooo_bound);
    tcase_add_test(tc, tiny_pieces_charge_their_cost);
    tcase_add_test(tc, random_order_and_overlaps);
    tcase_add_test(tc, mid_stream_pickup);
    tcase_add_test(tc, syn_with_data);
    suite_add_tcase(s, tc);
    TCase *model = tcase_create("model");
    tcase_add_checked_fixture(model, setup, teardown);
    tcase_add_loop_test(model, matches_reference_model, 0, 200);
    tcase_add_test(model, interleaved_one_byte_segments);
    tcase_set_timeout(model, 120);
    suite_add_tcase(s, model);
    return s;
}

int main(void)
{
    return testenv_run_suite(reasm_suite());
}
