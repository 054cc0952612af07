/* drivers/sender_workload.h: the closed-loop senders' workload helpers
 * (sender.c's, not a public API): synth's flows as specs, and the index that
 * finds a flow from an ACK's 4-tuple.  A trace's specs are made by
 * sim/session/closed_trace.c, which owns the trace reading. */
#ifndef RXSIM_DRIVERS_SENDER_WORKLOAD_H
#define RXSIM_DRIVERS_SENDER_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/sender.h"

/* synth's recipe as cfg->flows specs (*out, malloc'd): flow i from
 * 10.0.H.1:40000+i%25000 to 10.0.0.2:5001, cfg->bytes of synth's content for
 * cfg->seed, writes of cfg->send_size, MSS mtu - hdr (hdr: IPv4 + TCP
 * headers), window scale 7, timestamps, every flow at time 0.  0, or -1
 * with a message in err. */
int sender_workload_synth(const struct sender_config *cfg, uint32_t hdr, struct sender_flow_spec **out,
                          char *err, size_t size);

/* The n flow indices of spec sorted by (caddr, sport, saddr, dport), malloc'd;
 * NULL when out of memory. */
uint32_t *sender_workload_index(const struct sender_flow_spec *spec, uint32_t n);

/* The flow from caddr:sport to saddr:dport (IPv4), by the index: 0 with *i,
 * or -1 when none is. */
int sender_workload_find(const struct sender_flow_spec *spec, const uint32_t *index, uint32_t n,
                         const uint8_t *caddr, uint16_t sport, const uint8_t *saddr, uint16_t dport, uint32_t *i);

#endif
