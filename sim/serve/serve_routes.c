/* sim/serve/serve_routes.c: rxsim serve's routing (serve_routes.h).
 *
 * One generic callback routes every request, so that 404 (unknown path) and
 * 405 (known path, wrong method, with Allow) are ours.  Paths are matched on
 * the raw, still percent-encoded path: every valid path is plain ASCII
 * ([a-z0-9./-]), so an encoded dot or slash simply matches nothing.  Job ids
 * must be exactly SERVE_JOB_ID_LEN lowercase hex digits, chart names one the
 * job's compare wrote, static names one of the embedded assets.  The Host
 * check comes first for every request, the same-origin check before every
 * POST (serve_origin.c); the pages, the form, uploads and jobs answer through
 * serve_reply.c and never call back into this file. */
#include "sim/serve/serve_routes.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_assets.h"
#include "sim/serve/serve_form.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_origin.h"
#include "sim/serve/serve_pages.h"
#include "sim/serve/serve_reply.h"
#include "sim/serve/serve_upload.h"

#include <stdio.h>
#include <string.h>

/* --- routing ------------------------------------------------------------ */

static bool is_job_id(const char *s, size_t n)
{
    if (n != SERVE_JOB_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

enum allow { A_GET = 1, A_POST = 2 };

/* true when the method fits; else a 405 was sent. */
static bool method_ok(struct evhttp_request *req, int allow)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    if (((m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD) && (allow & A_GET)) ||
        (m == EVHTTP_REQ_POST && (allow & A_POST)))
        return true;
    const char *allowed = allow == (A_GET | A_POST) ? "GET, HEAD, POST" : allow == A_POST ? "POST" : "GET, HEAD";
    evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allowed);
    serve_error(req, 405, "Method Not Allowed", "this path takes %s only", allowed);
    return false;
}

static void static_asset(struct evhttp_request *req, const char *name)
{
    for (size_t i = 0; i < serve_nassets; i++)
        if (!strcmp(serve_assets[i].name, name)) {
            struct evbuffer *b = evbuffer_new();
            if (!b) {
                evhttp_send_error(req, 500, "Internal Server Error");
                return;
            }
            evbuffer_add_reference(b, serve_assets[i].data, serve_assets[i].len, NULL, NULL);
            evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "max-age=60");
            serve_send(req, 200, "OK", serve_assets[i].ctype, b);
            return;
        }
    serve_error(req, 404, "Not Found", "no such static file");
}

static bool wants_json(struct evhttp_request *req)
{
    const char *accept = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
    return accept && strstr(accept, "application/json");
}

/* POST /jobs/ID/cancel: 303 to the job's page (or {"id", "state"} to a
 * client that accepts JSON); 409 when the job has already finished. */
static void job_cancel(struct serve *s, struct evhttp_request *req, struct serve_job *j, bool json)
{
    if (serve_jobs_cancel(s, j) < 0) {
        serve_error_as(req, json, 409, "Conflict", "job %s is %s: only a queued or running job can be cancelled",
                       j->id, serve_job_state_name(j->state));
        return;
    }
    if (!json) {
        char loc[64];
        snprintf(loc, sizeof loc, "/jobs/%s", j->id);
        serve_redirect(req, loc);
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    evbuffer_add_printf(b, "{\"id\": \"%s\", \"state\": \"%s\"}\n", j->id, serve_job_state_name(j->state));
    serve_send(req, 200, "OK", "application/json", b);
}

static void job_route(struct serve *s, struct evhttp_request *req, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
    bool cancel = slash && !strcmp(slash, "/cancel");
    bool status = (slash && !strcmp(slash, "/status")) || (cancel && wants_json(req));
    if (!is_job_id(rest, idlen)) {
        serve_error_as(req, status, 404, "Not Found", "no such job");
        return;
    }
    char id[SERVE_JOB_ID_LEN + 1];
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    struct serve_job *j = serve_jobs_find(s, id);
    if (!j) {
        serve_error_as(req, status, 404, "Not Found", "no such job: %s (finished jobs are kept %d at most)", id,
                       SERVE_KEEP_FINISHED);
        return;
    }
    if (!slash) {
        if (method_ok(req, A_GET))
            serve_page_job(s, req, j);
        return;
    }
    if (cancel) {
        if (method_ok(req, A_POST) && serve_same_origin(s, req))
            job_cancel(s, req, j, status);
        return;
    }
    if (status) {
        if (method_ok(req, A_GET))
            serve_job_status_json(s, req, j);
        return;
    }
    static const struct { const char *path, *file, *ctype, *dl; bool run_only; } files[] = {
        { "/report.json", "report.json", "application/json", "report.json", false },
        { "/report.csv", "report.csv", "text/csv; charset=utf-8", "report.csv", false },
        { "/timeline.json", "timeline.json", "application/json", "timeline.json", true },
    };
    char path[SERVE_PATH_MAX + 64], dl[64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (!strcmp(slash, files[i].path)) {
            if (!method_ok(req, A_GET))
                return;
            if (j->state != JOB_DONE || (files[i].run_only && j->kind != JOB_RUN)) {
                serve_error(req, 404, "Not Found", "job %s has no %s%s", j->id, files[i].file,
                            j->state == JOB_DONE ? "" : " (not done)");
                return;
            }
            snprintf(path, sizeof path, "%s/%s", j->dir, files[i].file);
            snprintf(dl, sizeof dl, "rxsim-%s-%s", j->id, files[i].dl);
            serve_file(req, path, files[i].ctype, dl);
            return;
        }
    if (!strncmp(slash, "/chart/", 7)) {
        const char *name = slash + 7;
        size_t n = strlen(name);
        if (n > 4 && !strcmp(name + n - 4, ".svg") && j->state == JOB_DONE)
            for (int c = 0; c < j->ncharts; c++)
                if (strlen(j->charts[c]) == n - 4 && !strncmp(j->charts[c], name, n - 4)) {
                    if (!method_ok(req, A_GET))
                        return;
                    snprintf(path, sizeof path, "%s/charts/%s.svg", j->dir, j->charts[c]);
                    serve_file(req, path, "image/svg+xml", NULL);
                    return;
                }
        serve_error(req, 404, "Not Found", "job %s has no such chart", j->id);
        return;
    }
    serve_error(req, 404, "Not Found", "no such page");
}

void serve_route(struct evhttp_request *req, void *arg)
{
    struct serve *s = arg;
    s->requests++;
    if (!serve_host_allowed(s, req))
        return;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || !*path)
        path = "/";
    if (strlen(path) > 512) {
        serve_error(req, 414, "URI Too Long", "path too long");
        return;
    }
    if (!strcmp(path, "/")) {
        if (method_ok(req, A_GET))
            serve_page_index(s, req);
    } else if (!strcmp(path, "/upload")) {
        if (!method_ok(req, A_GET | A_POST))
            return;
        if (evhttp_request_get_command(req) != EVHTTP_REQ_POST)
            serve_page_upload_form(s, req);
        else if (serve_same_origin(s, req))
            serve_upload_post(s, req);
    } else if (!strcmp(path, "/jobs")) {
        if (!method_ok(req, A_GET | A_POST))
            return;
        if (evhttp_request_get_command(req) != EVHTTP_REQ_POST)
            serve_page_jobs(s, req);
        else if (serve_same_origin(s, req))
            serve_form_submit(s, req);
    } else if (!strcmp(path, "/traces.json")) {
        if (method_ok(req, A_GET))
            serve_traces_json(s, req);
    } else if (!strncmp(path, "/jobs/", 6)) {
        job_route(s, req, path + 6);
    } else if (!strncmp(path, "/static/", 8)) {
        if (method_ok(req, A_GET))
            static_asset(req, path + 8);
    } else {
        serve_error(req, 404, "Not Found", "no such page");
    }
}
