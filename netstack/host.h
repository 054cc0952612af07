/* netstack/host.h: the receiving host as the simulator runs it: frames from
 * the NIC's poll go through the delivery policy to protocol passes that run
 * the functional core (netstack_rx: the same code `inspect` runs) and charge
 * what each step costs; delivered bytes wait on a socket as chunks of the
 * receive buffers they arrived in, until the connection's reader process
 * copies them out with a real copy routine (and, under csum=process, the
 * combined checksum+copy).  Costs come from three places: the per-event cost
 * table (sim/cost_table.h), the calibration profile for every per-byte
 * routine (copy/costs.h), and the cache model for where each line is.
 *
 *   NIC poll ─rx─▶ deliver policy ─pass─▶ protocol: headers, netstack_rx,
 *                                         csum policy (softirq side), queue,
 *                                         ACK, wake the reader
 *   reader (process): recvmsg(recv_size) ─▶ csum policy copy_out ─▶ user
 *                     buffer, SHA-256, buffers released (recycle policy)
 *
 * Files by job: host.c set-up and the NIC side (rx_host_stack_ops),
 * host_pass.c protocol passes, sock.c socket queues, app.c readers and the
 * latency histogram, host_cost.c per-byte costs (host_internal.h is what
 * they share).
 */
#ifndef RXSIM_NETSTACK_HOST_H
#define RXSIM_NETSTACK_HOST_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>

#include "copy/copy.h"
#include "copy/costs.h"
#include "netstack/hist.h"
#include "netstack/netstack.h"
#include "netstack/nic_stack.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "netstack/sched.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"

struct rx_host_config {
    const struct csum_policy_ops *csum;
    const struct deliver_policy_ops *deliver;
    const char *deliver_arg;
    const struct recycle_policy_ops *recycle;
    const struct receive_policy_ops *receive;   /* how readers take their bytes; NULL: copy (recvmsg) */
    int reader_threads;                         /* zerocopy: the reader's threads, each on a CPU of its own (0: 1) */
    const struct copy_routine *copy;            /* the reader's copy */
    const struct copy_routine *csum_copy;       /* csum=process: the combined routine */
    const struct copy_routine *csum_routine;    /* csum=softirq: the checksum routine */
    /* what a line read from memory or another CPU costs: this checksum's
     * cold and remote curves minus its hot one (a pure read, as
     * sim/session/line_prices.h prices lines); NULL: csum_routine's */
    const struct copy_routine *line_probe;
    const struct costs *profile;
    double tsc_to_cpu;                          /* simulated cycles per profile (TSC) cycle */
    uint32_t recv_size;                          /* recv() size */
    double app_cycles_per_byte;
    bool timing_measured;                       /* charge rdtsc-measured cycles of the real calls */
    enum app_affinity app;                      /* netstack/sched.h */
    int app_cpu;                                /* APP_FIXED */
    /* veth (false: a NIC): its sender runs on veth_sender_cpu, or on the
     * poll's CPU when that is -1 (no RPS).  An skb taken in on the sender's
     * CPU while its reader runs on another costs beside_sender_skb. */
    bool veth;
    int veth_sender_cpu;
    bool verify_csum;
    size_t ooo_limit;
    size_t ooo_budget;                          /* all connections; 0: default, SIZE_MAX: none */
    size_t max_conns;                           /* open at once; 0: default, SIZE_MAX: none */
    /* The socket receive buffer (sock.c): net.ipv4.tcp_rmem's default and
     * max; 0: Linux's (RX_RCVBUF_DEFAULT, RX_RCVBUF_MAX), SIZE_MAX: none. */
    size_t rcvbuf, rcvbuf_max;
    bool rcvbuf_fixed;                          /* no autotuning (tcp_moderate_rcvbuf 0) */
    /* optional: where readers' bytes are hashed (the CLI hashes on another
     * thread); NULL: sha256_update() in place.  Digests are read after the run. */
    void (*hash)(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n);
    void *hash_ctx;
};

/* A run of delivered bytes waiting on a socket, within one buffer. */
struct rx_chunk {
    struct rx_chunk *next;
    struct skb_buf *buf;                        /* NULL: bytes in own[] (from the ooo queue) */
    const uint8_t *data;
    uint64_t addr;                              /* simulated address of data[0] */
    uint32_t len;
    sim_ps arrival;
    bool skb_head;                              /* the first bytes a protocol pass (one skb after GRO) queued */
    /* Where data[0] lies in the TCP segment that carried it: its offset in
     * the segment's payload, and that payload's length (what zerocopy maps
     * by); seg_len 0: bytes that waited in the out-of-order queue, whose
     * segments the model does not keep. */
    uint32_t seg_off, seg_len;
    uint32_t truesize;                          /* what it charges sk_rmem_alloc (sock.c) */
    uint8_t own[];
};

/* zerocopy (receive_zerocopy.c): the pieces of receive buffers the reader's
 * last getsockopt mapped, each holding a reference to its buffer until the
 * reader unmaps them (the pages stay the reader's after the skb is freed). */
struct rx_zc_piece {
    struct skb_buf *buf;
    uint64_t addr;                              /* simulated address of the bytes */
    uint32_t len;
};
struct rx_zc_map {
    struct rx_zc_piece *piece;
    uint32_t n, cap;
    uint32_t pages;                             /* whole pages mapped */
};

/* The delayed-ACK timer (closed loop only, sock_ack.c): an owed ACK goes
 * out RX_DELACK_PS after it was owed, from the CPU that owed it. */
struct rx_delack {
    struct sim_event ev;
    struct sim_work work;
    int cpu;
};

struct rx_sock {
    struct rx_host *host;
    struct tcp_conn *conn;
    int dir;
    struct rx_chunk *head, *tail;
    uint32_t head_off;                          /* bytes of head already read */
    uint64_t queued;
    bool in_pass;                               /* on host->woke_head's list */
    struct rx_sock *next_woke;                  /* that list's link: no bound on its length */
    struct sim_work reader;
    int cpu;                                    /* where the reader runs; -1 before its first wakeup */
    bool blocked;                               /* waiting in recv() for data */
    bool woken;                                 /* a wakeup is on its way */
    uint8_t *user_buf;
    uint64_t user_addr;
    uint64_t sock_addr;                         /* the socket's own lines (RX_SOCK_LINES, host_internal.h) */
    /* The socket lock and its backlog (sock.c, rx_sock_*backlog*): the
     * reader owns the lock over [owned_from, owned_until) on owner_cpu (its
     * last recv()'s copy); data a softirq brings meanwhile waits here, in
     * order, until the reader's release_sock processes it. */
    sim_ps owned_from, owned_until;
    int owner_cpu;
    bool pass_backlog;                          /* this pass's data for s went to the backlog */
    struct rx_chunk *bl_head, *bl_tail;
    uint64_t bl_bytes;                          /* bytes on the backlog */
    uint32_t bl_skbs;                           /* skbs on the backlog (tcp_data_queue calls owed) */
    uint64_t rcvbuf, rmem;                      /* sk_rcvbuf, sk_rmem_alloc (queue + backlog truesize) */
    uint64_t app_owed;                          /* --app-cycles-per-byte work on the last read, the next item's */
    struct rx_zc_map zc;                        /* zerocopy: what is mapped now */
    /* ACKs as Linux decides them for this socket (sock.c, rx_sock_ack_*) */
    uint64_t pass_bytes;                        /* bytes queued in the current protocol pass */
    uint64_t unacked;                           /* bytes received since the last ACK (rcv_nxt - rcv_wup) */
    uint32_t rcv_mss;                           /* the largest segment seen (Linux's rcv_mss estimate) */
    uint8_t quick;                              /* quick ACKs left (quickack mode at the start) */
    bool ack_pending;                           /* an ACK is owed; recvmsg sends it */
    struct rx_delack delack;                    /* closed loop: the timer that sends it otherwise */
    struct sha256_ctx sha;
    uint64_t bytes_read, reads, wakeups, migrations;
    sim_ps last_ran;                            /* the end of its last recv() (the balancer's task_hot) */
    uint64_t cycles_on[SIM_MAX_CPUS];           /* the reader's cycles on each CPU */
    struct rx_sock *next_all;
    char name[112];                             /* "reader 10.0.0.1:1234" for the timeline */
};

#define COST_MEMO 4096                  /* profile look-ups remembered (direct-mapped) */

/* The four curve points one rx_host_byte_cost() needs for (routine, size,
 * alignment), fetched together: one probe instead of four.  -1: no curve. */
struct cost_memo {
    const struct copy_routine *r;       /* NULL: empty */
    uint32_t n;
    uint8_t align;
    double hot, remote;                 /* r's hot and remote-source curves */
    double csum_hot, csum_cold, csum_remote;    /* the line probe's: what a missed or moved line costs */
};

struct rx_host_stats {
    uint64_t frames;                            /* handed up by drivers */
    uint64_t passes, pass_frames;               /* protocol passes and frames in them */
    uint64_t acks;
    uint64_t bytes_read;                        /* by all readers */
    uint64_t wakeups, wakeup_ipis;
    uint64_t migrations, migrations_balance;    /* readers moved to another CPU: all, by the load balancer */
    uint64_t backlog_skbs;                      /* skbs a softirq put on a socket's backlog (tcp_add_backlog) */
    uint64_t beside_sender_skbs;                /* veth: skbs taken in on the sender's CPU, the reader elsewhere */
    uint64_t backlog_drains;                    /* release_sock calls that processed a backlog */
    /* zerocopy (receive_zerocopy.c): getsockopt calls, whole pages mapped
     * and their bytes, bytes it could not map and the reader copied
     * (read() after recv_skip_hint), shootdown IPIs sent when unmapping */
    uint64_t zc_calls, zc_pages, zc_bytes_mapped, zc_bytes_copied, zc_tlb_ipis;
    uint64_t rcvbuf_grows, rcvbuf_prunes;       /* receive buffer: autotuning steps, tcp_prune_queue runs */
    uint64_t rcvbuf_over, rcvbuf_over_bytes;    /* skbs and bytes past the buffer even collapsed (kept) */
    uint64_t drops[RX_DROP__COUNT];             /* the NIC's and the stack's */
    struct sim_touch csum_lines;                /* --csum softirq: the lines its checksum read, by outcome */
    struct rx_hist lat;                         /* wire → application latency, ps */
    struct rx_hist rcvq;                        /* bytes queued on a socket when its reader calls recv() */
    sim_ps last_read;
};

struct rx_host {
    struct rx_host_config cfg;
    struct sim_machine *m;
    struct skb_pool *pool;
    void *recycle_state;
    void *deliver_state;
    void *receive_state;                        /* cfg.receive->create()'s */
    struct netstack ns;
    uint16_t *refs;                             /* per buffer id: chunks still holding it */
    struct rx_sock *socks;                      /* every socket, newest first */
    uint8_t *lin;                               /* SKB_FRAME_MAX bytes: a chained frame gathered */
    /* Sockets given data in this pass, in the order they first got it (FIFO,
     * linked through rx_sock.next_woke, so a pass that feeds any number of
     * sockets wakes every one of them). */
    struct rx_sock *woke_head, **woke_tail;
    struct rx_chunk *spare;                     /* freed in-buffer chunks, for reuse (next-linked) */
    void (*reader_run)(struct sim_work *, struct sim_cpu *);   /* app.c's reader: a socket's work */
    struct rx_sched sched;                      /* where readers run (app.c, sched.h) */
    struct sim_cpu *pass_cpu;                   /* the CPU of the protocol pass running (sock.c reads it) */
    struct rx_sock *frame_sock;                 /* the socket the frame in the pass gave data to, or NULL */
    bool skb_start;                             /* the next bytes delivered start an skb (each frame of a batch; a GRO pass, at its first) */
    /* Whoever sends the data hears each ACK the host sends (issue 14: the
     * closed-loop sender, drivers/sender.c, set by the session): when, for
     * which direction, the next byte expected (rcv_nxt) and the advertised
     * window in bytes (sock_ack.c).  NULL: nobody listens (a replayed trace)
     * and the host behaves exactly as without it. */
    void (*ack_sent)(void *ctx, sim_ps at, const struct tcp_conn *c, int dir, uint32_t ack, uint32_t window);
    void *ack_ctx;
    struct cost_memo memo[COST_MEMO];   /* costs_lookup() is a search by name: remember */
    struct rx_host_stats st;
};

/* -1: no memory, or a policy's create() refused its argument (*err says why). */
int rx_host_init(struct rx_host *h, const struct rx_host_config *cfg, struct sim_machine *m,
                 struct skb_pool *pool, void *recycle_state, const char **err);
void rx_host_fini(struct rx_host *h);

/* The NIC side: the seam's ops (netstack/nic_stack.h) over h, for the NIC's
 * poll: frames go to the delivery policy, the end of a poll flushes it, and
 * a frame the NIC dropped is counted, the direction it belonged to charged
 * the data it lost (netstack_nic_drop). */
struct nic_stack_ops rx_host_stack_ops(struct rx_host *h);

/* For delivery policies: one protocol pass over skbs[0..n), with `merged`
 * frames counting as one segment (GRO), and per-pass costs paid once. */
void rx_host_protocol_pass(struct rx_host *h, struct sim_cpu *cpu, struct skb *skbs, int n, bool merged);

/* For csum policies: the cycles of running routine r over n bytes whose
 * source lines the cache model found in t, from the profile: the hot curve,
 * plus for each missed line the checksum routine's cold-minus-hot cost per
 * line (a pure read from memory), plus for each line from another CPU the
 * routine's remote-minus-hot cost per line. */
uint64_t rx_host_byte_cost(struct rx_host *h, const struct copy_routine *r, uint32_t n,
                           unsigned align, const struct sim_touch *t);

/* For receive policies (policy/receive.h; sock.c).  rx_sock_lock: the call
 * on cpu takes s's socket lock (the window softirqs find it owned in
 * starts) and touches the lock's and the receive queue's lines for fn.
 * rx_sock_recvmsg: rx_sock_lock, then up to max queued bytes copied into
 * the user buffer through the checksum policy's copy_out, charged to
 * tcp_recvmsg (whose call the caller counted) and hashed; returns how many.
 * rx_sock_take_head: the head chunk is read to its end: the per-skb recv
 * cost (inside fn's call), its latency, its buffer reference dropped, the
 * chunk freed.  rx_sock_hash: n bytes of s's stream, in order, into its
 * SHA-256.  rx_host_buf_put: drops one reference to b (a pass's, a chunk's
 * or a mapping's); the last one releases it through the recycle policy. */
void rx_sock_lock(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, enum sim_function fn);
uint32_t rx_sock_recvmsg(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, uint32_t max);
void rx_sock_take_head(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, enum sim_function fn);
void rx_sock_hash(struct rx_host *h, struct rx_sock *s, const uint8_t *p, uint32_t n);
void rx_host_buf_put(struct rx_host *h, struct sim_cpu *cpu, struct skb_buf *b);

/* Bytes delivered to sockets that no reader has copied out yet.  After a
 * run that drained its event queue this is 0: a socket given data is either
 * read by a running reader or woken at the end of its pass; the report shows
 * any remainder (result.bytes_unread), and rxsim run treats one after a full
 * drain as an internal error (a lost wakeup), never as silence. */
uint64_t rx_host_unread(const struct rx_host *h);

/* s's receive window as tcp_select_window would offer it: the free part
 * of its receive buffer, in payload bytes (half of the truesize room, Linux's
 * default scaling_ratio), 0 when full. */
uint64_t rx_sock_rcv_window(const struct rx_sock *s);

/* Latency percentile (0..100) from the histogram, in ps. */
sim_ps rx_host_latency(const struct rx_host *h, double pct);
/* The pct-th percentile of the bytes queued on a socket when its reader
 * called recv() (how far readers lag), 0 when nothing was read. */
uint64_t rx_host_rcvq(const struct rx_host *h, double pct);

#endif
