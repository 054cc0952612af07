/* tests/e2e/check_serve.c: rxsim serve over HTTP, against a server started
 * on a free loopback port (tests/common/serve_proc.c) with its own work dir
 * and --traces dir (holding a copy of a shipped trace), --max-upload 1M.
 *
 *  - every page: 200, the right Content-Type, the elements of the UI
 *    contract (docs/serve.md); the form's choices are the registries' (every
 *    name `rxsim run --list` prints for --csum is a vary box);
 *  - 404 for unknown paths, ids and chart names, traversal tricks; 405 with
 *    Allow for a wrong method;
 *  - uploads accepted (a shipped trace, under hostile file names: stored under
 *    a generated name, shown escaped, nothing written outside the work dir)
 *    and refused (too large twice over: by us and by evhttp's body limit; not
 *    a pcap; a pcap magic on garbage; truncated multipart; missing field;
 *    missing boundary; wrong Content-Type; empty), nothing left on disk;
 *  - a run job and a compare job from queued/running to done, with their
 *    tables, charts and downloads (which parse), and the run's per-connection
 *    SHA-256 equal to `rxsim inspect --json`'s;
 *  - a job whose options rxsim run refuses ends failed, with its stderr;
 *  - bad form values: 400 naming the field;
 *  - a full queue: 503 (a second server with --max-jobs 1 --max-queue 1),
 *    then SIGTERM while its workers run: exit 0, every worker gone;
 *  - cancelling (a third server, --max-jobs 1, with a synthesized trace on
 *    which each run of a 64-row compare takes seconds): a queued job leaves
 *    the queue, a running compare's whole process group (its own workers
 *    too) is gone within a second, the job queued behind it then runs to
 *    done; nothing of the cancelled job is served; 409 for finished jobs,
 *    404 for unknown ids, 405 for GET, 403 for a cross-site POST (Origin,
 *    Sec-Fetch-Site), on /jobs too;
 *  - the server still answers at the end and exits 0 on SIGTERM (under ASan
 *    that includes LeakSanitizer's verdict). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/profile.h"
#include "tests/common/http_client.h"
#include "tests/common/json_get.h"
#include "tests/common/serve_proc.h"
#include "tests/common/testenv.h"

#define SHIPPED "shipped:bulk-v4-256k.pcap"
#define MAX_UPLOAD (1 << 20)

static struct serve_proc srv;
static char trace_path[4096];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void must_get(const char *path, int status, const char *ctype_prefix, struct http_resp *r)
{
    ck_assert_msg(http_get(srv.port, path, r) == 0, "GET %s: no response", path);
    ck_assert_msg(r->status == status, "GET %s: status %d, want %d: %.300s", path, r->status, status,
                  r->body ? r->body : "");
    char ct[128];
    if (ctype_prefix)
        ck_assert_msg(http_header(r, "Content-Type", ct, sizeof ct) &&
                      !strncmp(ct, ctype_prefix, strlen(ctype_prefix)),
                      "GET %s: Content-Type '%s', want %s", path, http_header(r, "Content-Type", ct, sizeof ct)
                      ? ct : "(none)", ctype_prefix);
}

static void has(const struct http_resp *r, const char *what, const char *needle)
{
    ck_assert_msg(r->body && strstr(r->body, needle), "%s: no '%s' in the page", what, needle);
}

static int post_form(int port, const char *body, struct http_resp *r)
{
    return http_request(port, "POST", "/jobs", "application/x-www-form-urlencoded", body, strlen(body), r);
}

static size_t count_uploads(void)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/uploads", srv.workdir);
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* --- pages --------------------------------------------------------------- */

START_TEST(index_page)
{
    struct http_resp r;
    must_get("/", 200, "text/html", &r);
    static const char *const want[] = {
        "<table id=\"traces\">", "data-trace=\"" SHIPPED "\"", "data-trace=\"traces:mine.pcap\"",
        "<form id=\"job-form\" method=\"post\" action=\"/jobs\">", "<select id=\"trace\" name=\"trace\">",
        "<option value=\"" SHIPPED "\">", "<select id=\"kind\" name=\"kind\">", "<option value=\"run\">",
        "<option value=\"compare\">", "<button id=\"submit\" type=\"submit\">",
        "name=\"csum\"", "name=\"delivery\"", "name=\"recycle\"", "name=\"copy\"", "name=\"csum-copy\"",
        "name=\"irq\"", "name=\"app\"", "name=\"cpus\"", "name=\"queues\"", "name=\"ring\"", "name=\"rx-usecs\"",
        "name=\"rx-frames\"", "name=\"budget\"", "name=\"replay\"", "name=\"recv-size\"",
        "name=\"app-cycles-per-byte\"", "name=\"seed\"", "name=\"timing\"",
        "id=\"vary-csum-process\"", "id=\"vary-delivery-gro\"", "id=\"vary-recycle-ring\"", "id=\"vary-irq-rss\"",
        "id=\"vary-app-waker\"", "<input type=\"checkbox\" name=\"vary-csum\" value=\"softirq\" id=\"vary-csum-softirq\">",
        "/static/style.css", "/static/serve.js",
    };
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        has(&r, "GET /", want[i]);
    ck_assert_msg(!strstr(r.body, "src=\"http") && !strstr(r.body, "href=\"http"), "an external asset or link on /");
    http_resp_free(&r);

    /* the --csum choices are the registry's: every name rxsim run --list prints */
    char tmp[4096], out[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/list.txt", tmp);
    char *args[] = { "run", "--list", NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
    char *list = testenv_slurp(out, NULL);
    ck_assert(list);
    must_get("/", 200, "text/html", &r);
    char *sec = strstr(list, "(--csum):\n"), *end = strstr(list, "(--delivery)");
    ck_assert(sec && end);
    int names = 0;
    for (char *line = strchr(sec, '\n') + 1; line < end; line = strchr(line, '\n') + 1) {
        char name[64], id[128];
        if (sscanf(line, " %63s", name) != 1 || line[0] != ' ')
            break;
        snprintf(id, sizeof id, "id=\"vary-csum-%s\"", name);
        has(&r, "GET / (csum from rxsim run --list)", id);
        names++;
    }
    ck_assert_int_ge(names, 3);
    free(list);
    http_resp_free(&r);
}
END_TEST

START_TEST(other_pages)
{
    struct http_resp r;
    must_get("/upload", 200, "text/html", &r);
    has(&r, "GET /upload", "<form id=\"upload-form\" method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\">");
    has(&r, "GET /upload", "<input type=\"file\" name=\"file\" id=\"file\"");
    http_resp_free(&r);
    must_get("/jobs", 200, "text/html", &r);
    has(&r, "GET /jobs", "<table id=\"jobs\">");
    http_resp_free(&r);
    must_get("/static/style.css", 200, "text/css", &r);
    has(&r, "style.css", "svg.chart");
    http_resp_free(&r);
    must_get("/static/serve.js", 200, "text/javascript", &r);
    has(&r, "serve.js", "job-state");
    http_resp_free(&r);
    ck_assert_int_eq(http_request(srv.port, "HEAD", "/", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);

    /* the trace list: every summary becomes ready (inspect workers) */
    double t0 = now_s();
    bool ready = false;
    while (!ready && now_s() - t0 < 60) {
        must_get("/traces.json", 200, "application/json", &r);
        json_object *j = json_tokener_parse(r.body), *list = get(j, "traces");
        ck_assert_msg(j && json_object_is_type(list, json_type_array), "traces.json: %.200s", r.body);
        ready = json_object_array_length(list) >= 4;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *t = json_object_array_get_idx(list, i);
            if (!strcmp(str(t, "name"), "traces:broken.pcap"))    /* no capture (job_fails): its summary fails */
                ready &= !strcmp(str(t, "state"), "failed");
            else if (strcmp(str(t, "state"), "ready"))
                ready = false;
            else
                ck_assert_msg(i64(get(t, "summary"), "frames") > 0, "%s: no frames", str(t, "name"));
        }
        json_object_put(j);
        http_resp_free(&r);
        if (!ready)
            usleep(100000);
    }
    ck_assert_msg(ready, "trace summaries not ready after 60 s");
    must_get("/", 200, "text/html", &r);
    ck_assert_msg(!strstr(r.body, "summarizing"), "summaries ready but / still says summarizing");
    http_resp_free(&r);
}
END_TEST

/* --- 404 / 405 ----------------------------------------------------------- */

static const char *const not_found[] = {
    "/nope", "/static/", "/static/nope.css", "/static/../sim/cli/serve.h", "/static/%2e%2e/style.css",
    "/jobs/zzz", "/jobs/0123456789ab", "/jobs/0123456789AB", "/jobs/0123456789abc", "/jobs/../etc/passwd",
    "/jobs/0123456789ab/report.json", "/jobs/0123456789ab/chart/x.svg", "/index.html", "/upload/x",
    "/%00", "//etc/passwd", "/jobs/", "/traces.json/x", "/jobs/0123456789ab/cancel", "/jobs/zzz/cancel",
};

START_TEST(paths_not_found)
{
    struct http_resp r;
    ck_assert_int_eq(http_get(srv.port, not_found[_i], &r), 0);
    ck_assert_msg(r.status == 404 || r.status == 400, "GET %s: status %d, want 404", not_found[_i], r.status);
    http_resp_free(&r);
}
END_TEST

START_TEST(wrong_methods)
{
    static const struct { const char *method, *path, *allow; } m[] = {
        { "PUT", "/", "GET, HEAD" }, { "DELETE", "/jobs", "GET, HEAD, POST" }, { "POST", "/traces.json", "GET, HEAD" },
        { "POST", "/static/style.css", "GET, HEAD" }, { "PATCH", "/upload", "GET, HEAD, POST" },
    };
    for (size_t i = 0; i < ARRAY_LEN(m); i++) {
        struct http_resp r;
        char allow[64];
        ck_assert_int_eq(http_request(srv.port, m[i].method, m[i].path, "text/plain", "x", 1, &r), 0);
        ck_assert_msg(r.status == 405, "%s %s: status %d, want 405", m[i].method, m[i].path, r.status);
        ck_assert_msg(http_header(&r, "Allow", allow, sizeof allow) && !strcmp(allow, m[i].allow),
                      "%s %s: Allow '%s'", m[i].method, m[i].path, allow);
        http_resp_free(&r);
    }
}
END_TEST

/* --- uploads -------------------------------------------------------------- */

static const char *const evil_names[] = {
    "../../evil.pcap", "/etc/passwd", "..\\..\\win.pcap", "a/b/../../c.pcap", "<script>alert(1)</script>.pcap",
    "..", "", "x\"y.pcap",
};

START_TEST(upload_accepted)
{
    size_t tlen;
    char *trace = testenv_slurp(trace_path, &tlen);
    ck_assert(trace);
    size_t before = count_uploads();
    char ctype[256];
    size_t blen;
    char *body = http_multipart("----rxsimTestBoundary7", "file", evil_names[_i], trace, tlen, &blen, ctype,
                                sizeof ctype);
    struct http_resp r;
    ck_assert_int_eq(http_request(srv.port, "POST", "/upload", ctype, body, blen, &r), 0);
    ck_assert_msg(r.status == 303, "upload as '%s': status %d: %.300s", evil_names[_i], r.status, r.body);
    char loc[256];
    ck_assert_msg(http_header(&r, "Location", loc, sizeof loc) && !strcmp(loc, "/"), "Location %s", loc);
    http_resp_free(&r);
    ck_assert_uint_eq(count_uploads(), before + 1);

    /* stored names are ours: u + 6 digits + .pcap */
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/uploads", srv.workdir);
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        unsigned n;
        char rest[16] = "";
        ck_assert_msg(sscanf(e->d_name, "u%6u.%15s", &n, rest) == 2 && !strcmp(rest, "pcap") &&
                      strlen(e->d_name) == 12, "stored as '%s' (uploaded as '%s')", e->d_name, evil_names[_i]);
    }
    closedir(d);
    /* nothing outside the work dir */
    char p[1200];
    snprintf(p, sizeof p, "%s/../evil.pcap", srv.workdir);
    ck_assert_msg(access(p, F_OK) != 0, "%s exists", p);
    snprintf(p, sizeof p, "%s/../../evil.pcap", srv.workdir);
    ck_assert_msg(access(p, F_OK) != 0, "%s exists", p);
    snprintf(p, sizeof p, "%s/c.pcap", srv.workdir);
    ck_assert_msg(access(p, F_OK) != 0, "%s exists", p);

    /* listed, shown escaped, summarized */
    must_get("/", 200, "text/html", &r);
    has(&r, "GET / after upload", "data-trace=\"upload:u");
    ck_assert_msg(!strstr(r.body, "<script>alert"), "unescaped upload name on /");
    if (_i == 4)        /* the base name: after the last '/' of "</script>" */
        has(&r, "GET / after upload", "<td>script&gt;.pcap</td>");
    if (_i == 7)
        has(&r, "GET / after upload", "<td>x</td>");     /* the quoted string ends at the inner quote */
    if (_i == 0)
        ck_assert_msg(strstr(r.body, "<td>evil.pcap</td>"), "base name not shown");
    http_resp_free(&r);
    free(body);
    free(trace);
}
END_TEST

struct refusal {
    const char *what;
    int status;
    const char *message;    /* in the error page */
};

static const struct refusal refusals[] = {
    { "not a pcap", 415, "not a pcap" },
    { "pcap magic, garbage header", 415, "not a usable capture" },
    { "too large for --max-upload", 413, "max-upload" },
    { "too large for the body limit", 413, NULL },
    { "truncated multipart", 400, "truncated" },
    { "missing field", 400, "field file" },
    { "missing boundary", 400, "boundary" },
    { "not multipart", 415, "multipart" },
    { "empty file", 400, "empty" },
    { "bad boundary characters", 400, "boundary" },
    { "headers never end", 400, "truncated" },
};

START_TEST(upload_refused)
{
    const struct refusal *rf = &refusals[_i];
    size_t before = count_uploads(), n = 0, blen;
    char ctype[256];
    unsigned char *data = calloc(1, 2 * MAX_UPLOAD + 200000);
    ck_assert(data);
    switch (_i) {
    case 0: n = (size_t)snprintf((char *)data, 100, "this is text, not a capture\n"); break;
    case 1: memcpy(data, "\xd4\xc3\xb2\xa1", 4); memset(data + 4, 0xff, 60); n = 64; break;
    case 2: memcpy(data, "\xd4\xc3\xb2\xa1", 4); n = MAX_UPLOAD + 1000; break;
    case 3: memcpy(data, "\xd4\xc3\xb2\xa1", 4); n = 2 * MAX_UPLOAD; break;
    default: memcpy(data, "\xd4\xc3\xb2\xa1", 4); n = 1000; break;
    }
    if (_i == 8)
        n = 0;
    char *body = http_multipart("b0undary", _i == 5 ? "notfile" : "file", "x.pcap", data, n, &blen, ctype,
                                sizeof ctype);
    ck_assert(body);
    if (_i == 4)
        blen -= 20;                                     /* cut the close delimiter and a bit */
    if (_i == 6)
        snprintf(ctype, sizeof ctype, "multipart/form-data");
    if (_i == 7)
        snprintf(ctype, sizeof ctype, "application/octet-stream");
    if (_i == 9)        /* a header with CR LF in it cannot even be sent; a bad character instead */
        snprintf(ctype, sizeof ctype, "multipart/form-data; boundary=b<0>undary");
    if (_i == 10)
        blen = (size_t)snprintf(body, 200, "--b0undary\r\nContent-Disposition: form-data; name=\"file\"\r\n");
    struct http_resp r;
    ck_assert_msg(http_request(srv.port, "POST", "/upload", ctype, body, blen, &r) == 0, "%s: no response", rf->what);
    ck_assert_msg(r.status == rf->status, "%s: status %d, want %d: %.300s", rf->what, r.status, rf->status, r.body);
    if (rf->message)
        ck_assert_msg(strstr(r.body, rf->message), "%s: no '%s' in: %.300s", rf->what, rf->message, r.body);
    http_resp_free(&r);
    ck_assert_msg(count_uploads() == before, "%s: a file was left in uploads/", rf->what);
    free(body);
    free(data);
}
END_TEST

/* Whether b[0, n) is valid UTF-8, by glibc's iconv (an oracle apart from
 * the server's own check). */
static bool valid_utf8(const char *b, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    char out[4096];
    char *in = (char *)b;
    size_t left = n;
    bool ok = true;
    while (left && ok) {
        char *o = out;
        size_t oleft = sizeof out;
        if (iconv(cd, &in, &left, &o, &oleft) == (size_t)-1 && errno != E2BIG)
            ok = false;
    }
    iconv_close(cd);
    return ok;
}

/* A file name that is not UTF-8 (a lone 0xff, an overlong '/', a UTF-16
 * surrogate, a sequence cut short) must not make /traces.json invalid JSON
 * nor a page invalid UTF-8: each bad byte is shown as U+FFFD. */
#define BAD_NAME "bad\xff-\xc0\xaf-\xed\xa0\x80-caf\xc3\xa9-\xe2\x82.pcap"
#define BAD_NAME_SHOWN "bad\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-caf\xc3\xa9-" \
                       "\xef\xbf\xbd\xef\xbf\xbd.pcap"

START_TEST(upload_name_not_utf8)
{
    size_t tlen, blen;
    char *trace = testenv_slurp(trace_path, &tlen), ctype[256];
    ck_assert(trace);
    char *body = http_multipart("----rxsimUtf8", "file", BAD_NAME, trace, tlen, &blen, ctype, sizeof ctype);
    struct http_resp r;
    ck_assert_int_eq(http_request(srv.port, "POST", "/upload", ctype, body, blen, &r), 0);
    ck_assert_msg(r.status == 303, "upload: status %d: %.300s", r.status, r.body);
    http_resp_free(&r);

    must_get("/traces.json", 200, "application/json", &r);
    json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *j = json_tokener_parse_ex(tok, r.body, (int)r.body_len);
    ck_assert_msg(j && json_tokener_get_error(tok) == json_tokener_success, "/traces.json is not strict JSON: %s",
                  json_tokener_error_desc(json_tokener_get_error(tok)));
    json_tokener_free(tok);
    json_object *list = get(j, "traces");
    bool found = false;
    for (size_t i = 0; i < json_object_array_length(list); i++)
        found |= !strcmp(str(json_object_array_get_idx(list, i), "file"), BAD_NAME_SHOWN);
    ck_assert_msg(found, "no trace shown as " BAD_NAME_SHOWN " in /traces.json");
    json_object_put(j);
    http_resp_free(&r);

    must_get("/", 200, "text/html", &r);
    ck_assert_msg(valid_utf8(r.body, r.body_len), "GET / is not valid UTF-8");
    has(&r, "GET /", "<td>" BAD_NAME_SHOWN "</td>");
    http_resp_free(&r);

    /* a refusal names the file too: its page must be UTF-8 as well */
    free(body);
    body = http_multipart("----rxsimUtf8", "file", BAD_NAME, "not a capture at all, no", 24, &blen, ctype,
                          sizeof ctype);
    ck_assert_int_eq(http_request(srv.port, "POST", "/upload", ctype, body, blen, &r), 0);
    ck_assert_int_eq(r.status, 415);
    ck_assert_msg(valid_utf8(r.body, r.body_len), "the 415 page is not valid UTF-8: %s", r.body);
    has(&r, "415 page", BAD_NAME_SHOWN);
    http_resp_free(&r);
    free(body);
    free(trace);
}
END_TEST

/* X-Rxsim-Spool is the gate's word to the upload handler: one a client
 * sends is stripped, so it can name no spool (of its own or another
 * connection) and the request is judged on its own body. */
START_TEST(upload_spool_header_forged)
{
    size_t before = count_uploads();
    for (int i = 0; i < 2; i++) {
        size_t blen;
        char ctype[256], extra[512];
        char *body = http_multipart("----rxsimForged", "file", "x.pcap", "not a capture", 13, &blen, ctype,
                                    sizeof ctype);
        snprintf(extra, sizeof extra, "Content-Type: %s\r\nX-Rxsim-Spool: %d\r\n", ctype, i + 1);
        int fd = http_connect(srv.port);
        ck_assert(fd >= 0);
        /* an empty body (nothing spooled), then a real one (spooled under another number) */
        ck_assert_int_eq(http_send(fd, "POST", "/upload", extra, i ? body : NULL, i ? blen : 0, false), 0);
        struct http_resp r;
        ck_assert_int_eq(http_recv(fd, &r, false), 0);
        ck_assert_msg(r.status == (i ? 415 : 400), "forged X-Rxsim-Spool (%s body): status %d: %.200s",
                      i ? "a" : "no", r.status, r.body);
        http_resp_free(&r);
        close(fd);
        free(body);
    }
    ck_assert_uint_eq(count_uploads(), before);
}
END_TEST

/* --- jobs --------------------------------------------------------------- */

/* POSTs a job and follows it to done or failed; returns the id. */
static void run_job(const char *form, const char *want_state, char id[13])
{
    struct http_resp r;
    ck_assert_int_eq(post_form(srv.port, form, &r), 0);
    ck_assert_msg(r.status == 303, "POST /jobs %s: status %d: %.300s", form, r.status, r.body);
    char loc[128];
    ck_assert(http_header(&r, "Location", loc, sizeof loc));
    ck_assert_msg(strlen(loc) == 18 && !strncmp(loc, "/jobs/", 6) && strspn(loc + 6, "0123456789abcdef") == 12,
                  "Location '%s'", loc);
    memcpy(id, loc + 6, 13);
    http_resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/jobs/%s/status", id);
    double t0 = now_s();
    char state[32] = "";
    while (now_s() - t0 < 120) {
        must_get(path, 200, "application/json", &r);
        json_object *j = json_tokener_parse(r.body);
        ck_assert_msg(j, "status: %.200s", r.body);
        snprintf(state, sizeof state, "%s", str(j, "state"));
        json_object_put(j);
        http_resp_free(&r);
        if (!strcmp(state, "queued") || !strcmp(state, "running")) {
            usleep(50000);
            continue;
        }
        break;
    }
    ck_assert_msg(!strcmp(state, want_state), "job %s (%s): state %s, want %s", id, form, state, want_state);
    snprintf(path, sizeof path, "/jobs/%s", id);
    must_get(path, 200, "text/html", &r);
    char span[128];
    snprintf(span, sizeof span, "<span id=\"job-state\" data-job=\"%s\">%s</span>", id, want_state);
    has(&r, path, span);
    http_resp_free(&r);
}

static json_object *get_json(const char *path)
{
    struct http_resp r;
    must_get(path, 200, "application/json", &r);
    json_object *j = json_tokener_parse(r.body);
    ck_assert_msg(j, "%s: not JSON: %.200s", path, r.body);
    http_resp_free(&r);
    return j;
}

START_TEST(job_run)
{
    char id[13], path[128];
    run_job("trace=" SHIPPED "&kind=run&csum=process&recv-size=4096&seed=7&delivery=batch%3A8", "done", id);
    struct http_resp r;
    snprintf(path, sizeof path, "/jobs/%s", id);
    must_get(path, 200, "text/html", &r);
    static const char *const want[] = { "<table id=\"report\">", "<a id=\"download-json\"", "<a id=\"download-csv\"",
                                        "<a id=\"download-timeline\"", "ui.perfetto.dev", "<table id=\"cpus\">",
                                        "<table id=\"per-packet\">", "<table id=\"lines\">", "<table id=\"drops\">",
                                        "<table id=\"connections\">", "<table id=\"profile\">", "goodput" };
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        has(&r, path, want[i]);
    /* the command that gives the same results from a shell: the form's
     * options, the trace by its name, nothing only the server needs */
    has(&r, path, "<code id=\"job-command\">rxsim run --csum=process --delivery=batch:8 --seed=7 --recv-size=4096 "
                  "-- bulk-v4-256k.pcap</code>");
    http_resp_free(&r);

    snprintf(path, sizeof path, "/jobs/%s/report.json", id);
    json_object *rep = get_json(path);
    ck_assert_str_eq(str(get(rep, "config"), "csum"), "process");
    ck_assert_int_eq(i64(get(rep, "config"), "recv_size"), 4096);
    ck_assert(num(get(rep, "result"), "goodput_mbps") > 0);

    /* per-connection SHA-256 = rxsim inspect --json's on the same trace */
    char tmp[4096], out[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/inspect.json", tmp);
    char *args[] = { "inspect", "--json", "--no-progress", trace_path, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
    json_object *ins = json_object_from_file(out);
    ck_assert(ins);
    json_object *conns = get(rep, "connections");
    ck_assert_int_ge(json_object_array_length(conns), 1);
    for (size_t c = 0; c < json_object_array_length(conns); c++) {
        json_object *rc = json_object_array_get_idx(conns, c);
        bool found = false;
        json_object *ic = get(ins, "connections");
        for (size_t k = 0; k < json_object_array_length(ic) && !found; k++) {
            json_object *dirs = get(json_object_array_get_idx(ic, k), "directions");
            for (size_t d = 0; d < json_object_array_length(dirs); d++) {
                json_object *dir = json_object_array_get_idx(dirs, d);
                if (!strcmp(str(dir, "from"), str(rc, "from")) && !strcmp(str(dir, "to"), str(rc, "to"))) {
                    ck_assert_msg(!strcmp(str(dir, "sha256"), str(rc, "sha256")), "%s -> %s: run %s, inspect %s",
                                  str(rc, "from"), str(rc, "to"), str(rc, "sha256"), str(dir, "sha256"));
                    ck_assert_int_eq(i64(dir, "bytes_delivered"), i64(rc, "bytes"));
                    found = true;
                }
            }
        }
        ck_assert_msg(found, "%s -> %s not in inspect's report", str(rc, "from"), str(rc, "to"));
    }
    json_object_put(ins);
    json_object_put(rep);

    snprintf(path, sizeof path, "/jobs/%s/report.csv", id);
    must_get(path, 200, "text/csv", &r);
    ck_assert_msg(!strncmp(r.body, "section,name,value,not_meaningful\n", 34), "CSV: %.100s", r.body);
    has(&r, "report.csv", "config,csum,process");
    http_resp_free(&r);
    snprintf(path, sizeof path, "/jobs/%s/timeline.json", id);
    json_object *tl = get_json(path);
    json_object_put(tl);
    /* a run has no charts; traversal in a download name */
    snprintf(path, sizeof path, "/jobs/%s/chart/bars-goodput.svg", id);
    must_get(path, 404, "text/html", &r);
    http_resp_free(&r);
    snprintf(path, sizeof path, "/jobs/%s/../%s/report.json", id, id);
    ck_assert_int_eq(http_get(srv.port, path, &r), 0);
    ck_assert_int_ne(r.status, 200);
    http_resp_free(&r);
}
END_TEST

/* A run whose figures cannot be answered (one CPU, a 16-slot ring, replay at
 * 40 Gbit/s: frames dropped at the NIC strand the bytes behind them) shows
 * each flagged headline figure as "not meaningful (why)" and its per-category
 * cycles per byte as n/m: before, the page left those rows out and printed
 * 0.000 per category, a plausible number. */
START_TEST(job_flagged_says_not_meaningful)
{
    char id[13], path[128];
    run_job("trace=" SHIPPED "&kind=run&cpus=1&ring=16&replay=rate%3A40G", "done", id);
    json_object *rep;
    snprintf(path, sizeof path, "/jobs/%s/report.json", id);
    rep = get_json(path);
    json_object *nm = get(get(rep, "result"), "not_meaningful");
    ck_assert_msg(json_object_array_length(nm) > 0, "the starved run was not flagged: the test needs a new setup");
    json_object_put(rep);
    struct http_resp r;
    snprintf(path, sizeof path, "/jobs/%s", id);
    must_get(path, 200, "text/html", &r);
    static const char *const keys[] = { "goodput_mbps", "throughput_scaled_to_cpu_mbps", "cycles_per_byte" };
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        char want[160];
        snprintf(want, sizeof want, "data-key=\"%s\"><span class=\"not-meaningful\">not meaningful (stranded",
                 keys[i]);
        has(&r, path, want);
    }
    const char *pp = strstr(r.body, "<table id=\"per-packet\">");
    ck_assert_msg(pp, "no per-packet table");
    const char *end = strstr(pp, "</table>");
    int nms = 0;
    for (const char *q = pp; (q = strstr(q, "<span class=\"not-meaningful\">n/m</span>")) && q < end; q++)
        nms++;
    ck_assert_int_eq(nms, SIM_CAT__COUNT);
    ck_assert_msg(!memmem(pp, (size_t)(end - pp), ">0.000<", 7), "a per-category cycles/byte printed as 0.000");
    http_resp_free(&r);
}
END_TEST

START_TEST(job_compare)
{
    char id[13], path[160];
    /* vary-msg-size: the older name of recv-size, still accepted from saved links */
    run_job("trace=" SHIPPED "&kind=compare&vary-csum=softirq&vary-csum=process&vary-msg-size=1024%2C+65536",
            "done", id);
    struct http_resp r;
    snprintf(path, sizeof path, "/jobs/%s", id);
    must_get(path, 200, "text/html", &r);
    has(&r, path, "<table id=\"compare\">");
    has(&r, path, "<svg class=\"chart\"");
    has(&r, path, "<a id=\"download-json\"");
    has(&r, path, "<a id=\"download-csv\"");
    ck_assert_msg(!strstr(r.body, "<?xml"), "an XML prolog inlined in the page");
    http_resp_free(&r);
    snprintf(path, sizeof path, "/jobs/%s/report.json", id);
    json_object *doc = get_json(path);
    ck_assert_int_eq(json_object_array_length(get(doc, "rows")), 4);
    json_object *row0 = json_object_array_get_idx(get(doc, "rows"), 0);
    ck_assert_str_eq(json_object_get_string(get(get(row0, "values"), "recv-size")), "1024");
    json_object_put(doc);
    snprintf(path, sizeof path, "/jobs/%s/report.csv", id);
    must_get(path, 200, "text/csv", &r);
    int lines = 0;
    for (const char *p = r.body; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_int_eq(lines, 5);
    http_resp_free(&r);
    snprintf(path, sizeof path, "/jobs/%s/chart/bars-goodput.svg", id);
    must_get(path, 200, "image/svg+xml", &r);
    has(&r, "bars-goodput.svg", "<svg");
    http_resp_free(&r);
    static const char *const bad[] = { "nope.svg", "bars-goodput", "bars-goodput.svg/", "../report.json",
                                       "..%2freport.json", "bars-goodput.svg.svg", "" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        snprintf(path, sizeof path, "/jobs/%s/chart/%s", id, bad[i]);
        ck_assert_int_eq(http_get(srv.port, path, &r), 0);
        ck_assert_msg(r.status == 404, "%s: status %d", path, r.status);
        http_resp_free(&r);
    }
    snprintf(path, sizeof path, "/jobs/%s/timeline.json", id);
    must_get(path, 404, "text/html", &r);
    http_resp_free(&r);
    must_get("/jobs", 200, "text/html", &r);
    has(&r, "/jobs", id);
    http_resp_free(&r);
}
END_TEST

/* A job that fails as it runs (a --traces file that is no capture: listed,
 * its summary failed) shows rxsim's stderr, with the trace by its name and
 * never the server's directories; the page says the command to run it. */
START_TEST(job_fails)
{
    char id[13], path[128];
    run_job("trace=traces:broken.pcap&kind=run&csum=process", "failed", id);
    struct http_resp r;
    snprintf(path, sizeof path, "/jobs/%s", id);
    must_get(path, 200, "text/html", &r);
    has(&r, path, "<pre id=\"job-stderr\">");
    has(&r, path, "rxsim run");
    has(&r, path, "broken.pcap");
    has(&r, path, "<code id=\"job-command\">rxsim run --csum=process -- broken.pcap</code>");
    ck_assert_msg(!strstr(r.body, srv.traces) && !strstr(r.body, srv.workdir), "%s shows a server path: %.2000s",
                  path, r.body);
    http_resp_free(&r);
    snprintf(path, sizeof path, "/jobs/%s/report.json", id);
    must_get(path, 404, "text/html", &r);
    http_resp_free(&r);
}
END_TEST

static const struct { const char *form, *field; } bad_forms[] = {
    { "trace=" SHIPPED "&kind=run&csum=bogus", "csum" },
    { "trace=" SHIPPED "&kind=run&cpus=0", "cpus" },
    { "trace=" SHIPPED "&kind=run&cpus=abc", "cpus" },
    { "trace=" SHIPPED "&kind=run&cpus=99999999999", "cpus" },
    { "trace=" SHIPPED "&kind=run&ring=1", "ring" },
    { "trace=" SHIPPED "&kind=run&recv-size=-5", "recv-size" },
    { "trace=" SHIPPED "&kind=run&rx-usecs=1e9", "rx-usecs" },
    { "trace=" SHIPPED "&kind=run&replay=rate%3Aabc", "replay" },
    { "trace=" SHIPPED "&kind=run&host=not-an-ip", "host" },
    { "trace=" SHIPPED "&kind=run&app=fixed%3A5", "app" },
    { "trace=" SHIPPED "&kind=run&irq=fixed%3A2", "irq" },
    { "trace=" SHIPPED "&kind=run&delivery=batch%3A0", "delivery" },
    { "trace=" SHIPPED "&kind=run&copy=..%2F..%2Fbin%2Fsh", "copy" },
    { "trace=" SHIPPED "&kind=run&seed=1%3Brm", "seed" },
    { "trace=" SHIPPED "&kind=run&app-cycles-per-byte=nan", "app-cycles-per-byte" },
    { "trace=" SHIPPED "&kind=run&timing=wall", "timing" },
    { "trace=" SHIPPED "&kind=run&csum=process&csum=softirq", "csum" },
    { "trace=" SHIPPED "&kind=run&evil=1", "evil" },
    { "trace=..%2F..%2Fetc%2Fpasswd&kind=run", "trace" },
    { "trace=%2Fetc%2Fpasswd&kind=run", "trace" },
    { "kind=run", "trace" },
    { "trace=" SHIPPED "&kind=bogus", "kind" },
    { "trace=" SHIPPED "&kind=compare", "vary" },
    { "trace=" SHIPPED "&kind=compare&vary-csum=bogus", "vary-csum" },
    { "trace=" SHIPPED "&kind=compare&vary-recv-size=1%2Cx", "vary-recv-size" },
    { "trace=" SHIPPED "&kind=compare&vary-csum=process&csum=process", "csum" },
    { "trace=" SHIPPED "&kind=compare&vary-filter=tcp", "vary-filter" },
    { "trace=" SHIPPED "&kind=compare&vary-seed=1%2C2%2C3%2C4%2C5%2C6%2C7%2C8&vary-recv-size=1%2C2%2C3%2C4%2C5%2C6%2C7%2C8%2C9",
      "vary" },
    { "trace=" SHIPPED "&kind=run&no-verify-csum=maybe", "no-verify-csum" },
    { "trace=" SHIPPED "&kind=run&filter=this+is+not+bpf", "filter" },
};

START_TEST(bad_form_values)
{
    struct http_resp r;
    ck_assert_int_eq(post_form(srv.port, bad_forms[_i].form, &r), 0);
    ck_assert_msg(r.status == 400, "%s: status %d, want 400", bad_forms[_i].form, r.status);
    char needle[80];
    snprintf(needle, sizeof needle, "field %s", bad_forms[_i].field);
    ck_assert_msg(strstr(r.body, needle), "%s: the message does not name '%s': %.400s", bad_forms[_i].form,
                  bad_forms[_i].field, r.body);
    has(&r, bad_forms[_i].form, "id=\"error\"");
    http_resp_free(&r);
}
END_TEST

START_TEST(bad_form_bodies)
{
    struct http_resp r;
    char *big = malloc(70000);
    ck_assert(big);
    memset(big, 'a', 69999);
    big[69999] = '\0';
    ck_assert_int_eq(post_form(srv.port, big, &r), 0);
    ck_assert_msg(r.status == 413, "70 KB form: status %d", r.status);
    http_resp_free(&r);
    free(big);
    ck_assert_int_eq(http_request(srv.port, "POST", "/jobs", "application/json", "{}", 2, &r), 0);
    ck_assert_int_eq(r.status, 415);
    http_resp_free(&r);
    ck_assert_int_eq(post_form(srv.port, "", &r), 0);
    ck_assert_int_eq(r.status, 400);
    http_resp_free(&r);
    ck_assert_int_eq(post_form(srv.port, "trace=%zz&kind=%", &r), 0);
    ck_assert_msg(r.status == 400, "bad escapes: %d", r.status);
    http_resp_free(&r);
}
END_TEST

/* --- the Host check (DNS rebinding) --------------------------------------- */

/* One request with the given Host header (NULL: none, as HTTP/1.0 may). */
static int request_host(int port, const char *method, const char *path, const char *host, const char *ctype,
                        const void *body, size_t len, struct http_resp *r)
{
    char extra[512];
    int n = host ? snprintf(extra, sizeof extra, "Host: %s\r\n", host) : 0;
    if (ctype)
        snprintf(extra + n, sizeof extra - (size_t)n, "Content-Type: %s\r\n", ctype);
    int fd = http_connect(port);
    if (fd < 0)
        return -1;
    /* without a Host line of ours, http_send would add 127.0.0.1: send HTTP/1.0 by hand */
    int rc;
    if (host) {
        rc = http_send(fd, method, path, extra, body, len, false);
    } else {
        char head[256];
        int h = snprintf(head, sizeof head, "%s %s HTTP/1.0\r\n\r\n", method, path);
        rc = write(fd, head, (size_t)h) == h ? 0 : -1;
    }
    rc = rc == 0 ? http_recv(fd, r, !strcmp(method, "HEAD")) : -1;
    close(fd);
    return rc;
}

static size_t count_jobs(int port)
{
    struct http_resp r;
    ck_assert_int_eq(http_get(port, "/jobs", &r), 0);
    size_t n = 0;
    for (const char *p = r.body; (p = strstr(p, "<tr data-job=\"")); p++)
        n++;
    http_resp_free(&r);
    return n;
}

static void host_port(char *out, size_t size, const char *host, bool port, int n)
{
    if (port)
        snprintf(out, size, "%s:%d", host, n);
    else
        snprintf(out, size, "%s", host);
}

START_TEST(host_check)
{
    static const struct { const char *host; bool port; int status; } cases[] = {
        { "evil.example", true, 421 }, { "evil.example", false, 421 }, { "127.0.0.1.evil.example", true, 421 },
        { "localhost.evil.example", false, 421 }, { "10.0.0.1", true, 421 }, { "", false, 421 }, { "[::1", false, 421 },
        { "localhost:x", false, 421 }, { "127.0.0.1", true, 200 }, { "localhost", true, 200 }, { "LOCALHOST", false, 200 },
        { "localhost.", false, 200 }, { "[::1]", true, 200 }, { "127.1.2.3", false, 200 }, { "lab.localhost", true, 200 },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char host[128];
        host_port(host, sizeof host, cases[i].host, cases[i].port, srv.port);
        static const char *const paths[] = { "/", "/traces.json", "/jobs", "/upload", "/static/style.css" };
        for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
            struct http_resp r;
            ck_assert_msg(request_host(srv.port, "GET", paths[p], host, NULL, NULL, 0, &r) == 0, "Host %s: no answer",
                          host);
            ck_assert_msg(r.status == cases[i].status, "GET %s, Host '%s': status %d, want %d", paths[p], host,
                          r.status, cases[i].status);
            if (r.status == 421)
                ck_assert_msg(strstr(r.body, "not a name of this server"), "421 without a reason: %.300s", r.body);
            http_resp_free(&r);
        }
    }
    /* HTTP/1.0 without a Host: answered */
    struct http_resp r;
    ck_assert_int_eq(request_host(srv.port, "GET", "/jobs", NULL, NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);

    /* a rebound name changes nothing: no job, no upload */
    char evil[64];
    snprintf(evil, sizeof evil, "evil.example:%d", srv.port);
    size_t jobs = count_jobs(srv.port), uploads = count_uploads();
    const char *form = "trace=" SHIPPED "&kind=run";
    ck_assert_int_eq(request_host(srv.port, "POST", "/jobs", evil, "application/x-www-form-urlencoded", form,
                                  strlen(form), &r), 0);
    ck_assert_msg(r.status == 421, "POST /jobs from a rebound name: %d", r.status);
    http_resp_free(&r);
    size_t tlen, blen;
    char *trace = testenv_slurp(trace_path, &tlen), ctype[256];
    char *body = http_multipart("----rxsimHost", "file", "x.pcap", trace, tlen, &blen, ctype, sizeof ctype);
    ck_assert_int_eq(request_host(srv.port, "POST", "/upload", evil, ctype, body, blen, &r), 0);
    ck_assert_msg(r.status == 421, "POST /upload from a rebound name: %d", r.status);
    http_resp_free(&r);
    ck_assert_int_eq(request_host(srv.port, "GET", "/jobs/0123456789ab/status", evil, NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 421);
    http_resp_free(&r);
    ck_assert_uint_eq(count_jobs(srv.port), jobs);
    ck_assert_uint_eq(count_uploads(), uploads);

    /* --allow-host adds a name, and only that one */
    struct serve_proc q = { 0 };
    const char *extra[] = { "--allow-host", "lab.example", "--allow-host", "10.1.2.3", NULL };
    ck_assert_int_eq(serve_proc_start(&q, extra), 0);
    static const struct { const char *host; bool port; int status; } allowed[] = {
        { "lab.example", true, 200 }, { "LAB.example", false, 200 }, { "10.1.2.3", true, 200 }, { "localhost", true, 200 },
        { "evil.example", true, 421 }, { "lab.example.evil", true, 421 }, { "10.1.2.4", false, 421 },
    };
    for (size_t i = 0; i < ARRAY_LEN(allowed); i++) {
        char host[128];
        host_port(host, sizeof host, allowed[i].host, allowed[i].port, q.port);
        ck_assert_int_eq(request_host(q.port, "GET", "/", host, NULL, NULL, 0, &r), 0);
        ck_assert_msg(r.status == allowed[i].status, "--allow-host lab.example, Host '%s': %d, want %d", host,
                      r.status, allowed[i].status);
        http_resp_free(&r);
    }
    ck_assert_int_eq(serve_proc_stop(&q), 0);
    free(body);
    free(trace);
}
END_TEST

/* --- slow clients, the connection cap ------------------------------------ */

#define SLOW_CONNS 50
#define IDLE_CONNS 10
#define SLOW_TIMEOUT 3          /* --request-timeout of this server */
#define SLOW_CAP 56             /* --max-connections: 50 slow + 10 idle is 4 too many */

/* Reads what has arrived on fd (non-blocking) into buf at *len; true when the
 * server has closed (EOF or reset). */
static bool drain_closed(int fd, char *buf, size_t size, size_t *len)
{
    for (;;) {
        ssize_t n = recv(fd, buf + *len, size - 1 - *len, MSG_DONTWAIT);
        if (n > 0) {
            *len += (size_t)n;
            buf[*len] = '\0';
            if (*len + 1 >= size)
                *len = 0;
            continue;
        }
        return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }
}

/* 50 clients send a request head one byte a second (slowloris): each is
 * answered 408 and closed within --request-timeout of its first byte, while
 * a normal request is answered; past --max-connections a connection gets 503
 * at once; idle connections are closed after --request-timeout; then the
 * server answers again. */
START_TEST(slow_clients)
{
    struct serve_proc q = { 0 };
    const char *extra[] = { "--request-timeout", "3", "--max-connections", "56", NULL };
    ck_assert_int_eq(serve_proc_start(&q, extra), 0);
    static int slow[SLOW_CONNS], idle[IDLE_CONNS];
    static char got[SLOW_CONNS + IDLE_CONNS][512];
    size_t len[SLOW_CONNS + IDLE_CONNS] = { 0 };
    double closed_at[SLOW_CONNS + IDLE_CONNS] = { 0 };
    const char *trickle = "GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    double t0 = now_s();
    for (int i = 0; i < SLOW_CONNS; i++) {
        slow[i] = http_connect(q.port);
        ck_assert(slow[i] >= 0);
        ck_assert_int_eq(send(slow[i], trickle, 1, MSG_NOSIGNAL), 1);
    }
    /* a normal request while they trickle */
    struct http_resp r;
    ck_assert_int_eq(http_get(q.port, "/jobs", &r), 0);
    ck_assert_msg(r.status == 200, "a normal request among slow ones: %d", r.status);
    http_resp_free(&r);
    /* idle connections: past the cap, 503 at once */
    double t_idle = now_s();
    for (int i = 0; i < IDLE_CONNS; i++) {
        idle[i] = http_connect(q.port);
        ck_assert(idle[i] >= 0);
    }
    int sent = 1, open_conns = SLOW_CONNS + IDLE_CONNS, refused = 0;
    double last_byte = now_s();
    while (open_conns && now_s() - t0 < SLOW_TIMEOUT + 6) {
        bool tick = now_s() - last_byte >= 1.0;
        if (tick) {
            last_byte = now_s();
            sent++;
        }
        for (int i = 0; i < SLOW_CONNS + IDLE_CONNS; i++) {
            if (closed_at[i])
                continue;
            int fd = i < SLOW_CONNS ? slow[i] : idle[i - SLOW_CONNS];
            if (tick && i < SLOW_CONNS && (size_t)sent < strlen(trickle))
                (void)send(fd, trickle + sent - 1, 1, MSG_NOSIGNAL);
            if (drain_closed(fd, got[i], sizeof got[i], &len[i])) {
                closed_at[i] = now_s();
                open_conns--;
                close(fd);
            }
        }
        usleep(20000);
    }
    ck_assert_msg(open_conns == 0, "%d connections still open %.1f s after the first", open_conns, now_s() - t0);
    /* CI machines are slow (and ASan slower): a second and a half of slack */
    for (int i = 0; i < SLOW_CONNS; i++) {
        ck_assert_msg(closed_at[i] - t0 <= SLOW_TIMEOUT + 1.5, "slow client %d closed after %.1f s", i,
                      closed_at[i] - t0);
        ck_assert_msg(!strncmp(got[i], "HTTP/1.1 408 ", 13), "slow client %d: answered '%.40s'", i, got[i]);
    }
    for (int i = SLOW_CONNS; i < SLOW_CONNS + IDLE_CONNS; i++) {
        if (!strncmp(got[i], "HTTP/1.1 503 ", 13)) {
            refused++;
            ck_assert_msg(closed_at[i] - t_idle <= 1.0, "a refused connection closed after %.1f s",
                          closed_at[i] - t_idle);
        } else {
            ck_assert_msg(len[i] == 0, "idle connection %d: answered '%.40s'", i, got[i]);
            ck_assert_msg(closed_at[i] - t_idle <= SLOW_TIMEOUT + 1.5, "idle connection closed after %.1f s",
                          closed_at[i] - t_idle);
        }
    }
    ck_assert_msg(refused == SLOW_CONNS + IDLE_CONNS - SLOW_CAP, "%d connections refused, want %d", refused,
                  SLOW_CONNS + IDLE_CONNS - SLOW_CAP);
    printf("# rxsim serve: %d slowloris connections all closed with 408 within %.1f s (--request-timeout %d), "
           "%d of %d idle ones refused with 503 (--max-connections %d)\n", SLOW_CONNS, closed_at[SLOW_CONNS - 1] - t0,
           SLOW_TIMEOUT, refused, IDLE_CONNS, SLOW_CAP);
    /* all slots free again */
    ck_assert_int_eq(http_get(q.port, "/", &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_resp_free(&r);
    ck_assert_int_eq(serve_proc_stop(&q), 0);
}
END_TEST

/* A second server: one job at a time, one waiting; the third gets 503. */
START_TEST(queue_full)
{
    struct serve_proc q = { 0 };
    const char *extra[] = { "--max-jobs", "1", "--max-queue", "1", NULL };
    ck_assert_int_eq(serve_proc_start(&q, extra), 0);
    /* 60 combinations: long enough to still run when the third arrives */
    const char *form = "trace=" SHIPPED "&kind=compare&vary-csum=softirq&vary-csum=process&vary-csum=offload"
                       "&vary-recycle=none&vary-recycle=global&vary-recycle=percpu&vary-recycle=origin"
                       "&vary-recycle=ring&vary-irq=fixed%3A0&vary-irq=fixed%3A1&vary-irq=rr&vary-irq=rss";
    int status[3];
    char body3[4096] = "";
    for (int i = 0; i < 3; i++) {
        struct http_resp r;
        ck_assert_int_eq(post_form(q.port, form, &r), 0);
        status[i] = r.status;
        if (i == 2)
            snprintf(body3, sizeof body3, "%s", r.body);
        http_resp_free(&r);
    }
    ck_assert_msg(status[0] == 303 && status[1] == 303 && status[2] == 503, "statuses %d %d %d, want 303 303 503",
                  status[0], status[1], status[2]);
    ck_assert_msg(strstr(body3, "queue"), "503 page: %.300s", body3);
    /* the workers are the server's children (and theirs); SIGTERM ends them all */
    pid_t kids[64];
    size_t nk = serve_proc_children(&q, kids, 64);
    ck_assert_msg(nk >= 1, "no worker running");
    ck_assert_int_eq(serve_proc_stop(&q), 0);
    for (size_t i = 0; i < nk; i++) {
        bool gone = false;
        for (int t = 0; t < 200 && !gone; t++) {
            gone = kill(kids[i], 0) < 0 && errno == ESRCH;
            if (!gone)
                usleep(10000);
        }
        ck_assert_msg(gone, "worker %d still there after the server stopped", (int)kids[i]);
    }
}
END_TEST

/* --- cancelling -------------------------------------------------------- */

/* POST path with extra headers ("Name: value\r\n..."); a form body. */
static int post_with(int port, const char *path, const char *headers, const char *body, struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    int fd = http_connect(port);
    if (fd < 0)
        return -1;
    char extra[1024];
    snprintf(extra, sizeof extra, "Content-Type: application/x-www-form-urlencoded\r\n%s", headers ? headers : "");
    http_send(fd, "POST", path, extra, body, strlen(body), false);
    int rc = http_recv(fd, r, false);
    close(fd);
    return rc;
}

/* POSTs a job to server port; its id into id. */
static void submit(int port, const char *form, char id[13])
{
    struct http_resp r;
    ck_assert_int_eq(post_form(port, form, &r), 0);
    ck_assert_msg(r.status == 303, "POST /jobs %s: status %d: %.300s", form, r.status, r.body);
    char loc[128];
    ck_assert(http_header(&r, "Location", loc, sizeof loc) && strlen(loc) == 18);
    memcpy(id, loc + 6, 13);
    http_resp_free(&r);
}

static void job_state(int port, const char *id, char *state, size_t size)
{
    char path[64];
    struct http_resp r;
    snprintf(path, sizeof path, "/jobs/%s/status", id);
    ck_assert_int_eq(http_get(port, path, &r), 0);
    ck_assert_msg(r.status == 200, "%s: status %d", path, r.status);
    json_object *j = json_tokener_parse(r.body);
    ck_assert_msg(j, "%s: %.200s", path, r.body);
    snprintf(state, size, "%s", str(j, "state"));
    json_object_put(j);
    http_resp_free(&r);
}

/* Waits up to secs for job id to reach want; returns the last state seen. */
static const char *wait_state(int port, const char *id, const char *want, double secs, char *state, size_t size)
{
    double t0 = now_s();
    do {
        job_state(port, id, state, size);
        if (!strcmp(state, want))
            break;
        usleep(20000);
    } while (now_s() - t0 < secs);
    return state;
}

/* POST /jobs/ID/cancel with headers; returns the status, the body into r. */
static int cancel(int port, const char *id, const char *headers, struct http_resp *r)
{
    char path[64];
    snprintf(path, sizeof path, "/jobs/%s/cancel", id);
    ck_assert_msg(post_with(port, path, headers, "", r) == 0, "POST %s: no response", path);
    return r->status;
}

/* true when process pid's command line holds args ("\0run\0--json\0", n bytes). */
static bool cmdline_has(pid_t pid, const char *args, size_t n)
{
    char path[64], cmd[512];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(cmd, 1, sizeof cmd, f) : 0;
    if (f)
        fclose(f);
    return memmem(cmd, got, args, n) != NULL;
}

/* The server's child running `rxsim compare` (a job's worker), or 0. */
static pid_t compare_worker(const struct serve_proc *sp)
{
    pid_t kids[64];
    size_t n = serve_proc_children(sp, kids, 64);
    for (size_t i = 0; i < n; i++)
        if (cmdline_has(kids[i], "\0compare\0", 9))
            return kids[i];
    return 0;
}

/* How many of compare's own workers running rows are in group pgid (the
 * compare itself, the leader, is not one; nor are its quick `run --list`
 * checks).  Its workers are forked copies of it (sim/compare/compare_group.c)
 * or, for traces read from a pipe, `rxsim run --json ...` processes. */
static size_t compare_rows(pid_t pgid)
{
    pid_t pids[64];
    size_t n = serve_proc_group_alive(pgid, pids, 64), rows = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        rows += pids[i] != pgid && !cmdline_has(pids[i], "\0--list\0", 8);
    return rows;
}

START_TEST(job_cancel)
{
    struct serve_proc q = { 0 };
    testenv_mkdtemp(q.traces, sizeof q.traces);
    /* 512 KiB sent one byte per segment (786k frames, 65 MB of pcap) on 64
     * simulated CPUs: each run of the compare below takes ~0.8 s in a release
     * build (~3 s under ASan), far longer than a killed process takes to go
     * (SIGKILL, then a zombie within milliseconds), so a compare worker left
     * alive by the cancel is seen by the 0.25 s check below.  The 64-row job
     * lasts far longer than the few ms between its start and the cancel. */
    char big[1200];
    snprintf(big, sizeof big, "%s/long.pcap", q.traces);
    char *synth[] = { "synth", "-o", big, "--bytes", "512K", "--send-size", "1", NULL };
    ck_assert_int_eq(testenv_rxsim(synth, NULL, NULL), 0);
    const char *extra[] = { "--max-jobs", "1", "--max-queue", "4", NULL };
    ck_assert_int_eq(serve_proc_start(&q, extra), 0);
    const char *longf = "trace=traces:long.pcap&kind=compare&cpus=64&vary-csum=softirq&vary-csum=process&vary-seed="
                        "1%2C2%2C3%2C4%2C5%2C6%2C7%2C8%2C9%2C10%2C11%2C12%2C13%2C14%2C15%2C16%2C17%2C18%2C19%2C20"
                        "%2C21%2C22%2C23%2C24%2C25%2C26%2C27%2C28%2C29%2C30%2C31%2C32";
    const char *shortf = "trace=" SHIPPED "&kind=run";
    char a[13], b[13], c[13], st[32], path[128], hdr[256];
    submit(q.port, longf, a);       /* runs */
    submit(q.port, shortf, b);      /* waits behind a, runs once a is cancelled */
    submit(q.port, shortf, c);      /* cancelled while queued */
    ck_assert_msg(!strcmp(wait_state(q.port, a, "running", 10, st, sizeof st), "running"), "job a: %s", st);
    job_state(q.port, b, st, sizeof st);
    ck_assert_msg(!strcmp(st, "queued"), "job b: %s, want queued", st);

    /* the button, while queued or running */
    struct http_resp r;
    const char *ids[] = { a, c };
    for (size_t i = 0; i < 2; i++) {
        char form[160];
        snprintf(path, sizeof path, "/jobs/%s", ids[i]);
        snprintf(form, sizeof form, "<form id=\"cancel-form\" method=\"post\" action=\"/jobs/%s/cancel\">"
                 "<button id=\"cancel\">cancel</button>", ids[i]);
        ck_assert_int_eq(http_get(q.port, path, &r), 0);
        has(&r, path, form);
        http_resp_free(&r);
    }

    /* cross-site: refused, nothing changes; on /jobs too */
    static const char *const cross[] = {
        "Origin: http://evil.example\r\n", "Origin: null\r\n", "Origin: http://127.0.0.1.evil.example\r\n",
        "Origin: https://127.0.0.1\r\n", "Sec-Fetch-Site: cross-site\r\n",
        "Sec-Fetch-Site: same-site\r\nOrigin: http://127.0.0.1:1\r\n",     /* another port of this host */
    };
    for (size_t i = 0; i < ARRAY_LEN(cross); i++) {
        ck_assert_msg(cancel(q.port, c, cross[i], &r) == 403, "cancel with %s: status %d", cross[i], r.status);
        has(&r, cross[i], "id=\"error\"");
        http_resp_free(&r);
        ck_assert_int_eq(post_with(q.port, "/jobs", cross[i], shortf, &r), 0);
        ck_assert_msg(r.status == 403, "POST /jobs with %s: status %d", cross[i], r.status);
        http_resp_free(&r);
    }
    job_state(q.port, c, st, sizeof st);
    ck_assert_msg(!strcmp(st, "queued"), "job c after cross-site cancels: %s", st);

    /* a queued job, from our own origin, asking for JSON */
    snprintf(hdr, sizeof hdr, "Origin: http://127.0.0.1:%d\r\nAccept: application/json\r\n", q.port);
    ck_assert_msg(cancel(q.port, c, hdr, &r) == 200, "cancel queued: status %d: %.300s", r.status, r.body);
    json_object *doc = json_tokener_parse(r.body);
    ck_assert_msg(doc && !strcmp(str(doc, "state"), "cancelled") && !strcmp(str(doc, "id"), c), "%.200s", r.body);
    json_object_put(doc);
    http_resp_free(&r);
    job_state(q.port, c, st, sizeof st);
    ck_assert_str_eq(st, "cancelled");
    job_state(q.port, a, st, sizeof st);
    ck_assert_msg(!strcmp(st, "running"), "job a: %s after cancelling c", st);

    /* the running compare: its worker and the compare's own workers, one
     * process group; wait until compare's workers are running rows */
    pid_t leader = 0;
    size_t rows = 0, group;
    for (double t0 = now_s(); now_s() - t0 < 60 && !rows; usleep(5000))
        if (leader || (leader = compare_worker(&q)))
            rows = compare_rows(leader);
    ck_assert_msg(leader > 0 && rows > 0, "no compare worker running rows (leader %d)", (int)leader);
    ck_assert_msg(cancel(q.port, a, NULL, &r) == 303, "cancel running: status %d: %.300s", r.status, r.body);
    char loc[128];
    snprintf(path, sizeof path, "/jobs/%s", a);
    ck_assert_msg(http_header(&r, "Location", loc, sizeof loc) && !strcmp(loc, path), "Location %s", loc);
    http_resp_free(&r);
    double t_cancel = now_s();
    ck_assert_msg(!strcmp(wait_state(q.port, a, "cancelled", 5, st, sizeof st), "cancelled"), "job a: %s", st);
    while ((group = serve_proc_group_alive(leader, NULL, 0)) && now_s() - t_cancel < 0.25)
        usleep(5000);
    ck_assert_msg(group == 0, "%zu processes of cancelled job a's group still alive after 0.25 s", group);
    /* reaped by the server, and the slot went to b */
    ck_assert_msg(!strcmp(wait_state(q.port, b, "done", 60, st, sizeof st), "done"), "job b: %s, want done", st);
    ck_assert_msg(compare_worker(&q) != leader && kill(leader, 0) < 0, "worker %d of job a not reaped",
                  (int)leader);

    /* nothing of a is offered: no downloads, no files */
    ck_assert_int_eq(http_get(q.port, path, &r), 0);
    char span[128];
    snprintf(span, sizeof span, "<span id=\"job-state\" data-job=\"%s\">cancelled</span>", a);
    has(&r, path, span);
    has(&r, path, "id=\"job-cancelled\"");
    ck_assert_msg(!strstr(r.body, "cancel-form") && !strstr(r.body, "download-"), "%s: %.2000s", path, r.body);
    http_resp_free(&r);
    static const char *const files[] = { "report.json", "report.csv", "chart/bars-goodput.svg" };
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        snprintf(path, sizeof path, "/jobs/%s/%s", a, files[i]);
        ck_assert_int_eq(http_get(q.port, path, &r), 0);
        ck_assert_msg(r.status == 404, "%s: status %d", path, r.status);
        http_resp_free(&r);
    }
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/jobs/%s", q.workdir, a);
    ck_assert_msg(access(dir, F_OK) < 0, "%s still there", dir);
    ck_assert_int_eq(http_get(q.port, "/jobs", &r), 0);
    has(&r, "/jobs", "<td class=\"state-cancelled\">cancelled</td>");
    http_resp_free(&r);

    /* finished: 409, whichever way it finished */
    const char *const fin[] = { a, b, c };
    for (size_t i = 0; i < 3; i++) {
        ck_assert_msg(cancel(q.port, fin[i], NULL, &r) == 409, "cancel finished %s: status %d", fin[i], r.status);
        has(&r, fin[i], i == 1 ? "is done" : "is cancelled");
        http_resp_free(&r);
    }
    ck_assert_int_eq(cancel(q.port, b, "Accept: application/json\r\n", &r), 409);
    doc = json_tokener_parse(r.body);
    ck_assert_msg(doc && i64(doc, "status") == 409, "JSON 409: %.200s", r.body);
    json_object_put(doc);
    http_resp_free(&r);
    /* unknown ids: 404; GET: 405 with Allow */
    static const char *const unknown[] = { "0123456789ab", "zzz", "0123456789AB" };
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        ck_assert_int_eq(cancel(q.port, unknown[i], NULL, &r), 404);
        http_resp_free(&r);
    }
    snprintf(path, sizeof path, "/jobs/%s/cancel", b);
    ck_assert_int_eq(http_get(q.port, path, &r), 0);
    char allow[64];
    ck_assert_msg(r.status == 405 && http_header(&r, "Allow", allow, sizeof allow) && !strcmp(allow, "POST"),
                  "GET %s: status %d", path, r.status);
    http_resp_free(&r);

    ck_assert_int_eq(serve_proc_stop(&q), 0);
}
END_TEST

START_TEST(cli_errors)
{
    char *a1[] = { "serve", "--listen", "nonsense", NULL };
    ck_assert_int_eq(testenv_rxsim(a1, NULL, NULL), 2);
    char *a2[] = { "serve", "--max-jobs", "0", NULL };
    ck_assert_int_eq(testenv_rxsim(a2, NULL, NULL), 2);
    char *a3[] = { "serve", "--max-upload", "12Q", NULL };
    ck_assert_int_eq(testenv_rxsim(a3, NULL, NULL), 2);
    char *a4[] = { "serve", "--traces", "/nonexistent/dir", NULL };
    ck_assert_int_eq(testenv_rxsim(a4, NULL, NULL), 2);
    char tmp[4096], err[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    /* the port the test server holds: bind fails, exit 3, the message says where */
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", srv.port);
    char *a5[] = { "serve", "--listen", listen, "--workdir", tmp, NULL };
    ck_assert_int_eq(testenv_rxsim(a5, NULL, err), 3);
    char *e = testenv_slurp(err, NULL);
    ck_assert_msg(e && strstr(e, "cannot listen on") && strstr(e, listen), "bind error: %s", e);
    free(e);
    char *a7[] = { "serve", "--allow-host", "a b", NULL };
    ck_assert_int_eq(testenv_rxsim(a7, NULL, NULL), 2);
    char *a6[] = { "serve", "--help", NULL };
    ck_assert_int_eq(testenv_rxsim(a6, NULL, NULL), 0);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *d = testenv_slurp(from, &n);
    FILE *f = fopen(to, "wb");
    if (!d || !f || fwrite(d, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot copy %s to %s\n", from, to);
        exit(1);
    }
    free(d);
}

int main(void)
{
    testenv_path(trace_path, sizeof trace_path, "traces/data/bulk-v4-256k.pcap");
    if (access(trace_path, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-256k.pcap missing");
    signal(SIGPIPE, SIG_IGN);
    testenv_mkdtemp(srv.traces, sizeof srv.traces);
    char mine[1200];
    snprintf(mine, sizeof mine, "%s/mine.pcap", srv.traces);
    copy_file(trace_path, mine);
    snprintf(mine, sizeof mine, "%s/broken.pcap", srv.traces);
    FILE *bf = fopen(mine, "w");       /* a --traces file that is no capture (job_fails) */
    if (!bf || fputs("this is not a capture file\n", bf) < 0 || fclose(bf) != 0) {
        printf("Bail out! cannot write %s\n", mine);
        return 1;
    }
    const char *extra[] = { "--max-upload", "1M", NULL };
    if (serve_proc_start(&srv, extra) < 0) {
        printf("Bail out! cannot start rxsim serve\n");
        return 1;
    }

    Suite *s = suite_create("serve");
    TCase *tc = tcase_create("serve");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, index_page);
    tcase_add_test(tc, other_pages);
    tcase_add_loop_test(tc, paths_not_found, 0, (int)ARRAY_LEN(not_found));
    tcase_add_test(tc, wrong_methods);
    tcase_add_loop_test(tc, upload_accepted, 0, (int)ARRAY_LEN(evil_names));
    tcase_add_loop_test(tc, upload_refused, 0, (int)ARRAY_LEN(refusals));
    tcase_add_test(tc, upload_name_not_utf8);
    tcase_add_test(tc, upload_spool_header_forged);
    tcase_add_test(tc, job_run);
    tcase_add_test(tc, job_flagged_says_not_meaningful);
    tcase_add_test(tc, job_compare);
    tcase_add_test(tc, job_fails);
    tcase_add_loop_test(tc, bad_form_values, 0, (int)ARRAY_LEN(bad_forms));
    tcase_add_test(tc, bad_form_bodies);
    tcase_add_test(tc, host_check);
    tcase_add_test(tc, slow_clients);
    tcase_add_test(tc, queue_full);
    tcase_add_test(tc, job_cancel);
    tcase_add_test(tc, cli_errors);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);

    /* still alive after all of it, then a clean exit on SIGTERM */
    struct http_resp r;
    bool alive = http_get(srv.port, "/", &r) == 0 && r.status == 200;
    http_resp_free(&r);
    int st = serve_proc_stop(&srv);
    if (!alive || st != 0) {
        fprintf(stderr, "# server: alive at the end %s, exit status %d (log %s)\n", alive ? "yes" : "no", st,
                srv.log);
        rc = 1;
    }
    return rc;
}
