/* sim/session/realtime.h: rxsim run --realtime: the event queue drained at the
 * trace's own pace (x SPEED) by libevent timers, with a live counter line
 * once a second.  Only *when* each simulated event runs depends on the wall
 * clock; simulated time, and so the report, is the same as a plain run. */
#ifndef RXSIM_SESSION_REALTIME_H
#define RXSIM_SESSION_REALTIME_H

#include <stdio.h>

#include "sim/event.h"

/* Prints one live counter line to out; wall_s is wall time since the start. */
typedef void (*realtime_counters_fn)(void *ctx, FILE *out, double wall_s);

/* Runs q's events, each no earlier than (its time - the start's) / speed of
 * wall time after the start, until the queue is empty; counters(ctx, out, ..)
 * every wall second and once at the end.  SIGINT stops the loop early.
 * 0: queue drained; 1: stopped by SIGINT (events remain queued);
 * -1: libevent failed (events may remain queued: the caller can finish them
 * with sim_step()). */
int realtime_run(struct sim_queue *q, double speed, realtime_counters_fn counters, void *ctx,
                 FILE *out);

#endif
