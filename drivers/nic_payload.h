/* drivers/nic_payload.h: a frame source wrapped for `--payload synth`: each
 * frame whose TCP payload the snaplen cut comes out at its wire length, the
 * missing bytes filled by netstack/payload_synth.h's pattern and the TCP
 * checksum recomputed, before the NIC model DMAs it.  Frames that are whole,
 * or that cannot be filled (headers cut, not TCP), pass as they are. */
#ifndef RXSIM_DRIVERS_NIC_PAYLOAD_H
#define RXSIM_DRIVERS_NIC_PAYLOAD_H

#include <stdint.h>

#include "drivers/nic.h"

#define NIC_PAYLOAD_MAX_FRAME (256u * 1024)     /* pcap's largest snaplen */

struct nic_payload {
    struct nic_source inner;
    uint8_t *buf;               /* the rebuilt frame, valid until the next call */
    uint64_t segments;          /* frames filled */
    uint64_t bytes;             /* payload bytes made up */
};

/* 0, or -1: no memory. */
int nic_payload_init(struct nic_payload *p, const struct nic_source *inner);
struct nic_source nic_payload_source(struct nic_payload *p);
void nic_payload_fini(struct nic_payload *p);

#endif
