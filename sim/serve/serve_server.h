/* sim/serve/serve_server.h: rxsim serve's whole life once its options are
 * parsed: the work directory, the event loop and its signals, evhttp behind
 * the gate, the bound socket, the loop, and teardown.  sim/cli/cmd_serve.c
 * turns argv into a struct serve_config and calls serve_run(). */
#ifndef RXSIM_SERVE_SERVE_SERVER_H
#define RXSIM_SERVE_SERVE_SERVER_H

#include <stdint.h>

#include "sim/serve/serve.h"

struct serve_config {
    const char *listen;             /* --listen as given, for messages */
    const char *host;               /* its host, brackets removed */
    int port;                       /* its port; 0 picks a free one */
    const char *traces;             /* --traces DIR, or NULL */
    const char *workdir;            /* --workdir DIR, or NULL: a new one under $TMPDIR, removed at exit */
    const char *shipped_dir;        /* the traces rxsim ships */
    long ncpu;                      /* online CPUs (compare's --jobs is ncpu / max_jobs) */
    int max_jobs, max_queue;
    uint64_t max_upload;
    int max_conns, request_timeout;
    int nallow_hosts;
    const char *allow_hosts[SERVE_MAX_ALLOW_HOSTS];
};

/* Serves until SIGINT or SIGTERM.  Once listening, prints exactly one line
 * to stdout, flushed, for scripts and tests to read the port from:
 *     rxsim serve: listening on http://127.0.0.1:PORT/
 * Returns the exit status (sim/session/exit_codes.h): 0 stopped by a signal,
 * 2 an unusable --traces, 3 cannot listen or use the work directory, 1
 * internal error; what went wrong is on stderr. */
int serve_run(const struct serve_config *cfg);

#endif
