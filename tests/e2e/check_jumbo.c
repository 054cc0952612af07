/* tests/e2e/check_jumbo.c: frames longer than one 2 KiB receive buffer.
 *
 *  - A real MTU 9000 capture (traces/data/bulk-v4-mtu9000-256k.pcap, made by
 *    traces/capture-netns.sh: 9014-byte frames, 5 buffers each) and a
 *    GRO-sized synth trace made here (rxsim synth --mtu 65535: 65549-byte
 *    frames, 33 buffers each) go through every checksum x delivery x recycle
 *    policy: each reader's bytes and SHA-256 equal inspect's and the
 *    independent truth (the Linux receiver's for the capture, synth's own
 *    generator for the synth trace), with no NIC drop.
 *  - The cache model is charged for every line of every buffer of a chain:
 *    with the checksum in softirq on CPU 0 and the reader on CPU 1, the
 *    reader's copy pulls each payload line across once, so copy_to_user's
 *    lines moved are the payload's lines (plus at most two partial lines per
 *    chunk), never just the head buffers'.
 *  - A frame no ring could hold (--ring smaller than its buffers) is a
 *    counted frame_too_long drop named on stderr with exit 5, never silent.
 *  - The BIG TCP capture in ../shared (one 80 KB frame, IPv4 total length 0)
 *    ends as inspect ends it: an ip_hdr drop, not a NIC drop.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/policy_combos.h"
#include "tests/common/testenv.h"

static char jumbo[4096], jumbo_truth[4200], gro[4200], gro_truth[4300];
static json_object *jumbo_ins, *gro_ins;       /* inspect --json of each, made once in main() */

/* rxsim ARGS... > out; the exit status, and the JSON (NULL when it is not). */
static json_object *rxsim_json(char *const *args, int *rc, char **err_text)
{
    char tmp[4096], out[4200], err[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out.json", tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    *rc = testenv_rxsim(args, out, err);
    json_object *j = json_object_from_file(out);
    if (err_text)
        *err_text = testenv_slurp(err, NULL);
    return j;
}

/* inspect --json TRACE, or NULL (exit status in *rc). */
static json_object *inspect(const char *trace, int *rc)
{
    char *args[] = { "inspect", "--json", (char *)trace, NULL };
    json_object *j = rxsim_json(args, rc, NULL);
    if (*rc != 0) {
        json_object_put(j);
        j = NULL;
    }
    return j;
}

/* The direction "from" → "to" in inspect's report (NULL when absent). */
static json_object *inspect_dir(json_object *ins, const char *from, const char *to)
{
    json_object *conns = get(ins, "connections");
    for (size_t c = 0; c < json_object_array_length(conns); c++) {
        json_object *dirs = get(json_object_array_get_idx(conns, c), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *x = json_object_array_get_idx(dirs, d);
            if (!strcmp(str(x, "from"), from) && !strcmp(str(x, "to"), to))
                return x;
        }
    }
    return NULL;
}

/* Every direction the truth says the receiver read: run's reader for it got
 * the same bytes and SHA-256, and so did inspect. */
static void check_streams(json_object *run, json_object *ins, const char *truth_path, const char *what)
{
    json_object *truth = json_object_from_file(truth_path);
    ck_assert_msg(truth != NULL, "%s: cannot read", truth_path);
    json_object *dirs = get(truth, "directions"), *conns = get(run, "connections");
    int checked = 0;
    for (size_t i = 0; i < json_object_array_length(dirs); i++) {
        json_object *t = json_object_array_get_idx(dirs, i);
        if (strcmp(str(t, "read_by"), "receiver"))
            continue;
        char from[80], to[80];
        snprintf(from, sizeof from, "%s:%lld", str(t, "src"), (long long)i64(t, "sport"));
        snprintf(to, sizeof to, "%s:%lld", str(t, "dst"), (long long)i64(t, "dport"));
        json_object *in = inspect_dir(ins, from, to), *rd = NULL;
        for (size_t c = 0; c < json_object_array_length(conns); c++) {
            json_object *x = json_object_array_get_idx(conns, c);
            if (!strcmp(str(x, "from"), from) && !strcmp(str(x, "to"), to))
                rd = x;
        }
        ck_assert_msg(in != NULL, "%s: inspect has no direction %s > %s", what, from, to);
        ck_assert_msg(rd != NULL, "%s: run has no reader for %s > %s", what, from, to);
        ck_assert_msg(i64(rd, "bytes") == i64(t, "bytes") && i64(in, "bytes_delivered") == i64(t, "bytes"),
                      "%s: %s read %lld bytes by run, %lld by inspect; the receiver %lld", what, from,
                      (long long)i64(rd, "bytes"), (long long)i64(in, "bytes_delivered"),
                      (long long)i64(t, "bytes"));
        ck_assert_msg(!strcmp(str(rd, "sha256"), str(t, "sha256")) && !strcmp(str(in, "sha256"), str(t, "sha256")),
                      "%s: %s sha256 run %s, inspect %s, receiver %s", what, from, str(rd, "sha256"),
                      str(in, "sha256"), str(t, "sha256"));
        checked++;
    }
    ck_assert_msg(checked > 0, "%s: the truth lists no direction read by the receiver", truth_path);
    json_object_put(truth);
}

/* Every frame offered reached the stack: the NIC dropped nothing. */
static void check_no_nic_drop(json_object *run, const char *what)
{
    json_object *r = get(run, "result"), *drops = get(r, "drops");
    ck_assert_msg(i64(drops, "frame_too_long") == 0 && i64(drops, "ring_full") == 0,
                  "%s: %lld frame_too_long, %lld ring_full drops", what, (long long)i64(drops, "frame_too_long"),
                  (long long)i64(drops, "ring_full"));
    ck_assert_msg(i64(r, "frames_offered") == i64(r, "frames_to_stack"), "%s: %lld offered, %lld to the stack",
                  what, (long long)i64(r, "frames_offered"), (long long)i64(r, "frames_to_stack"));
}

static void every_policy(const char *trace, const char *truth, json_object *ins, int i)
{
    const char *c, *d, *r;
    char dbuf[64];
    policy_combo(i, &c, &d, &r, dbuf, sizeof dbuf);
    char what[4400];
    snprintf(what, sizeof what, "%s csum=%s delivery=%s recycle=%s", strrchr(trace, '/') + 1, c, d, r);
    char *args[] = { "run", "--json", "--no-progress", "--csum", (char *)c, "--delivery", (char *)d,
                     "--recycle", (char *)r, (char *)trace, NULL };
    int rc;
    char *err;
    json_object *run = rxsim_json(args, &rc, &err);
    ck_assert_msg(rc == 0 && run, "%s: exit %d: %s", what, rc, err ? err : "");
    check_no_nic_drop(run, what);
    check_streams(run, ins, truth, what);
    json_object_put(run);
    free(err);
}

START_TEST(mtu9000_capture_every_policy) { every_policy(jumbo, jumbo_truth, jumbo_ins, _i); }
END_TEST

START_TEST(gro_sized_synth_every_policy) { every_policy(gro, gro_truth, gro_ins, _i); }
END_TEST

/* copy_to_user's lines moved between CPUs and its calls, from run's profile. */
static void copy_lines(json_object *run, int64_t *lines, int64_t *calls)
{
    json_object *f = profile_row(run, "copy_to_user");     /* no row: 0 and 0 */
    *lines = i64(f, "lines_out");
    *calls = i64(f, "calls");
}

START_TEST(every_buffer_line_charged)
{
    const char *traces[] = { jumbo, gro };
    for (size_t k = 0; k < ARRAY_LEN(traces); k++) {
        char *args[] = { "run", "--json", "--no-progress", "--csum", "softirq", "--irq", "fixed:0",
                         "--app", "fixed:1", (char *)traces[k], NULL };
        int rc;
        json_object *run = rxsim_json(args, &rc, NULL);
        ck_assert_msg(rc == 0 && run, "%s: exit %d", traces[k], rc);
        int64_t bytes = i64(get(run, "result"), "bytes_read"), lines, calls;
        copy_lines(run, &lines, &calls);
        /* Every payload line was read by the checksum on CPU 0 and is pulled
         * to CPU 1 by the copy: at least bytes / 64 lines, and at most two
         * partial lines more per copy call (a call covers one buffer's piece). */
        ck_assert_msg(bytes > 0 && lines >= bytes / 64 && lines <= bytes / 64 + 2 * calls,
                      "%s: %lld bytes read, %lld lines moved by copy_to_user in %lld calls (want %lld..%lld)",
                      traces[k], (long long)bytes, (long long)lines, (long long)calls, (long long)(bytes / 64),
                      (long long)(bytes / 64 + 2 * calls));
        json_object_put(run);
    }
}
END_TEST

START_TEST(frame_longer_than_the_ring_is_a_named_drop)
{
    /* 65549-byte frames need 33 buffers; a 16-descriptor ring holds 32 KiB. */
    char *args[] = { "run", "--json", "--no-progress", "--ring", "16", gro, NULL };
    int rc;
    char *err;
    json_object *run = rxsim_json(args, &rc, &err);
    ck_assert_msg(run != NULL, "--ring 16: no JSON report (exit %d)", rc);
    json_object *r = get(run, "result");
    int64_t too_long = i64(get(r, "drops"), "frame_too_long");
    ck_assert_msg(too_long > 0 && i64(r, "frames_offered") == i64(r, "frames_to_stack") + too_long,
                  "--ring 16: %lld frame_too_long of %lld offered, %lld to the stack", (long long)too_long,
                  (long long)i64(r, "frames_offered"), (long long)i64(r, "frames_to_stack"));
    ck_assert_msg(rc == 5, "--ring 16: exit %d, want 5 (unanswered in part)", rc);
    ck_assert_msg(err && strstr(err, "frame_too_long"), "--ring 16: stderr does not name the drop: %s", err);
    free(err);
    json_object_put(run);

    char *targs[] = { "run", "--no-progress", "--ring", "16", gro, NULL };
    char tmp[4096], out[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out.txt", tmp);
    ck_assert_int_eq(testenv_rxsim(targs, out, NULL), 5);
    char *text = testenv_slurp(out, NULL);
    ck_assert_msg(text && strstr(text, "frame_too_long"), "the text report does not list frame_too_long");
    free(text);
}
END_TEST

START_TEST(bigtcp_as_inspect_ends_it)
{
    const char *shared = testenv_shared_traces();
    if (!shared) {
        fprintf(stderr, "# skipped: ../shared/traces not found (BIG TCP capture)\n");
        return;
    }
    char trace[4200];
    snprintf(trace, sizeof trace, "%s/public/tcpdump_bigtcp-ipv4.pcap", shared);
    if (access(trace, R_OK)) {
        fprintf(stderr, "# skipped: %s missing\n", trace);
        return;
    }
    int rc;
    json_object *ins = inspect(trace, &rc);
    ck_assert_msg(ins != NULL, "inspect %s: exit %d", trace, rc);
    char *args[] = { "run", "--json", "--no-progress", trace, NULL };
    json_object *run = rxsim_json(args, &rc, NULL);
    ck_assert_msg(rc == 0 && run, "run %s: exit %d", trace, rc);
    json_object *rd = get(get(run, "result"), "drops"), *id = get(get(ins, "stack"), "drops");
    check_no_nic_drop(run, "BIG TCP");
    /* Each reason the same count in both: the frame reached the stack and
     * ended there as inspect's did (ip_hdr: total length 0). */
    json_object_object_foreach(id, key, val) {
        ck_assert_msg(i64(rd, key) == json_object_get_int64(val), "BIG TCP: %s: run %lld, inspect %lld", key,
                      (long long)i64(rd, key), (long long)json_object_get_int64(val));
    }
    ck_assert_int_eq(i64(id, "ip_hdr"), 1);
    ck_assert_int_eq(i64(get(run, "result"), "bytes_read"), 0);
    json_object_put(run);
    json_object_put(ins);
}
END_TEST

int main(void)
{
    testenv_path(jumbo, sizeof jumbo, "traces/data/bulk-v4-mtu9000-256k.pcap");
    snprintf(jumbo_truth, sizeof jumbo_truth, "%s.truth.json", jumbo);
    if (access(jumbo, R_OK) || access(jumbo_truth, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-mtu9000-256k.pcap (or its truth) missing");

    /* Two flows of 300000 bytes in 1 MiB writes at MTU 65535: four full
     * 65483-byte segments and a short one each. */
    char tmp[4096];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(gro, sizeof gro, "%s/gro64k.pcap", tmp);
    snprintf(gro_truth, sizeof gro_truth, "%s.truth.json", gro);
    char *synth[] = { "synth", "-o", gro, "--mtu", "65535", "--flows", "2", "--bytes", "300000",
                      "--send-size", "1M", NULL };
    if (testenv_rxsim(synth, NULL, NULL) != 0) {
        fprintf(stderr, "rxsim synth --mtu 65535 failed\n");
        return 1;
    }
    int rc;
    if (!(jumbo_ins = inspect(jumbo, &rc)) || !(gro_ins = inspect(gro, &rc))) {
        fprintf(stderr, "rxsim inspect failed (exit %d)\n", rc);
        return 1;
    }

    Suite *s = suite_create("jumbo");
    TCase *tc = tcase_create("frames longer than a buffer");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, mtu9000_capture_every_policy, 0, policy_combos());
    tcase_add_loop_test(tc, gro_sized_synth_every_policy, 0, policy_combos());
    tcase_add_test(tc, every_buffer_line_charged);
    tcase_add_test(tc, frame_longer_than_the_ring_is_a_named_drop);
    tcase_add_test(tc, bigtcp_as_inspect_ends_it);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
