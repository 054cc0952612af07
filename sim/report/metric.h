/* sim/report/metric.h: the one table of a run's result figures.
 *
 * Each row names one figure everywhere it appears: its JSON key under
 * "result" (and the object it sits in), its CSV row, its piece of the text
 * report's summary, whether rxsim compare shows it as a column and charts it,
 * whether serve's run page lists it, and whether it is flagged "not
 * meaningful" when the run cannot answer for some of its bytes
 * (netstack/verdict.h).  The writers (run_report*.c), compare's table and
 * charts and serve's pages all walk this table; none lists a figure again.
 *
 * Orders: the table is in JSON order; the CSV result rows, the text summary,
 * compare's columns and serve's headline each follow their own rank (1, 2,
 * ...; 0 = not shown there), so every output keeps its own layout. */
#ifndef RXSIM_REPORT_METRIC_H
#define RXSIM_REPORT_METRIC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netstack/drop.h"
#include "netstack/verdict.h"
#include "sim/machine.h"
#include "sim/profile.h"

/* A run's result figures, computed once (run_metrics(), run_report.h) and
 * read by every writer through the table. */
struct run_metrics {
    bool partial;                       /* the trace ended early */
    bool synthesised;                   /* --payload synth: the REPORT_SYNTH_ONLY figures are shown */
    uint64_t synth_segments, synth_bytes;   /* --payload synth: frames filled, bytes made up */
    double elapsed_s;
    uint64_t frames_offered, frames_skipped, frames_to_stack, frames_dropped;
    uint64_t trace_warnings;            /* records the trace reader warned about */
    /* the replay clock (drivers/nic.h): summed over NICs */
    uint64_t ts_backward, gaps_clamped, idle_removed_ns;
    uint64_t max_idle_gap_s;            /* NIC_MAX_IDLE_NS in seconds */
    double idle_removed_s;
    bool clock_full;                    /* a NIC's replay stopped at the clock's range */
    uint64_t nics_without_frames;       /* rxsim run: NICs no frame was addressed to */
    uint64_t bytes_read, bytes_unread;
    double goodput_mbps;
    double util_avg;                    /* 0..1 over all CPUs */
    double scaled_mbps;                 /* goodput / average utilisation */
    uint64_t total_cycles;
    double cycles_per_byte, cycles_per_packet;
    double cat_per_byte[SIM_CAT__COUNT];
    uint64_t interrupts, polls, passes;
    uint64_t napi_timer_polls, irqs_deferred, xmit_passes;   /* gro_flush_timeout's timer, napi_defer_hard_irqs */
    uint64_t refill_retries;                    /* polls a ring out of buffers scheduled to refill */
    uint64_t veth_sender_lines;                 /* veth: frame lines written into the sender CPU's cache */
    uint64_t csum_hits, csum_misses, csum_transfers;    /* --csum softirq: its lines by outcome */
    double frames_per_irq, frames_per_pass;
    uint64_t acks, wakeups, wakeups_remote;
    uint64_t migrations, migrations_balance;    /* readers moved to another CPU: all, by the load balancer */
    uint64_t lines_out_total;
    uint64_t skb_allocs, skb_frees, skb_remote_frees, skb_recycled, skb_exhausted;
    uint64_t skb_deferred, skb_defer_flushes, skb_defer_kicks, skb_defer_full;
    double lat_p50_us, lat_p99_us, lat_max_us;
    uint64_t rcvq_median_bytes;         /* bytes queued when a reader called recv(), median */
    double service_demand_us_per_kb;    /* netperf's: CPU time (all CPUs) per KB (1024 bytes) read */
    uint64_t rx_queues, rx_queues_idle; /* RX queues over all NICs; those no frame went to */
    uint64_t backlog_skbs, backlog_drains;      /* the socket lock's backlog (netstack/sock.c) */
    uint64_t beside_sender_skbs;                /* veth: each a beside_sender_skb (netstack/host_pass.c) */
    uint64_t rcvbuf_grows, rcvbuf_prunes, rcvbuf_over, rcvbuf_over_bytes;   /* the receive buffer (sock.c) */
    /* --replay closed (drivers/sender.h): the REPORT_CLOSED_ONLY figures */
    bool closed_loop;
    uint64_t snd_segments, snd_retransmits, snd_fast_retransmits, snd_rtos, snd_probes, snd_dupacks;
    uint64_t snd_stranded;
    uint64_t snd_wire_lost, snd_wire_reordered, snd_not_sent;   /* --loss, --reorder, --duration */
    double snd_recovery_s;
    /* --replay closed: at saturation, over the window from a quarter to
     * three quarters of all bytes acknowledged (saturation.h); the
     * REPORT_SATURATION figures, null when sat_measured is false */
    bool sat_measured;
    double sat_start_s, sat_window_s, sat_goodput_mbps, sat_util_avg, sat_busiest_util, sat_scaled_mbps;
    double sat_link_util, sat_rwnd_limited, sat_acked_mbps;
    uint64_t sat_busiest_cpu, sat_busiest_link, sat_ring_drops, sat_retransmits;
    double sat_cpu_util[SIM_MAX_CPUS];
    char bottleneck[64];                /* the rule's answer (saturation.c), "" when not closed loop */
    /* --receive zerocopy (netstack/policy/receive_zerocopy.c): the REPORT_ZC_ONLY figures */
    bool zerocopy;
    uint64_t zc_calls, zc_pages, zc_bytes_mapped, zc_bytes_copied, zc_tlb_ipis;
    uint64_t drops[RX_DROP__COUNT];
    /* Directions the run cannot answer for (netstack/verdict.h), summed.
     * When any reason is set, the REPORT_NM figures are not meaningful: the
     * reports flag them in place. */
    struct rx_verdict_sum unanswered;
    char unanswered_text[512];          /* rx_verdict_describe(), "" when answered */
};

enum report_kind {
    REPORT_U64,                 /* uint64_t */
    REPORT_DOUBLE,              /* double */
    REPORT_BOOL,                /* bool */
    REPORT_NOTE,                /* no value: the fixed text in .note (JSON only) */
    REPORT_PER_CATEGORY,        /* double[SIM_CAT__COUNT], keyed by SIM_CATEGORIES */
    REPORT_PER_DROP,            /* uint64_t[RX_DROP__COUNT], keyed by the drop reasons */
    REPORT_FLAGGED_KEYS,        /* no value: the top-level keys of the flagged figures */
    REPORT_UNANSWERED,          /* no value: the verdict summary (verdict_json.h) */
    REPORT_TEXT,                /* char[] (NUL-terminated): a word or two, e.g. the bottleneck */
};

enum report_flag {
    REPORT_NM = 1u << 0,            /* not meaningful when the run cannot answer */
    REPORT_SYNTH_ONLY = 1u << 1,    /* only with --payload synth */
    REPORT_PERCENT = 1u << 2,       /* a 0..1 fraction: text and pages show it x 100 */
    REPORT_TEXT_IF_SET = 1u << 3,   /* its text line shows only when such a figure is set */
    REPORT_STACKED = 1u << 4,       /* compare draws it as a stacked bar per row */
    REPORT_PIVOT = 1u << 5,         /* compare's --baseline pivot (the OLS 2002 paper's Table 1) */
    REPORT_CLOSED_ONLY = 1u << 6,   /* only with --replay closed (JSON and CSV) */
    REPORT_SATURATION = 1u << 7,    /* null / empty / not shown unless sat_measured */
    REPORT_ZC_ONLY = 1u << 8,       /* only with --receive zerocopy (JSON and CSV) */
    REPORT_TRACE_ONLY = 1u << 9,    /* only when a trace's frames are replayed (not --replay closed) */
};

#define REPORT_MAX_METRICS 112      /* rows of the table at most (a bound for callers' arrays) */

/* Text pieces are templates: {v} the value (text_decimals, or an integer),
 * {nm} "not meaningful (why)", {why} the reasons alone, {s} "s" when the
 * value is not 1.  A line is the run of text ranks sharing text_line. */
struct report_metric {
    const char *group;          /* JSON object under "result" holding it; NULL: "result" */
    const char *key;            /* JSON key */
    enum report_kind kind;
    size_t offset;              /* of the value in struct run_metrics */
    unsigned flags;             /* enum report_flag */
    const char *note;           /* REPORT_NOTE: its text; REPORT_BOOL: what a page says when true */
    /* what people read: compare's columns and charts, serve's pages */
    const char *label, *unit;   /* unit "" for a plain count or ratio */
    int decimals;
    /* CSV: the "result,<csv>,<value>," row at csv_rank; per category or
     * reason: the section name */
    const char *csv;
    int csv_decimals, csv_rank;
    /* the text report's summary */
    int text_rank;
    const char *text_line;      /* the line's heading */
    int text_decimals;
    const char *text;           /* the piece */
    const char *text_nm;        /* when flagged; NULL: nothing (said by an earlier piece) */
    const char *text_after_nm;  /* when the line's previous piece was flagged; NULL: text */
    /* rxsim compare: a column and its charts at compare_rank */
    int compare_rank;
    const char *compare_key;    /* change_pct key and chart file name */
    const char *compare_heading;    /* the table's short heading */
    /* rxsim serve: a row of the run page's headline table; a group's figures
     * that share a rank share a row ("p50 / p99 / max"), labelled by the first */
    int page_rank;
    const char *page_label;
};

extern const struct report_metric report_metrics[];
extern const size_t report_nmetrics;

/* The metric shown at rank (1, 2, ...) of an output, NULL past the last.
 * The accessor picks the rank: e.g. report_ranked(report_compare_rank, 1). */
int report_csv_rank(const struct report_metric *m);
int report_text_rank(const struct report_metric *m);
int report_compare_rank(const struct report_metric *m);
int report_page_rank(const struct report_metric *m);
const struct report_metric *report_ranked(int (*rank)(const struct report_metric *), int r);
/* How many metrics an output shows. */
size_t report_ranked_count(int (*rank)(const struct report_metric *));

/* The first metric with flag (enum report_flag), or of kind; NULL when none. */
const struct report_metric *report_flagged_metric(unsigned flag);
const struct report_metric *report_metric_of_kind(enum report_kind kind);

/* rxsim compare's columns, in order: i < report_ncompare(). */
const struct report_metric *report_compare_metric(size_t i);
size_t report_ncompare(void);

/* The metric's value in mt, as a double (PER_* kinds: entry i). */
double report_value(const struct report_metric *m, const struct run_metrics *mt, int i);
/* The metric's top-level key under "result": its group, or its key. */
const char *report_top_key(const struct report_metric *m);
/* "label (unit)", or the label alone without a unit. */
void report_label_unit(const struct report_metric *m, char *buf, size_t size);

/* ---- reading a run report back (rxsim compare, rxsim serve) ---- */

/* The metric's JSON value in a report (the whole `rxsim run --json`
 * document), NULL when absent; per category or reason: entry i's. */
json_object *report_metric_json(json_object *report, const struct report_metric *m, int i);
/* The value as a number: false when absent or not a number. */
bool report_metric_number(json_object *report, const struct report_metric *m, int i, double *out);
/* The report's result.not_meaningful names the metric's top-level key. */
bool report_metric_flagged(json_object *report, const struct report_metric *m);

#endif
