/* netstack/verdict.h: why a direction's figures cannot be taken at face
 * value.  A direction is either answered, or carries one or more of these
 * reasons, and every report (inspect, run, compare, serve) flags what depends
 * on it instead of printing a number as if it were true.
 *
 * One list generates the enum, the JSON keys and the phrases in the reports
 * (the drop-reason X-macro's shape, STYLE.md practice 8): a new reason is one
 * line here plus the test in rx_verdict_of() that decides it.
 *
 *   STRANDED              bytes that arrived behind a hole nothing filled: a
 *                         replayed trace never retransmits what the simulated
 *                         ring dropped, so the reader stalls at the hole
 *   DROPPED_AT_NIC        data the simulated NIC dropped (ring full, frame
 *                         too long) that no later frame of the trace carried
 *                         again: the stream comes out short even when no
 *                         byte is stranded (the drops were at its end)
 *   PAYLOAD_NOT_CAPTURED  data segments whose payload the capture's snaplen
 *                         cut: the stream that was sent is not in the file
 */
#ifndef RXSIM_NETSTACK_VERDICT_H
#define RXSIM_NETSTACK_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netstack/tcp_conn.h"

#define RX_VERDICT_REASONS(X) \
    X(STRANDED,             "stranded",             "stranded behind holes") \
    X(DROPPED_AT_NIC,       "dropped_at_nic",       "dropped by the NIC, never retransmitted") \
    X(PAYLOAD_NOT_CAPTURED, "payload_not_captured", "payload not captured")

enum rx_verdict_reason {
#define RX_VERDICT_ENUM(e, key, phrase) RX_VERDICT_##e,
    RX_VERDICT_REASONS(RX_VERDICT_ENUM)
#undef RX_VERDICT_ENUM
    RX_VERDICT__COUNT
};

const char *rx_verdict_key(enum rx_verdict_reason r);     /* "stranded": JSON and CSV */
const char *rx_verdict_phrase(enum rx_verdict_reason r);  /* "stranded behind holes" */

/* One direction's verdict: reasons is a bit set (1u << reason); bytes[r] is
 * what reason r concerns (stranded bytes; payload bytes not captured). */
struct rx_verdict {
    uint32_t reasons;
    uint64_t bytes[RX_VERDICT__COUNT];
    uint64_t segments_not_captured;
    uint32_t snaplen;                   /* longest cut frame as captured */
};

/* The verdict on direction d.  replay: the stream was replayed through a
 * simulated NIC that can drop (rxsim run), so bytes left behind a hole are
 * stranded; inspect reads the capture as it is and reports them as holes. */
void rx_verdict_of(const struct tcp_dir *d, bool replay, struct rx_verdict *v);

static inline bool rx_verdict_has(const struct rx_verdict *v, enum rx_verdict_reason r)
{
    return v->reasons & (1u << r);
}

/* The verdicts of many directions summed, for a run's headline figures. */
struct rx_verdict_sum {
    uint32_t reasons;
    uint64_t bytes[RX_VERDICT__COUNT];
    uint64_t directions[RX_VERDICT__COUNT];
    uint32_t snaplen;
};

void rx_verdict_add(struct rx_verdict_sum *s, const struct rx_verdict *v);

/* "payload not captured (snaplen 96)" or "stranded behind holes": reason r's
 * phrase with its detail, into buf. */
void rx_verdict_label(enum rx_verdict_reason r, uint32_t snaplen, char *buf, size_t size);

/* "stranded behind holes: 1.2 MB in 3 directions; payload not captured
 * (snaplen 96): 979270 bytes in 1 direction" for every reason in s, into buf
 * ("" when none). */
void rx_verdict_describe(const struct rx_verdict_sum *s, char *buf, size_t size);

#endif
