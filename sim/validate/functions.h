/* sim/validate/functions.h: `rxsim validate --functions DIR`: the kernel's
 * receive side, leaf function by leaf function, beside each other for every
 * configuration a `validate --keep-perf --out DIR` run kept.
 *
 * DIR/perf/CONFIG-NNN/ holds one repetition: perf.script (perf script text,
 * perf_script.h's fields) and counters.txt (the repetition's counters, as
 * kernel_run.c writes them: "segs_in N", "sample_period_ns N", "tsc_ghz X").
 * Every sample is attributed as validate does (attrib.c); those of the
 * receive side, or shared between it and the ACKs (the stack below TCP),
 * count for their leaf function (the innermost frame).  A repetition's
 * samples become cycles (samples x sample period x TSC GHz) and a
 * configuration's cycles are divided by its repetitions' segments in: the
 * table is cycles per segment, per leaf function and configuration, the
 * functions that differ most across the configurations first.  The sender
 * and reader are told apart by their comm (rxv-sender, rxv-reader, as
 * kernel_peer.c names them); a script without both is refused. */
#ifndef RXSIM_VALIDATE_FUNCTIONS_H
#define RXSIM_VALIDATE_FUNCTIONS_H

#include <stddef.h>
#include <stdio.h>

/* Prints the table for DIR to out, the top `top` functions (and the totals
 * over every function).  0, or -1 with err naming the file and the reason
 * (no DIR/perf, no repetition in it, an unreadable perf.script, one
 * without samples or without the sender's and reader's, counters.txt
 * without segs_in / sample_period_ns / tsc_ghz). */
int val_functions(const char *dir, int top, FILE *out, char *err, size_t errlen);

#endif
