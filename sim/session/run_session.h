/* sim/session/run_session.h: what `rxsim run` and `rxsim live` share:
 * config → machine, skb pool, recycle
 * policy, host and NICs; the live counter line; the report; tear-down.
 *
 * A command parses (run_options_parse, sim/options/), sets up (run_session_init), adds one
 * NIC per frame source (run_session_add_nic), starts (run_session_start),
 * runs the event queue its own way (all at once, paced, or as frames are
 * captured), then run_session_report() and run_session_fini().  Between
 * init and fini the session owns every object; fini undoes whatever was
 * set up, however far init got. */
#ifndef RXSIM_SESSION_RUN_SESSION_H
#define RXSIM_SESSION_RUN_SESSION_H

#include <stdio.h>

#include "copy/costs.h"
#include "drivers/nic.h"
#include "drivers/nic_payload.h"
#include "drivers/nic_trace.h"
#include "drivers/sender.h"
#include "netstack/host.h"
#include "sim/options/run_options.h"
#include "sim/report/run_report.h"
#include "sim/session/stream_hash.h"
#include "sim/machine.h"

struct live_capture;
struct closed_trace;

struct run_session {
    struct run_config cfg;
    const char *cmd;                    /* "rxsim run" / "rxsim live": message prefix */
    struct sim_machine m;
    struct costs *profile;
    struct skb_pool pool;
    const struct recycle_policy_ops *recycle;
    void *recycle_state;
    struct rx_host_config hc;
    struct irq_routing irq;
    bool veth;                          /* --nic-kind veth[:GAP]: no interrupt (drivers/nic.h) */
    uint32_t veth_gap_ns;
    bool veth_sender_set;               /* --veth-sender-cpu C (else the poll's CPU) */
    int veth_sender_cpu;
    struct rx_host host;
    struct nic nic[RUN_MAX_NICS];
    struct nic_trace src[RUN_MAX_NICS]; /* each NIC's host filter and counters */
    struct nic_payload payload[RUN_MAX_NICS];   /* --payload synth: each NIC's source, filled */
    int nnics;
    char host_addr[512];
    struct run_host_choice host_choice[RUN_MAX_NICS];   /* rxsim run: per NIC */
    struct sim_timeline timeline;
    struct stream_hash *hasher;         /* readers' SHA-256 on a second thread */
    const struct run_live_stats *live;  /* rxsim live: capture figures for the report */
    FILE *out;                          /* the report; NULL: stdout */
    struct live_capture *capture;       /* rxsim live: the capture and its loop (live_capture.c) */
    void (*capture_close)(struct live_capture *);   /* set with capture: fini calls it last */
    struct sender sender;               /* --replay closed: the simulated senders (run_closed.c) */
    struct closed_trace *ctrace;        /* --replay closed on a trace: its streams (closed_trace.c) */
    struct report_sat sat;              /* --replay closed: the saturation window's snapshots */
    /* how far init got, for fini */
    bool machine_up, pool_up, host_up, closed_up;
};

/* rxsim run or rxsim live from argv (session_main.c): parse, run, tear
 * down; usage prints the command's --help.  The exit status (RX_EXIT_*). */
int run_session_main(int argc, char **argv, enum run_mode mode, void (*usage)(FILE *out));

/* rxsim run from argv ("run", options, traces) in this process, the report
 * into memory (session_main.c): *report is malloc'd and NUL-terminated
 * ("" when none), messages go to stderr, no --help text.  The exit status
 * rxsim run would give.  For callers that read only the report: rxsim
 * validate's model runs and the tests. */
int run_session_to_memory(int argc, char **argv, char **report);

/* rxsim run after the parse (run_traces.c): the traces of s->cfg, their
 * hosts (given or guessed, said on stderr), one NIC each or --nics shares,
 * the replay (paced with --realtime), the report on s->out.  The exit
 * status (RX_EXIT_*), messages on stderr; run_session_fini() still follows,
 * however far it got. */
int run_session_run(struct run_session *s);

/* rxsim run --replay closed after the parse (run_closed.c), called by
 * run_session_run: the netperf-like workload over one NIC, the report.  The
 * exit status; run_session_fini() follows. */
int run_session_closed(struct run_session *s);

/* rxsim live after the parse (live_capture.c): capture on cfg.iface into one
 * NIC until Ctrl-C, SIGTERM, --duration or --count, the counter line each
 * wall second, then the report.  The exit status (RX_EXIT_*); the capture is
 * closed by run_session_fini(), after the NIC that may hold its frame. */
int run_session_live(struct run_session *s);

/* Set by rxsim compare when it runs several rows in one process
 * (sim/compare/compare_group.c), so that rows delivering equal streams hash
 * them once: run_session_init() gives the host hash instead of a hashing
 * thread, and run_session_report() calls sync before reading the digests.
 * Zero (unset) in every other command. */
struct run_hash_hook {
    void (*hash)(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n);
    void (*sync)(void *ctx);
    void *ctx;
};
extern struct run_hash_hook run_hash_hook;

/* Sets up everything but the NICs for nnics NICs (the pool is sized for
 * them).  RX_EXIT_OK, or the exit status with a message on stderr. */
int run_session_init(struct run_session *s, const char *cmd, int nnics);

/* Adds NIC number s->nnics fed by src, whose host filter and counters are
 * s->src[s->nnics] (set up by the caller).  0, or -1 (message on stderr). */
int run_session_add_nic(struct run_session *s, const struct nic_source *src);

/* Opens --timeline, zeroes the set-up's statistics, schedules every NIC's
 * first arrival.  RX_EXIT_OK, or the exit status with a message. */
int run_session_start(struct run_session *s);

/* The live counter line (realtime.c's realtime_counters_fn): frames,
 * interrupts, frames/interrupt, goodput, drops. */
void run_session_live_line(void *ctx, FILE *out, double wall_s);

/* Runs the queue dry, with the progress line when asked. */
void run_session_drain(struct run_session *s);

/* Waits for the digests, prints partial-trace warnings and the report in the
 * chosen format, closes --timeline.  RX_EXIT_OK, RX_EXIT_PARTIAL, or
 * RX_EXIT_INTERNAL when the report could not be written. */
int run_session_report(struct run_session *s);

/* Releases whatever init/add_nic set up; the caller's trace handles
 * (s->src[i].t) are closed here too. */
void run_session_fini(struct run_session *s);

#endif
