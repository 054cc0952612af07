/* sim/cost_table.h: cycles the model charges per event, each with where its
 * default comes from.  Per-byte costs (copy, checksum) are not here: they
 * come from the calibration profile (copy/costs.h).  A run can override any
 * entry with --costs FILE (a JSON object {"name": cycles, ...}).
 *
 * Defaults are for a current x86-64 core near 2.6 GHz; each says whether it is
 * a measurement, a published figure, or an assumption, so a user knows which
 * numbers to distrust first. */
#ifndef RXSIM_SIM_COST_TABLE_H
#define RXSIM_SIM_COST_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_COSTS(X) \
    X(IRQ_ENTRY,      "irq_entry",      1200, "assumption: interrupt entry + exit + EOI on x86-64, 0.4-0.6 us at 2.6 GHz") \
    X(DRIVER_FRAME,   "driver_frame",    180, "assumption: read one RX descriptor, set up the skb") \
    X(SOFTIRQ_PASS,   "softirq_pass",    250, "assumption: net_rx_action entry, NAPI bookkeeping per poll") \
    X(NETIF_RECEIVE,  "netif_receive",   220, "assumption: netif_receive_skb + ip_rcv per packet") \
    X(TCP_RCV,        "tcp_rcv",         380, "assumption: tcp_v4_rcv incl. socket lookup per packet") \
    X(TCP_QUEUE,      "tcp_queue",       140, "assumption: tcp_data_queue, rcvbuf accounting per packet") \
    X(GRO_MERGE,      "gro_merge",        90, "assumption: merging one segment into a GRO super-packet") \
    X(TCP_ACK,        "tcp_ack",         900, "assumption: building and sending one (delayed) ACK") \
    X(ALLOC_SKB,      "alloc_skb",       160, "assumption: slab fast path for skb head + data") \
    X(FREE_SKB,       "free_skb",        130, "assumption: slab fast path free") \
    X(POOL_LOCK,      "pool_lock",        60, "assumption: uncontended spinlock; a bouncing lock line costs a transfer on top") \
    X(REMOTE_FREE,    "remote_free",     220, "assumption: queueing a buffer back to another CPU's cache (origin policy)") \
    X(WAKEUP,         "wakeup",         1400, "assumption: try_to_wake_up of a blocked reader") \
    X(WAKEUP_IPI,     "wakeup_ipi",     1800, "assumption: the extra cost when the reader sleeps on another CPU (IPI)") \
    X(SCHEDULE,       "schedule",       1600, "assumption: a context switch into the reader") \
    X(RECVMSG,        "recvmsg",         350, "assumption: tcp_recvmsg entry and per-call socket locking") \
    X(LINE_MISS,      "line_miss",       180, "assumption: a 64-byte line from DRAM beyond what the per-byte curves include") \
    X(LINE_TRANSFER,  "line_transfer",   260, "assumption: a modified line from another core's cache (calibration's remote curve refines it)")

enum sim_cost {
#define SIM_COST_ENUM(e, key, cycles, source) SIM_COST_##e,
    SIM_COSTS(SIM_COST_ENUM)
#undef SIM_COST_ENUM
    SIM_COST__COUNT
};

struct sim_cost_table {
    uint64_t cycles[SIM_COST__COUNT];
};

void sim_cost_table_defaults(struct sim_cost_table *t);
const char *sim_cost_key(enum sim_cost c);
const char *sim_cost_source(enum sim_cost c);
/* Index of key, or -1. */
int sim_cost_find(const char *key);

#endif
