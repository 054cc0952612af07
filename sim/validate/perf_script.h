/* sim/validate/perf_script.h: `perf script` text → one sample at a time
 * (comm, pid, tid, CPU, call chain leaf first), for attrib.c.
 *
 * The text is what PERF_SCRIPT_FIELDS prints (perf 6.1):
 *
 *   reader 4242/4242 [001] cpu-clock:
 *   \tffffffff81a2b3c4 _copy_to_iter
 *   \tffffffff81a2c000 skb_copy_datagram_iter
 *   \t          11e2f0 __libc_recv
 *   (blank line)
 *
 * A sample is a header line (comm may contain spaces: it is read from the
 * right, "pid/tid [cpu] event:") and one frame line per call-chain entry,
 * "ip symbol", tab-indented.  Kernel frames have kernel addresses
 * (>= 0xffff800000000000); perf prints user frames as map-relative offsets,
 * so an address below that is user space.  Unresolved symbols are
 * "[unknown]". */
#ifndef RXSIM_VALIDATE_PERF_SCRIPT_H
#define RXSIM_VALIDATE_PERF_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The fields the parser reads: attrib_perf_data() runs
 *   perf script -f -i FILE -F comm,pid,tid,cpu,event,ip,sym --no-demangle --no-inline
 * (no demangling: C++ names of other processes stay short; no inline
 * expansion: addr2line per frame would take minutes). */
#define PERF_SCRIPT_FIELDS "comm,pid,tid,cpu,event,ip,sym"

#define PERF_SCRIPT_MAX_FRAMES 128      /* perf's default max stack is 127 */
#define PERF_SCRIPT_SYM_LEN 96

struct perf_frame {
    bool kernel;                        /* a kernel address */
    char sym[PERF_SCRIPT_SYM_LEN];      /* truncated if longer; "[unknown]" if perf had none */
};

struct perf_sample {
    char comm[32];
    int pid, tid, cpu;
    long line;                          /* the header's line number (1-based) */
    int nframes;                        /* frames kept; deeper ones are dropped (root side) */
    struct perf_frame frame[PERF_SCRIPT_MAX_FRAMES];   /* [0] is the leaf */
};

struct perf_script {
    FILE *f;
    const char *name;                   /* for errors */
    long line;                          /* lines read so far */
    char buf[1024];
    bool pending;                       /* buf holds a header not yet consumed */
};

void perf_script_open(struct perf_script *ps, FILE *f, const char *name_for_errors);

/* The next sample: 1, 0 at the end of the text, or -1 with err naming the
 * file, the line and the reason (a frame before any header, a line that is
 * neither, a header with no frames: truncated). */
int perf_script_next(struct perf_script *ps, struct perf_sample *s, char *err, size_t errlen);

#endif
