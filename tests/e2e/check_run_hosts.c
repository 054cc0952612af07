/* tests/e2e/check_run_hosts.c: which host each trace of `rxsim run` feeds,
 * and how traces are read (sim/cli/cmd_run.c, drivers/nic_trace.h).
 *
 *  - Several traces in one run are several hosts: the same trace twice gives
 *    two connections, each with inspect's SHA-256 and no tcp_closed drop (one
 *    shared connection table made the second copy's segments old data); an
 *    IPv4 trace with an IPv6 one, and an Ethernet trace with a raw-IP one,
 *    both deliver (the first trace's host used to be every trace's, so the
 *    second received nothing, silently).
 *  - --host is given once per trace, in trace order ("guess" guesses that
 *    one); another count is a usage error (exit 2).  A NIC that receives no
 *    frame is a warning on stderr and a count in the report.
 *  - The guessed host receives the most TCP payload: a trace whose SYN goes
 *    to a server that then sends 200 KB back is received by the client; on
 *    ../shared's zeek_http_206_example_b (580 bytes one way, 1.23 MB the
 *    other) the downloader is chosen.  stderr says which host and why, the
 *    JSON report says how it was chosen.
 *  - A trace on standard input (`cat trace | rxsim run -`, or /dev/stdin)
 *    gives the same report as the file itself.
 * The shipped traces/data/ traces and traces written here are used; the
 * zeek case skips (with a message) when ../shared is absent. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/pkt.h"
#include "tests/common/testenv.h"

static char tmpdir[4096], v4[4096], v6[4096];

struct outcome {
    int rc;
    char *out, *err;
    json_object *j;             /* out parsed, when JSON */
};

/* rxsim ARGS... (NULL-terminated); stdout and stderr kept. */
static void rxsim(struct outcome *o, const char *const *args)
{
    char out[4200], err[4200];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(err, sizeof err, "%s/err", tmpdir);
    o->rc = testenv_rxsim((char *const *)args, out, err);
    o->out = testenv_slurp(out, NULL);
    o->err = testenv_slurp(err, NULL);
    o->j = o->out ? json_tokener_parse(o->out) : NULL;
    ck_assert_msg(o->err && !strstr(o->err, "runtime error"), "sanitizer: %s", o->err ? o->err : "");
}

/* sh -c CMD, stdout and stderr kept (for pipes into rxsim). */
static void shell(struct outcome *o, const char *cmd)
{
    char out[4200], err[4200];
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(err, sizeof err, "%s/err", tmpdir);
    char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
    o->rc = testenv_run(argv, out, err);
    o->out = testenv_slurp(out, NULL);
    o->err = testenv_slurp(err, NULL);
    o->j = NULL;
}

static void outcome_free(struct outcome *o)
{
    json_object_put(o->j);
    free(o->out);
    free(o->err);
}

/* inspect's SHA-256 of the direction to `to` ("10.78.0.2:5001") in trace. */
static void inspect_sha(const char *trace, const char *to, char sha[65])
{
    struct outcome o;
    const char *args[] = { "inspect", "--json", trace, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "inspect %s: exit %d", trace, o.rc);
    json_object *conns = get(o.j, "connections");
    sha[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *dirs = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *dir = json_object_array_get_idx(dirs, d);
            if (!strcmp(str(dir, "to"), to))
                snprintf(sha, 65, "%s", str(dir, "sha256"));
        }
    }
    ck_assert_msg(sha[0], "inspect %s: no direction to %s", trace, to);
    outcome_free(&o);
}

/* The report's connections read `bytes` with `sha`, in trace index `trace`. */
static int count_conns(json_object *j, const char *sha, int64_t bytes, int trace)
{
    json_object *conns = get(j, "connections");
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        n += !strcmp(str(c, "sha256"), sha) && i64(c, "bytes") == bytes && i64(c, "trace") == trace;
    }
    return n;
}

/* ------------------------------------------------------------ trace writing */

static void put32(FILE *o, uint32_t v) { fwrite(&v, 4, 1, o); }
static void put16(FILE *o, uint16_t v) { fwrite(&v, 2, 1, o); }

struct seg {
    bool to_server;             /* client 10.9.0.1:33000 → server 10.9.0.2:80, or back */
    uint8_t flags;
    uint32_t len;
};

/* A pcap of one connection (link type dlt: 1 Ethernet, 101 raw IP), 100 us
 * between frames; each direction's payload is bytes (seq * 13) so either
 * stream is known. */
static void write_flow(const char *path, int dlt, const struct seg *segs, int n)
{
    FILE *o = fopen(path, "wb");
    ck_assert_msg(o != NULL, "cannot write %s", path);
    put32(o, 0xa1b2c3d4u);
    put16(o, 2);
    put16(o, 4);
    put32(o, 0);
    put32(o, 0);
    put32(o, 65535);
    put32(o, (uint32_t)dlt);
    uint32_t next[2] = { 1001, 5001 };          /* client's, server's sequence numbers */
    static uint8_t data[1460], frame[2048];
    for (int i = 0; i < n; i++) {
        int d = segs[i].to_server ? 0 : 1;
        struct pkt_spec s = { .sport = d ? 80 : 33000, .dport = d ? 33000 : 80, .flags = segs[i].flags,
                              .seq = next[d] - ((segs[i].flags & 0x02) ? 1 : 0), .ack = next[!d],
                              .payload = data, .len = segs[i].len };
        s.src[0] = 10, s.src[1] = 9, s.src[3] = (uint8_t)(d ? 2 : 1);
        s.dst[0] = 10, s.dst[1] = 9, s.dst[3] = (uint8_t)(d ? 1 : 2);
        for (uint32_t k = 0; k < segs[i].len; k++)
            data[k] = (uint8_t)((next[d] + k) * 13);
        size_t len = pkt_build(frame, sizeof frame, &s);
        ck_assert(len > 14);
        size_t skip = dlt == 1 ? 0 : 14;
        put32(o, 1700000000);
        put32(o, (uint32_t)(i * 100));
        put32(o, (uint32_t)(len - skip));
        put32(o, (uint32_t)(len - skip));
        fwrite(frame + skip, 1, len - skip, o);
        next[d] += segs[i].len;
    }
    ck_assert_int_eq(fclose(o), 0);
}

/* The client opens, sends a 500-byte request, the server answers 200 KB. */
static void write_download(const char *path, int dlt)
{
    static struct seg segs[256];
    int n = 0;
    segs[n++] = (struct seg){ true, 0x02, 0 };
    segs[n++] = (struct seg){ false, 0x12, 0 };
    segs[n++] = (struct seg){ true, 0x10, 0 };
    segs[n++] = (struct seg){ true, 0x18, 500 };
    for (int k = 0; k < 137; k++)               /* 137 x 1460 = 200,020 bytes */
        segs[n++] = (struct seg){ false, 0x10, 1460 };
    segs[n++] = (struct seg){ false, 0x11, 0 };
    segs[n++] = (struct seg){ true, 0x11, 0 };
    write_flow(path, dlt, segs, n);
}

/* ------------------------------------------------------------ several traces */

START_TEST(same_trace_twice_is_two_hosts)
{
    char sha[65];
    inspect_sha(v4, "10.78.0.2:5001", sha);
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", v4, v4, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    json_object *r = get(o.j, "result");
    ck_assert_int_eq(i64(r, "bytes_read"), 2 * 262144);
    ck_assert_int_eq(i64(get(r, "drops"), "tcp_closed"), 0);
    ck_assert_int_eq(i64(get(r, "drops"), "tcp_old_data"), 0);
    ck_assert_msg(count_conns(o.j, sha, 262144, 0) == 1 && count_conns(o.j, sha, 262144, 1) == 1,
                  "want one connection with inspect's %s in each trace: %s", sha, o.out);
    outcome_free(&o);
}
END_TEST

START_TEST(ipv4_and_ipv6_traces_both_deliver)
{
    char sha4[65], sha6[65];
    inspect_sha(v4, "10.78.0.2:5001", sha4);
    inspect_sha(v6, "[fd78::2]:5001", sha6);
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", v4, v6, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_int_eq(count_conns(o.j, sha4, 262144, 0), 1);
    ck_assert_msg(count_conns(o.j, sha6, 131072, 1) == 1, "the IPv6 trace delivered nothing: %s", o.err);
    ck_assert_int_eq(i64(get(o.j, "result"), "nics_without_frames"), 0);
    json_object *hosts = get(get(o.j, "config"), "hosts");
    ck_assert_str_eq(str(json_object_array_get_idx(hosts, 0), "host"), "10.78.0.2");
    ck_assert_str_eq(str(json_object_array_get_idx(hosts, 1), "host"), "fd78::2");
    outcome_free(&o);
}
END_TEST

START_TEST(ethernet_and_raw_ip_traces_both_deliver)
{
    char raw[4200];
    snprintf(raw, sizeof raw, "%s/download-raw.pcap", tmpdir);
    write_download(raw, 101);
    char sha4[65], sha_raw[65];
    inspect_sha(v4, "10.78.0.2:5001", sha4);
    inspect_sha(raw, "10.9.0.1:33000", sha_raw);
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", v4, raw, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_int_eq(count_conns(o.j, sha4, 262144, 0), 1);
    ck_assert_msg(count_conns(o.j, sha_raw, 137 * 1460, 1) == 1, "the raw-IP trace delivered nothing: %s",
                  o.err);
    outcome_free(&o);
}
END_TEST

START_TEST(host_per_trace_and_count_checked)
{
    struct outcome o;
    const char *given[] = { "run", "--json", "--no-progress", "--host", "10.78.0.2", "--host", "fd78::2",
                            v4, v6, NULL };
    rxsim(&o, given);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_int_eq(i64(get(o.j, "result"), "bytes_read"), 262144 + 131072);
    json_object *h1 = json_object_array_get_idx(get(get(o.j, "config"), "hosts"), 1);
    ck_assert_str_eq(str(h1, "chosen_by"), "--host");
    outcome_free(&o);

    const char *half[] = { "run", "--json", "--no-progress", "--host", "guess", "--host", "fd78::2",
                           v4, v6, NULL };
    rxsim(&o, half);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_int_eq(i64(get(o.j, "result"), "bytes_read"), 262144 + 131072);
    json_object *h0 = json_object_array_get_idx(get(get(o.j, "config"), "hosts"), 0);
    ck_assert_str_eq(str(h0, "chosen_by"), "most_tcp_payload");
    outcome_free(&o);

    const char *one_for_two[] = { "run", "--no-progress", "--host", "10.78.0.2", v4, v6, NULL };
    rxsim(&o, one_for_two);
    ck_assert_msg(o.rc == 2 && strstr(o.err, "1 --host for 2 traces"), "exit %d: %s", o.rc, o.err);
    outcome_free(&o);
}
END_TEST

START_TEST(nic_without_frames_is_a_warning)
{
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", "--host", "192.0.2.1", v4, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_int_eq(i64(get(o.j, "result"), "nics_without_frames"), 1);
    ck_assert_msg(strstr(o.err, "warning: nic0") && strstr(o.err, "received no IP frames"), "stderr: %s", o.err);
    outcome_free(&o);
}
END_TEST

/* ------------------------------------------------------------ the guess */

START_TEST(guess_is_the_host_receiving_most_payload)
{
    char path[4200], sha[65];
    snprintf(path, sizeof path, "%s/download.pcap", tmpdir);
    write_download(path, 1);
    inspect_sha(path, "10.9.0.1:33000", sha);
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", path, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_str_eq(str(get(o.j, "config"), "host"), "10.9.0.1");
    json_object *h = json_object_array_get_idx(get(get(o.j, "config"), "hosts"), 0);
    ck_assert_str_eq(str(h, "chosen_by"), "most_tcp_payload");
    ck_assert_int_eq(i64(h, "payload_bytes_to_host"), 137 * 1460);
    ck_assert_int_eq(i64(h, "payload_bytes_in_trace"), 137 * 1460 + 500);
    ck_assert_int_eq(count_conns(o.j, sha, 137 * 1460, 0), 1);
    ck_assert_msg(strstr(o.err, "rxsim run: host 10.9.0.1 (receives 200.0 kB of 200.5 kB TCP payload; "
                                "--host to choose another)"), "stderr: %s", o.err);
    outcome_free(&o);
}
END_TEST

START_TEST(guess_on_zeek_http_206)
{
    const char *shared = testenv_shared_traces();
    char path[4200];
    snprintf(path, sizeof path, "%s/public/zeek_http_206_example_b.pcap", shared ? shared : "");
    if (!shared || access(path, R_OK)) {
        fprintf(stderr, "# skipped: %s not found\n", path);
        return;
    }
    struct outcome o;
    const char *args[] = { "run", "--json", "--no-progress", path, NULL };
    rxsim(&o, args);
    ck_assert_msg(o.rc == 0 && o.j, "exit %d: %s", o.rc, o.err);
    ck_assert_str_eq(str(get(o.j, "config"), "host"), "192.168.72.14");
    ck_assert_msg(i64(get(o.j, "result"), "bytes_read") > 1200000, "read %lld bytes, want the 1.23 MB download",
                  (long long)i64(get(o.j, "result"), "bytes_read"));
    outcome_free(&o);
}
END_TEST

/* ------------------------------------------------------------ stdin */

START_TEST(stdin_gives_the_files_report)
{
    const char *bin = testenv_rxsim_bin();
    struct outcome file, pipe, devstdin, given_file, given_pipe;
    const char *args[] = { "run", "--no-progress", v6, NULL };
    rxsim(&file, args);
    ck_assert_msg(file.rc == 0, "exit %d: %s", file.rc, file.err);
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' run --no-progress -", v6, bin);
    shell(&pipe, cmd);
    ck_assert_msg(pipe.rc == 0, "cat | run -: exit %d: %s", pipe.rc, pipe.err);
    ck_assert_msg(!strcmp(file.out, pipe.out), "cat | run - differs from run FILE:\n%s\n---\n%s", pipe.out, file.out);
    ck_assert_msg(strstr(pipe.err, "copied to a temporary file"), "no word of the copy: %s", pipe.err);
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' run --no-progress /dev/stdin", v6, bin);
    shell(&devstdin, cmd);
    ck_assert_msg(devstdin.rc == 0 && !strcmp(file.out, devstdin.out), "run /dev/stdin: exit %d: %s",
                  devstdin.rc, devstdin.err);
    /* with the host given the pipe is read once, as it comes */
    const char *gargs[] = { "run", "--no-progress", "--host", "fd78::2", v6, NULL };
    rxsim(&given_file, gargs);
    snprintf(cmd, sizeof cmd, "cat '%s' | '%s' run --no-progress --host fd78::2 -", v6, bin);
    shell(&given_pipe, cmd);
    ck_assert_msg(given_pipe.rc == 0 && !strcmp(given_file.out, given_pipe.out), "--host, run -: exit %d: %s",
                  given_pipe.rc, given_pipe.err);
    ck_assert_msg(!strstr(given_pipe.err, "temporary"), "copied though --host was given: %s", given_pipe.err);
    outcome_free(&file);
    outcome_free(&pipe);
    outcome_free(&devstdin);
    outcome_free(&given_file);
    outcome_free(&given_pipe);
}
END_TEST

int main(void)
{
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    testenv_path(v4, sizeof v4, "traces/data/bulk-v4-256k.pcap");
    testenv_path(v6, sizeof v6, "traces/data/bulk-v6-128k-nsec.pcap");
    Suite *s = suite_create("run_hosts");
    TCase *tc = tcase_create("hosts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_trace_twice_is_two_hosts);
    tcase_add_test(tc, ipv4_and_ipv6_traces_both_deliver);
    tcase_add_test(tc, ethernet_and_raw_ip_traces_both_deliver);
    tcase_add_test(tc, host_per_trace_and_count_checked);
    tcase_add_test(tc, nic_without_frames_is_a_warning);
    tcase_add_test(tc, guess_is_the_host_receiving_most_payload);
    tcase_add_test(tc, guess_on_zeek_http_206);
    tcase_add_test(tc, stdin_gives_the_files_report);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
