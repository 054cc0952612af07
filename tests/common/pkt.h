/* tests/common/pkt.h: hand-built Ethernet/IPv4/IPv6/TCP frames with every
 * header field overridable (lwIP's tcp_helper style).  Zero in an override
 * field means "the correct value"; checksums are computed by the RFC 1071
 * reference (copy/csum_ref.c), not by the code under test's dispatch. */
#ifndef RXSIM_TESTS_PKT_H
#define RXSIM_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pkt_spec {
    int ip_version;             /* 4 (default) or 6 */
    uint8_t src[16], dst[16];   /* default 10.0.0.1 → 10.0.0.2, 2001:db8::1 → ::2 */
    uint16_t sport, dport;      /* default 40000 → 5001 */
    uint32_t seq, ack;
    uint8_t flags;              /* default ACK */
    const uint8_t *payload;
    uint32_t len;
    const uint8_t *tcp_opts;    /* raw option bytes, padded to 4 by the builder */
    uint32_t tcp_opts_len;

    int vlan_tags;              /* 802.1Q tags before the Ethertype */
    uint16_t ethertype;         /* override */
    /* IPv4 overrides */
    int ip_ver_field;           /* version nibble written (0: correct) */
    int ihl;                    /* in 32-bit words (0: 5) */
    int tot_len;                /* -1 or 0: correct */
    uint16_t frag;              /* flags+offset field (0: none) */
    uint8_t proto;              /* 0: TCP */
    bool bad_ip_csum;
    /* IPv6 */
    int plen;                   /* 0: correct; -1: write 0 */
    const uint8_t *ext;         /* extension headers placed before TCP */
    uint32_t ext_len;
    uint8_t first_next;         /* next-header of the fixed header when ext is set */
    /* TCP */
    int doff;                   /* in 32-bit words (0: correct) */
    bool bad_tcp_csum;
    int tcp_csum_field;         /* -1/0: computed; else written verbatim (0x10000 means 0) */
};

/* Writes the frame into buf (cap bytes); returns its length, 0 if it does not fit. */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *spec);

/* Offset of the TCP checksum field in a frame pkt_build made from spec. */
size_t pkt_tcp_csum_offset(const struct pkt_spec *spec);

#endif
