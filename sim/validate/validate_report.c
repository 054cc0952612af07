/* sim/validate/validate_report.c: every figure of validate's side-by-side
 * table computed once (val_report_summarise): per configuration the real
 * repetitions' spread beside the model, the model's error, the changes
 * between configurations that differ in one factor, the held-out errors.
 * Printing is validate_report_text.c and validate_report_json.c.
 *
 * Each real figure is made per repetition, then its median and quartiles
 * taken; if any repetition lacks the figure's denominator (a count of
 * zero), the figure is not measurable (n/m) with that reason: a zero count
 * means the counter did not work there, and the other repetitions' median
 * would pass for a figure of all of them. */
#include "sim/validate/validate_report.h"

#include <math.h>
#include <string.h>

static const char *const fig_keys[] = {
#define VAL_FIG_KEY(e, key, label, dec) key,
    VAL_FIGURES(VAL_FIG_KEY)
#undef VAL_FIG_KEY
};

const char *val_figure_key(enum val_figure_id f)
{
    return f < VAL_FIG__COUNT ? fig_keys[f] : "?";
}

const char *val_match_name(enum val_match m)
{
    switch (m) {
    case VAL_MATCH: return "matches";
    case VAL_MISMATCH: return "MISMATCH";
    case VAL_UNRESOLVED: return "not resolvable here";
    default: return "n/m";
    }
}

/* ---- real figures, one repetition at a time ------------------------------ */

/* The figure f of repetition r into *v; NULL, or the reason it is not
 * measurable. */
static const char *rep_figure(const struct val_rep *r, enum val_figure_id f, double *v)
{
    static const enum sim_category cat_of[] = {
        [VAL_FIG_IRQ] = SIM_CAT_IRQ, [VAL_FIG_PROTOCOL] = SIM_CAT_PROTOCOL, [VAL_FIG_CSUM] = SIM_CAT_CSUM,
        [VAL_FIG_COPY] = SIM_CAT_COPY, [VAL_FIG_SKB] = SIM_CAT_SKB, [VAL_FIG_SCHED] = SIM_CAT_SCHED,
    };
    const struct val_counters *c = &r->c;
    bool cycles = f <= VAL_FIG_SCHED || f == VAL_FIG_PER_SEGMENT;
    if (cycles && (r->tsc_ghz <= 0 || r->sample_period_ns == 0))
        return "no TSC rate or sample period";
    if (cycles && c->bytes == 0)
        return "the reader read nothing";
    if (cycles && r->a.samples == 0)
        return "perf recorded no samples";
    switch (f) {
    case VAL_FIG_CORE:
        *v = val_rep_core_cycles_per_byte(r);
        return NULL;
    case VAL_FIG_PER_SEGMENT:
        if (!c->segs_in)
            return "no segments counted (InSegs 0)";
        *v = val_rep_core_cycles_per_byte(r) * (double)c->bytes / (double)c->segs_in;
        return NULL;
    case VAL_FIG_ACKS:
        if (!c->segs_in)
            return "no segments counted (InSegs 0)";
        *v = (double)c->segs_out / (double)c->segs_in;
        return NULL;
    case VAL_FIG_SKBS_RECV:
        if (!c->recv_calls || !c->skbs)
            return !c->recv_calls ? "no recv() calls counted" : "no skbs counted";
        *v = (double)c->skbs / (double)c->recv_calls;
        return NULL;
    case VAL_FIG_SEGS_SKB:
        if (!c->skbs || !c->segs_in)
            return !c->skbs ? "no skbs counted" : "no segments counted (InSegs 0)";
        *v = (double)c->segs_in / (double)c->skbs;
        return NULL;
    case VAL_FIG_RCVQ:
        if (!c->recv_calls)
            return "no recv() calls: the queue was never sampled";
        *v = (double)c->rcvq_median;
        return NULL;
    default:
        *v = val_cycles(r, r->a.rx_category[cat_of[f]]) / (double)c->bytes;
        return NULL;
    }
}

static void real_figure(const struct val_report_config *rc, enum val_figure_id f, struct val_figure *out)
{
    double v[VAL_MAX_REPS_TABLE];
    int n = 0;
    out->real_ok = false;
    if (rc->nreps <= 0) {
        out->real_why = "no repetitions";
        return;
    }
    for (int i = 0; i < rc->nreps && n < VAL_MAX_REPS_TABLE; i++) {
        const char *why = rep_figure(&rc->reps[i], f, &v[n]);
        if (why) {
            out->real_why = why;
            return;
        }
        n++;
    }
    out->real = val_spread_of(v, n);
    out->real_ok = true;
}

/* ---- model figures --------------------------------------------------------- */

static void model_figure(const struct val_model *m, enum val_figure_id f, struct val_figure *out)
{
    static const enum sim_category cat_of[] = {
        [VAL_FIG_IRQ] = SIM_CAT_IRQ, [VAL_FIG_PROTOCOL] = SIM_CAT_PROTOCOL, [VAL_FIG_CSUM] = SIM_CAT_CSUM,
        [VAL_FIG_COPY] = SIM_CAT_COPY, [VAL_FIG_SKB] = SIM_CAT_SKB, [VAL_FIG_SCHED] = SIM_CAT_SCHED,
    };
    out->model_ok = false;
    if (!m) {
        out->model_why = "the model was not run";
        return;
    }
    double v;
    switch (f) {
    case VAL_FIG_CORE: v = m->core_cycles_per_byte; break;
    case VAL_FIG_PER_SEGMENT: v = m->core_cycles_per_segment; break;
    case VAL_FIG_ACKS: v = m->acks_per_segment; break;
    case VAL_FIG_SKBS_RECV: v = m->skbs_per_recv; break;
    case VAL_FIG_SEGS_SKB: v = m->segments_per_skb; break;
    case VAL_FIG_RCVQ: v = m->rcvq_median; break;
    default: v = m->cycles_per_byte[cat_of[f]]; break;
    }
    if (f == VAL_FIG_RCVQ && v < 0) {
        out->model_why = "not modelled";
        return;
    }
    if (!isfinite(v) || v < 0) {
        out->model_why = "the model's report lacks it";
        return;
    }
    out->model = v;
    out->model_ok = true;
}

/* ---- one configuration ------------------------------------------------------ */

static void summarise_row(const struct val_report_config *rc, struct val_row *row)
{
    memset(row, 0, sizeof *row);
    row->cfg = rc->cfg;
    row->nreps = rc->nreps;
    for (int f = 0; f < VAL_FIG__COUNT; f++) {
        real_figure(rc, f, &row->fig[f]);
        model_figure(rc->model, f, &row->fig[f]);
    }
    const struct val_figure *core = &row->fig[VAL_FIG_CORE];
    row->error_ok = core->real_ok && core->model_ok && core->real.median > 0;
    if (row->error_ok)
        row->error_pct = (core->model - core->real.median) / core->real.median * 100;
    uint64_t on[2] = { 0, 0 };
    for (int i = 0; i < rc->nreps; i++)
        for (int c = 0; c < 2; c++)
            on[c] += rc->reps[i].a.protocol_on_cpu[c];
    row->protocol_ok = on[0] + on[1] > 0;
    if (row->protocol_ok)
        row->protocol_reader_share = (double)on[VAL_READER_CPU] / (double)(on[0] + on[1]);
    row->model_protocol_cpu = rc->cfg.placement == VAL_SAME_CPU ? VAL_READER_CPU : VAL_SENDER_CPU;
    row->model_exit_status = rc->model ? rc->model->exit_status : -1;
}

/* ---- changes between two configurations ------------------------------------ */

/* The one factor a and b differ in, oriented so that *from is the
 * "before" side (GRO off, MTU 1500, csum on, placement same); NULL when
 * they differ in none or several. */
static const char *one_factor(const struct val_config *a, const struct val_config *b, bool *a_first)
{
    int diff = (a->gro != b->gro) + (a->mtu != b->mtu) + (a->csum != b->csum) + (a->placement != b->placement);
    if (diff != 1)
        return NULL;
    if (a->gro != b->gro)
        return *a_first = !a->gro, "gro";
    if (a->mtu != b->mtu)
        return *a_first = a->mtu < b->mtu, "mtu";
    if (a->csum != b->csum)
        return *a_first = a->csum, "csum";
    return *a_first = a->placement == VAL_SAME_CPU, "placement";
}

static void summarise_change(const struct val_report_config *from, const struct val_report_config *to,
                             struct val_change *ch)
{
    double v[VAL_MAX_REPS_TABLE];
    int n = 0;
    ch->real_ok = ch->model_ok = false;
    ch->why = NULL;
    for (int i = 0; i < from->nreps && i < to->nreps && n < VAL_MAX_REPS_TABLE; i++) {
        double a, b;
        const char *why = rep_figure(&from->reps[i], VAL_FIG_CORE, &a);
        if (!why)
            why = rep_figure(&to->reps[i], VAL_FIG_CORE, &b);
        if (!why && a <= 0)
            why = "no core samples in a repetition";
        if (why) {
            ch->why = why;
            n = 0;
            break;
        }
        v[n++] = b / a;
    }
    ch->npairs = n;
    if (n > 0) {
        ch->real = val_spread_of(v, n);
        ch->real_ok = true;
    } else if (!ch->why) {
        ch->why = "no repetitions to pair";
    }
    if (from->model && to->model && from->model->core_cycles_per_byte > 0) {
        ch->model = to->model->core_cycles_per_byte / from->model->core_cycles_per_byte;
        ch->model_ok = true;
    } else if (!ch->why) {
        ch->why = "the model was not run on both";
    }
    if (!ch->real_ok || !ch->model_ok)
        ch->match = VAL_MATCH_NM;
    else if (ch->real.q1 <= 1 && ch->real.q3 >= 1)
        ch->match = VAL_UNRESOLVED;
    else
        ch->match = (ch->real.q3 < 1) == (ch->model < 1) ? VAL_MATCH : VAL_MISMATCH;
}

/* ---- the whole table ---------------------------------------------------------- */

int val_report_summarise(const struct val_report_in *in, struct val_summary *s)
{
    memset(s, 0, sizeof *s);
    if (in->ncfgs < 0 || in->ncfgs > VAL_MAX_CONFIGS)
        return -1;
    for (int i = 0; i < in->ncfgs; i++)
        if (in->cfgs[i].nreps > VAL_MAX_REPS_TABLE)
            return -1;
    s->nrows = in->ncfgs;
    for (int i = 0; i < in->ncfgs; i++)
        summarise_row(&in->cfgs[i], &s->row[i]);
    for (int i = 0; i < in->ncfgs; i++)
        for (int j = i + 1; j < in->ncfgs && s->nchanges < VAL_MAX_CHANGES; j++) {
            bool i_first;
            const char *factor = one_factor(&in->cfgs[i].cfg, &in->cfgs[j].cfg, &i_first);
            if (!factor)
                continue;
            struct val_change *ch = &s->change[s->nchanges++];
            ch->factor = factor;
            ch->from = i_first ? i : j;
            ch->to = i_first ? j : i;
            summarise_change(&in->cfgs[ch->from], &in->cfgs[ch->to], ch);
        }
    for (int i = 0; i < in->ncfgs; i++) {
        const struct val_row *r = &s->row[i];
        if (!r->cfg.held_out)
            continue;
        if (!r->error_ok) {
            s->held_nm++;
            continue;
        }
        s->held_row[s->nheld] = i;
        s->held_err[s->nheld] = fabs(r->error_pct) / 100;
        if (s->held_err[s->nheld] > s->held_max)
            s->held_max = s->held_err[s->nheld];
        s->nheld++;
    }
    return 0;
}
