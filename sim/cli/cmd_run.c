/* sim/cli/cmd_run.c: rxsim run's command line: its --help text, and argv
 * handed to the library (run_session_main(): the option table's parse, then
 * sim/session/run_traces.c: traces -> NICs -> the host's receive path on
 * the simulated machine -> the report). */
#include <stdio.h>

#include "sim/cli/commands.h"
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
    return run_session_main(argc, argv, RUN_MODE_RUN, usage);
}
