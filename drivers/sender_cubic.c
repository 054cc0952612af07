/* drivers/sender_cubic.c: CUBIC's curve (sender_cubic.h, RFC 9438). */
#include "drivers/sender_cubic.h"

#include <math.h>

uint64_t sender_cubic_loss(struct sender_cubic *c, uint64_t cwnd, uint64_t flight)
{
    /* Fast convergence: a loss below the last plateau means another flow took
     * bandwidth, so release some by aiming lower. */
    if (c->w_max && cwnd < c->w_max)
        c->w_max = (uint64_t)((double)cwnd * (1.0 + SENDER_CUBIC_BETA) / 2.0);
    else
        c->w_max = cwnd;
    c->in_epoch = false;
    return (uint64_t)((double)flight * SENDER_CUBIC_BETA);
}

/* W_cubic(t) in bytes: C (t - K)^3 + origin, t and K in seconds. */
static double w_cubic(const struct sender_cubic *c, double t, uint32_t mss)
{
    double d = t - c->k_s;
    return SENDER_CUBIC_C * d * d * d * mss + (double)c->origin;
}

uint64_t sender_cubic_avoid(struct sender_cubic *c, uint64_t cwnd, uint64_t acked, uint32_t mss, sim_ps now,
                            sim_ps srtt)
{
    if (!c->in_epoch) {                 /* the first ACK in avoidance since the last loss */
        c->in_epoch = true;
        c->epoch = now;
        if (cwnd < c->w_max) {
            c->origin = c->w_max;
            c->k_s = cbrt((double)(c->w_max - cwnd) / mss / SENDER_CUBIC_C);
        } else {                        /* above the old plateau (or none yet): grow from here */
            c->origin = cwnd;
            c->k_s = 0;
        }
        c->w_est = (double)cwnd;
    }
    double t = (double)(now - c->epoch) / SIM_PS_PER_SEC;
    double target = w_cubic(c, t + (double)srtt / SIM_PS_PER_SEC, mss);
    if (target < (double)cwnd)
        target = (double)cwnd;
    if (target > 1.5 * (double)cwnd)
        target = 1.5 * (double)cwnd;
    uint64_t next = cwnd + (uint64_t)((target - (double)cwnd) * (double)acked / (double)cwnd);
    /* Reno-friendly region: grow at least as an AIMD flow with the same
     * average rate would, alpha = 3 (1 - beta) / (1 + beta) segments per
     * window, and 1 once past the old plateau. */
    double alpha = c->w_est >= (double)c->w_max ? 1.0 : 3.0 * (1.0 - SENDER_CUBIC_BETA) / (1.0 + SENDER_CUBIC_BETA);
    c->w_est += alpha * mss * (double)acked / (double)cwnd;
    if (w_cubic(c, t, mss) < c->w_est && c->w_est > (double)next)
        next = (uint64_t)c->w_est;
    return next;
}
