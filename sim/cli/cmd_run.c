/* sim/cli/cmd_run.c: rxsim run: traces → NICs → the host's receive path on
 * the simulated machine, then the report.  The set-up, the report and the
 * tear-down are run_session.c's, shared with rxsim live; here are only what
 * is run's own: the traces (one NIC each, or --nics N shares of one) and
 * running the event queue, all at once or paced (--realtime). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/nic.h"
#include "drivers/nic_trace.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/realtime.h"
#include "sim/cli/run_session.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim run [OPTIONS] TRACE...\n"
        "\n"
        "Replays traces through a simulated host's receive path (NIC, CPUs with caches,\n"
        "hardirq, softirq, sockets, one reader process per connection) and reports\n"
        "where the cycles went.  Several traces: one NIC each (or --nics N over one).\n"
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
        "  --irq R               fixed:C | rr | rss (default fixed:0); rss: NIC k's queue i\n"
        "                        to CPU (k x queues + i) mod cpus\n"
        "  --app A               reader affinity fixed:C | waker | float (default fixed:1, or\n"
        "                        fixed:0 with one CPU)\n"
        "NIC:\n"
        "  --ring N              RX descriptors per queue (default 256)\n"
        "  --queues N            RX queues, RSS over the 4-tuple (default 1)\n"
        "  --nics N              spread one trace's connections over N NICs (1..8), in\n"
        "                        order of first appearance, round-robin; each NIC has its\n"
        "                        own queues, ring, coalescing and interrupts\n"
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

int cmd_run(int argc, char **argv)
{
    struct run_session *s = calloc(1, sizeof *s);
    int exit_now, rc = RX_EXIT_USAGE;
    if (!s)
        return RX_EXIT_INTERNAL;
    struct run_config *c = &s->cfg;
    if (run_options_parse(argc, argv, c, RUN_MODE_RUN, usage, &exit_now) < 0)
        goto out;
    if (exit_now >= 0) {
        rc = exit_now;
        goto out;
    }
    /* One NIC per trace, or --nics N shares of the one trace. */
    int nnics = c->nics ? (int)c->nics : c->ntraces;
    rc = run_session_init(s, "rxsim run", nnics);
    if (rc != RX_EXIT_OK)
        goto out;

    /* The receiving host: --host, or guessed from the first trace. */
    for (int i = 0; i < nnics; i++)
        s->src[i].any_host = true;
    if (c->host) {
        if (nic_trace_set_host(&s->src[0], c->host) < 0) {
            fprintf(stderr, "rxsim run: --host '%s': not an IPv4 or IPv6 address\n", c->host);
            rc = RX_EXIT_USAGE;
            goto out;
        }
        snprintf(s->host_addr, sizeof s->host_addr, "%s", c->host);
    } else if (nic_trace_guess_host(c->traces[0], c->filter, &s->src[0], s->host_addr,
                                    sizeof s->host_addr) < 0) {
        snprintf(s->host_addr, sizeof s->host_addr, "any");
    }
    for (int i = 0; i < nnics; i++) {
        struct nic_trace *ns = &s->src[i];
        const char *path = c->traces[c->nics ? 0 : i];
        if (i)
            nic_trace_copy_host(ns, &s->src[0]);
        if (c->nics > 1) {
            ns->share = (uint32_t)i;
            ns->nshares = c->nics;
        }
        struct trace_err terr;
        ns->t = trace_open(path, c->filter, &terr);
        if (!ns->t) {
            fprintf(stderr, "rxsim run: %s\n", terr.msg);
            rc = terr.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
            goto out;
        }
        struct nic_source src = nic_trace_source(ns);
        if (run_session_add_nic(s, &src) < 0) {
            rc = RX_EXIT_INTERNAL;
            goto out;
        }
    }
    if ((rc = run_session_start(s)) != RX_EXIT_OK)
        goto out;

    int rt = -1;                        /* --realtime: 0 drained, 1 Ctrl-C, -1 off or failed */
    if (c->realtime > 0) {
        c->progress = false;
        rt = realtime_run(&s->m.q, c->realtime, run_session_live_line, s, stderr);
        if (rt < 0)
            fprintf(stderr, "rxsim run: warning: --realtime: event loop failed; finishing unpaced\n");
        else if (rt == 1)
            fprintf(stderr, "rxsim run: interrupted at %.6f s simulated: the report covers what ran\n",
                    (double)s->m.q.now / (double)SIM_PS_PER_SEC);
    }
    if (rt < 0)
        run_session_drain(s);
    rc = run_session_report(s);

out:
    run_session_fini(s);
    free(s);
    return rc;
}
