/* sim/cli/cmd_run.c: rxsim run: traces → NICs → the host's receive path on
 * the simulated machine, then the report (run_report.c). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "copy/costs.h"
#include "drivers/nic.h"
#include "drivers/nic_trace.h"
#include "netstack/host.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/recycle.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/realtime.h"
#include "sim/cli/run_config.h"
#include "sim/cli/run_report.h"
#include "sim/cli/stream_hash.h"
#include "sim/machine.h"

#ifndef RXSIM_DEFAULT_PROFILE
#define RXSIM_DEFAULT_PROFILE "copy/profiles/default.json"
#endif

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim run [OPTIONS] TRACE...\n"
        "\n"
        "Replays traces through a simulated host's receive path (NIC, CPUs with caches,\n"
        "hardirq, softirq, sockets, one reader process per connection) and reports\n"
        "where the cycles went.  Several traces: one NIC each.\n"
        "\n"
        "machine:\n"
        "  --cpus N              simulated CPUs (default 2)\n"
        "  --ghz G               their clock (default: the calibration profile's TSC)\n"
        "  --cache-kib K         cache per CPU for the lines the path touches (default 1024)\n"
        "  --seed S              seed for every random choice (default 1)\n"
        "policies (rxsim run --list shows them all):\n"
        "  --csum P              softirq | process | offload (default softirq)\n"
        "  --delivery P          packet | batch:N | gro (default packet)\n"
        "  --recycle P           none | global | percpu | origin | ring (default percpu)\n"
        "  --copy NAME           the reader's copy routine (default glibc)\n"
        "  --csum-copy NAME      combined routine for --csum process (default: best available)\n"
        "  --irq R               fixed:C | rr | rss (default fixed:0)\n"
        "  --app A               reader affinity fixed:C | waker | float (default fixed:1, or\n"
        "                        fixed:0 with one CPU)\n"
        "NIC:\n"
        "  --ring N              RX descriptors per queue (default 256)\n"
        "  --queues N            RX queues, RSS over the 4-tuple (default 1)\n"
        "  --rx-usecs U          interrupt coalescing delay (default 20)\n"
        "  --rx-frames F         interrupt after F frames (default 0: off)\n"
        "  --budget B            frames per NAPI poll (default 64)\n"
        "  --replay M            trace (capture times, default) | rate:RATE (back to back,\n"
        "                        e.g. rate:10G, rate:2.5G, rate:100M)\n"
        "application:\n"
        "  --msg-size B          recv() size (default 16384)\n"
        "  --app-cycles-per-byte X  the application's own work (default 0)\n"
        "input and costs:\n"
        "  --filter EXPR         BPF filter on the traces\n"
        "  --host ADDR           the receiving host (default: destination of the first SYN,\n"
        "                        else of the first data); frames to other hosts are skipped\n"
        "  --no-verify-csum      accept bad checksums (sender-side captures)\n"
        "  --profile FILE        calibration profile (default the checked-in one)\n"
        "  --costs FILE          JSON {\"cost\": cycles} overriding per-event costs\n"
        "                        (docs/model.md lists them with their sources)\n"
        "  --timing T            model (default: calibrated costs, deterministic) |\n"
        "                        measured (rdtsc cycles of each real copy/checksum call;\n"
        "                        NOT deterministic, the report says so)\n"
        "output:\n"
        "  --json                the report as JSON\n"
        "  --csv                 the report as CSV: section,name,value rows\n"
        "  --timeline FILE       what each CPU ran, as Chrome/Perfetto trace-event JSON\n"
        "                        (open in ui.perfetto.dev; at most 2M events)\n"
        "  --no-progress         no progress line (default: shown on a terminal)\n"
        "  --progress            progress even when stderr is not a terminal (one line each)\n"
        "  --realtime[=SPEED]    replay at the trace's own pace (x SPEED, default 1) with live\n"
        "                        counters on stderr each second; same report; Ctrl-C stops\n"
        "                        early and reports what ran\n"
        "  --list                policies and copy routines\n"
        "\n"
        "exit status: 0 ok, 2 usage, 3 unusable input, 4 partial trace, 1 internal error.\n");
}

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
        fprintf(stderr, "rxsim run: %s '%s': want a whole number from %u to %u\n", opt, s, lo, hi);
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
        fprintf(stderr, "rxsim run: %s '%s': want a number from %g to %g\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
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

/* --costs FILE: {"irq_entry": 1000, ...}; unknown names are errors. */
static int load_costs(const char *path, struct sim_cost_table *t)
{
    json_object *o = json_object_from_file(path);
    if (!o || !json_object_is_type(o, json_type_object)) {
        fprintf(stderr, "rxsim run: --costs %s: not a JSON object (%s)\n", path, json_util_get_last_err());
        json_object_put(o);
        return -1;
    }
    int rc = 0;
    json_object_object_foreach(o, key, val) {
        int i = sim_cost_find(key);
        int64_t v = json_object_get_int64(val);
        if (i < 0 || !json_object_is_type(val, json_type_int) || v < 0 || v > 100000000) {
            fprintf(stderr, "rxsim run: --costs %s: \"%s\": %s\n", path, key,
                    i < 0 ? "no such cost (docs/model.md lists them)" : "want whole cycles, 0..1e8");
            rc = -1;
            continue;
        }
        t->cycles[i] = (uint64_t)v;
    }
    json_object_put(o);
    return rc;
}

struct run {
    struct run_config cfg;
    struct sim_machine m;
    struct costs *profile;
    struct skb_pool pool;
    const struct recycle_policy_ops *recycle;
    void *recycle_state;
    struct rx_host host;
    struct nic nic[RUN_MAX_TRACES];
    struct nic_trace src[RUN_MAX_TRACES];
    int nnics;
    char host_addr[64];
    struct sim_timeline timeline;
    struct stream_hash *hasher;         /* readers' SHA-256 on a second thread */
};

static void hash_async(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n)
{
    stream_hash_update(ctx, sha, p, n);
}

static void stack_rx(void *ctx, struct sim_cpu *cpu, struct skb_buf *buf, const struct nic_frame *f)
{
    struct rx_frame fr = {
        .buf = buf, .ts_ns = f->ts_ns, .arrival = f->arrival, .frame_no = f->frame_no,
        .len = f->len, .wire_len = f->wire_len, .ethernet = f->ethernet,
        .l3_off = f->l3_off, .l3_proto = f->l3_proto,
    };
    rx_host_frame(ctx, cpu, buf, &fr);
}

static void stack_flush(void *ctx, struct sim_cpu *cpu)
{
    rx_host_poll_end(ctx, cpu);
}

static void stack_dropped(void *ctx, const struct nic_frame *f, int reason)
{
    (void)f;
    rx_host_nic_drop(ctx, reason);
}

static void progress_line(const struct run *r)
{
    uint64_t frames = 0;
    for (int i = 0; i < r->nnics; i++)
        frames += r->nic[i].st.frames_in;
    /* A terminal gets one line redrawn; a pipe or file (rxsim serve) a line each. */
    bool tty = isatty(2);
    fprintf(stderr, "%srxsim run: %llu frames, %.6f s simulated%s", tty ? "\r" : "",
            (unsigned long long)frames, (double)r->m.q.now / (double)SIM_PS_PER_SEC, tty ? "" : "\n");
}

/* --realtime's live line (realtime.c calls it once a wall second). */
static void realtime_line(void *ctx, FILE *out, double wall_s)
{
    const struct run *r = ctx;
    uint64_t frames = 0, irqs = 0, drops = 0;
    for (int i = 0; i < r->nnics; i++) {
        frames += r->nic[i].st.frames_in;
        irqs += r->nic[i].st.interrupts;
    }
    for (int d = 0; d < RX_DROP__COUNT; d++)
        drops += r->host.st.drops[d];
    double sim_s = (double)r->m.q.now / (double)SIM_PS_PER_SEC;
    fprintf(out, "rxsim run: %.1f s wall, %.6f s simulated: %llu frames, %llu interrupts, "
            "%.2f frames/interrupt, goodput %.1f Mbit/s, %llu drops\n",
            wall_s, sim_s, (unsigned long long)frames, (unsigned long long)irqs,
            irqs ? (double)r->host.st.frames / (double)irqs : 0.0,
            sim_s > 0 ? (double)r->host.st.bytes_read * 8 / sim_s / 1e6 : 0.0,
            (unsigned long long)drops);
}

static int parse_args(int argc, char **argv, struct run_config *c, int *exit_now)
{
    enum {
        O_CPUS = 256, O_GHZ, O_CACHE, O_SEED, O_CSUM, O_DELIVERY, O_RECYCLE, O_COPY, O_CSUMCOPY,
        O_IRQ, O_APP, O_RING, O_QUEUES, O_USECS, O_FRAMES, O_BUDGET, O_REPLAY, O_MSG, O_APPCPB,
        O_FILTER, O_HOST, O_NOCSUM, O_PROFILE, O_COSTS, O_JSON, O_NOPROG, O_LIST, O_POOL,
        O_TIMING, O_TIMELINE, O_CSV, O_REALTIME, O_PROG,
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
        { "help", no_argument, NULL, 'h' }, { 0 },
    };
    *c = (struct run_config){
        .cpus = 2, .cache_kib = 1024, .seed = 1, .csum = "softirq", .delivery = "packet",
        .recycle = "percpu", .copy = "glibc", .irq = "fixed:0", .ring = 256, .queues = 1,
        .rx_usecs = 20, .budget = 64, .msg_size = 16384, .replay = "trace",
        .profile = RXSIM_DEFAULT_PROFILE, .verify_csum = true, .progress = isatty(2),
    };
    uint32_t u;
    int o;
    optind = 1;
    opterr = 0;
    *exit_now = -1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_CPUS: if (parse_u32("--cpus", optarg, 1, SIM_MAX_CPUS, &u)) return -1; c->cpus = (int)u; break;
        case O_GHZ: if (parse_double("--ghz", optarg, 0.1, 10, &c->ghz)) return -1; break;
        case O_CACHE: if (parse_u32("--cache-kib", optarg, 4, 1u << 20, &c->cache_kib)) return -1; break;
        case O_SEED: {
            char *end;
            c->seed = strtoull(optarg, &end, 10);
            if (end == optarg || *end) {
                fprintf(stderr, "rxsim run: --seed '%s': want a whole number\n", optarg);
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
        case O_RING: if (parse_u32("--ring", optarg, 2, 65536, &c->ring)) return -1; break;
        case O_QUEUES: if (parse_u32("--queues", optarg, 1, NIC_MAX_QUEUES, &c->queues)) return -1; break;
        case O_USECS: if (parse_u32("--rx-usecs", optarg, 0, 1000000, &c->rx_usecs)) return -1; break;
        case O_FRAMES: if (parse_u32("--rx-frames", optarg, 0, 65536, &c->rx_frames)) return -1; break;
        case O_BUDGET: if (parse_u32("--budget", optarg, 1, 65536, &c->budget)) return -1; break;
        case O_MSG: if (parse_u32("--msg-size", optarg, 1, 1u << 26, &c->msg_size)) return -1; break;
        case O_POOL: if (parse_u32("--pool", optarg, 16, 1u << 22, &c->pool)) return -1; break;
        case O_APPCPB: if (parse_double("--app-cycles-per-byte", optarg, 0, 1e6, &c->app_cycles_per_byte)) return -1; break;
        case O_REPLAY:
            c->replay = optarg;
            if (!strncmp(optarg, "rate:", 5)) {
                if (parse_rate(optarg + 5, &c->rate_bps) < 0) {
                    fprintf(stderr, "rxsim run: --replay '%s': want rate:RATE such as rate:10G\n", optarg);
                    return -1;
                }
            } else if (strcmp(optarg, "trace")) {
                fprintf(stderr, "rxsim run: --replay '%s': want trace or rate:RATE\n", optarg);
                return -1;
            }
            break;
        case O_FILTER: c->filter = optarg; break;
        case O_HOST: c->host = optarg; break;
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
                fprintf(stderr, "rxsim run: --timing '%s': want model or measured\n", optarg);
                return -1;
            }
            break;
        case O_NOPROG: c->progress = false; break;
        case O_PROG: c->progress = true; break;
        case O_REALTIME: {
            char *end = NULL;
            errno = 0;
            c->realtime = optarg ? strtod(optarg, &end) : 1.0;
            if (optarg && (errno || end == optarg || *end || !(c->realtime > 0 && c->realtime <= 1e6))) {
                fprintf(stderr, "rxsim run: --realtime '%s': want a speed above 0, up to 1e6\n", optarg);
                return -1;
            }
            break;
        }
        case O_LIST: list_all(); *exit_now = RX_EXIT_OK; return 0;
        case 'h': usage(stdout); *exit_now = RX_EXIT_OK; return 0;
        default:
            fprintf(stderr, "rxsim run: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return -1;
        }
    }
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
    if (!c->app)
        c->app = c->cpus > 1 ? "fixed:1" : "fixed:0";
    if (c->json && c->csv) {
        fprintf(stderr, "rxsim run: --json and --csv: choose one\n");
        return -1;
    }
    return 0;
}

/* Resolves names into the host config; messages name the bad option. */
static int resolve(struct run *r, struct rx_host_config *hc, struct irq_routing *irq)
{
    struct run_config *c = &r->cfg;
    *hc = (struct rx_host_config){ .msg_size = c->msg_size, .app_cycles_per_byte = c->app_cycles_per_byte,
                                   .verify_csum = c->verify_csum, .timing_measured = c->timing_measured };
    if (!(hc->csum = csum_policy_find(c->csum))) {
        fprintf(stderr, "rxsim run: --csum '%s': unknown (rxsim run --list)\n", c->csum);
        return -1;
    }
    char dname[32];
    const char *colon = strchr(c->delivery, ':');
    snprintf(dname, sizeof dname, "%.*s", colon ? (int)(colon - c->delivery) : (int)strlen(c->delivery), c->delivery);
    hc->deliver_arg = colon ? colon + 1 : NULL;
    if (!(hc->deliver = deliver_policy_find(dname))) {
        fprintf(stderr, "rxsim run: --delivery '%s': unknown (rxsim run --list)\n", c->delivery);
        return -1;
    }
    if (!(hc->recycle = recycle_policy_find(c->recycle))) {
        fprintf(stderr, "rxsim run: --recycle '%s': unknown (rxsim run --list)\n", c->recycle);
        return -1;
    }
    hc->copy = copy_find(c->copy);
    if (!hc->copy || hc->copy->kind != COPY_KIND_COPY || !copy_available(hc->copy)) {
        fprintf(stderr, "rxsim run: --copy '%s': %s\n", c->copy,
                !hc->copy || hc->copy->kind != COPY_KIND_COPY ? "not a copy routine (rxsim run --list)"
                                                              : "this CPU cannot run it");
        return -1;
    }
    if (c->csum_copy) {
        hc->csum_copy = copy_find(c->csum_copy);
        if (!hc->csum_copy || hc->csum_copy->kind != COPY_KIND_CSUM_COPY || !copy_available(hc->csum_copy)) {
            fprintf(stderr, "rxsim run: --csum-copy '%s': not an available combined routine\n", c->csum_copy);
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
        fprintf(stderr, "rxsim run: internal error: no checksum routine available\n");
        return -1;
    }
    if (irq_routing_parse(irq, c->irq, c->cpus) < 0) {
        fprintf(stderr, "rxsim run: --irq '%s': want fixed:C (C < --cpus), rr or rss\n", c->irq);
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
            fprintf(stderr, "rxsim run: --app '%s': want fixed:C (C < --cpus), waker or float\n", c->app);
            return -1;
        }
        hc->app = APP_FIXED;
        hc->app_cpu = (int)cpu;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run *r = calloc(1, sizeof *r);
    int exit_now, rc = RX_EXIT_USAGE;
    if (!r)
        return RX_EXIT_INTERNAL;
    if (parse_args(argc, argv, &r->cfg, &exit_now) < 0)
        goto out_free;
    if (exit_now >= 0) {
        rc = exit_now;
        goto out_free;
    }
    struct run_config *c = &r->cfg;
    struct rx_host_config hc;
    struct irq_routing irq;
    if (resolve(r, &hc, &irq) < 0)
        goto out_free;

    char err[1024];
    rc = RX_EXIT_INPUT;
    r->profile = costs_load(c->profile, err, sizeof err);
    if (!r->profile) {
        fprintf(stderr, "rxsim run: --profile: %s\n", err);
        goto out_free;
    }
    double tsc_ghz = costs_tsc_hz(r->profile) / 1e9;
    if (!c->ghz)
        c->ghz = tsc_ghz > 0.1 ? tsc_ghz : 2.6;
    hc.profile = r->profile;
    hc.tsc_to_cpu = tsc_ghz > 0 ? c->ghz / tsc_ghz : 1.0;

    struct sim_machine_config mc = { .ncpus = c->cpus, .mhz = (uint32_t)lround(c->ghz * 1000),
                                     .cache_lines = c->cache_kib * 1024 / SIM_CACHE_LINE, .seed = c->seed };
    rc = RX_EXIT_INTERNAL;
    if (sim_machine_init(&r->m, &mc) < 0) {
        fprintf(stderr, "rxsim run: cannot set up the machine (out of memory)\n");
        goto out_profile;
    }
    if (c->costs && load_costs(c->costs, &r->m.costs) < 0) {
        rc = RX_EXIT_INPUT;
        goto out_machine;
    }
    uint32_t pool = c->pool ? c->pool : c->ring * c->queues * (uint32_t)c->ntraces * 2 + 4096;
    if (skb_pool_init(&r->pool, &r->m, pool, 64) < 0) {
        fprintf(stderr, "rxsim run: out of memory for %u buffers\n", pool);
        goto out_machine;
    }
    r->recycle = hc.recycle;
    r->recycle_state = r->recycle->create ? r->recycle->create(&r->pool, &r->m) : NULL;
    r->hasher = stream_hash_new();
    if (r->hasher) {
        hc.hash = hash_async;
        hc.hash_ctx = r->hasher;
    }
    const char *herr;
    if (rx_host_init(&r->host, &hc, &r->m, &r->pool, r->recycle_state, &herr) < 0) {
        fprintf(stderr, "rxsim run: --delivery '%s': %s\n", c->delivery, herr);
        rc = RX_EXIT_USAGE;
        goto out_pool;
    }

    /* The receiving host: --host, or guessed from the first trace. */
    for (int i = 0; i < c->ntraces; i++)
        r->src[i].any_host = true;
    if (c->host) {
        if (nic_trace_set_host(&r->src[0], c->host) < 0) {
            fprintf(stderr, "rxsim run: --host '%s': not an IPv4 or IPv6 address\n", c->host);
            rc = RX_EXIT_USAGE;
            goto out_host;
        }
        snprintf(r->host_addr, sizeof r->host_addr, "%s", c->host);
    } else if (nic_trace_guess_host(c->traces[0], c->filter, &r->src[0], r->host_addr,
                                    sizeof r->host_addr) < 0) {
        snprintf(r->host_addr, sizeof r->host_addr, "any");
    }
    for (int i = 0; i < c->ntraces; i++) {
        struct nic_trace *s = &r->src[i];
        if (i) {
            s->any_host = r->src[0].any_host;
            s->host_v = r->src[0].host_v;
            memcpy(s->host, r->src[0].host, sizeof s->host);
        }
        struct trace_err terr;
        s->t = trace_open(c->traces[i], c->filter, &terr);
        if (!s->t) {
            fprintf(stderr, "rxsim run: %s\n", terr.msg);
            rc = RX_EXIT_INPUT;
            goto out_nics;
        }
        struct nic_config nc = { .ring = c->ring, .queues = c->queues, .rx_usecs = c->rx_usecs,
                                 .rx_frames = c->rx_frames, .budget = c->budget, .rate_bps = c->rate_bps,
                                 .irq = irq };
        struct nic_source src = nic_trace_source(s);
        struct nic_stack_ops ops = { .rx = stack_rx, .flush = stack_flush, .dropped = stack_dropped,
                                     .ctx = &r->host };
        if (nic_init(&r->nic[i], i, &nc, &r->m, &r->pool, r->recycle, r->recycle_state, &src, &ops) < 0) {
            fprintf(stderr, "rxsim run: cannot set up NIC %d\n", i);
            trace_close(s->t);
            s->t = NULL;
            goto out_nics;
        }
        r->nnics++;
    }
    if (c->timeline) {
        if (sim_timeline_open(&r->timeline, c->timeline, c->cpus, 2000000) < 0) {
            fprintf(stderr, "rxsim run: --timeline %s: %s\n", c->timeline, strerror(errno));
            rc = RX_EXIT_USAGE;
            goto out_nics;
        }
        for (int i = 0; i < c->cpus; i++)
            r->m.cpu[i].timeline = &r->timeline;
    }
    sim_machine_reset_stats(&r->m);     /* filling the rings is set-up, not the run */
    memset(&r->pool.st, 0, sizeof r->pool.st);
    for (int i = 0; i < r->nnics; i++)
        if (nic_start(&r->nic[i]) < 0)
            r->src[i].partial = true;

    uint64_t steps = 0;
    int rt = -1;                        /* --realtime: 0 drained, 1 Ctrl-C, -1 off or failed */
    if (c->realtime > 0) {
        c->progress = false;
        rt = realtime_run(&r->m.q, c->realtime, realtime_line, r, stderr);
        if (rt < 0)
            fprintf(stderr, "rxsim run: warning: --realtime: event loop failed; finishing unpaced\n");
        else if (rt == 1)
            fprintf(stderr, "rxsim run: interrupted at %.6f s simulated: the report covers what ran\n",
                    (double)r->m.q.now / (double)SIM_PS_PER_SEC);
    }
    while (rt < 0 && sim_step(&r->m.q, NULL))
        if (c->progress && (++steps & 0xfffff) == 0)
            progress_line(r);
    if (c->progress && isatty(2))
        fprintf(stderr, "\r\033[K");

    if (r->hasher)
        stream_hash_sync(r->hasher);    /* digests are final from here */
    bool partial = false;
    for (int i = 0; i < r->nnics; i++)
        if (r->src[i].partial) {
            partial = true;
            fprintf(stderr, "rxsim run: warning: %s\n", r->src[i].err.msg);
        }
    struct run_view v = { .cfg = c, .m = &r->m, .host = &r->host, .pool = &r->pool,
                          .nics = r->nic, .srcs = r->src, .nnics = r->nnics,
                          .host_addr = r->host_addr, .partial = partial,
                          .profile_path = c->profile, .copy = hc.copy, .csum_copy = hc.csum_copy };
    int wrc = c->json ? run_report_json(&v, stdout) : c->csv ? run_report_csv(&v, stdout)
                                                             : run_report_text(&v, stdout);
    if (c->timeline && sim_timeline_close(&r->timeline) < 0) {
        fprintf(stderr, "rxsim run: --timeline %s: write error\n", c->timeline);
        wrc = -1;
    }
    if (r->timeline.truncated)
        fprintf(stderr, "rxsim run: note: --timeline stopped at %llu events\n",
                (unsigned long long)r->timeline.max_events);
    if (fflush(stdout) != 0 || wrc < 0) {
        fprintf(stderr, "rxsim run: error writing the report\n");
        rc = RX_EXIT_INTERNAL;
    } else {
        rc = partial ? RX_EXIT_PARTIAL : RX_EXIT_OK;
    }

out_nics:
    if (r->timeline.f)
        sim_timeline_close(&r->timeline);
    for (int i = 0; i < r->nnics; i++)
        nic_fini(&r->nic[i]);
    for (int i = 0; i < c->ntraces; i++)
        trace_close(r->src[i].t);
out_host:
    rx_host_fini(&r->host);
out_pool:
    stream_hash_free(r->hasher);
    if (r->recycle->destroy)
        r->recycle->destroy(r->recycle_state);
    skb_pool_fini(&r->pool);
out_machine:
    sim_machine_fini(&r->m);
out_profile:
    costs_free(r->profile);
out_free:
    free(r);
    return rc;
}
