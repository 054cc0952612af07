/* sim/validate/validate_report.h: `rxsim validate`'s side-by-side table:
 * per configuration the real repetitions' median [q1-q3] beside the
 * model's figure, the model's error on the core cycles/byte, the direction
 * and size of every change between two configurations that differ in one
 * factor, and the held-out errors; as text and as JSON.
 *
 * Two steps: val_report_summarise() computes every figure once into a
 * struct val_summary (plain data, what tests and the CI check read), then
 * val_report_text() / val_report_json() print it.  A figure that cannot be
 * measured (a zero count, no TSC rate, no model run) is "n/m" with its
 * reason, never a number.
 *
 * Real figures per repetition (medians and quartiles by val_spread_of()):
 *   cycles/byte         val_cycles(RX-side samples of the category) / bytes
 *   core cycles/byte    val_rep_core_cycles_per_byte()
 *   core cycles/segment core cycles / segs_in
 *   ACKs per segment    segs_out / segs_in
 *   skbs per recv       skbs / recv_calls
 *   segments per skb    segs_in / skbs
 *   receive queue       rcvq_median (bytes)
 * A change from configuration A to B (GRO off->on, MTU 1500->9000, csum
 * on->off, placement same->other) is the ratio of B's core cycles/byte to
 * A's, repetition i with repetition i (they were taken in the same
 * interleaved round); its direction matches when the model's ratio is on
 * the same side of 1 as the real quartiles, and is "not resolvable here"
 * when the real q1..q3 straddles 1. */
#ifndef RXSIM_VALIDATE_VALIDATE_REPORT_H
#define RXSIM_VALIDATE_VALIDATE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "sim/validate/validate.h"

/* The table's figures: enum, JSON key, label, decimals. */
#define VAL_FIGURES(X) \
    X(CORE,        "core_cycles_per_byte",    "core cycles/byte",      3) \
    X(IRQ,         "irq_cycles_per_byte",     "  irq",                 3) \
    X(PROTOCOL,    "protocol_cycles_per_byte", "  protocol",           3) \
    X(CSUM,        "csum_cycles_per_byte",    "  csum",                3) \
    X(COPY,        "copy_cycles_per_byte",    "  copy",                3) \
    X(SKB,         "skb_cycles_per_byte",     "  skb",                 3) \
    X(SCHED,       "sched_cycles_per_byte",   "  sched",               3) \
    X(PER_SEGMENT, "core_cycles_per_segment", "core cycles/segment",   0) \
    X(ACKS,        "acks_per_segment",        "ACKs per segment",      3) \
    X(SKBS_RECV,   "skbs_per_recv",           "skbs per recv",         2) \
    X(SEGS_SKB,    "segments_per_skb",        "GRO segments per skb",  1) \
    X(RCVQ,        "rcvq_median_bytes",       "receive queue (bytes)", 0)

enum val_figure_id {
#define VAL_FIG_ENUM(e, key, label, dec) VAL_FIG_##e,
    VAL_FIGURES(VAL_FIG_ENUM)
#undef VAL_FIG_ENUM
    VAL_FIG__COUNT
};

const char *val_figure_key(enum val_figure_id f);

/* One figure, real beside model.  *_why: a static reason when not ok. */
struct val_figure {
    bool real_ok;
    struct val_spread real;
    const char *real_why;
    bool model_ok;
    double model;
    const char *model_why;
};

struct val_row {
    struct val_config cfg;
    int nreps;
    struct val_figure fig[VAL_FIG__COUNT];
    bool error_ok;                  /* the core figure's model error */
    double error_pct;               /* (model - real median) / real median * 100 */
    bool protocol_ok;               /* RX protocol samples were seen */
    double protocol_reader_share;   /* of them, on the reader's CPU (1) */
    int model_protocol_cpu;         /* where the model runs the softirq (--irq) */
    int model_exit_status;          /* -1: the model did not run */
};

enum val_match { VAL_MATCH, VAL_MISMATCH, VAL_UNRESOLVED, VAL_MATCH_NM };

#define VAL_MAX_CHANGES 32
#define VAL_MAX_REPS_TABLE 64        /* repetitions per configuration (dataset.h's VAL_MAX_REPS) */

struct val_change {
    const char *factor;             /* "gro", "mtu", "csum", "placement" */
    int from, to;                   /* row indices: off->on, 1500->9000, on->off, same->other */
    int npairs;                     /* repetitions paired */
    bool real_ok;
    struct val_spread real;         /* to / from, per pair */
    bool model_ok;
    double model;
    enum val_match match;
    const char *why;                /* when real or model is not ok */
};

struct val_summary {
    int nrows;
    struct val_row row[VAL_MAX_CONFIGS];
    int nchanges;
    struct val_change change[VAL_MAX_CHANGES];
    int nheld;                      /* held-out rows with an error */
    int held_row[VAL_MAX_CONFIGS];
    double held_err[VAL_MAX_CONFIGS];   /* |model - real| / real, core cycles/byte */
    double held_max;
    int held_nm;                    /* held-out rows whose error cannot be measured */
};

/* What the table is made from.  model NULL: the model was not run. */
struct val_report_config {
    struct val_config cfg;
    const struct val_rep *reps;
    int nreps;
    const struct val_model *model;
};

struct val_report_in {
    const struct val_preflight *pre;    /* NULL: not probed (the CI check) */
    const struct val_report_config *cfgs;
    int ncfgs;                          /* <= VAL_MAX_CONFIGS */
};

/* Every figure of the table into *s.  0, or -1 when in has more than
 * VAL_MAX_CONFIGS configurations or one has more than VAL_MAX_REPS_TABLE
 * repetitions. */
int val_report_summarise(const struct val_report_in *in, struct val_summary *s);

/* The table as text: preflight verdict, per configuration, changes,
 * held-out errors.  0, or -1 on a write error. */
int val_report_text(const struct val_report_in *in, const struct val_summary *s, FILE *out);

/* The same as a JSON object (the caller owns it). */
json_object *val_report_json(const struct val_report_in *in, const struct val_summary *s);

const char *val_match_name(enum val_match m);

#endif
