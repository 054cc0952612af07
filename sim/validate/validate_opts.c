/* sim/validate/validate_opts.c: rxsim validate's command line, and the
 * configuration matrix it measures.  The matrix is fixed and named so that
 * results from different machines and days line up: placement same/other ×
 * receive checksum on/off × GRO on/off at MTU 1500, and GRO off/on at MTU
 * 9000 (same CPU, checksum on).  Four are fitted on (--fit-on), the rest are
 * held out: a fitted cost is judged on configurations it never saw. */
#include "sim/validate/validate_main.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/options/value.h"
#include "sim/session/exit_codes.h"

/* one placement's three (both checksums, GRO off and on), and the other
 * placement's checksum-off GRO-off one: xmit_pass and beside_sender_skb are
 * identifiable only there (docs/validation.md, "What validate does", step 7) */
#define DEFAULT_FIT_ON_1 "same-csum-nogro-1500,same-nocsum-nogro-1500"
#define DEFAULT_FIT_ON_2 "same-csum-gro-1500,other-nocsum-nogro-1500"
#define DEFAULT_FIT_ON DEFAULT_FIT_ON_1 "," DEFAULT_FIT_ON_2

static void matrix(struct validate_opts *o)
{
    static const struct { enum val_placement p; bool csum, gro; unsigned mtu; } m[] = {
        { VAL_SAME_CPU, true, false, 1500 },   { VAL_SAME_CPU, true, true, 1500 },
        { VAL_SAME_CPU, false, false, 1500 },  { VAL_SAME_CPU, false, true, 1500 },
        { VAL_OTHER_CPU, true, false, 1500 },  { VAL_OTHER_CPU, true, true, 1500 },
        { VAL_OTHER_CPU, false, false, 1500 }, { VAL_OTHER_CPU, false, true, 1500 },
        { VAL_SAME_CPU, true, false, 9000 },   { VAL_SAME_CPU, true, true, 9000 },
    };
    o->nconfigs = 0;
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        struct val_config *c = &o->configs[o->nconfigs++];
        memset(c, 0, sizeof *c);
        c->placement = m[i].p;
        c->csum = m[i].csum;
        c->gro = m[i].gro;
        c->mtu = m[i].mtu;
        val_config_name(c);
    }
}

static struct val_config *find_config(struct validate_opts *o, const char *name)
{
    for (int i = 0; i < o->nconfigs; i++)
        if (!strcmp(o->configs[i].name, name))
            return &o->configs[i];
    return NULL;
}

/* The configurations' names, comma-separated, lines broken before 80
 * columns and continued after indent spaces. */
static void list_configs(FILE *out, const struct validate_opts *o, int indent)
{
    int col = indent;
    for (int i = 0; i < o->nconfigs; i++) {
        int w = (int)strlen(o->configs[i].name) + 2;
        if (i && col + w > 80) {
            fprintf(out, ",\n%*s", indent, "");
            col = indent;
        } else if (i) {
            fprintf(out, ", ");
        }
        fprintf(out, "%s", o->configs[i].name);
        col += w;
    }
    fprintf(out, "\n");
}

/* Applies a comma-separated list of configuration names: each named one
 * gets *flag = value; the others get !value.  -1 on an unknown name. */
static int apply_names(struct validate_opts *o, const char *list, const char *opt, bool keep)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    bool named[VAL_MAX_CONFIGS] = { false };
    for (char *save = NULL, *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
        struct val_config *c = find_config(o, n);
        if (!c) {
            fprintf(stderr, "rxsim validate: %s: no configuration named '%s'; they are:\n  ", opt, n);
            list_configs(stderr, o, 2);
            return -1;
        }
        named[c - o->configs] = true;
    }
    if (keep) {                     /* --configs: drop the unnamed ones, order kept */
        int k = 0;
        for (int i = 0; i < o->nconfigs; i++)
            if (named[i])
                o->configs[k++] = o->configs[i];
        o->nconfigs = k;
    } else {                        /* --fit-on: the named ones are fitted, the rest held out */
        for (int i = 0; i < o->nconfigs; i++)
            o->configs[i].held_out = !named[i];
    }
    return 0;
}

void validate_usage(FILE *out)
{
    struct validate_opts o;
    matrix(&o);
    fprintf(out,
        "usage: rxsim validate [OPTIONS]            measure this machine's kernel (root)\n"
        "       rxsim validate --from DATASET.json  the table again, without root\n"
        "       rxsim validate --functions DIR      leaf functions of a --keep-perf run\n"
        "\n"
        "Runs real TCP transfers between two network namespaces joined by veth (sender\n"
        "pinned to CPU 0, reader to CPU 1), profiles the kernel with perf (cpu-clock)\n"
        "over exactly each transfer, and prints the real receive path beside rxsim's\n"
        "model of it, configuration by configuration and category by category.  A\n"
        "preflight says first what this machine can be trusted for.  Costs are fitted\n"
        "on some configurations and judged on the others (held out).  Needs root,\n"
        "network namespaces, perf and readable /proc/kallsyms.\n"
        "\n"
        "options:\n"
        "  --reps N          repetitions of each configuration, interleaved (default %d)\n"
        "  --bytes SIZE      bytes per measured transfer (K/M/G; default %s)\n"
        "  --capture-bytes SIZE  bytes of the header-only capture the model replays\n"
        "                    (taken separately: the tap costs; default %s)\n"
        "  --recv-size B     the reader's recv() size (default %u; formerly --msg-size)\n"
        "  --configs LIST    measure only these (comma-separated); all by default:\n"
        "                    ",
        VALIDATE_DEFAULT_REPS, VALIDATE_DEFAULT_BYTES_TEXT, VALIDATE_DEFAULT_CAPTURE_TEXT,
        VALIDATE_DEFAULT_MSG_SIZE);
    list_configs(out, &o, 20);
    fprintf(out,
        "  --fit-on LIST     configurations the costs are fitted on; the rest are held\n"
        "                    out (default %s,\n"
        "                    %s)\n"
        "  --out DIR         where everything is recorded: dataset.json, costs.json (the\n"
        "                    fitted costs), captures/, commands.txt (default\n"
        "                    validate-out/; an existing dataset there is refused)\n"
        "  --keep-perf       also keep each repetition's perf.data and perf script text\n"
        "  --let-cpus-sleep  no idle spinners during a transfer (default: a SCHED_IDLE\n"
        "                    loop on each CPU, because cpu-clock in a guest misses busy\n"
        "                    time of a vCPU that halts between packets)\n"
        "  --seed S          the order configurations are interleaved in (default 1)\n"
        "  --from FILE       no measurement: read a dataset and print the table again,\n"
        "                    re-running the model with today's costs (and fitting on\n"
        "                    --fit-on's configurations when it is given)\n"
        "  --costs FILE      the model's costs for the table (default: built in)\n"
        "  --profile FILE    the calibration profile the model and the fit price bytes\n"
        "                    and lines from (default: measured by this run, rxsim\n"
        "                    calibrate into --out's profile.json, ~15 s; with --from,\n"
        "                    the dataset's directory's profile.json when there, else\n"
        "                    the checked-in one)\n"
        "  --functions DIR   no measurement: the receive side's cycles per segment by\n"
        "                    leaf function, each configuration a column, from the\n"
        "                    perf scripts a run with --keep-perf --out DIR kept\n"
        "  --top N           --functions' rows: the N most different (default 30)\n"
        "  --json            the table as JSON on stdout\n"
        "  --no-progress     no progress lines on stderr\n"
        "  -h, --help        this text\n"
        "\n"
        "exit status: 0 ok, 1 a measurement failed, 2 usage, 3 an unreadable dataset,\n"
        "5 the model could not answer for a configuration (said on stderr, n/m in the\n"
        "table), 6 this machine cannot measure (not root, no network namespaces, no perf,\n"
        "kallsyms unreadable: the message says which).\n",
        DEFAULT_FIT_ON_1, DEFAULT_FIT_ON_2);
}

static int parse_size_opt(const char *opt, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (value_size(v, VALUE_LEAD_NOSIGN, false, false, lo, hi, out) != 0) {
        fprintf(stderr, "rxsim validate: %s %s: want a size from %llu to %llu bytes (K/M/G suffixes)\n", opt, v,
                (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    return 0;
}

static int parse_int_opt(const char *opt, const char *v, int lo, int hi, int *out)
{
    if (value_int(v, lo, hi, out) != 0) {
        fprintf(stderr, "rxsim validate: %s %s: want a whole number from %d to %d\n", opt, v, lo, hi);
        return -1;
    }
    return 0;
}

/* 0 parsed, 1 --help shown, or RX_EXIT_USAGE. */
int validate_parse(int argc, char **argv, struct validate_opts *o)
{
    enum { O_REPS = 256, O_BYTES, O_CAPTURE, O_MSG, O_CONFIGS, O_FIT_ON, O_OUT, O_KEEP, O_SEED, O_FROM,
           O_COSTS, O_JSON, O_NOPROG, O_SLEEP, O_FUNCS, O_TOP, O_PROFILE };
    static const struct option longs[] = {
        { "reps", required_argument, NULL, O_REPS },       { "bytes", required_argument, NULL, O_BYTES },
        { "capture-bytes", required_argument, NULL, O_CAPTURE }, { "recv-size", required_argument, NULL, O_MSG },
        { "msg-size", required_argument, NULL, O_MSG },    /* --recv-size's older name */
        { "configs", required_argument, NULL, O_CONFIGS }, { "fit-on", required_argument, NULL, O_FIT_ON },
        { "out", required_argument, NULL, O_OUT },         { "keep-perf", no_argument, NULL, O_KEEP },
        { "seed", required_argument, NULL, O_SEED },       { "from", required_argument, NULL, O_FROM },
        { "costs", required_argument, NULL, O_COSTS },     { "json", no_argument, NULL, O_JSON },
        { "profile", required_argument, NULL, O_PROFILE },
        { "no-progress", no_argument, NULL, O_NOPROG },    { "let-cpus-sleep", no_argument, NULL, O_SLEEP },
        { "functions", required_argument, NULL, O_FUNCS }, { "top", required_argument, NULL, O_TOP },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    matrix(o);
    o->reps = VALIDATE_DEFAULT_REPS;
    o->msg_size = VALIDATE_DEFAULT_MSG_SIZE;
    o->out_dir = "validate-out";
    o->seed = 1;
    o->progress = true;
    o->top = 30;
    const char *configs = NULL, *fit_on = DEFAULT_FIT_ON;
    o->bytes = VALIDATE_DEFAULT_BYTES;
    o->capture_bytes = VALIDATE_DEFAULT_CAPTURE;
    optind = 1;
    opterr = 0;
    int v;
    for (int ch; (ch = getopt_long(argc, argv, ":h", longs, NULL)) != -1;) {
        switch (ch) {
        case O_REPS: if (parse_int_opt("--reps", optarg, 1, VAL_MAX_REPS, &v)) return RX_EXIT_USAGE; o->reps = v; break;
        case O_BYTES: if (parse_size_opt("--bytes", optarg, 1u << 16, 1ull << 36, &o->bytes)) return RX_EXIT_USAGE; break;
        case O_CAPTURE: if (parse_size_opt("--capture-bytes", optarg, 1u << 16, 1ull << 30, &o->capture_bytes)) return RX_EXIT_USAGE; break;
        case O_MSG: if (parse_int_opt("--recv-size", optarg, 1, 1 << 24, &v)) return RX_EXIT_USAGE; o->msg_size = (unsigned)v; break;
        case O_CONFIGS: configs = optarg; break;
        case O_FIT_ON: fit_on = optarg; o->fit_on_given = true; break;
        case O_OUT: o->out_dir = optarg; break;
        case O_KEEP: o->keep_perf = true; break;
        case O_SEED: if (parse_int_opt("--seed", optarg, 0, 1 << 30, &v)) return RX_EXIT_USAGE; o->seed = (unsigned)v; break;
        case O_FROM: o->from = optarg; break;
        case O_COSTS: o->costs = optarg; break;
        case O_PROFILE: o->profile = optarg; break;
        case O_JSON: o->json = true; break;
        case O_NOPROG: o->progress = false; break;
        case O_SLEEP: o->sleep_ok = true; break;
        case O_FUNCS: o->functions = optarg; break;
        case O_TOP: if (parse_int_opt("--top", optarg, 1, 100000, &v)) return RX_EXIT_USAGE; o->top = v; break;
        case 'h': validate_usage(stdout); return 1;
        case ':': fprintf(stderr, "rxsim validate: %s needs a value\n", argv[optind - 1]); return RX_EXIT_USAGE;
        default: fprintf(stderr, "rxsim validate: unknown option '%s' (rxsim validate --help)\n", argv[optind - 1]); return RX_EXIT_USAGE;
        }
    }
    if (o->functions && o->from) {
        fprintf(stderr, "rxsim validate: --functions and --from: choose one\n");
        return RX_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "rxsim validate: unexpected argument '%s' (a saved run is read with --from FILE)\n", argv[optind]);
        return RX_EXIT_USAGE;
    }
    if (apply_names(o, fit_on, "--fit-on", false) || (configs && apply_names(o, configs, "--configs", true)))
        return RX_EXIT_USAGE;
    return 0;
}
