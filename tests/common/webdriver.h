/* tests/common/webdriver.h: a small W3C WebDriver client for browser tests.
 *
 * Drives Debian's chromium through chromedriver, both started here and
 * spoken to over HTTP/1.1 on 127.0.0.1 (one connection per command).
 *
 *     struct wd wd;
 *     char err[512];
 *     int rc = wd_start(&wd, err, sizeof err);
 *     if (rc == WD_ENOBROWSER) testenv_skip_suite(err);
 *     ck_assert_msg(rc == 0, "%s", err);
 *     ck_assert_msg(wd_get(&wd, "http://127.0.0.1:8080/") == 0, "%s", wd.err);
 *     char *state = wd_wait_text(&wd, "#job-state", "done|failed", 60000);
 *     ck_assert_msg(state && strcmp(state, "done") == 0, "%s", state ? state : wd.err);
 *     free(state);
 *     wd_stop(&wd);
 *
 * Errors: functions returning int give 0, or -1 with wd->err filled; those
 * returning char * give a malloc'd string the caller frees, or NULL with
 * wd->err filled.  wd->err names the command and carries the WebDriver error
 * ("POST /element: no such element: Unable to locate element: ...");
 * wd->code holds the bare WebDriver error code ("no such element", "" for a
 * transport failure).
 *
 * Processes: wd_start() forks a keeper process that is the parent of
 * chromedriver and, being a child subreaper, of every process chromium
 * leaves behind (crashpad handlers double-fork).  The keeper kills and reaps
 * all of them, then deletes the temporary profile, when wd_stop() asks it to
 * or when the last process holding this struct's control socket exits, for
 * any reason (failed ck_assert, crash, SIGKILL).  A struct wd may be shared
 * with Check's forked test processes: each talks to the same browser.
 *
 * Every command is bounded by wd->timeout_ms (default 30 s) of wall time;
 * a reply larger than 64 MiB is an error.  Not thread-safe: one struct wd
 * per thread. */
#ifndef RXSIM_TESTS_WEBDRIVER_H
#define RXSIM_TESTS_WEBDRIVER_H

#include <stddef.h>
#include <sys/types.h>

/* wd_start()'s return when chromium or chromedriver is not installed. */
#define WD_ENOBROWSER (-2)

struct wd {
    char session[128];      /* WebDriver session id; "" when none */
    int port;               /* chromedriver's loopback port */
    int timeout_ms;         /* budget of one command; callers may change it */
    pid_t keeper;           /* our child: subreaper parent of chromedriver */
    pid_t driver;           /* chromedriver, the keeper's child */
    int ctl;                /* socketpair end: 'q' asks the keeper to stop; EOF = keeper gone */
    char tmpdir[256];       /* profile, HOME and chromedriver.log; the keeper deletes it */
    char code[64];          /* WebDriver error code of the last failure */
    char err[1024];         /* message of the last failure */
};

/* An element reference, valid until its page is left or the node removed. */
struct wd_el {
    char id[128];
};

/* Paths of chromedriver ($RXSIM_CHROMEDRIVER, else PATH, else
 * /usr/bin/chromedriver) and chromium ($RXSIM_CHROMIUM, else /usr/bin/chromium).
 * 0 when both are executable, else WD_ENOBROWSER with why filled. */
int wd_available(char *why, size_t size);

/* Starts chromedriver on a free loopback port (--port=0, read back from its
 * log), waits for /status ready, and opens a session of headless chromium,
 * 1280x1000, with a fresh profile.  Returns 0; WD_ENOBROWSER when either
 * program is missing; -1 on any other failure (err names it and quotes the
 * end of chromedriver's log).  Nothing is left running after a failure.
 * Takes about 1 s. */
int wd_start(struct wd *wd, char *err, size_t size);

/* Deletes the session, stops chromedriver and every chromium process, waits
 * until they are all reaped (at most about 15 s), and deletes the profile.
 * Safe on a struct whose start failed, and safe twice.  In a process that
 * is not the keeper's parent (a Check fork) it still waits for all of them
 * to be gone; the parent's own wd_stop() later only reaps the keeper. */
void wd_stop(struct wd *wd);

/* Navigates and waits for the page load (the session's pageLoad timeout is
 * 20 s). */
int wd_get(struct wd *wd, const char *url);

/* First element matching a CSS selector, now: -1 with wd->code
 * "no such element" when there is none. */
int wd_find(struct wd *wd, const char *css, struct wd_el *el);
/* The same, below parent. */
int wd_find_in(struct wd *wd, const struct wd_el *parent, const char *css, struct wd_el *el);
/* Polls wd_find() every 50 ms until it succeeds or timeout_ms passes. */
int wd_wait_for(struct wd *wd, const char *css, int timeout_ms, struct wd_el *el);
/* Number of elements matching css (0 is not an error); -1 on error. */
int wd_count(struct wd *wd, const char *css);

/* Polls the rendered text of the first css match until it equals one of the
 * '|'-separated alternatives of one_of ("done|failed"), and returns it; the
 * element may appear, vanish or be replaced meanwhile.  On timeout, NULL with
 * the last text seen in wd->err. */
char *wd_wait_text(struct wd *wd, const char *css, const char *one_of, int timeout_ms);

/* Scrolls into view and clicks (WebDriver: fails if covered or disabled). */
int wd_click(struct wd *wd, const struct wd_el *el);
/* Types text into el.  For <input type=file>, text is an absolute path
 * (several: separated by '\n'). */
int wd_send_keys(struct wd *wd, const struct wd_el *el, const char *text);
/* Clicks the <option value="value"> of the <select> matching select_css, then
 * checks that the select's value became value. */
int wd_select_option(struct wd *wd, const char *select_css, const char *value);

/* Rendered (visible, whitespace-normalised) text. */
char *wd_text(struct wd *wd, const struct wd_el *el);
/* Attribute as the page has it; NULL with wd->code "no such attribute" when
 * absent (a WebDriver null; this code is ours, not the W3C's). */
char *wd_attr(struct wd *wd, const struct wd_el *el, const char *name);
/* DOM property as a string: "true"/"false" for checked, the current value of
 * an input or select, JSON text for other non-strings. */
char *wd_prop(struct wd *wd, const struct wd_el *el, const char *name);

/* Runs script as a function body (use "return ..."), synchronously, and gives
 * its result: a string as is, anything else as JSON text ("null" for null or
 * undefined, "3", "true", "[1,2]").  A thrown exception fails with wd->code
 * "javascript error" and its message in wd->err. */
char *wd_exec_js(struct wd *wd, const char *script);

char *wd_title(struct wd *wd);
char *wd_current_url(struct wd *wd);

/* Writes a PNG of the viewport to path. */
int wd_screenshot(struct wd *wd, const char *path);

#endif
