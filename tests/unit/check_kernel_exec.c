/* tests/unit/check_kernel_exec.c: sim/validate/kernel_exec.c without a
 * namespace (ns NULL), so no root: output captured, exit status passed
 * through, a program that does not exist or does not finish reported as
 * such, and nothing left running after a timeout. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/validate/kernel_exec.h"
#include "tests/common/testenv.h"

static char out[256], err[512];

START_TEST(output_and_status)
{
    char *echo[] = { "echo", "hello", NULL };
    ck_assert_int_eq(kernel_exec(NULL, echo, out, sizeof out, 5000, err, sizeof err), 0);
    ck_assert_str_eq(out, "hello\n");
    char *three[] = { "sh", "-c", "echo oops >&2; exit 3", NULL };
    ck_assert_int_eq(kernel_exec(NULL, three, out, sizeof out, 5000, err, sizeof err), 3);
    ck_assert_str_eq(out, "oops\n");   /* stderr is captured too */
    /* 255 is an exit status (`ip` uses it), not a signal; a signal is one. */
    char *e255[] = { "sh", "-c", "exit 255", NULL };
    ck_assert_int_eq(kernel_exec(NULL, e255, out, sizeof out, 5000, err, sizeof err), 255);
    char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
    ck_assert_int_eq(kernel_exec(NULL, killed, out, sizeof out, 5000, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "killed by signal 9"), "%s", err);
    /* Output longer than the buffer is truncated, not overrun. */
    char small[4];
    char *many[] = { "echo", "0123456789", NULL };
    ck_assert_int_eq(kernel_exec(NULL, many, small, sizeof small, 5000, err, sizeof err), 0);
    ck_assert_str_eq(small, "012");
}
END_TEST

START_TEST(missing_program)
{
    char *argv[] = { "rxsim-no-such-program", NULL };
    ck_assert_int_eq(kernel_exec(NULL, argv, out, sizeof out, 5000, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "could not start") && strstr(err, "No such file"), "%s", err);
}
END_TEST

START_TEST(timeout_kills_and_reaps)
{
    char *argv[] = { "sleep", "5", NULL };
    long long t0 = kernel_now_ms();
    ck_assert_int_eq(kernel_exec(NULL, argv, out, sizeof out, 200, err, sizeof err), -1);
    long long took = kernel_now_ms() - t0;
    ck_assert_msg(strstr(err, "did not finish within 200 ms"), "%s", err);
    ck_assert_msg(took < 2000, "took %lld ms", took);
    ck_assert_msg(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child is left");
}
END_TEST

START_TEST(spawn_and_reap)
{
    char path[] = "/tmp/rxsim-check-exec.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char *argv[] = { "sh", "-c", "echo to-out; echo to-err >&2; exit 5", NULL };
    pid_t pid = kernel_spawn(NULL, argv, path, NULL, err, sizeof err);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(kernel_reap(pid, 5000, err, sizeof err), 5);
    size_t len;
    char *text = testenv_slurp(path, &len);
    ck_assert_msg(text && strstr(text, "to-out") && strstr(text, "to-err"), "%s", text ? text : "(none)");
    free(text);
    char *forever[] = { "sleep", "5", NULL };
    pid = kernel_spawn(NULL, forever, path, NULL, err, sizeof err);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(kernel_reap(pid, 100, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "killed"), "%s", err);
    ck_assert_msg(kill(pid, 0) == -1 && errno == ESRCH, "pid %d still there", (int)pid);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kernel_exec");
    TCase *tc = tcase_create("exec");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, output_and_status);
    tcase_add_test(tc, missing_program);
    tcase_add_test(tc, timeout_kills_and_reaps);
    tcase_add_test(tc, spawn_and_reap);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
