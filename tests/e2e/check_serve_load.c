/* tests/e2e/check_serve_load.c: a bounded request loop against rxsim serve
 * on loopback: the server answers every request, and its memory does not
 * grow.
 *
 * LOAD_REQUESTS requests (after LOAD_WARMUP of warm-up) cycle through a mix:
 * GET /, a static asset, GET /jobs, /traces.json, an unknown path (404), a
 * bad form POST (400), a small non-pcap upload (415), a truncated multipart
 * (400), a wrong method (405); three in four go over one keep-alive
 * connection, one in four over a new connection.  Every response must have
 * the expected status ("errors" counts those that do not, or get none).  The
 * server's VmRSS after the loop must stay within LOAD_RSS_SLACK_KIB of its
 * value after the warm-up.  The figures go to the TAP output as comments
 * (docs/performance.md records them). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/http_client.h"
#include "tests/common/serve_proc.h"
#include "tests/common/testenv.h"

#define LOAD_REQUESTS 20000
#define LOAD_WARMUP 2000
/* A leak of 100 bytes a request would add 2 MB.  Under ASan, the allocator's
 * size-class regions and its 4 MB quarantine (serve_proc.c) move VmRSS by a
 * megabyte or two without any leak, so it gets more room (still catching
 * 300 bytes a request). */
#if defined(__SANITIZE_ADDRESS__)
#define LOAD_RSS_SLACK_KIB 6144
#else
#define LOAD_RSS_SLACK_KIB 2048
#endif

static struct serve_proc srv;

struct req {
    const char *method, *path, *ctype;
    const char *body;           /* a C string: its length is strlen's */
    int status;
};

static char upload_body[512], upload_ctype[128], trunc_body[512];

static struct req mix[] = {
    { "GET", "/", NULL, NULL, 200 },
    { "GET", "/static/style.css", NULL, NULL, 200 },
    { "GET", "/jobs", NULL, NULL, 200 },
    { "GET", "/traces.json", NULL, NULL, 200 },
    { "GET", "/no/such/page", NULL, NULL, 404 },
    { "POST", "/jobs", "application/x-www-form-urlencoded", "trace=shipped%3Abulk-v4-256k.pcap&kind=run&csum=bogus", 400 },
    { "POST", "/upload", upload_ctype, upload_body, 415 },
    { "POST", "/upload", upload_ctype, trunc_body, 400 },
    { "GET", "/static/serve.js", NULL, NULL, 200 },
    { "DELETE", "/", NULL, NULL, 405 },
    { "GET", "/jobs/0123456789ab/status", NULL, NULL, 404 },
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* n requests; returns the number of errors (wrong or no response). */
static long loop(long n, long *reconnects)
{
    long errors = 0;
    int ka = -1;
    for (long i = 0; i < n; i++) {
        struct req *q = &mix[i % (long)ARRAY_LEN(mix)];
        size_t len = q->body ? strlen(q->body) : 0;
        struct http_resp r;
        int rc;
        if (i % 4 == 3) {
            rc = http_request(srv.port, q->method, q->path, q->ctype, q->body, len, &r);
        } else {
            if (ka < 0) {
                ka = http_connect(srv.port);
                (*reconnects)++;
            }
            char extra[256] = "";
            if (q->ctype)
                snprintf(extra, sizeof extra, "Content-Type: %s\r\n", q->ctype);
            rc = ka < 0 ? -1 : http_send(ka, q->method, q->path, extra, q->body, len, true);
            if (rc == 0)
                rc = http_recv(ka, &r, false);
            else
                memset(&r, 0, sizeof r);
            if (rc < 0 || r.closed) {
                if (ka >= 0)
                    close(ka);
                ka = -1;
            }
        }
        if (rc < 0 || r.status != q->status) {
            if (errors < 5)
                fprintf(stderr, "# request %ld %s %s: %s %d, want %d\n", i, q->method, q->path,
                        rc < 0 ? "no response," : "status", r.status, q->status);
            errors++;
        }
        http_resp_free(&r);
    }
    if (ka >= 0)
        close(ka);
    return errors;
}

START_TEST(bounded_loop)
{
    long reconnects = 0;
    long warm_errors = loop(LOAD_WARMUP, &reconnects);
    ck_assert_msg(warm_errors == 0, "%ld errors in the warm-up", warm_errors);
    long rss0 = serve_proc_rss_kib(&srv);
    ck_assert_msg(rss0 > 0, "cannot read the server's VmRSS");
    reconnects = 0;
    double t0 = now_s();
    long errors = loop(LOAD_REQUESTS, &reconnects);
    double dt = now_s() - t0;
    long rss1 = serve_proc_rss_kib(&srv);
    printf("# rxsim serve load: %d requests (%zu kinds, 3 in 4 keep-alive), %ld errors, %.1f s, %.0f req/s, "
           "%ld keep-alive connections; VmRSS %ld KiB after %d warm-up requests, %ld KiB after the loop (%+ld KiB)\n",
           LOAD_REQUESTS, ARRAY_LEN(mix), errors, dt, LOAD_REQUESTS / dt, reconnects, rss0, LOAD_WARMUP, rss1,
           rss1 - rss0);
    fflush(stdout);
    ck_assert_msg(errors == 0, "%ld of %d requests failed", errors, LOAD_REQUESTS);
    ck_assert_msg(rss1 >= 0 && rss1 - rss0 <= LOAD_RSS_SLACK_KIB, "VmRSS grew from %ld to %ld KiB", rss0, rss1);
}
END_TEST

int main(void)
{
    char trace[4096];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    if (access(trace, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-256k.pcap missing");
    signal(SIGPIPE, SIG_IGN);
    size_t blen;
    char *b = http_multipart("loadBoundary", "file", "notes.txt", "this is not a capture file, not at all", 38, &blen,
                             upload_ctype, sizeof upload_ctype);
    if (!b || blen >= sizeof upload_body)
        return 1;
    memcpy(upload_body, b, blen + 1);
    memcpy(trunc_body, b, blen - 20);           /* no close delimiter */
    trunc_body[blen - 20] = '\0';
    free(b);
    if (serve_proc_start(&srv, NULL) < 0) {
        printf("Bail out! cannot start rxsim serve\n");
        return 1;
    }
    Suite *s = suite_create("serve_load");
    TCase *tc = tcase_create("serve_load");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bounded_loop);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    int st = serve_proc_stop(&srv);
    if (st != 0) {
        fprintf(stderr, "# server exit status %d (log %s)\n", st, srv.log);
        rc = 1;
    }
    return rc;
}
