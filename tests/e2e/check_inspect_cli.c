/* tests/e2e/check_inspect_cli.c: rxsim inspect as a user meets it, with no
 * ../shared needed: the traces rxsim ships (traces/data/) deliver exactly
 * what their receiving applications read (*.truth.json, recorded at capture
 * time, not by rxsim), stream dumps hold those bytes, and bad input gives the
 * documented exit status and a message naming the file, record and offset. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

#define MAX_TRACES 32

static char traces[MAX_TRACES][2400];
static int ntraces;
static char tmpdir[4096];


static void sha_file(const char *path, char hex[65])
{
    size_t len;
    char *data = testenv_slurp(path, &len);
    ck_assert_msg(data != NULL, "%s: cannot read", path);
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
    free(data);
}

START_TEST(shipped_trace_matches_its_truth)
{
    const char *trace = traces[_i];
    char truth_path[2500], out[4200], dumps[4200];
    snprintf(truth_path, sizeof truth_path, "%s.truth.json", trace);
    snprintf(out, sizeof out, "%s/report-%d.json", tmpdir, _i);
    snprintf(dumps, sizeof dumps, "%s/dumps-%d", tmpdir, _i);
    char *args[] = { "inspect", "--json", "--no-progress", "--dump-streams", dumps, (char *)trace, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
    json_object *truth = json_object_from_file(truth_path), *rep = json_object_from_file(out);
    ck_assert_msg(truth && rep, "%s: truth or report unreadable", trace);
    ck_assert_int_eq(json_object_get_int64(get(get(rep, "trace"), "records_read")),
                     json_object_get_int64(get(get(truth, "file"), "packets")));
    json_object *dirs = get(truth, "directions");
    for (size_t i = 0; i < json_object_array_length(dirs); i++) {
        json_object *d = json_object_array_get_idx(dirs, i);
        int v = (int)json_object_get_int(get(truth, "ip_version"));
        char from[80], to[80];
        snprintf(from, sizeof from, v == 4 ? "%s:%d" : "[%s]:%d", json_object_get_string(get(d, "src")),
                 json_object_get_int(get(d, "sport")));
        snprintf(to, sizeof to, v == 4 ? "%s:%d" : "[%s]:%d", json_object_get_string(get(d, "dst")),
                 json_object_get_int(get(d, "dport")));
        bool found = false;
        json_object *conns = get(rep, "connections");
        for (size_t c = 0; c < json_object_array_length(conns); c++) {
            json_object *cd = get(json_object_array_get_idx(conns, c), "directions");
            for (size_t k = 0; k < json_object_array_length(cd); k++) {
                json_object *o = json_object_array_get_idx(cd, k);
                if (strcmp(json_object_get_string(get(o, "from")), from) ||
                    strcmp(json_object_get_string(get(o, "to")), to))
                    continue;
                found = true;
                ck_assert_msg(json_object_get_int64(get(o, "bytes_delivered")) ==
                              json_object_get_int64(get(d, "bytes")), "%s: %s > %s byte count", trace, from, to);
                ck_assert_msg(!strcmp(json_object_get_string(get(o, "sha256")),
                                      json_object_get_string(get(d, "sha256"))),
                              "%s: %s > %s sha256 differs from what the application read", trace, from, to);
            }
        }
        ck_assert_msg(found, "%s: direction %s > %s not reported", trace, from, to);
        /* The dump file holds those bytes. */
        char dump[4600], hex[65], sfile[80], dfile[80];
        snprintf(sfile, sizeof sfile, "%s_%d", json_object_get_string(get(d, "src")), json_object_get_int(get(d, "sport")));
        snprintf(dfile, sizeof dfile, "%s_%d", json_object_get_string(get(d, "dst")), json_object_get_int(get(d, "dport")));
        snprintf(dump, sizeof dump, "%s/%s-%s.bin", dumps, sfile, dfile);
        sha_file(dump, hex);
        ck_assert_msg(!strcmp(hex, json_object_get_string(get(d, "sha256"))), "%s: dump %s differs", trace, dump);
    }
    json_object_put(truth);
    json_object_put(rep);
}
END_TEST

START_TEST(truncated_trace_is_partial)
{
    /* The first 100000 bytes of a shipped trace: cut mid-record. */
    char cut[4200], out[4200], err[4200];
    snprintf(cut, sizeof cut, "%s/cut.pcap", tmpdir);
    snprintf(out, sizeof out, "%s/cut.json", tmpdir);
    snprintf(err, sizeof err, "%s/cut.err", tmpdir);
    size_t len;
    char *data = testenv_slurp(traces[0], &len);
    ck_assert(data && len > 100000);
    FILE *f = fopen(cut, "wb");
    fwrite(data, 1, 100000, f);
    fclose(f);
    free(data);
    char *args[] = { "inspect", "--json", "--no-progress", cut, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, err), 4);
    char *msg = testenv_slurp(err, NULL);
    ck_assert_msg(msg && strstr(msg, cut) && strstr(msg, "record ") && strstr(msg, "byte offset "),
                  "partial-trace message should name file, record and offset: %s", msg ? msg : "");
    free(msg);
    json_object *rep = json_object_from_file(out);
    ck_assert_msg(rep && json_object_get_boolean(get(get(rep, "trace"), "partial")), "report not marked partial");
    ck_assert_int_gt(json_object_get_int64(get(get(rep, "trace"), "records_processed")), 0);
    json_object_put(rep);
}
END_TEST

/* Records the reader warns about are counted in the reports, not only shown
 * on stderr: one timestamp going backwards, one captured length above the
 * wire length. */
START_TEST(warnings_are_counted)
{
    char pcap[4200], out[4200];
    snprintf(pcap, sizeof pcap, "%s/warned.pcap", tmpdir);
    snprintf(out, sizeof out, "%s/warned.json", tmpdir);
    FILE *f = fopen(pcap, "wb");
    ck_assert(f);
    const uint32_t ghdr[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1 /* Ethernet */ };
    fwrite(ghdr, sizeof ghdr, 1, f);
    const uint32_t recs[3][4] = { { 3, 0, 60, 60 }, { 1, 0, 60, 60 }, { 4, 0, 60, 50 } };
    uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };  /* ARP */
    for (int i = 0; i < 3; i++) {
        fwrite(recs[i], sizeof recs[i], 1, f);
        fwrite(frame, sizeof frame, 1, f);
    }
    ck_assert_int_eq(fclose(f), 0);
    char *ins[] = { "inspect", "--json", "--no-progress", pcap, NULL };
    ck_assert_int_eq(testenv_rxsim(ins, out, NULL), 0);
    json_object *rep = json_object_from_file(out);
    ck_assert_msg(rep != NULL, "inspect --json output does not parse");
    ck_assert_int_eq(json_object_get_int64(get(get(rep, "trace"), "warnings")), 2);
    json_object_put(rep);
    char *run[] = { "run", "--json", "--no-progress", pcap, NULL };
    ck_assert_int_eq(testenv_rxsim(run, out, NULL), 0);
    rep = json_object_from_file(out);
    ck_assert_msg(rep != NULL, "run --json output does not parse");
    ck_assert_int_eq(json_object_get_int64(get(get(rep, "result"), "trace_warnings")), 2);
    json_object_put(rep);
}
END_TEST

START_TEST(exit_codes)
{
    char err[4200], notpcap[4200];
    snprintf(err, sizeof err, "%s/e.err", tmpdir);
    snprintf(notpcap, sizeof notpcap, "%s/notpcap.txt", tmpdir);
    FILE *f = fopen(notpcap, "w");
    fputs("this is not a capture file\n", f);
    fclose(f);
    char *help[] = { "inspect", "--help", NULL };
    char *noarg[] = { "inspect", NULL };
    char *badopt[] = { "inspect", "--frobnicate", traces[0], NULL };
    char *badooo[] = { "inspect", "--ooo-limit", "-5", traces[0], NULL };
    char *missing[] = { "inspect", "/nonexistent/trace.pcap", NULL };
    char *bogus[] = { "inspect", notpcap, NULL };
    char *filter[] = { "inspect", "--filter", "tcp port (", traces[0], NULL };
    char *nocmd[] = { "frobnicate", NULL };
    ck_assert_int_eq(testenv_rxsim(help, NULL, NULL), 0);
    ck_assert_int_eq(testenv_rxsim(noarg, NULL, NULL), 2);
    ck_assert_int_eq(testenv_rxsim(badopt, NULL, NULL), 2);
    ck_assert_int_eq(testenv_rxsim(badooo, NULL, NULL), 2);
    ck_assert_int_eq(testenv_rxsim(nocmd, NULL, NULL), 2);
    ck_assert_int_eq(testenv_rxsim(missing, NULL, err), 3);
    char *msg = testenv_slurp(err, NULL);
    ck_assert_msg(msg && strstr(msg, "/nonexistent/trace.pcap"), "message should name the file: %s", msg);
    free(msg);
    ck_assert_int_eq(testenv_rxsim(bogus, NULL, NULL), 3);
    ck_assert_int_eq(testenv_rxsim(filter, NULL, err), 2);     /* the option is wrong, not the file */
    msg = testenv_slurp(err, NULL);
    ck_assert_msg(msg && strstr(msg, "bad --filter 'tcp port ('"), "message should quote the filter: %s", msg);
    free(msg);
}
END_TEST

START_TEST(filter_selects_one_flow)
{
    /* parallel4: four flows; a port filter keeps one. */
    const char *p = NULL;
    for (int i = 0; i < ntraces; i++)
        if (strstr(traces[i], "parallel4"))
            p = traces[i];
    ck_assert_msg(p != NULL, "parallel4 trace not shipped");
    char out[4200];
    snprintf(out, sizeof out, "%s/filter.json", tmpdir);
    char *args[] = { "inspect", "--json", "--no-progress", "--filter", "tcp port 41002", (char *)p, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
    json_object *rep = json_object_from_file(out);
    ck_assert_int_eq(json_object_array_length(get(rep, "connections")), 1);
    json_object_put(rep);
}
END_TEST

/* --dump-streams DIR that cannot be made or written is exit 1 ("cannot
 * write a dump file", the guide's table), said before the trace is read and
 * naming DIR; a plain file where DIR should be is the same. */
START_TEST(dump_dir_unwritable_is_exit_1)
{
    char afile[4200], under[4300], err[4200];
    snprintf(afile, sizeof afile, "%s/a-plain-file", tmpdir);
    snprintf(under, sizeof under, "%s/sub", afile);
    snprintf(err, sizeof err, "%s/dump.err", tmpdir);
    FILE *f = fopen(afile, "w");
    ck_assert(f != NULL);
    fclose(f);
    const char *dirs[] = { under, afile };
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        char *args[] = { "inspect", "--no-progress", "--dump-streams", (char *)dirs[i], traces[0], NULL };
        int rc = testenv_rxsim(args, NULL, err);
        char *msg = testenv_slurp(err, NULL);
        ck_assert_msg(rc == 1, "--dump-streams %s: exit %d, want 1: %s", dirs[i], rc, msg ? msg : "");
        ck_assert_msg(msg && strstr(msg, dirs[i]) && strstr(msg, "Not a directory"),
                      "the message should name %s and why: %s", dirs[i], msg ? msg : "");
        ck_assert_msg(!strstr(msg, "records read"), "said before the trace is read: %s", msg);
        free(msg);
    }
    remove(afile);
}
END_TEST

/* The text between from and the next occurrence of to after it ("" when
 * from is absent), in a static buffer. */
static const char *between(const char *text, const char *from, const char *to)
{
    static char buf[2048];
    const char *a = text ? strstr(text, from) : NULL;
    const char *b = a ? strstr(a + strlen(from), to) : NULL;
    size_t n = a ? (b ? (size_t)(b - a) : strlen(a)) : 0;
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), a ? a : "");
    return buf;
}

/* The code, --help and the guide agree: a --filter that does not compile
 * is a usage error (2; exit_codes checks the code), not unusable input (3);
 * a dump file that cannot be written is an internal error (1). */
START_TEST(exit_status_documented_alike)
{
    char out[4200], guide_path[2048];
    snprintf(out, sizeof out, "%s/help.txt", tmpdir);
    const char *cmds[] = { "inspect", "run" };
    for (size_t i = 0; i < ARRAY_LEN(cmds); i++) {
        char *args[] = { (char *)cmds[i], "--help", NULL };
        ck_assert_int_eq(testenv_rxsim(args, out, NULL), 0);
        char *help = testenv_slurp(out, NULL);
        char status[2048];
        snprintf(status, sizeof status, "%s", between(help, "exit status:", "\n\n"));
        ck_assert_msg(*status, "%s --help has no exit status paragraph", cmds[i]);
        char two[2048], three[2048];
        snprintf(two, sizeof two, "%s", between(status, "2 usage", "3 "));
        snprintf(three, sizeof three, "%s", between(status, "3 ", "4 "));
        ck_assert_msg(strstr(two, "--filter"), "%s --help: a bad --filter under 2 usage: %s", cmds[i], status);
        ck_assert_msg(!strstr(three, "filter"), "%s --help: a bad filter under 3: %s", cmds[i], status);
        if (!strcmp(cmds[i], "inspect"))
            ck_assert_msg(strstr(between(status, "1 internal", "\n\n"), "--dump-streams"),
                          "inspect --help: dump files under 1: %s", status);
        free(help);
    }
    testenv_path(guide_path, sizeof guide_path, "docs/user-guide.md");
    char *guide = testenv_slurp(guide_path, NULL);
    ck_assert_msg(guide != NULL, "%s: cannot read", guide_path);
    ck_assert_msg(strstr(between(guide, "\n| 2 |", "\n"), "`--filter`"), "guide: a bad --filter is exit 2");
    ck_assert_msg(!strstr(between(guide, "\n| 3 |", "\n"), "filter"), "guide: exit 3 must not list --filter");
    ck_assert_msg(strstr(between(guide, "\n| 1 |", "\n"), "--dump-streams"), "guide: dump dir under exit 1");
    free(guide);
}
END_TEST

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

int main(void)
{
    char dir[2048];
    testenv_path(dir, sizeof dir, "traces/data");
    DIR *d = opendir(dir);
    if (!d)
        testenv_skip_suite("traces/data not found");
    struct dirent *e;
    while ((e = readdir(d)) && ntraces < MAX_TRACES) {
        size_t n = strlen(e->d_name);
        if (n > 5 && !strcmp(e->d_name + n - 5, ".pcap"))
            snprintf(traces[ntraces++], sizeof traces[0], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(traces, (size_t)ntraces, sizeof traces[0], cmp);
    testenv_mkdtemp(tmpdir, sizeof tmpdir);

    Suite *s = suite_create("inspect_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, shipped_trace_matches_its_truth, 0, ntraces);
    tcase_add_test(tc, truncated_trace_is_partial);
    tcase_add_test(tc, exit_codes);
    tcase_add_test(tc, warnings_are_counted);
    tcase_add_test(tc, filter_selects_one_flow);
    tcase_add_test(tc, dump_dir_unwritable_is_exit_1);
    tcase_add_test(tc, exit_status_documented_alike);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
