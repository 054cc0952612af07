/* sim/session/live_capture.c: rxsim live after the parse: frames captured
 * live (libpcap, drivers/nic_live.c) -> one simulated NIC -> the host's
 * receive path, with the live counter line once a wall second; Ctrl-C,
 * SIGTERM, --duration or --count end the capture, the queued events finish
 * and the full report (run_session.c, the same as rxsim run's) is printed.
 *
 * One libevent loop: the capture's selectable fd (and a 100 ms timer, in
 * case the fd is quiet while libpcap holds frames) reads what the kernel
 * has; after each batch the NIC is told frames are ready and the simulation
 * runs up to the newest frame's capture time.  While the wire is idle a
 * once-a-second tick advances simulated time with the wall clock, less a
 * 200 ms margin for frames still in the kernel, so timers (coalescing,
 * delayed work) fire and the counters move.  Simulated time is capture time
 * relative to the first frame received: docs/model.md §Live capture. */
#include <event2/event.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/nic_live.h"
#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"

#define IDLE_MARGIN_S 0.2

struct live_capture {
    struct run_session *s;
    struct nic_live cap;
    struct run_live_stats st;
    struct event_base *base;
    struct timespec t0, newest_wall;
    int capture_error;
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void step_until(struct live_capture *lv, sim_ps limit)
{
    struct sim_queue *q = &lv->s->m.q;
    sim_ps next;
    while ((next = sim_peek(q)) != SIM_PS_MAX && next <= limit)
        sim_step(q, NULL);
}

static void stop(struct live_capture *lv, const char *why)
{
    if (!lv->st.stopped_by)
        lv->st.stopped_by = why;
    event_base_loopbreak(lv->base);
}

/* Reads a batch, hands it to the NIC, runs the simulation up to it. */
static void take_batch(struct live_capture *lv)
{
    uint64_t before = lv->cap.received;
    if (nic_live_poll(&lv->cap) < 0) {
        fprintf(stderr, "rxsim live: %s\n", lv->cap.err);
        lv->capture_error = 1;
        stop(lv, "error");
        return;
    }
    if (lv->cap.received != before) {
        clock_gettime(CLOCK_MONOTONIC, &lv->newest_wall);
        nic_source_ready(&lv->s->nic[0]);
        step_until(lv, nic_live_newest(&lv->cap));
    }
    if (lv->s->cfg.count && lv->cap.received >= lv->s->cfg.count)
        stop(lv, "count");
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    take_batch(arg);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct live_capture *lv = arg;
    if (lv->cap.have_ts) {                   /* idle wire: let the timers run */
        double idle = since(&lv->newest_wall) - IDLE_MARGIN_S;
        if (idle > 0)
            step_until(lv, nic_live_newest(&lv->cap) + (sim_ps)(idle * (double)SIM_PS_PER_SEC));
    }
    lv->st.queue_drops = lv->cap.queue_drops;
    lv->st.kernel_drops = nic_live_kernel_drops(&lv->cap);
    run_session_live_line(lv->s, stderr, since(&lv->t0));
    fflush(stderr);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    stop(arg, "signal");
}

static void on_duration(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    stop(arg, "duration");
}

/* The host's addresses: --host, else every address of the interface. */
static int set_host(struct run_session *s, const char *iface)
{
    struct nic_trace *ns = &s->src[0];
    if (s->cfg.host) {
        if (nic_trace_set_host(ns, s->cfg.host) < 0) {
            fprintf(stderr, "rxsim live: --host '%s': not an IPv4 or IPv6 address\n", s->cfg.host);
            return -1;
        }
        snprintf(s->host_addr, sizeof s->host_addr, "%s", s->cfg.host);
        return 0;
    }
    ns->any_host = true;
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) < 0) {
        perror("rxsim live: getifaddrs");
        return -1;
    }
    size_t used = 0;
    s->host_addr[0] = '\0';
    for (struct ifaddrs *a = ifs; a; a = a->ifa_next) {
        if (!a->ifa_addr || strcmp(a->ifa_name, iface))
            continue;
        int fam = a->ifa_addr->sa_family;
        const void *bytes = fam == AF_INET ? (const void *)&((struct sockaddr_in *)a->ifa_addr)->sin_addr
                          : fam == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr
                                            : NULL;
        if (!bytes || nic_trace_add_host(ns, fam == AF_INET ? 4 : 6, bytes) < 0)
            continue;
        char text[INET6_ADDRSTRLEN];
        inet_ntop(fam, bytes, text, sizeof text);
        int w = snprintf(s->host_addr + used, sizeof s->host_addr - used, "%s%s", used ? "," : "", text);
        if (w > 0 && (size_t)w < sizeof s->host_addr - used)
            used += (size_t)w;
    }
    freeifaddrs(ifs);
    if (ns->any_host) {
        fprintf(stderr, "rxsim live: note: %s has no IP address: every frame is received (--host sets one)\n",
                iface);
        snprintf(s->host_addr, sizeof s->host_addr, "any");
    }
    return 0;
}

static void capture_close(struct live_capture *lv)
{
    nic_live_close(&lv->cap);
    free(lv);
}

int run_session_live(struct run_session *s)
{
    struct live_capture *lv = calloc(1, sizeof *lv);
    struct event *rd = NULL, *poll = NULL, *tick = NULL, *sigint = NULL, *sigterm = NULL, *dur = NULL;
    struct run_config *c = &s->cfg;
    int rc;
    if (!lv)
        return RX_EXIT_INTERNAL;
    lv->s = s;
    lv->cap.fd = -1;
    s->capture = lv;                    /* closed by run_session_fini(), after the NIC */
    s->capture_close = capture_close;
    if ((rc = run_session_init(s, "rxsim live", 1)) != RX_EXIT_OK)
        goto out_free_events;

    struct nic_live_config lc = { .promisc = c->promisc, .buffer_kib = c->buffer_kib,
                                  .filter = c->filter, .limit = c->count };
    int orc = nic_live_open(&lv->cap, c->iface, &lc, &s->src[0]);
    if (orc < 0) {
        fprintf(stderr, "rxsim live: %s\n", lv->cap.err);
        rc = orc == NIC_LIVE_ERR_FILTER ? RX_EXIT_USAGE : orc == NIC_LIVE_ERR_OTHER ? RX_EXIT_INTERNAL
                                                                                      : RX_EXIT_INPUT;
        goto out_free_events;
    }
    rc = RX_EXIT_USAGE;
    if (set_host(s, c->iface) < 0)
        goto out_free_events;
    struct nic_source src = nic_live_source(&lv->cap);
    rc = RX_EXIT_INTERNAL;
    if (run_session_add_nic(s, &src) < 0)
        goto out_free_events;
    lv->st.iface = c->iface;
    s->live = &lv->st;
    if ((rc = run_session_start(s)) != RX_EXIT_OK)
        goto out_free_events;

    rc = RX_EXIT_INTERNAL;
    struct timeval second = { 1, 0 }, tenth = { 0, 100000 };
    if (!(lv->base = event_base_new()) ||
        !(rd = event_new(lv->base, lv->cap.fd, EV_READ | EV_PERSIST, on_readable, lv)) ||
        !(poll = event_new(lv->base, -1, EV_PERSIST, on_readable, lv)) ||
        !(tick = event_new(lv->base, -1, EV_PERSIST, on_tick, lv)) ||
        !(sigint = evsignal_new(lv->base, SIGINT, on_signal, lv)) ||
        !(sigterm = evsignal_new(lv->base, SIGTERM, on_signal, lv)) ||
        event_add(rd, NULL) < 0 || event_add(poll, &tenth) < 0 || event_add(tick, &second) < 0 ||
        event_add(sigint, NULL) < 0 || event_add(sigterm, NULL) < 0) {
        fprintf(stderr, "rxsim live: cannot set up the event loop\n");
        goto out_free_events;
    }
    if (c->duration > 0) {
        struct timeval d = { .tv_sec = (time_t)c->duration };
        d.tv_usec = (suseconds_t)((c->duration - (double)d.tv_sec) * 1e6);
        if (!(dur = evtimer_new(lv->base, on_duration, lv)) || event_add(dur, &d) < 0) {
            fprintf(stderr, "rxsim live: cannot set up the event loop\n");
            goto out_free_events;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &lv->t0);
    fprintf(stderr, "rxsim live: capturing on %s (host %s); Ctrl-C stops and prints the report\n",
            c->iface, s->host_addr);
    fflush(stderr);
    if (event_base_dispatch(lv->base) < 0) {
        fprintf(stderr, "rxsim live: the event loop failed\n");
        goto out_free_events;
    }
    if (!lv->capture_error)
        take_batch(lv);                 /* what the kernel already holds */
    if (!lv->st.stopped_by)
        lv->st.stopped_by = "error";

    /* The end: no more frames; the queued ones and every pending event run. */
    lv->st.wall_s = since(&lv->t0);
    lv->st.kernel_drops = nic_live_kernel_drops(&lv->cap);
    lv->st.queue_drops = lv->cap.queue_drops;
    lv->st.captured = lv->cap.captured;
    lv->st.skipped = s->src[0].skipped;
    nic_live_end(&lv->cap);
    nic_source_ready(&s->nic[0]);
    run_session_drain(s);
    run_session_live_line(s, stderr, lv->st.wall_s);
    fprintf(stderr, "rxsim live: stopped by %s after %.1f s: %llu frames captured\n", lv->st.stopped_by,
            lv->st.wall_s, (unsigned long long)lv->st.captured);
    rc = run_session_report(s);
    if (lv->capture_error && rc == RX_EXIT_OK)
        rc = RX_EXIT_INTERNAL;

out_free_events:
    if (dur)
        event_free(dur);
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
    if (tick)
        event_free(tick);
    if (poll)
        event_free(poll);
    if (rd)
        event_free(rd);
    if (lv->base)
        event_base_free(lv->base);
    lv->base = NULL;
    return rc;
}
