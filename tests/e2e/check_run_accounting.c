/* tests/e2e/check_run_accounting.c: rxsim run's counts against independent
 * truths, on traces rxsim synth writes at run time (no shared files needed).
 *
 *  - Every byte is woken and read: a poll that hands data to more sockets
 *    than any fixed list holds (200 flows, batch:256, one interrupt for
 *    hundreds of frames) still wakes every reader, so each direction's bytes
 *    and SHA-256 equal synth's truth file and nothing is left unread.
 *  - The profile's calls are real calls: no row has cycles or lines moved
 *    without calls, and each row's calls equal a counter the report keeps
 *    apart from the profile (try_to_wake_up = wakeups, alloc_skb = skb
 *    allocs, kfree_skb = frees + recycled, ip_rcv = frames that reached IP,
 *    e1000_intr = interrupts, ...), over every recycle and delivery policy
 *    and, when ../shared is there, every public capture.
 *  - Remote frees: with the IRQ on CPU 0 and the readers on CPU 1, every
 *    buffer a reader frees is a remote free under every recycle policy:
 *    as many as the data segments in synth's truth file; and every policy
 *    charges the skb's own work (alloc_skb and the free's cycles > 0).
 *  - The defer policy (skb_attempt_defer_free) on one flow whose data all
 *    reaches the reader in one recv(): the deferred frees, IPIs and frees
 *    on the spot that skb_defer_max (64) gives, computed by hand; none with
 *    the reader on the IRQ's CPU; and the same without --recycle: defer is
 *    the default, in the report's config and in the counts. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cost_table.h"
#include "tests/common/json_get.h"
#include "tests/common/policy_combos.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

/* rxsim synth -o DIR/NAME.pcap ARGS...; returns the trace path (static per call). */
static const char *synth(const char *name, const char *const *args, char *path, size_t size)
{
    char dir[4096];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, size, "%s/%s.pcap", dir, name);
    char *argv[48] = { "synth", "-o", path };
    int n = 3;
    for (int i = 0; args[i] && n < 46; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int rc = testenv_rxsim(argv, NULL, NULL);
    ck_assert_msg(rc == 0, "rxsim synth %s: exit %d", name, rc);
    return path;
}

/* rxsim run --json --no-progress ARGS... TRACE, in this process (run_lib.h):
 * the report (exit 0 required; messages on the test's stderr). */
static json_object *run(const char *trace, const char *const *args, const char *what)
{
    return testenv_run_json(NULL, args, trace, what, NULL);
}

/* Every direction of synth's truth file the receiver reads was read in full by one reader, with
 * the truth's SHA-256; the totals agree and nothing is left on a socket. */
static void check_truth(json_object *j, const char *trace, const char *what)
{
    char tpath[4400];
    snprintf(tpath, sizeof tpath, "%s.truth.json", trace);
    json_object *truth = json_object_from_file(tpath);
    ck_assert_msg(truth != NULL, "%s: cannot read", tpath);
    json_object *dirs = get(truth, "directions"), *conns = get(j, "connections");
    int64_t want = 0;
    for (size_t d = 0; d < json_object_array_length(dirs); d++) {
        json_object *td = json_object_array_get_idx(dirs, d);
        if (strcmp(str(td, "read_by"), "receiver"))
            continue;                   /* the sender's side: not this host's */
        char from[80];
        snprintf(from, sizeof from, "%s:%lld", str(td, "src"), (long long)i64(td, "sport"));
        json_object *cn = NULL;
        for (size_t c = 0; c < json_object_array_length(conns) && !cn; c++)
            if (!strcmp(str(json_object_array_get_idx(conns, c), "from"), from))
                cn = json_object_array_get_idx(conns, c);
        ck_assert_msg(cn != NULL, "%s: no reader for %s", what, from);
        ck_assert_msg(i64(cn, "bytes") == i64(td, "bytes"), "%s: %s read %lld of %lld bytes", what, from,
                      (long long)i64(cn, "bytes"), (long long)i64(td, "bytes"));
        ck_assert_msg(!strcmp(str(cn, "sha256"), str(td, "sha256")), "%s: %s SHA-256 differs from synth's truth",
                      what, from);
        want += i64(td, "bytes");
    }
    json_object *r = get(j, "result");
    ck_assert_msg(i64(r, "bytes_read") == want, "%s: %lld bytes read, the truth holds %lld", what,
                  (long long)i64(r, "bytes_read"), (long long)want);
    ck_assert_msg(get(r, "bytes_unread") && i64(r, "bytes_unread") == 0, "%s: %lld bytes left unread", what,
                  (long long)i64(r, "bytes_unread"));
    json_object_put(truth);
}

#define BATCH_ARG "256"                 /* a delivery policy's argument: one poll's worth */

START_TEST(every_reader_woken_with_many_sockets_per_pass)
{
    static char trace[4200];
    const char *sargs[] = { "--flows", "200", "--bytes", "3000", "--no-acks", NULL };
    synth("flows200", sargs, trace, sizeof trace);
    char what[96], dbuf[64];
    const char *delivery = policy_delivery(_i, BATCH_ARG, dbuf, sizeof dbuf);
    snprintf(what, sizeof what, "200 flows, delivery=%s", delivery);
    const char *args[] = { "--rx-usecs", "1000", "--budget", "256", "--ring", "1024",
                           "--delivery", delivery, NULL };
    json_object *j = run(trace, args, what);
    check_truth(j, trace, what);
    json_object *r = get(j, "result");
    ck_assert_msg(i64(r, "frames_dropped") == 0, "%s: %lld frames dropped", what,
                  (long long)i64(r, "frames_dropped"));
    json_object_put(j);
}
END_TEST

/* The profile row of function name. */
static json_object *prof_row(json_object *j, const char *name)
{
    json_object *r = profile_row(j, name);
    ck_assert_msg(r != NULL, "profile has no row %s", name);
    return r;
}

static int64_t calls(json_object *j, const char *name) { return i64(prof_row(j, name), "calls"); }

static void expect_calls(json_object *j, const char *fn, int64_t want, const char *counter, const char *what)
{
    ck_assert_msg(calls(j, fn) == want, "%s: %s calls %lld, %s %lld", what, fn, (long long)calls(j, fn),
                  counter, (long long)want);
}

/* Every row's calls against the report's own counters. */
static void check_profile_calls(json_object *j, const char *what)
{
    json_object *prof = get(j, "profile");
    for (size_t i = 0; i < json_object_array_length(prof); i++) {
        json_object *row = json_object_array_get_idx(prof, i);
        ck_assert_msg(i64(row, "calls") > 0 || (i64(row, "cycles") == 0 && i64(row, "lines_out") == 0),
                      "%s: %s has %lld cycles and %lld lines moved in 0 calls", what, str(row, "function"),
                      (long long)i64(row, "cycles"), (long long)i64(row, "lines_out"));
    }
    json_object *r = get(j, "result"), *skb = get(r, "skb"), *drops = get(r, "drops");
    expect_calls(j, "try_to_wake_up", i64(r, "wakeups"), "wakeups", what);
    expect_calls(j, "schedule", i64(r, "wakeups"), "wakeups", what);
    expect_calls(j, "alloc_skb", i64(skb, "allocs"), "skb allocs", what);
    expect_calls(j, "kfree_skb", i64(skb, "frees") + i64(skb, "recycled"), "skb frees + recycled", what);
    expect_calls(j, "e1000_intr", i64(r, "interrupts"), "interrupts", what);
    /* a NET_RX softirq is a NIC's poll or a defer IPI's (recycle_defer.c) */
    expect_calls(j, "net_rx_action", i64(r, "softirq_polls") + i64(skb, "defer_kicks"),
                 "softirq polls + defer IPIs", what);
    expect_calls(j, "skb_defer_free_flush", i64(skb, "defer_flushes"), "defer list flushes", what);
    expect_calls(j, "e1000_clean_rx_irq", i64(r, "frames_to_stack"), "frames to the stack", what);
    expect_calls(j, "netif_receive_skb", i64(r, "protocol_passes"), "protocol passes", what);
    expect_calls(j, "tcp_send_ack", i64(r, "acks"), "acks", what);
    if (i64(drops, "truncated") == 0)   /* a truncated frame may stop at Ethernet or at IP */
        expect_calls(j, "ip_rcv", i64(r, "frames_to_stack") - i64(drops, "link_hdr") - i64(drops, "not_ip"),
                     "frames that reached IP", what);
    int64_t reads = 0;
    json_object *conns = get(j, "connections");
    for (size_t c = 0; c < json_object_array_length(conns); c++)
        reads += i64(json_object_array_get_idx(conns, c), "reads");
    if (json_object_array_length(conns) < 4096)     /* every connection listed */
        expect_calls(j, "tcp_recvmsg", reads, "reads by the readers", what);
}

/* A ring that runs out of buffers (a 64-buffer pool, a reader slowed by
 * 20 cycles per byte of its own work) takes frames again once the reader
 * gives buffers back: the refill retries from a timer, as drivers do, and
 * fills in ring order from the descriptor the NIC needs next.  Before, the
 * emptied ring raised no interrupt, so no poll refilled it, and the 64
 * frames that fit were all the 1540 that got in. */
START_TEST(ring_out_of_buffers_recovers)
{
    char path[4200];
    const char *sargs[] = { "--flows", "1", "--bytes", "2M", "--rate", "1G", "--seed", "1", NULL };
    const char *trace = synth("starved", sargs, path, sizeof path);
    /* The reader on CPU 1 returns buffers while CPU 0's refill waits; on the
     * IRQ's CPU (the default, linux) the softirq starves it and the open-loop
     * ring drops frames no sender resends. */
    /* the reader's own work: slow enough to hold the pool's buffers, not so
     * slow that the ring drops (20 did, once the copy's per-segment
     * copy_chunk came on top) */
    const char *args[] = { "--pool", "64", "--recycle", "none", "--app-cycles-per-byte", "16", "--app", "fixed:1",
                           NULL };
    json_object *j = run(trace, args, "--pool 64");
    json_object *r = get(j, "result");
    ck_assert_msg(i64(get(r, "skb"), "exhausted") > 0, "the pool never ran out: the test tests nothing");
    ck_assert_int_gt(i64(r, "refill_retries"), 0);
    ck_assert_int_eq(i64(r, "frames_to_stack"), i64(r, "frames_offered"));
    check_truth(j, trace, "--pool 64");
    json_object_put(j);
}
END_TEST

START_TEST(profile_calls_are_real_calls)
{
    static char trace[4200];
    const char *sargs[] = { "--flows", "4", "--bytes", "64K", "--send-size", "4K", NULL };
    synth("flows4", sargs, trace, sizeof trace);
    /* every recycle x delivery pair, the checksum policies in turn */
    int nr = policy_registry_len((const void *const *)recycle_policies);
    int nc = policy_registry_len((const void *const *)csum_policies);
    char dbuf[64];
    const char *recycle = recycle_policies[_i % nr]->name, *csum = csum_policies[_i % nc]->name;
    const char *delivery = policy_delivery(_i / nr, BATCH_ARG, dbuf, sizeof dbuf);
    char what[128];
    snprintf(what, sizeof what, "recycle=%s delivery=%s csum=%s", recycle, delivery, csum);
    /* IRQ on CPU 0, readers on 1: every wakeup is an IPI, every free another CPU's buffer. */
    const char *args[] = { "--cpus", "2", "--irq", "fixed:0", "--app", "fixed:1", "--recycle", recycle,
                           "--delivery", delivery, "--csum", csum, NULL };
    json_object *j = run(trace, args, what);
    check_truth(j, trace, what);
    ck_assert_msg(i64(get(j, "result"), "wakeups_remote") > 0, "%s: no wakeup crossed CPUs", what);
    check_profile_calls(j, what);
    /* Every buffer is allocated on CPU 0 (the ring refill); those that carry
     * data are freed on CPU 1 by the reader (remote), the rest (handshake,
     * FIN) by the softirq on CPU 0.  So, whatever the policy, remote frees
     * = the data segments synth wrote (no loss, no reordering: each one
     * stays in its buffer until read). */
    char tpath[4400];
    snprintf(tpath, sizeof tpath, "%s.truth.json", trace);
    json_object *truth = json_object_from_file(tpath);
    ck_assert_msg(truth != NULL, "%s: cannot read", tpath);
    int64_t data_segs = i64(get(truth, "totals"), "data_segments");
    json_object_put(truth);
    json_object *skb = get(get(j, "result"), "skb");
    int64_t released = i64(skb, "frees") + i64(skb, "recycled");
    ck_assert_msg(data_segs > 0 && i64(skb, "remote_frees") == data_segs && released > data_segs,
                  "%s: %lld remote frees of %lld releases, %lld data segments read on the other CPU", what,
                  (long long)i64(skb, "remote_frees"), (long long)released, (long long)data_segs);
    /* The skb's own work, under every policy (skb_pool.c): ALLOC_SKB per
     * buffer inside alloc_skb, FREE_SKB per frame (one buffer each here)
     * inside kfree_skb or, when deferred, skb_defer_free_flush: the frees
     * still queued at the end (under defer) are not done yet. */
    int64_t alloc_cyc = i64(prof_row(j, "alloc_skb"), "cycles");
    int64_t free_cyc = i64(prof_row(j, "kfree_skb"), "cycles") + i64(prof_row(j, "skb_defer_free_flush"), "cycles");
    int64_t freed_now = released - i64(skb, "deferred");
    ck_assert_msg(alloc_cyc >= i64(skb, "allocs") * (int64_t)sim_cost_default(SIM_COST_ALLOC_SKB) &&
                  free_cyc >= freed_now * (int64_t)sim_cost_default(SIM_COST_FREE_SKB) && free_cyc > 0 &&
                  num(get(get(j, "result"), "cycles_per_byte_by_category"), "skb") > 0,
                  "%s: alloc_skb %lld cycles for %lld allocs, frees %lld cycles for %lld freed: skb work not charged",
                  what, (long long)alloc_cyc, (long long)i64(skb, "allocs"), (long long)free_cyc,
                  (long long)freed_now);
    json_object_put(j);
}
END_TEST

/* GRO merging segments of one flow (many frames a pass): the merges are
 * inside the pass's one netif_receive_skb call, ip_rcv still one per frame. */
START_TEST(profile_calls_with_gro_merges)
{
    static char trace[4200];
    const char *sargs[] = { "--flows", "1", "--bytes", "256K", NULL };
    synth("flow1", sargs, trace, sizeof trace);
    const char *args[] = { "--cpus", "2", "--irq", "fixed:0", "--app", "fixed:1", "--delivery", "gro",
                           "--rx-usecs", "200", "--replay", "rate:10G", NULL };
    json_object *j = run(trace, args, "gro, one flow at 10G");
    check_truth(j, trace, "gro, one flow at 10G");
    ck_assert_msg(num(get(j, "result"), "frames_per_pass") > 4, "gro merged only %.2f frames a pass",
                  num(get(j, "result"), "frames_per_pass"));
    check_profile_calls(j, "gro, one flow at 10G");
    json_object_put(j);
}
END_TEST

/* recycle=defer, one flow synth cuts into `want` data segments, IRQ on CPU
 * 0, a --rx-usecs long enough for one interrupt and a --budget for one poll:
 * every frame is on the socket before the reader on CPU `app` wakes, and one
 * recv() (256 KiB) takes all the data.  By hand, for the reader on CPU 1
 * (skb_defer_max 64): frees 1..64 queue on CPU 0's list, the 33rd (32
 * queued) sends the one IPI, frees 65.. find the list full and free on the
 * spot; the IPI's softirq is the only flush (no NIC poll follows).  On
 * CPU 0 with the IRQ: nothing deferred.  recycle NULL: no --recycle, the
 * default's run, whose report must say recycle "defer". */
static void defer_case(const char *recycle, const char *bytes, int64_t want, const char *app, int64_t deferred,
                       int64_t kicks, int64_t full, int64_t flushes)
{
    static char trace[4200];
    const char *sargs[] = { "--flows", "1", "--bytes", bytes, NULL };
    synth("defer", sargs, trace, sizeof trace);
    char tpath[4400], what[96];
    snprintf(tpath, sizeof tpath, "%s.truth.json", trace);
    json_object *truth = json_object_from_file(tpath);
    ck_assert_msg(truth != NULL, "%s: cannot read", tpath);
    int64_t data_segs = i64(get(truth, "totals"), "data_segments");
    json_object_put(truth);
    snprintf(what, sizeof what, "%s, %lld segments read on CPU %s", recycle ? recycle : "no --recycle",
             (long long)data_segs, app);
    ck_assert_msg(data_segs == want, "%s: synth wrote %lld data segments, the hand count assumes %lld", what,
                  (long long)data_segs, (long long)want);
    const char *args[] = { "--cpus", "2", "--irq", "fixed:0", "--app", app, "--recv-size", "262144",
                           "--rx-usecs", "1000", "--budget", "256", "--replay", "rate:10G",
                           recycle ? "--recycle" : NULL, recycle, NULL };
    json_object *j = run(trace, args, what);
    ck_assert_msg(!strcmp(str(get(j, "config"), "recycle"), "defer"), "%s: the report says recycle %s", what,
                  str(get(j, "config"), "recycle"));
    check_truth(j, trace, what);
    check_profile_calls(j, what);
    json_object *r = get(j, "result"), *skb = get(r, "skb");
    ck_assert_msg(i64(r, "softirq_polls") == 1, "%s: %lld polls, the hand count assumes 1", what,
                  (long long)i64(r, "softirq_polls"));
    ck_assert_msg(i64(skb, "deferred") == deferred && i64(skb, "defer_kicks") == kicks &&
                  i64(skb, "defer_full") == full && i64(skb, "defer_flushes") == flushes,
                  "%s: deferred %lld, IPIs %lld, on the spot %lld, flushes %lld; by hand %lld, %lld, %lld, %lld",
                  what, (long long)i64(skb, "deferred"), (long long)i64(skb, "defer_kicks"),
                  (long long)i64(skb, "defer_full"), (long long)i64(skb, "defer_flushes"), (long long)deferred,
                  (long long)kicks, (long long)full, (long long)flushes);
    ck_assert_msg(i64(skb, "remote_frees") == (strcmp(app, "fixed:1") ? 0 : data_segs),
                  "%s: %lld remote frees", what, (long long)i64(skb, "remote_frees"));
    json_object_put(j);
}

START_TEST(defer_counts_by_hand)
{
    defer_case("defer", "40000", 29, "fixed:1", 29, 0, 0, 0);   /* below 32: queued, no IPI, no flush yet */
    defer_case("defer", "60000", 44, "fixed:1", 44, 1, 0, 1);   /* the 33rd kicks; the IPI flushes 44 */
    defer_case("defer", "115840", 85, "fixed:1", 64, 1, 21, 1); /* 64 queued, 85 - 64 = 21 on the spot */
    defer_case("defer", "115840", 85, "fixed:0", 0, 0, 0, 0);   /* reader on the IRQ's CPU: local frees */
}
END_TEST

/* defer is the default (issue 13 item 6: "a named policy and the
 * default"): without --recycle the report says recycle "defer" and the run
 * defers exactly as --recycle defer does, the same counts by hand (any
 * other policy defers nothing: deferred 0). */
START_TEST(defer_is_the_default)
{
    defer_case(NULL, "60000", 44, "fixed:1", 44, 1, 0, 1);
    defer_case(NULL, "115840", 85, "fixed:1", 64, 1, 21, 1);
}
END_TEST

/* The public captures: odd link types, VLANs, ARP, IPv6, truncated frames. */
START_TEST(profile_calls_on_public_captures)
{
    const char *shared = testenv_shared_traces();
    if (!shared) {
        fprintf(stderr, "# ../shared/traces absent: public captures not checked\n");
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/public", shared);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s: cannot list", dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (!(len > 5 && (!strcmp(e->d_name + len - 5, ".pcap") || !strcmp(e->d_name + len - 7, ".pcapng"))))
            continue;
        char trace[4400], tmp[4096], out[4200];
        snprintf(trace, sizeof trace, "%s/%s", dir, e->d_name);
        testenv_mkdtemp(tmp, sizeof tmp);
        snprintf(out, sizeof out, "%s/out.json", tmp);
        char *argv[] = { "run", "--json", "--no-progress", "--delivery", "batch:8", trace, NULL };
        int rc = testenv_rxsim(argv, out, NULL);
        json_object *j = json_object_from_file(out);
        if (j && get(j, "profile")) {   /* any status that wrote a report */
            check_profile_calls(j, e->d_name);
            n++;
        }
        json_object_put(j);
        (void)rc;
    }
    closedir(d);
    ck_assert_int_gt(n, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run_accounting");
    TCase *tc = tcase_create("counts");
    tcase_set_timeout(tc, 300);
    int nd = policy_registry_len((const void *const *)deliver_policies);
    int nr = policy_registry_len((const void *const *)recycle_policies);
    tcase_add_loop_test(tc, every_reader_woken_with_many_sockets_per_pass, 0, nd);
    tcase_add_loop_test(tc, profile_calls_are_real_calls, 0, nd * nr);
    tcase_add_test(tc, profile_calls_with_gro_merges);
    tcase_add_test(tc, ring_out_of_buffers_recovers);
    tcase_add_test(tc, defer_counts_by_hand);
    tcase_add_test(tc, defer_is_the_default);
    tcase_add_test(tc, profile_calls_on_public_captures);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
