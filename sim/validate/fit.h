/* sim/validate/fit.h: per-event costs fitted from a validate dataset.
 *
 * For each cost-table event and each repetition of each FITTING
 * configuration (held_out == false):
 *
 *     cost = val_cycles(rep, a.event[e]) / denominator(e, rep)
 *
 * then the median and quartiles (val_spread_of) over those repetitions.
 * IPI and other-tenant samples never reach a.event[] (attrib.c puts them on
 * their own sides), so they are excluded by construction.  Denominators,
 * the kernel's own counts over the same window (struct val_counters):
 *
 *   netif_receive, tcp_rcv, tcp_queue             per skb after GRO (c.skbs); placement same only
 *   beside_sender_skb                             per skb after GRO, placement other only: those
 *                                                 three events' cycles per skb less the three
 *                                                 as fitted in placement same (the surplus)
 *   free_skb                                      per segment in (c.segs_in): a GRO skb frees
 *                                                 each segment's buffer, and the model charges
 *                                                 kfree_skb per segment buffer, GRO or not
 *   tcp_ack                                       per ACK sent (c.segs_out)
 *   recvmsg                                       per recv call that returned data (c.recv_calls)
 *   wakeup                                        per reader voluntary switch (c.nvcsw)
 *   schedule                                      per reader context switch (nvcsw + nivcsw)
 *   softirq_pass                                  per NET_RX softirq (c.net_rx_softirqs), placement same
 *   xmit_pass                                     the same, placement other (the sender's xmit ran it)
 *   driver_frame                                  per segment in (c.segs_in)
 *   gro_merge                                     per merged segment (segs_in - skbs), gro configs only
 *   the rest (irq_entry, alloc_skb, pool_lock, remote_free, wakeup_ipi,
 *   line_miss, line_transfer)                     no denominator: not identifiable from these counts
 *
 * The rule for "fitted": at least FIT_MIN_RUNS repetitions take part, in
 * every one of them the event has attributed samples and a nonzero count,
 * and the median of its samples per repetition is >= FIT_MIN_SAMPLES
 * (below that one sample more or less moves the figure by > 3%).
 * Otherwise the entry keeps its stated default and why[] says why, e.g.
 * "not identifiable here: veth has no hardware interrupt".
 *
 * Per byte (not cost-table entries: those come from the calibration
 * profile, but validate prints them): copy and csum cycles per byte read =
 * RX-side samples of that category ÷ c.bytes, median and IQR over the
 * same repetitions (csum: only configurations that verify checksums).
 *
 * Samples the attribution could not give to RX or ACK (val_attrib.shared*)
 * are split here by the rule of attrib_split_shared() (skbs ÷ (skbs +
 * segs_out) to RX, rounded) when a dataset still holds them.  Repetitions
 * without a sample period or a TSC rate cannot be turned into cycles and
 * are not used (fit_reps counts the ones used). */
#ifndef RXSIM_VALIDATE_FIT_H
#define RXSIM_VALIDATE_FIT_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/validate/dataset.h"

#define FIT_MIN_SAMPLES 30
#define FIT_MIN_RUNS 3

struct fit_entry {
    bool fitted;
    double median, q1, q3;      /* cycles per event; 0 when no repetition had a count */
    int runs;                   /* repetitions that took part */
    int configs;                /* configurations whose repetitions gave a figure */
    double samples_median;      /* attributed samples per repetition, median */
    double config_median[VAL_MAX_CONFIGS];  /* the same figure per configuration (dataset order);
                                             * NAN: it took no part, or no repetition had both */
    char why[192];              /* fitted: what it is per ("per skb after GRO"); else why not */
};

struct fit_result {
    struct fit_entry e[SIM_COST__COUNT];
    struct val_spread copy_cpb, csum_cpb;   /* cycles per byte read */
    int copy_runs, csum_runs;   /* repetitions behind each (csum: configs that verify only) */
    char copy_why[96], csum_why[96];    /* "" when measured; else why the figure is not shown */
    char kernel[96], cpu[128], date[32];
    int fit_configs;            /* configurations used (not held out) */
    int fit_reps;               /* their repetitions */
    int held_out_configs;       /* configurations the fit did not use */
    int nconfigs;               /* the dataset's, with their names (config_median's columns) */
    char config_name[VAL_MAX_CONFIGS][48];
};

/* Configurations that disagree: a fitted entry whose per-configuration
 * medians span more than FIT_DISAGREE times (max / min).  Its one median
 * then hides a mechanism that differs between them (GRO's bigger skbs, for
 * one); rxsim fit says so under the table. */
#define FIT_DISAGREE 2.0
/* Beyond this spread (max / min of the per-configuration medians) an entry
 * is not fitted at all: it keeps its assumption and the table says why. */
#define FIT_REFUSE 10.0
bool fit_configs_disagree(const struct fit_entry *f, int nconfigs, int *lo, int *hi);

/* What entry e is divided by, in words ("per skb after GRO"), or NULL when
 * no counter identifies it. */
const char *fit_denominator(enum sim_cost e);

/* Fits d into *out.  profile_path: the calibration profile whose hot copy
 * curve copy_chunk is fitted beyond (NULL: run's default, the one
 * validate's model runs use).  0; -1 when d has no fitting configuration
 * with a repetition (out->e[*].why says so). */
int fit_costs(const struct val_dataset *d, const char *profile_path, struct fit_result *out);

/* The fitted entries as a --costs file: {"tcp_rcv": {"cycles": 820,
 * "kind": "fitted", "source": "fitted: kernel ..., CPU ..., date, runs,
 * median, IQR"}, ...}; unfitted entries are left out (they keep the
 * built-in default).  0, or -1 when writing failed. */
int fit_write_costs_json(const struct fit_result *r, FILE *out);

/* The fitted entries as sim/cost_table.h X() rows to paste, and as the
 * rows of docs/model.md's cost table that must then follow. */
void fit_write_c_rows(const struct fit_result *r, FILE *out);
void fit_write_doc_rows(const struct fit_result *r, FILE *out);

/* The table rxsim fit prints, and validate too (fit_report.c): where the
 * fit comes from, then per cost its default, the fitted median [q1-q3],
 * runs, samples, fitted or why not; the fitted entries whose
 * configurations disagree; copy and csum cycles per byte.  0, or -1 when
 * writing failed. */
int fit_write_table(const struct fit_result *r, FILE *out);
/* Each cost's median per configuration, a column each (--by-config). */
void fit_write_by_config(const struct fit_result *r, FILE *out);
/* What rxsim fit --json prints: a new object (the caller puts it). */
struct json_object *fit_json(const struct fit_result *r);

/* The same two under a heading naming the source ("fit of NAME"), and
 * with "dataset": name in the JSON (validate_main.c's calls). */
void fit_print_table(const struct fit_result *r, const char *name, FILE *out);
int fit_write_result_json(const struct fit_result *r, const char *name, FILE *out);

#endif
