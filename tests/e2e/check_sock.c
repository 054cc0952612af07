/* tests/e2e/check_sock.c: the socket as the softirq and the reader share it
 * (netstack/sock.c, issue 13 item 2), on traces rxsim synth writes at run
 * time, asserting the mechanism itself rather than a headline figure:
 *
 *  - The socket's lines are real lines: with the softirq on CPU 0 and the
 *    reader on CPU 1, the rows that touch them from each side (tcp_v4_rcv's
 *    bh_lock_sock, tcp_data_queue, mod_timer, tcp_recvmsg, tcp_data_wait)
 *    move lines; with both on CPU 0 no row moves any.  tcp_v4_rcv touches
 *    one socket line (the lock) once per data skb, so it moves at most one
 *    line per tcp_data_queue call.
 *  - The socket lock's backlog: a reader still copying when data comes (its
 *    application slow, so its queue holds many segments and each recv()
 *    copies 64 KiB) makes the softirq queue skbs to the backlog, on the
 *    reader's CPU (the softirq would preempt the copy) and on another; every
 *    backlogged skb is one tcp_add_backlog call, every backlog processed one
 *    __release_sock call; tcp_data_queue still runs once per data skb,
 *    whichever side runs it; and the bytes are delivered exactly: each
 *    direction's bytes and SHA-256 equal `rxsim inspect`'s.
 *  - The receive buffer (issue 13 item 4): a reader keeping up never fills
 *    the default 128 KiB; a slow one with --rcvbuf 16K --rcvbuf-max 64K
 *    grows it twice (16K -> 32K -> 64K, doubling up to the max: the queue's
 *    truesize, 2624 bytes per 1448-byte segment, passes 64K) and then finds
 *    it full (tcp_prune_queue runs, skbs past it counted); without
 *    autotuning it never grows and more skbs pass it; either way every byte
 *    is still delivered (an open-loop replay cannot drop them).
 *  - Warm or cold is the cache model's: the same slow reader copies at a
 *    higher cost per byte with a 64 KiB cache than with 1 MiB (its queued
 *    buffers evicted before it reads them), while a reader keeping up
 *    copies warm data even with 64 KiB. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char trace[4200];                /* 1 flow, 256 KiB: 196 data segments (synth's truth) */
#define DATA_SEGS 196

static void make_trace(void)
{
    if (trace[0])
        return;
    char dir[4096];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(trace, sizeof trace, "%s/one.pcap", dir);
    char *argv[] = { "synth", "-o", trace, "--flows", "1", "--bytes", "256K", "--seed", "3", NULL };
    ck_assert_int_eq(testenv_rxsim(argv, NULL, NULL), 0);
}

/* rxsim run --json --no-progress --cpus 2 --replay rate:1G ARGS... TRACE, in this process. */
static json_object *run(const char *const *args, const char *what)
{
    static const char *const fixed[] = { "--cpus", "2", "--replay", "rate:1G", NULL };
    return testenv_run_json(fixed, args, trace, what, NULL);
}

static json_object *row(json_object *j, const char *fn)
{
    json_object *r = profile_row(j, fn);
    ck_assert_msg(r != NULL, "profile has no row %s", fn);
    return r;
}

static int64_t calls(json_object *j, const char *fn) { return i64(row(j, fn), "calls"); }
static int64_t moved(json_object *j, const char *fn) { return i64(row(j, fn), "lines_out"); }

START_TEST(socket_lines_move_only_with_the_reader_elsewhere)
{
    make_trace();
    static const char *const rows[] = { "tcp_v4_rcv", "tcp_data_queue", "mod_timer", "tcp_recvmsg",
                                        "tcp_data_wait" };
    const char *across[] = { "--irq", "fixed:0", "--app", "fixed:1", NULL };
    const char *alone[] = { "--irq", "fixed:0", "--app", "fixed:0", NULL };
    json_object *a = run(across, "softirq on 0, reader on 1"), *b = run(alone, "both on 0");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ck_assert_msg(calls(a, rows[i]) > 0 && calls(b, rows[i]) > 0, "%s: no calls", rows[i]);
        ck_assert_msg(moved(a, rows[i]) > 0, "reader on another CPU: %s moved no socket line", rows[i]);
        ck_assert_msg(moved(b, rows[i]) == 0, "reader on the softirq's CPU: %s moved %lld lines", rows[i],
                      (long long)moved(b, rows[i]));
    }
    ck_assert_int_eq(i64(get(b, "result"), "lines_moved"), 0);
    /* tcp_v4_rcv's only line is the socket lock, touched once per data skb */
    ck_assert_msg(moved(a, "tcp_v4_rcv") <= calls(a, "tcp_data_queue"),
                  "tcp_v4_rcv moved %lld lines for %lld skbs", (long long)moved(a, "tcp_v4_rcv"),
                  (long long)calls(a, "tcp_data_queue"));
    /* the reader keeps up here: no skb found the lock owned */
    ck_assert_int_eq(calls(a, "tcp_data_queue"), DATA_SEGS);   /* the handshake and FIN are not queued */
    json_object_put(a);
    json_object_put(b);
}
END_TEST

/* inspect's bytes and SHA-256 of the receiver's direction. */
static void inspect_dir(int64_t *bytes, char *sha, size_t shasize)
{
    char tmp[2048], path[4096];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/inspect.json", tmp);
    char *argv[] = { "inspect", "--json", trace, NULL };
    ck_assert_int_eq(testenv_rxsim(argv, path, NULL), 0);
    json_object *ins = json_object_from_file(path);
    ck_assert_msg(ins != NULL, "inspect --json is not JSON");
    json_object *dir = json_object_array_get_idx(get(json_object_array_get_idx(get(ins, "connections"), 0),
                                                     "directions"), 0);
    ck_assert_str_eq(str(dir, "to"), "10.0.0.2:5001");
    *bytes = i64(dir, "bytes_delivered");
    snprintf(sha, shasize, "%s", str(dir, "sha256"));
    json_object_put(ins);
    remove(path);
    rmdir(tmp);
}

START_TEST(backlog_while_the_reader_copies)
{
    make_trace();
    const char *cpu = _i ? "fixed:1" : "fixed:0";
    char what[64];
    snprintf(what, sizeof what, "softirq on 0, slow reader on %s", cpu);
    /* --recycle percpu: the backlog's timing, not the recycle policy, is under test; with
     * the default defer (issue 13 item 6) this trace's arrivals happen to miss the
     * reader's copies at 35-41 cycles/byte (0 skbs to the backlog; 2 at 45) */
    const char *args[] = { "--irq", "fixed:0", "--app", cpu, "--app-cycles-per-byte", "40", "--msg-size", "65536",
                           "--recycle", "percpu", NULL };
    json_object *j = run(args, what);
    json_object *r = get(j, "result");
    int64_t skbs = i64(r, "backlog_skbs"), drains = i64(r, "backlog_drains");
    ck_assert_msg(skbs > 0 && drains > 0, "%s: %lld skbs to the backlog, %lld drains", what, (long long)skbs,
                  (long long)drains);
    ck_assert_msg(drains <= skbs, "%s: %lld drains of %lld skbs", what, (long long)drains, (long long)skbs);
    ck_assert_int_eq(calls(j, "tcp_add_backlog"), skbs);
    ck_assert_int_eq(calls(j, "__release_sock"), drains);
    /* the backlog moves tcp_data_queue to the reader; it never adds or loses one */
    ck_assert_int_eq(calls(j, "tcp_data_queue"), DATA_SEGS);
    int64_t want;
    char sha[80];
    inspect_dir(&want, sha, sizeof sha);
    json_object *conn = json_object_array_get_idx(get(j, "connections"), 0);
    ck_assert_int_eq(i64(conn, "bytes"), want);
    ck_assert_str_eq(str(conn, "sha256"), sha);
    ck_assert_int_eq(i64(r, "bytes_unread"), 0);
    json_object_put(j);
}
END_TEST

/* rcvbuf_grows, rcvbuf_prunes, rcvbuf_over_skbs of a run. */
static void rcvbuf_counts(json_object *j, int64_t out[3])
{
    json_object *r = get(j, "result");
    out[0] = i64(r, "rcvbuf_grows");
    out[1] = i64(r, "rcvbuf_prunes");
    out[2] = i64(r, "rcvbuf_over_skbs");
}

START_TEST(receive_buffer_limits)
{
    make_trace();
    int64_t c[3];
    const char *fast[] = { "--irq", "fixed:0", "--app", "fixed:0", NULL };
    json_object *j = run(fast, "a reader keeping up");
    rcvbuf_counts(j, c);
    ck_assert_msg(c[0] == 0 && c[1] == 0 && c[2] == 0, "reader keeping up: %lld grows, %lld prunes, %lld over",
                  (long long)c[0], (long long)c[1], (long long)c[2]);
    json_object_put(j);

    const char *slow[] = { "--irq", "fixed:0", "--app", "fixed:0", "--app-cycles-per-byte", "40", "--recv-size",
                           "65536", "--rcvbuf", "16K", "--rcvbuf-max", "64K", NULL };
    j = run(slow, "slow reader, 16K..64K");
    int64_t auto_c[3];
    rcvbuf_counts(j, auto_c);
    ck_assert_int_eq(auto_c[0], 2);
    ck_assert_msg(auto_c[1] >= auto_c[2] && auto_c[2] > 0, "16K..64K: %lld prunes, %lld skbs over",
                  (long long)auto_c[1], (long long)auto_c[2]);
    ck_assert_int_eq(i64(get(j, "result"), "bytes_read"), 262144);
    json_object_put(j);

    const char *fixed[] = { "--irq", "fixed:0", "--app", "fixed:0", "--app-cycles-per-byte", "40", "--recv-size",
                            "65536", "--rcvbuf", "16K", "--rcvbuf-max", "64K", "--no-rcvbuf-autotune", NULL };
    j = run(fixed, "slow reader, 16K fixed");
    rcvbuf_counts(j, c);
    ck_assert_int_eq(c[0], 0);
    ck_assert_msg(c[2] > auto_c[2], "16K fixed: %lld skbs over, autotuned %lld", (long long)c[2],
                  (long long)auto_c[2]);
    int64_t want;
    char sha[80];
    inspect_dir(&want, sha, sizeof sha);
    json_object *conn = json_object_array_get_idx(get(j, "connections"), 0);
    ck_assert_int_eq(i64(conn, "bytes"), want);
    ck_assert_str_eq(str(conn, "sha256"), sha);
    json_object_put(j);
}
END_TEST

static double copy_per_byte(const char *const *args, const char *what)
{
    json_object *j = run(args, what);
    double v = json_object_get_double(get(get(get(j, "result"), "cycles_per_byte_by_category"), "copy"));
    json_object_put(j);
    return v;
}

START_TEST(deep_queue_copies_cold_lines)
{
    make_trace();
    /* copy_chunk 0: the copy's per-byte part alone, which the cache decides
     * (its per-segment part is the same fast or slow) */
    char dir[1024], costs[1100];
    testenv_mkdtemp(dir, sizeof dir);           /* removed at exit */
    snprintf(costs, sizeof costs, "%s/costs.json", dir);
    FILE *f = fopen(costs, "w");
    ck_assert(f != NULL);
    fputs("{\"copy_chunk\": 0}\n", f);
    ck_assert_int_eq(fclose(f), 0);
#define PER_BYTE_ONLY "--costs", costs
    const char *fast[] = { "--irq", "fixed:0", "--app", "fixed:0", "--cache-kib", "64", PER_BYTE_ONLY, NULL };
    const char *small[] = { "--irq", "fixed:0", "--app", "fixed:0", "--app-cycles-per-byte", "40", "--recv-size",
                            "65536", "--cache-kib", "64", PER_BYTE_ONLY, NULL };
    const char *big[] = { "--irq", "fixed:0", "--app", "fixed:0", "--app-cycles-per-byte", "40", "--recv-size",
                          "65536", "--cache-kib", "1024", PER_BYTE_ONLY, NULL };
#undef PER_BYTE_ONLY
    double k = copy_per_byte(fast, "keeping up, 64 KiB"), s = copy_per_byte(small, "slow, 64 KiB"),
           b = copy_per_byte(big, "slow, 1 MiB");
    ck_assert_msg(s > 2 * b && s > 4 * k, "copy cycles/byte: slow reader 64 KiB cache %.3f, 1 MiB %.3f, "
                  "reader keeping up 64 KiB %.3f", s, b, k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sock");
    TCase *tc = tcase_create("sock");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, socket_lines_move_only_with_the_reader_elsewhere);
    tcase_add_loop_test(tc, backlog_while_the_reader_copies, 0, 2);
    tcase_add_test(tc, receive_buffer_limits);
    tcase_add_test(tc, deep_queue_copies_cold_lines);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
