/* tests/e2e/check_run.c: rxsim run on real captures.
 *
 *  - Every policy combination (checksum x delivery x recycle) delivers the
 *    bytes the real Linux receiver read (the trace's manifest), and the run
 *    conserves frames (offered = to the stack + dropped by the NIC; to the
 *    stack = consumed + dropped by the stack) and time (busy <= elapsed on
 *    every CPU).
 *  - The model reproduces the direction of the known results (inequalities,
 *    never hard-coded numbers): checksum folded into the copy moves fewer
 *    lines and costs fewer cycles per byte when the IRQ and reader CPUs
 *    differ, and by less when they are one CPU; batching and GRO cut protocol
 *    cycles per packet and raise frames per pass; coalescing gives several
 *    frames per interrupt; every recycle policy counts every free remote
 *    when IRQ and reader CPUs differ, none when they are one; IRQ + process affinity
 *    together beat either alone on a multi-flow trace.
 *  - Two identical runs give identical JSON.
 *  - A report lists at most 4096 connections and says how many it left out;
 *    a bad --costs file names the key, value or place that is wrong (exit 2).
 * Uses ../shared/traces/captured (skipped with a message when absent) and
 * traces/data/ shipped with rxsim.  Runs whose report is all a test reads
 * call the library in this process (run()); what is about the process (exit
 * status, stderr, argv, output formats, crash safety) spawns the binary. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/policy_combos.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char bulk[3000], bulk_manifest[4096], parallel[3000], parallel_manifest[4096];


/* rxsim run --json --no-progress ARGS... TRACE, in this process (run_lib.h).
 * Returns the report (or fails the test: messages are on the test's
 * stderr), and the raw text in *raw when asked.  Exit codes, stderr and
 * argv handling are tested through the binary (testenv_run) below. */
static json_object *run(const char *trace, const char *const *args, char **raw)
{
    return testenv_run_json(NULL, args, trace, trace, raw);
}

static json_object *result(json_object *j) { return get(j, "result"); }

/* Frames and time add up. */
static void check_conservation(json_object *j, const char *what)
{
    json_object *r = result(j);
    int64_t offered = i64(r, "frames_offered"), to_stack = i64(r, "frames_to_stack");
    json_object *drops = get(r, "drops");
    int64_t nic_drops = i64(drops, "ring_full") + i64(drops, "frame_too_long");
    ck_assert_msg(offered == to_stack + nic_drops, "%s: %lld offered != %lld to the stack + %lld NIC drops",
                  what, (long long)offered, (long long)to_stack, (long long)nic_drops);
    double ghz = num(get(j, "config"), "ghz");
    double elapsed = num(r, "elapsed_s");
    json_object *cpus = get(j, "cpus");
    for (size_t i = 0; i < json_object_array_length(cpus); i++) {
        double busy = num(json_object_array_get_idx(cpus, i), "busy_cycles");
        ck_assert_msg(busy <= ghz * 1e9 * elapsed * 1.000001 + 1, "%s: CPU %zu busy %.0f cycles > elapsed %.0f",
                      what, i, busy, ghz * 1e9 * elapsed);
    }
}

/* The sender → receiver streams equal what the Linux receiver read. */
static void check_bytes(json_object *j, const char *manifest_path, const char *what)
{
    json_object *man = json_object_from_file(manifest_path);
    ck_assert_msg(man != NULL, "%s: cannot read", manifest_path);
    json_object *flows = get(man, "flows");
    json_object *conns = get(j, "connections");
    for (size_t f = 0; f < json_object_array_length(flows); f++) {
        json_object *fl = json_object_array_get_idx(flows, f);
        const char *sender = json_object_get_string(get(fl, "sender"));
        bool found = false;
        for (size_t c = 0; c < json_object_array_length(conns); c++) {
            json_object *cn = json_object_array_get_idx(conns, c);
            if (strcmp(json_object_get_string(get(cn, "from")), sender))
                continue;
            found = true;
            ck_assert_msg(i64(cn, "bytes") == i64(fl, "receiver_bytes"), "%s: %s read %lld bytes, Linux %lld",
                          what, sender, (long long)i64(cn, "bytes"), (long long)i64(fl, "receiver_bytes"));
            ck_assert_msg(!strcmp(json_object_get_string(get(cn, "sha256")),
                                  json_object_get_string(get(fl, "receiver_sha256"))),
                          "%s: %s sha256 differs from the Linux receiver's", what, sender);
        }
        ck_assert_msg(found, "%s: no reader for flow from %s", what, sender);
    }
    json_object_put(man);
}

START_TEST(every_combination_delivers_the_receivers_bytes)
{
    const char *csum, *delivery, *recycle;
    char dbuf[64];
    policy_combo(_i, &csum, &delivery, &recycle, dbuf, sizeof dbuf);
    char what[128];
    snprintf(what, sizeof what, "csum=%s delivery=%s recycle=%s", csum, delivery, recycle);
    const char *args[] = { "--csum", csum, "--delivery", delivery, "--recycle", recycle, NULL };
    json_object *j = run(bulk, args, NULL);
    check_bytes(j, bulk_manifest, what);
    check_conservation(j, what);
    json_object_put(j);
}
END_TEST

static double metric(json_object *j, const char *k) { return num(result(j), k); }

START_TEST(process_checksum_beats_softirq_across_cpus)
{
    const char *soft2[] = { "--csum", "softirq", "--irq", "fixed:0", "--app", "fixed:1", NULL };
    const char *proc2[] = { "--csum", "process", "--irq", "fixed:0", "--app", "fixed:1", NULL };
    const char *soft1[] = { "--csum", "softirq", "--irq", "fixed:0", "--app", "fixed:0", NULL };
    const char *proc1[] = { "--csum", "process", "--irq", "fixed:0", "--app", "fixed:0", NULL };
    json_object *s2 = run(bulk, soft2, NULL), *p2 = run(bulk, proc2, NULL);
    json_object *s1 = run(bulk, soft1, NULL), *p1 = run(bulk, proc1, NULL);
    ck_assert_msg(metric(p2, "lines_moved") < metric(s2, "lines_moved"),
                  "lines moved: process %.0f, softirq %.0f", metric(p2, "lines_moved"), metric(s2, "lines_moved"));
    double gap2 = metric(s2, "cycles_per_byte") - metric(p2, "cycles_per_byte");
    double gap1 = metric(s1, "cycles_per_byte") - metric(p1, "cycles_per_byte");
    ck_assert_msg(gap2 > 0, "two CPUs: softirq %.3f cycles/byte, process %.3f",
                  metric(s2, "cycles_per_byte"), metric(p2, "cycles_per_byte"));
    ck_assert_msg(gap1 < gap2, "the gap on one CPU (%.3f) should be smaller than across CPUs (%.3f)", gap1, gap2);
    json_object_put(s2);
    json_object_put(p2);
    json_object_put(s1);
    json_object_put(p1);
}
END_TEST

static double protocol_per_packet(json_object *j)
{
    json_object *prof = get(j, "profile");
    double cyc = 0;
    for (size_t i = 0; i < json_object_array_length(prof); i++) {
        json_object *f = json_object_array_get_idx(prof, i);
        if (!strcmp(json_object_get_string(get(f, "category")), "protocol"))
            cyc += num(f, "cycles");
    }
    return cyc / metric(j, "frames_to_stack");
}

START_TEST(mitigation_cuts_protocol_cost)
{
    const char *pk[] = { "--delivery", "packet", "--rx-usecs", "50", NULL };
    const char *bt[] = { "--delivery", "batch:16", "--rx-usecs", "50", NULL };
    const char *gr[] = { "--delivery", "gro", "--rx-usecs", "50", NULL };
    json_object *p = run(bulk, pk, NULL), *b = run(bulk, bt, NULL), *g = run(bulk, gr, NULL);
    ck_assert_msg(protocol_per_packet(b) < protocol_per_packet(p), "batch %.1f vs packet %.1f protocol cycles/packet",
                  protocol_per_packet(b), protocol_per_packet(p));
    ck_assert_msg(protocol_per_packet(g) < protocol_per_packet(p), "gro %.1f vs packet %.1f protocol cycles/packet",
                  protocol_per_packet(g), protocol_per_packet(p));
    ck_assert(metric(b, "frames_per_pass") > metric(p, "frames_per_pass"));
    ck_assert(metric(g, "frames_per_pass") > metric(p, "frames_per_pass"));
    ck_assert_msg(metric(p, "frames_per_interrupt") > 2, "coalescing: %.2f frames per interrupt",
                  metric(p, "frames_per_interrupt"));
    json_object_put(p);
    json_object_put(b);
    json_object_put(g);
}
END_TEST

/* GRO holds several flows at once, as Linux's GRO list does (up to 8): with
 * four flows interleaved segment by segment (rxsim synth --flows 4) and
 * polls of many frames, each flow's segments merge within a poll.  When one
 * flow was held at a time, every segment of another flow closed the merge:
 * 1.0 frames per pass. */
START_TEST(gro_merges_interleaved_flows)
{
    char tmp[512], trace[600];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(trace, sizeof trace, "%s/four.pcap", tmp);
    /* 64 KiB writes: a write's last segment has PSH, which ends a merge */
    char *synth[] = { "synth", "-o", trace, "--flows", "4", "--bytes", "256K", "--seed", "3", "--send-size", "64K",
                      NULL };
    ck_assert_int_eq(testenv_rxsim(synth, NULL, NULL), 0);
    const char *gr[] = { "--delivery", "gro", "--replay", "rate:2.5G", "--rx-usecs", "100", NULL };
    json_object *g = run(trace, gr, NULL);
    ck_assert_msg(metric(g, "frames_per_pass") > 3, "%.2f frames per pass: interleaved flows did not merge",
                  metric(g, "frames_per_pass"));
    ck_assert_int_eq(metric(g, "bytes_read"), 4 * 256 * 1024);
    json_object_put(g);
}
END_TEST

/* ACKs as Linux's receiver sends them (sock.c): every data segment of a
 * connection's start (quickack), one per two full segments while the reader
 * keeps up, and while it lags only the ones its recv() sends; and the
 * report's receive-queue depth at recv() says which case it was. */
START_TEST(acks_follow_the_reader)
{
    char tmp[512], small[600], big[600];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(small, sizeof small, "%s/8k.pcap", tmp);
    snprintf(big, sizeof big, "%s/2m.pcap", tmp);
    char *s1[] = { "synth", "-o", small, "--flows", "1", "--bytes", "8K", "--seed", "5", NULL };
    char *s2[] = { "synth", "-o", big, "--flows", "1", "--bytes", "2M", "--seed", "5", NULL };
    ck_assert_int_eq(testenv_rxsim(s1, NULL, NULL), 0);
    ck_assert_int_eq(testenv_rxsim(s2, NULL, NULL), 0);
    const char *none[] = { NULL };
    json_object *q = run(small, none, NULL);
    ck_assert_int_eq(metric(q, "acks"), 6);     /* 6 data segments (the synth truth), each acked */
    const char *fast[] = { "--replay", "rate:1G", NULL };
    const char *slow[] = { "--replay", "rate:1G", "--app-cycles-per-byte", "50", NULL };
    json_object *f = run(big, fast, NULL), *l = run(big, slow, NULL);
    double segs = 1536;                         /* 2 MiB in 1536 data segments */
    ck_assert_msg(metric(f, "acks") / segs > 0.45 && metric(f, "acks") / segs < 0.55, "reader keeping up: %.0f ACKs",
                  metric(f, "acks"));
    ck_assert_msg(metric(l, "acks") / segs < 0.1, "reader lagging: %.0f ACKs for %.0f segments", metric(l, "acks"),
                  segs);
    /* the lag itself: bytes queued when the reader calls recv() (two segments'
     * worth while it keeps up; hundreds of KB when it lags) */
    ck_assert_msg(metric(f, "rcvq_median_bytes") <= 2 * 1448 && metric(l, "rcvq_median_bytes") > 256 * 1024,
                  "receive queue at recv(): %.0f bytes keeping up, %.0f lagging", metric(f, "rcvq_median_bytes"),
                  metric(l, "rcvq_median_bytes"));
    json_object_put(q);
    json_object_put(f);
    json_object_put(l);
}
END_TEST

/* A free is remote when the freeing CPU is not the allocating one, under
 * every policy.  IRQ on 0 and the reader on 1: the reader frees the buffers
 * it read (remote), the softirq those it did not queue (local), the same
 * buffers whatever the policy, so every policy counts the same number > 0;
 * both on 0: none. */
START_TEST(remote_frees_by_recycle_policy)
{
    int64_t first = -1;
    for (size_t i = 0; recycle_policies[i]; i++) {
        const char *name = recycle_policies[i]->name;
        const char *across[] = { "--recycle", name, "--irq", "fixed:0", "--app", "fixed:1", NULL };
        const char *alone[] = { "--recycle", name, "--irq", "fixed:0", "--app", "fixed:0", NULL };
        json_object *a = run(bulk, across, NULL), *b = run(bulk, alone, NULL);
        json_object *sa = get(result(a), "skb"), *sb = get(result(b), "skb");
        int64_t released = i64(sa, "frees") + i64(sa, "recycled"), remote = i64(sa, "remote_frees");
        ck_assert_msg(remote > 0 && remote < released, "%s, IRQ on 0, reader on 1: %lld remote frees of %lld releases",
                      name, (long long)remote, (long long)released);
        if (first < 0)
            first = remote;
        ck_assert_msg(remote == first, "%s: %lld remote frees, %s %lld on the same run", name,
                      (long long)remote, recycle_policies[0]->name, (long long)first);
        ck_assert_msg(i64(sb, "remote_frees") == 0, "%s, IRQ and reader on 0: %lld remote frees", name,
                      (long long)i64(sb, "remote_frees"));
        json_object_put(a);
        json_object_put(b);
    }
}
END_TEST

START_TEST(affinity_together_beats_either)
{
    /* Two CPUs, two RX queues: "irq" = each queue's interrupt on its own CPU;
     * "app" = each reader stays on one CPU.  Both = readers run where their
     * queue's interrupt runs. */
    const char *neither[] = { "--cpus", "2", "--queues", "2", "--irq", "rr", "--app", "float", NULL };
    const char *irq_only[] = { "--cpus", "2", "--queues", "2", "--irq", "rss", "--app", "float", NULL };
    const char *app_only[] = { "--cpus", "2", "--queues", "2", "--irq", "rr", "--app", "waker", NULL };
    const char *both[] = { "--cpus", "2", "--queues", "2", "--irq", "rss", "--app", "waker", NULL };
    json_object *n = run(parallel, neither, NULL), *i = run(parallel, irq_only, NULL);
    json_object *a = run(parallel, app_only, NULL), *b = run(parallel, both, NULL);
    check_bytes(b, parallel_manifest, "both affinities");
    double sn = metric(n, "throughput_scaled_to_cpu_mbps"), si = metric(i, "throughput_scaled_to_cpu_mbps");
    double sa = metric(a, "throughput_scaled_to_cpu_mbps"), sb = metric(b, "throughput_scaled_to_cpu_mbps");
    ck_assert_msg(sb > si && sb > sa, "scaled throughput: both %.0f, irq only %.0f, app only %.0f, neither %.0f",
                  sb, si, sa, sn);
    ck_assert_msg(metric(b, "lines_moved") < metric(i, "lines_moved") &&
                  metric(b, "lines_moved") < metric(a, "lines_moved"),
                  "lines moved: both %.0f, irq only %.0f, app only %.0f", metric(b, "lines_moved"),
                  metric(i, "lines_moved"), metric(a, "lines_moved"));
    json_object_put(n);
    json_object_put(i);
    json_object_put(a);
    json_object_put(b);
}
END_TEST

START_TEST(identical_runs_identical_json)
{
    const char *args[] = { "--app", "float", "--irq", "rr", "--seed", "7", NULL };
    char *r1, *r2;
    json_object_put(run(bulk, args, &r1));
    json_object_put(run(bulk, args, &r2));
    ck_assert_msg(r1 && r2 && !strcmp(r1, r2), "two runs with the same seed differ");
    free(r1);
    free(r2);
}
END_TEST

START_TEST(outputs_and_bad_options)
{
    char tmp[4096], tl[4200], csv[4200], txt[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(tl, sizeof tl, "%s/timeline.json", tmp);
    snprintf(csv, sizeof csv, "%s/out.csv", tmp);
    snprintf(txt, sizeof txt, "%s/out.txt", tmp);

    /* --timeline: trace-event JSON with work on both CPUs (the reader kept on
     * CPU 1: the default, linux, would run it beside the softirq on CPU 0). */
    const char *args[] = { "--timeline", tl, "--app", "fixed:1", NULL };
    json_object_put(run(bulk, args, NULL));
    json_object *t = json_object_from_file(tl);
    ck_assert_msg(t != NULL, "timeline is not JSON");
    json_object *ev = get(t, "traceEvents");
    int per_cpu[2] = {0};
    for (size_t i = 0; i < json_object_array_length(ev); i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        if (!strcmp(json_object_get_string(get(e, "ph")), "X")) {
            int tid = (int)i64(e, "tid");
            ck_assert(tid == 0 || tid == 1);
            ck_assert(num(e, "dur") >= 0);
            per_cpu[tid]++;
        }
    }
    ck_assert_msg(per_cpu[0] > 0 && per_cpu[1] > 0, "timeline: %d items on CPU 0, %d on CPU 1", per_cpu[0], per_cpu[1]);
    json_object_put(t);

    /* --csv: a header and section,name,value rows, goodput among them. */
    char *cargv[] = { (char *)testenv_rxsim_bin(), "run", "--csv", "--no-progress", bulk, NULL };
    ck_assert_int_eq(testenv_run(cargv, csv, NULL), 0);
    char *text = testenv_slurp(csv, NULL);
    ck_assert(text && !strncmp(text, "section,name,value,not_meaningful\n", 34));
    ck_assert(strstr(text, "\nresult,goodput_mbps,"));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int commas = 0;
        for (char *q = line; *q; q++)
            commas += *q == ',';
        ck_assert_msg(commas == 3, "CSV row with %d commas: %s", commas, line);
    }
    free(text);

    /* --timing=measured says it is not deterministic, in text and JSON. */
    char *margv[] = { (char *)testenv_rxsim_bin(), "run", "--timing", "measured", "--no-progress", bulk, NULL };
    ck_assert_int_eq(testenv_run(margv, txt, NULL), 0);
    text = testenv_slurp(txt, NULL);
    ck_assert(text && strstr(text, "NOT deterministic"));
    free(text);
    const char *margs[] = { "--timing", "measured", NULL };
    json_object *j = run(bulk, margs, NULL);
    ck_assert(!json_object_get_boolean(get(get(j, "config"), "deterministic")));
    json_object_put(j);

    /* Absurd options: exit 2, never a crash. */
    const char *bad[][3] = {
        { "--cpus", "0", NULL }, { "--cpus", "65", NULL }, { "--irq", "fixed:9", NULL },
        { "--app", "fixed:-1", NULL }, { "--csum", "sometimes", NULL }, { "--delivery", "batch:0", NULL },
        { "--delivery", "gro:3", NULL }, { "--recycle", "landfill", NULL }, { "--copy", "csum_ref", NULL },
        { "--replay", "rate:fast", NULL }, { "--ring", "1", NULL }, { "--recv-size", "0", NULL },
        { "--timing", "sometimes", NULL }, { "--ghz", "-1", NULL }, { "--filter", "tcp port (", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *bargv[] = { (char *)testenv_rxsim_bin(), "run", (char *)bad[i][0], (char *)bad[i][1], bulk, NULL };
        int rc = testenv_run(bargv, NULL, NULL);
        ck_assert_msg(rc == 2, "rxsim run %s %s: exit %d, want 2", bad[i][0], bad[i][1], rc);
    }
    char *missing[] = { (char *)testenv_rxsim_bin(), "run", "/nonexistent.pcap", NULL };
    ck_assert_int_eq(testenv_run(missing, NULL, NULL), 3);
    remove(tl);
    remove(csv);
    remove(txt);
    rmdir(tmp);
}
END_TEST

/* Reports list at most 4096 connections: past that the text says how many
 * were left out and the JSON gives the total and a truncated flag; those
 * listed are the first 4096 in order, and the totals count every one.  A
 * synth trace of 5000 one-segment flows (ring big enough for the burst of
 * handshakes, so every flow is read). */
START_TEST(connections_beyond_the_listed_are_said)
{
    char tmp[4096], pcap[4200], txt[4200], errp[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(pcap, sizeof pcap, "%s/flows5000.pcap", tmp);
    snprintf(txt, sizeof txt, "%s/out.txt", tmp);
    snprintf(errp, sizeof errp, "%s/err.txt", tmp);
    char *sargv[] = { (char *)testenv_rxsim_bin(), "synth", "-o", pcap, "--flows", "5000", "--bytes", "100",
                      "--no-acks", NULL };
    ck_assert_int_eq(testenv_run(sargv, NULL, NULL), 0);

    char *targv[] = { (char *)testenv_rxsim_bin(), "run", "--no-progress", "--ring", "16384", pcap, NULL };
    ck_assert_int_eq(testenv_run(targv, txt, errp), 0);
    char *text = testenv_slurp(txt, NULL);
    ck_assert(text != NULL);
    ck_assert_msg(strstr(text, "(500000 bytes read"), "every flow's 100 bytes are read and counted");
    ck_assert_msg(strstr(text, "\n  ... 904 more connections not listed"),
                  "the text must say that 904 of 5000 connections were left out");
    int rows = 0;
    const char *first = NULL;
    for (const char *q = strstr(text, "\n  10.0.0.1:"); q; q = strstr(q + 1, "\n  10.0.0.1:")) {
        if (!first)
            first = q + 3;
        rows++;
    }
    ck_assert_int_eq(rows, 4096);
    ck_assert_msg(!strncmp(first, "10.0.0.1:40000 >", 16), "the first listed is the first flow: %.40s", first);
    free(text);

    const char *args[] = { "--ring", "16384", NULL };
    json_object *j = run(pcap, args, NULL);
    ck_assert_int_eq(i64(j, "connections_total"), 5000);
    ck_assert(json_object_get_boolean(get(j, "connections_truncated")));
    json_object *conns = get(j, "connections");
    ck_assert_int_eq(json_object_array_length(conns), 4096);
    ck_assert_str_eq(json_object_get_string(get(json_object_array_get_idx(conns, 0), "from")), "10.0.0.1:40000");
    ck_assert_str_eq(json_object_get_string(get(json_object_array_get_idx(conns, 4095), "from")), "10.0.0.1:44095");
    ck_assert_int_eq(i64(result(j), "bytes_read"), 500000);
    json_object_put(j);

    /* Under the limit: everything listed, not truncated. */
    j = run(bulk, (const char *const[]){ NULL }, NULL);
    ck_assert_int_eq(i64(j, "connections_total"), (int64_t)json_object_array_length(get(j, "connections")));
    ck_assert(!json_object_get_boolean(get(j, "connections_truncated")));
    json_object_put(j);
    remove(pcap);
    char truth[4300];
    snprintf(truth, sizeof truth, "%s.truth.json", pcap);
    remove(truth);
    remove(txt);
    remove(errp);
    rmdir(tmp);
}
END_TEST

/* --costs FILE: every fault says what is wrong in the file's own terms (the
 * key, the value, line and column) and exits 2; never "(null)" or json-c's
 * function names.  A good file still works. */
START_TEST(costs_file_errors_say_what)
{
    static const struct { const char *text, *want; } cases[] = {
        { "", "the file is empty" },
        { "   \n", "the file is empty" },
        { "[1, 2]", "holds an array; want a JSON object" },
        { "{\"irq_entry\": -5}", "\"irq_entry\": -5: want a whole number of cycles from 0 to 100000000" },
        { "{\"irq_entry\": \"x\"}", "\"irq_entry\": a string: want a whole number" },
        { "{\"irq_entry\": 1.5}", "\"irq_entry\": a number with a fraction or exponent" },
        { "{\"irq_entry\": 99999999999999999999999}", "\"irq_entry\": too large" },
        { "{\"nope\": 3}", "\"nope\" is not a cost; the costs are irq_entry, " },
        { "{\"irq_entry\": 5", "the file ends before the JSON value does" },
        { "{\n  \"irq_entry\": 5,\n  \"tcp_rcv\" 7\n}", "line 3, column 13: not valid JSON" },
        { "{\"irq_entry\": 5} x", "line 1, column 18: more text after the JSON value" },
        { "garbage", "line 1, column 1: not valid JSON" },
    };
    char tmp[4096], costs[4200], errp[4200], dir[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(costs, sizeof costs, "%s/costs.json", tmp);
    snprintf(errp, sizeof errp, "%s/err.txt", tmp);
    snprintf(dir, sizeof dir, "%s/adir", tmp);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0] + 2; i++) {
        const char *path = costs, *want;
        if (i < sizeof cases / sizeof cases[0]) {
            FILE *f = fopen(costs, "w");
            ck_assert(f != NULL);
            fputs(cases[i].text, f);
            fclose(f);
            want = cases[i].want;
        } else if (i == sizeof cases / sizeof cases[0]) {
            path = "/nonexistent/costs.json";
            want = "--costs /nonexistent/costs.json: cannot read it: No such file or directory";
        } else {
            ck_assert_int_eq(mkdir(dir, 0700), 0);
            path = dir;
            want = "cannot read it: Is a directory";
        }
        char *argv[] = { (char *)testenv_rxsim_bin(), "run", "--no-progress", "--costs", (char *)path, bulk, NULL };
        int rc = testenv_run(argv, NULL, errp);
        char *msg = testenv_slurp(errp, NULL);
        ck_assert_msg(rc == 2, "--costs case %zu (%s): exit %d, want 2: %s", i, want, rc, msg ? msg : "");
        ck_assert_msg(msg && strstr(msg, want), "--costs case %zu: want \"%s\" in: %s", i, want, msg ? msg : "");
        ck_assert_msg(!strstr(msg, "(null)") && !strstr(msg, "json_"), "--costs case %zu: internals leak: %s", i, msg);
        free(msg);
    }
    FILE *f = fopen(costs, "w");
    fputs("{\"irq_entry\": 5000, \"wakeup\": 0}\n", f);
    fclose(f);
    const char *args[] = { "--costs", costs, NULL };
    json_object *j = run(bulk, args, NULL);
    ck_assert(i64(result(j), "bytes_read") > 0);
    json_object_put(j);
    remove(costs);
    remove(errp);
    rmdir(dir);
    rmdir(tmp);
}
END_TEST

/* --nics N spreads one trace's connections over N NICs (round-robin by
 * first appearance): every NIC receives frames, and the totals and every
 * connection's bytes and SHA-256 are those of one NIC. */
START_TEST(nics_spread_one_trace)
{
    char small[4096];
    testenv_path(small, sizeof small, "traces/data/parallel4-v4-64k.pcap");
    const char *one[] = { "--nics", "1", NULL }, *two[] = { "--nics", "2", "--irq", "rss", NULL };
    json_object *a = run(small, one, NULL), *b = run(small, two, NULL);
    ck_assert_msg(get(a, "nics") == NULL, "--nics 1: a per-NIC section");
    json_object *nics = get(b, "nics");
    ck_assert_msg(nics && json_object_array_length(nics) == 2, "--nics 2: want 2 NICs in the report");
    int64_t sum = 0;
    for (size_t i = 0; i < 2; i++) {
        json_object *n = json_object_array_get_idx(nics, i);
        ck_assert_msg(i64(n, "frames_in") > 0 && i64(n, "interrupts") > 0, "NIC %zu: %lld frames, %lld interrupts",
                      i, (long long)i64(n, "frames_in"), (long long)i64(n, "interrupts"));
        sum += i64(n, "frames_in");
    }
    const char *keys[] = { "frames_offered", "frames_skipped_not_to_host", "frames_to_stack", "bytes_read" };
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        ck_assert_msg(i64(result(a), keys[k]) == i64(result(b), keys[k]), "%s: %lld with one NIC, %lld with two",
                      keys[k], (long long)i64(result(a), keys[k]), (long long)i64(result(b), keys[k]));
    ck_assert_int_eq(sum, i64(result(b), "frames_offered"));
    check_conservation(b, "--nics 2");
    json_object *ca = get(a, "connections"), *cb = get(b, "connections");
    ck_assert_int_eq(json_object_array_length(ca), 4);
    ck_assert_int_eq(json_object_array_length(cb), 4);
    for (size_t i = 0; i < 4; i++) {
        json_object *x = json_object_array_get_idx(ca, i);
        bool found = false;
        for (size_t k = 0; k < 4; k++) {
            json_object *y = json_object_array_get_idx(cb, k);
            if (strcmp(str(x, "from"), str(y, "from")))
                continue;
            found = true;
            ck_assert_int_eq(i64(x, "bytes"), i64(y, "bytes"));
            ck_assert_str_eq(str(x, "sha256"), str(y, "sha256"));
        }
        ck_assert_msg(found, "--nics 2 lost the connection from %s", str(x, "from"));
    }
    json_object_put(a);
    json_object_put(b);

    /* Bad values: exit 2, and the message names the option. */
    char tmp[4096], err[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    const char *bad[] = { "0", "9", "two", "-1", "" };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *args[] = { "run", "--nics", (char *)bad[i], small, NULL };
        ck_assert_msg(testenv_rxsim(args, NULL, err) == 2, "--nics '%s': want exit 2", bad[i]);
        char *text = testenv_slurp(err, NULL);
        ck_assert_msg(text && strstr(text, "--nics"), "--nics '%s': message %s", bad[i], text);
        free(text);
    }
    /* Several traces already give one NIC each: --nics with them is refused. */
    char *several[] = { "run", "--nics", "2", small, small, NULL };
    ck_assert_int_eq(testenv_rxsim(several, NULL, err), 2);
    char *text = testenv_slurp(err, NULL);
    ck_assert_msg(text && strstr(text, "one NIC each"), "message: %s", text);
    free(text);
    remove(err);
    rmdir(tmp);
}
END_TEST

/* Every public capture (odd link types, VLANs, IPv6, truncated and corrupt
 * files, offload checksums): rxsim run finishes with 0, 3 (unusable), 4
 * (partial) or 5 (flagged, with reasons), never a crash, and what it
 * reports adds up. */
START_TEST(public_traces_never_crash)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/public", testenv_shared_traces());
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
        char *argv[] = { (char *)testenv_rxsim_bin(), "run", "--json", "--no-progress", trace, NULL };
        int rc = testenv_run(argv, out, NULL);
        ck_assert_msg(rc == 0 || rc == 3 || rc == 4 || rc == 5, "%s: exit %d", e->d_name, rc);
        if (rc == 0 || rc == 5) {
            json_object *j = json_object_from_file(out);
            ck_assert_msg(j != NULL, "%s: report is not JSON", e->d_name);
            check_conservation(j, e->d_name);
            /* 5 exactly when the report flags something, and then it says why. */
            size_t nm = json_object_array_length(get(result(j), "not_meaningful"));
            size_t why = json_object_array_length(get(result(j), "unanswered"));
            ck_assert_msg((rc == 5) == (nm > 0) && (nm > 0) == (why > 0),
                          "%s: exit %d with %zu figures not meaningful and %zu reasons", e->d_name, rc, nm, why);
            json_object_put(j);
        }
        remove(out);
        rmdir(tmp);
        n++;
    }
    closedir(d);
    ck_assert_int_gt(n, 20);
}
END_TEST

int main(void)
{
    const char *shared = testenv_shared_traces();
    if (!shared)
        testenv_skip_suite("../shared/traces not found: these tests compare with the Linux receiver's bytes");
    snprintf(bulk, sizeof bulk, "%s/captured/bulk-v4-1mib-nsec.pcap", shared);
    snprintf(bulk_manifest, sizeof bulk_manifest, "%s.manifest.json", bulk);
    snprintf(parallel, sizeof parallel, "%s/captured/parallel4-v4.pcap", shared);
    snprintf(parallel_manifest, sizeof parallel_manifest, "%s.manifest.json", parallel);
    if (access(bulk, R_OK) || access(parallel, R_OK))
        testenv_skip_suite("captured traces missing under ../shared/traces/captured");

    Suite *s = suite_create("run");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, every_combination_delivers_the_receivers_bytes, 0, policy_combos());
    tcase_add_test(tc, process_checksum_beats_softirq_across_cpus);
    tcase_add_test(tc, mitigation_cuts_protocol_cost);
    tcase_add_test(tc, gro_merges_interleaved_flows);
    tcase_add_test(tc, acks_follow_the_reader);
    tcase_add_test(tc, remote_frees_by_recycle_policy);
    tcase_add_test(tc, affinity_together_beats_either);
    tcase_add_test(tc, identical_runs_identical_json);
    tcase_add_test(tc, outputs_and_bad_options);
    tcase_add_test(tc, public_traces_never_crash);
    tcase_add_test(tc, nics_spread_one_trace);
    tcase_add_test(tc, connections_beyond_the_listed_are_said);
    tcase_add_test(tc, costs_file_errors_say_what);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
