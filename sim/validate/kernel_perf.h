/* sim/validate/kernel_perf.h: `perf record` bracketing exactly a transfer.
 *
 *   perf record -q --no-bpf-event -e cpu-clock -a -g -c PERIOD -D -1
 *               --control fifo:CTL,ACK -o DATA
 *
 * starts with its events disabled (-D -1); "enable"/"disable" written to the
 * control fifo switch them, and perf answers "ack" on the ack fifo once done,
 * so the window opens before the first byte and closes after the last.
 * Readiness is a "ping" answered with "ack".  cpu-clock because this VM has
 * no hardware PMU (kernel_probe.c checks); -c is then in nanoseconds.
 * --no-bpf-event: without it perf 6.1 keeps a side-band thread that polls
 * with a 1 s timeout, and stopping takes 0.85 s instead of 0.09 s (measured);
 * the price is that samples in JITed BPF programs stay unnamed. */
#ifndef RXSIM_VALIDATE_KERNEL_PERF_H
#define RXSIM_VALIDATE_KERNEL_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel_perf {
    pid_t pid;
    int ctl, ack;               /* our ends of the fifos */
    char data[192], ctl_path[192], ack_path[192], log[192];
};

/* Starts perf writing dir/perf.data and waits (<= 10 s) until it answers a
 * ping.  0, or -1 with err (perf's own output included). */
int kernel_perf_start(struct kernel_perf *p, const char *dir, uint64_t period_ns, char *err, size_t n);

/* "enable" or "disable", waiting (<= timeout_ms) for perf's ack. */
int kernel_perf_cmd(struct kernel_perf *p, const char *cmd, int timeout_ms, char *err, size_t n);

/* SIGINT, then waits (<= 60 s) for perf to write its file and exit.
 * 0, or -1 with err.  Safe to call twice; kills if perf hangs. */
int kernel_perf_stop(struct kernel_perf *p, char *err, size_t n);


#endif
