/* drivers/sender.h: closed-loop replay (issue 14): simulated TCP senders
 * that answer the simulated receiver, as a NIC's frame source.
 *
 * A netperf TCP_STREAM-like workload: `flows` connections, each sending
 * `bytes` bytes with synth's content recipe and addresses (traces/synth.h:
 * flow i is 10.0.H.1:40000+i%25000 -> 10.0.0.2:5001, its stream the bytes
 * of xoshiro256** seeded with synth_content_seed(seed, i)), so a run's
 * SHA-256 per stream equals `rxsim synth`'s truth file for the same
 * --flows/--bytes/--seed.  Writes of send_size bytes are cut into segments
 * of at most MTU - 52 payload bytes (IPv4 + TCP + the 12-byte timestamp
 * option), as synth cuts them.
 *
 * The wire: one link per NIC (drivers/sender_link.h; nlinks of them, flow
 * i on link i mod nlinks, as --nics spreads a trace's connections), each
 * of link_bps, FIFO, arriving rtt / 2 after a frame's last bit left.  ACKs
 * come back over rtt / 2 with no queueing of their own (a 66-byte ACK per
 * two segments uses ~2 % of the reverse link).
 *
 * The workload (where each flow's 4-tuple, bytes, SYN options and start
 * come from) is a list of struct sender_flow_spec: without one, sender_init
 * makes synth's (above: every flow at time 0, MSS from the MTU, window scale
 * 7 and timestamps); sim/session/closed_trace.c makes one from a trace's
 * reassembled streams (the bytes in memory, each flow at its capture start
 * time with its SYN's MSS, window scale and timestamps).
 *
 * Each flow: a SYN (MSS, window scale, timestamps), data one round trip
 * later (the SYN-ACK is not simulated: the host sends none), then segments
 * as NewReno and the receiver's advertised window allow (sender_cc.h),
 * driven only by the ACKs the simulated host sends (rx_host.ack_sent:
 * their timing and count, delayed and quick ACKs included).  Lost data
 * (ring full at the NIC) comes back by fast retransmit, NewReno's partial
 * ACKs, or the RTO (go-back-N from the first unacknowledged byte: no SACK).
 * A zero window with nothing in flight is probed at the RTO interval with
 * one segment.  After SENDER_RETRIES timeouts in a row with no new data
 * acknowledged (Linux's tcp_retries2) a flow is given up: its bytes are
 * stranded.  No FIN: the run ends when every flow's bytes are
 * acknowledged; whatever is not (stranded) is in the report.
 *
 * Time: the sender keeps its own clock v, the simulated clock plus the
 * first frame's trip (the NIC puts its first frame at time 0); arrivals are
 * whole nanoseconds (the NIC's frame times are nanoseconds). */
#ifndef RXSIM_DRIVERS_SENDER_H
#define RXSIM_DRIVERS_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "drivers/sender_cc.h"
#include "drivers/sender_link.h"
#include "drivers/sender_impair.h"
#include "drivers/sender_workload.h"
#include "netstack/tcp_conn.h"
#include "sim/rng.h"

#define SENDER_RETRIES 15
#define SENDER_MAX_LINKS 8             /* RUN_MAX_NICS */

struct sender_config {
    uint32_t flows;
    uint64_t bytes;             /* per flow */
    uint32_t send_size;         /* the application's write size */
    uint32_t mtu;
    uint64_t link_bps;
    sim_ps rtt;                 /* round-trip propagation; each way half */
    uint64_t seed;              /* synth's content seed */
    enum sender_cc_algo cc;     /* every flow's congestion control */
    /* The workload: flows specs (flows, bytes, send_size above unused), or
     * NULL: synth's recipe from flows, bytes, send_size and seed. */
    const struct sender_flow_spec *spec;
    uint32_t nlinks;            /* links, one per NIC (0 is taken as 1) */
    /* The saturation window (the report's figures at saturation): called
     * with k = 0 when a quarter of all flows' bytes is acknowledged, k = 1
     * at three quarters; NULL: none. */
    void (*mark)(void *ctx, int k);
    void *mark_ctx;
    sim_ps stop;                /* --duration: nothing new is sent from this simulated time on; 0: never */
    double loss, reorder;       /* --loss (below 1), --reorder (0..1): per data frame (sender_impair.h) */
    sim_ps reorder_delay;
};

/* What the report shows, summed over flows. */
struct sender_stats {
    uint64_t segments;          /* data segments sent, retransmissions included */
    uint64_t retransmits;       /* of those, bytes sent before (fast, partial-ACK, after an RTO) */
    uint64_t fast_retransmits;  /* recoveries entered on the third duplicate ACK */
    uint64_t rtos;              /* retransmission timeouts */
    uint64_t probes;            /* zero-window probes */
    uint64_t aborted;           /* flows given up after SENDER_RETRIES timeouts in a row */
    uint64_t acks;              /* ACKs received */
    uint64_t dupacks;
    sim_ps recovery_ps;         /* time flows spent in fast recovery or after an RTO until recovered */
    uint64_t bytes_acked;
    uint64_t bytes_stranded;    /* bytes sent and not acknowledged at the end (0 when every flow finished) */
    uint64_t bytes_not_sent;    /* bytes never sent: the senders stopped at --duration */
    uint64_t wire_lost, wire_reordered;     /* data frames --loss lost, --reorder held */
    uint32_t flows, flows_done;
    sim_ps last_ack;            /* simulated time the last flow's last byte was acknowledged */
    sim_ps rwnd_limited_ps;     /* flows' time stopped by the receiver's window (not cwnd), summed */
};

struct sender_flow;
struct sender_ack;

struct sender {
    struct sender_config cfg;
    struct sim_machine *m;
    struct sender_flow_spec *own_spec;  /* synth's, made by sender_init */
    const struct sender_flow_spec *spec;
    uint32_t *by_tuple;         /* flow indices by (caddr, sport, dport), for the ACKs */
    struct sim_event stop_ev;   /* at cfg.stop */
    struct sender_impair wire;  /* --loss, --reorder */
    sim_ps owd;                 /* one way */
    sim_ps offset;              /* v = simulated time + offset */
    bool started, offset_set;
    struct sender_link link[SENDER_MAX_LINKS];
    uint32_t nlinks;
    struct sender_flow *flow;
    struct sender_ack *free_acks, *all_acks;
    uint64_t frames;            /* handed to the NIC */
    struct sender_stats st;
    uint64_t total_bytes;       /* every flow's, for the saturation marks */
    int marks;                  /* marks called so far (0..2) */
    int error;                  /* -1: out of memory (the run stops as partial) */
};

/* 0, or -1: no memory or a config it cannot run (message in err). */
int sender_init(struct sender *s, const struct sender_config *cfg, struct sim_machine *m, char *err, size_t size);
void sender_fini(struct sender *s);

/* The frame source of link k (the NIC numbered k); nic is the NIC it feeds
 * (set before the NIC starts). */
struct nic_source sender_source(struct sender *s, uint32_t k);
void sender_attach(struct sender *s, uint32_t k, struct nic *nic);

/* rx_host.ack_sent for ctx = the sender. */
void sender_ack_sent(void *ctx, sim_ps at, const struct tcp_conn *c, int dir, uint32_t ack, uint32_t window);

/* The figures, with bytes_stranded computed now. */
void sender_stats(const struct sender *s, struct sender_stats *out);

/* The flows' time stopped by the receive window up to now, summed
 * (rwnd_limited_ps plus the stretches still running). */
sim_ps sender_rwnd_limited_now(const struct sender *s);
/* Serialization time link k has spent up to now. */
sim_ps sender_link_busy_now(const struct sender *s, uint32_t k);

#endif
