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
 * value after the warm-up.
 *
 * Then UPLOADS uploads of UPLOAD_MIB MiB each (a pcap generated here), sent
 * at once over as many connections, a MiB to each in turn: all are stored
 * byte for byte, and the server's peak RSS (VmHWM) grows by less than
 * UPLOAD_HWM_SLACK_MIB, a fraction of the UPLOADS x UPLOAD_MIB sent (uploads
 * go to disk as they arrive; they were buffered whole in memory before).
 * The figures go to the TAP output as comments (docs/performance.md records
 * them). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <dirent.h>
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

#define UPLOADS 4
#define UPLOAD_MIB 20
#define UPLOAD_HWM_SLACK_MIB 16

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

/* A pcap of about mib MiB: Ethernet frames of 1514 bytes, deterministic
 * bytes (the trace reader opens it; nothing here needs it to be TCP). */
static unsigned char *make_pcap(size_t mib, size_t *len)
{
    size_t rec = 16 + 1514, n = (mib << 20) / rec, total = 24 + n * rec;
    unsigned char *p = malloc(total);
    ck_assert(p);
    static const unsigned char ghdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                            0xff, 0xff, 0, 0, 1, 0, 0, 0 };
    memcpy(p, ghdr, 24);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        unsigned char *r = p + 24 + i * rec;
        uint32_t h[4] = { (uint32_t)i, 0, 1514, 1514 };
        memcpy(r, h, 16);
        for (size_t j = 0; j < 1514; j++)
            r[16 + j] = (unsigned char)((x = x * 1103515245u + 12345u) >> 24);
    }
    *len = total;
    return p;
}

static int send_all_fd(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

START_TEST(concurrent_uploads_on_disk)
{
    struct serve_proc q = { 0 };
    const char *extra[] = { "--max-upload", "32M", NULL };
    ck_assert_int_eq(serve_proc_start(&q, extra), 0);
    size_t plen, blen;
    unsigned char *pcap = make_pcap(UPLOAD_MIB, &plen);
    char ctype[256], head[512];
    unsigned char *body = (unsigned char *)http_multipart("----rxsimBig", "file", "big.pcap", pcap, plen, &blen,
                                                          ctype, sizeof ctype);
    ck_assert(body);
    /* one small request first, so that the baseline is a server that has answered */
    struct http_resp r;
    ck_assert_int_eq(http_get(q.port, "/", &r), 0);
    http_resp_free(&r);
    long hwm0 = serve_proc_hwm_kib(&q);
    ck_assert(hwm0 > 0);
    int fd[UPLOADS];
    snprintf(head, sizeof head, "Content-Type: %s\r\n", ctype);
    for (int i = 0; i < UPLOADS; i++) {
        fd[i] = http_connect(q.port);
        ck_assert(fd[i] >= 0);
        /* the head only (body NULL, Content-Length blen); the body follows in turns */
        ck_assert_int_eq(http_send(fd[i], "POST", "/upload", head, NULL, blen, false), 0);
    }
    double t0 = now_s();
    for (size_t off = 0; off < blen; off += 1 << 20)
        for (int i = 0; i < UPLOADS; i++)
            ck_assert_int_eq(send_all_fd(fd[i], body + off, blen - off < (1 << 20) ? blen - off : 1 << 20), 0);
    for (int i = 0; i < UPLOADS; i++) {
        ck_assert_int_eq(http_recv(fd[i], &r, false), 0);
        ck_assert_msg(r.status == 303, "upload %d: status %d: %.300s", i, r.status, r.body ? r.body : "");
        http_resp_free(&r);
        close(fd[i]);
    }
    double dt = now_s() - t0;
    long hwm1 = serve_proc_hwm_kib(&q);
    printf("# rxsim serve: %d concurrent uploads of %zu bytes (%.0f MiB in all) in %.2f s; server VmHWM %ld KiB "
           "before, %ld KiB after (%+ld KiB)\n", UPLOADS, plen, UPLOADS * plen / 1048576.0, dt, hwm0, hwm1,
           hwm1 - hwm0);
    fflush(stdout);
    ck_assert_msg(hwm1 - hwm0 < UPLOAD_HWM_SLACK_MIB * 1024, "peak RSS grew by %ld KiB for %d uploads of %zu bytes",
                  hwm1 - hwm0, UPLOADS, plen);

    /* each stored byte for byte, and no spool file left */
    char dir[1100], path[1400];
    snprintf(dir, sizeof dir, "%s/uploads", q.workdir);
    DIR *d = opendir(dir);
    ck_assert(d);
    int stored = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        ck_assert_msg(e->d_name[0] != '.', "%s left in uploads/", e->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t n;
        char *got = testenv_slurp(path, &n);
        ck_assert_msg(got && n == plen && !memcmp(got, pcap, plen), "%s: not the bytes uploaded (%zu bytes)",
                      e->d_name, n);
        free(got);
        stored++;
    }
    closedir(d);
    ck_assert_int_eq(stored, UPLOADS);
    ck_assert_int_eq(serve_proc_stop(&q), 0);
    free(body);
    free(pcap);
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
    tc = tcase_create("uploads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_uploads_on_disk);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    int st = serve_proc_stop(&srv);
    if (st != 0) {
        fprintf(stderr, "# server exit status %d (log %s)\n", st, srv.log);
        rc = 1;
    }
    return rc;
}
