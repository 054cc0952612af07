/* tests/e2e/check_realtime.c: rxsim run --realtime[=SPEED].
 *
 *  - Pacing changes only when events run: the JSON report is byte-identical
 *    to the same run without --realtime.
 *  - It really paces: the wall time is at least simulated time / SPEED (less
 *    10 %), and not absurdly more.
 *  - stderr carries live counter lines (frames, interrupts, ...).
 *  - A bad SPEED is a usage error (exit 2).
 *  - SIGINT part-way stops the replay and still prints a (partial) report,
 *    exit 0.
 * Uses traces/data/bulk-v4-256k.pcap (≈3.3 ms simulated), shipped with rxsim;
 * SPEED keeps the paced run to ≈1.7 s of wall time (also under ASan). */
#include <check.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/testenv.h"

#define SPEED "0.002"           /* ≈3.3 ms simulated → ≈1.65 s of wall time */

static char trace[4096];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* rxsim run --json --no-progress [extra] TRACE; stdout and stderr into
 * malloc'd strings; returns the exit status and the wall time in *wall. */
static int run(const char *extra, char **out, char **err, double *wall)
{
    char tmp[4096], o[4200], e[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(o, sizeof o, "%s/out.json", tmp);
    snprintf(e, sizeof e, "%s/err.txt", tmp);
    char *argv[8];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    argv[n++] = "run";
    argv[n++] = "--json";
    argv[n++] = "--no-progress";
    if (extra)
        argv[n++] = (char *)extra;
    argv[n++] = trace;
    argv[n] = NULL;
    double t0 = now_s();
    int rc = testenv_run(argv, o, e);
    if (wall)
        *wall = now_s() - t0;
    *out = testenv_slurp(o, NULL);
    *err = testenv_slurp(e, NULL);
    ck_assert(*out && *err);
    remove(o);
    remove(e);
    rmdir(tmp);
    return rc;
}

static double elapsed_s(const char *report)
{
    json_object *j = json_tokener_parse(report), *r = NULL, *v = NULL;
    ck_assert_msg(j != NULL, "report is not JSON: %.200s", report);
    ck_assert(json_object_object_get_ex(j, "result", &r));
    ck_assert(json_object_object_get_ex(r, "elapsed_s", &v));
    double s = json_object_get_double(v);
    json_object_put(j);
    return s;
}

START_TEST(paced_and_identical)
{
    char *plain, *plain_err, *rt, *rt_err;
    double wall;
    ck_assert_int_eq(run(NULL, &plain, &plain_err, NULL), 0);
    int rc = run("--realtime=" SPEED, &rt, &rt_err, &wall);
    ck_assert_msg(rc == 0, "--realtime: exit %d: %s", rc, rt_err);

    /* (a) same report, byte for byte */
    ck_assert_msg(strcmp(plain, rt) == 0, "--realtime changed the report");

    /* (b) it paced: ≥ 90 % of simulated / SPEED, and not absurdly longer */
    double sim = elapsed_s(rt), want = sim / atof(SPEED);
    ck_assert_msg(sim > 0.001, "simulated time %g s: trace too short for this test", sim);
    ck_assert_msg(wall >= want * 0.9, "wall %.3f s < 0.9 x %.3f s: not paced", wall, want);
    ck_assert_msg(wall <= want * 3 + 2, "wall %.3f s for %.3f s of paced replay", wall, want);

    /* (c) live counters on stderr, at least the 1 s one and the final one */
    ck_assert_msg(strstr(rt_err, "frames") && strstr(rt_err, "interrupts") &&
                  strstr(rt_err, "frames/interrupt") && strstr(rt_err, "goodput") &&
                  strstr(rt_err, "drops"), "no live counter line: %s", rt_err);
    int lines = 0;
    for (const char *p = rt_err; (p = strstr(p, " interrupts, ")); p++)
        lines++;
    ck_assert_msg(lines >= 2, "want a line per wall second and a final one: %s", rt_err);

    /* without --realtime: no live lines */
    ck_assert_ptr_null(strstr(plain_err, "frames/interrupt"));
    free(plain), free(plain_err), free(rt), free(rt_err);
}
END_TEST

/* (d) */
static const char *const bad[] = { "--realtime=0", "--realtime=-1", "--realtime=abc", "--realtime=",
                                   "--realtime=2e6", "--realtime=nan", "--realtime=1x" };

START_TEST(bad_speed_is_usage_error)
{
    char *out, *err;
    int rc = run(bad[_i], &out, &err, NULL);
    ck_assert_msg(rc == 2, "%s: exit %d, want 2", bad[_i], rc);
    ck_assert_msg(strstr(err, "--realtime"), "%s: message does not name the option: %s", bad[_i], err);
    free(out), free(err);
}
END_TEST

START_TEST(default_speed_and_fast)
{
    char *plain, *e0, *out, *err;
    ck_assert_int_eq(run(NULL, &plain, &e0, NULL), 0);
    const char *speeds[] = { "--realtime", "--realtime=1e6" };
    for (size_t i = 0; i < ARRAY_LEN(speeds); i++) {
        double wall;
        int rc = run(speeds[i], &out, &err, &wall);
        ck_assert_msg(rc == 0, "%s: exit %d: %s", speeds[i], rc, err);
        ck_assert_msg(strcmp(plain, out) == 0, "%s changed the report", speeds[i]);
        ck_assert_msg(wall < 5, "%s: %.3f s for 3 ms of trace", speeds[i], wall);
        free(out), free(err);
    }
    free(plain), free(e0);
}
END_TEST

/* Ctrl-C part-way: the loop stops, the report of what ran is printed, exit 0. */
START_TEST(sigint_reports_what_ran)
{
    char tmp[4096], o[4200], e[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(o, sizeof o, "%s/out.json", tmp);
    snprintf(e, sizeof e, "%s/err.txt", tmp);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        signal(SIGINT, SIG_DFL);
        execl(testenv_rxsim_bin(), testenv_rxsim_bin(), "run", "--json", "--realtime=0.001", trace,
              (char *)NULL);
        _exit(127);
    }
    usleep(1200 * 1000);        /* ≈1.2 ms of the ≈3.3 ms replayed */
    kill(pid, SIGINT);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    char *out = testenv_slurp(o, NULL), *err = testenv_slurp(e, NULL);
    ck_assert(out && err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x: %s", status, err);
    ck_assert_msg(strstr(err, "interrupted"), "no interruption note: %s", err);
    double sim = elapsed_s(out);
    ck_assert_msg(sim > 0 && sim < 0.0030, "simulated %g s: the replay was not cut short", sim);
    free(out), free(err);
    remove(o);
    remove(e);
    rmdir(tmp);
}
END_TEST

int main(void)
{
    testenv_path(trace, sizeof trace, "traces/data/bulk-v4-256k.pcap");
    if (access(trace, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-256k.pcap missing");
    Suite *s = suite_create("realtime");
    TCase *tc = tcase_create("realtime");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, paced_and_identical);
    tcase_add_loop_test(tc, bad_speed_is_usage_error, 0, (int)ARRAY_LEN(bad));
    tcase_add_test(tc, default_speed_and_fast);
    tcase_add_test(tc, sigint_reports_what_ran);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
