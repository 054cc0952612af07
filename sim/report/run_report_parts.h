/* sim/report/run_report_parts.h: what the text and JSON run reports share
 * (run_report.c): per-function totals, the listed connections, how a host
 * was chosen.  Private to sim/report/. */
#ifndef RXSIM_REPORT_RUN_REPORT_PARTS_H
#define RXSIM_REPORT_RUN_REPORT_PARTS_H

#include "sim/report/run_report.h"

/* Connections listed in a report, text and JSON alike; the rest are counted
 * and said to be left out (JSON: connections_total, connections_truncated),
 * so a report's size does not grow without bound with a trace's. */
#define REPORT_MAX_LISTED 4096

struct report_fn_total {
    uint64_t cycles, calls, lines_out;
};

/* Function f's profile summed over every CPU. */
struct report_fn_total report_fn_total(const struct sim_machine *m, int f);

/* The first max sockets in connection order (the host keeps them newest
 * first); *total gets how many there are in all. */
int report_sock_list(const struct rx_host *h, const struct rx_sock **out, int max, uint64_t *total);
/* A socket's SHA-256 so far, in hex. */
void report_sock_sha(const struct rx_sock *s, char out[65]);
/* The direction d of cn as "from" and "to" endpoints. */
void report_endpoints(const struct tcp_conn *cn, int d, char from[80], char to[80]);
/* Calls fn for each direction flagged (verdict.h) that never got a reader. */
void report_unread_flagged(const struct rx_host *h,
                           void (*fn)(void *ctx, const struct tcp_conn *cn, int d, const struct rx_verdict *vd),
                           void *ctx);
/* " (guessed: receives 1234 of 5678 TCP payload bytes)" and the like. */
void report_host_why(const struct run_host_choice *hc, char *buf, size_t size);
/* What feeds NIC i: its trace's name, or "closed-loop link" (--replay closed). */
const char *report_nic_source(const struct run_view *v, int i);

#endif
