/* tests/e2e/check_closed_trace.c: rxsim run --replay closed on a trace
 * (issue 14): the trace's reassembled streams are the closed-loop senders'
 * workload (sim/session/closed_trace.c).
 *
 *  - Exact delivery: on each shipped trace (traces/data/), every direction
 *    toward the host that `rxsim inspect --json` delivers bytes on comes out
 *    of the closed-loop run with the same byte count and SHA-256, nothing is
 *    stranded, exit 0 (the IPv6 trace too: the senders build IPv6 frames).
 *  - Ring drops (a ring of 8, one CPU, a slow reader) and wire losses
 *    (--loss 0.02) are recovered: retransmits > 0, stranded 0, the streams
 *    still inspect's; with --reorder 0.05 frames are held behind later ones
 *    (wire_reorders > 0, duplicate ACKs) and the streams are still exact.
 *    The same seed gives the same JSON, another seed other losses.
 *  - --duration stops the senders: what was sent is delivered and
 *    acknowledged (stranded 0), the rest is counted as not sent, and the
 *    bytes read plus the bytes not sent are the trace's.
 *  - A copy without the flow's SYN: replayed with Linux's defaults (MSS from
 *    --mtu, window scale 7, timestamps), syn_captured false, inspect's bytes.
 *  - Refusals: a copy of a shipped trace with one data frame removed (a hole)
 *    and one with a data frame cut to 80 bytes (payload not captured): the
 *    flow is listed in workload.not_replayed with its reason, nothing is
 *    replayed as if whole, exit 5 (docs/user-guide.md's exit codes).
 *  - The shared captured traces (the .pcap files of ../shared/traces/captured), when
 *    present: every flow of its manifest replayed, SHA-256 equal to the
 *    manifest's content_sha256.  Skipped with a message when absent. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char dir[2048];

static const char *const CLOSED[] = { "--replay", "closed", NULL };

/* rxsim run --json --no-progress --replay closed ARGS... TRACE, which must
 * exit 0 (testenv_run_json asserts it). */
static json_object *closed(const char *trace, const char *const *args, char **raw, const char *what)
{
    return testenv_run_json(CLOSED, args, trace, what, raw);
}

/* The same when the run may exit non-zero: its exit status in *rc. */
static json_object *closed_rc(const char *trace, const char *const *args, int *rc)
{
    json_object *j = testenv_run_report(CLOSED, args, trace, rc, NULL);
    ck_assert_msg(j != NULL, "--replay closed %s: not JSON (exit %d)", trace, *rc);
    return j;
}

/* rxsim inspect --json TRACE, parsed. */
static json_object *inspect(const char *trace)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/inspect.json", dir);
    char *args[] = { "inspect", "--json", (char *)trace, NULL };
    int rc = testenv_rxsim(args, out, NULL);
    ck_assert_msg(rc == 0 || rc == 5, "inspect %s: exit %d", trace, rc);
    char *text = testenv_slurp(out, NULL);
    json_object *j = text ? json_tokener_parse(text) : NULL;
    free(text);
    ck_assert_msg(j != NULL, "inspect %s: not JSON", trace);
    return j;
}

static json_object *run_conn(json_object *run, const char *from)
{
    json_object *conns = get(run, "connections");
    for (size_t k = 0; k < json_object_array_length(conns); k++)
        if (!strcmp(str(json_object_array_get_idx(conns, k), "from"), from))
            return json_object_array_get_idx(conns, k);
    return NULL;
}

/* Every direction inspect delivers bytes on toward host comes out of the run
 * with inspect's byte count and SHA-256; returns how many. */
static int same_streams(json_object *run, json_object *ins, const char *what)
{
    const char *host = str(get(run, "workload"), "host");
    int n = 0;
    json_object *conns = get(ins, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *dirs = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *o = json_object_array_get_idx(dirs, d);
            char to_host[80];
            snprintf(to_host, sizeof to_host, strchr(host, ':') ? "[%s]:" : "%s:", host);   /* IPv6 in brackets */
            if (strncmp(str(o, "to"), to_host, strlen(to_host)) || !i64(o, "bytes_delivered"))
                continue;
            json_object *c = run_conn(run, str(o, "from"));
            ck_assert_msg(c != NULL, "%s: %s not delivered by the closed-loop run", what, str(o, "from"));
            ck_assert_int_eq(i64(c, "bytes"), i64(o, "bytes_delivered"));
            ck_assert_msg(!strcmp(str(c, "sha256"), str(o, "sha256")), "%s: %s sha256 %s, inspect's %s", what,
                          str(o, "from"), str(c, "sha256"), str(o, "sha256"));
            n++;
        }
    }
    ck_assert_int_eq(n, (int)json_object_array_length(get(get(run, "workload"), "flows")));
    return n;
}

static void check_exact(const char *rel, const char *const *args, const char *what)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, rel);
    json_object *run = closed(trace, args, NULL, what);
    json_object *snd = get(get(run, "result"), "sender");
    ck_assert_int_eq(i64(snd, "bytes_stranded"), 0);
    ck_assert_int_eq((int)json_object_array_length(get(get(run, "workload"), "not_replayed")), 0);
    json_object *ins = inspect(trace);
    ck_assert_int_gt(same_streams(run, ins, what), 0);
    json_object_put(ins);
    json_object_put(run);
}

START_TEST(shipped_traces_exact)
{
    check_exact("traces/data/bulk-v4-256k.pcap", NULL, "bulk-v4-256k");
    check_exact("traces/data/parallel4-v4-64k.pcap", NULL, "parallel4-v4-64k");
    const char *jumbo[] = { "--mtu", "9000", NULL };
    check_exact("traces/data/bulk-v4-mtu9000-256k.pcap", jumbo, "bulk-v4-mtu9000-256k --mtu 9000");
    check_exact("traces/data/bulk-v6-128k-nsec.pcap", NULL, "bulk-v6-128k-nsec");
}
END_TEST

START_TEST(ring_drops_recovered_and_deterministic)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, "traces/data/parallel4-v4-64k.pcap");
    const char *args[] = { "--ring", "8", "--cpus", "1", "--app-cycles-per-byte", "2", NULL };
    char *raw1, *raw2;
    json_object *run = closed(trace, args, &raw1, "ring 8");
    json_object *r = get(run, "result"), *snd = get(r, "sender");
    ck_assert_msg(i64(get(r, "drops"), "ring_full") > 0, "a ring of 8 dropped nothing");
    ck_assert_int_gt(i64(snd, "retransmits"), 0);
    ck_assert_int_eq(i64(snd, "bytes_stranded"), 0);
    json_object *ins = inspect(trace);
    ck_assert_int_eq(same_streams(run, ins, "ring 8"), 4);
    json_object_put(ins);
    json_object_put(run);
    json_object_put(closed(trace, args, &raw2, "ring 8 again"));
    ck_assert_msg(!strcmp(raw1, raw2), "two identical closed-loop runs on a trace differ");
    free(raw1);
    free(raw2);
}
END_TEST

/* A run on a trace that must recover: exit 0, nothing stranded, the
 * streams inspect's; its result.sender. */
static json_object *recovered(const char *trace, const char *const *args, char **raw, const char *what)
{
    json_object *run = closed(trace, args, raw, what);
    ck_assert_int_eq(i64(get(get(run, "result"), "sender"), "bytes_stranded"), 0);
    json_object *ins = inspect(trace);
    ck_assert_int_eq(same_streams(run, ins, what), 4);
    json_object_put(ins);
    return run;
}

START_TEST(wire_loss_and_reorder_recovered)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, "traces/data/parallel4-v4-64k.pcap");
    const char *lossy[] = { "--loss", "0.02", NULL }, *lossy2[] = { "--loss", "0.02", "--seed", "2", NULL };
    const char *reord[] = { "--reorder", "0.05:30", NULL };
    char *raw1, *raw2, *raw3;
    json_object *run = recovered(trace, lossy, &raw1, "--loss 0.02");
    json_object *snd = get(get(run, "result"), "sender");
    ck_assert_int_gt(i64(snd, "wire_losses"), 0);
    ck_assert_int_gt(i64(snd, "retransmits"), 0);
    ck_assert_int_eq(i64(get(get(run, "result"), "drops"), "ring_full"), 0);   /* the losses are the wire's */
    json_object_put(run);
    json_object_put(recovered(trace, lossy, &raw2, "--loss 0.02 again"));
    ck_assert_msg(!strcmp(raw1, raw2), "two --loss runs with the same seed differ");
    json_object_put(recovered(trace, lossy2, &raw3, "--loss 0.02 --seed 2"));
    ck_assert_msg(strcmp(raw1, raw3), "--seed 2 lost the same frames as --seed 1");
    free(raw1);
    free(raw2);
    free(raw3);
    run = recovered(trace, reord, NULL, "--reorder 0.05:30");
    snd = get(get(run, "result"), "sender");
    ck_assert_int_gt(i64(snd, "wire_reorders"), 0);
    ck_assert_int_gt(i64(snd, "dupacks"), 0);
    ck_assert_int_eq(i64(snd, "wire_losses"), 0);
    json_object_put(run);
}
END_TEST

START_TEST(duration_stops_the_senders)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    /* A 1 ms RTT: data leaves 0.5 ms in (the handshake's round trip, less the
     * SYN's one way before time 0), 10 segments (the initial window), the
     * next 20 when their ACKs are back ~1 ms later; stopped at 2 ms, about
     * 30 segments (43 kB) of the 256 KiB have left. */
    const char *args[] = { "--rtt", "1000", "--duration", "0.002", NULL };
    json_object *run = closed(trace, args, NULL, "--duration");
    json_object *r = get(run, "result"), *snd = get(r, "sender");
    int64_t read = i64(r, "bytes_read"), not_sent = i64(snd, "bytes_not_sent");
    ck_assert_int_eq(i64(snd, "bytes_stranded"), 0);
    ck_assert_int_gt(not_sent, 0);
    ck_assert_int_gt(read, 0);
    ck_assert_int_eq(read + not_sent, 262144);
    json_object_put(run);
}
END_TEST

/* Classic pcap (either byte order of magic read as little-endian records):
 * copies in to out, dropping record number drop (1-based; 0: none) and
 * cutting record number cut to 80 captured bytes (0: none). */
static void rewrite(const char *in, const char *out, int drop, int cut)
{
    FILE *f = fopen(in, "rb"), *g = fopen(out, "wb");
    ck_assert_msg(f && g, "rewrite: cannot open %s or %s", in, out);
    uint8_t hdr[24], rec[16];
    static uint8_t buf[1 << 16];
    ck_assert_int_eq(fread(hdr, 1, 24, f), 24);
    ck_assert_msg(hdr[0] == 0xd4 && hdr[1] == 0xc3, "rewrite: want a little-endian microsecond pcap");
    fwrite(hdr, 1, 24, g);
    for (int n = 1; fread(rec, 1, 16, f) == 16; n++) {
        uint32_t caplen;
        memcpy(&caplen, rec + 8, 4);
        ck_assert_msg(caplen <= sizeof buf && fread(buf, 1, caplen, f) == caplen, "rewrite: short record");
        if (n == drop)
            continue;
        if (n == cut) {
            ck_assert_msg(caplen > 80, "rewrite: record %d is no data frame", n);
            caplen = 80;
            memcpy(rec + 8, &caplen, 4);
        }
        fwrite(rec, 1, 16, g);
        fwrite(buf, 1, caplen, g);
    }
    fclose(f);
    ck_assert_int_eq(fclose(g), 0);
}

/* The one flow of a damaged bulk trace: refused, reason containing want, exit 5. */
static void check_refused(const char *trace, const char *want, const char *what)
{
    int rc;
    json_object *run = closed_rc(trace, NULL, &rc);
    ck_assert_msg(rc == 5, "%s: exit %d, want 5", what, rc);
    json_object *w = get(run, "workload"), *skipped = get(w, "not_replayed");
    ck_assert_int_eq((int)json_object_array_length(get(w, "flows")), 0);
    ck_assert_int_eq((int)json_object_array_length(skipped), 1);
    json_object *k = json_object_array_get_idx(skipped, 0);
    ck_assert_msg(strstr(str(k, "reason"), want), "%s: reason '%s', want '%s'", what, str(k, "reason"), want);
    ck_assert_msg(json_object_get_boolean(get(k, "unanswered")), "%s: not flagged unanswered", what);
    ck_assert_int_eq(i64(w, "flows_unanswered"), 1);
    ck_assert_int_eq((int)json_object_array_length(get(run, "connections")), 0);   /* nothing made up */
    json_object_put(run);
}

START_TEST(damaged_flows_refused)
{
    char trace[4200], holed[4200], snapped[4200];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    snprintf(holed, sizeof holed, "%s/hole.pcap", dir);
    snprintf(snapped, sizeof snapped, "%s/cut.pcap", dir);
    rewrite(trace, holed, 50, 0);       /* record 50: a data frame in mid-stream */
    rewrite(trace, snapped, 0, 60);
    check_refused(holed, "hole", "one frame removed");
    check_refused(snapped, "payload not captured", "one frame cut to 80 bytes");
}
END_TEST

/* Without its SYN (record 3 of the bulk trace removed) the flow is picked up
 * at its first data segment, as inspect does, and replayed with Linux's
 * defaults: the report says the SYN was not captured. */
/* The text report says where the frames came from: the host guessed from
 * the trace's payload, its streams sent by the senders, and no "other frames
 * skipped" clause (nothing of the trace is offered to the NIC). */
START_TEST(text_says_closed_loop)
{
    char trace[4200];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    char *argv[] = { "run", "--no-progress", "--replay", "closed", trace, NULL };
    char *text;
    ck_assert_int_eq(testenv_run_lib(argv, &text), 0);
    ck_assert_msg(strstr(text, "\nhost 10.78.0.2 (guessed: receives 262144 of 262225 TCP payload bytes; its streams "
                               "sent by closed-loop senders)"),
                  "host line: %.400s", text);
    ck_assert_msg(!strstr(text, "other frames") && !strstr(text, "no TCP in the trace"), "%.600s", text);
    free(text);
}
END_TEST

START_TEST(flow_without_its_syn)
{
    char trace[4200], nosyn[4200];
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    snprintf(nosyn, sizeof nosyn, "%s/nosyn.pcap", dir);
    rewrite(trace, nosyn, 3, 0);
    json_object *run = closed(nosyn, NULL, NULL, "no SYN");
    json_object *f = json_object_array_get_idx(get(get(run, "workload"), "flows"), 0);
    ck_assert_msg(f && !json_object_get_boolean(get(f, "syn_captured")), "the SYN reads as captured");
    ck_assert_ptr_null(get(f, "mss"));                  /* from --mtu */
    ck_assert_int_eq(i64(f, "wscale"), 7);
    ck_assert_msg(json_object_get_boolean(get(f, "timestamps")), "no timestamps by default");
    json_object *ins = inspect(nosyn);
    ck_assert_int_eq(same_streams(run, ins, "no SYN"), 1);
    json_object_put(ins);
    json_object_put(run);
}
END_TEST

START_TEST(shared_captures_match_manifests)
{
    const char *shared = testenv_shared_traces();
    char cap[4200];
    if (!shared) {
        fprintf(stderr, "# skip: RXSIM_SHARED not set or ../shared absent: no captured traces to replay\n");
        return;
    }
    snprintf(cap, sizeof cap, "%s/captured", shared);
    DIR *d = opendir(cap);
    if (!d) {
        fprintf(stderr, "# skip: %s absent: no captured traces to replay\n", cap);
        return;
    }
    int traces = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".pcap"))
            continue;
        char trace[4600], manifest[4700];
        snprintf(trace, sizeof trace, "%s/%s", cap, e->d_name);
        snprintf(manifest, sizeof manifest, "%s.manifest.json", trace);
        json_object *m = json_object_from_file(manifest);
        if (!m)
            continue;
        json_object *run = closed(trace, NULL, NULL, e->d_name);
        ck_assert_int_eq(i64(get(get(run, "result"), "sender"), "bytes_stranded"), 0);
        json_object *flows = get(m, "flows");
        for (size_t i = 0; i < json_object_array_length(flows); i++) {
            json_object *f = json_object_array_get_idx(flows, i);
            json_object *c = run_conn(run, str(f, "sender"));
            ck_assert_msg(c != NULL, "%s: %s not replayed", e->d_name, str(f, "sender"));
            ck_assert_msg(!strcmp(str(c, "sha256"), str(f, "content_sha256")), "%s: %s sha256 %s, manifest %s",
                          e->d_name, str(f, "sender"), str(c, "sha256"), str(f, "content_sha256"));
        }
        json_object_put(run);
        json_object_put(m);
        traces++;
    }
    closedir(d);
    fprintf(stderr, "# %d captured traces replayed closed-loop, every flow's SHA-256 the manifest's\n", traces);
}
END_TEST

static void setup(void)
{
    testenv_mkdtemp(dir, sizeof dir);
}

static Suite *closed_trace_suite(void)
{
    Suite *s = suite_create("closed_trace");
    TCase *tc = tcase_create("closed_trace");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, shipped_traces_exact);
    tcase_add_test(tc, ring_drops_recovered_and_deterministic);
    tcase_add_test(tc, wire_loss_and_reorder_recovered);
    tcase_add_test(tc, duration_stops_the_senders);
    tcase_add_test(tc, damaged_flows_refused);
    tcase_add_test(tc, flow_without_its_syn);
    tcase_add_test(tc, text_says_closed_loop);
    tcase_add_test(tc, shared_captures_match_manifests);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(closed_trace_suite());
}
