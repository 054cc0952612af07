/* netstack/tcp_reasm.h: one direction of a TCP byte stream, put back in order.
 *
 * rcv_nxt is the next byte the application has not been given.  A segment
 * that starts there is delivered at once and drains whatever the
 * out-of-order queue holds next; one that starts beyond it waits in the
 * out-of-order queue, a red-black tree keyed by sequence (BSD <sys/tree.h>,
 * from libbsd) whose pieces never overlap, so a piece is placed in O(log n)
 * wherever it lands (240k interleaved 1-byte segments: 24.5 s with the sorted
 * list this replaced, see bench/bench_reasm.c for today's figure).
 * Overlaps keep the FIRST copy (what arrived earlier wins, as tshark's Follow
 * TCP Stream does; Linux differs only when a retransmission carries different
 * bytes, which a sane sender never does).  The queue holds copies of the
 * bytes, bounded by a byte limit: over it the piece is dropped and counted
 * (RX_DROP_TCP_OOO_LIMIT), as Linux prunes its ofo queue under memory
 * pressure.  Each piece is charged its bytes plus TCP_OOO_PIECE_COST, as
 * Linux charges an skb's truesize, so a flood of 1-byte segments behind a
 * hole holds at most ~limit bytes of memory, not 32 bytes of allocation per
 * byte of data.  The same charge is also counted against a budget all
 * directions of a table share (--ooo-budget): over it the piece is dropped
 * as RX_DROP_TCP_OOO_BUDGET, so many connections behind holes cannot hold
 * connections x limit bytes.  All comparisons are modulo 2^32, so streams wrap freely:
 * every queued piece lies within 2^31 ahead of rcv_nxt, where that order is
 * a total order, and rcv_nxt only moves forward past drained pieces.
 */
#ifndef RXSIM_NETSTACK_TCP_REASM_H
#define RXSIM_NETSTACK_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/drop.h"

#define TCP_REASM_DEFAULT_OOO_LIMIT (4u << 20)   /* bytes per direction */
#define TCP_REASM_DEFAULT_OOO_BUDGET ((size_t)256 << 20) /* bytes over all directions */
#define TCP_OOO_PIECE_COST 32u                    /* a piece's header and allocation slack */

struct tcp_ooo;                 /* a queued piece (tcp_reasm.c) */

/* RB_HEAD(tcp_ooo_tree, tcp_ooo) spelled out, so this header does not pull
 * libbsd's <sys/tree.h> and its cdefs into every file that includes it. */
struct tcp_ooo_tree {
    struct tcp_ooo *rbh_root;
};

/* What every queue of a table holds together, charged as ooo_limit is. */
struct tcp_ooo_budget {
    size_t limit;               /* 0: no budget */
    size_t used;
};

struct tcp_reasm_stats {
    uint64_t data_segs;         /* segments with payload that reached reassembly */
    uint64_t delivered;         /* bytes handed to the application, in order */
    uint64_t retrans_segs;      /* data wholly received before (dropped) */
    uint64_t overlap_segs;      /* data partly received before (trimmed) */
    uint64_t ooo_segs;          /* arrived ahead of a hole (queued) */
    uint64_t ooo_dropped_bytes; /* over the queue's bound */
    uint64_t ooo_budget_dropped_bytes;  /* over the shared budget */
};

struct tcp_reasm {
    bool synced;                /* rcv_nxt is known (SYN seen, or mid-stream pickup) */
    bool syn_seen;
    bool fin_seen;              /* fin_seq is known */
    bool fin_done;              /* every byte before the FIN was delivered */
    bool reset;                 /* an RST ended this direction */
    uint32_t isn;
    uint32_t rcv_nxt;
    uint32_t fin_seq;           /* sequence number the FIN occupies */
    size_t ooo_bytes;           /* payload bytes queued */
    size_t ooo_pieces;
    size_t ooo_limit;           /* on ooo_bytes + ooo_pieces * TCP_OOO_PIECE_COST */
    struct tcp_ooo_tree ooo;    /* pieces by sequence; empty when ooo_pieces == 0 */
    struct tcp_ooo_budget *budget;  /* optional, shared; set after tcp_reasm_init() */
    struct tcp_reasm_stats st;
};

typedef void (*tcp_deliver_fn)(void *ctx, const uint8_t *p, uint32_t n);

void tcp_reasm_init(struct tcp_reasm *r, size_t ooo_limit);   /* 0: the default */
void tcp_reasm_fini(struct tcp_reasm *r);                      /* frees the queue */

/* Feeds one segment (flags as in the header, payload p[0..len)).  In-order
 * bytes go to deliver(ctx, ...) before it returns.  0 when the segment was
 * taken (even if it carried nothing new for the stream but a FIN or RST),
 * -1 with *why when it was dropped: TCP_OLD_DATA, TCP_OOO_LIMIT,
 * TCP_OOO_BUDGET, TCP_CLOSED, NO_MEMORY. */
int tcp_reasm_segment(struct tcp_reasm *r, uint32_t seq, uint8_t flags,
                      const uint8_t *p, uint32_t len,
                      tcp_deliver_fn deliver, void *ctx, enum rx_drop *why);

/* Bytes held ahead of a hole that can never be delivered now (end of trace). */
static inline size_t tcp_reasm_pending(const struct tcp_reasm *r) { return r->ooo_bytes; }

#endif
