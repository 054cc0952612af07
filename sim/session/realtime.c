/* sim/session/realtime.c: rxsim run --realtime (see realtime.h).
 *
 * One libevent loop, three events:
 *  - step: runs every simulated event whose time is due by now (wall time
 *    since the start x speed), then re-arms for the next event's due wall
 *    time, at most 1 s ahead;
 *  - tick: every wall second, the live counter line;
 *  - SIGINT: stops the loop; the caller still reports what ran.
 * Simulated time never reads the wall clock: sim_step() runs the same events
 * in the same order as the plain loop, only later. */
#include <event2/event.h>
#include <signal.h>
#include <time.h>

#include "sim/session/realtime.h"

/* Events run in one firing before yielding to the loop, so that the tick
 * and SIGINT stay responsive at a high SPEED. */
#define RT_BATCH 65536

struct rt {
    struct sim_queue *q;
    double speed;
    realtime_counters_fn counters;
    void *ctx;
    FILE *out;
    struct event_base *base;
    struct event *step, *tick, *sigint;
    struct timespec t0;
    sim_ps start;
    int result;
};

static double wall_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct timeval tv_of(double s)
{
    if (s < 0)
        s = 0;
    if (s > 1)
        s = 1;
    struct timeval tv = { .tv_sec = (time_t)s };
    tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
    if (tv.tv_usec >= 1000000)
        tv.tv_sec++, tv.tv_usec -= 1000000;
    return tv;
}

static void on_step(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct rt *rt = arg;
    double w = wall_since(&rt->t0);
    double lim = (double)rt->start + w * rt->speed * (double)SIM_PS_PER_SEC;
    sim_ps limit = lim >= (double)SIM_PS_MAX ? SIM_PS_MAX : (sim_ps)lim;
    int n = 0;
    sim_ps next;
    while ((next = sim_peek(rt->q)) != SIM_PS_MAX && next <= limit && n < RT_BATCH) {
        sim_step(rt->q, NULL);
        n++;
    }
    if (next == SIM_PS_MAX) {           /* drained */
        rt->result = 0;
        event_base_loopbreak(rt->base);
        return;
    }
    double due = (double)(next - rt->start) / (double)SIM_PS_PER_SEC / rt->speed;
    struct timeval tv = tv_of(n >= RT_BATCH ? 0 : due - wall_since(&rt->t0));
    event_add(rt->step, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct rt *rt = arg;
    rt->counters(rt->ctx, rt->out, wall_since(&rt->t0));
    fflush(rt->out);
}

static void on_sigint(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct rt *rt = arg;
    rt->result = 1;
    event_base_loopbreak(rt->base);
}

int realtime_run(struct sim_queue *q, double speed, realtime_counters_fn counters, void *ctx,
                 FILE *out)
{
    struct rt rt = { .q = q, .speed = speed, .counters = counters, .ctx = ctx, .out = out,
                     .start = q->now, .result = -1 };
    int rc = -1;
    if (!(rt.base = event_base_new()))
        return -1;
    rt.step = evtimer_new(rt.base, on_step, &rt);
    rt.tick = event_new(rt.base, -1, EV_PERSIST, on_tick, &rt);
    rt.sigint = evsignal_new(rt.base, SIGINT, on_sigint, &rt);
    struct timeval zero = { 0, 0 }, second = { 1, 0 };
    if (!rt.step || !rt.tick || !rt.sigint || event_add(rt.sigint, NULL) < 0 ||
        event_add(rt.tick, &second) < 0 || event_add(rt.step, &zero) < 0)
        goto out;
    clock_gettime(CLOCK_MONOTONIC, &rt.t0);
    if (event_base_dispatch(rt.base) < 0)
        goto out;
    if (rt.result < 0) {                /* the loop ran out of events: cannot happen */
        rt.result = sim_peek(q) == SIM_PS_MAX ? 0 : -1;
    }
    rc = rt.result;
    counters(ctx, out, wall_since(&rt.t0));     /* the final line */
    fflush(out);
out:
    if (rt.sigint)
        event_free(rt.sigint);
    if (rt.tick)
        event_free(rt.tick);
    if (rt.step)
        event_free(rt.step);
    event_base_free(rt.base);
    return rc;
}
