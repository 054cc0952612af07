/* tests/e2e/check_oracle.c: rxsim inspect against independent truth, for every
 * trace under $RXSIM_SHARED/traces/{public,captured} with an .oracle.json.
 *
 * Truth, strongest first:
 *  - captured/<trace>.manifest.json: SHA-256 of what the real Linux receiver read
 *    (sender → receiver direction of each flow), checked with checksums
 *    verified, as a real stack runs.
 *  - *.oracle.json: tshark's Follow TCP Stream per direction.  tshark follows
 *    bad-checksum data, so it is compared with --no-verify-csum; where it
 *    reports holes (data never captured), a stack stalls at the first hole,
 *    so the oracle's in-order prefix before the first gap is the truth.
 *  - Bad TCP checksums with verification on: tshark's count less the frames
 *    it calls bad only for 0xffff vs 0x0000 (RFC 1624: both are zero).
 * Where rxsim legitimately differs, the exceptions table below says so per
 * trace, with the reason (docs/oracle-exceptions.md has the long form). */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

#define MAX_TRACES 128

struct exception {
    const char *trace;
    const char *reason;
    bool skip_follow;           /* per-direction follow bytes are not comparable */
    int64_t badcsum_before_tcp; /* of tshark's bad-checksum frames, how many rxsim drops
                                   earlier (at IP), so never reach a TCP verdict */
    const char *drop_key;       /* what rxsim does instead, checked: this drop reason ... */
    int64_t drop_count;         /* ... this many times (a count tshark's own output gives) */
};

/* Filled as differences were understood, each with its reason. */
static const struct exception exceptions[] = {
    { "tcpdump_bigtcp-ipv4.pcap",
      "IPv4 total length 0 (a BIG TCP super-packet seen on the sending host): no wire frame "
      "has it, and Linux's ip_rcv_core() drops it as a bad length, so rxsim drops it (ip_hdr) "
      "while tshark takes the length from the capture and follows 65k of data",
      true, 1, "ip_hdr", 1 },
    { "zeek_tcp_timestamp.pcap",
      "691 frames cut by the capture's snaplen: tshark appends the captured part of each "
      "payload, a stack cannot receive a frame it does not have (rxsim counts them truncated, "
      "and flags the direction 'payload not captured (snaplen 96)' with no hash: exit 5)",
      true, 0, "truncated", 691 },
    { "zeek_tcp_reassembly.pcap",
      "5 frames whose IPv4 total length exceeds the frame (tshark's expert info 'IPv4 total "
      "length exceeds packet length'): Linux's ip_rcv_core() drops them as truncated, tshark "
      "follows the bytes that are there; the first is frame 7, so the client's stream stops "
      "after frame 4's 274 bytes where tshark's prefix before its first gap runs to 1714; "
      "5 of tshark's 15 bad TCP checksums are those frames (7, 26, 35, 39, 85)",
      true, 5, "ip_hdr", 5 },
};

static char trace_dirs[2][4096];
static char traces[MAX_TRACES][4096];
static int ntraces;

static const struct exception *exception_for(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(exceptions); i++)
        if (!strcmp(exceptions[i].trace, name))
            return &exceptions[i];
    return NULL;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && !strcmp(s + n - m, suf);
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void find_traces(void)
{
    const char *root = testenv_shared_traces();
    const char *sub[2] = { "public", "captured" };
    for (int d = 0; d < 2; d++) {
        snprintf(trace_dirs[d], sizeof trace_dirs[d], "%s/%s", root, sub[d]);
        DIR *dir = opendir(trace_dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) && ntraces < MAX_TRACES) {
            if (!has_suffix(e->d_name, ".oracle.json"))
                continue;
            snprintf(traces[ntraces], sizeof traces[ntraces], "%s/%.*s", trace_dirs[d],
                     (int)(strlen(e->d_name) - strlen(".oracle.json")), e->d_name);
            ntraces++;
        }
        closedir(dir);
    }
    qsort(traces, (size_t)ntraces, sizeof traces[0], cmp_str);
}

static json_object *load_json(const char *path)
{
    json_object *o = json_object_from_file(path);
    ck_assert_msg(o != NULL, "%s: cannot parse JSON", path);
    return o;
}



/* Runs rxsim inspect --json [extra] on trace; returns the exit status, the
 * parsed report in *report (NULL when the output was not JSON). */
static int run_inspect(const char *trace, const char *extra, json_object **report)
{
    char out[4200], err[4200], tmp[4096];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out.json", tmp);
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    char *argv[8];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    argv[n++] = "inspect";
    argv[n++] = "--json";
    argv[n++] = "--no-progress";
    if (extra)
        argv[n++] = (char *)extra;
    argv[n++] = (char *)trace;
    argv[n] = NULL;
    int rc = testenv_run(argv, out, err);
    *report = json_object_from_file(out);
    remove(out);
    remove(err);
    rmdir(tmp);
    return rc;
}

/* Our direction "from" → "to" in a report, or NULL. */
static json_object *find_dir(json_object *report, const char *from, const char *to)
{
    json_object *conns = get(report, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *dirs = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *dj = json_object_array_get_idx(dirs, d);
            if (!strcmp(str(dj, "from"), from) && !strcmp(str(dj, "to"), to))
                return dj;
        }
    }
    return NULL;
}

static uint64_t total_dir_counter(json_object *report, const char *key)
{
    uint64_t n = 0;
    json_object *conns = get(report, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *dirs = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++)
            n += (uint64_t)i64(json_object_array_get_idx(dirs, d), key);
    }
    return n;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Follow-stream check of every oracle direction against a report. */
static void check_streams(const char *name, json_object *oracle, json_object *report, const char *mode)
{
    json_object *streams = get(oracle, "streams");
    for (size_t i = 0; i < json_object_array_length(streams); i++) {
        json_object *dirs = get(json_object_array_get_idx(streams, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *od = json_object_array_get_idx(dirs, d);
            const char *from = str(od, "from"), *to = str(od, "to");
            bool gaps = json_object_array_length(get(od, "follow_gaps")) > 0;
            const char *want_sha = str(od, gaps ? "in_order_sha256_before_first_gap" : "follow_sha256");
            int64_t want_bytes = i64(od, gaps ? "in_order_bytes_before_first_gap" : "follow_bytes");
            json_object *ours = find_dir(report, from, to);
            if (!ours) {
                ck_assert_msg(want_bytes == 0, "%s (%s): stream %s > %s with %lld bytes missing from rxsim",
                              name, mode, from, to, (long long)want_bytes);
                continue;
            }
            ck_assert_msg(i64(ours, "bytes_delivered") == want_bytes,
                          "%s (%s): %s > %s delivered %lld bytes, oracle %lld%s", name, mode, from, to,
                          (long long)i64(ours, "bytes_delivered"), (long long)want_bytes,
                          gaps ? " (in order before the first gap)" : "");
            ck_assert_msg(!strcmp(str(ours, "sha256"), want_sha),
                          "%s (%s): %s > %s sha256 %s, oracle %s", name, mode, from, to,
                          str(ours, "sha256"), want_sha);
        }
    }
}

/* Segments whose payload the snaplen cut, and their missing bytes, summed
 * over our directions, equal tshark's counts; each such direction has no
 * hash and says why; no other direction is flagged. */
static void check_not_captured(const char *name, json_object *oracle, json_object *report)
{
    json_object *sum = get(oracle, "summary");
    int64_t want_bytes = i64(sum, "tcp_payload_bytes_not_captured");
    int64_t segs = 0, bytes = 0;
    json_object *conns = get(report, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *dirs = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t d = 0; d < json_object_array_length(dirs); d++) {
            json_object *dj = json_object_array_get_idx(dirs, d), *pnc = get(dj, "payload_not_captured");
            json_object *reasons = get(dj, "reasons");
            bool flagged = reasons && json_object_array_length(reasons) > 0 &&
                           !strcmp(json_object_get_string(json_object_array_get_idx(reasons, 0)),
                                   "payload_not_captured");
            ck_assert_msg(flagged == (pnc != NULL), "%s: %s > %s: reasons and payload_not_captured disagree",
                          name, str(dj, "from"), str(dj, "to"));
            if (!pnc)
                continue;
            ck_assert_msg(json_object_get_type(get(dj, "sha256")) == json_type_null,
                          "%s: %s > %s: payload not captured, yet a SHA-256 is printed", name, str(dj, "from"),
                          str(dj, "to"));
            segs += i64(pnc, "segments");
            bytes += i64(pnc, "bytes");
        }
    }
    ck_assert_msg(bytes == want_bytes, "%s: %lld payload bytes not captured, tshark %lld", name,
                  (long long)bytes, (long long)want_bytes);
    if (want_bytes)
        ck_assert_msg(segs == i64(sum, "frames_truncated_by_snaplen"),
                      "%s: %lld segments with payload not captured, tshark %lld frames truncated", name,
                      (long long)segs, (long long)i64(sum, "frames_truncated_by_snaplen"));
}

START_TEST(trace_matches_oracle)
{
    const char *trace = traces[_i];
    const char *name = base(trace);
    const struct exception *ex = exception_for(name);
    char path[4200];
    snprintf(path, sizeof path, "%s.oracle.json", trace);
    json_object *oracle = load_json(path);
    json_object *read = get(oracle, "read");
    json_object *report = NULL;

    if (get(read, "tshark_error") && json_object_get_type(get(read, "tshark_error")) != json_type_null) {
        /* tshark could not read it: neither may we, and we must say so cleanly. */
        int rc = run_inspect(trace, NULL, &report);
        ck_assert_msg(rc == 3 || rc == 4, "%s: unreadable trace gave exit %d, want 3 or 4", name, rc);
        json_object_put(report);
        json_object_put(oracle);
        return;
    }

    /* 1. Like tshark: no checksum verdicts.  Payload the snaplen cut is
     * flagged per direction (no hash; exit 5), in the amounts tshark counts. */
    int64_t not_captured = i64(get(oracle, "summary"), "tcp_payload_bytes_not_captured");
    int want_rc = not_captured > 0 ? 5 : 0;
    int rc = run_inspect(trace, "--no-verify-csum", &report);
    ck_assert_msg(rc == want_rc, "%s: rxsim inspect --no-verify-csum exit %d, want %d", name, rc, want_rc);
    ck_assert_msg(report != NULL, "%s: no JSON report", name);
    check_not_captured(name, oracle, report);
    ck_assert_int_eq(i64(get(report, "trace"), "records_read"), i64(read, "packets_read"));
    if (!ex || !ex->skip_follow)
        check_streams(name, oracle, report, "no-verify-csum");
    if (ex && ex->drop_key) {
        int64_t got = i64(get(get(report, "stack"), "drops"), ex->drop_key);
        ck_assert_msg(got == ex->drop_count, "%s: %lld %s drops, expected %lld (%s)", name,
                      (long long)got, ex->drop_key, (long long)ex->drop_count, ex->reason);
    }
    json_object_put(report);

    /* 2. As a real stack: checksums verified. */
    rc = run_inspect(trace, NULL, &report);
    ck_assert_msg(rc == want_rc && report, "%s: rxsim inspect exit %d, want %d", name, rc, want_rc);
    json_object *cs = get(oracle, "checksums");
    int64_t want_bad = i64(cs, "bad_tcp_checksum") - i64(cs, "bad_tcp_checksum_only_0xffff_for_0x0000");
    if (ex)
        want_bad -= ex->badcsum_before_tcp;
    ck_assert_msg((int64_t)total_dir_counter(report, "bad_checksum_segments") == want_bad,
                      "%s: %llu bad TCP checksums, oracle %lld (tshark %lld less %lld 0xffff-for-0x0000)",
                      name, (unsigned long long)total_dir_counter(report, "bad_checksum_segments"), (long long)want_bad,
                      (long long)i64(cs, "bad_tcp_checksum"),
                      (long long)i64(cs, "bad_tcp_checksum_only_0xffff_for_0x0000"));
    int64_t want_offl = i64(cs, "bad_tcp_checksum_like_tx_offload");
    int64_t got_offl = (int64_t)total_dir_counter(report, "bad_checksum_like_tx_offload");
    ck_assert_msg(got_offl == want_offl, "%s: %lld bad checksums look like TX offload, oracle %lld",
                  name, (long long)got_offl, (long long)want_offl);
    if (want_bad == 0 && (!ex || !ex->skip_follow))
        check_streams(name, oracle, report, "verified");

    /* 3. The real receiver's bytes, where the manifest has them. */
    snprintf(path, sizeof path, "%s.manifest.json", trace);
    json_object *man = json_object_from_file(path);
    if (man) {
        json_object *flows = get(man, "flows");
        for (size_t i = 0; i < json_object_array_length(flows); i++) {
            json_object *f = json_object_array_get_idx(flows, i);
            json_object *ours = find_dir(report, str(f, "sender"), str(f, "receiver"));
            ck_assert_msg(ours, "%s: flow %s > %s not found", name, str(f, "sender"), str(f, "receiver"));
            ck_assert_msg(i64(ours, "bytes_delivered") == i64(f, "receiver_bytes"),
                          "%s: %s delivered %lld, the Linux receiver read %lld", name, str(f, "sender"),
                          (long long)i64(ours, "bytes_delivered"), (long long)i64(f, "receiver_bytes"));
            ck_assert_msg(!strcmp(str(ours, "sha256"), str(f, "receiver_sha256")),
                          "%s: %s sha256 differs from the Linux receiver's", name, str(f, "sender"));
        }
        json_object_put(man);
    }
    json_object_put(report);
    json_object_put(oracle);
}
END_TEST

int main(void)
{
    if (!testenv_shared_traces())
        testenv_skip_suite("../shared/traces not found (set RXSIM_SHARED): oracle traces are not part of a user's clone");
    find_traces();
    if (!ntraces)
        testenv_skip_suite("no *.oracle.json under ../shared/traces");
    Suite *s = suite_create("oracle");
    TCase *tc = tcase_create("traces");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, trace_matches_oracle, 0, ntraces);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
