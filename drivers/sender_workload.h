/* drivers/sender_workload.h: the closed-loop senders' workload (issue 14):
 * what each flow sends (struct sender_flow_spec), synth's flows as specs,
 * and the index that finds a flow from an ACK's 4-tuple.  A trace's specs
 * are made by sim/session/closed_trace.c, which owns the trace reading. */
#ifndef RXSIM_DRIVERS_SENDER_WORKLOAD_H
#define RXSIM_DRIVERS_SENDER_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

/* One flow of the workload: its 4-tuple, its bytes, its SYN's options and
 * when it starts. */
struct sender_flow_spec {
    uint8_t v;                      /* IP version, 4 or 6 */
    uint8_t caddr[16], saddr[16];   /* the sender (client) and the simulated host (IPv4: 4 bytes) */
    uint16_t sport, dport;
    uint64_t bytes;                 /* the stream's length, above 0 */
    const uint8_t *data;            /* its bytes (alive until sender_fini), or NULL: synth's
                                       content generator seeded with content_seed */
    uint64_t content_seed;
    uint32_t send_size;             /* write size: no segment crosses a write, PSH ends one */
    uint16_t mss;                   /* the SYN's MSS option (the segment size is also capped by the MTU) */
    uint8_t wscale;                 /* the SYN's shift, when has_wscale */
    bool has_wscale;                /* without it the host's window is not scaled: at most 65535 */
    bool has_ts;                    /* timestamps on the SYN and every segment (12 option bytes) */
    bool syn_seen;                  /* options from a captured SYN (else defaults; for the report) */
    sim_ps start;                   /* the SYN leaves this long after the workload's first */
};

/* A flow of the trace the senders do not send, and why: named in the
 * report, never dropped silently. */
struct sender_skipped {
    char from[64], to[64];
    uint64_t bytes;                 /* what the capture delivered of it, in order */
    char reason[192];
    bool unanswered;                /* the run cannot answer for it (exit 5); false: nothing to send */
};

/* The workload as the report shows it (closed loop on a trace). */
struct sender_workload_info {
    const char *source;             /* the trace */
    char host[48];                  /* the receiving host's address */
    bool host_guessed;
    const struct sender_flow_spec *spec;
    uint32_t flows;
    const struct sender_skipped *skipped;
    uint32_t nskipped, unanswered;  /* skipped, and of those the unanswered */
    uint64_t bytes_unanswered;
};

/* synth's recipe as `flows` specs (*out, malloc'd): flow i from
 * 10.0.H.1:40000+i%25000 to 10.0.0.2:5001, `bytes` of synth's content for
 * seed, writes of send_size, the SYN's MSS `mss`, window scale 7,
 * timestamps, every flow at time 0.  0, or -1 with a message in err. */
int sender_workload_synth(uint32_t flows, uint64_t bytes, uint32_t send_size, uint16_t mss, uint64_t seed,
                          struct sender_flow_spec **out, char *err, size_t size);

/* The n flow indices of spec sorted by (v, caddr, sport, saddr, dport), malloc'd;
 * NULL when out of memory. */
uint32_t *sender_workload_index(const struct sender_flow_spec *spec, uint32_t n);

/* The flow from caddr:sport to saddr:dport (IP version v; addresses of 16
 * bytes, IPv4's in the first 4 and the rest 0), by the index: 0 with *i, or
 * -1 when none is. */
int sender_workload_find(const struct sender_flow_spec *spec, const uint32_t *index, uint32_t n, uint8_t v,
                         const uint8_t *caddr, uint16_t sport, const uint8_t *saddr, uint16_t dport, uint32_t *i);

#endif
