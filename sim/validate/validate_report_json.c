/* sim/validate/validate_report_json.c: val_report_json(), validate's table
 * for scripts (`rxsim validate --json`), from the summary: the same
 * figures as the text, keyed by VAL_FIGURES' keys.  A figure that cannot
 * be measured is {"nm": "why"}, never a number. */
#include "sim/validate/validate_report.h"

static json_object *dbl(double v) { return json_object_new_double(v); }
static json_object *str(const char *s) { return json_object_new_string(s); }

static json_object *nm(const char *why)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "nm", str(why ? why : "not measurable"));
    return o;
}

static json_object *spread(struct val_spread s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "median", dbl(s.median));
    json_object_object_add(o, "q1", dbl(s.q1));
    json_object_object_add(o, "q3", dbl(s.q3));
    return o;
}

static json_object *preflight(const struct val_preflight *p)
{
    if (!p)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "pmu", json_object_new_boolean(p->pmu));
    json_object_object_add(o, "hypervisor", json_object_new_boolean(p->hypervisor));
    json_object_object_add(o, "nested", json_object_new_boolean(p->nested));
    json_object_object_add(o, "wakeup_us_median", dbl(p->wakeup_us_median));
    json_object_object_add(o, "wakeup_us_p90", dbl(p->wakeup_us_p90));
    json_object_object_add(o, "speed_cv", dbl(p->speed_cv));
    json_object_object_add(o, "other_share", dbl(p->other_share));
    json_object_object_add(o, "steal_share", dbl(p->steal_share));
    json_object_object_add(o, "quiet", json_object_new_boolean(p->quiet));
    json_object_object_add(o, "verdict", str(p->verdict));
    return o;
}

static json_object *row_json(const struct val_row *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "config", str(r->cfg.name));
    json_object_object_add(o, "held_out", json_object_new_boolean(r->cfg.held_out));
    json_object_object_add(o, "reps", json_object_new_int(r->nreps));
    json_object_object_add(o, "model_exit_status", r->model_exit_status < 0 ? NULL
                                                   : json_object_new_int(r->model_exit_status));
    json_object *figs = json_object_new_object();
    for (int f = 0; f < VAL_FIG__COUNT; f++) {
        const struct val_figure *g = &r->fig[f];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "real", g->real_ok ? spread(g->real) : nm(g->real_why));
        json_object_object_add(x, "model", g->model_ok ? dbl(g->model) : nm(g->model_why));
        json_object_object_add(figs, val_figure_key(f), x);
    }
    json_object_object_add(o, "figures", figs);
    json_object_object_add(o, "model_error_pct", r->error_ok ? dbl(r->error_pct) : nm("core figure n/m"));
    json_object *p = json_object_new_object();
    json_object_object_add(p, "real_reader_cpu_share", r->protocol_ok ? dbl(r->protocol_reader_share)
                                                                      : nm("no RX protocol samples"));
    json_object_object_add(p, "model_cpu", json_object_new_int(r->model_protocol_cpu));
    json_object_object_add(o, "protocol_work", p);
    return o;
}

static json_object *change_json(const struct val_summary *s, const struct val_change *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "factor", str(c->factor));
    json_object_object_add(o, "from", str(s->row[c->from].cfg.name));
    json_object_object_add(o, "to", str(s->row[c->to].cfg.name));
    json_object_object_add(o, "pairs", json_object_new_int(c->npairs));
    json_object_object_add(o, "real_ratio", c->real_ok ? spread(c->real) : nm(c->why));
    json_object_object_add(o, "model_ratio", c->model_ok ? dbl(c->model) : nm(c->why));
    json_object_object_add(o, "direction", str(val_match_name(c->match)));
    return o;
}

static json_object *held_json(const struct val_summary *s)
{
    json_object *o = json_object_new_object(), *rows = json_object_new_array();
    for (int i = 0; i < s->nheld; i++) {
        json_object *x = json_object_new_object();
        json_object_object_add(x, "config", str(s->row[s->held_row[i]].cfg.name));
        json_object_object_add(x, "error", dbl(s->held_err[i]));
        json_object_array_add(rows, x);
    }
    for (int i = 0; i < s->nrows; i++)
        if (s->row[i].cfg.held_out && !s->row[i].error_ok) {
            json_object *x = json_object_new_object();
            json_object_object_add(x, "config", str(s->row[i].cfg.name));
            json_object_object_add(x, "error", nm("core figure n/m"));
            json_object_array_add(rows, x);
        }
    json_object_object_add(o, "configs", rows);
    json_object_object_add(o, "max_error", s->nheld ? dbl(s->held_max) : NULL);
    return o;
}

json_object *val_report_json(const struct val_report_in *in, const struct val_summary *s)
{
    json_object *root = json_object_new_object(), *rows = json_object_new_array(),
                *chs = json_object_new_array();
    json_object_object_add(root, "preflight", preflight(in->pre));
    for (int i = 0; i < s->nrows; i++)
        json_object_array_add(rows, row_json(&s->row[i]));
    json_object_object_add(root, "configs", rows);
    for (int i = 0; i < s->nchanges; i++)
        json_object_array_add(chs, change_json(s, &s->change[i]));
    json_object_object_add(root, "changes", chs);
    json_object_object_add(root, "held_out", held_json(s));
    return root;
}
