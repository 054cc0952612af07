/* drivers/nic_trace.h: a trace as a NIC's frame source, keeping only the
 * frames the simulated host would receive.
 *
 * A capture taken on the receiver also holds what it sent (its ACKs); a NIC
 * never receives those.  IP frames whose destination is not the host's
 * address are skipped and counted; frames that are not IP (ARP, ...) are
 * received, as broadcast would be, and dropped by the stack.  The host is
 * --host ADDR, or found by nic_trace_guess_host(): the destination of the
 * first SYN without ACK, else of the first segment carrying data. */
#ifndef RXSIM_DRIVERS_NIC_TRACE_H
#define RXSIM_DRIVERS_NIC_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "traces/trace.h"

struct nic_trace {
    struct trace *t;
    int dlt;
    bool any_host;              /* no host known: every frame is received */
    uint8_t host_v;             /* 4 or 6 */
    uint8_t host[16];
    uint64_t skipped;           /* IP frames addressed elsewhere */
    uint64_t link_errors;       /* link header unusable: counted as a stack drop */
    struct trace_err err;
    bool partial;
};

/* Parses "10.0.0.2" or "2001:db8::2" into ns->host.  -1 when malformed. */
int nic_trace_set_host(struct nic_trace *ns, const char *addr);

/* Reads path to find the receiving host; 0 and the address (and a printable
 * form in buf), or -1 when the trace has no TCP data or SYN at all. */
int nic_trace_guess_host(const char *path, const char *filter, struct nic_trace *ns,
                         char *buf, size_t size);

/* The nic_source over ns (ns->t open). */
struct nic_source nic_trace_source(struct nic_trace *ns);

#endif
