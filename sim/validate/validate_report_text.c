/* sim/validate/validate_report_text.c: val_report_text(), validate's table
 * as text, from the summary val_report_summarise() computed: the preflight
 * verdict first (what can be trusted), then one block per configuration,
 * the changes, the held-out errors.  "n/m (why)" wherever a figure cannot
 * be measured. */
#include "sim/session/exit_codes.h"
#include "sim/validate/validate_report.h"

#include <string.h>

static const char *const fig_labels[] = {
#define VAL_FIG_LABEL(e, key, label, dec) label,
    VAL_FIGURES(VAL_FIG_LABEL)
#undef VAL_FIG_LABEL
};
static const int fig_decimals[] = {
#define VAL_FIG_DEC(e, key, label, dec) dec,
    VAL_FIGURES(VAL_FIG_DEC)
#undef VAL_FIG_DEC
};

static void preflight(const struct val_preflight *p, FILE *out)
{
    if (!p) {
        fprintf(out, "preflight: not probed (figures from a recorded dataset)\n\n");
        return;
    }
    fprintf(out, "preflight: PMU %s, %s%s, cross-CPU wakeup median %.1f us (p90 %.1f), "
                 "speed spread %.1f %%, other tenants %.0f %%, steal %.0f %%: %s\n",
            p->pmu ? "present" : "absent", p->hypervisor ? "guest" : "bare metal",
            p->nested ? " (nested)" : "", p->wakeup_us_median, p->wakeup_us_p90, p->speed_cv * 100,
            p->other_share * 100, p->steal_share * 100, p->quiet ? "quiet" : "NOT quiet");
    const char *v = p->verdict;
    while (*v) {                        /* the verdict, one point a line, indented */
        size_t k = strcspn(v, "\n");
        fprintf(out, "  %.*s\n", (int)k, v);
        v += k + (v[k] == '\n');
    }
    fputc('\n', out);
}

static void figure_line(const struct val_row *r, enum val_figure_id f, FILE *out)
{
    const struct val_figure *g = &r->fig[f];
    int d = fig_decimals[f];
    char real[96], model[96];
    if (g->real_ok)
        snprintf(real, sizeof real, "%.*f [%.*f-%.*f]", d, g->real.median, d, g->real.q1, d, g->real.q3);
    else
        snprintf(real, sizeof real, "n/m (%s)", g->real_why);
    if (g->model_ok)
        snprintf(model, sizeof model, "%.*f", d, g->model);
    else
        snprintf(model, sizeof model, "n/m (%s)", g->model_why);
    fprintf(out, "  %-22s %-34s %s", fig_labels[f], real, model);
    if (f == VAL_FIG_CORE) {
        if (r->error_ok)
            fprintf(out, "   model error %+.1f %%", r->error_pct);
        else
            fprintf(out, "   model error n/m");
    }
    fputc('\n', out);
}

static void row_block(const struct val_row *r, FILE *out)
{
    fprintf(out, "%s%s: %d repetition%s; model ", r->cfg.name, r->cfg.held_out ? " (held out)" : "",
            r->nreps, r->nreps == 1 ? "" : "s");
    if (r->model_exit_status < 0)
        fprintf(out, "not run\n");
    else
        fprintf(out, "exit %d%s\n", r->model_exit_status,
                r->model_exit_status == RX_EXIT_PARTIAL ? " (capture truncated part-way: figures cover what was read)" : "");
    fprintf(out, "  %-22s %-34s %s\n", "figure", "real median [q1-q3]", "model");
    for (int f = 0; f < VAL_FIG__COUNT; f++)
        figure_line(r, f, out);
    char real[96];
    if (r->protocol_ok)
        snprintf(real, sizeof real, "reader CPU %d: %.0f %%", VAL_READER_CPU, r->protocol_reader_share * 100);
    else
        snprintf(real, sizeof real, "n/m (no RX protocol samples)");
    fprintf(out, "  %-22s %-34s CPU %d\n\n", "protocol work on", real, r->model_protocol_cpu);
}

static void changes(const struct val_summary *s, FILE *out)
{
    if (!s->nchanges)
        return;
    fprintf(out, "changes in core cycles/byte (after / before; real: repetitions paired by round)\n");
    for (int i = 0; i < s->nchanges; i++) {
        const struct val_change *c = &s->change[i];
        char real[96], model[32];
        if (c->real_ok)
            snprintf(real, sizeof real, "%.3f [%.3f-%.3f] (%d)", c->real.median, c->real.q1, c->real.q3, c->npairs);
        else
            snprintf(real, sizeof real, "n/m");
        if (c->model_ok)
            snprintf(model, sizeof model, "%.3f", c->model);
        else
            snprintf(model, sizeof model, "n/m");
        fprintf(out, "  %-9s %s -> %s: real %s, model %s: %s", c->factor, s->row[c->from].cfg.name,
                s->row[c->to].cfg.name, real, model, val_match_name(c->match));
        if (c->match == VAL_MATCH_NM && c->why)
            fprintf(out, " (%s)", c->why);
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void held_out(const struct val_summary *s, FILE *out)
{
    if (!s->nheld && !s->held_nm) {
        fprintf(out, "held out: none\n");
        return;
    }
    fprintf(out, "held out: |model - real median| / real median, core cycles/byte\n");
    for (int i = 0; i < s->nheld; i++)
        fprintf(out, "  %-24s %.1f %%\n", s->row[s->held_row[i]].cfg.name, s->held_err[i] * 100);
    for (int i = 0; i < s->nrows; i++)
        if (s->row[i].cfg.held_out && !s->row[i].error_ok)
            fprintf(out, "  %-24s n/m\n", s->row[i].cfg.name);
    if (s->nheld)
        fprintf(out, "  max %.1f %% over %d configuration%s\n", s->held_max * 100, s->nheld, s->nheld == 1 ? "" : "s");
}

int val_report_text(const struct val_report_in *in, const struct val_summary *s, FILE *out)
{
    preflight(in->pre, out);
    for (int i = 0; i < s->nrows; i++)
        row_block(&s->row[i], out);
    changes(s, out);
    held_out(s, out);
    fflush(out);
    return ferror(out) ? -1 : 0;
}
