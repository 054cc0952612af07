/* traces/trace.h: reading capture files (pcap, pcapng) through libpcap.
 *
 * A trace hands out one record at a time; the record's bytes stay valid only
 * until the next trace_next() call (they live in libpcap's buffer), so memory
 * does not grow with the trace's length.  Timestamps are nanoseconds whatever
 * the file's resolution (libpcap is opened with PCAP_TSTAMP_PRECISION_NANO).
 *
 * Errors name the file, the record number (1-based) and the byte offset in
 * the file where the bad record starts, and say how much was read before it.
 */
#ifndef RXSIM_TRACES_TRACE_H
#define RXSIM_TRACES_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct trace;

struct trace_err {
    char msg[768];      /* "FILE: record N at byte offset B: reason (M records read)" */
    bool bad_filter;    /* the caller's --filter did not compile: a usage error, not the file's */
};

struct trace_record {
    uint64_t index;             /* 1-based record number in the file (before --filter) */
    uint64_t offset;            /* byte offset of the record's header in the file */
    int64_t ts_ns;              /* capture time, ns since the epoch */
    uint32_t caplen;            /* bytes captured: data[0..caplen) is readable */
    uint32_t wirelen;           /* bytes on the wire (>= caplen in a sane file) */
    const uint8_t *data;
};

/* Opens path and, when filter is non-NULL and non-empty, compiles it as a BPF
 * expression (tcpdump syntax) against the file's link type.  NULL on error
 * with err filled: unreadable file, not a capture file, unsupported link type
 * (see traces/linktype.h), bad filter. */
struct trace *trace_open(const char *path, const char *filter, struct trace_err *err);

/* The same, with path "-" meaning standard input, and name the trace's name
 * in every message and in trace_path() (a spooled copy of standard input is
 * still "-").  A pipe is read as it comes: once, with no offsets checked. */
struct trace *trace_open_as(const char *path, const char *name, const char *filter,
                            struct trace_err *err);

/* Next record that passes the filter: 1 and rec filled; 0 at a clean end of
 * file; -1 when the file is corrupt or truncated mid-record, with err filled
 * (a "partial trace": what was returned before stays valid). */
int trace_next(struct trace *t, struct trace_record *rec, struct trace_err *err);

/* A window on what trace_next() hands out (tcpdump's -c, editcap's -A/-B in
 * trace time): records before start_ns after the first record's time are
 * skipped, the trace ends (0) at the first record duration_ns or more after
 * start (0: no end), or once count records have been handed out (0: no
 * limit).  Times are relative to the first record trace_next() reads (after
 * the filter).  Set before the first trace_next(); a handle on a shared feed
 * leaves the feed where its window ends, so the others go on without it. */
struct trace_window {
    uint64_t count;
    int64_t start_ns, duration_ns;
};
void trace_set_window(struct trace *t, const struct trace_window *w);
/* Records the window skipped before its start, so far. */
uint64_t trace_window_skipped(const struct trace *t);

/* For progress: the file's size in bytes (0: unknown, a pipe) and the byte
 * offset where the next record starts (both 0 for a handle on a feed). */
uint64_t trace_file_size(const struct trace *t);
uint64_t trace_file_pos(const struct trace *t);

int trace_linktype(const struct trace *t);      /* DLT_* value from libpcap */
const char *trace_path(const struct trace *t);
bool trace_nanosecond(const struct trace *t);   /* file stores ns timestamps */
const char *trace_format(const struct trace *t); /* "pcap" or "pcapng" */
uint32_t trace_snaplen(const struct trace *t);
uint64_t trace_records_read(const struct trace *t); /* before the filter */
/* Records warned about so far (captured length above the wire length or the
 * snaplen, time going backwards); stderr shows only the first few. */
uint64_t trace_warnings(const struct trace *t);

void trace_close(struct trace *t);               /* NULL is a no-op */

/* What the lines this layer prints on stderr (warnings) start with, e.g.
 * "rxsim run" for "rxsim run: FILE: record N ...: warning: ..."; NULL: none.
 * The string must outlive the traces (the command's name). */
void trace_set_prefix(const char *prefix);

#endif
