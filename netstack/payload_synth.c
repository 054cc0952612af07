/* netstack/payload_synth.c: see payload_synth.h. */
#include "netstack/payload_synth.h"

#include <string.h>

#include "copy/csum.h"
#include "netstack/eth.h"
#include "netstack/ip.h"

bool payload_synth_fill(const uint8_t *in, uint32_t caplen, uint32_t wire_len, bool ethernet,
                        uint32_t l3_off, uint16_t l3_proto, uint8_t *out, uint32_t out_size,
                        uint32_t *filled)
{
    if (caplen >= wire_len || wire_len > out_size)
        return false;
    if (ethernet && eth_find_l3(in, caplen, &l3_off, &l3_proto) < 0)
        return false;
    if (l3_off > caplen)
        return false;
    const uint8_t *ip = in + l3_off;
    uint32_t avail = caplen - l3_off, ihl, dgram;
    if (l3_proto == ETHERTYPE_IPV4) {
        if (avail < 20 || (ip[0] >> 4) != 4)
            return false;
        ihl = (uint32_t)(ip[0] & 0x0f) * 4;
        dgram = (uint32_t)ip[2] << 8 | ip[3];
        if (ihl < 20 || ihl > avail || ip[9] != IPPROTO_TCP_NUM || ((ip[6] << 8 | ip[7]) & 0x3fff))
            return false;
    } else if (l3_proto == ETHERTYPE_IPV6) {
        if (avail < 40 || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP_NUM)
            return false;
        ihl = 40;
        dgram = 40 + ((uint32_t)ip[4] << 8 | ip[5]);
    } else {
        return false;
    }
    /* The datagram must end within the wire frame and past what was captured. */
    if (dgram < ihl + 20 || l3_off + dgram > wire_len || dgram <= avail || avail < ihl + 20)
        return false;
    const uint8_t *th = ip + ihl;
    uint32_t thlen = (uint32_t)(th[12] >> 4) * 4;
    if (thlen < 20 || ihl + thlen > avail || ihl + thlen > dgram)
        return false;
    uint16_t sport = (uint16_t)(th[0] << 8 | th[1]), dport = (uint16_t)(th[2] << 8 | th[3]);
    uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
    if (th[13] & 0x02)                  /* SYN: data starts one past the ISN */
        seq++;

    memcpy(out, in, caplen);
    uint32_t payload_off = l3_off + ihl + thlen;        /* from the frame's start */
    uint32_t end = l3_off + dgram;
    for (uint32_t i = caplen; i < end; i++)
        out[i] = payload_synth_byte(seq + (i - payload_off), sport, dport);
    memset(out + end, 0, wire_len - end);

    /* A checksum that verifies over what is now there. */
    uint8_t *tcp = out + l3_off + ihl;
    uint32_t tcp_len = dgram - ihl;
    tcp[16] = tcp[17] = 0;
    uint32_t sum = l3_proto == ETHERTYPE_IPV4 ? csum_pseudo_v4(ip + 12, ip + 16, IPPROTO_TCP_NUM, tcp_len)
                                              : csum_pseudo_v6(ip + 8, ip + 24, IPPROTO_TCP_NUM, tcp_len);
    uint16_t ck = csum_fold(csum_partial(tcp, tcp_len, sum));
    tcp[16] = (uint8_t)(ck >> 8);       /* sums are of big-endian words (copy/csum.h) */
    tcp[17] = (uint8_t)ck;
    *filled = end - caplen;
    return true;
}
