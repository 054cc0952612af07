/* tests/common/testenv.h: where tests find things, and how a suite skips.
 *
 * meson passes RXSIM_SHARED (the shared oracle traces), RXSIM_SOURCE_ROOT and
 * RXSIM_BIN (the built rxsim) in the environment; see tests/meson.build. */
#ifndef RXSIM_TESTS_TESTENV_H
#define RXSIM_TESTS_TESTENV_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Directory of the shared traces ($RXSIM_SHARED/traces), or NULL when absent. */
const char *testenv_shared_traces(void);
const char *testenv_source_root(void);
const char *testenv_rxsim_bin(void);

/* Path under the source root, in a static buffer of the caller's. */
void testenv_path(char *buf, size_t size, const char *relative);

/* For a TAP suite that cannot run here: prints "1..0 # SKIP reason" and exits 0,
 * which meson reports as skipped. */
_Noreturn void testenv_skip_suite(const char *reason);

/* Runs argv (argv[0] a path), stdout to out_path (or /dev/null when NULL),
 * stderr to err_path (or /dev/null); returns the exit status, or -1 if it died
 * from a signal. */
int testenv_run(char *const argv[], const char *out_path, const char *err_path);

/* Runs every test of s (Check, environment-configured output: TAP under
 * meson) and returns the process exit status: 0 when all passed. */
struct Suite;
int testenv_run_suite(struct Suite *s);

/* testenv_run() of the rxsim under test with args (NULL-terminated, at most 46). */
int testenv_rxsim(char *const *args, const char *out_path, const char *err_path);

/* Whole file into a malloc'd NUL-terminated buffer (NULL on failure). */
char *testenv_slurp(const char *path, size_t *len);

/* Makes a fresh temporary directory; returns its path (static per call site
 * buffer).  It is removed, with what it holds, when the process that made it
 * exits, unless RXSIM_KEEP_TEST_FILES is set. */
void testenv_mkdtemp(char *buf, size_t size);

#endif
