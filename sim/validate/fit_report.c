/* sim/validate/fit_report.c: what `rxsim fit` prints about a fit (fit.h):
 * the table a person reads and the same as JSON.  An entry that is not
 * fitted shows no number, only why: a figure this machine cannot measure
 * is never shown as if it were one. */
#include <json-c/json.h>
#include <math.h>

#include "sim/validate/fit.h"

void fit_write_by_config(const struct fit_result *r, FILE *out)
{
    fprintf(out, "\nmedian per configuration (cycles per event; - took no part or no count):\n");
    for (int i = 0; i < r->nconfigs; i++)
        fprintf(out, "  %c%d %s\n", 'c', i, r->config_name[i]);
    fprintf(out, "%-14s", "cost");
    for (int i = 0; i < r->nconfigs; i++)
        fprintf(out, " %8s%d", "c", i);
    fputc('\n', out);
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        if (!fit_denominator((enum sim_cost)e))
            continue;
        fprintf(out, "%-14s", sim_cost_key((enum sim_cost)e));
        for (int i = 0; i < r->nconfigs; i++) {
            double m = r->e[e].config_median[i];
            if (isnan(m))
                fprintf(out, " %9s", "-");
            else
                fprintf(out, " %9.0f", m);
        }
        fputc('\n', out);
    }
}

/* The fitted entries whose configurations disagree, with the extremes. */
static void print_disagreements(const struct fit_result *r, FILE *out)
{
    bool any = false;
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        int lo, hi;
        if (!fit_configs_disagree(&r->e[e], r->nconfigs, &lo, &hi))
            continue;
        if (!any)
            fprintf(out, "\nconfigurations disagree by more than %gx (one median hides a difference; --by-config):\n",
                    FIT_DISAGREE);
        any = true;
        fprintf(out, "  %-14s %.0f (%s) .. %.0f (%s)\n", sim_cost_key((enum sim_cost)e), r->e[e].config_median[lo],
                r->config_name[lo], r->e[e].config_median[hi], r->config_name[hi]);
    }
}

int fit_write_table(const struct fit_result *r, FILE *out)
{
    fprintf(out, "costs fitted from kernel %s, CPU %s, %s\n", r->kernel[0] ? r->kernel : "unknown",
            r->cpu[0] ? r->cpu : "unknown", r->date[0] ? r->date : "undated");
    fprintf(out, "fitted on %d configuration%s (%d repetitions); %d held out, not used\n", r->fit_configs,
            r->fit_configs == 1 ? "" : "s", r->fit_reps, r->held_out_configs);
    fprintf(out, "rule: every repetition has samples and a count, median >= %d samples a repetition, "
            ">= %d repetitions\n\n", FIT_MIN_SAMPLES, FIT_MIN_RUNS);
    fprintf(out, "%-14s %8s  %-24s %5s %8s  %s\n", "cost", "default", "fitted median [q1-q3]", "runs",
            "samples", "fitted?");
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        const struct fit_entry *f = &r->e[e];
        char fit[64] = "-", samples[24] = "-";
        if (f->fitted)
            snprintf(fit, sizeof fit, "%.0f [%.0f-%.0f]", f->median, f->q1, f->q3);
        if (f->runs)
            snprintf(samples, sizeof samples, "%.0f", f->samples_median);
        fprintf(out, "%-14s %8llu  %-24s %5d %8s  %s: %s\n", sim_cost_key((enum sim_cost)e),
                (unsigned long long)sim_cost_default((enum sim_cost)e), fit, f->runs, samples,
                f->fitted ? "yes" : "no", f->why);
    }
    print_disagreements(r, out);
    fprintf(out, "\nper byte read (the calibration profile's costs, not cost-table entries):\n");
    const struct { const char *name; const struct val_spread *s; int runs; const char *why; } pb[] = {
        { "copy", &r->copy_cpb, r->copy_runs, r->copy_why }, { "csum", &r->csum_cpb, r->csum_runs, r->csum_why },
    };
    for (int i = 0; i < 2; i++) {
        if (pb[i].runs && pb[i].why[0])
            fprintf(out, "  %s  not measured: %s\n", pb[i].name, pb[i].why);
        else if (pb[i].runs)
            fprintf(out, "  %s  %.3f [%.3f-%.3f] cycles/byte over %d repetitions\n", pb[i].name,
                    pb[i].s->median, pb[i].s->q1, pb[i].s->q3, pb[i].runs);
        else
            fprintf(out, "  %s  not measured: no fitting repetition%s\n", pb[i].name,
                    i ? " verifies checksums" : " read bytes");
    }
    return ferror(out) ? -1 : 0;
}

static json_object *num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *spread_json(const struct val_spread *s, int runs, const char *why)
{
    bool shown = runs && !why[0];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "median", shown ? num(s->median) : NULL);
    json_object_object_add(o, "q1", shown ? num(s->q1) : NULL);
    json_object_object_add(o, "q3", shown ? num(s->q3) : NULL);
    json_object_object_add(o, "runs", json_object_new_int(runs));
    json_object_object_add(o, "why_not", why[0] ? json_object_new_string(why) : NULL);
    return o;
}

json_object *fit_json(const struct fit_result *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "kernel", json_object_new_string(r->kernel));
    json_object_object_add(o, "cpu", json_object_new_string(r->cpu));
    json_object_object_add(o, "date", json_object_new_string(r->date));
    json_object_object_add(o, "fit_configs", json_object_new_int(r->fit_configs));
    json_object_object_add(o, "fit_reps", json_object_new_int(r->fit_reps));
    json_object_object_add(o, "held_out_configs", json_object_new_int(r->held_out_configs));
    json_object *rule = json_object_new_object();
    json_object_object_add(rule, "min_samples_median", json_object_new_int(FIT_MIN_SAMPLES));
    json_object_object_add(rule, "min_runs", json_object_new_int(FIT_MIN_RUNS));
    json_object_object_add(o, "rule", rule);
    json_object *costs = json_object_new_object();
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        const struct fit_entry *f = &r->e[e];
        const char *per = fit_denominator((enum sim_cost)e);
        json_object *c = json_object_new_object();
        json_object_object_add(c, "default", json_object_new_uint64(sim_cost_default((enum sim_cost)e)));
        json_object_object_add(c, "fitted", json_object_new_boolean(f->fitted));
        json_object_object_add(c, "median", f->fitted ? num(f->median) : NULL);
        json_object_object_add(c, "q1", f->fitted ? num(f->q1) : NULL);
        json_object_object_add(c, "q3", f->fitted ? num(f->q3) : NULL);
        json_object_object_add(c, "runs", json_object_new_int(f->runs));
        json_object_object_add(c, "samples_median", f->runs ? num(f->samples_median) : NULL);
        json_object_object_add(c, "per", per ? json_object_new_string(per) : NULL);
        json_object_object_add(c, "why_not", f->fitted ? NULL : json_object_new_string(f->why));
        json_object *bc = json_object_new_object();
        for (int i = 0; i < r->nconfigs; i++)
            json_object_object_add(bc, r->config_name[i], num(f->config_median[i]));
        json_object_object_add(c, "by_config", bc);
        int lo, hi;
        json_object_object_add(c, "configs_disagree", json_object_new_boolean(fit_configs_disagree(f, r->nconfigs, &lo, &hi)));
        json_object_object_add(costs, sim_cost_key((enum sim_cost)e), c);
    }
    json_object_object_add(o, "costs", costs);
    json_object *pb = json_object_new_object();
    json_object_object_add(pb, "copy_cycles_per_byte", spread_json(&r->copy_cpb, r->copy_runs, r->copy_why));
    json_object_object_add(pb, "csum_cycles_per_byte", spread_json(&r->csum_cpb, r->csum_runs, r->csum_why));
    json_object_object_add(o, "per_byte", pb);
    return o;
}

void fit_print_table(const struct fit_result *r, const char *name, FILE *out)
{
    fprintf(out, "fit of %s\n", name);
    fit_write_table(r, out);
}

int fit_write_result_json(const struct fit_result *r, const char *name, FILE *out)
{
    json_object *o = fit_json(r);
    json_object_object_add(o, "dataset", json_object_new_string(name));
    int rc = fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return rc < 0 || ferror(out) ? -1 : 0;
}
