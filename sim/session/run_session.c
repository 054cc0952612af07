/* sim/session/run_session.c: the set-up, options, live line, report and
 * tear-down that `rxsim run` (cmd_run.c) and `rxsim live` (cmd_live.c)
 * share; see run_session.h.  Moved here from cmd_run.c unchanged in effect:
 * the same options build the same machine in the same order, so run's
 * report is byte-identical to before. */
#include "sim/session/run_session.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/recycle.h"
#include "sim/session/exit_codes.h"

#ifndef RXSIM_DEFAULT_PROFILE
#define RXSIM_DEFAULT_PROFILE "copy/profiles/default.json"
#endif

static const char *cmdname = "rxsim run";      /* for parse messages */

static void list_all(void)
{
    printf("checksum placement (--csum):\n");
    for (int i = 0; csum_policies[i]; i++)
        printf("  %-10s %s\n", csum_policies[i]->name, csum_policies[i]->what);
    printf("delivery (--delivery):\n");
    for (int i = 0; deliver_policies[i]; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s%s%s", deliver_policies[i]->name,
                 deliver_policies[i]->arg_help ? ":" : "",
                 deliver_policies[i]->arg_help ? deliver_policies[i]->arg_help : "");
        printf("  %-10s %s\n", name, deliver_policies[i]->what);
    }
    printf("skb recycling (--recycle):\n");
    for (int i = 0; recycle_policies[i]; i++)
        printf("  %-10s %s\n", recycle_policies[i]->name, recycle_policies[i]->what);
    printf("copy routines (--copy; --csum-copy takes the csum_copy kind):\n");
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *r = copy_routine_at(i);
        if (r->kind == COPY_KIND_CSUM)
            continue;
        printf("  %-22s %-9s %s%s\n", r->name, copy_kind_name(r->kind), r->what,
               copy_available(r) ? "" : " (unavailable on this CPU)");
    }
}

static int parse_u32(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
        fprintf(stderr, "%s: %s '%s': want a whole number from %u to %u\n", cmdname, opt, s, lo, hi);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "%s: %s '%s': want a number from %g to %g\n", cmdname, opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* --ooo-budget "256M" (K/M/G suffixes, up to 1T) or 0 for none → bytes, SIZE_MAX for none. */
static int parse_budget(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (!errno && end != s && *s != '-')
        switch (*end) {
        case 'k': case 'K': shift = 10; end++; break;
        case 'm': case 'M': shift = 20; end++; break;
        case 'g': case 'G': shift = 30; end++; break;
        default: break;
        }
    if (errno || end == s || *end || *s == '-' || v > (1ull << 40) >> shift ||
        (v && (v << shift) < 4096)) {
        fprintf(stderr, "%s: --ooo-budget '%s': want 0 (no budget) or a size from 4K to 1T "
                        "(e.g. 256M)\n", cmdname, s);
        return -1;
    }
    *out = v ? (size_t)(v << shift) : SIZE_MAX;
    return 0;
}

/* "10G", "2.5G", "100M", "1000000k" → bits per second. */
static int parse_rate(const char *s, uint64_t *bps)
{
    char *end;
    double v = strtod(s, &end);
    double mult = 1;
    if (*end == 'G' || *end == 'g') mult = 1e9, end++;
    else if (*end == 'M' || *end == 'm') mult = 1e6, end++;
    else if (*end == 'K' || *end == 'k') mult = 1e3, end++;
    if (end == s || *end || !(v > 0) || v * mult < 1e3 || v * mult > 4e12)
        return -1;
    *bps = (uint64_t)(v * mult);
    return 0;
}

/* Line and column (1-based) of byte off in text, for --costs messages. */
static void text_position(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n')
            ++*line, *col = 1;
        else
            ++*col;
    }
}

static const char *json_kind(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "true/false";
    case json_type_double: return "a number with a fraction or exponent";
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "something else";
}

#define COSTS_MAX_FILE (1u << 20)
#define COSTS_MAX_CYCLES 100000000

/* --costs FILE: {"irq_entry": 1000, ...}.  Every message names the file and
 * says, in the file's own terms, what is wrong (line and column, the key, the
 * value as written) and what is wanted; never json-c's internals.  Every bad
 * entry is reported, not only the first.  0, or -1: a usage error (the
 * option's file is wrong). */
static int load_costs(const char *path, struct sim_cost_table *t)
{
    FILE *f = fopen(path, "rb");
    char *text = f ? malloc(COSTS_MAX_FILE + 1) : NULL;
    size_t len = text ? fread(text, 1, COSTS_MAX_FILE + 1, f) : 0;
    int read_errno = errno;
    bool read_failed = !f || !text || ferror(f);
    if (f)
        fclose(f);
    if (read_failed) {
        fprintf(stderr, "%s: --costs %s: cannot read it: %s\n", cmdname, path,
                f && !text ? "out of memory" : strerror(read_errno));
        free(text);
        return -1;
    }
    if (len > COSTS_MAX_FILE) {
        fprintf(stderr, "%s: --costs %s: over %u bytes; a costs file is a small JSON object "
                "such as {\"irq_entry\": 1200}\n", cmdname, path, COSTS_MAX_FILE);
        free(text);
        return -1;
    }
    text[len] = '\0';
    size_t lead = strspn(text, " \t\r\n");
    if (lead == len) {
        fprintf(stderr, "%s: --costs %s: the file is empty; want a JSON object such as "
                "{\"irq_entry\": 1200}\n", cmdname, path);
        free(text);
        return -1;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        fprintf(stderr, "%s: --costs %s: out of memory\n", cmdname, path);
        free(text);
        return -1;
    }
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    int line, col;
    if (!o) {
        if (jerr == json_tokener_continue) {
            fprintf(stderr, "%s: --costs %s: the file ends before the JSON value does (a missing "
                    "'}' or '\"'?)\n", cmdname, path);
        } else {
            text_position(text, end, &line, &col);
            fprintf(stderr, "%s: --costs %s: line %d, column %d: not valid JSON (%s)\n", cmdname,
                    path, line, col, json_tokener_error_desc(jerr));
        }
        free(text);
        return -1;
    }
    if (end + strspn(text + end, " \t\r\n") < len) {
        end += strspn(text + end, " \t\r\n");
        text_position(text, end, &line, &col);
        fprintf(stderr, "%s: --costs %s: line %d, column %d: more text after the JSON value; want "
                "one object\n", cmdname, path, line, col);
        json_object_put(o);
        free(text);
        return -1;
    }
    free(text);
    if (!json_object_is_type(o, json_type_object)) {
        fprintf(stderr, "%s: --costs %s: the file holds %s; want a JSON object of cost names and "
                "cycles, such as {\"irq_entry\": 1200}\n", cmdname, path, json_kind(o));
        json_object_put(o);
        return -1;
    }
    int rc = 0;
    json_object_object_foreach(o, key, val) {
        int i = sim_cost_find(key);
        if (i < 0) {
            fprintf(stderr, "%s: --costs %s: \"%s\" is not a cost; the costs are", cmdname, path, key);
            for (int k = 0; k < SIM_COST__COUNT; k++)
                fprintf(stderr, "%s %s", k ? "," : "", sim_cost_key((enum sim_cost)k));
            fprintf(stderr, " (docs/model.md)\n");
            rc = -1;
            continue;
        }
        int64_t v = 0;
        errno = 0;
        bool whole = json_object_is_type(val, json_type_int);
        if (whole)
            v = json_object_get_int64(val);     /* sets errno when the number overflows int64 */
        if (!whole || errno || v < 0 || v > COSTS_MAX_CYCLES) {
            fprintf(stderr, "%s: --costs %s: \"%s\": %s: want a whole number of cycles from 0 to %d\n",
                    cmdname, path, key, !whole ? json_kind(val) : errno || v > COSTS_MAX_CYCLES ?
                    "too large" : json_object_to_json_string(val), COSTS_MAX_CYCLES);
            rc = -1;
            continue;
        }
        t->cycles[i] = (uint64_t)v;
    }
    json_object_put(o);
    return rc;
}

int run_options_parse(int argc, char **argv, struct run_config *c, enum run_mode mode,
                      void (*usage)(FILE *out), int *exit_now)
{
    enum {
        O_CPUS = 256, O_GHZ, O_CACHE, O_SEED, O_CSUM, O_DELIVERY, O_RECYCLE, O_COPY, O_CSUMCOPY,
        O_IRQ, O_APP, O_RING, O_QUEUES, O_USECS, O_FRAMES, O_BUDGET, O_REPLAY, O_MSG, O_APPCPB,
        O_FILTER, O_HOST, O_NOCSUM, O_PROFILE, O_COSTS, O_JSON, O_NOPROG, O_LIST, O_POOL,
        O_TIMING, O_TIMELINE, O_CSV, O_REALTIME, O_PROG, O_NICS, O_DURATION, O_COUNT, O_PROMISC,
        O_BUFKIB, O_PAYLOAD, O_OOOBUDGET, O_MAXCONNS,
    };
    static const struct option opts[] = {
        { "cpus", required_argument, NULL, O_CPUS }, { "ghz", required_argument, NULL, O_GHZ },
        { "cache-kib", required_argument, NULL, O_CACHE }, { "seed", required_argument, NULL, O_SEED },
        { "csum", required_argument, NULL, O_CSUM }, { "delivery", required_argument, NULL, O_DELIVERY },
        { "recycle", required_argument, NULL, O_RECYCLE }, { "copy", required_argument, NULL, O_COPY },
        { "csum-copy", required_argument, NULL, O_CSUMCOPY }, { "irq", required_argument, NULL, O_IRQ },
        { "app", required_argument, NULL, O_APP }, { "ring", required_argument, NULL, O_RING },
        { "queues", required_argument, NULL, O_QUEUES }, { "rx-usecs", required_argument, NULL, O_USECS },
        { "rx-frames", required_argument, NULL, O_FRAMES }, { "budget", required_argument, NULL, O_BUDGET },
        { "replay", required_argument, NULL, O_REPLAY }, { "msg-size", required_argument, NULL, O_MSG },
        { "app-cycles-per-byte", required_argument, NULL, O_APPCPB },
        { "filter", required_argument, NULL, O_FILTER }, { "host", required_argument, NULL, O_HOST },
        { "no-verify-csum", no_argument, NULL, O_NOCSUM }, { "profile", required_argument, NULL, O_PROFILE },
        { "costs", required_argument, NULL, O_COSTS }, { "json", no_argument, NULL, O_JSON },
        { "no-progress", no_argument, NULL, O_NOPROG }, { "progress", no_argument, NULL, O_PROG },
        { "list", no_argument, NULL, O_LIST },
        { "pool", required_argument, NULL, O_POOL },
        { "timing", required_argument, NULL, O_TIMING }, { "timeline", required_argument, NULL, O_TIMELINE },
        { "csv", no_argument, NULL, O_CSV }, { "realtime", optional_argument, NULL, O_REALTIME },
        { "nics", required_argument, NULL, O_NICS },
        { "interface", required_argument, NULL, 'i' }, { "duration", required_argument, NULL, O_DURATION },
        { "count", required_argument, NULL, O_COUNT }, { "promisc", no_argument, NULL, O_PROMISC },
        { "buffer-kib", required_argument, NULL, O_BUFKIB }, { "payload", required_argument, NULL, O_PAYLOAD },
        { "ooo-budget", required_argument, NULL, O_OOOBUDGET },
        { "max-conns", required_argument, NULL, O_MAXCONNS },
        { "help", no_argument, NULL, 'h' }, { 0 },
    };
    bool live = mode == RUN_MODE_LIVE;
    cmdname = live ? "rxsim live" : "rxsim run";
    *c = (struct run_config){
        .cpus = 2, .cache_kib = 1024, .seed = 1, .csum = "softirq", .delivery = "packet",
        .recycle = "percpu", .copy = "glibc", .irq = "fixed:0", .ring = 256, .queues = 1,
        .rx_usecs = 20, .budget = 64, .msg_size = 16384, .replay = "trace",
        .profile = RXSIM_DEFAULT_PROFILE, .verify_csum = true, .progress = !live && isatty(2),
        .buffer_kib = 8192,
    };
    uint32_t u;
    int o;
    optind = 1;
    opterr = 0;
    *exit_now = -1;
    while ((o = getopt_long(argc, argv, live ? "hi:" : "h", opts, NULL)) != -1) {
        /* Options of the other command only. */
        bool run_only = o == O_REPLAY || o == O_REALTIME || o == O_NICS;
        bool live_only = o == 'i' || o == O_DURATION || o == O_COUNT || o == O_PROMISC || o == O_BUFKIB;
        if ((live && run_only) || (!live && live_only)) {
            fprintf(stderr, "%s: %s is an option of rxsim %s only\n\n", cmdname, argv[optind - 1],
                    live ? "run" : "live");
            usage(stderr);
            return -1;
        }
        switch (o) {
        case O_CPUS: if (parse_u32("--cpus", optarg, RUN_RANGE_CPUS, &u)) return -1; c->cpus = (int)u; break;
        case O_GHZ: if (parse_double("--ghz", optarg, RUN_RANGE_GHZ, &c->ghz)) return -1; break;
        case O_CACHE: if (parse_u32("--cache-kib", optarg, RUN_RANGE_CACHE_KIB, &c->cache_kib)) return -1; break;
        case O_SEED: {
            char *end;
            c->seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end) {
                fprintf(stderr, "%s: --seed '%s': want a whole number\n", cmdname, optarg);
                return -1;
            }
            break;
        }
        case O_CSUM: c->csum = optarg; break;
        case O_DELIVERY: c->delivery = optarg; break;
        case O_RECYCLE: c->recycle = optarg; break;
        case O_COPY: c->copy = optarg; break;
        case O_CSUMCOPY: c->csum_copy = optarg; break;
        case O_IRQ: c->irq = optarg; break;
        case O_APP: c->app = optarg; break;
        case O_RING: if (parse_u32("--ring", optarg, RUN_RANGE_RING, &c->ring)) return -1; break;
        case O_QUEUES: if (parse_u32("--queues", optarg, RUN_RANGE_QUEUES, &c->queues)) return -1; break;
        case O_NICS: if (parse_u32("--nics", optarg, 1, RUN_MAX_NICS, &c->nics)) return -1; break;
        case O_USECS: if (parse_u32("--rx-usecs", optarg, RUN_RANGE_RX_USECS, &c->rx_usecs)) return -1; break;
        case O_FRAMES: if (parse_u32("--rx-frames", optarg, RUN_RANGE_RX_FRAMES, &c->rx_frames)) return -1; break;
        case O_BUDGET: if (parse_u32("--budget", optarg, RUN_RANGE_BUDGET, &c->budget)) return -1; break;
        case O_MSG: if (parse_u32("--msg-size", optarg, RUN_RANGE_MSG_SIZE, &c->msg_size)) return -1; break;
        case O_POOL: if (parse_u32("--pool", optarg, 16, 1u << 22, &c->pool)) return -1; break;
        case O_OOOBUDGET: if (parse_budget(optarg, &c->ooo_budget)) return -1; break;
        case O_MAXCONNS:
            if (parse_u32("--max-conns", optarg, RUN_RANGE_MAX_CONNS, &u)) return -1;
            c->max_conns = u ? u : SIZE_MAX;
            break;
        case O_APPCPB: if (parse_double("--app-cycles-per-byte", optarg, RUN_RANGE_APP_CPB, &c->app_cycles_per_byte)) return -1; break;
        case O_REPLAY:
            c->replay = optarg;
            if (!strncmp(optarg, "rate:", 5)) {
                if (parse_rate(optarg + 5, &c->rate_bps) < 0) {
                    fprintf(stderr, "%s: --replay '%s': want rate:RATE such as rate:10G\n", cmdname, optarg);
                    return -1;
                }
            } else if (strcmp(optarg, "trace")) {
                fprintf(stderr, "%s: --replay '%s': want trace or rate:RATE\n", cmdname, optarg);
                return -1;
            }
            break;
        case O_FILTER: c->filter = optarg; break;
        case O_HOST:
            if (c->nhosts == RUN_MAX_TRACES) {
                fprintf(stderr, "%s: at most %d --host (one per trace)\n", cmdname, RUN_MAX_TRACES);
                return -1;
            }
            c->hosts[c->nhosts++] = optarg;
            if (!c->host)
                c->host = optarg;
            break;
        case O_NOCSUM: c->verify_csum = false; break;
        case O_PROFILE: c->profile = optarg; break;
        case O_COSTS: c->costs = optarg; break;
        case O_JSON: c->json = true; break;
        case O_CSV: c->csv = true; break;
        case O_TIMELINE: c->timeline = optarg; break;
        case O_TIMING:
            if (!strcmp(optarg, "measured"))
                c->timing_measured = true;
            else if (strcmp(optarg, "model")) {
                fprintf(stderr, "%s: --timing '%s': want model or measured\n", cmdname, optarg);
                return -1;
            }
            break;
        case O_PAYLOAD:
            if (!strcmp(optarg, "synth"))
                c->payload_synth = true;
            else if (strcmp(optarg, "captured")) {
                fprintf(stderr, "%s: --payload '%s': want captured or synth\n", cmdname, optarg);
                return -1;
            }
            break;
        case O_NOPROG: c->progress = false; break;
        case O_PROG: c->progress = !live; break;
        case O_REALTIME: {
            char *end = NULL;
            errno = 0;
            c->realtime = optarg ? strtod(optarg, &end) : 1.0;
            if (optarg && (errno || end == optarg || *end || !(c->realtime > 0 && c->realtime <= 1e6))) {
                fprintf(stderr, "%s: --realtime '%s': want a speed above 0, up to 1e6\n", cmdname, optarg);
                return -1;
            }
            break;
        }
        case 'i': c->iface = optarg; break;
        case O_DURATION: if (parse_double("--duration", optarg, 0.001, 1e7, &c->duration)) return -1; break;
        case O_COUNT: {
            char *end;
            errno = 0;
            c->count = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || *optarg == '-' || !c->count) {
                fprintf(stderr, "%s: --count '%s': want a whole number of frames above 0\n", cmdname, optarg);
                return -1;
            }
            break;
        }
        case O_PROMISC: c->promisc = true; break;
        case O_BUFKIB: if (parse_u32("--buffer-kib", optarg, 64, 1u << 21, &c->buffer_kib)) return -1; break;
        case O_LIST: list_all(); *exit_now = RX_EXIT_OK; return 0;
        case 'h': usage(stdout); *exit_now = RX_EXIT_OK; return 0;
        default:
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n\n", cmdname, argv[optind - 1]);
            usage(stderr);
            return -1;
        }
    }
    if (live) {
        if (optind < argc) {
            fprintf(stderr, "rxsim live: unexpected argument '%s' (live reads -i IFACE, not traces)\n\n",
                    argv[optind]);
            usage(stderr);
            return -1;
        }
        if (c->nhosts > 1) {
            fprintf(stderr, "rxsim live: one --host at most (the interface's host)\n");
            return -1;
        }
        if (!c->iface || !*c->iface) {
            fprintf(stderr, "rxsim live: no interface given (-i IFACE)\n\n");
            usage(stderr);
            return -1;
        }
    } else {
        if (optind == argc) {
            fprintf(stderr, "rxsim run: no trace given\n\n");
            usage(stderr);
            return -1;
        }
        if (argc - optind > RUN_MAX_TRACES) {
            fprintf(stderr, "rxsim run: at most %d traces (one NIC each)\n", RUN_MAX_TRACES);
            return -1;
        }
        for (int i = optind; i < argc; i++)
            c->traces[c->ntraces++] = argv[i];
        if (c->nics && c->ntraces > 1) {
            fprintf(stderr, "rxsim run: --nics spreads one trace over several NICs; %d traces "
                            "already give one NIC each\n", c->ntraces);
            return -1;
        }
        if (c->nhosts && c->nhosts != c->ntraces) {
            fprintf(stderr, "rxsim run: %d --host for %d trace%s: give one --host per trace, in trace "
                            "order (--host guess to guess one), or none to guess each\n\n",
                    c->nhosts, c->ntraces, c->ntraces > 1 ? "s" : "");
            usage(stderr);
            return -1;
        }
    }
    if (!c->app)
        c->app = c->cpus > 1 ? "fixed:1" : "fixed:0";
    if (c->json && c->csv) {
        fprintf(stderr, "%s: --json and --csv: choose one\n", cmdname);
        return -1;
    }
    return 0;
}

/* Resolves names into the host config; messages name the bad option. */
static int resolve(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    struct rx_host_config *hc = &s->hc;
    const char *cmd = s->cmd;
    *hc = (struct rx_host_config){ .msg_size = c->msg_size, .app_cycles_per_byte = c->app_cycles_per_byte,
                                   .verify_csum = c->verify_csum, .timing_measured = c->timing_measured,
                                   .ooo_budget = c->ooo_budget, .max_conns = c->max_conns };
    if (!(hc->csum = csum_policy_find(c->csum))) {
        fprintf(stderr, "%s: --csum '%s': unknown (rxsim run --list)\n", cmd, c->csum);
        return -1;
    }
    char dname[32];
    const char *colon = strchr(c->delivery, ':');
    snprintf(dname, sizeof dname, "%.*s", colon ? (int)(colon - c->delivery) : (int)strlen(c->delivery), c->delivery);
    hc->deliver_arg = colon ? colon + 1 : NULL;
    if (!(hc->deliver = deliver_policy_find(dname))) {
        fprintf(stderr, "%s: --delivery '%s': unknown (rxsim run --list)\n", cmd, c->delivery);
        return -1;
    }
    if (!(hc->recycle = recycle_policy_find(c->recycle))) {
        fprintf(stderr, "%s: --recycle '%s': unknown (rxsim run --list)\n", cmd, c->recycle);
        return -1;
    }
    hc->copy = copy_find(c->copy);
    if (!hc->copy || hc->copy->kind != COPY_KIND_COPY || !copy_available(hc->copy)) {
        fprintf(stderr, "%s: --copy '%s': %s\n", cmd, c->copy,
                !hc->copy || hc->copy->kind != COPY_KIND_COPY ? "not a copy routine (rxsim run --list)"
                                                              : "this CPU cannot run it");
        return -1;
    }
    if (c->csum_copy) {
        hc->csum_copy = copy_find(c->csum_copy);
        if (!hc->csum_copy || hc->csum_copy->kind != COPY_KIND_CSUM_COPY || !copy_available(hc->csum_copy)) {
            fprintf(stderr, "%s: --csum-copy '%s': not an available combined routine\n", cmd, c->csum_copy);
            return -1;
        }
    } else {
        for (size_t i = 0; i < copy_routine_count(); i++) {      /* the last available wins: the widest */
            const struct copy_routine *cr = copy_routine_at(i);
            if (cr->kind == COPY_KIND_CSUM_COPY && copy_available(cr))
                hc->csum_copy = cr;
        }
    }
    hc->csum_routine = copy_csum_best();
    if (!hc->csum_copy || !hc->csum_routine) {
        fprintf(stderr, "%s: internal error: no checksum routine available\n", cmd);
        return -1;
    }
    if (irq_routing_parse(&s->irq, c->irq, c->cpus) < 0) {
        fprintf(stderr, "%s: --irq '%s': want fixed:C (C < --cpus), rr or rss\n", cmd, c->irq);
        return -1;
    }
    if (!strcmp(c->app, "waker"))
        hc->app = APP_WAKER;
    else if (!strcmp(c->app, "float"))
        hc->app = APP_FLOAT;
    else {
        char *end;
        long cpu = !strncmp(c->app, "fixed:", 6) ? strtol(c->app + 6, &end, 10) : -1;
        if (cpu < 0 || cpu >= c->cpus || end == c->app + 6 || *end) {
            fprintf(stderr, "%s: --app '%s': want fixed:C (C < --cpus), waker or float\n", cmd, c->app);
            return -1;
        }
        hc->app = APP_FIXED;
        hc->app_cpu = (int)cpu;
    }
    return 0;
}

static void hash_async(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n)
{
    stream_hash_update(ctx, sha, p, n);
}

static void stack_rx(void *ctx, struct sim_cpu *cpu, struct skb_buf *buf, const struct nic_frame *f)
{
    struct rx_frame fr = {
        .buf = buf, .ts_ns = f->ts_ns, .arrival = f->arrival, .frame_no = f->frame_no,
        .len = f->len, .wire_len = f->wire_len, .ethernet = f->ethernet,
        .l3_off = f->l3_off, .l3_proto = f->l3_proto, .netns = f->netns,
    };
    rx_host_frame(ctx, cpu, buf, &fr);
}

static void stack_flush(void *ctx, struct sim_cpu *cpu)
{
    rx_host_poll_end(ctx, cpu);
}

static void stack_dropped(void *ctx, const struct nic_frame *f, const uint8_t *data, int reason)
{
    struct rx_frame fr = {
        .ts_ns = f->ts_ns, .arrival = f->arrival, .frame_no = f->frame_no, .len = f->len,
        .wire_len = f->wire_len, .ethernet = f->ethernet, .l3_off = f->l3_off, .l3_proto = f->l3_proto,
        .netns = f->netns,
    };
    rx_host_nic_drop_frame(ctx, &fr, data, reason);
}

/* A profile measured on another CPU may lack a routine this one can run
 * (the checked-in profile has no avx512): its costs then fall back to a
 * plain 8-bytes-a-cycle guess, which the user must hear about. */
static void warn_unmeasured(const struct run_session *s)
{
    const struct copy_routine *used[] = { s->hc.copy, s->hc.csum_copy, s->hc.csum_routine };
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        if (used[i] && costs_lookup(s->profile, used[i]->name, 1448, 0, CALIB_HOT) < 0)
            fprintf(stderr, "%s: warning: the profile %s has no curves for '%s' (measured on a CPU "
                    "without it?): its costs are a guess of 8 bytes a cycle; `rxsim calibrate --json "
                    "FILE` measures this machine, then pass --profile FILE\n",
                    s->cmd, s->cfg.profile, used[i]->name);
}

int run_session_init(struct run_session *s, const char *cmd, int nnics)
{
    struct run_config *c = &s->cfg;
    s->cmd = cmd;
    if (resolve(s) < 0)
        return RX_EXIT_USAGE;

    char err[1024];
    s->profile = costs_load(c->profile, err, sizeof err);
    if (!s->profile) {
        fprintf(stderr, "%s: --profile: %s\n", cmd, err);
        return RX_EXIT_INPUT;
    }
    double tsc_ghz = costs_tsc_hz(s->profile) / 1e9;
    if (!c->ghz)
        c->ghz = tsc_ghz > 0.1 ? tsc_ghz : 2.6;
    s->hc.profile = s->profile;
    s->hc.tsc_to_cpu = tsc_ghz > 0 ? c->ghz / tsc_ghz : 1.0;
    warn_unmeasured(s);

    struct sim_machine_config mc = { .ncpus = c->cpus, .mhz = (uint32_t)lround(c->ghz * 1000),
                                     .cache_lines = c->cache_kib * 1024 / SIM_CACHE_LINE, .seed = c->seed };
    if (sim_machine_init(&s->m, &mc) < 0) {
        fprintf(stderr, "%s: cannot set up the machine (out of memory)\n", cmd);
        return RX_EXIT_INTERNAL;
    }
    s->machine_up = true;
    if (c->costs && load_costs(c->costs, &s->m.costs) < 0)
        return RX_EXIT_USAGE;           /* the option's file is wrong */
    uint32_t pool = c->pool ? c->pool : c->ring * c->queues * (uint32_t)nnics * 2 + 4096;
    if (skb_pool_init(&s->pool, &s->m, pool, 64) < 0) {
        fprintf(stderr, "%s: out of memory for %u buffers\n", cmd, pool);
        return RX_EXIT_INTERNAL;
    }
    s->pool_up = true;
    s->recycle = s->hc.recycle;
    s->recycle_state = s->recycle->create ? s->recycle->create(&s->pool, &s->m) : NULL;
    s->hasher = stream_hash_new();
    if (s->hasher) {
        s->hc.hash = hash_async;
        s->hc.hash_ctx = s->hasher;
    }
    const char *herr;
    if (rx_host_init(&s->host, &s->hc, &s->m, &s->pool, s->recycle_state, &herr) < 0) {
        fprintf(stderr, "%s: --delivery '%s': %s\n", cmd, c->delivery, herr);
        return RX_EXIT_USAGE;
    }
    s->host_up = true;
    return RX_EXIT_OK;
}

int run_session_add_nic(struct run_session *s, const struct nic_source *src)
{
    struct run_config *c = &s->cfg;
    int i = s->nnics;
    if (i >= RUN_MAX_NICS)
        return -1;
    struct nic_config nc = { .ring = c->ring, .queues = c->queues, .rx_usecs = c->rx_usecs,
                             .rx_frames = c->rx_frames, .budget = c->budget, .rate_bps = c->rate_bps,
                             .irq = s->irq };
    struct nic_stack_ops ops = { .rx = stack_rx, .flush = stack_flush, .dropped = stack_dropped,
                                 .ctx = &s->host };
    struct nic_source filled;
    if (c->payload_synth) {             /* the NIC sees frames at their wire length */
        if (nic_payload_init(&s->payload[i], src) < 0) {
            fprintf(stderr, "%s: out of memory for --payload synth\n", s->cmd);
            return -1;
        }
        filled = nic_payload_source(&s->payload[i]);
        src = &filled;
    }
    if (nic_init(&s->nic[i], i, &nc, &s->m, &s->pool, s->recycle, s->recycle_state, src, &ops) < 0) {
        fprintf(stderr, "%s: cannot set up NIC %d\n", s->cmd, i);
        nic_fini(&s->nic[i]);
        return -1;
    }
    s->nnics++;
    return 0;
}

int run_session_start(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    if (c->timeline) {
        if (sim_timeline_open(&s->timeline, c->timeline, c->cpus, 2000000) < 0) {
            fprintf(stderr, "%s: --timeline %s: %s\n", s->cmd, c->timeline, strerror(errno));
            return RX_EXIT_USAGE;
        }
        for (int i = 0; i < c->cpus; i++)
            s->m.cpu[i].timeline = &s->timeline;
    }
    sim_machine_reset_stats(&s->m);     /* filling the rings is set-up, not the run */
    memset(&s->pool.st, 0, sizeof s->pool.st);
    for (int i = 0; i < s->nnics; i++)
        if (nic_start(&s->nic[i]) < 0)
            s->src[i].partial = true;
    return RX_EXIT_OK;
}

static void progress_line(const struct run_session *s)
{
    uint64_t frames = 0;
    for (int i = 0; i < s->nnics; i++)
        frames += s->nic[i].st.frames_in;
    /* A terminal gets one line redrawn; a pipe or file (rxsim serve) a line each. */
    bool tty = isatty(2);
    fprintf(stderr, "%s%s: %llu frames, %.6f s simulated%s", tty ? "\r" : "", s->cmd,
            (unsigned long long)frames, (double)s->m.q.now / (double)SIM_PS_PER_SEC, tty ? "" : "\n");
}

void run_session_drain(struct run_session *s)
{
    uint64_t steps = 0;
    bool progress = s->cfg.progress;
    while (sim_step(&s->m.q, NULL))
        if (progress && (++steps & 0xfffff) == 0)
            progress_line(s);
    if (progress && isatty(2))
        fprintf(stderr, "\r\033[K");
}

void run_session_live_line(void *ctx, FILE *out, double wall_s)
{
    const struct run_session *s = ctx;
    uint64_t frames = 0, irqs = 0, drops = 0;
    for (int i = 0; i < s->nnics; i++) {
        frames += s->nic[i].st.frames_in;
        irqs += s->nic[i].st.interrupts;
    }
    for (int d = 0; d < RX_DROP__COUNT; d++)
        drops += s->host.st.drops[d];
    double sim_s = (double)s->m.q.now / (double)SIM_PS_PER_SEC;
    fprintf(out, "%s: %.1f s wall, %.6f s simulated: %llu frames, %llu interrupts, "
            "%.2f frames/interrupt, goodput %.1f Mbit/s, %llu drops",
            s->cmd, wall_s, sim_s, (unsigned long long)frames, (unsigned long long)irqs,
            irqs ? (double)s->host.st.frames / (double)irqs : 0.0,
            sim_s > 0 ? (double)s->host.st.bytes_read * 8 / sim_s / 1e6 : 0.0,
            (unsigned long long)drops);
    if (s->live)
        fprintf(out, ", %llu capture drops (queue %llu, kernel %llu)",
                (unsigned long long)(s->live->queue_drops + s->live->kernel_drops),
                (unsigned long long)s->live->queue_drops, (unsigned long long)s->live->kernel_drops);
    fprintf(out, "\n");
}

int run_session_report(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    if (s->hasher)
        stream_hash_sync(s->hasher);    /* digests are final from here */
    bool partial = false;
    for (int i = 0; i < s->nnics; i++)
        if (s->src[i].partial) {
            partial = true;
            /* --nics: every share read the same damaged file; say it once */
            if (!i || strcmp(s->src[i].err.msg, s->src[i - 1].err.msg))
                fprintf(stderr, "%s: warning: %s\n", s->cmd, s->src[i].err.msg);
        }
    for (int i = 0; i < s->nnics; i++) {
        const struct nic *n = &s->nic[i];
        char nic_name[16] = "";
        if (s->nnics > 1)
            snprintf(nic_name, sizeof nic_name, "nic%d: ", i);
        if (n->clock_full) {
            partial = true;
            fprintf(stderr, "%s: warning: %sframe %llu falls beyond the simulated clock's range (%.0f days): "
                    "replay stopped there, the report covers what came before\n", s->cmd, nic_name,
                    (unsigned long long)n->clock_full_frame,
                    (double)NIC_CLOCK_LIMIT_PS / (double)SIM_PS_PER_SEC / 86400);
        }
        if (n->st.gaps_clamped)
            fprintf(stderr, "%s: warning: %s%llu idle gap%s longer than %lld s shortened to %lld s "
                    "(%.0f s of idle removed; later frames keep their spacing)\n", s->cmd, nic_name,
                    (unsigned long long)n->st.gaps_clamped, n->st.gaps_clamped > 1 ? "s" : "",
                    (long long)(NIC_MAX_IDLE_NS / 1000000000), (long long)(NIC_MAX_IDLE_NS / 1000000000),
                    (double)n->st.idle_removed_ns / 1e9);
        if (n->st.ts_backward)
            fprintf(stderr, "%s: warning: %s%llu frame%s stamped before the previous one: each arrives "
                    "right after it (its serialization time at %.0f Gbit/s), later frames keep their "
                    "spacing\n", s->cmd, nic_name, (unsigned long long)n->st.ts_backward,
                    n->st.ts_backward > 1 ? "s" : "", (double)NIC_BACKSTEP_BPS / 1e9);
    }
    for (int i = 0; i < s->nnics && !s->live; i++)
        if (!s->src[i].ip_received)
            fprintf(stderr, "%s: warning: nic%d (%s) received no IP frames: none was addressed to its host %s%s\n",
                    s->cmd, i, c->traces[c->nics ? 0 : i], s->host_choice[i].addr,
                    s->host_choice[i].given ? " (--host)" : "");
    uint64_t synth_segments = 0, synth_bytes = 0;
    for (int i = 0; i < s->nnics; i++) {
        synth_segments += s->payload[i].segments;
        synth_bytes += s->payload[i].bytes;
    }
    struct run_view v = { .cfg = c, .m = &s->m, .host = &s->host, .pool = &s->pool,
                          .synth_segments = synth_segments, .synth_bytes = synth_bytes,
                          .nics = s->nic, .srcs = s->src, .nnics = s->nnics,
                          .host_addr = s->host_addr, .hosts = s->live ? NULL : s->host_choice,
                          .partial = partial,
                          .profile_path = c->profile, .copy = s->hc.copy, .csum_copy = s->hc.csum_copy,
                          .live = s->live };
    int wrc = c->json ? run_report_json(&v, stdout) : c->csv ? run_report_csv(&v, stdout)
                                                             : run_report_text(&v, stdout);
    if (c->timeline && sim_timeline_close(&s->timeline) < 0) {
        fprintf(stderr, "%s: --timeline %s: write error\n", s->cmd, c->timeline);
        wrc = -1;
    }
    if (s->timeline.truncated)
        fprintf(stderr, "%s: note: --timeline stopped at %llu events\n", s->cmd,
                (unsigned long long)s->timeline.max_events);
    if (fflush(stdout) != 0 || wrc < 0) {
        fprintf(stderr, "%s: error writing the report\n", s->cmd);
        return RX_EXIT_INTERNAL;
    }
    /* Bytes left on a socket: after a full drain every reader has run dry,
     * so any left is a lost wakeup (a model bug), never a quiet loss; after
     * an interrupted replay it is what the readers had not reached yet. */
    uint64_t unread = rx_host_unread(&s->host);
    if (unread && s->m.q.len == 0) {
        fprintf(stderr, "%s: internal error: %llu bytes delivered to sockets were never read "
                        "(a reader was not woken); the report is wrong\n", s->cmd, (unsigned long long)unread);
        return RX_EXIT_INTERNAL;
    }
    if (unread)
        fprintf(stderr, "%s: note: %llu bytes delivered to sockets were not read before the run stopped\n",
                s->cmd, (unsigned long long)unread);
    /* A frame no ring could hold: named here; the data it carried is flagged
     * per direction (dropped by the NIC, or stranded), which makes exit 5. */
    uint64_t too_long = s->host.st.drops[RX_DROP_FRAME_TOO_LONG];
    if (too_long)
        fprintf(stderr, "%s: warning: %llu frames dropped as frame_too_long: longer than %u KiB or than "
                "--ring %u descriptors of %u bytes hold\n",
                s->cmd, (unsigned long long)too_long, SKB_FRAME_MAX >> 10, c->ring, SKB_BUF_SIZE);
    if (partial)
        return RX_EXIT_PARTIAL;         /* 4 wins over 5; the report says both */
    struct run_metrics mt;
    run_metrics(&v, &mt);
    return mt.unanswered.reasons ? RX_EXIT_UNANSWERED : RX_EXIT_OK;
}

void run_session_fini(struct run_session *s)
{
    if (s->timeline.f)
        sim_timeline_close(&s->timeline);
    for (int i = 0; i < s->nnics; i++)
        nic_fini(&s->nic[i]);
    for (int i = 0; i < RUN_MAX_NICS; i++)
        nic_payload_fini(&s->payload[i]);
    for (int i = 0; i < RUN_MAX_NICS; i++) {
        trace_close(s->src[i].t);
        s->src[i].t = NULL;
        nic_trace_fini(&s->src[i]);
    }
    if (s->host_up)
        rx_host_fini(&s->host);
    stream_hash_free(s->hasher);
    if (s->pool_up) {
        if (s->recycle->destroy)
            s->recycle->destroy(s->recycle_state);
        skb_pool_fini(&s->pool);
    }
    if (s->machine_up)
        sim_machine_fini(&s->m);
    costs_free(s->profile);
}
