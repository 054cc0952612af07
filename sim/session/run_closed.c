/* sim/session/run_closed.c: rxsim run --replay closed (issue 14).  The
 * workload is the netperf-like one without a trace, or a trace's
 * reassembled streams (closed_trace.c).  One NIC (or --nics N, each with
 * its own link of --link, flow i on NIC i mod N) fed by the closed-loop
 * senders (drivers/sender.h), the host's ACKs wired back to them through
 * rx_host.ack_sent, the queue run dry (it ends when every flow's bytes are
 * acknowledged, or when nothing more can happen), then the usual report
 * with the senders' figures and, on a trace, the flows not replayed: those
 * make the exit status 5 (RX_EXIT_UNANSWERED). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "drivers/sender.h"
#include "sim/session/closed_trace.h"
#include "sim/options/value.h"
#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"
#include "traces/synth.h"

/* sender_config.mark: a snapshot for the saturation window (saturation.h). */
static void sat_mark(void *ctx, int k)
{
    struct run_session *s = ctx;
    report_sat_take(&s->sat.snap[k], &s->m, &s->host, &s->sender);
}

#define REORDER_DELAY_US 50.0             /* --reorder P without :US */

/* --reorder P[:US]: 0 with *p in 0..1 and *us above 0, or -1. */
static int reorder_parse(const char *text, double *p, double *us)
{
    char *end;
    *p = strtod(text, &end);
    *us = REORDER_DELAY_US;
    if (end == text || !(*p >= 0 && *p <= 1))
        return -1;
    if (*end == ':') {
        const char *u = end + 1;
        *us = strtod(u, &end);
        if (end == u || !(*us > 0 && *us <= 1e7))
            return -1;
    }
    return *end ? -1 : 0;
}

/* The closed-loop config from the options; RX_EXIT_USAGE with a message. */
static int closed_config(struct run_session *s, struct sender_config *sc)
{
    const struct run_config *c = &s->cfg;
    double bps;
    uint64_t bytes;
    if (value_rate(c->link, false, 1e6, 4e12, &bps) < 0) {
        fprintf(stderr, "rxsim run: --link '%s': want a rate from 1M to 4000G such as 10G, 100M\n", c->link);
        return RX_EXIT_USAGE;
    }
    if (value_size(c->bytes, VALUE_LEAD_STRTOUL, false, false, 1, SYNTH_BYTES_MAX, &bytes) < 0) {
        fprintf(stderr, "rxsim run: --bytes '%s': want a size from 1 to 16G (K/M/G)\n", c->bytes);
        return RX_EXIT_USAGE;
    }
    enum sender_cc_algo algo;
    if (sender_cc_algo_parse(c->cc, &algo) < 0) {
        fprintf(stderr, "rxsim run: --cc '%s': want newreno or cubic\n", c->cc);
        return RX_EXIT_USAGE;
    }
    double reorder, delay_us;
    if (reorder_parse(c->reorder, &reorder, &delay_us) < 0) {
        fprintf(stderr, "rxsim run: --reorder '%s': want P[:US], P a probability from 0 to 1 and US the "
                        "delay in microseconds above 0 (default %.0f), e.g. 0.01:100\n", c->reorder, REORDER_DELAY_US);
        return RX_EXIT_USAGE;
    }
    *sc = (struct sender_config){ .cc = algo, .flows = c->flows, .bytes = bytes, .send_size = c->send_size, .mtu = c->mtu,
                                  .link_bps = (uint64_t)bps, .rtt = (sim_ps)(c->rtt_us * (double)SIM_PS_PER_US),
                                  .seed = c->seed, .nlinks = c->nics ? c->nics : 1,
                                  .mark = sat_mark, .mark_ctx = s, .loss = c->loss, .reorder = reorder,
                                  .reorder_delay = (sim_ps)(delay_us * (double)SIM_PS_PER_US),
                                  .stop = (sim_ps)(c->duration * (double)SIM_PS_PER_SEC) };
    return RX_EXIT_OK;
}

/* The trace's streams as the workload (closed_trace.c): the flows it
 * cannot replay named on stderr (and in the report). */
static int closed_trace_workload(struct run_session *s, struct sender_config *sc)
{
    if (!(s->ctrace = calloc(1, sizeof *s->ctrace))) {
        fprintf(stderr, "rxsim run: out of memory\n");
        return RX_EXIT_INTERNAL;
    }
    int rc = closed_trace_load(&s->cfg, s->ctrace);
    if (rc != RX_EXIT_OK)
        return rc;
    const struct sender_workload_info *w = &s->ctrace->info;
    for (uint32_t i = 0; i < w->nskipped; i++)
        if (w->skipped[i].unanswered)
            fprintf(stderr, "rxsim run: %s: %s -> %s not replayed: %s\n", w->source, w->skipped[i].from,
                    w->skipped[i].to, w->skipped[i].reason);
    if (!w->flows)
        fprintf(stderr, "rxsim run: %s: no stream toward %s can be replayed: the report covers none\n", w->source,
                w->host);
    sc->spec = s->ctrace->spec;
    sc->flows = w->flows;
    return RX_EXIT_OK;
}

int run_session_closed(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    if (c->realtime > 0) {
        fprintf(stderr, "rxsim run: --replay closed runs unpaced: drop --realtime\n");
        return RX_EXIT_USAGE;
    }
    if (c->ntraces > 1 || c->count || c->start > 0) {
        fprintf(stderr, "rxsim run: --replay closed replays one trace's streams whole: give one trace, "
                        "without -c or --start\n");
        return RX_EXIT_USAGE;
    }
    struct sender_config sc;
    int rc = closed_config(s, &sc);
    if (rc != RX_EXIT_OK)
        return rc;
    if (c->ntraces && (rc = closed_trace_workload(s, &sc)) != RX_EXIT_OK)
        return rc;
    c->rate_bps = 0;                    /* the senders time every frame */
    /* The receive buffer starts at its autotuned ceiling (--rcvbuf-max, 6
     * MiB by default): the model's autotuning grows it only when the queue
     * overflows it, which a sender that respects the window never does
     * (tcp_rcv_space_adjust's growth with the bytes read per RTT is not
     * modelled).  --rcvbuf sets another start. */
    if (!c->rcvbuf)
        c->rcvbuf = c->rcvbuf_max && c->rcvbuf_max != SIZE_MAX ? c->rcvbuf_max : 6291456u;
    if (!c->pool) {
        /* Buffers for every flow's fullest receive buffer (autotuned up to
         * --rcvbuf-max, 6 MiB by default: RX_RCVBUF_MAX) beside the ring's:
         * an exhausted pool stalls the NIC's refill (NOTES 08:28). */
        uint64_t max = c->rcvbuf_max && c->rcvbuf_max != SIZE_MAX ? c->rcvbuf_max : 6291456u;
        uint64_t per_flow = max / 2048 + 2;
        uint64_t want = (uint64_t)c->ring * c->queues * sc.nlinks * 2 + 4096 + per_flow * sc.flows;
        c->pool = want > (1u << 17) ? 1u << 17 : (uint32_t)want;
    }
    if ((rc = run_session_init(s, "rxsim run", (int)sc.nlinks)) != RX_EXIT_OK)
        return rc;
    char err[256];
    if (sender_init(&s->sender, &sc, &s->m, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim run: %s\n", err);
        return RX_EXIT_USAGE;
    }
    s->closed_up = true;
    s->sat = (struct report_sat){ .nlinks = sc.nlinks, .flows = sc.flows };
    const char *host = s->ctrace ? s->ctrace->info.host : "10.0.0.2";
    snprintf(s->host_addr, sizeof s->host_addr, "%s", host);
    s->host.ack_sent = sender_ack_sent;
    s->host.ack_ctx = &s->sender;
    for (uint32_t k = 0; k < sc.nlinks; k++) {
        snprintf(s->host_choice[k].addr, sizeof s->host_choice[k].addr, "%s", host);
        s->host_choice[k].closed = true;
        s->host_choice[k].given = s->ctrace && !s->ctrace->info.host_guessed;
        if (s->ctrace && s->ctrace->info.host_guessed)
            s->host_choice[k].guess = (struct nic_trace_guess){ .how = NIC_TRACE_GUESS_PAYLOAD,
                                                                .host_payload = s->ctrace->host_payload,
                                                                .total_payload = s->ctrace->total_payload };
        struct nic_source src = sender_source(&s->sender, k);
        if (run_session_add_nic(s, &src) < 0)
            return RX_EXIT_INTERNAL;
        sender_attach(&s->sender, k, &s->nic[k]);
    }
    if ((rc = run_session_start(s)) != RX_EXIT_OK)
        return rc;
    run_session_drain(s);
    for (uint32_t k = 0; k < sc.nlinks; k++)
        s->src[k].ip_received = s->nic[k].st.frames_in;
    if (s->sender.error) {
        fprintf(stderr, "rxsim run: out of memory in the closed-loop senders: the report covers what ran\n");
        s->src[0].partial = true;
        snprintf(s->src[0].err.msg, sizeof s->src[0].err.msg, "closed loop stopped: out of memory");
    }
    rc = run_session_report(s);
    if (rc == RX_EXIT_OK && s->ctrace && s->ctrace->info.unanswered)
        rc = RX_EXIT_UNANSWERED;
    return rc;
}
