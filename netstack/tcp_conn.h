/* netstack/tcp_conn.h: connections keyed by 4-tuple, each direction apart.
 *
 * A connection's endpoint 0 is the sender of the first segment seen (the
 * client when the SYN was captured); dir 0 is the stream 0 → 1.  The table
 * is open addressing with linear probing, doubled at half load, so a lookup
 * is one hash and a short probe.  A connection's out-of-order queue is freed
 * as soon as both directions end.  Connections stay until the table is freed
 * (the report lists each one), unless the user asks for them as they end
 * (tcp_table_retire_ended: inspect --json writes each out and frees it), so
 * memory follows open connections, not every connection the trace held.
 *
 * Two bounds (issue 10): at most max_conns connections open at once (not
 * ended); a segment that would open one more is refused as
 * RX_DROP_CONN_TABLE_FULL, and no connection is evicted for it.  And every
 * out-of-order queue of the table charges one shared budget (tcp_reasm.h).
 */
#ifndef RXSIM_NETSTACK_TCP_CONN_H
#define RXSIM_NETSTACK_TCP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/drop.h"
#include "netstack/tcp.h"
#include "netstack/tcp_reasm.h"

struct tcp_endpoint {
    uint8_t addr[16];           /* IPv4 uses the first 4 bytes */
    uint16_t port;
};

struct tcp_dir {
    struct tcp_reasm reasm;
    struct tcp_opts syn_opts;   /* options of this direction's SYN, if seen */
    uint64_t segs;              /* segments that passed the header checks */
    uint64_t payload_bytes;     /* sum of payload lengths, retransmissions included */
    uint64_t bad_csum;
    uint64_t bad_csum_offload;  /* of those, field = pseudo-header sum (sender-side capture) */
    uint64_t dropped;           /* segments dropped for any reason after lookup */
    uint64_t uncaptured_segs;   /* data segments whose payload the snaplen cut (dropped: truncated) */
    uint64_t uncaptured_bytes;  /* their payload bytes the wire had and the capture did not */
    uint32_t uncaptured_snaplen;/* the longest such frame as captured */
    uint64_t stranded_at_close; /* bytes still queued behind a hole when the connection ended */
    uint64_t nic_lost_segs;     /* data segments the simulated NIC dropped (rxsim run) */
    uint64_t nic_lost_bytes;    /* of their bytes, those not yet received when dropped */
    uint32_t nic_lost_end;      /* sequence number past the furthest such byte */
    bool nic_lost_segs_any;
    void *app;                  /* the netstack's user (report, dump file) */
};

struct tcp_conn {
    uint64_t id;                /* 1-based, in order of first appearance */
    size_t all_index;           /* where it sits in tcp_table.all */
    bool closed;                /* ended, no longer counted as open */
    bool indexed;               /* in the 4-tuple index (false once reincarnated) */
    struct tcp_conn *ended_prev, *ended_next;   /* held ended connections, oldest first */
    uint8_t ip_version;
    uint16_t netns;             /* namespace: same 4-tuples in two traces are two connections */
    uint32_t incarnation;       /* >1 when the 4-tuple was reused after a close */
    struct tcp_endpoint ep[2];
    struct tcp_dir dir[2];
    int64_t first_ts_ns, last_ts_ns;
    uint64_t first_frame, last_frame;
};

#define TCP_TABLE_DEFAULT_MAX_CONNS 65536u
#define TCP_TABLE_KEEP_ENDED 4096u      /* ended connections held for late segments */

struct tcp_table_limits {
    size_t ooo_limit;           /* per direction; 0: TCP_REASM_DEFAULT_OOO_LIMIT */
    size_t ooo_budget;          /* all directions; 0: TCP_REASM_DEFAULT_OOO_BUDGET, SIZE_MAX: none */
    size_t max_conns;           /* open at once; 0: TCP_TABLE_DEFAULT_MAX_CONNS, SIZE_MAX: none */
};

struct tcp_table {
    struct tcp_conn **slot;     /* cap entries, NULL = empty */
    size_t cap, live;
    struct tcp_conn **all;      /* every connection held, in id order; NULL where one was retired */
    size_t count, all_cap;
    uint64_t ids;               /* connections ever created */
    size_t open;                /* connections not ended */
    size_t max_conns;
    size_t ooo_limit;
    struct tcp_ooo_budget ooo_budget;
    /* set by tcp_table_retire_ended() */
    void (*retire)(void *ctx, struct tcp_conn *c);
    void *retire_ctx;
    struct tcp_conn *ended_head, *ended_tail;
    size_t ended;
};

int tcp_table_init(struct tcp_table *t, const struct tcp_table_limits *lim); /* 0, or -1: no memory */
void tcp_table_fini(struct tcp_table *t);

/* From now on, connections that end leave the table through retire(ctx, c):
 * once TCP_TABLE_KEEP_ENDED ended ones are held (so a late ACK or FIN still
 * finds its connection), the oldest goes; a connection replaced by a new
 * incarnation goes at once.  The callee owns c and releases it with
 * tcp_conn_free(). */
void tcp_table_retire_ended(struct tcp_table *t, void (*retire)(void *ctx, struct tcp_conn *c),
                            void *ctx);

void tcp_conn_free(struct tcp_conn *c);    /* a retired connection */

/* True when a new connection would exceed max_conns. */
bool tcp_table_full(const struct tcp_table *t);

/* Marks c ended (call when tcp_conn_ended(c) first holds): it no longer
 * counts against max_conns, and may be retired. */
void tcp_conn_close(struct tcp_table *t, struct tcp_conn *c);

/* The connection of a segment from (saddr, sport) to (daddr, dport) in
 * namespace netns (0 unless several traces are replayed at once), created
 * when unknown and create is true; *dir tells which direction it travels.
 * NULL when unknown and !create, or out of memory. */
struct tcp_conn *tcp_conn_lookup(struct tcp_table *t, uint16_t netns, uint8_t ip_version,
                                 const uint8_t *saddr, const uint8_t *daddr,
                                 uint16_t sport, uint16_t dport, bool create, int *dir);

/* Replaces c in the lookup index with a fresh connection on the same
 * 4-tuple (a new SYN after both directions ended); the old stays listed
 * (or is retired, see tcp_table_retire_ended).  NULL when out of memory. */
struct tcp_conn *tcp_conn_reincarnate(struct tcp_table *t, struct tcp_conn *c, int dir);

bool tcp_conn_ended(const struct tcp_conn *c);

/* "10.0.0.1:80" or "[2001:db8::1]:80" into buf. */
void tcp_endpoint_format(const struct tcp_endpoint *e, uint8_t ip_version, char *buf, size_t size);

#endif
