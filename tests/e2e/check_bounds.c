/* tests/e2e/check_bounds.c: bounded resources under hostile traces made
 * here at run time (tests/common/flood.h), issue 10 items 11 and 13.
 *
 * - inspect --json streams its report: over 100k connections that each end
 *   (SYN, then RST), peak RSS stays flat (the whole JSON tree took ~11 KB per
 *   connection), and a smaller flood's report still lists every connection
 *   once, with every field, as valid JSON.
 * - A SYN flood beyond --max-conns: the extra connections are refused and
 *   counted as conn_table_full, in inspect and in run, exactly as many as the
 *   test computes; none is evicted.
 * - Connections behind holes beyond --ooo-budget: the pieces over the shared
 *   budget are dropped as tcp_ooo_budget, exactly as many as the test
 *   computes from the per-piece charge, in inspect and in run; RSS bounded.
 * Peak RSS is the child's ru_maxrss (wait4). */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netstack/tcp_reasm.h"
#include "tests/common/flood.h"
#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static char tmpdir[4096];

/* Runs rxsim with args, stdout to out (NULL: /dev/null); returns the exit
 * status and the child's peak RSS in KiB. */
static int rxsim_rss(char *const *args, const char *out, long *rss_kib)
{
    char *argv[48];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    for (int i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *o = freopen(out ? out : "/dev/null", "w", stdout);
        FILE *e = freopen("/dev/null", "w", stderr);
        (void)o, (void)e;
        /* ASan keeps freed memory in quarantine; a small one shows the real peak. */
        setenv("ASAN_OPTIONS", "quarantine_size_mb=8:detect_leaks=1", 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
    *rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void make_flood(char *path, size_t size, const char *name, struct flood_spec spec)
{
    snprintf(path, size, "%s/%s.pcap", tmpdir, name);
    ck_assert_msg(flood_write(path, &spec) == 0, "cannot write %s", path);
}

static json_object *parse(const char *path)
{
    json_object *o = json_object_from_file(path);
    ck_assert_msg(o != NULL, "%s does not parse as JSON", path);
    return o;
}

static int64_t drop(json_object *report, const char *stack_key, const char *reason)
{
    return i64(get(get(report, stack_key), "drops"), reason);
}

/* 100k connections that all end: memory must not follow them. */
START_TEST(inspect_json_memory_flat_over_ended_connections)
{
    char pcap[4200];
    make_flood(pcap, sizeof pcap, "synrst100k", (struct flood_spec){ FLOOD_SYN_RST, 100000, 0, 0, 0 });
    long rss;
    char *args[] = { "inspect", "--json", "--no-progress", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(args, NULL, &rss), 0);
    long bound = SANITIZED ? 256 * 1024 : 48 * 1024;
    ck_assert_msg(rss < bound, "inspect --json over 100k ended connections: peak RSS %ld KiB "
                  "(bound %ld KiB)", rss, bound);
}
END_TEST

/* The streamed report is still the whole report: 10k ended connections
 * (more than inspect holds, so most are written out on the way). */
START_TEST(inspect_json_streamed_lists_every_connection)
{
    enum { N = 10000 };
    char pcap[4200], out[4200];
    make_flood(pcap, sizeof pcap, "synrst10k", (struct flood_spec){ FLOOD_SYN_RST, N, 0, 0, 0 });
    snprintf(out, sizeof out, "%s/synrst10k.json", tmpdir);
    long rss;
    char *args[] = { "inspect", "--json", "--no-progress", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(args, out, &rss), 0);
    json_object *rep = parse(out);
    json_object *conns = get(rep, "connections");
    ck_assert_uint_eq(json_object_array_length(conns), N);
    ck_assert_int_eq(i64(get(rep, "stack"), "connections"), N);
    ck_assert_int_eq(i64(get(rep, "stack"), "frames"), 2 * N);
    ck_assert_int_eq(i64(get(rep, "stack"), "consumed"), 2 * N);
    ck_assert_int_eq(i64(get(rep, "trace"), "records_processed"), 2 * N);
    static bool seen[N + 1];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < N; i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        int64_t id = i64(c, "id");
        ck_assert_msg(id >= 1 && id <= N && !seen[id], "connection id %lld listed twice or out of range",
                      (long long)id);
        seen[id] = true;
        json_object *d0 = json_object_array_get_idx(get(c, "directions"), 0);
        json_object *d1 = json_object_array_get_idx(get(c, "directions"), 1);
        ck_assert(json_object_get_boolean(get(d0, "syn")) && json_object_get_boolean(get(d0, "rst")));
        ck_assert(json_object_get_boolean(get(d1, "rst")));
        ck_assert_int_eq(i64(d0, "segments"), 1);
        ck_assert_int_eq(i64(d1, "segments"), 1);
        ck_assert_str_eq(str(d0, "sha256"),      /* nothing delivered: the empty stream's */
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
    json_object_put(rep);
}
END_TEST

/* A SYN flood of 3000 against --max-conns 1000: 2000 refused, in inspect and run. */
START_TEST(syn_flood_refused_beyond_max_conns)
{
    enum { N = 3000, CAP = 1000 };
    char pcap[4200], out[4200];
    make_flood(pcap, sizeof pcap, "syn3k", (struct flood_spec){ FLOOD_SYN, N, 0, 0, 20 });
    snprintf(out, sizeof out, "%s/syn3k.json", tmpdir);
    long rss;
    char *ins[] = { "inspect", "--json", "--no-progress", "--max-conns", "1000", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(ins, out, &rss), 0);
    json_object *rep = parse(out);
    ck_assert_int_eq(drop(rep, "stack", "conn_table_full"), N - CAP);
    ck_assert_uint_eq(json_object_array_length(get(rep, "connections")), CAP);
    for (size_t i = 0; i < CAP; i++)            /* the first CAP kept, none evicted */
        ck_assert_int_le(i64(json_object_array_get_idx(get(rep, "connections"), i), "id"), CAP);
    json_object_put(rep);

    char *run[] = { "run", "--json", "--no-progress", "--max-conns", "1000", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(run, out, &rss), 0);
    rep = parse(out);
    ck_assert_int_eq(drop(rep, "result", "conn_table_full"), N - CAP);
    json_object_put(rep);

    char *bad[] = { "inspect", "--max-conns", "-1", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(bad, NULL, &rss), 2);
    char *badrun[] = { "run", "--max-conns", "lots", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(badrun, NULL, &rss), 2);
}
END_TEST

/* The default cap bounds a SYN flood's memory: 100k SYNs, 65536 held. */
START_TEST(syn_flood_memory_bounded_by_default_cap)
{
    enum { N = 100000 };
    char pcap[4200];
    make_flood(pcap, sizeof pcap, "syn100k", (struct flood_spec){ FLOOD_SYN, N, 0, 0, 0 });
    long rss;
    char *args[] = { "inspect", "--json", "--no-progress", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(args, NULL, &rss), 0);
    long bound = SANITIZED ? 512 * 1024 : 64 * 1024;
    ck_assert_msg(rss < bound, "inspect --json over a 100k SYN flood: peak RSS %ld KiB (bound %ld KiB)",
                  rss, bound);
}
END_TEST

/* 128 connections, each 200 segments of 1400 bytes behind a hole, against
 * --ooo-budget 4M: the budget admits 4M / (1400 + piece cost) pieces in all,
 * the rest are tcp_ooo_budget drops; the per-direction bound is never hit. */
START_TEST(ooo_budget_drops_counted_and_memory_bounded)
{
    enum { CONNS = 128, SEGS = 200, LEN = 1400 };
    const long long budget = 4 << 20;
    long long admitted = budget / (LEN + TCP_OOO_PIECE_COST);
    long long want = (long long)CONNS * SEGS - admitted;
    char pcap[4200], out[4200];
    make_flood(pcap, sizeof pcap, "holes", (struct flood_spec){ FLOOD_HOLES, CONNS, SEGS, LEN, 20 });
    snprintf(out, sizeof out, "%s/holes.json", tmpdir);
    long rss;
    char *ins[] = { "inspect", "--json", "--no-progress", "--ooo-budget", "4M", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(ins, out, &rss), 0);
    json_object *rep = parse(out);
    ck_assert_int_eq(drop(rep, "stack", "tcp_ooo_budget"), want);
    ck_assert_int_eq(drop(rep, "stack", "tcp_ooo_limit"), 0);
    long long held = 0, over = 0;
    json_object *conns = get(rep, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *d0 = json_object_array_get_idx(get(json_object_array_get_idx(conns, i), "directions"), 0);
        held += i64(d0, "undelivered_ooo_bytes");
        over += i64(d0, "ooo_budget_dropped_bytes");
    }
    ck_assert_int_eq(held, admitted * LEN);
    ck_assert_int_eq(over, want * LEN);
    json_object_put(rep);
    long bound = SANITIZED ? 256 * 1024 : 32 * 1024;   /* without the budget: 36 MB held */
    ck_assert_msg(rss < bound, "inspect --ooo-budget 4M: peak RSS %ld KiB (bound %ld KiB)", rss, bound);

    char *run[] = { "run", "--json", "--no-progress", "--ooo-budget", "4M", pcap, NULL };
    /* 5: the bytes behind the holes are stranded for good, and run says so */
    ck_assert_int_eq(rxsim_rss(run, out, &rss), 5);
    rep = parse(out);
    ck_assert_int_eq(drop(rep, "result", "tcp_ooo_budget"), want);
    ck_assert_int_eq(drop(rep, "result", "ring_full"), 0);
    json_object_put(rep);

    char *bad[] = { "inspect", "--ooo-budget", "12", pcap, NULL };
    ck_assert_int_eq(rxsim_rss(bad, NULL, &rss), 2);
}
END_TEST

static Suite *bounds_suite(void)
{
    Suite *s = suite_create("bounds");
    TCase *tc = tcase_create("floods");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, inspect_json_memory_flat_over_ended_connections);
    tcase_add_test(tc, inspect_json_streamed_lists_every_connection);
    tcase_add_test(tc, syn_flood_refused_beyond_max_conns);
    tcase_add_test(tc, syn_flood_memory_bounded_by_default_cap);
    tcase_add_test(tc, ooo_budget_drops_counted_and_memory_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    return testenv_run_suite(bounds_suite());
}
