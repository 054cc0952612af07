/* sim/options/progress.h: the progress line of long work (rxsim inspect, run,
 * compare, synth): how much is done of a known total, the percentage and
 * the time left at the rate so far.
 *
 * On a terminal (stderr a tty, no --progress): one line redrawn in place,
 *   "rxsim inspect: 41.7% of 3.6 GB, 138.2 MB/s, 0:15 left"
 * and erased at the end.  With --progress (or off a terminal when asked for):
 * one line each, at most one a second and always one at the end, in a
 * format for scripts (docs/user-guide.md, "Progress"):
 *   "rxsim inspect: progress done=1500000000 total=3600000000 unit=bytes percent=41.7 elapsed_s=10.9 eta_s=15.2"
 * total, percent and eta_s are "-" when the total is unknown (a pipe). */
#ifndef RXSIM_OPTIONS_PROGRESS_H
#define RXSIM_OPTIONS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    const char *cmd;            /* "rxsim inspect" */
    const char *unit;           /* "bytes" (shown as kB/MB/GB) or e.g. "runs" */
    bool on, lines;             /* drawn at all; one line each (else redrawn) */
    uint64_t total;             /* 0: unknown */
    double t0, last;            /* wall seconds: the start, the last line */
};

/* on: a line at all; lines: one line each (--progress) rather than redrawn. */
void progress_begin(struct progress *p, const char *cmd, const char *unit, uint64_t total, bool on,
                    bool lines);
/* done so far; draws at most every 0.2 s (terminal) or 1 s (lines). */
void progress_update(struct progress *p, uint64_t done);
/* The end: a terminal's line erased; the lines format's last line. */
void progress_end(struct progress *p, uint64_t done);

#endif
