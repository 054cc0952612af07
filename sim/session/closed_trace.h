/* sim/session/closed_trace.h: a trace's reassembled streams as the
 * closed-loop senders' workload (rxsim run --replay closed TRACE; issue 14).
 * See closed_trace.c. */
#ifndef RXSIM_SESSION_CLOSED_TRACE_H
#define RXSIM_SESSION_CLOSED_TRACE_H

#include "drivers/sender_workload.h"
#include "sim/options/run_config.h"

struct closed_trace {
    struct sender_workload_info info;   /* spec, skipped: below */
    uint64_t host_payload, total_payload;   /* TCP payload to the host, and to every destination (the guess) */
    struct sender_flow_spec *spec;
    uint8_t **data;                     /* spec[i].data, owned */
    uint32_t nspec, cap;
    struct sender_skipped *skipped;
    uint32_t nskipped, skip_cap;
};

/* Reads c->traces[0] (c->filter applied) through the netstack's reassembly
 * and makes one spec per direction toward the host (--host, or the
 * destination receiving the most TCP payload, said on stderr) that can be
 * replayed; the others are in skipped with their reason.  RX_EXIT_OK, or the
 * exit status with a message on stderr (ct is then empty). */
int closed_trace_load(const struct run_config *c, struct closed_trace *ct);

void closed_trace_free(struct closed_trace *ct);

#endif
