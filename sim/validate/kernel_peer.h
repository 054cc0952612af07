/* sim/validate/kernel_peer.h: the sender and the reader of one transfer,
 * forked children of rxsim (no external programs), each in its namespace
 * and pinned: sender on CPU 0 (VAL_SENDER_CPU), reader on CPU 1
 * (VAL_READER_CPU).
 *
 *   start:  reader listens; sender connects; reader accepts     (both ready)
 *   go:     sender writes `bytes` of a fixed pattern, closes
 *   wait:   reader reads to EOF with recv(msg_size), sampling FIONREAD
 *           before each call, and reports over a pipe
 *
 * Every wait is bounded; on any failure both children are killed and
 * reaped before the call returns. */
#ifndef RXSIM_VALIDATE_KERNEL_PEER_H
#define RXSIM_VALIDATE_KERNEL_PEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/validate/kernel_env.h"

/* What the reader measured (counted from the first recv after accept). */
struct kernel_reader_result {
    uint64_t bytes;             /* payload read */
    uint64_t recv_calls;        /* recv() calls that returned data */
    uint64_t rcvq_median;       /* FIONREAD before each recv (incl. the blocking ones) */
    uint64_t rcvq_max;
    uint64_t nvcsw, nivcsw;     /* getrusage(RUSAGE_SELF) deltas */
    double cpu_seconds;         /* utime + stime delta */
};

struct kernel_peers {
    pid_t reader, sender;
    int from_reader;            /* reader → parent: 'L' listening, 'A' accepted, then the result */
    int from_sender;            /* sender → parent: 'C' connected, 'D' done */
    int to_sender;              /* parent → sender: 'G' go */
    uint64_t bytes;
};

/* Forks both and returns when the connection is up and the sender waits
 * for go.  0, or -1 with err (and nothing left running). */
int kernel_peers_start(const struct kernel_env *e, const struct kernel_opts *o, uint64_t bytes,
                       struct kernel_peers *p, char *err, size_t n);

/* Tells the sender to send.  0 or -1 with err. */
int kernel_peers_go(struct kernel_peers *p, char *err, size_t n);

/* Waits at most timeout_ms for the reader's result, then reaps both.  Fails
 * (-1, err) on a timeout, a child's error, or bytes read != bytes sent. */
int kernel_peers_wait(struct kernel_peers *p, int timeout_ms, struct kernel_reader_result *r,
                      char *err, size_t n);

/* A busy loop at SCHED_IDLE pinned to cpu, named "rxv-idle" (kernel_opts.
 * keep_awake): it runs only when nothing else wants the CPU, so the vCPU
 * never halts.  The pid, or -1 with err; stop it with kernel_spin_stop. */
pid_t kernel_spin_start(int cpu, char *err, size_t n);
void kernel_spin_stop(pid_t pid);

/* Kills and reaps whatever is still running; safe on a zeroed struct. */
void kernel_peers_kill(struct kernel_peers *p);

#endif
