/* sim/inspect/inspect.h: rxsim inspect's work: a trace through the netstack's
 * functional core (no machine model), summarised per connection, with the
 * SHA-256 of each direction's delivered bytes and optionally the bytes.
 * cmd_inspect.c turns argv into inspect_options; inspect_run() does the rest. */
#ifndef RXSIM_CLI_INSPECT_H
#define RXSIM_CLI_INSPECT_H

#include <stdbool.h>

#include "netstack/netstack.h"
#include "traces/trace.h"

struct inspect_options {
    bool json;                          /* the summary as JSON (streamed) */
    bool progress;                      /* a progress line on stderr */
    bool progress_lines;                /* --progress: one line each (sim/options/progress.h) */
    const char *dump_dir;               /* --dump-streams DIR, or NULL */
    const char *filter;                 /* --filter EXPR, or NULL */
    struct trace_window window;         /* -c, --start, --duration (traces/trace.h) */
    struct netstack_config stack;       /* verify_csum, ooo_limit, ooo_budget, max_conns */
};

/* Reads the trace at path and prints its summary on stdout; messages on
 * stderr.  The exit status (sim/session/exit_codes.h). */
int inspect_run(const char *path, const struct inspect_options *o);

#endif
