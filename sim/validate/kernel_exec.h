/* sim/validate/kernel_exec.h: running things inside a network namespace,
 * with fixed argv (never a shell string) and bounded waits.  A child that
 * enters a namespace also gets a private mount namespace with /sys
 * remounted, as `ip netns exec` does, so /sys/class/net shows that
 * namespace's devices (needed for rps_cpus, and by ethtool and tcpdump). */
#ifndef RXSIM_VALIDATE_KERNEL_EXEC_H
#define RXSIM_VALIDATE_KERNEL_EXEC_H

#include <stddef.h>
#include <sys/types.h>

/* setns(CLONE_NEWNET) into /run/netns/ns.  0, or -1 with err. */
int kernel_ns_enter(const char *ns, char *err, size_t n);

/* In a forked child: enter ns (NULL: stay) with /sys remounted, then exec
 * argv (argv[0] looked up on PATH); stdout and stderr captured into
 * out[outn] (NUL-terminated, truncated).  Waits at most timeout_ms, then
 * kills and reaps it.  Returns the exit status 0..255, or -1 with err (could
 * not start, timed out, killed by a signal; err includes the output's start). */
int kernel_exec(const char *ns, char *const argv[], char *out, size_t outn, int timeout_ms,
                char *err, size_t n);

/* Starts argv in ns (NULL: ours) without waiting; stdout goes to out_path,
 * stderr to err_path, or to out_path too when err_path is NULL (files
 * created, truncated).  Returns the pid, or -1 with err. */
pid_t kernel_spawn(const char *ns, char *const argv[], const char *out_path, const char *err_path, char *err,
                   size_t n);

/* Waits for pid at most timeout_ms; kills it (SIGKILL) and reaps if it is
 * still there.  Returns its exit status (0..255), KERNEL_SIGNALLED + the
 * signal if a signal ended it (not 128+: `ip` exits 255), or -1 if it had to be
 * killed (err says so). */
int kernel_reap(pid_t pid, int timeout_ms, char *err, size_t n);

/* Reads/writes a sysfs (or /proc/sys) file as seen from inside ns. */
int kernel_ns_read(const char *ns, const char *path, char *buf, size_t cap, char *err, size_t n);
int kernel_ns_write(const char *ns, const char *path, const char *text, char *err, size_t n);

#define KERNEL_SIGNALLED 256

/* Milliseconds on CLOCK_MONOTONIC. */
long long kernel_now_ms(void);

#endif
