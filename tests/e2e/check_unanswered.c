/* tests/e2e/check_unanswered.c: results rxsim cannot answer are flagged, in
 * every format, and exit 5 (netstack/verdict.h).
 *
 *  - Ring drops a replay never repairs: a synth trace pushed at 40 Gbit/s
 *    into one CPU with a 16-slot ring strands bytes behind holes.  Each
 *    direction's bytes read + stranded + dropped at the NIC are exactly what
 *    was sent (the trace's truth file); goodput, throughput scaled to CPU, cycles per byte
 *    and latency are null with their reasons in JSON, "not meaningful (...)"
 *    in text, an empty cell plus reasons in CSV, n/m in compare; exit 5.  The
 *    same trace replayed at its own pace reads every byte (SHA-256 of the
 *    truth) with nothing flagged and exit 0.
 *  - Header-only captures: the synth trace rewritten here with a 128-byte
 *    snaplen.  inspect and run name the direction "payload not captured
 *    (snaplen 128)", print no hash, count exactly the segments and bytes the
 *    rewrite cut (counted independently while rewriting), and exit 5.
 *  - `run --payload synth` on that header-only trace says so on its first
 *    line and in JSON, fills exactly the bytes the rewrite cut, flags
 *    nothing, exits 0, and each stream's SHA-256 is that of the original
 *    stream with every byte past the 128 captured replaced by the documented
 *    pattern (docs/model.md), computed here from the original trace.
 * Every input is made at run time by `rxsim synth` and this file. */
#include <check.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

static char dir[2048], trace[4096], truth[4096], snapped[4096];
static uint64_t cut_segments, cut_bytes;

#define SNAPLEN 128

/* Classic little-endian pcap (what rxsim synth writes): copies in to out
 * with every record cut to SNAPLEN bytes, counting the records it cut and
 * the bytes they lose. */
static void resnap(const char *in, const char *out)
{
    FILE *f = fopen(in, "rb"), *g = fopen(out, "wb");
    ck_assert_msg(f && g, "resnap: cannot open %s or %s", in, out);
    uint8_t hdr[24], rec[16];
    static uint8_t buf[1 << 16];
    ck_assert_int_eq(fread(hdr, 1, 24, f), 24);
    ck_assert_msg(hdr[0] == 0xd4 && hdr[1] == 0xc3, "resnap: want a little-endian microsecond pcap");
    uint32_t snap = SNAPLEN;
    memcpy(hdr + 16, &snap, 4);
    fwrite(hdr, 1, 24, g);
    while (fread(rec, 1, 16, f) == 16) {
        uint32_t caplen, wirelen;
        memcpy(&caplen, rec + 8, 4);
        memcpy(&wirelen, rec + 12, 4);
        ck_assert_msg(caplen <= sizeof buf && fread(buf, 1, caplen, f) == caplen, "resnap: short record");
        if (caplen > SNAPLEN) {
            cut_segments++;             /* synth frames over 128 bytes all carry data */
            cut_bytes += wirelen - SNAPLEN;
            caplen = SNAPLEN;
            memcpy(rec + 8, &caplen, 4);
        }
        fwrite(rec, 1, 16, g);
        fwrite(buf, 1, caplen, g);
    }
    fclose(f);
    ck_assert_int_eq(fclose(g), 0);
}

static void setup(void)
{
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(trace, sizeof trace, "%s/s.pcap", dir);
    snprintf(truth, sizeof truth, "%s/s.pcap.truth.json", dir);
    snprintf(snapped, sizeof snapped, "%s/snap128.pcap", dir);
    char *args[] = { "synth", "-o", trace, "--flows", "2", "--bytes", "1M", NULL };
    ck_assert_int_eq(testenv_rxsim(args, NULL, NULL), 0);
    cut_segments = cut_bytes = 0;
    resnap(trace, snapped);
}

/* rxsim ARGS... > out; the exit status and stdout's text. */
static int rxsim_out(char **args, char **text)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    int rc = testenv_rxsim(args, out, NULL);
    *text = testenv_slurp(out, NULL);
    ck_assert_msg(*text != NULL, "no output from rxsim %s", args[0]);
    return rc;
}

static json_object *parse(char *text)
{
    json_object *j = json_tokener_parse(text);
    ck_assert_msg(j != NULL, "not JSON: %.200s", text);
    free(text);
    return j;
}

static bool array_has(json_object *a, const char *s)
{
    for (size_t i = 0; a && i < json_object_array_length(a); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s))
            return true;
    return false;
}

static bool is_null(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) && v == NULL;    /* the key is there, as null */
}

#define STARVED "--cpus", "1", "--ring", "16", "--replay", "rate:40G"

START_TEST(ring_drops_strand_bytes_and_flag_the_figures)
{
    char *text;
    char *jargs[] = { "run", "--json", "--no-progress", STARVED, trace, NULL };
    int rc = rxsim_out(jargs, &text);
    json_object *j = parse(text), *r = get(j, "result");
    ck_assert_msg(rc == 5, "starved run: exit %d, want 5", rc);
    ck_assert_msg(i64(get(r, "drops"), "ring_full") > 0, "no ring drops: the test set-up is wrong");
    const char *flagged[] = { "goodput_mbps", "throughput_scaled_to_cpu_mbps", "cycles_per_byte" };
    for (size_t i = 0; i < ARRAY_LEN(flagged); i++) {
        ck_assert_msg(is_null(r, flagged[i]), "%s: want null", flagged[i]);
        ck_assert_msg(array_has(get(r, "not_meaningful"), flagged[i]), "%s not in not_meaningful", flagged[i]);
    }
    ck_assert_msg(is_null(get(r, "latency"), "p99_us") && array_has(get(r, "not_meaningful"), "latency"),
                  "latency: want null and listed");
    json_object *un = get(r, "unanswered");
    ck_assert_msg(json_object_array_length(un) == 2, "want two reasons, got %zu", json_object_array_length(un));
    json_object *why = json_object_array_get_idx(un, 0), *lost = json_object_array_get_idx(un, 1);
    ck_assert_str_eq(str(why, "reason"), "stranded");
    ck_assert_str_eq(str(lost, "reason"), "dropped_at_nic");

    /* Per direction: read + stranded + dropped at the NIC is exactly what was
     * sent (the truth file; no retransmission in the trace, nothing over the
     * out-of-order bound), and the sums are the headline's. */
    json_object *t = json_object_from_file(truth);
    ck_assert(t != NULL);
    json_object *conns = get(j, "connections"), *tdirs = get(t, "directions");
    int64_t stranded_sum = 0, dropped_sum = 0;
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        int64_t sent = -1;
        for (size_t k = 0; k < json_object_array_length(tdirs); k++) {
            json_object *td = json_object_array_get_idx(tdirs, k);
            char from[64];
            snprintf(from, sizeof from, "%s:%lld", str(td, "src"), (long long)i64(td, "sport"));
            if (!strcmp(from, str(c, "from")))
                sent = i64(td, "bytes");
        }
        ck_assert_msg(sent > 0, "%s: not in the truth file", str(c, "from"));
        ck_assert_msg(array_has(get(c, "reasons"), "stranded") && i64(c, "stranded_bytes") > 0,
                      "%s: %lld of %lld bytes read, yet not flagged stranded", str(c, "from"),
                      (long long)i64(c, "bytes"), (long long)sent);
        ck_assert_msg(array_has(get(c, "reasons"), "dropped_at_nic"), "%s: not flagged dropped_at_nic", str(c, "from"));
        int64_t read = i64(c, "bytes"), stranded = i64(c, "stranded_bytes"), dropped = i64(c, "dropped_at_nic_bytes");
        ck_assert_msg(read + stranded + dropped == sent, "%s: %lld read + %lld stranded + %lld dropped != %lld sent",
                      str(c, "from"), (long long)read, (long long)stranded, (long long)dropped, (long long)sent);
        ck_assert_msg(read < sent, "%s: read everything despite ring drops", str(c, "from"));
        stranded_sum += stranded;
        dropped_sum += dropped;
    }
    ck_assert_int_eq(stranded_sum, i64(why, "bytes"));
    ck_assert_int_eq(dropped_sum, i64(lost, "bytes"));
    ck_assert_int_eq(i64(why, "directions"), 2);
    json_object_put(j);

    /* Text: the flag stands where the number would be. */
    char *targs[] = { "run", "--no-progress", STARVED, trace, NULL };
    ck_assert_int_eq(rxsim_out(targs, &text), 5);
    ck_assert_msg(strstr(text, "\ngoodput        not meaningful (stranded behind holes: "), "text: %s", text);
    ck_assert_msg(strstr(text, "throughput scaled to 100% CPU: not meaningful ("), "text: %s", text);
    ck_assert_msg(strstr(text, "wire to application: not meaningful ("), "text: %s", text);
    ck_assert_msg(!strstr(text, "Mbit/s"), "text still prints a rate: %s", text);
    free(text);

    /* CSV: empty cell, reasons in the last column. */
    char *cargs[] = { "run", "--csv", "--no-progress", STARVED, trace, NULL };
    ck_assert_int_eq(rxsim_out(cargs, &text), 5);
    ck_assert_msg(strstr(text, "\nresult,goodput_mbps,,stranded;dropped_at_nic\n") &&
                  strstr(text, "\nresult,latency_p99_us,,stranded;dropped_at_nic\n"), "csv: %s", text);
    free(text);

    /* compare: n/m, never a % change, and exit 5. */
    char *margs[] = { "compare", "--vary", "ring=16,32", trace, "--", "--cpus", "1", "--replay", "rate:40G", NULL };
    ck_assert_int_eq(rxsim_out(margs, &text), 5);
    char *row = strstr(text, "\n0  16");
    ck_assert_msg(row && strstr(row, "n/m") && strstr(row, "(n/m: stranded dropped_at_nic)"), "compare: %s", text);
    free(text);

    /* A row that exits 5 answered in part: every later row still runs, with
     * one worker too (the pool once took 5 for a failure and left the rest
     * unrun, printed as "-" with exit 0). */
    char *pargs[] = { "compare", "--json", "--jobs", "1", "--vary", "ring=16,32,64", trace, "--", "--cpus", "1",
                      "--replay", "rate:40G", NULL };
    ck_assert_int_eq(rxsim_out(pargs, &text), 5);
    json_object *cj = parse(text), *rows = get(cj, "rows");
    ck_assert_int_eq(json_object_array_length(rows), 3);
    for (size_t i = 0; i < 3; i++) {
        json_object *prow = json_object_array_get_idx(rows, i);
        ck_assert_msg(i64(prow, "exit") == 5 && !is_null(prow, "report"), "compare --jobs 1: prow %zu exit %lld, report %s",
                      i, (long long)i64(prow, "exit"), is_null(prow, "report") ? "null" : "present");
    }
    json_object_put(cj);
    json_object_put(t);
}
END_TEST

START_TEST(replay_at_trace_pace_is_answered)
{
    char *text;
    char *args[] = { "run", "--json", "--no-progress", trace, NULL };
    ck_assert_int_eq(rxsim_out(args, &text), 0);
    json_object *j = parse(text), *r = get(j, "result");
    ck_assert_int_eq(json_object_array_length(get(r, "not_meaningful")), 0);
    ck_assert_int_eq(json_object_array_length(get(r, "unanswered")), 0);
    ck_assert_msg(num(r, "goodput_mbps") > 0, "goodput not a number");
    json_object *t = json_object_from_file(truth), *conns = get(j, "connections");
    ck_assert_int_eq(json_object_array_length(conns), 2);
    for (size_t i = 0; i < 2; i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        ck_assert_int_eq(json_object_array_length(get(c, "reasons")), 0);
        bool found = false;
        json_object *tdirs = get(t, "directions");
        for (size_t k = 0; k < json_object_array_length(tdirs); k++)
            found |= !strcmp(str(json_object_array_get_idx(tdirs, k), "sha256"), str(c, "sha256"));
        ck_assert_msg(found && i64(c, "bytes") == 1 << 20, "%s: %lld bytes, sha %s not the truth's", str(c, "from"),
                      (long long)i64(c, "bytes"), str(c, "sha256"));
    }
    json_object_put(t);
    json_object_put(j);
}
END_TEST

/* One direction of a report flagged payload_not_captured: its counts. */
static void check_not_captured_dirs(json_object *dirs, const char *who, uint64_t *segs, uint64_t *bytes)
{
    for (size_t d = 0; d < json_object_array_length(dirs); d++) {
        json_object *dj = json_object_array_get_idx(dirs, d), *pnc = get(dj, "payload_not_captured");
        if (!pnc) {
            ck_assert_msg(!array_has(get(dj, "reasons"), "payload_not_captured"), "%s: flag without figures", who);
            continue;
        }
        ck_assert_msg(array_has(get(dj, "reasons"), "payload_not_captured"), "%s: figures without the flag", who);
        ck_assert_msg(is_null(dj, "sha256"), "%s: %s: a SHA-256 printed for a stream not captured", who,
                      str(dj, "from"));
        ck_assert_int_eq(i64(pnc, "snaplen"), SNAPLEN);
        *segs += (uint64_t)i64(pnc, "segments");
        *bytes += (uint64_t)i64(pnc, "bytes");
    }
}

START_TEST(header_only_capture_says_payload_not_captured)
{
    ck_assert_msg(cut_segments > 1400, "the rewrite cut only %llu frames", (unsigned long long)cut_segments);
    char *text;
    char *iargs[] = { "inspect", "--json", "--no-progress", snapped, NULL };
    ck_assert_int_eq(rxsim_out(iargs, &text), 5);
    json_object *j = parse(text);
    uint64_t segs = 0, bytes = 0;
    json_object *conns = get(j, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++)
        check_not_captured_dirs(get(json_object_array_get_idx(conns, i), "directions"), "inspect", &segs, &bytes);
    ck_assert_msg(segs == cut_segments && bytes == cut_bytes, "inspect: %llu segments / %llu bytes not captured, "
                  "the rewrite cut %llu / %llu", (unsigned long long)segs, (unsigned long long)bytes,
                  (unsigned long long)cut_segments, (unsigned long long)cut_bytes);
    ck_assert_str_eq(str(json_object_array_get_idx(get(j, "unanswered"), 0), "reason"), "payload_not_captured");
    json_object_put(j);

    char *targs[] = { "inspect", "--no-progress", snapped, NULL };
    ck_assert_int_eq(rxsim_out(targs, &text), 5);
    ck_assert_msg(strstr(text, "payload not captured (snaplen 128)"), "inspect text: %s", text);
    ck_assert_msg(!strstr(text, "e3b0c44298fc1c14  "), "inspect prints the empty stream's hash: %s", text);
    free(text);

    char *rargs[] = { "run", "--json", "--no-progress", snapped, NULL };
    ck_assert_int_eq(rxsim_out(rargs, &text), 5);
    j = parse(text);
    json_object *r = get(j, "result");
    ck_assert_msg(is_null(r, "goodput_mbps") && is_null(r, "cycles_per_byte"), "run: goodput/cycles per byte not null");
    segs = bytes = 0;
    check_not_captured_dirs(get(j, "connections"), "run", &segs, &bytes);
    ck_assert_msg(segs == cut_segments && bytes == cut_bytes, "run: %llu / %llu not captured, the rewrite cut "
                  "%llu / %llu", (unsigned long long)segs, (unsigned long long)bytes,
                  (unsigned long long)cut_segments, (unsigned long long)cut_bytes);
    json_object_put(j);

    char *rtargs[] = { "run", "--no-progress", snapped, NULL };
    ck_assert_int_eq(rxsim_out(rtargs, &text), 5);
    ck_assert_msg(strstr(text, "goodput        not meaningful (payload not captured (snaplen 128)"), "run text: %s",
                  text);
    free(text);
}
END_TEST

/* The documented fill: byte at sequence number s of sport -> dport. */
static uint8_t pattern(uint32_t s, uint16_t sport, uint16_t dport)
{
    return (uint8_t)(((s ^ ((uint32_t)sport << 16 | dport)) * 2654435761u) >> 24);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* SHA-256 (hex) of the stream of each flow to port 5001 as --payload synth
 * must rebuild it from the 128-byte capture: from the original trace (IPv4
 * over Ethernet, no loss), bytes within the first 128 of their frame as sent,
 * the rest the pattern.  want[k] is flow k's (source port 40000 + k). */
static void expected_synth_sha(char want[2][65])
{
    static uint8_t stream[2][1 << 20];
    uint32_t isn[2] = { 0, 0 };
    FILE *f = fopen(trace, "rb");
    ck_assert(f != NULL);
    uint8_t rec[16];
    static uint8_t buf[1 << 16];
    ck_assert_int_eq(fread(buf, 1, 24, f), 24);
    while (fread(rec, 1, 16, f) == 16) {
        uint32_t caplen;
        memcpy(&caplen, rec + 8, 4);
        ck_assert(caplen <= sizeof buf && fread(buf, 1, caplen, f) == caplen);
        const uint8_t *ip = buf + 14, *th = ip + (ip[0] & 0x0f) * 4;
        uint16_t sport = (uint16_t)(th[0] << 8 | th[1]), dport = (uint16_t)(th[2] << 8 | th[3]);
        if (dport != 5001 || sport < 40000 || sport > 40001)
            continue;
        int k = sport - 40000;
        uint32_t seq = be32(th + 4), tot = (uint32_t)ip[2] << 8 | ip[3];
        uint32_t hdr = (uint32_t)(th - buf) + (uint32_t)(th[12] >> 4) * 4, len = 14 + tot - hdr;
        if (th[13] & 0x02)
            isn[k] = seq;
        for (uint32_t i = 0; i < len; i++) {
            uint32_t off = seq + i - isn[k] - 1;
            ck_assert(off < sizeof stream[k]);
            stream[k][off] = hdr + i < SNAPLEN ? buf[hdr + i] : pattern(seq + i, sport, 5001);
        }
    }
    fclose(f);
    for (int k = 0; k < 2; k++) {
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        sha256_init(&c);
        sha256_update(&c, sizeof stream[k], stream[k]);
        sha256_digest(&c, sizeof d, d);
        for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
            sprintf(want[k] + 2 * i, "%02x", d[i]);
    }
}

START_TEST(payload_synth_prices_a_header_only_capture)
{
    char *text;
    char *targs[] = { "run", "--no-progress", "--payload", "synth", snapped, NULL };
    ck_assert_int_eq(rxsim_out(targs, &text), 0);
    ck_assert_msg(!strncmp(text, "PAYLOAD SYNTHESISED: ", 21), "first line: %.200s", text);
    ck_assert_msg(!strstr(text, "not meaningful"), "flags left: %s", text);
    free(text);

    char *jargs[] = { "run", "--json", "--no-progress", "--payload", "synth", snapped, NULL };
    ck_assert_int_eq(rxsim_out(jargs, &text), 0);
    json_object *j = parse(text), *r = get(j, "result"), *ps = get(r, "payload_synthesised");
    ck_assert_str_eq(str(get(j, "config"), "payload"), "synth");
    ck_assert_msg(ps && (uint64_t)i64(ps, "segments") == cut_segments && (uint64_t)i64(ps, "bytes") == cut_bytes,
                  "filled %lld segments / %lld bytes, the rewrite cut %llu / %llu", (long long)i64(ps, "segments"),
                  (long long)i64(ps, "bytes"), (unsigned long long)cut_segments, (unsigned long long)cut_bytes);
    ck_assert_int_eq(i64(get(r, "drops"), "tcp_csum"), 0);
    ck_assert_int_eq(json_object_array_length(get(r, "unanswered")), 0);
    ck_assert_msg(num(r, "goodput_mbps") > 0 && num(r, "cycles_per_byte") > 0, "goodput or cycles/byte missing");
    char want[2][65];
    expected_synth_sha(want);
    json_object *conns = get(j, "connections");
    ck_assert_int_eq(json_object_array_length(conns), 2);
    for (size_t i = 0; i < 2; i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        int k = !strcmp(str(c, "from"), "10.0.0.1:40001");
        ck_assert_int_eq(i64(c, "bytes"), 1 << 20);
        ck_assert_msg(!strcmp(str(c, "sha256"), want[k]), "%s: sha256 %s, the pattern gives %s", str(c, "from"),
                      str(c, "sha256"), want[k]);
    }
    json_object_put(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unanswered");
    TCase *tc = tcase_create("flags");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, ring_drops_strand_bytes_and_flag_the_figures);
    tcase_add_test(tc, replay_at_trace_pace_is_answered);
    tcase_add_test(tc, header_only_capture_says_payload_not_captured);
    tcase_add_test(tc, payload_synth_prices_a_header_only_capture);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
