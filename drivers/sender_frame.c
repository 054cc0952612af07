/* drivers/sender_frame.c: a closed-loop frame's bytes (sender_frame.h),
 * apart from sender.c's timing: what a segment carries, not when it goes. */
#include "drivers/sender_frame.h"

#include <string.h>

#include "copy/csum.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define SYN_MSS_LEN 4u                  /* MSS */
#define SYN_TS_LEN 12u                  /* NOP NOP timestamps */
#define SYN_WS_LEN 4u                   /* NOP window scale */
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

/* The options: a SYN's, or a data segment's timestamps; their length. */
static uint32_t options(uint8_t *opt, const struct sender_frame *f)
{
    const struct sender_flow_spec *sp = f->sp;
    uint32_t n = 0;
    if (f->syn) {                       /* MSS, [NOP NOP timestamps], [NOP window scale] */
        opt[0] = 2; opt[1] = 4; put16(opt + 2, sp->mss);
        n = SYN_MSS_LEN;
    }
    if (sp->has_ts) {
        opt[n] = 1; opt[n + 1] = 1;
        opt[n + 2] = 8; opt[n + 3] = 10; put32(opt + n + 4, f->tsval); put32(opt + n + 8, 0);
        n += SYN_TS_LEN;
    }
    if (f->syn && sp->has_wscale) {
        opt[n] = 1;
        opt[n + 1] = 3; opt[n + 2] = 3; opt[n + 3] = sp->wscale;
        n += SYN_WS_LEN;
    }
    return n;
}

/* IPv4: DF, TTL 64, the header checksum. */
static void ip4_header(uint8_t *ip, const struct sender_flow_spec *sp, uint16_t id, uint32_t tcplen)
{
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, IP4_HLEN + tcplen);
    put16(ip + 4, id);
    put16(ip + 6, 0x4000);              /* DF */
    ip[8] = 64;
    ip[9] = 6;
    put16(ip + 10, 0);
    memcpy(ip + 12, sp->caddr, 4);
    memcpy(ip + 16, sp->saddr, 4);
    put16(ip + 10, csum_fold(csum_partial(ip, IP4_HLEN, 0)));
}

/* IPv6: no flow label, hop limit 64, TCP next. */
static void ip6_header(uint8_t *ip, const struct sender_flow_spec *sp, uint32_t tcplen)
{
    put32(ip, 0x60000000u);
    put16(ip + 4, tcplen);
    ip[6] = 6;
    ip[7] = 64;
    memcpy(ip + 8, sp->caddr, 16);
    memcpy(ip + 24, sp->saddr, 16);
}

uint32_t sender_frame_build(uint8_t *fr, const struct sender_frame *f)
{
    const struct sender_flow_spec *sp = f->sp;
    static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 1 }, mac_s[6] = { 2, 0, 0, 0, 0, 2 };
    uint32_t l3 = sp->v == 6 ? IP6_HLEN : IP4_HLEN;
    uint8_t *ip = fr + ETH_HLEN, *th = ip + l3;
    uint32_t optlen = options(th + TCP_HLEN, f), len = f->syn ? 0 : f->len;
    uint32_t tcplen = TCP_HLEN + optlen + len;
    memcpy(fr, mac_s, 6);
    memcpy(fr + 6, mac_c, 6);
    put16(fr + 12, sp->v == 6 ? 0x86dd : 0x0800);
    if (sp->v == 6)
        ip6_header(ip, sp, tcplen);
    else
        ip4_header(ip, sp, f->ip_id, tcplen);
    put16(th, sp->sport);
    put16(th + 2, sp->dport);
    put32(th + 4, f->seq);
    put32(th + 8, f->syn ? 0 : 1);      /* the server's ISN is not simulated */
    th[12] = (uint8_t)(((TCP_HLEN + optlen) / 4) << 4);
    th[13] = f->syn ? TH_SYN : f->psh ? TH_ACK | TH_PSH : TH_ACK;  /* PSH: the write's last segment, as tcp_push */
    put16(th + 14, 65535);
    put32(th + 16, 0);
    uint8_t *p = th + TCP_HLEN + optlen;
    if (sp->data)
        memcpy(p, sp->data + f->off, len);
    else
        for (uint32_t k = 0; k < len; k++)
            p[k] = f->ring[(f->off + k) & f->ring_mask];
    uint32_t sum = sp->v == 6 ? csum_pseudo_v6(sp->caddr, sp->saddr, 6, tcplen)
                              : csum_pseudo_v4(sp->caddr, sp->saddr, 6, tcplen);
    put16(th + 16, csum_fold(csum_partial(th, tcplen, sum)));
    return ETH_HLEN + l3 + tcplen;
}
