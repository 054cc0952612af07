/* sim/cli/cmd_live.c: rxsim live's command line: its --help text, and argv
 * handed to the library (run_session_main(): the option table's parse, then
 * sim/session/live_capture.c: a live capture through the simulated host,
 * counters each second, the report when it stops). */
#include <stdio.h>

#include "sim/cli/commands.h"
#include "sim/session/run_session.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim live -i IFACE [OPTIONS]\n"
        "\n"
        "Feeds frames captured live on IFACE (libpcap) through the simulated host's\n"
        "receive path, as rxsim run does with a trace; simulated time follows the\n"
        "capture timestamps.  A counter line on stderr each wall second; Ctrl-C (or\n"
        "SIGTERM, --duration, --count) stops and prints the full report.  Capturing\n"
        "needs root or CAP_NET_RAW.\n"
        "\n"
        "capture:\n"
        "  -i, --interface IFACE the interface (ip link lists them)\n"
        "  --filter EXPR         BPF filter, tcpdump syntax\n"
        "  --host ADDR           the receiving host (default: IFACE's own addresses);\n"
        "                        frames to other addresses are skipped, so the host's\n"
        "                        own ACKs are never received\n"
        "  --promisc             promiscuous mode (default off)\n"
        "  --buffer-kib K        the kernel's capture buffer (default 8192)\n"
        "  --duration SECONDS    stop after this much wall time\n"
        "  --count FRAMES        stop after this many frames to the host\n");
    run_options_live_list(out, "model: the options of rxsim run (rxsim run --help):");
    fprintf(out,
        "output:\n"
        "  --json | --csv        the report's format (default text)\n"
        "  --timeline FILE       what each CPU ran, trace-event JSON\n"
        "  --list                policies and copy routines\n"
        "\n"
        "exit status: 0 ok (also after Ctrl-C), 2 usage, 3 cannot capture (no such\n"
        "interface, permission, link type), 1 internal or capture error.\n");
}

int cmd_live(int argc, char **argv)
{
    return run_session_main(argc, argv, RUN_MODE_LIVE, usage);
}
