/* sim/validate/kernel_run.h: one measured repetition on the real kernel:
 * kernel_rep.h records it (perf record bracketing exactly the transfer,
 * the kernel's counters before and after, the reader's own figures), then
 * attrib.c attributes the samples and the shared receive-stack samples are
 * split between data and ACK skbs (attrib_split_shared with skbs and
 * segs_out), so val_rep.a comes back split. */
#ifndef RXSIM_VALIDATE_KERNEL_RUN_H
#define RXSIM_VALIDATE_KERNEL_RUN_H

#include <stddef.h>

#include "sim/validate/kernel_env.h"
#include "sim/validate/validate.h"

/* Measures one repetition of c (c's settings must be in force: call
 * kernel_env_set() first; a mismatch is an error, not a silent re-set).
 * Fills *out: counters, attribution, sample period, TSC GHz (kernel log,
 * else cpuinfo's model name, else rdtsc measured over 100 ms).  0, or 1 with
 * err saying which step failed (perf did not start, the transfer timed out
 * after o->timeout_s, bytes read != bytes sent, ...).  Nothing is left
 * running on return. */
int kernel_measure(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   struct val_rep *out, char *err, size_t n);

#endif
