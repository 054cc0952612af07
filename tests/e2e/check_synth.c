/* tests/e2e/check_synth.c: rxsim synth, checked through the real rxsim.
 *
 *  - Each case (plain, IPv6, loss, reorder, dup, bad checksums, mixed, small
 *    writes, empty flows, every impairment at probability 1, a stream whose
 *    sequence numbers wrap 2^32) round-trips
 *    through `rxsim inspect --json`: per direction bytes and SHA-256 equal the
 *    truth sidecar, and the sidecar's SHA-256 equals one computed here from
 *    the documented content recipe with this file's own xoshiro256**, not
 *    sim/rng.c; segments, retransmitted, out-of-order and bad-checksum counts
 *    equal the sidecar's `expect`; bad checksums total exactly what was asked
 *    (and the tcp_csum drops), retransmitted segments exactly the duplicates
 *    (and the tcp_old_data drops); the data segment count follows from MTU,
 *    write size and bytes.
 *  - tshark, when installed, reads every case without a malformed frame and,
 *    told to verify TCP checksums, finds exactly the bad ones.
 *  - Same seed, same bytes; another seed, other bytes.
 *  - `rxsim run` on a four-flow trace reads the truth's bytes per connection.
 *  - Over 25000 flows the client address moves on, so every 4-tuple differs.
 *  - Absurd options exit 2 and name the option. */
#include <check.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

#define TSHARK "/usr/bin/tshark"

static char tmpdir[4096];

struct synth_case {
    const char *name;
    unsigned flows;
    unsigned long long bytes;
    unsigned mtu, send_size;
    const char *loss, *reorder, *dup;
    unsigned bad_csum;
    unsigned long long seed;
    bool ipv6, no_acks, nsec;
};

static const struct synth_case cases[] = {
    { "plain",      2, 100000,  1500, 16384, "0",    "0",   "0",   0,  1,  false, false, false },
    { "v6-jumbo",   2, 123457,  9000, 65536, "0",    "0",   "0",   0,  2,  true,  false, true },
    { "loss",       3, 200000,  1500, 16384, "0.1",  "0",   "0",   0,  3,  false, false, false },
    { "reorder",    3, 200000,  1500, 16384, "0",    "0.2", "0",   0,  4,  false, false, false },
    { "dup",        3, 200000,  1500, 16384, "0",    "0",   "0.1", 0,  5,  false, false, false },
    { "bad-csum",   3, 200000,  1500, 16384, "0",    "0",   "0",   13, 6,  false, false, false },
    { "mixed-v6",   4, 300000,  1500, 16384, "0.2",  "0.3", "0.2", 9,  7,  true,  false, false },
    { "small-msg",  2, 50000,   576,  100,   "0.05", "0.1", "0.05", 3, 8,  false, true,  false },
    { "empty",      3, 0,       1500, 16384, "0",    "0",   "0",   0,  9,  false, false, false },
    { "all-at-1",   2, 60000,   128,  3000,  "1",    "1",   "1",   50, 10, true,  false, false },
    /* Seed 19746 gives flow 0 the client ISN 0xfffc914e: the stream wraps 2^32. */
    { "seq-wrap",   1, 400000,  1500, 16384, "0.1",  "0.1", "0.1", 5,  19746, false, false, false },
};

/* Writes case c to path with the given seed; fails the test on a non-zero exit. */
static void synth(const struct synth_case *c, unsigned long long seed, const char *path)
{
    char flows[16], bytes[32], mtu[16], msg[16], bad[16], sd[32], err[4200];
    snprintf(flows, sizeof flows, "%u", c->flows);
    snprintf(bytes, sizeof bytes, "%llu", c->bytes);
    snprintf(mtu, sizeof mtu, "%u", c->mtu);
    snprintf(msg, sizeof msg, "%u", c->send_size);
    snprintf(bad, sizeof bad, "%u", c->bad_csum);
    snprintf(sd, sizeof sd, "%llu", seed);
    snprintf(err, sizeof err, "%s.err", path);
    char *args[40] = { "synth", "-o", (char *)path, "--flows", flows, "--bytes", bytes, "--mtu", mtu,
                       "--send-size", msg, "--loss", (char *)c->loss, "--reorder", (char *)c->reorder,
                       "--dup", (char *)c->dup, "--bad-csum", bad, "--seed", sd };
    int n = 21;
    if (c->ipv6)
        args[n++] = "--ipv6";
    if (c->no_acks)
        args[n++] = "--no-acks";
    if (c->nsec)
        args[n++] = "--nsec";
    args[n] = NULL;
    int rc = testenv_rxsim(args, NULL, err);
    char *e = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "%s: rxsim synth exit %d: %s", c->name, rc, e ? e : "");
    free(e);
}

/* The content recipe of docs/user-guide.md, implemented again here:
 * splitmix64 seeding and xoshiro256** from Blackman and Vigna's reference. */
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void recipe_sha(unsigned long long seed, unsigned flow, unsigned long long bytes, char hex[65])
{
    uint64_t s[4], x = seed + ((uint64_t)flow + 1) * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4; i++) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        s[i] = z ^ (z >> 31);
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t buf[8192];
    size_t fill = 0;
    for (unsigned long long done = 0; done < bytes;) {
        uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        for (int k = 0; k < 8 && done < bytes; k++, done++)
            buf[fill++] = (uint8_t)(r >> (8 * k));
        if (fill + 8 > sizeof buf) {
            sha256_update(&ctx, fill, buf);
            fill = 0;
        }
    }
    sha256_update(&ctx, fill, buf);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
}

static void endpoint(char *buf, size_t size, bool v6, const char *addr, int64_t port)
{
    snprintf(buf, size, v6 ? "[%s]:%lld" : "%s:%lld", addr, (long long)port);
}

/* The inspect direction from → to, or NULL. */
static json_object *find_dir(json_object *rep, const char *from, const char *to)
{
    json_object *conns = get(rep, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *ds = get(json_object_array_get_idx(conns, i), "directions");
        for (size_t k = 0; k < json_object_array_length(ds); k++) {
            json_object *d = json_object_array_get_idx(ds, k);
            if (!strcmp(str(d, "from"), from) && !strcmp(str(d, "to"), to))
                return d;
        }
    }
    return NULL;
}

static unsigned long long div_up(unsigned long long a, unsigned long long b) { return (a + b - 1) / b; }

START_TEST(round_trips_through_inspect)
{
    const struct synth_case *c = &cases[_i];
    char path[4200], truth_path[4300], out[4300];
    snprintf(path, sizeof path, "%s/%s.pcap", tmpdir, c->name);
    snprintf(truth_path, sizeof truth_path, "%s.truth.json", path);
    snprintf(out, sizeof out, "%s.inspect.json", path);
    synth(c, c->seed, path);
    char *args[] = { "inspect", "--json", "--no-progress", path, NULL };
    int rc = testenv_rxsim(args, out, NULL);
    ck_assert_msg(rc == 0, "%s: rxsim inspect exit %d", c->name, rc);
    json_object *truth = json_object_from_file(truth_path), *rep = json_object_from_file(out);
    ck_assert_msg(truth && rep, "%s: truth or inspect report unreadable", c->name);
    if (!strcmp(c->name, "seq-wrap")) {
        /* The SYN's sequence number: pcap header 24, record header 16, Ethernet 14, IPv4 20, ports 4. */
        size_t len;
        uint8_t *f = (uint8_t *)testenv_slurp(path, &len);
        ck_assert(f && len > 82);
        uint64_t isn = (uint64_t)f[78] << 24 | (uint64_t)f[79] << 16 | (uint64_t)f[80] << 8 | f[81];
        ck_assert_msg(isn + 1 + c->bytes > (1ull << 32), "seq-wrap: ISN %#llx does not wrap", (unsigned long long)isn);
        free(f);
    }

    /* The sidecar says what was asked. */
    json_object *opt = get(truth, "options"), *tot = get(truth, "totals");
    ck_assert_msg(i64(opt, "flows") == c->flows && i64(opt, "bytes") == (int64_t)c->bytes &&
                  i64(opt, "mtu") == c->mtu && i64(opt, "send_size") == c->send_size &&
                  i64(opt, "bad_csum") == c->bad_csum && i64(opt, "seed") == (int64_t)c->seed,
                  "%s: truth options differ from the command line", c->name);
    unsigned long long payload = c->mtu - (c->ipv6 ? 60 : 40) - 12;
    unsigned long long segs = c->bytes / c->send_size * div_up(c->send_size, payload) +
                              div_up(c->bytes % c->send_size, payload);
    ck_assert_msg(i64(opt, "mss") == c->mtu - (c->ipv6 ? 60 : 40), "%s: MSS", c->name);
    ck_assert_msg(i64(tot, "data_segments") == (int64_t)(segs * c->flows),
                  "%s: %lld data segments, want %llu", c->name, (long long)i64(tot, "data_segments"),
                  segs * c->flows);

    /* Every record read, no frame refused but for the bad checksums and the duplicates. */
    ck_assert_int_eq(i64(get(rep, "trace"), "records_read"), i64(get(truth, "file"), "packets"));
    ck_assert_msg(!json_object_get_boolean(get(get(rep, "trace"), "partial")), "%s: partial", c->name);
    json_object *drops = get(get(rep, "stack"), "drops");
    int64_t dropped = 0;
    json_object_object_foreach(drops, reason, count) {
        (void)reason;
        dropped += json_object_get_int64(count);
    }
    ck_assert_msg(i64(drops, "tcp_csum") == c->bad_csum, "%s: %lld tcp_csum drops, asked %u", c->name,
                  (long long)i64(drops, "tcp_csum"), c->bad_csum);
    ck_assert_msg(i64(drops, "tcp_old_data") == i64(tot, "duplicated"), "%s: old-data drops %lld != duplicates %lld",
                  c->name, (long long)i64(drops, "tcp_old_data"), (long long)i64(tot, "duplicated"));
    ck_assert_msg(dropped == c->bad_csum + i64(tot, "duplicated"), "%s: %lld drops in all", c->name, (long long)dropped);
    ck_assert_int_eq(json_object_array_length(get(rep, "connections")), c->flows);

    /* Per direction: content, and the counts the sidecar predicts. */
    json_object *dirs = get(truth, "directions");
    ck_assert_int_eq(json_object_array_length(dirs), 2 * c->flows);
    int64_t bad = 0, retr = 0, ooo = 0;
    for (size_t i = 0; i < json_object_array_length(dirs); i++) {
        json_object *d = json_object_array_get_idx(dirs, i), *x = get(d, "expect");
        char from[80], to[80];
        endpoint(from, sizeof from, c->ipv6, str(d, "src"), i64(d, "sport"));
        endpoint(to, sizeof to, c->ipv6, str(d, "dst"), i64(d, "dport"));
        json_object *got = find_dir(rep, from, to);
        ck_assert_msg(got != NULL, "%s: inspect has no direction %s > %s", c->name, from, to);
        bool data = !strcmp(str(d, "read_by"), "receiver");
        char want[65];
        recipe_sha(c->seed, (unsigned)i64(d, "flow"), data ? c->bytes : 0, want);
        ck_assert_msg(!strcmp(str(d, "sha256"), want), "%s: %s > %s truth sha256 is not the recipe's",
                      c->name, from, to);
        ck_assert_msg(!strcmp(str(got, "sha256"), want), "%s: %s > %s delivered sha256 differs",
                      c->name, from, to);
        ck_assert_msg(i64(got, "bytes_delivered") == (data ? (int64_t)c->bytes : 0) &&
                      i64(d, "bytes") == i64(got, "bytes_delivered"),
                      "%s: %s > %s delivered %lld bytes", c->name, from, to,
                      (long long)i64(got, "bytes_delivered"));
        static const char *const keys[] = { "segments", "bytes_delivered", "retransmitted_segments",
                                            "out_of_order_segments", "bad_checksum_segments" };
        for (size_t k = 0; k < ARRAY_LEN(keys); k++)
            ck_assert_msg(i64(got, keys[k]) == i64(x, keys[k]), "%s: %s > %s %s: inspect %lld, truth %lld",
                          c->name, from, to, keys[k], (long long)i64(got, keys[k]), (long long)i64(x, keys[k]));
        ck_assert_msg(i64(got, "undelivered_ooo_bytes") == 0 && i64(got, "overlapping_segments") == 0,
                      "%s: %s > %s holes or overlaps", c->name, from, to);
        ck_assert_msg(json_object_get_boolean(get(got, "syn")) && json_object_get_boolean(get(got, "fin")),
                      "%s: %s > %s SYN and FIN", c->name, from, to);
        json_object *so = get(got, "syn_options");
        ck_assert_msg(i64(so, "mss") == c->mtu - (c->ipv6 ? 60 : 40) && i64(so, "wscale") == 7 &&
                      json_object_get_boolean(get(so, "sack_permitted")) &&
                      json_object_get_boolean(get(so, "timestamps")), "%s: %s > %s SYN options", c->name, from, to);
        bad += i64(got, "bad_checksum_segments");
        retr += i64(got, "retransmitted_segments");
        ooo += i64(got, "out_of_order_segments");
    }
    ck_assert_msg(bad == c->bad_csum, "%s: %lld bad checksums, asked %u", c->name, (long long)bad, c->bad_csum);
    ck_assert_msg(retr == i64(tot, "duplicated"), "%s: retransmitted %lld != duplicated %lld", c->name,
                  (long long)retr, (long long)i64(tot, "duplicated"));
    ck_assert_int_eq(ooo, i64(tot, "out_of_order_segments"));

    /* The impairments asked for happened (enough segments that a miss would be a bug). */
    bool nonzero_loss = strcmp(c->loss, "0") != 0, nonzero_reorder = strcmp(c->reorder, "0") != 0,
         nonzero_dup = strcmp(c->dup, "0") != 0 && strcmp(c->loss, "1") != 0;  /* lost ones are not duplicated */
    ck_assert_msg((i64(tot, "lost") > 0) == nonzero_loss, "%s: lost %lld", c->name, (long long)i64(tot, "lost"));
    ck_assert_msg((i64(tot, "reordered") > 0) == nonzero_reorder, "%s: reordered %lld", c->name,
                  (long long)i64(tot, "reordered"));
    ck_assert_msg((i64(tot, "duplicated") > 0) == nonzero_dup, "%s: duplicated %lld", c->name,
                  (long long)i64(tot, "duplicated"));
    if (nonzero_loss && strcmp(c->loss, "1") != 0)
        ck_assert_msg(ooo > 0, "%s: losses left no segment out of order", c->name);
    json_object_put(truth);
    json_object_put(rep);
}
END_TEST

/* What tshark's TCP analysis says about a healthy stream with our impairments;
 * anything else it says (a length past the frame, an option running off the
 * header, "Malformed") is a complaint. */
static const char *const tshark_expected[] = {
    "Connection establish", "Connection finish", "This frame initiates the connection closing",
    "This frame undergoes the connection closing", "This frame is a (suspected) ",
    "Previous segment(s) not captured", "ACKed segment that wasn't captured", "Duplicate ACK",
    "TCP window update", "TCP keep-alive", "Bad checksum",
};

/* Checks every expert message in tshark's `-e _ws.expert.message` output;
 * returns how many say "Bad checksum", or fails naming the first stranger. */
static size_t tshark_messages(const char *name, char *text)
{
    size_t bad = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        for (char *s2 = NULL, *m = strtok_r(line, ",", &s2); m; m = strtok_r(NULL, ",", &s2)) {
            bool known = false;
            for (size_t k = 0; k < ARRAY_LEN(tshark_expected) && !known; k++)
                known = !strncmp(m, tshark_expected[k], strlen(tshark_expected[k]));
            ck_assert_msg(known, "%s: tshark complains: %s", name, m);
            bad += !strncmp(m, "Bad checksum", 12);
        }
    return bad;
}

START_TEST(tshark_reads_without_complaint)
{
    const struct synth_case *c = &cases[_i];
    if (access(TSHARK, X_OK) != 0) {
        printf("# %s: %s not installed, tshark check skipped\n", c->name, TSHARK);
        return;
    }
    char path[4200], out[4300], err[4300];
    snprintf(path, sizeof path, "%s/tshark-%s.pcap", tmpdir, c->name);
    snprintf(out, sizeof out, "%s.tshark", path);
    snprintf(err, sizeof err, "%s.tshark.err", path);
    synth(c, c->seed, path);

    char *quiet[] = { TSHARK, "-r", path, "-q", NULL };
    ck_assert_msg(testenv_run(quiet, out, err) == 0, "%s: tshark -q failed", c->name);
    char *o = testenv_slurp(out, NULL), *e = testenv_slurp(err, NULL);
    ck_assert_msg(o && e && !strcasestr(o, "malformed") && !strcasestr(e, "malformed") &&
                  !strstr(e, "appears to be damaged") && !strstr(e, "cut short"),
                  "%s: tshark complains: %s %s", c->name, o ? o : "", e ? e : "");
    free(o);
    free(e);

    char *expert[] = { TSHARK, "-r", path, "-o", "tcp.check_checksum:TRUE",
                       "-T", "fields", "-e", "_ws.expert.message", NULL };
    ck_assert_msg(testenv_run(expert, out, err) == 0, "%s: tshark -T fields failed", c->name);
    o = testenv_slurp(out, NULL);
    ck_assert(o != NULL);
    ck_assert_msg(!strcasestr(o, "malformed"), "%s: tshark finds a malformed frame", c->name);
    size_t bad = tshark_messages(c->name, o);
    ck_assert_msg(bad == c->bad_csum, "%s: tshark flags %zu checksums, asked %u bad", c->name, bad, c->bad_csum);
    free(o);
}
END_TEST

static bool same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = testenv_slurp(a, &la), *y = testenv_slurp(b, &lb);
    bool same = x && y && la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

START_TEST(seed_decides_the_bytes)
{
    const struct synth_case *c = &cases[6];                 /* mixed: every impairment */
    char a[4200], b[4200], d[4200], ta[4300], tb[4300];
    snprintf(a, sizeof a, "%s/seed-a.pcap", tmpdir);
    snprintf(b, sizeof b, "%s/seed-b.pcap", tmpdir);
    snprintf(d, sizeof d, "%s/seed-d.pcap", tmpdir);
    synth(c, 42, a);
    synth(c, 42, b);
    synth(c, 43, d);
    ck_assert_msg(same_file(a, b), "same seed, different pcap");
    snprintf(ta, sizeof ta, "%s.truth.json", a);
    snprintf(tb, sizeof tb, "%s.truth.json", d);
    ck_assert_msg(!same_file(a, d), "seeds 42 and 43 give the same pcap");
    json_object *x = json_object_from_file(ta), *y = json_object_from_file(tb);
    ck_assert(x && y);
    json_object *dx = json_object_array_get_idx(get(x, "directions"), 0);
    json_object *dy = json_object_array_get_idx(get(y, "directions"), 0);
    ck_assert_msg(strcmp(str(dx, "sha256"), str(dy, "sha256")) != 0, "seeds 42 and 43 give the same content");
    json_object_put(x);
    json_object_put(y);
}
END_TEST

START_TEST(run_reads_the_truth)
{
    static const struct synth_case four = { "run4", 4, 262144, 1500, 16384, "0.02", "0.02", "0.02", 4, 11,
                                            false, false, false };
    char path[4200], truth_path[4300], out[4300], err[4300];
    snprintf(path, sizeof path, "%s/run4.pcap", tmpdir);
    snprintf(truth_path, sizeof truth_path, "%s.truth.json", path);
    snprintf(out, sizeof out, "%s.run.json", path);
    snprintf(err, sizeof err, "%s.run.err", path);
    synth(&four, four.seed, path);
    char *args[] = { "run", "--json", "--no-progress", path, NULL };
    int rc = testenv_rxsim(args, out, err);
    char *e = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "rxsim run exit %d: %s", rc, e ? e : "");
    free(e);
    json_object *truth = json_object_from_file(truth_path), *rep = json_object_from_file(out);
    ck_assert(truth && rep);
    json_object *conns = get(rep, "connections"), *dirs = get(truth, "directions");
    int matched = 0;
    for (size_t i = 0; i < json_object_array_length(dirs); i++) {
        json_object *d = json_object_array_get_idx(dirs, i);
        if (strcmp(str(d, "read_by"), "receiver"))
            continue;
        char from[80], to[80];
        endpoint(from, sizeof from, false, str(d, "src"), i64(d, "sport"));
        endpoint(to, sizeof to, false, str(d, "dst"), i64(d, "dport"));
        for (size_t k = 0; k < json_object_array_length(conns); k++) {
            json_object *cn = json_object_array_get_idx(conns, k);
            if (strcmp(str(cn, "from"), from) || strcmp(str(cn, "to"), to))
                continue;
            ck_assert_msg(!strcmp(str(cn, "sha256"), str(d, "sha256")) && i64(cn, "bytes") == i64(d, "bytes"),
                          "run: %s > %s read other bytes than the truth's", from, to);
            matched++;
        }
    }
    ck_assert_int_eq(matched, 4);
    json_object_put(truth);
    json_object_put(rep);
}
END_TEST

START_TEST(many_flows_have_distinct_tuples)
{
    static const struct synth_case many = { "many", 25001, 1, 1500, 16384, "0", "0", "0", 0, 12,
                                            false, true, false };
    char path[4200], out[4300];
    snprintf(path, sizeof path, "%s/many.pcap", tmpdir);
    snprintf(out, sizeof out, "%s.inspect.json", path);
    synth(&many, many.seed, path);
    char *args[] = { "inspect", "--json", "--no-progress", path, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
    json_object *rep = json_object_from_file(out);
    ck_assert(rep != NULL);
    ck_assert_int_eq(json_object_array_length(get(rep, "connections")), 25001);
    ck_assert_msg(find_dir(rep, "10.0.1.1:40000", "10.0.0.2:5001") != NULL, "flow 25000 not 10.0.1.1:40000");
    ck_assert_msg(find_dir(rep, "10.0.0.1:64999", "10.0.0.2:5001") != NULL, "flow 24999 not 10.0.0.1:64999");
    json_object_put(rep);
}
END_TEST

START_TEST(absurd_options_exit_2)
{
    char out[4200], err[4300];
    snprintf(out, sizeof out, "%s/absurd.pcap", tmpdir);
    snprintf(err, sizeof err, "%s/absurd.err", tmpdir);
    static const struct { const char *opt, *val; } bad[] = {
        { "--mtu", "127" }, { "--mtu", "65536" }, { "--flows", "0" }, { "--flows", "65536" },
        { "--loss", "-0.1" }, { "--loss", "1.5" }, { "--reorder", "nan" }, { "--dup", "2" },
        { "--bytes", "17G" }, { "--bytes", "-1" }, { "--send-size", "0" }, { "--rate", "0" },
        { "--rate", "1T" }, { "--seed", "-3" }, { "--bad-csum", "x" }, { "--flows", "12abc" },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *args[] = { "synth", "-o", out, (char *)bad[i].opt, (char *)bad[i].val, NULL };
        int rc = testenv_rxsim(args, NULL, err);
        char *e = testenv_slurp(err, NULL);
        ck_assert_msg(rc == 2, "synth %s %s: exit %d, want 2", bad[i].opt, bad[i].val, rc);
        ck_assert_msg(e && strstr(e, bad[i].opt), "synth %s %s: message does not name the option: %s",
                      bad[i].opt, bad[i].val, e ? e : "");
        free(e);
        ck_assert_msg(access(out, F_OK) != 0, "synth %s %s wrote a file", bad[i].opt, bad[i].val);
    }
    /* More bad checksums than segments; options that only fail together. */
    char *toomany[] = { "synth", "-o", out, "--bytes", "10000", "--bad-csum", "8", NULL };
    ck_assert_int_eq(testenv_rxsim(toomany, NULL, err), 2);
    char *total[] = { "synth", "-o", out, "--flows", "65535", "--bytes", "16G", NULL };
    ck_assert_int_eq(testenv_rxsim(total, NULL, err), 2);
    char *noout[] = { "synth", "--flows", "2", NULL };
    ck_assert_int_eq(testenv_rxsim(noout, NULL, err), 2);
    char *unknown[] = { "synth", "-o", out, "--frobnicate", NULL };
    ck_assert_int_eq(testenv_rxsim(unknown, NULL, err), 2);
    char *stray[] = { "synth", "-o", out, "extra", NULL };
    ck_assert_int_eq(testenv_rxsim(stray, NULL, err), 2);
    char *help[] = { "synth", "--help", NULL };
    ck_assert_int_eq(testenv_rxsim(help, NULL, NULL), 0);
    char *unwritable[] = { "synth", "-o", "/nonexistent/dir/x.pcap", NULL };
    ck_assert_int_eq(testenv_rxsim(unwritable, NULL, err), 1);
}
END_TEST

int main(void)
{
    testenv_mkdtemp(tmpdir, sizeof tmpdir);
    if (!tmpdir[0])
        testenv_skip_suite("cannot make a temporary directory");
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, round_trips_through_inspect, 0, (int)ARRAY_LEN(cases));
    tcase_add_loop_test(tc, tshark_reads_without_complaint, 0, (int)ARRAY_LEN(cases));
    tcase_add_test(tc, seed_decides_the_bytes);
    tcase_add_test(tc, run_reads_the_truth);
    tcase_add_test(tc, many_flows_have_distinct_tuples);
    tcase_add_test(tc, absurd_options_exit_2);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
