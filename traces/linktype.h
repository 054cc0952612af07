/* traces/linktype.h: from a capture's link-layer header to where the network
 * layer starts.
 *
 * Ethernet frames are handed on whole (the netstack's eth.c walks 802.1Q and
 * QinQ tags, as a NIC driver's eth_type_trans() would).  Every other
 * supported link type is stripped here and reported as "network layer at
 * offset N, protocol P", P being an Ethertype (0x0800 IPv4, 0x86dd IPv6).
 *
 * Supported: Ethernet (DLT_EN10MB), Linux cooked v1 (DLT_LINUX_SLL) and v2
 * (DLT_LINUX_SLL2), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6), BSD loopback
 * (DLT_NULL, host-order family of either endianness; DLT_LOOP, network order).
 */
#ifndef RXSIM_TRACES_LINKTYPE_H
#define RXSIM_TRACES_LINKTYPE_H

#include <stdbool.h>
#include <stdint.h>

enum linktype_l2 {
    LINKTYPE_L2_ETHERNET,       /* offset = start of an Ethernet header */
    LINKTYPE_L2_NONE,           /* offset = start of the network header, ethertype set */
};

struct linktype_frame {
    enum linktype_l2 l2;
    uint32_t offset;
    uint16_t ethertype;         /* only for LINKTYPE_L2_NONE */
};

bool linktype_supported(int dlt);
const char *linktype_name(int dlt);   /* "ETHERNET", "LINUX_SLL", ...; "DLT_<n>" otherwise */

/* 0 with out filled; -1 when the link header is cut short by caplen or names
 * a protocol that is neither IPv4 nor IPv6 (the caller counts the drop). */
int linktype_decap(int dlt, const uint8_t *p, uint32_t caplen, struct linktype_frame *out);

#endif
