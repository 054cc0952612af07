/* drivers/replay.h: a trace as the frame source of the netstack, with no
 * machine model: each record is stripped of its capture link header
 * (traces/linktype.h), wrapped in an skb and handed to netstack_rx().  The
 * simulator's NIC (drivers/nic.c) is the timed version of the same loop. */
#ifndef RXSIM_DRIVERS_REPLAY_H
#define RXSIM_DRIVERS_REPLAY_H

#include <stdint.h>

#include "netstack/netstack.h"
#include "traces/trace.h"

struct replay_stats {
    uint64_t records;           /* records that passed the filter */
    uint64_t bytes;             /* captured bytes of those */
    int64_t first_ts_ns, last_ts_ns;
};

/* Called every 65536 records (for a progress line); may be NULL. */
typedef void (*replay_progress_fn)(void *ctx, const struct replay_stats *st);

/* Feeds every record of t to ns.  0 at a clean end of the trace; -1 when the
 * trace turned out corrupt or truncated, err filled, and everything read
 * before it processed (a partial trace). */
int replay_trace(struct trace *t, struct netstack *ns, struct replay_stats *st,
                 replay_progress_fn progress, void *progress_ctx, struct trace_err *err);

#endif
