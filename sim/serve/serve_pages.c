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
#include "sim/serve/serve_results.h"
#include "sim/serve/serve_traces.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"

#define REPORT_MAX (64u << 20)

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
    snprintf(buf, size, u ? "%.1f\xc2\xa0%s" : "%.0f\xc2\xa0%s", v, unit[u]);     /* no-break space: never wraps */
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
                            "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%.3f\xc2\xa0s</td>",
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
    evbuffer_add_printf(b, "</td></tr><tr><th>command</th><td><code id=\"job-command\">");
    serve_html_escape(b, j->command);
    evbuffer_add_printf(b, "</code><br><small>the same results from a shell, in the directory holding the "
                        "trace (add --json or --csv for the files below)</small>");
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
            serve_html_escape_n(b, err, serve_scrub_paths(err, len));
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
            serve_results_run(b, doc);
        else
            serve_results_compare(b, doc, j);
        json_object_put(doc);
    }
    serve_page_end(b);
    send_html(req, b);
}
