/* sim/serve/serve_pages.c: the pages of rxsim serve (serve_pages.h).
 *
 *   /             the traces (with summaries) and the run/compare form
 *   /upload       the upload form
 *   /jobs         every job kept
 *   /jobs/ID      one job: state and progress (serve.js polls /jobs/ID/status
 *                 while it is queued or running) and a cancel button, then its
 *                 results: a run's report as tables, a compare's side-by-side
 *                 table and charts, the downloads; or, if it failed, the
 *                 step's stderr; if it was cancelled, when (nothing it
 *                 wrote is served)
 *   /traces.json  the list as JSON, /jobs/ID/status one job as JSON
 *
 * Reports are read from the job's files and rendered with json-c on each
 * request (a run report is ~20 KB; files are read up to REPORT_MAX).  The
 * element ids (traces, job-form, job-state, cancel-form, cancel, report,
 * compare, download-*) are a contract with the browser test and serve.js:
 * keep them. */
#include "sim/serve/serve_pages.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_form.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve_reply.h"
#include "sim/serve/serve_traces.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/compare/compare.h"
#include "sim/report/metric.h"
#include "sim/session/exit_codes.h"

#define REPORT_MAX (64u << 20)
#define SVG_MAX (4u << 20)
#define PROFILE_TOP 20

static void send_html(struct evhttp_request *req, struct evbuffer *b)
{
    serve_send(req, 200, "OK", "text/html; charset=utf-8", b);
}

static struct evbuffer *new_buf(struct evhttp_request *req)
{
    struct evbuffer *b = evbuffer_new();
    if (!b)
        evhttp_send_error(req, 500, "Internal Server Error");
    return b;
}

static const char *sum_state_name(enum serve_sum_state st)
{
    return st == SUM_READY ? "ready" : st == SUM_FAILED ? "failed" : "summarizing";
}

static void human_bytes(char *buf, size_t size, double v)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* --- traces -------------------------------------------------------------- */

static void trace_row(struct evbuffer *b, const struct serve_trace *t)
{
    char size[32];
    human_bytes(size, sizeof size, (double)t->size);
    evbuffer_add_printf(b, "<tr data-trace=\"");
    serve_html_escape(b, t->name);
    evbuffer_add_printf(b, "\" data-state=\"%s\"><td class=\"name\">", sum_state_name(t->sum_state));
    serve_html_escape(b, t->name);
    evbuffer_add_printf(b, "</td><td>");
    serve_html_escape(b, t->display);
    evbuffer_add_printf(b, "</td><td class=\"num\">%s</td>", size);
    if (t->sum_state == SUM_READY) {
        const struct serve_summary *m = &t->sum;
        char bytes[32];
        human_bytes(bytes, sizeof bytes, (double)m->bytes_delivered);
        evbuffer_add_printf(b, "<td>");
        serve_html_escape(b, m->format);
        evbuffer_add_printf(b, " ");
        serve_html_escape(b, m->link);
        evbuffer_add_printf(b, "%s</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                            "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%s</td>"
                            "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%.3f s</td>",
                            m->partial ? " (partial)" : "", (unsigned long long)m->records,
                            (unsigned long long)m->frames, (unsigned long long)m->tcp_segments,
                            (unsigned long long)m->connections, bytes, (unsigned long long)m->bad_csum,
                            (unsigned long long)m->drops, m->duration_s);
    } else if (t->sum_state == SUM_FAILED) {
        evbuffer_add_printf(b, "<td colspan=\"9\" class=\"error\">");
        serve_html_escape(b, t->sum_err);
        evbuffer_add_printf(b, "</td>");
    } else {
        evbuffer_add_printf(b, "<td colspan=\"9\" class=\"pending\">summarizing\xe2\x80\xa6</td>");
    }
    evbuffer_add_printf(b, "</tr>\n");
}

void serve_page_index(struct serve *s, struct evhttp_request *req)
{
    serve_traces_scan(s, false);
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    serve_page_begin(b, "traces");
    evbuffer_add_printf(b, "<p>Traces rxsim ships, those in <code>--traces</code> (");
    if (s->traces_dir[0])
        serve_html_escape(b, s->traces_dir);
    else
        evbuffer_add_printf(b, "not set");
    evbuffer_add_printf(b, "), and uploads (<a href=\"/upload\">upload a pcap/pcapng</a>). Summaries are "
                        "<code>rxsim inspect</code>'s.</p>\n");
    evbuffer_add_printf(b, "<table id=\"traces\"><thead><tr><th>name</th><th>file</th><th>size</th>"
                        "<th>format</th><th>records</th><th>frames</th><th>TCP segments</th><th>connections</th>"
                        "<th>bytes delivered</th><th>bad checksums</th><th>drops</th><th>span</th></tr></thead>"
                        "<tbody>\n");
    for (int i = 0; i < s->ntraces; i++)
        trace_row(b, s->traces[i]);
    evbuffer_add_printf(b, "</tbody></table>\n");
    if (!s->ntraces)
        evbuffer_add_printf(b, "<p id=\"no-traces\">No traces yet: upload one.</p>\n");
    evbuffer_add_printf(b, "<h2>Run or compare</h2>\n");
    serve_form_render(s, b);
    serve_page_end(b);
    send_html(req, b);
}

void serve_traces_json(struct serve *s, struct evhttp_request *req)
{
    serve_traces_scan(s, false);
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    evbuffer_add_printf(b, "{\"traces\": [");
    for (int i = 0; i < s->ntraces; i++) {
        const struct serve_trace *t = s->traces[i];
        const struct serve_summary *m = &t->sum;
        evbuffer_add_printf(b, "%s\n {\"name\": ", i ? "," : "");
        serve_json_escape(b, t->name);
        evbuffer_add_printf(b, ", \"origin\": \"%s\", \"file\": ", t->origin);
        serve_json_escape(b, t->display);
        evbuffer_add_printf(b, ", \"size\": %lld, \"state\": \"%s\"", (long long)t->size,
                            sum_state_name(t->sum_state));
        if (t->sum_state == SUM_FAILED) {
            evbuffer_add_printf(b, ", \"error\": ");
            serve_json_escape(b, t->sum_err);
        }
        if (t->sum_state == SUM_READY) {
            evbuffer_add_printf(b, ", \"summary\": {\"format\": ");
            serve_json_escape(b, m->format);
            evbuffer_add_printf(b, ", \"link_type\": ");
            serve_json_escape(b, m->link);
            evbuffer_add_printf(b, ", \"records\": %llu, \"captured_bytes\": %llu, \"frames\": %llu, "
                                "\"tcp_segments\": %llu, \"connections\": %llu, \"directions\": %llu, "
                                "\"bytes_delivered\": %llu, \"bad_checksum_segments\": %llu, \"drops\": %llu, "
                                "\"span_s\": %.6f, \"partial\": %s}",
                                (unsigned long long)m->records, (unsigned long long)m->captured_bytes,
                                (unsigned long long)m->frames, (unsigned long long)m->tcp_segments,
                                (unsigned long long)m->connections, (unsigned long long)m->directions,
                                (unsigned long long)m->bytes_delivered, (unsigned long long)m->bad_csum,
                                (unsigned long long)m->drops, m->duration_s, m->partial ? "true" : "false");
        }
        evbuffer_add_printf(b, "}");
    }
    evbuffer_add_printf(b, "\n]}\n");
    serve_send(req, 200, "OK", "application/json", b);
}

void serve_page_upload_form(struct serve *s, struct evhttp_request *req)
{
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    char lim[32];
    human_bytes(lim, sizeof lim, (double)s->max_upload);
    serve_page_begin(b, "upload a trace");
    evbuffer_add_printf(b, "<p>A pcap or pcapng capture, at most %s. It is stored in the server's work "
                        "directory under a generated name and appears in <a href=\"/\">the list</a>.</p>\n"
                        "<form id=\"upload-form\" method=\"post\" action=\"/upload\" "
                        "enctype=\"multipart/form-data\">\n<p><input type=\"file\" name=\"file\" id=\"file\" "
                        "accept=\".pcap,.pcapng,.cap\"></p>\n<p><button id=\"upload-submit\" type=\"submit\">"
                        "upload</button></p>\n</form>\n", lim);
    serve_page_end(b);
    send_html(req, b);
}

/* --- jobs ---------------------------------------------------------------- */

void serve_page_jobs(struct serve *s, struct evhttp_request *req)
{
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    serve_page_begin(b, "jobs");
    evbuffer_add_printf(b, "<p>%d running (at most %d), %d queued (at most %d); the last %d finished are kept.</p>\n",
                        s->running, s->max_jobs, serve_jobs_queued(s), s->max_queue, SERVE_KEEP_FINISHED);
    evbuffer_add_printf(b, "<table id=\"jobs\"><thead><tr><th>job</th><th>kind</th><th>trace</th><th>options</th>"
                        "<th>state</th><th>time</th></tr></thead><tbody>\n");
    for (int i = s->njobs - 1; i >= 0; i--) {
        const struct serve_job *j = s->jobs[i];
        evbuffer_add_printf(b, "<tr data-job=\"%s\"><td><a href=\"/jobs/%s\">%s</a></td><td>%s</td><td>", j->id,
                            j->id, j->id, j->kind == JOB_RUN ? "run" : "compare");
        serve_html_escape(b, j->trace);
        evbuffer_add_printf(b, "</td><td>");
        serve_html_escape(b, j->what);
        evbuffer_add_printf(b, "</td><td class=\"state-%s\">%s</td><td class=\"num\">%.1f s</td></tr>\n",
                            serve_job_state_name(j->state), serve_job_state_name(j->state), serve_jobs_elapsed(j));
    }
    evbuffer_add_printf(b, "</tbody></table>\n");
    if (!s->njobs)
        evbuffer_add_printf(b, "<p>No jobs yet: start one from <a href=\"/\">the traces page</a>.</p>\n");
    serve_page_end(b);
    send_html(req, b);
}

void serve_job_status_json(struct serve *s, struct evhttp_request *req, struct serve_job *j)
{
    (void)s;
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    char progress[512];
    serve_jobs_progress(j, progress, sizeof progress);
    evbuffer_add_printf(b, "{\"id\": \"%s\", \"kind\": \"%s\", \"state\": \"%s\", \"step\": %d, \"steps\": %d, "
                        "\"elapsed_s\": %.3f, \"progress\": ", j->id, j->kind == JOB_RUN ? "run" : "compare",
                        serve_job_state_name(j->state), j->state == JOB_DONE ? j->nsteps : j->step + (j->state == JOB_RUNNING),
                        j->nsteps, serve_jobs_elapsed(j));
    serve_json_escape(b, progress);
    if (j->state == JOB_FAILED)
        evbuffer_add_printf(b, ", \"exit\": %d", j->exit_status);
    evbuffer_add_printf(b, "}\n");
    serve_send(req, 200, "OK", "application/json", b);
}

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
    const struct report_metric *row[REPORT_MAX_METRICS];
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
    if (n == 1 ? !v : !jget(res, mt->group))    /* a single figure null (flagged) has no row */
        return;
    if (n == 1)
        evbuffer_add_printf(b, "<tr><th>%s</th><td class=\"num\" data-key=\"%s\">", mt->page_label, mt->key);
    else
        evbuffer_add_printf(b, "<tr><th>%s</th><td class=\"num\">", mt->page_label);
    if (report_metric_flagged(rep, mt))
        not_meaningful_cell(b, res);
    else
        for (size_t k = 0; k < n; k++)
            evbuffer_add_printf(b, "%s%.*f", k ? " / " : "", row[k]->decimals,
                                json_object_get_double(report_metric_json(rep, row[k], 0)) *
                                    (row[k]->flags & REPORT_PERCENT ? 100 : 1));
    evbuffer_add_printf(b, "</td></tr>\n");
}

static void run_report(struct evbuffer *b, json_object *rep)
{
    json_object *res = jget(rep, "result"), *cfg = jget(rep, "config");
    evbuffer_add_printf(b, "<h2>Headline</h2>\n<table id=\"report\"><tbody>\n");
    for (int r = 1; report_ranked(report_page_rank, r); r++)
        headline_row(b, rep, res, r);
    evbuffer_add_printf(b, "</tbody></table>\n");

    /* per CPU, by category */
    json_object *cpus = jget(rep, "cpus");
    size_t ncpu = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
    evbuffer_add_printf(b, "<h2>CPU utilisation by category</h2>\n<table id=\"cpus\"><thead><tr><th>CPU</th>"
                        "<th>busy</th>");
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        evbuffer_add_printf(b, "<th>%s</th>", sim_category_key(c));
    evbuffer_add_printf(b, "</tr></thead><tbody>\n");
    double cat_total[SIM_CAT__COUNT] = { 0 };
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

    /* per packet and per byte, by category */
    double frames = jnum(res, "frames_to_stack");
    const struct report_metric *cpb = report_metric_of_kind(REPORT_PER_CATEGORY);
    evbuffer_add_printf(b, "<h2>Cycles per packet and per byte by category</h2>\n<table id=\"per-packet\"><thead>"
                        "<tr><th>category</th><th>cycles/packet</th><th>cycles/byte</th></tr></thead><tbody>\n");
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        evbuffer_add_printf(b, "<tr><td>%s</td><td class=\"num\">%.1f</td><td class=\"num\">%.3f</td></tr>\n",
                            sim_category_key(c), frames > 0 ? cat_total[c] / frames : 0.0,
                            json_object_get_double(report_metric_json(rep, cpb, c)));
    evbuffer_add_printf(b, "</tbody></table>\n");

    /* profile: lines moved by function, then the top of the flat profile */
    json_object *prof = jget(rep, "profile");
    size_t np = json_object_is_type(prof, json_type_array) ? json_object_array_length(prof) : 0;
    double total_cycles = 0;
    for (size_t i = 0; i < np; i++)
        total_cycles += jnum(json_object_array_get_idx(prof, i), "cycles");
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

    json_object *drops = jget(res, "drops");
    evbuffer_add_printf(b, "<h2>Drops by reason</h2>\n<table id=\"drops\"><thead><tr><th>reason</th><th>frames</th>"
                        "</tr></thead><tbody>\n");
    shown = 0;
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

static void compare_report(struct evbuffer *b, json_object *doc, const struct serve_job *j)
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

static void downloads(struct evbuffer *b, const struct serve_job *j)
{
    evbuffer_add_printf(b, "<h2>Downloads</h2>\n<ul id=\"downloads\">"
                        "<li><a id=\"download-json\" href=\"/jobs/%s/report.json\" download>report.json</a></li>"
                        "<li><a id=\"download-csv\" href=\"/jobs/%s/report.csv\" download>report.csv</a></li>",
                        j->id, j->id);
    if (j->kind == JOB_RUN)
        evbuffer_add_printf(b, "<li><a id=\"download-timeline\" href=\"/jobs/%s/timeline.json\" download>"
                            "timeline.json</a>: what each CPU ran, as Chrome/Perfetto trace events. To see it, "
                            "open <a href=\"https://ui.perfetto.dev\" rel=\"noopener noreferrer\">ui.perfetto.dev</a>"
                            " and drop the file on it (or chrome://tracing); it is read in your browser, "
                            "not uploaded.</li>", j->id);
    evbuffer_add_printf(b, "</ul>\n");
}

void serve_page_job(struct serve *s, struct evhttp_request *req, struct serve_job *j)
{
    (void)s;
    struct evbuffer *b = new_buf(req);
    if (!b)
        return;
    char title[64], progress[512], step[48] = "";
    snprintf(title, sizeof title, "job %s", j->id);
    if (j->state == JOB_RUNNING && j->nsteps > 1)       /* as serve.js writes it from /status */
        snprintf(step, sizeof step, "(step %d of %d)", j->step + 1, j->nsteps);
    serve_jobs_progress(j, progress, sizeof progress);
    serve_page_begin(b, title);
    evbuffer_add_printf(b, "<table id=\"job\"><tbody><tr><th>kind</th><td>%s</td></tr><tr><th>trace</th><td>",
                        j->kind == JOB_RUN ? "run" : "compare");
    serve_html_escape(b, j->trace);
    evbuffer_add_printf(b, "</td></tr><tr><th>options</th><td>");
    serve_html_escape(b, j->what);
    evbuffer_add_printf(b, "</td></tr><tr><th>state</th><td><span id=\"job-state\" data-job=\"%s\">%s</span> "
                        "<span id=\"job-step\">%s</span></td></tr>"
                        "<tr><th>progress</th><td id=\"job-progress\">", j->id, serve_job_state_name(j->state),
                        step);
    serve_html_escape(b, progress);
    evbuffer_add_printf(b, "</td></tr><tr><th>time</th><td id=\"job-elapsed\">%.1f s%s</td></tr></tbody></table>\n",
                        serve_jobs_elapsed(j), j->state == JOB_QUEUED ? " waiting" : "");
    if (j->state == JOB_QUEUED || j->state == JOB_RUNNING) {
        evbuffer_add_printf(b, "<form id=\"cancel-form\" method=\"post\" action=\"/jobs/%s/cancel\">"
                            "<button id=\"cancel\">cancel</button> <small>%s</small></form>\n", j->id,
                            j->state == JOB_QUEUED ? "takes it off the queue"
                                                   : "stops it now; nothing it computed so far is kept");
        evbuffer_add_printf(b, "<p class=\"note\">This page updates itself; without JavaScript, "
                            "<a href=\"/jobs/%s\">reload</a> it.</p>\n", j->id);
    } else if (j->state == JOB_CANCELLED) {
        if (j->t_start.tv_sec)
            evbuffer_add_printf(b, "<p id=\"job-cancelled\">Cancelled during step %d of %d, after %.1f s; its "
                                "partial results were discarded.</p>\n", j->step + 1, j->nsteps,
                                serve_jobs_elapsed(j));
        else
            evbuffer_add_printf(b, "<p id=\"job-cancelled\">Cancelled while queued, after %.1f s waiting; it "
                                "never ran.</p>\n", serve_jobs_elapsed(j));
    } else if (j->state == JOB_FAILED) {
        char path[SERVE_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/step%d.err", j->dir, j->step);
        size_t len = 0;
        char *err = serve_read_file(path, 16384, &len);
        evbuffer_add_printf(b, "<h2>Failed</h2>\n<p id=\"job-exit\">step %d of %d exited with status %d%s</p>\n"
                            "<pre id=\"job-stderr\">", j->step + 1, j->nsteps, j->exit_status,
                            j->exit_status == RX_EXIT_USAGE ? " (rxsim refused the options)" :
                            j->exit_status == RX_EXIT_INPUT ? " (unusable input)" :
                            j->exit_status == -1 ? " (killed by a signal)" : "");
        if (err)
            serve_html_escape_n(b, err, len);
        evbuffer_add_printf(b, "</pre>\n");
        free(err);
    } else {
        char path[SERVE_PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/report.json", j->dir);
        char *text = serve_read_file(path, REPORT_MAX, NULL);
        json_object *doc = text ? json_tokener_parse(text) : NULL;
        free(text);
        if (j->exit_status == RX_EXIT_PARTIAL)
            evbuffer_add_printf(b, "<p class=\"warning\">The trace is truncated or corrupt part-way: the results "
                                "cover what was read.</p>\n");
        if (j->exit_status == RX_EXIT_UNANSWERED)
            evbuffer_add_printf(b, "<p class=\"warning\" id=\"unanswered\">Some results cannot be answered from "
                                "this trace: they are marked not meaningful (n/m) below, with the reason.</p>\n");
        downloads(b, j);
        if (!doc)
            evbuffer_add_printf(b, "<p class=\"error\">The report cannot be read as JSON.</p>\n");
        else if (j->kind == JOB_RUN)
            run_report(b, doc);
        else
            compare_report(b, doc, j);
        json_object_put(doc);
    }
    serve_page_end(b);
    send_html(req, b);
}
