/* sim/session/run_session.c: the set-up, live line, report and tear-down
 * that `rxsim run` (cmd_run.c) and `rxsim live` (cmd_live.c) share; see
 * run_session.h.  The options are parsed before (sim/options/); here the
 * names they hold are resolved and the machine built, in the same order as
 * ever, so run's report is byte-identical to before. */
#include "sim/session/run_session.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "sim/options/progress.h"
#include "sim/session/closed_trace.h"
#include "sim/session/costs_file.h"
#include "sim/session/line_prices.h"
#include "sim/session/run_timeline.h"
#include "sim/session/exit_codes.h"

/* Resolves names into the host config; messages name the bad option. */
/* --csum-routine: the checksum routine the softirq's verification is priced
 * by (the calibration profile's curves for it); NULL after saying which
 * routines this CPU can run. */
static const struct copy_routine *csum_routine_named(const char *cmd, const char *name)
{
    const struct copy_routine *r = copy_find(name);
    if (r && r->kind == COPY_KIND_CSUM && copy_available(r))
        return r;
    fprintf(stderr, "%s: --csum-routine '%s': %s; available:", cmd, name,
            r && r->kind == COPY_KIND_CSUM ? "this CPU cannot run it" : "not a checksum routine");
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *a = copy_routine_at(i);
        if (a->kind == COPY_KIND_CSUM && copy_available(a))
            fprintf(stderr, " %s", a->name);
    }
    fprintf(stderr, "\n");
    return NULL;
}

static int resolve(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    struct rx_host_config *hc = &s->hc;
    const char *cmd = s->cmd;
    *hc = (struct rx_host_config){ .recv_size = c->recv_size, .app_cycles_per_byte = c->app_cycles_per_byte,
                                   .verify_csum = c->verify_csum, .timing_measured = c->timing_measured,
                                   .ooo_budget = c->ooo_budget, .max_conns = c->max_conns,
                                   .rcvbuf = c->rcvbuf, .rcvbuf_max = c->rcvbuf_max,
                                   .rcvbuf_fixed = !c->rcvbuf_autotune };
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
    if (!(hc->receive = receive_policy_find(c->receive))) {
        fprintf(stderr, "%s: --receive '%s': unknown (rxsim run --list)\n", cmd, c->receive);
        return -1;
    }
    if (hc->receive->maps && hc->csum->in_copy) {
        fprintf(stderr, "%s: --receive %s with --csum %s: the pages are mapped, never copied, so no copy can "
                "verify their checksum (Linux verifies in softirq, or the NIC does): use --csum softirq or "
                "offload\n", cmd, c->receive, c->csum);
        return -1;
    }
    hc->reader_threads = c->reader_threads;
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
    if (!(hc->csum_routine = csum_routine_named(cmd, c->csum_routine)))
        return -1;
    /* missed and moved lines keep the price they had when the checksum was
     * the best available one (csum_avx2 here): --csum-routine picks the
     * loop, not what memory costs */
    hc->line_probe = copy_csum_best();
    if (!hc->csum_copy) {
        fprintf(stderr, "%s: internal error: no checksum routine available\n", cmd);
        return -1;
    }
    c->csum_copy = hc->csum_copy->name;     /* the report echoes what runs */
    if (irq_routing_parse(&s->irq, c->irq, c->cpus) < 0) {
        fprintf(stderr, "%s: --irq '%s': want fixed:C (C < --cpus), rr or rss\n", cmd, c->irq);
        return -1;
    }
    if (nic_kind_parse(c->nic_kind, &s->veth, &s->veth_gap_ns) < 0) {
        fprintf(stderr, "%s: --nic-kind '%s': want nic, veth or veth:GAP (the gap in us that ends the "
                "sender's burst, 1 to 1000000)\n", cmd, c->nic_kind);
        return -1;
    }
    if (veth_sender_parse(c->veth_sender_cpu, c->cpus, &s->veth_sender_set, &s->veth_sender_cpu) < 0) {
        fprintf(stderr, "%s: --veth-sender-cpu '%s': want poll or a CPU C < --cpus\n", cmd,
                c->veth_sender_cpu);
        return -1;
    }
    if (s->veth_sender_set && !s->veth) {
        fprintf(stderr, "%s: --veth-sender-cpu %s: only a veth (--nic-kind veth) has a sender whose cache "
                "holds the frame; a NIC DMAs it\n", cmd, c->veth_sender_cpu);
        return -1;
    }
    hc->veth = s->veth;
    hc->veth_sender_cpu = s->veth_sender_set ? s->veth_sender_cpu : -1;
    if (app_affinity_parse(c->app, c->cpus, &hc->app, &hc->app_cpu) < 0) {
        fprintf(stderr, "%s: --app '%s': want " APP_AFFINITY_VALUES "\n", cmd, c->app);
        return -1;
    }
    return 0;
}

struct run_hash_hook run_hash_hook;

static void hash_async(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n)
{
    stream_hash_update(ctx, sha, p, n);
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
    struct run_costs_origin *origin = calloc(1, sizeof *origin);
    if (!origin) {
        fprintf(stderr, "%s: out of memory\n", cmd);
        return RX_EXIT_INTERNAL;
    }
    run_costs_origin_defaults(origin);
    if (c->costs && run_costs_load(cmd, c->costs, &s->m.costs, origin, stderr) < 0) {
        free(origin);
        return RX_EXIT_USAGE;           /* the option's file is wrong */
    }
    /* Every line priced by the calibration's rule unless the file set a flat price. */
    line_prices_from_profile(&s->m.lines, s->profile, s->hc.tsc_to_cpu, origin->from_file[SIM_COST_LINE_MISS],
                             origin->from_file[SIM_COST_LINE_TRANSFER]);
    free(origin);
    uint32_t pool = c->pool ? c->pool : c->ring * c->queues * (uint32_t)nnics * 2 + 4096;
    if (skb_pool_init(&s->pool, &s->m, pool, 64) < 0) {
        fprintf(stderr, "%s: out of memory for %u buffers\n", cmd, pool);
        return RX_EXIT_INTERNAL;
    }
    s->pool_up = true;
    s->recycle = s->hc.recycle;
    s->recycle_state = s->recycle->create ? s->recycle->create(&s->pool, &s->m) : NULL;
    if (run_hash_hook.hash) {           /* compare's rows in one process share their hashing */
        s->hc.hash = run_hash_hook.hash;
        s->hc.hash_ctx = run_hash_hook.ctx;
    } else if ((s->hasher = stream_hash_new())) {
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
                             .gro_flush_timeout_ns = c->gro_flush_timeout, .defer_hard_irqs = c->napi_defer_hard_irqs,
                             .veth = s->veth, .veth_gap_ns = s->veth_gap_ns,
                             .veth_sender_set = s->veth_sender_set, .veth_sender_cpu = s->veth_sender_cpu,
                             .irq = s->irq };
    struct nic_stack_ops ops = rx_host_stack_ops(&s->host);
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
    if (c->timeline_window && !c->timeline) {
        fprintf(stderr, "%s: --timeline-window needs --timeline FILE\n", s->cmd);
        return RX_EXIT_USAGE;
    }
    if (c->timeline) {
        struct run_timeline_view tv = { .cmd = s->cmd, .cfg = c, .m = &s->m, .host = &s->host, .nics = s->nic,
                                        .nnics = &s->nnics };
        int rc = run_timeline_open(&s->timeline, &tv);
        if (rc != RX_EXIT_OK)
            return rc;
    }
    sim_machine_reset_stats(&s->m);     /* filling the rings is set-up, not the run */
    memset(&s->pool.st, 0, sizeof s->pool.st);
    for (int i = 0; i < s->nnics; i++)
        if (nic_start(&s->nic[i]) < 0)
            s->src[i].partial = true;
    return RX_EXIT_OK;
}

/* Bytes of the traces read, of their sizes (sim/options/progress.h); a pipe
 * has no size, so then frames offered, without a total. */
static uint64_t progress_done(const struct run_session *s, bool bytes)
{
    uint64_t done = 0;
    for (int i = 0; i < s->nnics; i++)
        done += bytes ? (s->src[i].t ? trace_file_pos(s->src[i].t) : 0) : s->nic[i].st.frames_in;
    return done;
}

void run_session_drain(struct run_session *s)
{
    uint64_t steps = 0, total = 0;
    bool sized = s->nnics > 0;
    for (int i = 0; i < s->nnics; i++) {
        uint64_t size = s->src[i].t ? trace_file_size(s->src[i].t) : 0;
        sized = sized && size;
        total += size;
    }
    struct progress p;
    progress_begin(&p, s->cmd, sized ? "bytes" : "frames", sized ? total : 0, s->cfg.progress,
                   s->cfg.progress_lines || !isatty(2));
    while (sim_step(&s->m.q, NULL))
        if (s->cfg.progress && (++steps & 0xffff) == 0)
            progress_update(&p, progress_done(s, sized));
    progress_end(&p, progress_done(s, sized));
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
    if (run_hash_hook.sync)
        run_hash_hook.sync(run_hash_hook.ctx);
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
    struct sender_stats sst;
    if (s->closed_up)
        sender_stats(&s->sender, &sst);
    struct run_view v = { .cfg = c, .sender = s->closed_up ? &sst : NULL,
                          .workload = s->ctrace ? &s->ctrace->info : NULL, .sat = s->closed_up ? &s->sat : NULL, .m = &s->m, .host = &s->host, .pool = &s->pool,
                          .synth_segments = synth_segments, .synth_bytes = synth_bytes,
                          .nics = s->nic, .srcs = s->src, .nnics = s->nnics,
                          .host_addr = s->host_addr, .hosts = s->live ? NULL : s->host_choice,
                          .partial = partial,
                          .profile_path = c->profile, .copy = s->hc.copy, .csum_copy = s->hc.csum_copy,
                          .live = s->live };
    FILE *out = s->out ? s->out : stdout;
    int wrc = c->json ? run_report_json(&v, out) : c->csv ? run_report_csv(&v, out) : run_report_text(&v, out);
    if (c->timeline && sim_timeline_close(&s->timeline) < 0) {
        fprintf(stderr, "%s: --timeline %s: write error\n", s->cmd, c->timeline);
        wrc = -1;
    }
    if (s->timeline.truncated)
        fprintf(stderr, "%s: note: --timeline stopped at %llu events\n", s->cmd,
                (unsigned long long)s->timeline.max_events);
    if (fflush(out) != 0 || wrc < 0) {
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
    if (s->closed_up && sst.bytes_stranded && s->m.q.len == 0) {
        fprintf(stderr, "%s: internal error: %llu bytes the closed-loop senders sent were never acknowledged "
                        "(stranded); the report is wrong\n", s->cmd, (unsigned long long)sst.bytes_stranded);
        return RX_EXIT_INTERNAL;
    }
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
    if (s->closed_up)
        sender_fini(&s->sender);
    if (s->ctrace)
        closed_trace_free(s->ctrace);
    free(s->ctrace);
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
    if (s->capture)                     /* after the NIC, which may hold a captured frame */
        s->capture_close(s->capture);
}
