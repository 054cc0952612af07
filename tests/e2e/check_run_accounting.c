/* tests/e2e/check_run_accounting.c: rxsim run's counts against independent
 * truths, on traces rxsim synth writes at run time (no shared files needed).
 *
 *  - Every byte is woken and read: a poll that hands data to more sockets
 *    than any fixed list holds (200 flows, batch:256, one interrupt for
 *    hundreds of frames) still wakes every reader, so each direction's bytes
 *    and SHA-256 equal synth's truth file and nothing is left unread. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
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

/* rxsim run --json --no-progress ARGS... TRACE: the report (exit 0 required). */
static json_object *run(const char *trace, const char *const *args, const char *what)
{
    char dir[4096], out[4200], err[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/out.json", dir);
    snprintf(err, sizeof err, "%s/err.txt", dir);
    char *argv[48] = { "run", "--json", "--no-progress" };
    int n = 3;
    for (int i = 0; args[i] && n < 45; i++)
        argv[n++] = (char *)args[i];
    argv[n++] = (char *)trace;
    argv[n] = NULL;
    int rc = testenv_rxsim(argv, out, err);
    char *errtext = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "%s: rxsim run exit %d: %s", what, rc, errtext ? errtext : "");
    free(errtext);
    json_object *j = json_object_from_file(out);
    ck_assert_msg(j != NULL, "%s: report is not JSON", what);
    return j;
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

static const char *const deliveries[] = { "batch:256", "packet", "gro" };

START_TEST(every_reader_woken_with_many_sockets_per_pass)
{
    static char trace[4200];
    const char *sargs[] = { "--flows", "200", "--bytes", "3000", "--no-acks", NULL };
    synth("flows200", sargs, trace, sizeof trace);
    char what[96];
    snprintf(what, sizeof what, "200 flows, delivery=%s", deliveries[_i]);
    const char *args[] = { "--rx-usecs", "1000", "--budget", "256", "--ring", "1024",
                           "--delivery", deliveries[_i], NULL };
    json_object *j = run(trace, args, what);
    check_truth(j, trace, what);
    json_object *r = get(j, "result");
    ck_assert_msg(i64(r, "frames_dropped") == 0, "%s: %lld frames dropped", what,
                  (long long)i64(r, "frames_dropped"));
    json_object_put(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run_accounting");
    TCase *tc = tcase_create("counts");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, every_reader_woken_with_many_sockets_per_pass, 0, 3);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
