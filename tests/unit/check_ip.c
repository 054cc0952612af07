/* tests/unit/check_ip.c: the receive ladder (eth → IPv4/IPv6 → TCP header and
 * checksum) with hand-built frames, every header field out of range, each
 * asserting the named drop reason, and a snaplen-cut frame never read past
 * its captured length (ASan would see it: the frame is copied into a buffer
 * of exactly its captured size). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/netstack.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/testenv.h"

static struct netstack ns;
static uint64_t delivered;
static uint8_t payload[1460];

static void on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                       uint32_t n)
{
    (void)ctx; (void)skb; (void)c; (void)dir; (void)p;
    delivered += n;
}

static void setup(void)
{
    struct netstack_config cfg = { .verify_csum = true, .deliver = on_deliver };
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    delivered = 0;
    ck_assert_int_eq(netstack_init(&ns, &cfg), 0);
}

static void teardown(void)
{
    netstack_fini(&ns);
}

/* Runs a frame of which only caplen bytes were captured (0: all of it).
 * Returns -1 and the reason, or 0. */
static int rx_frame(const uint8_t *frame, size_t len, size_t caplen, enum rx_drop *why)
{
    size_t cap = caplen ? caplen : len;
    uint8_t *copy = malloc(cap ? cap : 1);        /* exact size: overreads trip ASan */
    memcpy(copy, frame, cap);
    struct skb skb = { .data = copy, .len = (uint32_t)cap, .wire_len = (uint32_t)len,
                       .frame_no = 1, .l2 = SKB_L2_ETHERNET };
    *why = RX_DROP__COUNT;
    int rc = netstack_rx(&ns, &skb, why);
    free(copy);
    return rc;
}

static void expect(const struct pkt_spec *spec, int want_rc, enum rx_drop want_why, const char *what)
{
    uint8_t frame[2048];
    size_t len = pkt_build(frame, sizeof frame, spec);
    ck_assert_msg(len > 0, "%s: frame did not build", what);
    enum rx_drop why;
    int rc = rx_frame(frame, len, 0, &why);
    ck_assert_msg(rc == want_rc, "%s: rc %d, want %d (reason %s)", what, rc, want_rc,
                  rc < 0 ? rx_drop_key(why) : "-");
    if (want_rc < 0)
        ck_assert_msg(why == want_why, "%s: dropped as %s, want %s", what, rx_drop_key(why),
                      rx_drop_key(want_why));
}

START_TEST(good_frames_pass)
{
    expect(&(struct pkt_spec){ .payload = payload, .len = 100 }, 0, 0, "plain IPv4");
    expect(&(struct pkt_spec){ .ip_version = 6, .payload = payload, .len = 100 }, 0, 0, "plain IPv6");
    expect(&(struct pkt_spec){ .vlan_tags = 1, .sport = 1, .payload = payload, .len = 10 }, 0, 0, "802.1Q");
    expect(&(struct pkt_spec){ .vlan_tags = 3, .sport = 2, .payload = payload, .len = 10 }, 0, 0, "QinQinQ");
    ck_assert_uint_eq(delivered, 220);
    ck_assert_uint_eq(ns.st.consumed, 4);
}
END_TEST

START_TEST(ethernet)
{
    uint8_t frame[13] = {0};
    enum rx_drop why;
    ck_assert_int_eq(rx_frame(frame, sizeof frame, 0, &why), -1);
    ck_assert_int_eq(why, RX_DROP_LINK_HDR);
    expect(&(struct pkt_spec){ .vlan_tags = 9 }, -1, RX_DROP_LINK_HDR, "9 VLAN tags");
    expect(&(struct pkt_spec){ .ethertype = 0x0806 }, -1, RX_DROP_NOT_IP, "ARP");
    expect(&(struct pkt_spec){ .ethertype = 0x0040 }, -1, RX_DROP_NOT_IP, "802.3 length");
}
END_TEST

START_TEST(ipv4_fields)
{
    expect(&(struct pkt_spec){ .ip_ver_field = 5 }, -1, RX_DROP_IP_HDR, "version 5");
    expect(&(struct pkt_spec){ .ihl = 4 }, -1, RX_DROP_IP_HDR, "IHL 4");
    expect(&(struct pkt_spec){ .tot_len = 19 }, -1, RX_DROP_IP_HDR, "total length < IHL");
    expect(&(struct pkt_spec){ .tot_len = -1 }, -1, RX_DROP_IP_HDR, "total length 0 (BIG TCP)");
    expect(&(struct pkt_spec){ .tot_len = 1500 }, -1, RX_DROP_IP_HDR, "total length > frame");
    expect(&(struct pkt_spec){ .bad_ip_csum = true }, -1, RX_DROP_IP_CSUM, "header checksum");
    expect(&(struct pkt_spec){ .frag = 0x2000 }, -1, RX_DROP_IP_FRAG, "MF set");
    expect(&(struct pkt_spec){ .frag = 0x0010 }, -1, RX_DROP_IP_FRAG, "offset 128");
    expect(&(struct pkt_spec){ .frag = 0x4000 }, 0, 0, "DF is fine");
    expect(&(struct pkt_spec){ .proto = 17 }, -1, RX_DROP_NOT_TCP, "UDP");
    /* IHL 15 claims 60 header bytes; the frame builder wrote 60 with options. */
    expect(&(struct pkt_spec){ .ihl = 15 }, 0, 0, "IHL 15 with options");
    /* Ethernet padding beyond the IP length is ignored. */
    uint8_t frame[128];
    size_t len = pkt_build(frame, sizeof frame, &(struct pkt_spec){ .payload = payload, .len = 4 });
    memset(frame + len, 0xab, 10);
    enum rx_drop why;
    ck_assert_int_eq(rx_frame(frame, len + 10, 0, &why), 0);
    ck_assert_uint_eq(delivered, 4);
}
END_TEST

START_TEST(ipv6_fields)
{
    static const uint8_t hbh_dst[] = { 60, 0, 1, 4, 0, 0, 0, 0,      /* HBH → DSTOPTS, PadN */
                                       6, 0, 1, 4, 0, 0, 0, 0 };     /* DSTOPTS → TCP */
    static const uint8_t frag[] = { 6, 0, 0, 1, 0, 0, 0, 1 };
    static const uint8_t too_long[] = { 0, 2, 0, 0, 0, 0, 0, 0 };    /* claims 24 bytes, has 8 */
    uint8_t loop[8 * 9];
    for (int i = 0; i < 9; i++) {                                     /* nine HBH headers */
        memset(loop + 8 * i, 0, 8);
        loop[8 * i] = i == 8 ? 6 : 0;
    }
    expect(&(struct pkt_spec){ .ip_version = 6, .ext = hbh_dst, .ext_len = sizeof hbh_dst,
                               .first_next = 0, .payload = payload, .len = 30 }, 0, 0, "HBH+DST chain");
    expect(&(struct pkt_spec){ .ip_version = 6, .ext = frag, .ext_len = sizeof frag,
                               .first_next = 44 }, -1, RX_DROP_IP_FRAG, "fragment header");
    expect(&(struct pkt_spec){ .ip_version = 6, .ext = too_long, .ext_len = sizeof too_long,
                               .first_next = 0 }, -1, RX_DROP_IP6_EXT, "ext length beyond payload");
    expect(&(struct pkt_spec){ .ip_version = 6, .ext = loop, .ext_len = sizeof loop,
                               .first_next = 0 }, -1, RX_DROP_IP6_EXT, "9 extension headers");
    expect(&(struct pkt_spec){ .ip_version = 6, .plen = -1 }, -1, RX_DROP_IP_HDR, "payload length 0");
    expect(&(struct pkt_spec){ .ip_version = 6, .plen = 2000 }, -1, RX_DROP_IP_HDR, "payload length > frame");
    expect(&(struct pkt_spec){ .ip_version = 6, .ip_ver_field = 4 }, -1, RX_DROP_IP_HDR, "version 4 in v6");
    expect(&(struct pkt_spec){ .ip_version = 6, .proto = 58 }, -1, RX_DROP_NOT_TCP, "ICMPv6");
    expect(&(struct pkt_spec){ .ip_version = 6, .bad_tcp_csum = true }, -1, RX_DROP_TCP_CSUM, "v6 TCP csum");
}
END_TEST

START_TEST(tcp_fields)
{
    expect(&(struct pkt_spec){ .doff = 4 }, -1, RX_DROP_TCP_HDR, "data offset 4");
    expect(&(struct pkt_spec){ .doff = 15 }, -1, RX_DROP_TCP_HDR, "data offset past segment");
    expect(&(struct pkt_spec){ .flags = TCP_SYN | TCP_FIN }, -1, RX_DROP_TCP_FLAGS, "SYN+FIN");
    expect(&(struct pkt_spec){ .flags = TCP_SYN | TCP_RST }, -1, RX_DROP_TCP_FLAGS, "SYN+RST");
    expect(&(struct pkt_spec){ .bad_tcp_csum = true, .payload = payload, .len = 50 }, -1,
           RX_DROP_TCP_CSUM, "TCP checksum");
    ck_assert_uint_eq(delivered, 0);
}
END_TEST

/* RFC 1624: 0x0000 and 0xffff are both zero; a correct verifier accepts the
 * segment whichever the sender wrote when the sum comes out zero. */
START_TEST(csum_both_zeros)
{
    /* Find a payload whose correct checksum field is 0x0000 or 0xffff by
     * adjusting two bytes; then write the other representation. */
    uint8_t p[64] = {0};
    struct pkt_spec s = { .payload = p, .len = sizeof p, .seq = 1 };
    uint8_t frame[256];
    size_t len = pkt_build(frame, sizeof frame, &s);
    size_t co = pkt_tcp_csum_offset(&s);
    uint16_t c = (uint16_t)(frame[co] << 8 | frame[co + 1]);
    /* Adding c into the payload (ones'-complement) makes the correct field 0. */
    p[0] = (uint8_t)(c >> 8);
    p[1] = (uint8_t)c;
    len = pkt_build(frame, sizeof frame, &s);
    ck_assert_msg((frame[co] == 0 && frame[co + 1] == 0) || (frame[co] == 0xff && frame[co + 1] == 0xff),
                  "construction failed: field %02x%02x", frame[co], frame[co + 1]);
    enum rx_drop why;
    ck_assert_int_eq(rx_frame(frame, len, 0, &why), 0);
    frame[co] ^= 0xff;                                        /* the other zero */
    frame[co + 1] ^= 0xff;
    s.seq = 1 + sizeof p;                                     /* irrelevant: same bytes */
    ck_assert_int_eq(rx_frame(frame, len, 0, &why), -1);      /* old data, not a csum drop */
    ck_assert_int_eq(why, RX_DROP_TCP_OLD_DATA);
    ck_assert_uint_eq(ns.st.drops[RX_DROP_TCP_CSUM], 0);
}
END_TEST

START_TEST(snaplen_truncated)
{
    uint8_t frame[2048];
    size_t len = pkt_build(frame, sizeof frame, &(struct pkt_spec){ .payload = payload, .len = 1400 });
    size_t cuts[] = { 10, 14, 20, 34, 40, 54, 100, len - 1 };
    for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
        enum rx_drop why;
        ck_assert_int_eq(rx_frame(frame, len, cuts[i], &why), -1);
        ck_assert_msg(why == RX_DROP_TRUNCATED, "cut at %zu: %s", cuts[i], rx_drop_key(why));
    }
    ck_assert_uint_eq(ns.st.drops[RX_DROP_TRUNCATED], ARRAY_LEN(cuts));
    ck_assert_uint_eq(delivered, 0);
}
END_TEST

START_TEST(options_parsed)
{
    static const uint8_t opts[] = { 2, 4, 0x05, 0xb4,             /* MSS 1460 */
                                    4, 2,                         /* SACK permitted */
                                    8, 10, 0, 0, 0, 1, 0, 0, 0, 0, /* timestamps */
                                    1, 3, 3, 7 };                 /* NOP, window scale 7 */
    struct tcp_opts o;
    tcp_parse_options(opts, sizeof opts, &o);
    ck_assert(o.has_mss && o.mss == 1460);
    ck_assert(o.sack_perm);
    ck_assert(o.has_ts && o.tsval == 1);
    ck_assert(o.has_wscale && o.wscale == 7);
    ck_assert(!o.malformed);
    static const uint8_t bad[] = { 2, 40, 0, 0 };                /* length past the end */
    tcp_parse_options(bad, sizeof bad, &o);
    ck_assert(o.malformed && !o.has_mss);
    static const uint8_t zero_len[] = { 8, 0 };                  /* would loop forever */
    tcp_parse_options(zero_len, sizeof zero_len, &o);
    ck_assert(o.malformed);
    /* A SYN carrying them records them on the direction. */
    expect(&(struct pkt_spec){ .flags = TCP_SYN, .tcp_opts = opts, .tcp_opts_len = sizeof opts }, 0, 0,
           "SYN with options");
    ck_assert_uint_eq(ns.conns.count, 1);
    ck_assert_uint_eq(ns.conns.all[0]->dir[0].syn_opts.mss, 1460);
}
END_TEST

START_TEST(connections_by_tuple)
{
    /* Two directions of one connection, and a second connection. */
    expect(&(struct pkt_spec){ .seq = 1, .payload = payload, .len = 10 }, 0, 0, "a→b");
    struct pkt_spec back = { .sport = 5001, .dport = 40000, .seq = 7, .payload = payload, .len = 20 };
    memcpy(back.src, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    memcpy(back.dst, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    expect(&back, 0, 0, "b→a");
    expect(&(struct pkt_spec){ .sport = 40001, .seq = 1, .payload = payload, .len = 5 }, 0, 0, "c→b");
    ck_assert_uint_eq(ns.conns.count, 2);
    ck_assert_uint_eq(ns.conns.all[0]->dir[0].reasm.st.delivered, 10);
    ck_assert_uint_eq(ns.conns.all[0]->dir[1].reasm.st.delivered, 20);
    ck_assert_uint_eq(ns.conns.all[1]->dir[0].reasm.st.delivered, 5);
}
END_TEST

START_TEST(many_connections_grow_table)
{
    for (int i = 0; i < 5000; i++)
        expect(&(struct pkt_spec){ .sport = (uint16_t)(1024 + i), .seq = 1, .payload = payload, .len = 1 },
               0, 0, "many");
    ck_assert_uint_eq(ns.conns.count, 5000);
    /* Every one is found again, not duplicated. */
    for (int i = 0; i < 5000; i += 7)
        expect(&(struct pkt_spec){ .sport = (uint16_t)(1024 + i), .seq = 2, .payload = payload, .len = 1 },
               0, 0, "again");
    ck_assert_uint_eq(ns.conns.count, 5000);
}
END_TEST

static Suite *ip_suite(void)
{
    Suite *s = suite_create("ip");
    TCase *tc = tcase_create("ladder");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_frames_pass);
    tcase_add_test(tc, ethernet);
    tcase_add_test(tc, ipv4_fields);
    tcase_add_test(tc, ipv6_fields);
    tcase_add_test(tc, tcp_fields);
    tcase_add_test(tc, csum_both_zeros);
    tcase_add_test(tc, snaplen_truncated);
    tcase_add_test(tc, options_parsed);
    tcase_add_test(tc, connections_by_tuple);
    tcase_add_test(tc, many_connections_grow_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(ip_suite());
}
