/* sim/validate/attrib.h: a `perf record -e cpu-clock -a -g` profile of a
 * real kernel TCP transfer → struct val_attrib (validate.h): each sample's
 * side (RX, ACK, SENDER, IDLE, IPI, OTHER), for receive-side samples its
 * rxsim category (sim/profile.h) and the cost-table event (sim/cost_table.h)
 * its time belongs to, and which CPU ran the protocol work.
 *
 * As the SIGCOMM'21 "Understanding Host Network Stack Overheads" artifact
 * does, kernel functions are mapped by a TABLE (attrib.c: name or prefix →
 * side hint, category, event), applied to the innermost part of the call
 * chain: the frames from the leaf up to the first context boundary (softirq
 * entry, hard-irq entry, kernel-thread or syscall root).  So a softirq run
 * inside the sender's send() on local_bh_enable is the receiver's RX path,
 * not the sender.  side = the leaf-most frame with a side hint; category and
 * event = the leaf-most frame that has one.  docs/validation.md "How samples
 * are attributed" gives the table's reasons and the hard cases.
 *
 * Shared samples: the receive stack before TCP decides (net_rx_action,
 * process_backlog, netif_receive/ip_rcv, tcp_v4_rcv's own time, socket
 * lookup) runs for data skbs arriving at the receiver AND for ACK skbs
 * arriving at the sender; the chain cannot tell which.  They are counted in
 * out->shared / shared_category / shared_event / shared_on_cpu (not in side[]
 * etc.) and attrib_split_shared() divides them in proportion to the number
 * of data skbs and ACK skbs (the caller has both: val_counters.skbs and
 * segs_out).  Before the split sum(side) + shared == samples; after it
 * sum(side) == samples.
 *
 * Events this machine cannot show stay 0 in event[]: IRQ_ENTRY (veth has no
 * hardware interrupt), LINE_MISS and LINE_TRANSFER (no PMU), ALLOC_SKB (on
 * veth the sender allocates the skb the receiver gets), POOL_LOCK,
 * REMOTE_FREE and WAKEUP_IPI (IPIs are side IPI, excluded).  Per-byte time
 * (category copy, csum) goes to no event. */
#ifndef RXSIM_VALIDATE_ATTRIB_H
#define RXSIM_VALIDATE_ATTRIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/validate/validate.h"

/* Who is who in the profile (single-threaded processes: pid == tid). */
struct attrib_who {
    int sender_pid;
    int reader_pid;
};

/* Reads `perf script` text (the fields and flags attrib_perf_data() uses:
 * PERF_SCRIPT_FIELDS in perf_script.h) and adds every sample to *out (callers
 * zero it first).  0, or -1 with err naming name_for_errors, the line number
 * and the reason (a truncated sample, a line that is neither a sample header
 * nor a frame, no samples at all). */
/* attrib_stream_each() also calls each(ctx, sample, side) for every sample
 * once attributed: side is an enum val_side or ATTRIB_SIDE_SHARED
 * (functions.c lists the leaf functions of the receive side this way). */
#define ATTRIB_SIDE_SHARED (-1)
struct perf_sample;
typedef void (*attrib_each_fn)(void *ctx, const struct perf_sample *s, int side);
int attrib_stream_each(FILE *perf_script_text, const char *name_for_errors, const struct attrib_who *who,
                       struct val_attrib *out, attrib_each_fn each, void *ctx, char *err, size_t errlen);
static inline int attrib_stream(FILE *perf_script_text, const char *name_for_errors, const struct attrib_who *who,
                                struct val_attrib *out, char *err, size_t errlen)
{
    return attrib_stream_each(perf_script_text, name_for_errors, who, out, NULL, NULL, err, errlen);
}

/* Runs `perf script -i perf_data` with the fields attrib_stream() expects
 * (posix_spawn with a fixed argv, stderr kept for the error message;
 * kallsyms must be readable or kernel frames have no names) and attributes
 * it.  0, or -1 with err. */
int attrib_perf_data(const char *perf_data, const struct attrib_who *who, struct val_attrib *out,
                     char *err, size_t errlen);

/* Moves the shared samples into RX and ACK: data_skbs / (data_skbs +
 * ack_skbs) of each shared field to RX (rx_category, event, protocol_on_cpu,
 * side[RX]), the rest to side[ACK].  Each field is rounded to nearest; RX's
 * side total is the sum of its rounded categories, so
 * sum(rx_category) + rx_unmapped == side[RX] still holds.  0; -1 (nothing
 * moved) when both counts are 0. */
int attrib_split_shared(struct val_attrib *a, uint64_t data_skbs, uint64_t ack_skbs);

#endif
