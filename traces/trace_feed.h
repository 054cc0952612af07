/* traces/trace_feed.h: one reading of a trace shared by many handles in one
 * process (rxsim compare's rows, sim/compare/compare_group.c).
 *
 * Once trace_feeds_start() has been called, trace_open_as() of a (path, name,
 * filter) gives a handle on that trace's feed: the first open reads the file
 * through libpcap, every handle takes the same records from a window of
 * copies, and each handle behaves as if it had read the file itself: the same
 * records, counts, warnings on stderr (repeated from the one reading, each
 * handle showing its own first few and its own "in all" line), the same end
 * or error.  A record leaves the window when every open handle is past it
 * (trace_feeds_release(), called between the readers' turns).
 *
 * A pass over the whole trace before the replay (the host guess) would pull
 * the whole file into the window; instead its answer is computed once on a
 * private handle and remembered per (path, name, filter) for the life of the
 * process, and of processes forked after (trace_feed_private/remember/
 * recall), with the lines that pass printed, so each asker prints them too.
 *
 * Not thread-safe: one reader at a time (compare's rows take turns). */
#ifndef RXSIM_TRACES_TRACE_FEED_H
#define RXSIM_TRACES_TRACE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "traces/trace.h"

struct trace_feed_hooks {
    /* optional: a handle has just taken record number pos (0-based) of its
     * feed; the caller may pause here (another handle reads meanwhile). */
    void (*took)(void *ctx, struct trace *t, uint64_t pos);
    void *ctx;
};

/* From now on trace_open_as() opens through feeds. */
void trace_feeds_start(const struct trace_feed_hooks *hooks);
/* Frees what every open handle has passed. */
void trace_feeds_release(void);
/* Bytes of record copies held in all windows. */
size_t trace_feeds_held(void);
/* Frees every feed (their handles must be closed) and returns to plain opens. */
void trace_feeds_stop(void);

/* The number of the record t takes next, in its feed; 0 for a plain handle. */
uint64_t trace_feed_pos(const struct trace *t);

/* For a handle on a feed whose whole-trace answer of this size is known:
 * prints the lines the pass printed, copies the answer to out, true. */
bool trace_feed_recall(struct trace *t, void *out, size_t size);
/* For a handle on a feed: a plain handle on the same file for the pass, its
 * stderr lines kept for the memo; NULL for a plain t (read t itself) or when
 * it cannot be opened. */
struct trace *trace_feed_private(struct trace *t);
/* Closes priv and remembers its pass's answer for t's feed. */
void trace_feed_remember(struct trace *t, struct trace *priv, const void *answer, size_t size);

#endif
