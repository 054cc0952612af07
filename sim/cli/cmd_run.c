/* sim/cli/cmd_run.c: rxsim run's command line: argv into the session's
 * config (run_options_parse, sim/options/), then run_session_run()
 * (sim/session/run_traces.c: traces -> NICs -> the host's receive path on
 * the simulated machine -> the report). */
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim run [OPTIONS] TRACE...\n"
        "\n"
        "Replays traces through a simulated host's receive path (NIC, CPUs with caches,\n"
        "hardirq, softirq, sockets, one reader process per connection) and reports\n"
        "where the cycles went.  Several traces: one NIC each, each with its own host\n"
        "and connections (or --nics N over one).  TRACE - reads standard input.\n"
        "\n");
    run_options_help(out);              /* the option table's lines (sim/options/) */
    fprintf(out,
        "\n"
        "exit status: 0 ok, 2 usage (a --filter that does not compile or a bad --costs\n"
        "file too), 3 unusable input, 4 partial trace, 5 unanswered in part (bytes\n"
        "stranded behind holes, payload not captured, data in frames dropped as\n"
        "frame_too_long: the figures that depend on them are flagged not meaningful),\n"
        "1 internal error.\n");
}

int cmd_run(int argc, char **argv)
{
    struct run_session *s = calloc(1, sizeof *s);
    int exit_now, rc = RX_EXIT_USAGE;
    if (!s)
        return RX_EXIT_INTERNAL;
    if (run_options_parse(argc, argv, &s->cfg, RUN_MODE_RUN, usage, &exit_now) == 0)
        rc = exit_now >= 0 ? exit_now : run_session_run(s);
    run_session_fini(s);
    free(s);
    return rc;
}
