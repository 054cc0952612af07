/* sim/session/run_closed.c: rxsim run --replay closed without a trace
 * (issue 14): the netperf-like workload.  One NIC fed by the closed-loop
 * senders (drivers/sender.h), the host's ACKs wired back to them through
 * rx_host.ack_sent, the queue run dry (it ends when every flow's bytes are
 * acknowledged, or when nothing more can happen), then the usual report
 * with the senders' figures.  --replay closed on a trace (the trace's
 * streams as the workload) is not done: refused with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/sender.h"
#include "sim/options/value.h"
#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"
#include "traces/synth.h"

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
    *sc = (struct sender_config){ .cc = algo, .flows = c->flows, .bytes = bytes, .send_size = c->send_size, .mtu = c->mtu,
                                  .link_bps = (uint64_t)bps, .rtt = (sim_ps)(c->rtt_us * (double)SIM_PS_PER_US),
                                  .seed = c->seed };
    return RX_EXIT_OK;
}

int run_session_closed(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    if (c->ntraces) {
        fprintf(stderr, "rxsim run: --replay closed on a trace is not done yet (issue 14): give no trace "
                        "for the netperf-like workload (--flows, --bytes, --send-size, --link, --rtt)\n");
        return RX_EXIT_USAGE;
    }
    if (c->nics > 1 || c->realtime > 0) {
        fprintf(stderr, "rxsim run: --replay closed runs one NIC, unpaced: drop --nics and --realtime\n");
        return RX_EXIT_USAGE;
    }
    struct sender_config sc;
    int rc = closed_config(s, &sc);
    if (rc != RX_EXIT_OK)
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
        uint64_t want = (uint64_t)c->ring * c->queues * 2 + 4096 + per_flow * sc.flows;
        c->pool = want > (1u << 17) ? 1u << 17 : (uint32_t)want;
    }
    if ((rc = run_session_init(s, "rxsim run", 1)) != RX_EXIT_OK)
        return rc;
    char err[256];
    if (sender_init(&s->sender, &sc, &s->m, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim run: %s\n", err);
        return RX_EXIT_USAGE;
    }
    s->closed_up = true;
    snprintf(s->host_addr, sizeof s->host_addr, "10.0.0.2");
    snprintf(s->host_choice[0].addr, sizeof s->host_choice[0].addr, "10.0.0.2");
    s->host_choice[0].given = true;
    s->host.ack_sent = sender_ack_sent;
    s->host.ack_ctx = &s->sender;
    struct nic_source src = sender_source(&s->sender);
    if (run_session_add_nic(s, &src) < 0)
        return RX_EXIT_INTERNAL;
    sender_attach(&s->sender, &s->nic[0]);
    if ((rc = run_session_start(s)) != RX_EXIT_OK)
        return rc;
    run_session_drain(s);
    s->src[0].ip_received = s->nic[0].st.frames_in;
    if (s->sender.error) {
        fprintf(stderr, "rxsim run: out of memory in the closed-loop senders: the report covers what ran\n");
        s->src[0].partial = true;
        snprintf(s->src[0].err.msg, sizeof s->src[0].err.msg, "closed loop stopped: out of memory");
    }
    return run_session_report(s);
}
