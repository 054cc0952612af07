/* tests/common/pkt.c: see pkt.h. */
#include "tests/common/pkt.h"

#include <string.h>

#include "copy/csum.h"

uint32_t csum_ref(const void *buf, size_t len, uint32_t sum);  /* copy/csum_ref.c */

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)(v >> 16)); wr16(p + 2, (uint16_t)v); }

static uint16_t fold_ref(uint32_t s)
{
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t l3_offset(const struct pkt_spec *s)
{
    return 14 + 4 * (size_t)s->vlan_tags;
}

static size_t ip_hlen(const struct pkt_spec *s)
{
    if (s->ip_version == 6)
        return 40 + s->ext_len;
    return 4 * (size_t)(s->ihl ? s->ihl : 5);
}

static size_t opt_len(const struct pkt_spec *s) { return (s->tcp_opts_len + 3) & ~3u; }

size_t pkt_tcp_csum_offset(const struct pkt_spec *s)
{
    return l3_offset(s) + ip_hlen(s) + 16;
}

size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *in)
{
    struct pkt_spec s = *in;
    static const uint8_t v4src[4] = { 10, 0, 0, 1 }, v4dst[4] = { 10, 0, 0, 2 };
    static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
    static const uint8_t zero[16];
    if (!s.ip_version)
        s.ip_version = 4;
    if (!memcmp(s.src, zero, 16))
        memcpy(s.src, s.ip_version == 4 ? v4src : v6src, s.ip_version == 4 ? 4 : 16);
    if (!memcmp(s.dst, zero, 16))
        memcpy(s.dst, s.ip_version == 4 ? v4dst : v6dst, s.ip_version == 4 ? 4 : 16);
    if (!s.sport) s.sport = 40000;
    if (!s.dport) s.dport = 5001;
    if (!s.flags) s.flags = 0x10;

    size_t l3 = l3_offset(&s), iph = ip_hlen(&s);
    size_t tcph = 20 + opt_len(&s);
    size_t l4len = tcph + s.len;
    size_t total = l3 + iph + l4len;
    if (total > cap)
        return 0;
    memset(buf, 0, total);

    /* Ethernet */
    memcpy(buf, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    size_t off = 12;
    for (int i = 0; i < s.vlan_tags; i++, off += 4) {
        wr16(buf + off, 0x8100);
        wr16(buf + off + 2, (uint16_t)(100 + i));
    }
    wr16(buf + off, s.ethertype ? s.ethertype : (s.ip_version == 4 ? 0x0800 : 0x86dd));

    uint8_t *ip = buf + l3;
    if (s.ip_version == 4) {
        ip[0] = (uint8_t)((s.ip_ver_field ? s.ip_ver_field : 4) << 4 | (s.ihl ? s.ihl : 5));
        wr16(ip + 2, (uint16_t)(s.tot_len > 0 ? s.tot_len : s.tot_len < 0 ? 0 : (int)(iph + l4len)));
        wr16(ip + 6, s.frag);
        ip[8] = 64;
        ip[9] = s.proto ? s.proto : 6;
        memcpy(ip + 12, s.src, 4);
        memcpy(ip + 16, s.dst, 4);
        size_t hl = iph < 20 ? 20 : iph;
        uint16_t c = fold_ref(csum_ref(ip, hl, 0));
        wr16(ip + 10, s.bad_ip_csum ? (uint16_t)(c ^ 0x5555) : c);
    } else {
        ip[0] = (uint8_t)((s.ip_ver_field ? s.ip_ver_field : 6) << 4);
        wr16(ip + 4, (uint16_t)(s.plen > 0 ? s.plen : s.plen < 0 ? 0 : (int)(s.ext_len + l4len)));
        ip[6] = s.ext ? s.first_next : (s.proto ? s.proto : 6);
        ip[7] = 64;
        memcpy(ip + 8, s.src, 16);
        memcpy(ip + 24, s.dst, 16);
        if (s.ext)
            memcpy(ip + 40, s.ext, s.ext_len);
    }

    uint8_t *th = ip + iph;
    wr16(th, s.sport);
    wr16(th + 2, s.dport);
    wr32(th + 4, s.seq);
    wr32(th + 8, s.ack);
    th[12] = (uint8_t)((s.doff ? s.doff : (int)(tcph / 4)) << 4);
    th[13] = s.flags;
    wr16(th + 14, 65535);
    if (s.tcp_opts_len)
        memcpy(th + 20, s.tcp_opts, s.tcp_opts_len);
    if (s.len)
        memcpy(th + tcph, s.payload, s.len);

    uint32_t sum = s.ip_version == 4 ? csum_pseudo_v4(s.src, s.dst, 6, (uint32_t)l4len)
                                     : csum_pseudo_v6(s.src, s.dst, 6, (uint32_t)l4len);
    uint16_t c = fold_ref(csum_ref(th, l4len, sum));
    if (s.tcp_csum_field > 0)
        c = (uint16_t)s.tcp_csum_field;          /* 0x10000 truncates to 0 */
    else if (s.bad_tcp_csum)
        c ^= 0x00ff;
    wr16(th + 16, c);
    return total;
}
