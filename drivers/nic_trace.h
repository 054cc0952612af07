/* drivers/nic_trace.h: a trace as a NIC's frame source, keeping only the
 * frames the simulated host would receive.
 *
 * A capture taken on the receiver also holds what it sent (its ACKs); a NIC
 * never receives those.  IP frames whose destination is not one of the
 * host's addresses are skipped and counted; frames that are not IP (ARP, ...)
 * are received, as broadcast would be, and dropped by the stack.  The host is
 * --host ADDR, or found by nic_trace_guess_host(): the destination that
 * receives the most TCP payload in the whole trace (the first SYN's
 * destination is often the other end: an HTTP client's upload of 580 bytes
 * against the 1.23 MB it downloads); with no payload at all, the destination
 * of the first SYN (rxsim live: the interface's own addresses, up to
 * NIC_TRACE_MAX_HOSTS).
 *
 * Each trace replayed in one run is its own connection namespace (netns,
 * carried by every frame to the stack's connection table): the same 4-tuple
 * in two traces is two connections, as on two hosts.
 *
 * Shares (rxsim run --nics N): N sources read the same file and each keeps
 * only its share of the connections, so every NIC's source stays a pull
 * source and memory does not grow with the trace.  A TCP connection (either
 * direction: the 4-tuple with its endpoints sorted) belongs to share
 * (order of first appearance among received frames) mod N, so 4 connections
 * on 2 NICs give 2 each; every source sees the same frames in the same order
 * and so numbers connections alike.  The table of first appearances is
 * bounded (NIC_TRACE_MAX_FLOWS, ≈3 MB); connections beyond it go by a hash
 * of the sorted 4-tuple.  Frames that are not TCP over IP (ARP, ICMP, IPv4
 * fragments) belong to share 0, as an RSS NIC sends them to its default
 * queue.  Only share 0 counts skipped frames and link errors, so the sums
 * over all shares count each record once. */
#ifndef RXSIM_DRIVERS_NIC_TRACE_H
#define RXSIM_DRIVERS_NIC_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "traces/trace.h"

#define NIC_TRACE_MAX_HOSTS 16
#define NIC_TRACE_MAX_FLOWS 65536

struct nic_trace_host {
    uint8_t v;                  /* 4 or 6 */
    uint8_t addr[16];
};

struct nic_trace_flows;

struct nic_trace {
    struct trace *t;            /* NULL for a live source (drivers/nic_live.h) */
    uint16_t netns;             /* connection namespace of its frames */
    int dlt;
    bool any_host;              /* no host known: every frame is received */
    int nhosts;
    struct nic_trace_host hosts[NIC_TRACE_MAX_HOSTS];
    uint64_t skipped;           /* IP frames addressed elsewhere */
    uint64_t ip_received;       /* IP frames to the host (in this share): none is worth a warning */
    uint64_t link_errors;       /* link header unusable: counted as a stack drop */
    uint32_t share, nshares;    /* --nics: keep share of nshares (0 or 1: everything) */
    uint64_t not_mine;          /* frames of other shares, ignored */
    struct nic_trace_flows *flows;
    struct trace_err err;
    bool partial;
};

/* Parses "10.0.0.2" or "2001:db8::2" into ns->hosts[0] (the only host).  -1
 * when malformed. */
int nic_trace_set_host(struct nic_trace *ns, const char *addr);

/* Adds an address (v 4 or 6) to the host's; -1 when the list is full. */
int nic_trace_add_host(struct nic_trace *ns, uint8_t v, const uint8_t *addr);

/* Copies the host's addresses from src. */
void nic_trace_copy_host(struct nic_trace *dst, const struct nic_trace *src);

/* The receiving host guessed from a trace, and why. */
enum nic_trace_guess_how {
    NIC_TRACE_GUESS_NONE,       /* no TCP payload nor SYN: no host, every frame received */
    NIC_TRACE_GUESS_PAYLOAD,    /* the destination receiving the most TCP payload */
    NIC_TRACE_GUESS_SYN,        /* no payload at all: the first SYN's destination */
};

struct nic_trace_guess {
    enum nic_trace_guess_how how;
    uint8_t v;                  /* 4 or 6 */
    uint8_t addr[16];
    char text[48];              /* printable address */
    uint64_t host_payload;      /* TCP payload bytes to it (IP lengths, retransmissions too) */
    uint64_t total_payload;     /* to every destination */
    uint64_t addresses;         /* destinations counted */
    bool table_full;            /* more than 2^18 destinations: later new ones not counted */
};

/* Reads t to its end (a damaged end stops the reading; the replay reports
 * it) and guesses the receiving host.  0, or -1 with how NONE. */
int nic_trace_guess_host(struct trace *t, struct nic_trace_guess *g);

/* For a trace opened through a feed (traces/trace_feed.h): works out the
 * guess now, printing nothing, so that every later nic_trace_guess_host() on
 * the same trace, here or in a process forked after, only recalls it (and
 * prints what the pass would have).  Nothing for a plain handle. */
void nic_trace_guess_ahead(struct trace *t);

/* One captured record (link type ns->dlt): 1 when the host receives it and it
 * is in this source's share, with *skb's receive fields filled (all but
 * arrival and buf; skb->data points into rec's bytes); 0 when skipped
 * (counted as above; *skb is written all the same). */
int nic_trace_accept(struct nic_trace *ns, const struct trace_record *rec, struct skb *skb);

/* The nic_source over ns (ns->t open). */
struct nic_source nic_trace_source(struct nic_trace *ns);

/* Frees the share table; ns->t is the caller's.  NULL is a no-op. */
void nic_trace_fini(struct nic_trace *ns);

#endif
