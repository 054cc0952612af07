/* traces/trace_impl.h: the trace handle's insides, shared by trace.c (reading
 * through libpcap) and trace_feed.c (one reading shared by many handles).
 * Private to traces/: nothing outside this folder includes it. */
#ifndef RXSIM_TRACES_TRACE_IMPL_H
#define RXSIM_TRACES_TRACE_IMPL_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "traces/trace.h"

#define TRACE_WARN_SHOWN 10

enum trace_state { TRACE_READING, TRACE_EOF, TRACE_FAILED };

struct trace_feed;

struct trace {
    pcap_t *pcap;
    FILE *file;             /* owned by pcap once pcap is open */
    char *path;
    int dlt;
    uint32_t snaplen;
    bool nanosecond;
    bool pcapng;
    bool pcapng_swapped;    /* pcapng written in the other byte order */
    uint32_t pcap_rec_hdr;  /* pcap record header size (16, or 24 for Kuznetzov) */
    bool have_filter;
    struct bpf_program prog;
    enum trace_state state;
    uint64_t records;       /* read so far, before the filter */
    uint64_t warnings;
    int64_t last_ts_ns;
    uint64_t pos;           /* byte offset where the next record starts */
    bool pcap_ask;          /* pcap offsets from ftell(), arithmetic proved wrong */
    struct trace_err failure;   /* repeated by trace_next() once failed */
    uint64_t size;          /* the file's size (0: not a regular file) */
    struct trace_window win;    /* trace_set_window(); all 0: none */
    bool win_on, win_started;
    int64_t win_first_ns;   /* the first record's time */
    uint64_t win_taken, win_skipped;
    /* A handle reading through a feed (no pcap): its records come from the
     * feed's window; feed_pos is the next one's number there. */
    struct trace_feed *feed;
    uint64_t feed_pos;
    /* When set, the lines this handle would print on stderr (warnings, and the
     * count of them at close) go here instead: a feed's own reader keeps them
     * to repeat them on each of its handles' stderr.  warning: a per-record
     * warning (every one is passed on, shown or not). */
    void (*say)(void *ctx, const char *line, bool warning);
    void *say_ctx;
};

/* trace.c */
struct trace *trace_open_direct(const char *path, const char *name, const char *filter, struct trace_err *err);
void trace_say(struct trace *t, const char *line, bool warning);
void trace_put_lines(const char *lines);    /* to stderr, each line after trace_set_prefix()'s prefix */

/* Set by trace_feed.c while feeds are on (NULL otherwise): trace.c reaches
 * the feeds only through it, so the two files do not call each other. */
struct trace_feed_ops {
    struct trace *(*open)(const char *path, const char *name, const char *filter, struct trace_err *err);
    int (*next)(struct trace *t, struct trace_record *rec, struct trace_err *err);
    void (*leave)(struct trace *t);
};
extern const struct trace_feed_ops *trace_feed_ops;

#endif
