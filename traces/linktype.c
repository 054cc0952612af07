/* traces/linktype.c: link-layer header → network layer, for every link type
 * rxsim reads.  See linktype.h for the contract.
 *
 * Every branch checks the captured length before it reads a byte: a frame
 * cut short by the snaplen (or a corrupt caplen) gives -1, never a read past
 * p[caplen - 1].
 *
 *   link type            header  protocol field
 *   DLT_EN10MB (1)          14   handed on whole (eth.c walks 802.1Q/QinQ)
 *   DLT_LINUX_SLL (113)     16   big-endian Ethertype at offset 14
 *   DLT_LINUX_SLL2 (276)    20   big-endian Ethertype at offset 0
 *   DLT_RAW (12; 14 on BSD/OS; LINKTYPE_RAW 101)
 *                            0   IP version nibble of the first byte
 *   DLT_IPV4 (228), DLT_IPV6 (229)
 *                            0   implied by the link type
 *   DLT_NULL (0)             4   address family, host order of the capturing
 *                                machine, so either byte order
 *   DLT_LOOP (108)           4   address family, network order
 *
 * Cooked captures (SLL, SLL2) of VLAN traffic carry the tag libpcap put back
 * after the cooked header: protocol 0x8100 (or 0x88a8), then TCI and the
 * inner Ethertype.  Those tags are walked here (at most LINKTYPE_MAX_TAGS),
 * because the netstack only ever sees the network header of such frames.
 */
#include "traces/linktype.h"

#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define LINKTYPE_RAW_VALUE 101  /* the file's value; libpcap normally maps it to DLT_RAW */
#define LINKTYPE_MAX_TAGS 4     /* more stacked tags than this is not a real frame */

#define ETH_HDR_LEN 14
#define SLL_HDR_LEN 16
#define SLL_PROTO_OFF 14
#define SLL2_HDR_LEN 20
#define SLL2_PROTO_OFF 0
#define NULL_HDR_LEN 4

static uint16_t rd_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool is_raw_dlt(int dlt)
{
    switch (dlt) {
    case DLT_RAW:
    case LINKTYPE_RAW_VALUE:
#if DLT_RAW == 12
    case 14:    /* DLT_RAW as BSD/OS wrote it; nothing else uses 14 here */
#endif
        return true;
    default:
        return false;
    }
}

bool linktype_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
        return true;
    default:
        return is_raw_dlt(dlt);
    }
}

const char *linktype_name(int dlt)
{
    /* Names as tshark and the LINKTYPE_ registry spell them. */
    switch (dlt) {
    case DLT_EN10MB: return "ETHERNET";
    case DLT_LINUX_SLL: return "LINUX_SLL";
    case DLT_LINUX_SLL2: return "LINUX_SLL2";
    case DLT_IPV4: return "IPV4";
    case DLT_IPV6: return "IPV6";
    case DLT_NULL: return "NULL";
    case DLT_LOOP: return "LOOP";
    default:
        break;
    }
    if (is_raw_dlt(dlt))
        return "RAW";
    static _Thread_local char buf[24];
    snprintf(buf, sizeof buf, "DLT_%d", dlt);
    return buf;
}

static int set_l3(struct linktype_frame *out, uint32_t offset, uint16_t ethertype)
{
    if (ethertype != ETHERTYPE_IPV4 && ethertype != ETHERTYPE_IPV6)
        return -1;
    out->l2 = LINKTYPE_L2_NONE;
    out->offset = offset;
    out->ethertype = ethertype;
    return 0;
}

/* Cooked header whose protocol field sits at proto_off and whose payload
 * starts at hdr_len; walks VLAN tags that follow it. */
static int decap_cooked(const uint8_t *p, uint32_t caplen, uint32_t proto_off, uint32_t hdr_len,
                        struct linktype_frame *out)
{
    if (caplen < hdr_len)
        return -1;
    uint16_t proto = rd_be16(p + proto_off);
    uint32_t off = hdr_len;
    for (int tags = 0; proto == ETHERTYPE_VLAN || proto == ETHERTYPE_QINQ; tags++) {
        /* tag = TCI (2) + next Ethertype (2) */
        if (tags == LINKTYPE_MAX_TAGS || caplen - off < 4)
            return -1;
        proto = rd_be16(p + off + 2);
        off += 4;
    }
    return set_l3(out, off, proto);
}

/* BSD AF_ values for IPv6 differ by system: Linux 10, NetBSD/OpenBSD/BSD/OS
 * 24, FreeBSD/DragonFly 28, Darwin 30.  AF_INET is 2 everywhere. */
static uint16_t af_to_ethertype(uint32_t af)
{
    switch (af) {
    case 2:
        return ETHERTYPE_IPV4;
    case 10:
    case 24:
    case 28:
    case 30:
        return ETHERTYPE_IPV6;
    default:
        return 0;
    }
}

int linktype_decap(int dlt, const uint8_t *p, uint32_t caplen, struct linktype_frame *out)
{
    memset(out, 0, sizeof *out);
    if (!p && caplen)
        return -1;

    switch (dlt) {
    case DLT_EN10MB:
        if (caplen < ETH_HDR_LEN)
            return -1;
        out->l2 = LINKTYPE_L2_ETHERNET;
        out->offset = 0;
        return 0;
    case DLT_LINUX_SLL:
        return decap_cooked(p, caplen, SLL_PROTO_OFF, SLL_HDR_LEN, out);
    case DLT_LINUX_SLL2:
        return decap_cooked(p, caplen, SLL2_PROTO_OFF, SLL2_HDR_LEN, out);
    case DLT_IPV4:
        /* No link header; a bad version is the IP layer's drop to count. */
        return set_l3(out, 0, ETHERTYPE_IPV4);
    case DLT_IPV6:
        return set_l3(out, 0, ETHERTYPE_IPV6);
    case DLT_NULL: {
        if (caplen < NULL_HDR_LEN)
            return -1;
        /* Host order of the writer: try little-endian, then big-endian.
         * The two cannot both name a family (values are < 256). */
        uint16_t et = af_to_ethertype(rd_le32(p));
        if (!et)
            et = af_to_ethertype(rd_be32(p));
        return set_l3(out, NULL_HDR_LEN, et);
    }
    case DLT_LOOP:
        if (caplen < NULL_HDR_LEN)
            return -1;
        return set_l3(out, NULL_HDR_LEN, af_to_ethertype(rd_be32(p)));
    default:
        break;
    }
    if (is_raw_dlt(dlt)) {
        if (caplen < 1)
            return -1;
        switch (p[0] >> 4) {
        case 4: return set_l3(out, 0, ETHERTYPE_IPV4);
        case 6: return set_l3(out, 0, ETHERTYPE_IPV6);
        default: return -1;
        }
    }
    return -1;
}
