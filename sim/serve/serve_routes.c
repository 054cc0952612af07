/* sim/serve/serve_http.c: rxsim serve's routing and HTTP helpers (serve.h).
 *
 * One generic callback routes every request, so that 404 (unknown path) and
 * 405 (known path, wrong method, with Allow) are ours.  Paths are matched on
 * the raw, still percent-encoded path: every valid path is plain ASCII
 * ([a-z0-9./-]), so an encoded dot or slash simply matches nothing.  Job ids
 * must be exactly SERVE_JOB_ID_LEN lowercase hex digits, chart names one the
 * job's compare wrote, static names one of the embedded assets.
 *
 * Every POST (start a job, upload, cancel) must come from the server's own
 * pages, so that another site open in the student's browser cannot start or
 * cancel jobs.  Current browsers say so in Sec-Fetch-Site, which then
 * decides: same-origin (or none: typed by the user) passes, anything else
 * (same-site, say another port of localhost, or cross-site) gets 403.
 * Without it, an Origin header, which browsers send on every POST, must be
 * http://HOST (the Host the request names) or the address we are bound to;
 * "null" never is.  Pages go out with Referrer-Policy: same-origin, because
 * under no-referrer a browser sends Origin: null even on a same-origin POST.
 * A request with neither header (curl, scripts) is let through: it cannot
 * come from a page of another site.  This does not stop DNS rebinding (Host
 * and Origin then agree, and the fetch is same-origin): serve_host_allowed()
 * does, first thing for every request, by refusing (421) a Host that is a
 * name we were not told.
 *
 * Every response carries nosniff and a Content-Security-Policy that allows
 * nothing from outside the server ('self' only); pages escape everything that
 * came from outside (trace names, uploads' names, worker stderr, report
 * strings), and both escapers emit only valid UTF-8: a byte that starts no
 * well-formed sequence (utf8.h) becomes U+FFFD (\ufffd in JSON). */
#include "sim/serve/serve.h"
#include "sim/serve/utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RXSIM_VERSION
#define RXSIM_VERSION "unknown"
#endif

void serve_html_escape_n(struct evbuffer *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;      /* run: bytes before i still to be copied as they are */
    while (i < n) {
        const char *rep = NULL;
        size_t len = utf8_seq_len(u + i, n - i);
        switch (len ? u[i] : 0x80) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case 0x80: rep = UTF8_REPLACEMENT; len = 1; break;    /* not UTF-8 */
        default:
            if (u[i] < 0x20 && u[i] != '\n' && u[i] != '\t')
                rep = UTF8_REPLACEMENT;                     /* control bytes */
            break;
        }
        if (rep) {
            evbuffer_add(b, s + i - run, run);
            evbuffer_add(b, rep, strlen(rep));
            run = 0;
        } else {
            run += len;
        }
        i += len;
    }
    evbuffer_add(b, s + n - run, run);
}

void serve_html_escape(struct evbuffer *b, const char *s)
{
    if (s)
        serve_html_escape_n(b, s, strlen(s));
}

void serve_json_escape(struct evbuffer *b, const char *s)
{
    evbuffer_add(b, "\"", 1);
    size_t n = s ? strlen(s) : 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t len = utf8_seq_len(u + i, n - i);
        if (len == 0) {
            evbuffer_add(b, "\\ufffd", 6);      /* not UTF-8: JSON text must be (RFC 8259 §8.1) */
            len = 1;
        } else if (c == '"' || c == '\\')
            evbuffer_add_printf(b, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            evbuffer_add_printf(b, "\\u%04x", c);
        else
            evbuffer_add(b, s + i, len);
        i += len;
    }
    evbuffer_add(b, "\"", 1);
}

void serve_page_begin(struct evbuffer *b, const char *title)
{
    evbuffer_add_printf(b,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rxsim: ");
    serve_html_escape(b, title);
    evbuffer_add_printf(b,
        "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
        "<script src=\"/static/serve.js\" defer></script>\n</head>\n<body>\n"
        "<header><a class=\"brand\" href=\"/\">rxsim lab</a>"
        "<nav><a href=\"/\">traces &amp; run</a> <a href=\"/upload\">upload</a> <a href=\"/jobs\">jobs</a></nav>"
        "</header>\n<main>\n<h1>");
    serve_html_escape(b, title);
    evbuffer_add_printf(b, "</h1>\n");
}

void serve_page_end(struct evbuffer *b)
{
    evbuffer_add_printf(b, "</main>\n<footer>rxsim %s: a simulator of a host's TCP/IP receive path. "
                        "Everything on this page is served by rxsim serve itself.</footer>\n"
                        "</body>\n</html>\n", RXSIM_VERSION);
}

void serve_send(struct evhttp_request *req, int code, const char *reason, const char *ctype, struct evbuffer *b)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                      "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                      "frame-ancestors 'none'");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");     /* see the same-origin check */
    if (!evhttp_find_header(h, "Cache-Control"))
        evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply(req, code, reason, b);
    if (b)
        evbuffer_free(b);
}

static void verror(struct evhttp_request *req, int code, const char *reason, bool json, const char *fmt,
                   va_list ap) __attribute__((format(printf, 5, 0)));
static void verror(struct evhttp_request *req, int code, const char *reason, bool json, const char *fmt,
                   va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    if (json) {
        evbuffer_add_printf(b, "{\"status\": %d, \"error\": ", code);
        serve_json_escape(b, msg);
        evbuffer_add_printf(b, "}\n");
        serve_send(req, code, reason, "application/json", b);
        return;
    }
    char title[64];
    snprintf(title, sizeof title, "%d %s", code, reason);
    serve_page_begin(b, title);
    evbuffer_add_printf(b, "<p class=\"error\" id=\"error\">");
    serve_html_escape(b, msg);
    evbuffer_add_printf(b, "</p>\n<p><a href=\"/\">back to the traces</a></p>\n");
    serve_page_end(b);
    serve_send(req, code, reason, "text/html; charset=utf-8", b);
}

void serve_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, false, fmt, ap);
    va_end(ap);
}

void serve_json_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, true, fmt, ap);
    va_end(ap);
}

/* serve_json_error() when json, else serve_error(). */
static void error_as(struct evhttp_request *req, bool json, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void error_as(struct evhttp_request *req, bool json, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, json, fmt, ap);
    va_end(ap);
}

void serve_redirect(struct evhttp_request *req, const char *location)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Location", location);
    serve_page_begin(b, "See other");
    evbuffer_add_printf(b, "<p><a href=\"");
    serve_html_escape(b, location);
    evbuffer_add_printf(b, "\">continue</a></p>\n");
    serve_page_end(b);
    serve_send(req, 303, "See Other", "text/html; charset=utf-8", b);
}

void serve_file(struct evhttp_request *req, const char *path, const char *ctype, const char *download_name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        serve_error(req, 404, "Not Found", "no such file (yet)");
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        close(fd);
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    if (st.st_size == 0)
        close(fd);
    else if (evbuffer_add_file(b, fd, 0, st.st_size) < 0) {     /* owns fd from here, even on failure */
        evbuffer_free(b);
        serve_error(req, 500, "Internal Server Error", "cannot read the file");
        return;
    }
    if (download_name) {
        char cd[256];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", download_name);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", cd);
    }
    serve_send(req, 200, "OK", ctype, b);
}

char *serve_body(struct evhttp_request *req, size_t max, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = in ? evbuffer_get_length(in) : 0;
    if (n > max)
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n && evbuffer_copyout(in, s, n) != (ssize_t)n) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* --- cross-site POSTs ------------------------------------------------------ */

/* "http://" + host equals origin, ASCII case-insensitively (scheme and host
 * are; a port is digits). */
static bool origin_is(const char *origin, const char *host)
{
    return host && *host && !strncasecmp(origin, "http://", 7) && !strcasecmp(origin + 7, host);
}

bool serve_same_origin(struct serve *s, struct evhttp_request *req)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *origin = evhttp_find_header(in, "Origin");
    const char *site = evhttp_find_header(in, "Sec-Fetch-Site");
    if (site) {
        if (!strcmp(site, "same-origin") || !strcmp(site, "none"))
            return true;
        serve_error(req, 403, "Forbidden", "a %.64s request (Sec-Fetch-Site) cannot change anything here: "
                    "use the lab's own pages", site);
        return false;
    }
    if (!origin || origin_is(origin, evhttp_find_header(in, "Host")) ||
        (s->origin[0] && !strcasecmp(origin, s->origin)))
        return true;
    serve_error(req, 403, "Forbidden", "a request from %.200s cannot change anything here: use the lab's own "
                "pages", origin);
    return false;
}

/* --- the Host check (DNS rebinding) --------------------------------------- */

/* A page of evil.example whose name is rebound to 127.0.0.1 reaches the lab
 * as the same origin, so Origin and Sec-Fetch-Site cannot tell; the Host
 * header still says evil.example.  An IP literal cannot be rebound, a name
 * can: a name is accepted only when we were told it (localhost, --listen,
 * --allow-host). */

/* Splits "name", "name:port", "[v6]", "[v6]:port" into the name (without
 * brackets) in out; false when malformed. */
static bool host_name(const char *host, char *out, size_t size)
{
    const char *end;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        host++;
        end = close;
        close++;
        if (*close && (*close != ':' || !close[1] || strspn(close + 1, "0123456789") != strlen(close + 1)))
            return false;
    } else {
        end = strchr(host, ':');
        if (!end)
            end = host + strlen(host);
        else if (!end[1] || strlen(end + 1) > 5 || strspn(end + 1, "0123456789") != strlen(end + 1))
            return false;
    }
    size_t n = (size_t)(end - host);
    if (n == 0 || n >= size)
        return false;
    memcpy(out, host, n);
    out[n] = '\0';
    if (n > 1 && out[n - 1] == '.')
        out[n - 1] = '\0';         /* "localhost." is localhost */
    return true;
}

static bool loopback_literal(const char *name, bool *literal)
{
    struct in_addr a4;
    struct in6_addr a6;
    *literal = true;
    if (inet_pton(AF_INET, name, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, name, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    *literal = false;
    return false;
}

bool serve_host_allowed(struct serve *s, struct evhttp_request *req)
{
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
    if (!host)
        return true;            /* HTTP/1.0: no browser sends a request without Host */
    char name[256];
    bool literal = false, ok = false;
    if (host_name(host, name, sizeof name)) {
        size_t n = strlen(name);
        ok = !strcasecmp(name, "localhost") || (n > 10 && !strcasecmp(name + n - 10, ".localhost")) ||
             loopback_literal(name, &literal) || (literal && s->listen_any) ||
             (s->listen_host[0] && !strcasecmp(name, s->listen_host));
        for (int i = 0; !ok && i < s->nallow_hosts; i++)
            ok = !strcasecmp(name, s->allow_hosts[i]);
    }
    if (ok)
        return true;
    serve_error(req, 421, "Misdirected Request",
                "Host '%.200s' is not a name of this server: the lab answers to localhost, 127.0.0.1 and [::1]%s%s "
                "(--allow-host NAME adds a name). A page of another site reaches a loopback server under its own "
                "name (DNS rebinding), so other names are refused.", host, s->listen_host[0] ? " and " : "",
                s->listen_host);
    return false;
}

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
        error_as(req, json, 409, "Conflict", "job %s is %s: only a queued or running job can be cancelled", j->id,
                 serve_job_state_name(j->state));
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
        error_as(req, status, 404, "Not Found", "no such job");
        return;
    }
    char id[SERVE_JOB_ID_LEN + 1];
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    struct serve_job *j = serve_jobs_find(s, id);
    if (!j) {
        error_as(req, status, 404, "Not Found", "no such job: %s (finished jobs are kept %d at most)", id,
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

void serve_http_route(struct evhttp_request *req, void *arg)
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
