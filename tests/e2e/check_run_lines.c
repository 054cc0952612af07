/* tests/e2e/check_run_lines.c: one price per line in a real run (issue 13
 * item 5).  tests/unit/check_line_prices.c checks the rule where it is
 * computed (sim/session/line_prices.c: a line from another CPU, in a touch
 * of k lines, costs (remote(64k) - hot(64k)) / k cycles of the csum_64
 * probe, times the TSC-to-CPU ratio); this suite checks that `rxsim run`
 * applies it to the socket and skb-metadata lines that move between CPUs,
 * and that the flat line_transfer applies only when --costs gives it.
 *
 * The run: traces/data/bulk-v4-256k.pcap (one flow, 262144 bytes), IRQ on
 * CPU 0, the reader fixed on CPU 1, so the socket's lines (lock, receive
 * queue, wait queue, timer) bounce between the softirq and the reader, and
 * each skb's metadata line, written by the softirq on CPU 0, moves to CPU 1
 * when the reader frees the skb.  The profile: the shipped one with the
 * csum_64 curves at align 0 changed at 64 bytes: hot 14, remote 514
 * cycles, so a line alone in its touch costs 514 - 14 = 500 when it comes
 * from another CPU (no --ghz: the CPUs run at the profile's TSC, ratio 1).
 * The costs file zeroes every fixed cost charged to the functions checked
 * (tcp_rcv, tcp_queue, recvmsg, recvmsg_skb, free_skb, remote_free,
 * alloc_skb, pool_lock) and prices misses flat at line_miss 0, so what
 * is left in each is its transfers.  Every touch these functions make is
 * one line (a socket line or an skb's metadata line), so by hand:
 *   cycles = lines_out x 500   tcp_v4_rcv, tcp_data_queue, tcp_recvmsg,
 *                              mod_timer, tcp_data_wait (socket lines);
 *                              kfree_skb (skb metadata, the defer list)
 *   the same with "line_transfer": 260 in the costs file: lines_out x 260
 *   the reader on CPU 0 with the IRQ: nothing moves, lines_out 0, cycles 0.
 * copy_to_user's payload lines are priced from the copy routine's own
 * curves: the same cycles whatever line_transfer says. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

#define PRICE 500                       /* 514 - 14 */
#define FLAT 260

static const char *const socket_fns[] = { "tcp_v4_rcv", "tcp_data_queue", "tcp_recvmsg", "mod_timer",
                                          "tcp_data_wait", "kfree_skb" };
#define NFNS (sizeof socket_fns / sizeof socket_fns[0])

static char dir[4096], profile[4200], costs[4200], costs_flat[4200], trace[4200];

/* The shipped profile with csum_64's align-0 hot and remote points at 64
 * bytes set to 14 and 514 cycles (every column: median, min, p90). */
static void write_profile(void)
{
    char shipped[4200];
    testenv_path(shipped, sizeof shipped, "copy/profiles/default.json");
    json_object *p = json_object_from_file(shipped);
    ck_assert_msg(p != NULL, "%s: cannot read", shipped);
    json_object *curves = get(p, "curves");
    int changed = 0;
    for (size_t i = 0; i < json_object_array_length(curves); i++) {
        json_object *c = json_object_array_get_idx(curves, i);
        const char *cache = str(c, "cache");
        if (strcmp(str(c, "routine"), "csum_64") || i64(c, "align") != 0 ||
            (strcmp(cache, "hot") && strcmp(cache, "remote")))
            continue;
        json_object *pt = json_object_array_get_idx(get(c, "points"), 0);
        ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(pt, 0)), 64);
        for (size_t k = 1; k < json_object_array_length(pt); k++)
            json_object_array_put_idx(pt, k, json_object_new_double(strcmp(cache, "hot") ? 514 : 14));
        changed++;
    }
    ck_assert_int_eq(changed, 2);
    ck_assert_int_eq(json_object_to_file(profile, p), 0);
    json_object_put(p);
}

static void write_costs(const char *path, const char *extra)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fprintf(f, "{\"tcp_rcv\": 0, \"tcp_queue\": 0, \"recvmsg\": 0, \"recvmsg_skb\": 0, \"free_skb\": 0,"
               " \"remote_free\": 0, \"alloc_skb\": 0, \"pool_lock\": 0, \"line_miss\": 0%s}\n", extra);
    fclose(f);
}

static void setup(void)
{
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(profile, sizeof profile, "%s/profile.json", dir);
    snprintf(costs, sizeof costs, "%s/costs.json", dir);
    snprintf(costs_flat, sizeof costs_flat, "%s/costs-flat.json", dir);
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    write_profile();
    write_costs(costs, "");
    write_costs(costs_flat, ", \"line_transfer\": 260");
}

static json_object *run(const char *app, const char *costs_path, const char *what)
{
    const char *args[] = { "--profile", profile, "--costs", costs_path, "--irq", "fixed:0", "--app", app, NULL };
    json_object *j = testenv_run_json(NULL, args, trace, what, NULL);
    ck_assert_msg(i64(get(j, "result"), "bytes_read") == 262144, "%s: %lld bytes read", what,
                  (long long)i64(get(j, "result"), "bytes_read"));
    return j;
}

/* Every function of socket_fns: cycles = lines_out x price; lines moved
 * (lines_out > 0) when the reader is on another CPU, none otherwise. */
static void check_prices(json_object *j, int64_t price, bool moved, const char *what)
{
    for (size_t i = 0; i < NFNS; i++) {
        json_object *row = profile_row(j, socket_fns[i]);
        ck_assert_msg(row != NULL, "%s: no %s row", what, socket_fns[i]);
        int64_t lines = i64(row, "lines_out"), cycles = i64(row, "cycles");
        ck_assert_msg(moved ? lines > 0 : lines == 0, "%s: %s moved %lld lines", what, socket_fns[i],
                      (long long)lines);
        ck_assert_msg(cycles == lines * price, "%s: %s %lld cycles for %lld lines moved, want %lld x %lld = %lld",
                      what, socket_fns[i], (long long)cycles, (long long)lines, (long long)lines, (long long)price,
                      (long long)(lines * price));
    }
}

START_TEST(moved_lines_cost_the_profiles_price)
{
    json_object *j = run("fixed:1", costs, "reader on CPU 1, priced by the profile");
    check_prices(j, PRICE, true, "reader on CPU 1, priced by the profile");
    json_object *flat = run("fixed:1", costs_flat, "reader on CPU 1, line_transfer 260");
    check_prices(flat, FLAT, true, "reader on CPU 1, line_transfer 260");
    ck_assert_int_eq(i64(profile_row(j, "copy_to_user"), "cycles"), i64(profile_row(flat, "copy_to_user"), "cycles"));
    ck_assert_int_gt(i64(profile_row(j, "copy_to_user"), "lines_out"), 0);
    json_object_put(j);
    json_object_put(flat);
}
END_TEST

START_TEST(no_lines_move_with_the_reader_beside_the_irq)
{
    json_object *j = run("fixed:0", costs, "reader on CPU 0 with the IRQ");
    check_prices(j, PRICE, false, "reader on CPU 0 with the IRQ");
    json_object_put(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run_lines");
    TCase *tc = tcase_create("prices");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, moved_lines_cost_the_profiles_price);
    tcase_add_test(tc, no_lines_move_with_the_reader_beside_the_irq);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
