/* sim/validate/kernel_run.h: one measured repetition on the real kernel.
 *
 * Order (kernel_run.c): perf record starts system-wide with its events
 * disabled (-D -1) and a control fifo; the reader and sender start in their
 * namespaces, connect, and stop; the counters are read; perf is enabled and
 * its ack awaited; the sender is told "go"; when the reader has every byte,
 * perf is disabled (ack awaited) and the counters are read again.  So the
 * profile and the counters bracket exactly the transfer.  Then perf stops and
 * attrib.c attributes the samples. */
#ifndef RXSIM_VALIDATE_KERNEL_RUN_H
#define RXSIM_VALIDATE_KERNEL_RUN_H

#include <stddef.h>

#include "sim/validate/kernel_env.h"
#include "sim/validate/validate.h"

/* Measures one repetition of c (c's settings must be in force: call
 * kernel_env_set() first; a mismatch is an error, not a silent re-set).
 * Fills *out: counters, attribution, sample period, TSC GHz.  0, or 1 with
 * err saying which step failed (perf did not start, the transfer timed out
 * after o->timeout_s, bytes read != bytes sent, ...).  Nothing is left
 * running on return. */
int kernel_measure(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   struct val_rep *out, char *err, size_t n);

#endif
