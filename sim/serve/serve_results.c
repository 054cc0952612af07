/* sim/serve/serve_results.c: a finished job's results on its page
 * (serve_results.h), rendered from the report.json its first step wrote:
 * a run's tables (the headline rows from the metric table of
 * sim/report/metric.h, CPUs by category, per packet and byte, lines moved,
 * drops, connections, the flat profile, the configuration), a compare's
 * side-by-side table (its columns from the same table) and its charts.
 * Everything taken from the report is escaped; the table ids are a contract
 * with the browser test and serve.js (serve_pages.c says which). */
#include "sim/serve/serve_results.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/profile.h"
#include "sim/report/metric.h"

#define SVG_MAX (4u << 20)
#define PROFILE_TOP 20

/* json-c helpers: NULL / 0 when absent */
static json_object *jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static double jnum(json_object *o, const char *k)
{
    return json_object_get_double(jget(o, k));
}

static void cell_str(struct evbuffer *b, const char *tag, const char *s)
{
    evbuffer_add_printf(b, "<%s>", tag);
    serve_html_escape(b, s);
    evbuffer_add_printf(b, "</%s>", tag);
}

/* A JSON scalar as table text (escaped). */
static void cell_json(struct evbuffer *b, json_object *v)
{
    if (json_object_is_type(v, json_type_double)) {
        evbuffer_add_printf(b, "<td class=\"num\">%.6g</td>", json_object_get_double(v));
    } else if (json_object_is_type(v, json_type_int)) {
        evbuffer_add_printf(b, "<td class=\"num\">%lld</td>", (long long)json_object_get_int64(v));
    } else {
        evbuffer_add_printf(b, "<td>");
        serve_html_escape(b, v ? json_object_get_string(v) : "");
        evbuffer_add_printf(b, "</td>");
    }
}

/* "not meaningful (stranded behind holes: 1.2 MB in 3 directions)" in place
 * of a number, as the text report prints it. */
static void not_meaningful_cell(struct evbuffer *b, json_object *res)
{
    json_object *un = jget(res, "unanswered");
    evbuffer_add_printf(b, "<span class=\"not-meaningful\">not meaningful (");
    for (size_t i = 0; json_object_is_type(un, json_type_array) && i < json_object_array_length(un); i++) {
        if (i)
            evbuffer_add_printf(b, "; ");
        serve_html_escape(b, json_object_get_string(jget(json_object_array_get_idx(un, i), "text")));
    }
    evbuffer_add_printf(b, ")</span>");
}

/* One headline row: a figure, or the figures of a group that share a page
 * rank ("p50 / p99 / max"), or a yes/no said only when yes. */
static void headline_row(struct evbuffer *b, json_object *rep, json_object *res, int rank)
{
    const struct report_metric *row[REPORT_MAX_METRICS] = { 0 };  /* a rank always has a row */
    size_t n = 0;
    for (size_t i = 0; i < report_nmetrics; i++)
        if (report_metrics[i].page_rank == rank)
            row[n++] = &report_metrics[i];
    const struct report_metric *mt = row[0];
    json_object *v = report_metric_json(rep, mt, 0);
    if (mt->kind == REPORT_BOOL) {
        if (v && json_object_get_boolean(v))
            evbuffer_add_printf(b, "<tr><th>%s</th><td>%s</td></tr>\n", mt->page_label, mt->note);
        return;
    }
    bool flagged = report_metric_flagged(rep, mt);
    if (n == 1 ? !v && !flagged : !jget(res, mt->group))    /* absent, not flagged: no row */
        return;
    if (n == 1)
        evbuffer_add_printf(b, "<tr><th>%s</th><td class=\"num\" data-key=\"%s\">", mt->page_label, mt->key);
    else
        evbuffer_add_printf(b, "<tr><th>%s</th><td class=\"num\">", mt->page_label);
    if (flagged)
        not_meaningful_cell(b, res);
    else
        for (size_t k = 0; k < n; k++)
            evbuffer_add_printf(b, "%s%.*f", k ? " / " : "", row[k]->decimals,
                                json_object_get_double(report_metric_json(rep, row[k], 0)) *
                                    (row[k]->flags & REPORT_PERCENT ? 100 : 1));
    evbuffer_add_printf(b, "</td></tr>\n");
}

/* The headline: the metric table's page rows, in page-rank order. */
static void headline_table(struct evbuffer *b, json_object *rep, json_object *res)
{
    evbuffer_add_printf(b, "<h2>Headline</h2>\n<table id=\"report\"><tbody>\n");
    for (int r = 1; report_ranked(report_page_rank, r); r++)
        headline_row(b, rep, res, r);
    evbuffer_add_printf(b, "</tbody></table>\n");
}

/* Each CPU's busy share and categories; cat_total gets each category's
 * cycles summed over the CPUs. */
static void cpu_table(struct evbuffer *b, json_object *rep, double cat_total[SIM_CAT__COUNT])
{
    json_object *cpus = jget(rep, "cpus");
    size_t ncpu = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
    evbuffer_add_printf(b, "<h2>CPU utilisation by category</h2>\n<table id=\"cpus\"><thead><tr><th>CPU</th>"
                        "<th>busy</th>");
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        evbuffer_add_printf(b, "<th>%s</th>", sim_category_key(c));
    evbuffer_add_printf(b, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < ncpu; i++) {
        json_object *cpu = json_object_array_get_idx(cpus, i), *bc = jget(cpu, "cycles_by_category");
        double busy = jnum(cpu, "busy_cycles"), total = busy + jnum(cpu, "idle_cycles");
        evbuffer_add_printf(b, "<tr><td>%d</td><td class=\"num\">%.2f%%</td>", (int)jnum(cpu, "cpu"),
                            100 * jnum(cpu, "utilisation"));
        for (int c = 0; c < SIM_CAT__COUNT; c++) {
            double cyc = jnum(bc, sim_category_key(c));
            cat_total[c] += cyc;
            evbuffer_add_printf(b, "<td class=\"num\">%.2f%%</td>", total > 0 ? 100 * cyc / total : 0.0);
        }
        evbuffer_add_printf(b, "</tr>\n");
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
}

static void per_packet_table(struct evbuffer *b, json_object *rep, json_object *res,
                             const double cat_total[SIM_CAT__COUNT])
{
    double frames = jnum(res, "frames_to_stack");
    const struct report_metric *cpb = report_metric_of_kind(REPORT_PER_CATEGORY);
    evbuffer_add_printf(b, "<h2>Cycles per packet and per byte by category</h2>\n<table id=\"per-packet\"><thead>"
                        "<tr><th>category</th><th>cycles/packet</th><th>cycles/byte</th></tr></thead><tbody>\n");
    bool flagged = report_metric_flagged(rep, cpb);     /* n/m, never a plausible 0.000 */
    for (int c = 0; c < SIM_CAT__COUNT; c++) {
        evbuffer_add_printf(b, "<tr><td>%s</td><td class=\"num\">%.1f</td><td class=\"num\">", sim_category_key(c),
                            frames > 0 ? cat_total[c] / frames : 0.0);
        double v;
        if (!flagged && report_metric_number(rep, cpb, c, &v))
            evbuffer_add_printf(b, "%.3f", v);
        else
            evbuffer_add_printf(b, "<span class=\"not-meaningful\">n/m</span>");
        evbuffer_add_printf(b, "</td></tr>\n");
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
}

/* The profile's functions that moved cache lines between CPUs. */
static void lines_table(struct evbuffer *b, json_object *prof, size_t np)
{
    evbuffer_add_printf(b, "<h2>Cache lines moved between CPUs, by function</h2>\n<table id=\"lines\"><thead>"
                        "<tr><th>function</th><th>category</th><th>lines</th></tr></thead><tbody>\n");
    int shown = 0;
    for (size_t i = 0; i < np; i++) {
        json_object *e = json_object_array_get_idx(prof, i);
        if (jnum(e, "lines_out") <= 0)
            continue;
        evbuffer_add_printf(b, "<tr>");
        cell_str(b, "td", json_object_get_string(jget(e, "function")));
        cell_str(b, "td", json_object_get_string(jget(e, "category")));
        evbuffer_add_printf(b, "<td class=\"num\">%.0f</td></tr>\n", jnum(e, "lines_out"));
        shown++;
    }
    if (!shown)
        evbuffer_add_printf(b, "<tr><td colspan=\"3\">none</td></tr>\n");
    evbuffer_add_printf(b, "</tbody></table>\n");
}

static void drops_table(struct evbuffer *b, json_object *res)
{
    json_object *drops = jget(res, "drops");
    evbuffer_add_printf(b, "<h2>Drops by reason</h2>\n<table id=\"drops\"><thead><tr><th>reason</th><th>frames</th>"
                        "</tr></thead><tbody>\n");
    int shown = 0;
    if (json_object_is_type(drops, json_type_object)) {
        json_object_object_foreach(drops, reason, count) {
            if (json_object_get_int64(count) == 0)
                continue;
            evbuffer_add_printf(b, "<tr>");
            cell_str(b, "td", reason);
            evbuffer_add_printf(b, "<td class=\"num\">%lld</td></tr>\n", (long long)json_object_get_int64(count));
            shown++;
        }
    }
    if (!shown)
        evbuffer_add_printf(b, "<tr><td colspan=\"2\">none</td></tr>\n");
    evbuffer_add_printf(b, "</tbody></table>\n");
}

static void connections_table(struct evbuffer *b, json_object *rep)
{
    json_object *conns = jget(rep, "connections");
    size_t nc = json_object_is_type(conns, json_type_array) ? json_object_array_length(conns) : 0;
    evbuffer_add_printf(b, "<h2>Connections</h2>\n<table id=\"connections\"><thead><tr><th>from</th><th>to</th>"
                        "<th>bytes read</th><th>SHA-256</th><th>reads</th><th>wakeups</th><th>migrations</th></tr>"
                        "</thead><tbody>\n");
    for (size_t i = 0; i < nc && i < 10000; i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        evbuffer_add_printf(b, "<tr>");
        cell_str(b, "td", json_object_get_string(jget(c, "from")));
        cell_str(b, "td", json_object_get_string(jget(c, "to")));
        evbuffer_add_printf(b, "<td class=\"num\">%.0f</td><td class=\"sha\">", jnum(c, "bytes"));
        serve_html_escape(b, json_object_get_string(jget(c, "sha256")));
        evbuffer_add_printf(b, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
                            "</tr>\n", jnum(c, "reads"), jnum(c, "wakeups"), jnum(c, "migrations"));
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
}

/* The top PROFILE_TOP rows of the flat profile. */
static void profile_table(struct evbuffer *b, json_object *prof, size_t np)
{
    double total_cycles = 0;
    for (size_t i = 0; i < np; i++)
        total_cycles += jnum(json_object_array_get_idx(prof, i), "cycles");
    evbuffer_add_printf(b, "<h2>Flat profile (top %d)</h2>\n<table id=\"profile\"><thead><tr><th>function</th>"
                        "<th>category</th><th>cycles</th><th>%%</th><th>calls</th><th>lines moved</th></tr></thead>"
                        "<tbody>\n", PROFILE_TOP);
    for (size_t i = 0; i < np && i < PROFILE_TOP; i++) {
        json_object *e = json_object_array_get_idx(prof, i);
        evbuffer_add_printf(b, "<tr>");
        cell_str(b, "td", json_object_get_string(jget(e, "function")));
        cell_str(b, "td", json_object_get_string(jget(e, "category")));
        evbuffer_add_printf(b, "<td class=\"num\">%.0f</td><td class=\"num\">%.1f</td><td class=\"num\">%.0f</td>"
                            "<td class=\"num\">%.0f</td></tr>\n", jnum(e, "cycles"),
                            total_cycles > 0 ? 100 * jnum(e, "cycles") / total_cycles : 0.0, jnum(e, "calls"),
                            jnum(e, "lines_out"));
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
}

static void config_table(struct evbuffer *b, json_object *cfg)
{
    evbuffer_add_printf(b, "<h2>Configuration</h2>\n<table id=\"config\"><tbody>\n");
    if (json_object_is_type(cfg, json_type_object)) {
        json_object_object_foreach(cfg, key, val) {
            evbuffer_add_printf(b, "<tr>");
            cell_str(b, "th", key);
            if (json_object_is_type(val, json_type_array)) {
                evbuffer_add_printf(b, "<td>");
                for (size_t i = 0; i < json_object_array_length(val); i++) {
                    if (i)
                        evbuffer_add_printf(b, ", ");
                    serve_html_escape(b, json_object_get_string(json_object_array_get_idx(val, i)));
                }
                evbuffer_add_printf(b, "</td>");
            } else {
                cell_json(b, val);
            }
            evbuffer_add_printf(b, "</tr>\n");
        }
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
}

void serve_results_run(struct evbuffer *b, json_object *rep)
{
    json_object *res = jget(rep, "result");
    headline_table(b, rep, res);
    double cat_total[SIM_CAT__COUNT] = { 0 };
    cpu_table(b, rep, cat_total);
    per_packet_table(b, rep, res, cat_total);
    json_object *prof = jget(rep, "profile");
    size_t np = json_object_is_type(prof, json_type_array) ? json_object_array_length(prof) : 0;
    lines_table(b, prof, np);
    drops_table(b, res);
    connections_table(b, rep);
    profile_table(b, prof, np);
    config_table(b, jget(rep, "config"));
}

void serve_results_compare(struct evbuffer *b, json_object *doc, const struct serve_job *j)
{
    json_object *matrix = jget(doc, "matrix"), *axes = jget(matrix, "axes"), *rows = jget(doc, "rows");
    size_t na = json_object_is_type(axes, json_type_array) ? json_object_array_length(axes) : 0;
    size_t nr = json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
    evbuffer_add_printf(b, "<h2>Side by side</h2>\n<p>");
    serve_html_escape(b, json_object_get_string(jget(matrix, "baseline_rule")));
    evbuffer_add_printf(b, "; each cell is the value and its %% change against the row's baseline.</p>\n"
                        "<table id=\"compare\"><thead><tr><th>#</th>");
    for (size_t a = 0; a < na; a++)
        cell_str(b, "th", json_object_get_string(jget(json_object_array_get_idx(axes, a), "name")));
    for (size_t m = 0; m < report_ncompare(); m++) {
        char head[256];
        report_label_unit(report_compare_metric(m), head, sizeof head);
        cell_str(b, "th", head);
    }
    evbuffer_add_printf(b, "</tr></thead><tbody>\n");
    for (size_t r = 0; r < nr; r++) {
        json_object *row = json_object_array_get_idx(rows, r), *vals = jget(row, "values");
        json_object *rep = jget(row, "report"), *chg = jget(row, "change_pct");
        bool base = (int)jnum(row, "baseline_index") == (int)jnum(row, "index");
        evbuffer_add_printf(b, "<tr><td>%d</td>", (int)jnum(row, "index"));
        for (size_t a = 0; a < na; a++)
            cell_str(b, "td",
                     json_object_get_string(jget(vals, json_object_get_string(jget(json_object_array_get_idx(axes, a),
                                                                                    "name")))));
        for (size_t m = 0; m < report_ncompare(); m++) {
            const struct report_metric *mt = report_compare_metric(m);
            double v;
            evbuffer_add_printf(b, "<td class=\"num\">");
            bool nm = report_metric_flagged(rep, mt);
            if (nm)
                evbuffer_add_printf(b, "<span class=\"not-meaningful\">n/m</span>");
            else if (report_metric_number(rep, mt, 0, &v))
                evbuffer_add_printf(b, "%.*f", mt->decimals, v);
            else
                evbuffer_add_printf(b, "n/a");
            json_object *c = jget(chg, mt->compare_key);
            if (nm)
                evbuffer_add_printf(b, " <small>n/m</small>");
            else if (base)
                evbuffer_add_printf(b, " <small>base</small>");
            else if (c && !json_object_is_type(c, json_type_null))
                evbuffer_add_printf(b, " <small>%+.1f%%</small>", json_object_get_double(c));
            else
                evbuffer_add_printf(b, " <small>n/a</small>");
            evbuffer_add_printf(b, "</td>");
        }
        evbuffer_add_printf(b, "</tr>\n");
    }
    evbuffer_add_printf(b, "</tbody></table>\n<h2>Charts</h2>\n<div class=\"charts\">\n");
    for (int c = 0; c < j->ncharts; c++) {
        char path[SERVE_PATH_MAX + 200];
        snprintf(path, sizeof path, "%s/charts/%s.svg", j->dir, j->charts[c]);
        size_t len;
        char *svg = serve_read_file(path, SVG_MAX, &len);
        char *root = svg ? strstr(svg, "<svg") : NULL;
        evbuffer_add_printf(b, "<figure id=\"chart-%s\">", j->charts[c]);
        if (root && (root[4] == ' ' || root[4] == '>')) {
            /* our own compare wrote it (svg.c escapes its text); only the root tag gets the class */
            evbuffer_add_printf(b, "<svg class=\"chart\"");
            evbuffer_add(b, root + 4, len - (size_t)(root + 4 - svg));
        }
        evbuffer_add_printf(b, "<figcaption><a href=\"/jobs/%s/chart/%s.svg\">%s.svg</a></figcaption></figure>\n",
                            j->id, j->charts[c], j->charts[c]);
        free(svg);
    }
    evbuffer_add_printf(b, "</div>\n");
}
