/* sim/cli/main.c: the rxsim executable: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "traces/trace.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
};

static const struct command commands[] = {
    { "run",       cmd_run,       "replay traces through the simulated receive path; where the cycles go" },
    { "live",      cmd_live,      "capture frames live on an interface and feed them through the model" },
    { "compare",   cmd_compare,   "run a matrix of policies over the same traces, side by side" },
    { "merge",     cmd_merge,     "combine rxsim compare --shard outputs into one result" },
    { "inspect",   cmd_inspect,   "summarise a trace through the receive stack; dump streams" },
    { "synth",     cmd_synth,     "write a netperf-like pcap with seeded impairments, and its truth" },
    { "fit",       cmd_fit,       "per-event costs fitted from a validate dataset, with their provenance" },
    { "calibrate", cmd_calibrate, "measure copy and checksum routines (cycles per byte)" },
    { "serve",     cmd_serve,     "the lab in a browser: traces, runs and compares as jobs (evhttp, loopback)" },
    { "validate",  cmd_validate,  "measure this machine's kernel receive path beside the model (root, perf)" },
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rxsim COMMAND [OPTIONS]   (rxsim help COMMAND, or COMMAND --help, for each)\n"
            "       rxsim --version | --help\n"
            "\n"
            "rxsim replays captured traces through a model of a host's TCP/IP receive\n"
            "path and measures what each byte costs.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].what);
    fprintf(out,
            "\n"
            "exit status: 0 ok, 1 internal error, 2 usage error, 3 unusable input,\n"
            "             4 partial trace (corrupt or truncated part-way; results cover what was read),\n"
            "             5 unanswered in part (the figures that depend on it are flagged),\n"
            "             6 this machine cannot do what was asked (rxsim validate without root or perf)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2) {        /* rxsim help CMD: CMD --help */
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (!strcmp(argv[2], commands[i].name))
                return commands[i].run(2, (char *[]){ argv[2], "--help", NULL });
        fprintf(stderr, "rxsim help: unknown command '%s'\n\n", argv[2]);
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return RX_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("rxsim %s\n", RXSIM_VERSION);
        return RX_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            static char prefix[32];         /* the trace layer's warnings: "rxsim run: FILE: ..." */
            snprintf(prefix, sizeof prefix, "rxsim %s", commands[i].name);
            trace_set_prefix(prefix);
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "rxsim: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return RX_EXIT_USAGE;
}
