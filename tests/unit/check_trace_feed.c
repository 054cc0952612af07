/* tests/unit/check_trace_feed.c: traces/trace_feed.c, one reading of a trace
 * shared by many handles (rxsim compare's rows in one process).
 *
 * Each case writes a capture (warnings beyond the shown ten, a truncated
 * record, a --filter), reads it through a plain handle, then through three
 * handles on one feed read interleaved, each with stderr sent to its own file
 * while it reads (as compare switches stderr per row), with the window
 * released as they go.  Every handle must see what the plain one saw: the
 * same records (number, offset, time, lengths, bytes), end status and error
 * text, record and warning counts, and the same stderr, byte for byte.  The
 * host guess on a feed handle gives the plain handle's answer and lines,
 * without pulling records into the window.  Messages name the case. */
#include <check.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/nic_trace.h"
#include "tests/common/pkt.h"
#include "tests/common/testenv.h"
#include "traces/trace.h"
#include "traces/trace_feed.h"

#define NREC 40
#define MAXREC 64
#define HANDLES 3

static char tmpdir[4096];

struct seen {                           /* what one handle read */
    struct trace_record rec[MAXREC];
    uint32_t sum[MAXREC];               /* of each record's bytes */
    int n, rc;
    char err[768];
    uint64_t records, warnings;
    int err_fd;                         /* its stderr while it reads */
};

static void path_of(char *buf, size_t size, const char *name)
{
    if (!tmpdir[0])
        testenv_mkdtemp(tmpdir, sizeof tmpdir);
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* NREC frames; every third stamped before the previous one (a warning each),
 * every fifth to port 80 (what the filter case keeps). */
static void write_trace(const char *path)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_MICRO);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    ck_assert_ptr_nonnull(d);
    uint8_t frame[256], payload[100];
    for (int i = 0; i < NREC; i++) {
        for (size_t k = 0; k < sizeof payload; k++)
            payload[k] = (uint8_t)(i * 31 + k);
        struct pkt_spec s = { .sport = 40000, .dport = i % 5 ? 5001 : 80, .seq = 1000u + (uint32_t)i * 100,
                              .payload = payload, .len = sizeof payload };
        size_t n = pkt_build(frame, sizeof frame, &s);
        struct pcap_pkthdr h = { .caplen = (uint32_t)n, .len = (uint32_t)n };
        h.ts.tv_sec = 100 + i - (i % 3 == 2 ? 2 : 0);
        pcap_dump((u_char *)d, &h, frame);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

static const struct {
    const char *name;
    long cut;                           /* bytes kept (0: whole file) */
    const char *filter;
} cases[] = {
    { "warnings beyond the shown ten", 0, NULL },
    { "truncated mid-record", 24 + 20 * (16 + 154) + 60, NULL },
    { "--filter port 80", 0, "port 80" },
};

static int open_err_file(const char *name)
{
    char path[4200];
    path_of(path, sizeof path, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    return fd;
}

static char *slurp_fd(int fd)
{
    off_t n = lseek(fd, 0, SEEK_END);
    char *b = calloc(1, (size_t)n + 1);
    ck_assert_int_eq(pread(fd, b, (size_t)n, 0), n);
    return b;
}

/* Runs one step of reading with stderr going to s->err_fd. */
static int saved_fd = -1;
static void to(const struct seen *s)
{
    fflush(stderr);
    if (saved_fd < 0)
        saved_fd = dup(2);
    dup2(s->err_fd, 2);
}

static void back(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
}

/* One more record of t into s; false at its end. */
static bool step(struct trace *t, struct seen *s)
{
    struct trace_record r;
    struct trace_err err;
    to(s);
    int rc = trace_next(t, &r, &err);
    back();
    if (rc != 1) {
        s->rc = rc;
        if (rc < 0)
            snprintf(s->err, sizeof s->err, "%s", err.msg);
        s->records = trace_records_read(t);
        s->warnings = trace_warnings(t);
        return false;
    }
    ck_assert_int_lt(s->n, MAXREC);
    s->rec[s->n] = r;
    uint32_t sum = 0;
    for (uint32_t k = 0; k < r.caplen; k++)
        sum = sum * 31 + r.data[k];
    s->sum[s->n++] = sum;
    return true;
}

static int took_count;
static void took(void *ctx, struct trace *t, uint64_t pos)
{
    (void)ctx, (void)t, (void)pos;
    if (++took_count % 4 == 0)
        trace_feeds_release();          /* as compare does between turns */
}

static void same_as(const struct seen *a, const struct seen *b, const char *what, int h)
{
    ck_assert_msg(a->n == b->n && a->rc == b->rc, "%s, handle %d: %d records, end %d; alone %d, %d", what, h, b->n,
                  b->rc, a->n, a->rc);
    for (int i = 0; i < a->n; i++)
        ck_assert_msg(a->rec[i].index == b->rec[i].index && a->rec[i].offset == b->rec[i].offset &&
                          a->rec[i].ts_ns == b->rec[i].ts_ns && a->rec[i].caplen == b->rec[i].caplen &&
                          a->rec[i].wirelen == b->rec[i].wirelen && a->sum[i] == b->sum[i],
                      "%s, handle %d: record %d differs", what, h, i);
    ck_assert_msg(!strcmp(a->err, b->err), "%s, handle %d: error '%s', alone '%s'", what, h, b->err, a->err);
    ck_assert_msg(a->records == b->records && a->warnings == b->warnings,
                  "%s, handle %d: %llu records %llu warnings; alone %llu, %llu", what, h,
                  (unsigned long long)b->records, (unsigned long long)b->warnings, (unsigned long long)a->records,
                  (unsigned long long)a->warnings);
    char *ea = slurp_fd(a->err_fd), *eb = slurp_fd(b->err_fd);
    ck_assert_msg(!strcmp(ea, eb), "%s, handle %d: stderr\n%s\nalone\n%s", what, h, eb, ea);
    free(ea);
    free(eb);
}

START_TEST(feed_handles_read_as_alone)
{
    char path[4200];
    path_of(path, sizeof path, "feed.pcap");
    write_trace(path);
    if (cases[_i].cut)
        ck_assert_int_eq(truncate(path, cases[_i].cut), 0);
    struct trace_err err;

    static struct seen alone, h[HANDLES];
    memset(&alone, 0, sizeof alone);
    alone.err_fd = open_err_file("alone.err");
    to(&alone);
    struct trace *t = trace_open(path, cases[_i].filter, &err);
    back();
    ck_assert_msg(t != NULL, "%s: %s", cases[_i].name, err.msg);
    while (step(t, &alone))
        ;
    to(&alone);
    trace_close(t);
    back();
    ck_assert_msg(alone.warnings > 10 || cases[_i].cut || cases[_i].filter, "%s: only %llu warnings",
                  cases[_i].name, (unsigned long long)alone.warnings);

    took_count = 0;
    trace_feeds_start(&(struct trace_feed_hooks){ .took = took });
    struct trace *ht[HANDLES];
    bool open[HANDLES];
    for (int k = 0; k < HANDLES; k++) {
        memset(&h[k], 0, sizeof h[k]);
        char name[32];
        snprintf(name, sizeof name, "h%d.err", k);
        h[k].err_fd = open_err_file(name);
        to(&h[k]);
        ht[k] = trace_open(path, cases[_i].filter, &err);
        back();
        ck_assert_msg(ht[k] != NULL, "%s: %s", cases[_i].name, err.msg);
        open[k] = true;
    }
    /* Interleaved, at different paces: handle k takes k + 1 records a turn. */
    for (int left = HANDLES; left > 0;)
        for (int k = 0; k < HANDLES; k++)
            for (int s = 0; s <= k && open[k]; s++)
                if (!step(ht[k], &h[k])) {
                    to(&h[k]);
                    trace_close(ht[k]);
                    back();
                    open[k] = false;
                    left--;
                }
    trace_feeds_stop();
    for (int k = 0; k < HANDLES; k++) {
        same_as(&alone, &h[k], cases[_i].name, k);
        close(h[k].err_fd);
    }
    close(alone.err_fd);
}
END_TEST

START_TEST(guess_once_per_feed)
{
    char path[4200];
    path_of(path, sizeof path, "guess.pcap");
    write_trace(path);
    struct trace_err err;
    struct seen alone = { .err_fd = open_err_file("guess-alone.err") };
    struct nic_trace_guess g0, g[2];
    to(&alone);
    struct trace *t = trace_open(path, NULL, &err);
    int rc0 = nic_trace_guess_host(t, &g0);
    trace_close(t);
    back();
    trace_feeds_start(NULL);
    for (int k = 0; k < 2; k++) {
        struct seen s = { .err_fd = open_err_file(k ? "guess-1.err" : "guess-0.err") };
        to(&s);
        t = trace_open(path, NULL, &err);
        int rc = nic_trace_guess_host(t, &g[k]);
        trace_close(t);
        back();
        ck_assert_msg(rc == rc0 && !memcmp(&g[k], &g0, sizeof g0), "asker %d: another guess than alone", k);
        ck_assert_msg(trace_feeds_held() == 0, "asker %d: the guess pulled %zu bytes into the window", k,
                      trace_feeds_held());
        char *ea = slurp_fd(alone.err_fd), *eb = slurp_fd(s.err_fd);
        ck_assert_msg(!strcmp(ea, eb), "asker %d: stderr\n%s\nalone\n%s", k, eb, ea);
        free(ea);
        free(eb);
        close(s.err_fd);
    }
    trace_feeds_stop();
    ck_assert_msg(rc0 == 0 && !strcmp(g0.text, "10.0.0.2"), "guessed %s", g0.text);
    close(alone.err_fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace_feed");
    TCase *tc = tcase_create("trace_feed");
    tcase_add_loop_test(tc, feed_handles_read_as_alone, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, guess_once_per_feed);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
