/* tests/common/serve_proc.h: starting and stopping `rxsim serve` for the
 * HTTP tests: on a free loopback port (--listen 127.0.0.1:0), the port read
 * from its one stdout line. */
#ifndef RXSIM_TESTS_SERVE_PROC_H
#define RXSIM_TESTS_SERVE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct serve_proc {
    pid_t pid;
    int port;
    char workdir[1024], traces[1024], log[1100];
};

/* Starts rxsim serve with the extra args (NULL-terminated, may be NULL) and a
 * fresh work dir and traces dir (made here; traces_dir may be pre-filled by
 * the caller when traces[0] != 0).  0, or -1 with the reason on stderr. */
int serve_proc_start(struct serve_proc *sp, const char *const *extra);
/* SIGTERM, then waits (at most 20 s, then SIGKILL); returns the exit status,
 * or -1 when it died from a signal or had to be killed. */
int serve_proc_stop(struct serve_proc *sp);
/* VmRSS of the server in KiB (from /proc/PID/status), or -1. */
long serve_proc_rss_kib(const struct serve_proc *sp);
/* VmHWM (peak VmRSS) of the server in KiB, or -1. */
long serve_proc_hwm_kib(const struct serve_proc *sp);
/* Children of the server (pids) into out, at most max; returns the count. */
size_t serve_proc_children(const struct serve_proc *sp, pid_t *out, size_t max);
/* Live processes (zombies do not count) of process group pgid, the first max
 * of them into out (NULL: only counted); returns the count.  A worker of the
 * server leads a group, and a compare's own workers are in it. */
size_t serve_proc_group_alive(pid_t pgid, pid_t *out, size_t max);
/* Whether pid is a live process (a zombie is not). */
bool serve_proc_pid_alive(pid_t pid);

#endif
