/* drivers/sender_cubic.h: CUBIC's window arithmetic (RFC 9438), for the
 * closed-loop sender's congestion control (sender_cc.c calls it when a flow's
 * algo is SENDER_CC_CUBIC).  Windows are bytes, the curve's unit is the
 * segment (C = 0.4 segments / s^3) and time is the simulated clock, so the
 * curve is Linux's tcp_cubic without its HyStart (slow start is the one
 * sender_cc.c does for both algorithms). */
#ifndef RXSIM_DRIVERS_SENDER_CUBIC_H
#define RXSIM_DRIVERS_SENDER_CUBIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

#define SENDER_CUBIC_C 0.4      /* RFC 9438 4.1 */
#define SENDER_CUBIC_BETA 0.7   /* the window after a loss, as a fraction */

/* CUBIC's state (RFC 9438 section 4), windows in bytes. */
struct sender_cubic {
    bool in_epoch;                  /* a congestion-avoidance epoch has begun (t counts from epoch) */
    sim_ps epoch;                   /* when it began */
    uint64_t w_max;                 /* the window just before the last reduction (0: none yet) */
    uint64_t origin;                /* the curve's plateau: w_max, or cwnd when the epoch began above it */
    double k_s;                     /* seconds from the epoch to the plateau */
    double w_est;                   /* the Reno-friendly estimate (section 4.3), bytes */
};

/* A congestion event with the window at cwnd and flight bytes out: remembers
 * the curve's plateau (with fast convergence, RFC 9438 4.7), ends the epoch,
 * and returns flight x 0.7 for ssthresh (the caller applies the 2 MSS floor). */
uint64_t sender_cubic_loss(struct sender_cubic *c, uint64_t cwnd, uint64_t flight);

/* Congestion avoidance: an ACK of `acked` bytes at `now`, srtt the smoothed
 * round trip (0 before a sample).  Returns the new cwnd: the cubic target
 * W_cubic(t + RTT), approached by (target - cwnd) / cwnd per segment acked
 * and capped at 1.5 cwnd (4.2), or the Reno-friendly estimate when that is
 * larger (4.3). */
uint64_t sender_cubic_avoid(struct sender_cubic *c, uint64_t cwnd, uint64_t acked, uint32_t mss, sim_ps now,
                            sim_ps srtt);

#endif
