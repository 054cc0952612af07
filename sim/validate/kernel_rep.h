/* sim/validate/kernel_rep.h: one repetition recorded, before attribution:
 * perf.data over exactly the transfer, and the kernel's counters around it
 * (kernel_run.c then attributes the samples; the e2e test checks the
 * counters alone, so this half is usable and testable by itself).
 *
 *   perf record (disabled) ─ping/ack─▶ peers connected ─▶ counters before
 *   ─▶ perf enable/ack ─▶ t0, "go" ─▶ reader has every byte, t1
 *   ─▶ perf disable/ack ─▶ counters after ─▶ perf stops */
#ifndef RXSIM_VALIDATE_KERNEL_REP_H
#define RXSIM_VALIDATE_KERNEL_REP_H

#include <stddef.h>
#include <sys/types.h>

#include "sim/validate/kernel_counters.h"
#include "sim/validate/kernel_env.h"
#include "sim/validate/validate.h"

struct kernel_raw {
    struct val_counters c;          /* everything but the attribution */
    struct kernel_snap before, after;
    pid_t reader_pid, sender_pid;   /* to tell the peers' samples apart */
    char dir[400];                  /* keep_dir/<config>-<rep>, or the env's scratch */
    char perf_data[448];            /* dir/perf.data */
};

/* Records one repetition of c (c's settings must be in force).  0, or 1
 * with err naming the step that failed; nothing is left running. */
int kernel_rep_record(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                      struct kernel_raw *raw, char *err, size_t n);

#endif
