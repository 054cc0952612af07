/* sim/validate/fit.c: per-event costs from a validate dataset (fit.h):
 * attributed cycles ÷ the kernel's own count, per repetition of each
 * configuration not held out, then median and IQR; and the rule that
 * decides whether a figure means anything on this machine. */
#include "sim/validate/fit.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "copy/costs.h"
#include "sim/options/run_options.h"
#include "sim/session/costs_file.h"

/* Why an event has no denominator here: what this bench cannot show. */
static const char *not_identifiable(enum sim_cost e)
{
    switch (e) {
    case SIM_COST_IRQ_ENTRY: return "not identifiable here: veth has no hardware interrupt";
    case SIM_COST_ALLOC_SKB: return "not identifiable here: on veth the sender allocates the skb the receiver gets";
    case SIM_COST_POOL_LOCK: return "not identifiable here: the kernel counts no skb-pool lock takes";
    case SIM_COST_REMOTE_FREE: return "not identifiable here: the kernel counts no remote frees";
    case SIM_COST_WAKEUP_IPI: return "not identifiable here: IPI samples are excluded (side ipi), and a nested VM's IPIs are not a host's";
    case SIM_COST_RECVMSG: return "fitted per skb instead (recvmsg_skb): the recv path's time follows the skbs a call takes, not the calls";
    case SIM_COST_XMIT_PASS: return "not identifiable here: every fitting configuration's softirq was raised on the "
                                    "reader's CPU by RPS (softirq_pass); none ran in the sender's xmit";
    case SIM_COST_COPY_CHUNK: return "not identifiable here: needs the calibration profile's hot curve of the "
                                     "copy routine, to take the copy's per-byte part out";
    case SIM_COST_BESIDE_SENDER_SKB: return "not identifiable here: no fitting configuration ran the softirq on the "
                                            "sender's CPU (placement other)";
    case SIM_COST_LINE_MISS:
    case SIM_COST_LINE_TRANSFER: return "not identifiable here: needs cache-miss counts (a PMU); the dataset has none";
    default: return "not identifiable here: no kernel counter for it";
    }
}

const char *fit_denominator(enum sim_cost e)
{
    switch (e) {
    case SIM_COST_NETIF_RECEIVE:
    case SIM_COST_TCP_RCV:
    case SIM_COST_TCP_QUEUE: return "per skb after GRO";
    case SIM_COST_FREE_SKB: return "per segment in (a buffer freed per segment, GRO or not)";
    case SIM_COST_TCP_ACK: return "per ACK sent";
    case SIM_COST_RECVMSG_SKB: return "per skb after GRO (the recv path's samples)";
    case SIM_COST_WAKEUP: return "per reader voluntary switch";
    case SIM_COST_SCHEDULE: return "per reader context switch";
    case SIM_COST_SOFTIRQ_PASS: return "per NET_RX softirq";
    case SIM_COST_XMIT_PASS: return "per NET_RX softirq, in the sender's xmit";
    case SIM_COST_COPY_CHUNK: return "per segment copied, beyond the calibrated per-byte copy; queue within the cache";
    case SIM_COST_BESIDE_SENDER_SKB: return "per skb after GRO on the sender's CPU, beyond netif_receive + tcp_rcv + "
                                            "tcp_queue as fitted in placement same";
    case SIM_COST_DRIVER_FRAME: return "per segment in";
    case SIM_COST_GRO_MERGE: return "per merged segment, GRO on";
    default: return NULL;
    }
}

/* The kernel's count event e is divided by in this repetition. */
static uint64_t denominator(enum sim_cost e, const struct val_counters *c)
{
    switch (e) {
    case SIM_COST_NETIF_RECEIVE:
    case SIM_COST_TCP_RCV:
    case SIM_COST_TCP_QUEUE:
    case SIM_COST_BESIDE_SENDER_SKB: return c->skbs;
    case SIM_COST_FREE_SKB: return c->segs_in;
    case SIM_COST_TCP_ACK: return c->segs_out;
    case SIM_COST_RECVMSG_SKB: return c->skbs;
    case SIM_COST_WAKEUP: return c->nvcsw;
    case SIM_COST_SCHEDULE: return c->nvcsw + c->nivcsw;
    case SIM_COST_SOFTIRQ_PASS:
    case SIM_COST_XMIT_PASS: return c->net_rx_softirqs;
    case SIM_COST_COPY_CHUNK: return c->segs_in;
    case SIM_COST_DRIVER_FRAME: return c->segs_in;
    case SIM_COST_GRO_MERGE: return c->segs_in > c->skbs ? c->segs_in - c->skbs : 0;
    default: return 0;
    }
}

/* The attributed event whose samples entry e is fitted from: attrib.c
 * charges the whole recv path to RECVMSG; its cost is per skb taken. */
static enum sim_cost samples_of(enum sim_cost e)
{
    return e == SIM_COST_RECVMSG_SKB ? SIM_COST_RECVMSG : e == SIM_COST_XMIT_PASS ? SIM_COST_SOFTIRQ_PASS : e;
}

/* RX's part of n shared samples: attrib_split_shared()'s rule. */
static uint64_t rx_share(uint64_t n, const struct val_counters *c)
{
    uint64_t all = c->skbs + c->segs_out;
    return n && all ? (uint64_t)llround((double)n * (double)c->skbs / (double)all) : 0;
}

static bool rep_usable(const struct val_rep *r)
{
    return r->sample_period_ns > 0 && r->tsc_ghz > 0;
}

/* Whether config c's repetitions take part in event e's fit: softirq_pass
 * is a pass an interrupt raised, RPS's IPI to the reader's CPU (placement
 * same); xmit_pass one the sender's xmit ran on its own CPU (other).  The
 * per-skb protocol costs are fitted where the softirq had the reader's CPU
 * to itself (same); what the other placement adds per skb is
 * beside_sender_skb's. */
static bool takes_part(const struct val_dataset_config *c, enum sim_cost e)
{
    if (c->cfg.held_out)
        return false;
    switch (e) {
    case SIM_COST_GRO_MERGE: return c->cfg.gro;
    case SIM_COST_SOFTIRQ_PASS: return c->cfg.placement == VAL_SAME_CPU;
    case SIM_COST_NETIF_RECEIVE:
    case SIM_COST_TCP_RCV:
    case SIM_COST_TCP_QUEUE: return c->cfg.placement == VAL_SAME_CPU;
    case SIM_COST_XMIT_PASS:
    case SIM_COST_BESIDE_SENDER_SKB: return c->cfg.placement == VAL_OTHER_CPU;
    default: return true;
    }
}

/* copy_chunk's repetitions: a receive queue within the model's cache (the
 * --cache-kib default).  Behind a deeper queue the kernel's copy also read
 * lines gone cold, which the model's cache prices, not this entry. */
static bool rep_queue_in_cache(const struct val_rep *r)
{
    const char *kib = run_option_default(run_option_find("cache-kib"));
    return r->c.rcvq_median <= (kib ? strtoull(kib, NULL, 10) : 1024) * 1024;
}

/* The calibrated copy's own cycles for one segment of this repetition's
 * mean size: the profile's hot curve of the routine validate's model runs
 * copy with (run's --copy default), TSC cycles as the dataset's. */
static double hot_copy_per_segment(const struct costs *profile, const struct val_rep *r)
{
    if (!profile || !r->c.segs_in)
        return -1;
    const char *routine = run_option_default(run_option_find("copy"));
    size_t seg = (size_t)(r->c.bytes / r->c.segs_in);
    return routine && seg ? costs_lookup(profile, routine, seg, 0, CALIB_HOT) : -1;
}

/* Configurations whose medians differ by more than FIT_REFUSE times: one
 * median would fit none of them (wakeup per reader switch spanned 5575 to
 * 4157187 cycles here), so the entry keeps its assumption; why says so. */
static bool spread_too_wide(struct fit_entry *out, int nconfigs, const struct val_dataset *d)
{
    int lo = -1, hi = -1;
    for (int i = 0; i < nconfigs; i++) {
        if (isnan(out->config_median[i]))
            continue;
        if (lo < 0 || out->config_median[i] < out->config_median[lo])
            lo = i;
        if (hi < 0 || out->config_median[i] > out->config_median[hi])
            hi = i;
    }
    if (lo < 0 || !(out->config_median[hi] > FIT_REFUSE * out->config_median[lo]))
        return false;
    snprintf(out->why, sizeof out->why, "configurations disagree over %.0fx (%.0f in %s, %.0f in %s): one median "
             "fits none", FIT_REFUSE, out->config_median[lo], d->c[lo].cfg.name, out->config_median[hi],
             d->c[hi].cfg.name);
    return true;
}

/* beside_sender_skb's samples: the per-skb protocol events', which
 * fit_costs() fits first (the cost table's order) */
_Static_assert(SIM_COST_BESIDE_SENDER_SKB > SIM_COST_NETIF_RECEIVE && SIM_COST_BESIDE_SENDER_SKB > SIM_COST_TCP_RCV &&
                   SIM_COST_BESIDE_SENDER_SKB > SIM_COST_TCP_QUEUE,
               "beside_sender_skb is measured beyond entries fitted before it");
static const enum sim_cost per_skb_protocol[] = { SIM_COST_NETIF_RECEIVE, SIM_COST_TCP_RCV, SIM_COST_TCP_QUEUE };
#define N_PER_SKB_PROTOCOL (sizeof per_skb_protocol / sizeof per_skb_protocol[0])

/* What placement same's fit charges per skb for those events; -1 when one
 * of them was not fitted (nothing to measure the surplus against). */
static double same_placement_per_skb(const struct fit_entry *done)
{
    double sum = 0;
    for (size_t i = 0; i < N_PER_SKB_PROTOCOL; i++) {
        if (!done[per_skb_protocol[i]].fitted)
            return -1;
        sum += done[per_skb_protocol[i]].median;
    }
    return sum;
}

/* Entry e from the dataset; done: the entries fitted before it (the
 * cost table's order), which beside_sender_skb is measured beyond. */
static void fit_one(const struct val_dataset *d, const struct costs *profile, enum sim_cost e,
                    const struct fit_entry *done, struct fit_entry *out)
{
    const char *per = fit_denominator(e);
    *out = (struct fit_entry){0};
    for (int i = 0; i < VAL_MAX_CONFIGS; i++)
        out->config_median[i] = NAN;
    if (!per) {
        snprintf(out->why, sizeof out->why, "%s", not_identifiable(e));
        return;
    }
    int n = 0, m = 0, no_samples = 0, no_count = 0;
    double *cost = malloc(sizeof *cost * VAL_MAX_CONFIGS * VAL_MAX_REPS);
    double *samples = malloc(sizeof *samples * VAL_MAX_CONFIGS * VAL_MAX_REPS);
    if (!cost || !samples) {
        snprintf(out->why, sizeof out->why, "out of memory");
        free(cost);
        free(samples);
        return;
    }
    int nconfigs = d->nconfigs < VAL_MAX_CONFIGS ? d->nconfigs : VAL_MAX_CONFIGS;
    for (int i = 0; i < nconfigs; i++) {
        const struct val_dataset_config *c = &d->c[i];
        int nreps = c->nreps < VAL_MAX_REPS ? c->nreps : VAL_MAX_REPS, first = n;
        for (int k = 0; takes_part(c, e) && k < nreps; k++) {
            const struct val_rep *r = &c->rep[k];
            if (!rep_usable(r))
                continue;
            uint64_t s, count = denominator(e, &r->c);
            double hot = 0;
            if (e == SIM_COST_COPY_CHUNK) {
                if (!rep_queue_in_cache(r))
                    continue;
                s = r->a.rx_category[SIM_CAT_COPY] + rx_share(r->a.shared_category[SIM_CAT_COPY], &r->c);
                if ((hot = hot_copy_per_segment(profile, r)) < 0)
                    count = 0;      /* no curve: nothing to take the per-byte part out with */
            } else if (e == SIM_COST_BESIDE_SENDER_SKB) {
                s = 0;
                for (size_t j = 0; j < N_PER_SKB_PROTOCOL; j++)
                    s += r->a.event[per_skb_protocol[j]] + rx_share(r->a.shared_event[per_skb_protocol[j]], &r->c);
                if ((hot = same_placement_per_skb(done)) < 0)
                    count = 0;      /* placement same's per-skb costs unfitted: no base */
            } else {
                enum sim_cost se = samples_of(e);
                s = r->a.event[se] + rx_share(r->a.shared_event[se], &r->c);
            }
            out->runs++;
            no_samples += s == 0;
            no_count += count == 0;
            samples[m++] = (double)s;   /* every repetition that took part, figure or not */
            if (s && count)
                cost[n++] = fmax(0, val_cycles(r, s) / (double)count - hot);
        }
        if (n > first) {    /* sorts its own slice only: the spread below takes all of them */
            out->config_median[i] = val_spread_of(cost + first, n - first).median;
            out->configs++;
        }
    }
    struct val_spread sp = val_spread_of(cost, n);
    out->median = sp.median, out->q1 = sp.q1, out->q3 = sp.q3;
    out->samples_median = val_spread_of(samples, m).median;
    free(cost);
    free(samples);
    if (out->runs == 0 && (e == SIM_COST_XMIT_PASS || e == SIM_COST_BESIDE_SENDER_SKB))
        snprintf(out->why, sizeof out->why, "%s", not_identifiable(e));
    else if (out->runs == 0)
        snprintf(out->why, sizeof out->why, "no fitting repetition%s",
                 e == SIM_COST_GRO_MERGE ? " with GRO on" : e == SIM_COST_COPY_CHUNK ?
                 " whose receive queue stayed within the cache" : "");
    else if (e == SIM_COST_COPY_CHUNK && no_count)
        snprintf(out->why, sizeof out->why, "%s", not_identifiable(e));
    else if (e == SIM_COST_BESIDE_SENDER_SKB && no_count)
        snprintf(out->why, sizeof out->why, "not identifiable here: netif_receive, tcp_rcv and tcp_queue are not all "
                 "fitted in placement same, the base it is measured beyond");
    else if (no_count)
        snprintf(out->why, sizeof out->why, "the kernel counted none (%s) in %d of %d repetitions", per,
                 no_count, out->runs);
    else if (no_samples)
        snprintf(out->why, sizeof out->why, "no samples attributed to it in %d of %d repetitions",
                 no_samples, out->runs);
    else if (out->samples_median < FIT_MIN_SAMPLES)
        snprintf(out->why, sizeof out->why, "too few samples: median %.0f a repetition, the rule wants >= %d",
                 out->samples_median, FIT_MIN_SAMPLES);
    else if (out->runs < FIT_MIN_RUNS)
        snprintf(out->why, sizeof out->why, "only %d repetitions, the rule wants >= %d", out->runs,
                 FIT_MIN_RUNS);
    else if (spread_too_wide(out, nconfigs, d))
        ;                   /* why written there */
    else if (out->median > RUN_COSTS_MAX_CYCLES)
        snprintf(out->why, sizeof out->why, "median %.0f cycles, beyond a --costs file's %d: not believable",
                 out->median, RUN_COSTS_MAX_CYCLES);
    else {
        out->fitted = true;
        snprintf(out->why, sizeof out->why, "%s", per);
    }
}

/* Cycles per byte read of RX category cat over the fitting repetitions
 * (only configurations that verify checksums when csum_only). */
static struct val_spread per_byte(const struct val_dataset *d, enum sim_category cat, bool csum_only, int *runs,
                                  char *why, size_t whyn)
{
    double samples[VAL_MAX_CONFIGS * VAL_MAX_REPS];
    int none = 0;
    double v[VAL_MAX_CONFIGS * VAL_MAX_REPS];
    int n = 0;
    int nconfigs = d->nconfigs < VAL_MAX_CONFIGS ? d->nconfigs : VAL_MAX_CONFIGS;
    for (int i = 0; i < nconfigs; i++) {
        const struct val_dataset_config *c = &d->c[i];
        if (c->cfg.held_out || (csum_only && !c->cfg.csum))
            continue;
        int nreps = c->nreps < VAL_MAX_REPS ? c->nreps : VAL_MAX_REPS;
        for (int k = 0; k < nreps; k++) {
            const struct val_rep *r = &c->rep[k];
            if (!rep_usable(r) || r->c.bytes == 0)
                continue;
            uint64_t s = r->a.rx_category[cat] + rx_share(r->a.shared_category[cat], &r->c);
            none += s == 0;
            samples[n] = (double)s;
            v[n++] = val_cycles(r, s) / (double)r->c.bytes;
        }
    }
    *runs = n;
    /* the cost entries' rule: a 0 from a repetition perf saw nothing of is
     * not a measurement of a free copy */
    why[0] = '\0';
    double med_samples = val_spread_of(samples, n).median;
    if (n && none)
        snprintf(why, whyn, "no samples in %d of %d repetitions", none, n);
    else if (n && n < FIT_MIN_RUNS)
        snprintf(why, whyn, "only %d repetitions, the rule wants >= %d", n, FIT_MIN_RUNS);
    else if (n && med_samples < FIT_MIN_SAMPLES)
        snprintf(why, whyn, "too few samples: median %.0f a repetition, the rule wants >= %d", med_samples,
                 FIT_MIN_SAMPLES);
    return val_spread_of(v, n);
}

int fit_costs(const struct val_dataset *d, const char *profile_path, struct fit_result *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->kernel, sizeof out->kernel, "%s", d->kernel);
    snprintf(out->cpu, sizeof out->cpu, "%s", d->cpu);
    snprintf(out->date, sizeof out->date, "%s", d->date);
    int nconfigs = d->nconfigs < VAL_MAX_CONFIGS ? d->nconfigs : VAL_MAX_CONFIGS;
    out->nconfigs = nconfigs < 0 ? 0 : nconfigs;
    for (int i = 0; i < nconfigs; i++) {
        snprintf(out->config_name[i], sizeof out->config_name[i], "%s", d->c[i].cfg.name);
        if (d->c[i].cfg.held_out) {
            out->held_out_configs++;
            continue;
        }
        out->fit_configs++;
        int nreps = d->c[i].nreps < VAL_MAX_REPS ? d->c[i].nreps : VAL_MAX_REPS;
        for (int k = 0; k < nreps; k++)
            out->fit_reps += rep_usable(&d->c[i].rep[k]);
    }
    if (!profile_path)
        profile_path = run_option_default(run_option_find("profile"));
    char err[256];
    struct costs *profile = profile_path ? costs_load(profile_path, err, sizeof err) : NULL;
    for (int e = 0; e < SIM_COST__COUNT; e++)
        fit_one(d, profile, (enum sim_cost)e, out->e, &out->e[e]);
    costs_free(profile);
    out->copy_cpb = per_byte(d, SIM_CAT_COPY, false, &out->copy_runs, out->copy_why, sizeof out->copy_why);
    out->csum_cpb = per_byte(d, SIM_CAT_CSUM, true, &out->csum_runs, out->csum_why, sizeof out->csum_why);
    return out->fit_reps > 0 ? 0 : -1;
}

bool fit_configs_disagree(const struct fit_entry *f, int nconfigs, int *lo, int *hi)
{
    *lo = *hi = -1;
    for (int i = 0; i < nconfigs && i < VAL_MAX_CONFIGS; i++) {
        if (isnan(f->config_median[i]))
            continue;
        if (*lo < 0 || f->config_median[i] < f->config_median[*lo])
            *lo = i;
        if (*hi < 0 || f->config_median[i] > f->config_median[*hi])
            *hi = i;
    }
    return f->fitted && *lo >= 0 && f->config_median[*hi] > FIT_DISAGREE * f->config_median[*lo];
}

/* "kernel K, CPU C, DATE: N runs over M configurations, median X [IQR
 * Q1-Q3] cycles per skb after GRO": the provenance of a fitted entry. */
static void provenance(const struct fit_result *r, enum sim_cost e, char *buf, size_t n)
{
    const struct fit_entry *f = &r->e[e];
    char full[1024];
    snprintf(full, sizeof full, "kernel %s, CPU %s, %s: %d runs over %d configuration%s, median %.0f "
             "[IQR %.0f-%.0f] cycles %s (rxsim fit)", r->kernel[0] ? r->kernel : "unknown",
             r->cpu[0] ? r->cpu : "unknown", r->date[0] ? r->date : "undated", f->runs, f->configs,
             f->configs == 1 ? "" : "s", f->median, f->q1, f->q3, f->why);
    size_t len = strlen(full) < n ? strlen(full) : n - 1;   /* a source is at most n - 1 bytes */
    memcpy(buf, full, len);
    buf[len] = '\0';
}

int fit_write_costs_json(const struct fit_result *r, FILE *out)
{
    char src[SIM_COST_SOURCE_MAX];
    json_object *o = json_object_new_object();
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        if (!r->e[e].fitted)
            continue;
        provenance(r, (enum sim_cost)e, src, sizeof src);
        json_object *v = json_object_new_object();
        json_object_object_add(v, "cycles", json_object_new_int64(llround(r->e[e].median)));
        json_object_object_add(v, "kind", json_object_new_string("fitted"));
        json_object_object_add(v, "source", json_object_new_string(src));
        json_object_object_add(o, sim_cost_key((enum sim_cost)e), v);
    }
    int rc = fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return rc < 0 || ferror(out) ? -1 : 0;
}

static const char *const enum_names[] = {
#define EN(e, key, cycles, kind, source) #e,
    SIM_COSTS(EN)
#undef EN
};

void fit_write_c_rows(const struct fit_result *r, FILE *out)
{
    char src[SIM_COST_SOURCE_MAX], name[40], key[40];
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        if (!r->e[e].fitted)
            continue;
        provenance(r, (enum sim_cost)e, src, sizeof src);
        snprintf(name, sizeof name, "%s,", enum_names[e]);
        snprintf(key, sizeof key, "\"%s\",", sim_cost_key((enum sim_cost)e));
        fprintf(out, "    X(%-15s %-17s %5lld, FITTED, \"", name, key, llround(r->e[e].median));
        for (const char *p = src; *p; p++)     /* a C string literal: escape what C needs */
            fprintf(out, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        fputs("\") \\\n", out);
    }
}

void fit_write_doc_rows(const struct fit_result *r, FILE *out)
{
    char src[SIM_COST_SOURCE_MAX];
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        if (!r->e[e].fitted)
            continue;
        provenance(r, (enum sim_cost)e, src, sizeof src);
        fprintf(out, "| `%s` | %lld | fitted | %s |\n", sim_cost_key((enum sim_cost)e), llround(r->e[e].median), src);
    }
}
