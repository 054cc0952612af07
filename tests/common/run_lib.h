/* tests/common/run_lib.h: `rxsim run ARGS...` in the test's own process,
 * through the library (sim/options/ parse, sim/session/ run), the report
 * into memory.  For tests that read only the report: no fork/exec, no
 * temporary files.  What is about the process (exit status as the shell
 * sees it, stderr, argv handling, crashes) keeps spawning the binary
 * (testenv_rxsim). */
#ifndef RXSIM_TESTS_RUN_LIB_H
#define RXSIM_TESTS_RUN_LIB_H

/* args: "run" then the options and traces, NULL-terminated (as
 * testenv_rxsim takes them).  Returns the exit status rxsim run would
 * give; *report is the report (malloc'd, NUL-terminated; "" when none).
 * Messages go to this process's stderr, where meson's log keeps them. */
int testenv_run_lib(char *const *args, char **report);

/* `rxsim run --json --no-progress FIXED... ARGS... TRACE` through
 * testenv_run_lib, the report parsed; the test fails (naming `what`) when
 * the run exits non-zero or prints no JSON.  fixed and args are
 * NULL-terminated (either may be NULL); raw, when not NULL, gets the report
 * text (malloc'd).  The e2e suites' one way to run and read a report. */
struct json_object;
struct json_object *testenv_run_json(const char *const *fixed, const char *const *args, const char *trace,
                                     const char *what, char **raw);

/* The same without the assertions, for runs that may fail: the exit status
 * in *rc, the parsed report or NULL.  trace may be NULL (a closed-loop run
 * without one, or traces among args). */
struct json_object *testenv_run_report(const char *const *fixed, const char *const *args, const char *trace, int *rc,
                                       char **raw);

#endif
