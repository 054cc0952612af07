/* sim/report/run_report.c: see run_report.h. */
#include "sim/report/run_report.h"

#include <json-c/json.h>
#include <string.h>

#include "sim/report/verdict_json.h"

static double us(sim_ps v) { return (double)v / (double)SIM_PS_PER_US; }

struct fn_total {
    uint64_t cycles, calls, lines_out;
};

/* Function f's profile summed over every CPU. */
static struct fn_total fn_total(const struct sim_machine *m, int f)
{
    struct fn_total t = {0};
    for (int i = 0; i < m->ncpus; i++) {
        t.cycles += m->cpu[i].prof.cycles[f];
        t.calls += m->cpu[i].prof.calls[f];
        t.lines_out += m->cpu[i].prof.lines_out[f];
    }
    return t;
}

void run_metrics(const struct run_view *v, struct run_metrics *o)
{
    const struct sim_machine *m = v->m;
    const struct rx_host *h = v->host;
    *o = (struct run_metrics){0};
    sim_ps first = SIM_PS_MAX;
    for (int i = 0; i < v->nnics; i++) {
        const struct nic *n = &v->nics[i];
        o->frames_offered += n->st.frames_in;
        o->frames_skipped += v->srcs[i].skipped;
        if (v->srcs[i].t && v->srcs[i].share == 0)     /* --nics: every share reads the file */
            o->trace_warnings += trace_warnings(v->srcs[i].t);
        o->clock_full |= n->clock_full;
        o->nics_without_frames += !v->live && !v->srcs[i].ip_received;
        o->ts_backward += n->st.ts_backward;
        o->gaps_clamped += n->st.gaps_clamped;
        o->idle_removed_ns += n->st.idle_removed_ns;
        if (o->idle_removed_ns < n->st.idle_removed_ns)
            o->idle_removed_ns = UINT64_MAX;
        o->interrupts += n->st.interrupts;
        o->polls += n->st.polls;
        if (n->st.frames_in && n->st.first_arrival < first)
            first = n->st.first_arrival;
    }
    if (first == SIM_PS_MAX)
        first = 0;
    sim_ps end = m->q.now;
    o->elapsed_s = (double)(end - first) / (double)SIM_PS_PER_SEC;
    o->frames_to_stack = h->st.frames;
    for (int r = 0; r < RX_DROP__COUNT; r++)
        o->frames_dropped += h->st.drops[r];
    o->passes = h->st.passes;
    o->frames_per_irq = o->interrupts ? (double)h->st.frames / (double)o->interrupts : 0;
    o->frames_per_pass = o->passes ? (double)h->st.pass_frames / (double)o->passes : 0;
    double hz = (double)m->cpu[0].mhz * 1e6;
    uint64_t cat[SIM_CAT__COUNT] = {0};
    for (int c = 0; c < m->ncpus; c++) {
        o->total_cycles += m->cpu[c].busy_cycles;
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            cat[k] += m->cpu[c].cat_cycles[k];
        for (int f = 0; f < SIM_FN__COUNT; f++)
            o->lines_out_total += m->cpu[c].prof.lines_out[f];
    }
    double bytes = (double)h->st.bytes_read;
    if (o->elapsed_s > 0) {
        o->goodput_mbps = bytes * 8 / o->elapsed_s / 1e6;
        o->util_avg = (double)o->total_cycles / (hz * o->elapsed_s * m->ncpus);
        if (o->util_avg > 0)
            o->scaled_mbps = o->goodput_mbps / o->util_avg;
    }
    if (bytes > 0) {
        o->cycles_per_byte = (double)o->total_cycles / bytes;
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            o->cat_per_byte[k] = (double)cat[k] / bytes;
    }
    if (h->st.frames)
        o->cycles_per_packet = (double)o->total_cycles / (double)h->st.frames;
    o->lat_p50_us = us(rx_host_latency(h, 50));
    o->lat_p99_us = us(rx_host_latency(h, 99));
    o->lat_max_us = us(h->st.lat_max);
    for (size_t i = 0; i < h->ns.conns.count; i++)
        for (int d = 0; d < 2; d++) {
            struct rx_verdict vd;
            rx_verdict_of(&h->ns.conns.all[i]->dir[d], true, &vd);
            rx_verdict_add(&o->unanswered, &vd);
        }
    rx_verdict_describe(&o->unanswered, o->unanswered_text, sizeof o->unanswered_text);
}

const char *const run_not_meaningful_keys[] = { "goodput_mbps", "throughput_scaled_to_cpu_mbps",
                                                "cycles_per_byte", "cycles_per_byte_by_category", "latency" };
const int run_not_meaningful_nkeys = sizeof run_not_meaningful_keys / sizeof run_not_meaningful_keys[0];

static void sock_sha(const struct rx_sock *s, char out[65])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    struct sha256_ctx copy = s->sha;
    sha256_digest(&copy, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* The first max sockets in connection order (the host keeps them newest
 * first); *total gets how many there are in all. */
static int sock_list(const struct rx_host *h, const struct rx_sock **out, int max, uint64_t *total)
{
    uint64_t all = 0;
    for (const struct rx_sock *s = h->socks; s; s = s->next_all)
        all++;
    uint64_t skip = all > (uint64_t)max ? all - (uint64_t)max : 0, i = 0;
    int n = (int)(all - skip), k = n;
    for (const struct rx_sock *s = h->socks; s; s = s->next_all, i++)
        if (i >= skip)
            out[--k] = s;
    *total = all;
    return n;
}

/* Connections listed in a report, text and JSON alike; the rest are counted
 * and said to be left out (JSON: connections_total, connections_truncated),
 * so a report's size does not grow without bound with a trace's. */
#define MAX_LISTED 4096

/* " (guessed: receives 1234 of 5678 TCP payload bytes)" and the like. */
static void host_why(const struct run_host_choice *hc, char *buf, size_t size)
{
    if (hc->given)
        snprintf(buf, size, " (--host)");
    else if (hc->guess.how == NIC_TRACE_GUESS_PAYLOAD)
        snprintf(buf, size, " (guessed: receives %llu of %llu TCP payload bytes)",
                 (unsigned long long)hc->guess.host_payload, (unsigned long long)hc->guess.total_payload);
    else if (hc->guess.how == NIC_TRACE_GUESS_SYN)
        snprintf(buf, size, " (guessed: destination of the first SYN, no TCP payload)");
    else
        snprintf(buf, size, " (no TCP in the trace: every frame received)");
}

/* "  NOT MEANINGFUL: 5000 bytes stranded behind holes; payload not captured
 * (snaplen 96)" for a flagged direction, "" otherwise. */
static void dir_flags_text(const struct rx_verdict *v, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int r = 0; r < RX_VERDICT__COUNT && used < size; r++) {
        if (!rx_verdict_has(v, r))
            continue;
        char label[96];
        rx_verdict_label(r, v->snaplen, label, sizeof label);
        int n = snprintf(buf + used, size - used, "%s%llu bytes %s", used ? "; " : "  NOT MEANINGFUL: ",
                         (unsigned long long)v->bytes[r], label);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

int run_report_text(const struct run_view *v, FILE *out)
{
    const struct run_config *c = v->cfg;
    const struct sim_machine *m = v->m;
    const struct rx_host *h = v->host;
    struct run_metrics mt;
    run_metrics(v, &mt);

    if (c->payload_synth)               /* first: every figure below rests on it */
        fprintf(out, "PAYLOAD SYNTHESISED: %llu segments' payload cut by the snaplen (%llu bytes) filled with "
                     "a pattern (docs/model.md); their checksums treated as verified\n",
                (unsigned long long)v->synth_segments, (unsigned long long)v->synth_bytes);
    fprintf(out, "rxsim %s: %d CPU%s at %.2f GHz, csum=%s delivery=%s recycle=%s copy=%s irq=%s app=%s\n",
            v->live ? "live" : "run", c->cpus, c->cpus > 1 ? "s" : "", c->ghz, c->csum, c->delivery, c->recycle, c->copy, c->irq, c->app);
    char why[160] = "";
    if (v->hosts && c->ntraces == 1)
        host_why(&v->hosts[0], why, sizeof why);
    fprintf(out, "host %s%s; ring %u x %u queue%s, rx-usecs %u, rx-frames %u, budget %u; replay %s; msg-size %u\n",
            v->host_addr, why, c->ring, c->queues, c->queues > 1 ? "s" : "", c->rx_usecs, c->rx_frames, c->budget,
            v->live ? "live capture" : c->replay, c->msg_size);
    if (c->timing_measured)
        fprintf(out, "timing         MEASURED: cycles of the real copy/checksum calls on this machine; "
                     "NOT deterministic, runs will differ\n");
    fprintf(out, "\nsimulated      %.6f s%s\n", mt.elapsed_s, v->partial ? "  (PARTIAL trace)" : "");
    fprintf(out, "frames         %llu offered to the NIC, %llu skipped (not to this host), %llu to the stack, %llu dropped\n",
            (unsigned long long)mt.frames_offered, (unsigned long long)mt.frames_skipped,
            (unsigned long long)mt.frames_to_stack, (unsigned long long)mt.frames_dropped);
    if (mt.trace_warnings)
        fprintf(out, "warnings       %llu trace records warned about (the first are on stderr)\n",
                (unsigned long long)mt.trace_warnings);
    if (mt.nics_without_frames)
        fprintf(out, "warning        %llu NIC%s received no IP frames (none addressed to its host)\n",
                (unsigned long long)mt.nics_without_frames, mt.nics_without_frames > 1 ? "s" : "");
    if (mt.ts_backward || mt.gaps_clamped)
        fprintf(out, "replay clock   %llu frames stamped before the previous one (each follows it by its "
                     "own serialization time); %llu idle gaps over %lld s shortened to it (%.0f s of idle "
                     "removed)\n", (unsigned long long)mt.ts_backward, (unsigned long long)mt.gaps_clamped,
                (long long)(NIC_MAX_IDLE_NS / 1000000000), (double)mt.idle_removed_ns / 1e9);
    bool nm = mt.unanswered.reasons != 0;   /* the flagged figures print the reason instead */
    char nmtext[600];
    snprintf(nmtext, sizeof nmtext, "not meaningful (%s)", mt.unanswered_text);
    if (nm)
        fprintf(out, "unanswered     %s: the figures that depend on it are flagged\n", mt.unanswered_text);
    if (nm)
        fprintf(out, "goodput        %s; %llu bytes read by the readers\n", nmtext,
                (unsigned long long)h->st.bytes_read);
    else
        fprintf(out, "goodput        %.1f Mbit/s (%llu bytes read by %s)\n", mt.goodput_mbps,
                (unsigned long long)h->st.bytes_read, "the readers");
    if (rx_host_unread(h))
        fprintf(out, "UNREAD         %llu bytes delivered to sockets were never read by their readers\n",
                (unsigned long long)rx_host_unread(h));
    if (nm)
        fprintf(out, "CPU            %.1f %% average; throughput scaled to 100%% CPU: %s\n", 100 * mt.util_avg,
                nmtext);
    else
        fprintf(out, "CPU            %.1f %% average; throughput scaled to 100%% CPU: %.1f Mbit/s\n",
                100 * mt.util_avg, mt.scaled_mbps);
    if (nm)
        fprintf(out, "cycles         per byte %s; %.0f per packet\n", nmtext, mt.cycles_per_packet);
    else
        fprintf(out, "cycles         %.2f per byte, %.0f per packet\n", mt.cycles_per_byte, mt.cycles_per_packet);
    fprintf(out, "interrupts     %llu (%.2f frames each); softirq polls %llu; protocol passes %llu (%.2f frames each)\n",
            (unsigned long long)mt.interrupts, mt.frames_per_irq, (unsigned long long)mt.polls,
            (unsigned long long)mt.passes, mt.frames_per_pass);
    fprintf(out, "cache lines    %llu moved between CPUs\n", (unsigned long long)mt.lines_out_total);
    fprintf(out, "skb            %llu allocs, %llu frees, %llu remote frees, %llu recycled\n",
            (unsigned long long)v->pool->st.allocs, (unsigned long long)v->pool->st.frees,
            (unsigned long long)v->pool->st.remote_frees, (unsigned long long)v->pool->st.recycled);
    if (nm)
        fprintf(out, "latency        wire to application: %s\n", nmtext);
    else
        fprintf(out, "latency        wire to application: p50 %.1f us, p99 %.1f us, max %.1f us\n",
                mt.lat_p50_us, mt.lat_p99_us, mt.lat_max_us);
    fprintf(out, "wakeups        %llu (%llu to another CPU)\n", (unsigned long long)h->st.wakeups,
            (unsigned long long)h->st.wakeup_ipis);
    if (v->nnics > 1) {                 /* several traces, or --nics */
        fprintf(out, "NICs\n");
        for (int i = 0; i < v->nnics; i++) {
            const struct nic *n = &v->nics[i];
            char nic_why[160] = "";
            if (v->hosts)
                host_why(&v->hosts[i], nic_why, sizeof nic_why);
            fprintf(out, "  nic%-3d %10llu frames in, %8llu interrupts, %8llu polls, %6llu ring full, %s, host %s%s\n",
                    i, (unsigned long long)n->st.frames_in, (unsigned long long)n->st.interrupts,
                    (unsigned long long)n->st.polls, (unsigned long long)n->st.dropped_ring_full,
                    c->traces[c->nics ? 0 : i], v->hosts ? v->hosts[i].addr : v->host_addr, nic_why);
        }
    }
    if (v->live)
        fprintf(out, "capture        %s: %llu frames in %.1f s (%llu not to this host), %llu lost in the "
                     "queue, %llu by the kernel; stopped by %s\n", v->live->iface,
                (unsigned long long)v->live->captured, v->live->wall_s, (unsigned long long)v->live->skipped,
                (unsigned long long)v->live->queue_drops, (unsigned long long)v->live->kernel_drops,
                v->live->stopped_by);
    if (mt.frames_dropped) {
        fprintf(out, "drops\n");
        for (int r = 0; r < RX_DROP__COUNT; r++)
            if (h->st.drops[r])
                fprintf(out, "  %-15s %10llu  %s\n", rx_drop_key(r), (unsigned long long)h->st.drops[r],
                        rx_drop_what(r));
    }

    fprintf(out, "\n%-5s %7s", "cpu", "util%");
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        fprintf(out, " %9s", sim_category_key(k));
    fprintf(out, "\n");
    for (int i = 0; i < m->ncpus; i++) {
        const struct sim_cpu *cpu = &m->cpu[i];
        double cap = (double)cpu->mhz * 1e6 * mt.elapsed_s;
        fprintf(out, "%-5d %7.1f", i, cap > 0 ? 100.0 * (double)cpu->busy_cycles / cap : 0);
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            fprintf(out, " %9.1f", cap > 0 ? 100.0 * (double)cpu->cat_cycles[k] / cap : 0);
        fprintf(out, "\n");
    }
    fprintf(out, "\ncycles per byte by category:");
    if (nm)
        fprintf(out, " %s", nmtext);
    for (int k = 0; !nm && k < SIM_CAT__COUNT; k++)
        fprintf(out, " %s %.3f", sim_category_key(k), mt.cat_per_byte[k]);
    fprintf(out, "\n\nprofile (all CPUs)\n%-24s %-9s %14s %7s %12s %10s\n", "function", "category", "cycles",
            "%", "calls", "lines_out");
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct fn_total ft = fn_total(m, f);
        uint64_t cyc = ft.cycles, calls = ft.calls, lines = ft.lines_out;
        if (!cyc && !calls)
            continue;
        fprintf(out, "%-24s %-9s %14llu %7.2f %12llu %10llu\n", sim_function_name(f),
                sim_category_key(sim_function_category(f)), (unsigned long long)cyc,
                mt.total_cycles ? 100.0 * (double)cyc / (double)mt.total_cycles : 0,
                (unsigned long long)calls, (unsigned long long)lines);
    }
    static const struct rx_sock *socks[MAX_LISTED];
    uint64_t total;
    int n = sock_list(h, socks, MAX_LISTED, &total);
    fprintf(out, "\nconnections (directions this host received data on)\n");
    for (int i = 0; i < n; i++) {
        const struct rx_sock *s = socks[i];
        char from[80], to[80], sha[65];
        tcp_endpoint_format(&s->conn->ep[s->dir], s->conn->ip_version, from, sizeof from);
        tcp_endpoint_format(&s->conn->ep[!s->dir], s->conn->ip_version, to, sizeof to);
        sock_sha(s, sha);
        char where[32] = "";
        if (c->ntraces > 1)
            snprintf(where, sizeof where, "  (trace %u)", (unsigned)s->conn->netns + 1);
        struct rx_verdict vd;
        rx_verdict_of(&s->conn->dir[s->dir], true, &vd);
        char flags[256];
        dir_flags_text(&vd, flags, sizeof flags);
        if (rx_verdict_has(&vd, RX_VERDICT_PAYLOAD_NOT_CAPTURED))
            fprintf(out, "  %s > %s  %llu bytes in %llu reads, %llu wakeups%s%s\n", from, to,
                    (unsigned long long)s->bytes_read, (unsigned long long)s->reads,
                    (unsigned long long)s->wakeups, where, flags);
        else
            fprintf(out, "  %s > %s  %llu bytes in %llu reads, %llu wakeups  sha256 %.16s%s%s\n", from, to,
                    (unsigned long long)s->bytes_read, (unsigned long long)s->reads,
                    (unsigned long long)s->wakeups, sha, where, flags);
    }
    if (total > (uint64_t)n)
        fprintf(out, "  ... %llu more connections not listed (the first %d of %llu are)\n",
                (unsigned long long)(total - (uint64_t)n), n, (unsigned long long)total);
    /* Directions flagged that never got a reader (every byte behind a hole). */
    for (size_t i = 0; i < h->ns.conns.count; i++)
        for (int d = 0; d < 2; d++) {
            const struct tcp_conn *cn = h->ns.conns.all[i];
            struct rx_verdict vd;
            rx_verdict_of(&cn->dir[d], true, &vd);
            if (cn->dir[d].app || !vd.reasons)
                continue;
            char from[80], to[80], flags[256];
            tcp_endpoint_format(&cn->ep[d], cn->ip_version, from, sizeof from);
            tcp_endpoint_format(&cn->ep[!d], cn->ip_version, to, sizeof to);
            dir_flags_text(&vd, flags, sizeof flags);
            fprintf(out, "  %s > %s  0 bytes read%s\n", from, to, flags);
        }
    return ferror(out) ? -1 : 0;
}

static json_object *u64(uint64_t v) { return json_object_new_uint64(v); }
static json_object *dbl(double v) { return json_object_new_double(v); }

int run_report_json(const struct run_view *v, FILE *out)
{
    const struct run_config *c = v->cfg;
    const struct sim_machine *m = v->m;
    const struct rx_host *h = v->host;
    struct run_metrics mt;
    run_metrics(v, &mt);

    json_object *root = json_object_new_object();
    json_object *cfg = json_object_new_object();
    json_object *traces = json_object_new_array();
    for (int i = 0; i < c->ntraces; i++)
        json_object_array_add(traces, json_object_new_string(c->traces[i]));
    json_object_object_add(cfg, "traces", traces);
    if (c->nics)
        json_object_object_add(cfg, "nics", u64(c->nics));
    if (v->live)
        json_object_object_add(cfg, "interface", json_object_new_string(v->live->iface));
    json_object_object_add(cfg, "cpus", json_object_new_int(c->cpus));
    json_object_object_add(cfg, "ghz", dbl(c->ghz));
    json_object_object_add(cfg, "cache_kib", u64(c->cache_kib));
    json_object_object_add(cfg, "seed", u64(c->seed));
    json_object_object_add(cfg, "csum", json_object_new_string(c->csum));
    json_object_object_add(cfg, "delivery", json_object_new_string(c->delivery));
    json_object_object_add(cfg, "recycle", json_object_new_string(c->recycle));
    json_object_object_add(cfg, "copy", json_object_new_string(v->copy->name));
    json_object_object_add(cfg, "csum_copy", json_object_new_string(v->csum_copy->name));
    json_object_object_add(cfg, "irq", json_object_new_string(c->irq));
    json_object_object_add(cfg, "app", json_object_new_string(c->app));
    json_object_object_add(cfg, "ring", u64(c->ring));
    json_object_object_add(cfg, "queues", u64(c->queues));
    json_object_object_add(cfg, "rx_usecs", u64(c->rx_usecs));
    json_object_object_add(cfg, "rx_frames", u64(c->rx_frames));
    json_object_object_add(cfg, "budget", u64(c->budget));
    json_object_object_add(cfg, "replay", json_object_new_string(c->replay));
    json_object_object_add(cfg, "msg_size", u64(c->msg_size));
    json_object_object_add(cfg, "app_cycles_per_byte", dbl(c->app_cycles_per_byte));
    json_object_object_add(cfg, "host", json_object_new_string(v->host_addr));
    if (v->hosts) {
        json_object *hs = json_object_new_array();
        for (int i = 0; i < c->ntraces; i++) {
            const struct run_host_choice *hc = &v->hosts[c->nics ? 0 : i];
            json_object *o = json_object_new_object();
            json_object_object_add(o, "trace", json_object_new_string(c->traces[i]));
            json_object_object_add(o, "host", json_object_new_string(hc->addr));
            json_object_object_add(o, "chosen_by", json_object_new_string(
                hc->given ? "--host" : hc->guess.how == NIC_TRACE_GUESS_PAYLOAD ? "most_tcp_payload"
                          : hc->guess.how == NIC_TRACE_GUESS_SYN ? "first_syn" : "none"));
            if (!hc->given) {
                json_object_object_add(o, "payload_bytes_to_host", u64(hc->guess.host_payload));
                json_object_object_add(o, "payload_bytes_in_trace", u64(hc->guess.total_payload));
            }
            json_object_array_add(hs, o);
        }
        json_object_object_add(cfg, "hosts", hs);
    }
    json_object_object_add(cfg, "verify_csum", json_object_new_boolean(c->verify_csum));
    json_object_object_add(cfg, "payload", json_object_new_string(c->payload_synth ? "synth" : "captured"));
    json_object_object_add(cfg, "profile", json_object_new_string(v->profile_path));
    json_object_object_add(cfg, "timing", json_object_new_string(c->timing_measured ? "measured" : "model"));
    json_object_object_add(cfg, "deterministic", json_object_new_boolean(!c->timing_measured));
    json_object_object_add(root, "config", cfg);

    json_object *r = json_object_new_object();
    json_object_object_add(r, "partial", json_object_new_boolean(v->partial));
    if (c->payload_synth) {
        json_object *ps = json_object_new_object();
        json_object_object_add(ps, "segments", u64(v->synth_segments));
        json_object_object_add(ps, "bytes", u64(v->synth_bytes));
        json_object_object_add(ps, "checksums", json_object_new_string("treated as verified"));
        json_object_object_add(r, "payload_synthesised", ps);
    }
    json_object_object_add(r, "elapsed_s", dbl(mt.elapsed_s));
    json_object_object_add(r, "frames_offered", u64(mt.frames_offered));
    json_object_object_add(r, "trace_warnings", u64(mt.trace_warnings));
    json_object *clk = json_object_new_object();
    json_object_object_add(clk, "backward_steps", u64(mt.ts_backward));
    json_object_object_add(clk, "idle_gaps_clamped", u64(mt.gaps_clamped));
    json_object_object_add(clk, "max_idle_gap_s", u64(NIC_MAX_IDLE_NS / 1000000000));
    json_object_object_add(clk, "idle_removed_s", dbl((double)mt.idle_removed_ns / 1e9));
    json_object_object_add(clk, "range_exhausted", json_object_new_boolean(mt.clock_full));
    json_object_object_add(r, "replay_clock", clk);
    json_object_object_add(r, "nics_without_frames", u64(mt.nics_without_frames));
    json_object_object_add(r, "frames_skipped_not_to_host", u64(mt.frames_skipped));
    json_object_object_add(r, "frames_to_stack", u64(mt.frames_to_stack));
    json_object_object_add(r, "frames_dropped", u64(mt.frames_dropped));
    json_object_object_add(r, "bytes_read", u64(h->st.bytes_read));
    json_object_object_add(r, "bytes_unread", u64(rx_host_unread(h)));
    bool nm = mt.unanswered.reasons != 0;   /* flagged figures keep their key, as null */
    json_object_object_add(r, "goodput_mbps", nm ? NULL : dbl(mt.goodput_mbps));
    json_object_object_add(r, "cpu_utilisation", dbl(mt.util_avg));
    json_object_object_add(r, "throughput_scaled_to_cpu_mbps", nm ? NULL : dbl(mt.scaled_mbps));
    json_object_object_add(r, "cycles_total", u64(mt.total_cycles));
    json_object_object_add(r, "cycles_per_byte", nm ? NULL : dbl(mt.cycles_per_byte));
    json_object_object_add(r, "cycles_per_packet", dbl(mt.cycles_per_packet));
    json_object *cpb = json_object_new_object();
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        json_object_object_add(cpb, sim_category_key(k), nm ? NULL : dbl(mt.cat_per_byte[k]));
    json_object_object_add(r, "cycles_per_byte_by_category", cpb);
    json_object_object_add(r, "interrupts", u64(mt.interrupts));
    json_object_object_add(r, "softirq_polls", u64(mt.polls));
    json_object_object_add(r, "protocol_passes", u64(mt.passes));
    json_object_object_add(r, "frames_per_interrupt", dbl(mt.frames_per_irq));
    json_object_object_add(r, "frames_per_pass", dbl(mt.frames_per_pass));
    json_object_object_add(r, "acks", u64(h->st.acks));
    json_object_object_add(r, "wakeups", u64(h->st.wakeups));
    json_object_object_add(r, "wakeups_remote", u64(h->st.wakeup_ipis));
    json_object_object_add(r, "lines_moved", u64(mt.lines_out_total));
    json_object *skb = json_object_new_object();
    json_object_object_add(skb, "allocs", u64(v->pool->st.allocs));
    json_object_object_add(skb, "frees", u64(v->pool->st.frees));
    json_object_object_add(skb, "remote_frees", u64(v->pool->st.remote_frees));
    json_object_object_add(skb, "recycled", u64(v->pool->st.recycled));
    json_object_object_add(skb, "exhausted", u64(v->pool->st.exhausted));
    json_object_object_add(r, "skb", skb);
    json_object *lat = json_object_new_object();
    json_object_object_add(lat, "p50_us", nm ? NULL : dbl(mt.lat_p50_us));
    json_object_object_add(lat, "p99_us", nm ? NULL : dbl(mt.lat_p99_us));
    json_object_object_add(lat, "max_us", nm ? NULL : dbl(mt.lat_max_us));
    json_object_object_add(r, "latency", lat);
    json_object *nmk = json_object_new_array();
    for (int i = 0; nm && i < run_not_meaningful_nkeys; i++)
        json_object_array_add(nmk, json_object_new_string(run_not_meaningful_keys[i]));
    json_object_object_add(r, "not_meaningful", nmk);
    json_object_object_add(r, "unanswered", verdict_json_sum(&mt.unanswered));
    json_object *drops = json_object_new_object();
    for (int d = 0; d < RX_DROP__COUNT; d++)
        json_object_object_add(drops, rx_drop_key(d), u64(h->st.drops[d]));
    json_object_object_add(r, "drops", drops);
    json_object_object_add(root, "result", r);

    if (v->nnics > 1) {
        json_object *nics = json_object_new_array();
        for (int i = 0; i < v->nnics; i++) {
            const struct nic *n = &v->nics[i];
            json_object *o = json_object_new_object();
            json_object_object_add(o, "nic", json_object_new_int(i));
            json_object_object_add(o, "trace", json_object_new_string(c->traces[c->nics ? 0 : i]));
            json_object_object_add(o, "host", json_object_new_string(v->hosts ? v->hosts[i].addr : v->host_addr));
            json_object_object_add(o, "frames_in", u64(n->st.frames_in));
            json_object_object_add(o, "interrupts", u64(n->st.interrupts));
            json_object_object_add(o, "polls", u64(n->st.polls));
            json_object_object_add(o, "frames_polled", u64(n->st.frames_polled));
            json_object_object_add(o, "dropped_ring_full", u64(n->st.dropped_ring_full));
            json_object_object_add(o, "dropped_too_long", u64(n->st.dropped_too_long));
            json_object_object_add(o, "time_squeeze", u64(n->st.time_squeeze));
            json_object_array_add(nics, o);
        }
        json_object_object_add(root, "nics", nics);
    }
    if (v->live) {
        json_object *l = json_object_new_object();
        json_object_object_add(l, "interface", json_object_new_string(v->live->iface));
        json_object_object_add(l, "captured", u64(v->live->captured));
        json_object_object_add(l, "skipped_not_to_host", u64(v->live->skipped));
        json_object_object_add(l, "queue_drops", u64(v->live->queue_drops));
        json_object_object_add(l, "kernel_drops", u64(v->live->kernel_drops));
        json_object_object_add(l, "wall_s", dbl(v->live->wall_s));
        json_object_object_add(l, "stopped_by", json_object_new_string(v->live->stopped_by));
        json_object_object_add(root, "capture", l);
    }

    json_object *cpus = json_object_new_array();
    for (int i = 0; i < m->ncpus; i++) {
        const struct sim_cpu *cpu = &m->cpu[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "cpu", json_object_new_int(i));
        json_object_object_add(o, "busy_cycles", u64(cpu->busy_cycles));
        double cap = (double)cpu->mhz * 1e6 * mt.elapsed_s;
        json_object_object_add(o, "idle_cycles", u64(cap > (double)cpu->busy_cycles
                                                        ? (uint64_t)(cap - (double)cpu->busy_cycles) : 0));
        json_object_object_add(o, "utilisation", dbl(cap > 0 ? (double)cpu->busy_cycles / cap : 0));
        json_object *cats = json_object_new_object();
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            json_object_object_add(cats, sim_category_key(k), u64(cpu->cat_cycles[k]));
        json_object_object_add(o, "cycles_by_category", cats);
        json_object_array_add(cpus, o);
    }
    json_object_object_add(root, "cpus", cpus);

    json_object *prof = json_object_new_array();
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct fn_total ft = fn_total(m, f);
        uint64_t cyc = ft.cycles, calls = ft.calls, lines = ft.lines_out;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "function", json_object_new_string(sim_function_name(f)));
        json_object_object_add(o, "category", json_object_new_string(sim_category_key(sim_function_category(f))));
        json_object_object_add(o, "cycles", u64(cyc));
        json_object_object_add(o, "calls", u64(calls));
        json_object_object_add(o, "lines_out", u64(lines));
        json_object_array_add(prof, o);
    }
    json_object_object_add(root, "profile", prof);

    static const struct rx_sock *socks[MAX_LISTED];
    uint64_t total;
    int n = sock_list(h, socks, MAX_LISTED, &total);
    json_object *conns = json_object_new_array();
    for (int i = 0; i < n; i++) {
        const struct rx_sock *s = socks[i];
        char from[80], to[80], sha[65];
        tcp_endpoint_format(&s->conn->ep[s->dir], s->conn->ip_version, from, sizeof from);
        tcp_endpoint_format(&s->conn->ep[!s->dir], s->conn->ip_version, to, sizeof to);
        sock_sha(s, sha);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "from", json_object_new_string(from));
        json_object_object_add(o, "to", json_object_new_string(to));
        struct rx_verdict vd;
        rx_verdict_of(&s->conn->dir[s->dir], true, &vd);
        json_object_object_add(o, "bytes", u64(s->bytes_read));
        json_object_object_add(o, "sha256", rx_verdict_has(&vd, RX_VERDICT_PAYLOAD_NOT_CAPTURED)
                                                ? NULL : json_object_new_string(sha));
        json_object_object_add(o, "trace", json_object_new_int(s->conn->netns));
        json_object_object_add(o, "reads", u64(s->reads));
        json_object_object_add(o, "wakeups", u64(s->wakeups));
        json_object_object_add(o, "migrations", u64(s->migrations));
        verdict_json_dir(o, &vd);
        json_object_array_add(conns, o);
    }
    for (size_t i = 0; i < h->ns.conns.count; i++)     /* flagged, never read */
        for (int d = 0; d < 2; d++) {
            const struct tcp_conn *cn = h->ns.conns.all[i];
            struct rx_verdict vd;
            rx_verdict_of(&cn->dir[d], true, &vd);
            if (cn->dir[d].app || !vd.reasons)
                continue;
            char from[80], to[80];
            tcp_endpoint_format(&cn->ep[d], cn->ip_version, from, sizeof from);
            tcp_endpoint_format(&cn->ep[!d], cn->ip_version, to, sizeof to);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "from", json_object_new_string(from));
            json_object_object_add(o, "to", json_object_new_string(to));
            json_object_object_add(o, "bytes", u64(0));
            json_object_object_add(o, "sha256", rx_verdict_has(&vd, RX_VERDICT_PAYLOAD_NOT_CAPTURED)
                                                    ? NULL : json_object_new_string(
                                                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
            json_object_object_add(o, "reads", u64(0));
            json_object_object_add(o, "wakeups", u64(0));
            json_object_object_add(o, "migrations", u64(0));
            verdict_json_dir(o, &vd);
            json_object_array_add(conns, o);
        }
    json_object_object_add(root, "connections", conns);
    json_object_object_add(root, "connections_total", u64(total));
    json_object_object_add(root, "connections_truncated", json_object_new_boolean(total > (uint64_t)n));

    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = fprintf(out, "%s\n", text) < 0 ? -1 : 0;
    json_object_put(root);
    return rc;
}

static void csv_value(FILE *out, const char *section, const char *name, int decimals, double v,
                      const char *not_meaningful)
{
    if (not_meaningful)
        fprintf(out, "%s,%s,,%s\n", section, name, not_meaningful);
    else
        fprintf(out, "%s,%s,%.*f,\n", section, name, decimals, v);
}

/* CSV: one "section,name,value,not_meaningful" row per number, so a script
 * can grep a row or pivot the lot; names never contain commas.  A figure the
 * run cannot answer has an empty value and its reasons ("stranded;...") in
 * the last column, which is empty otherwise. */
int run_report_csv(const struct run_view *v, FILE *out)
{
    const struct sim_machine *m = v->m;
    const struct rx_host *h = v->host;
    struct run_metrics mt;
    run_metrics(v, &mt);
    const struct run_config *c = v->cfg;
    fprintf(out, "section,name,value,not_meaningful\n");
    fprintf(out, "config,csum,%s,\nconfig,delivery,%s,\nconfig,recycle,%s,\nconfig,copy,%s,\n"
                 "config,irq,%s,\nconfig,app,%s,\nconfig,cpus,%d,\nconfig,ghz,%.4f,\nconfig,msg_size,%u,\n"
                 "config,timing,%s,\nconfig,payload,%s,\n",
            c->csum, c->delivery, c->recycle, v->copy->name, c->irq, c->app, c->cpus, c->ghz, c->msg_size,
            c->timing_measured ? "measured" : "model", c->payload_synth ? "synth" : "captured");
    if (c->payload_synth)
        fprintf(out, "result,payload_synthesised_segments,%llu,\nresult,payload_synthesised_bytes,%llu,\n",
                (unsigned long long)v->synth_segments, (unsigned long long)v->synth_bytes);
    /* Flagged figures: an empty value and the reasons in the last column. */
    char why[128] = "";
    for (int r = 0, used = 0; r < RX_VERDICT__COUNT; r++)
        if (mt.unanswered.reasons & (1u << r))
            used += snprintf(why + used, sizeof why - (size_t)used, "%s%s", used ? ";" : "", rx_verdict_key(r));
    const char *nm = why[0] ? why : NULL;
    fprintf(out, "result,elapsed_s,%.9f,\nresult,frames_offered,%llu,\nresult,frames_to_stack,%llu,\n"
                 "result,frames_dropped,%llu,\nresult,bytes_read,%llu,\nresult,bytes_unread,%llu,\n",
            mt.elapsed_s, (unsigned long long)mt.frames_offered, (unsigned long long)mt.frames_to_stack,
            (unsigned long long)mt.frames_dropped, (unsigned long long)h->st.bytes_read,
            (unsigned long long)rx_host_unread(h));
    csv_value(out, "result", "goodput_mbps", 3, mt.goodput_mbps, nm);
    csv_value(out, "result", "cpu_utilisation", 6, mt.util_avg, NULL);
    csv_value(out, "result", "throughput_scaled_to_cpu_mbps", 3, mt.scaled_mbps, nm);
    csv_value(out, "result", "cycles_per_byte", 6, mt.cycles_per_byte, nm);
    fprintf(out, "result,cycles_per_packet,%.3f,\nresult,interrupts,%llu,\n"
                 "result,frames_per_interrupt,%.4f,\nresult,frames_per_pass,%.4f,\nresult,lines_moved,%llu,\n",
            mt.cycles_per_packet, (unsigned long long)mt.interrupts, mt.frames_per_irq, mt.frames_per_pass,
            (unsigned long long)mt.lines_out_total);
    csv_value(out, "result", "latency_p50_us", 3, mt.lat_p50_us, nm);
    csv_value(out, "result", "latency_p99_us", 3, mt.lat_p99_us, nm);
    csv_value(out, "result", "latency_max_us", 3, mt.lat_max_us, nm);
    fprintf(out, "result,skb_remote_frees,%llu,\nresult,trace_warnings,%llu,\n"
                 "result,clock_backward_steps,%llu,\nresult,clock_idle_gaps_clamped,%llu,\n"
                 "result,clock_idle_removed_s,%.9f,\nresult,nics_without_frames,%llu,\n",
            (unsigned long long)v->pool->st.remote_frees, (unsigned long long)mt.trace_warnings,
            (unsigned long long)mt.ts_backward, (unsigned long long)mt.gaps_clamped,
            (double)mt.idle_removed_ns / 1e9, (unsigned long long)mt.nics_without_frames);
    for (int r = 0; r < RX_VERDICT__COUNT; r++)
        if (mt.unanswered.reasons & (1u << r))
            fprintf(out, "unanswered,%s_bytes,%llu,\nunanswered,%s_directions,%llu,\n", rx_verdict_key(r),
                    (unsigned long long)mt.unanswered.bytes[r], rx_verdict_key(r),
                    (unsigned long long)mt.unanswered.directions[r]);
    for (int i = 0; v->nnics > 1 && i < v->nnics; i++)
        fprintf(out, "nic%d,frames_in,%llu,\nnic%d,interrupts,%llu,\nnic%d,dropped_ring_full,%llu,\n",
                i, (unsigned long long)v->nics[i].st.frames_in, i,
                (unsigned long long)v->nics[i].st.interrupts, i,
                (unsigned long long)v->nics[i].st.dropped_ring_full);
    if (v->live)
        fprintf(out, "capture,captured,%llu,\ncapture,queue_drops,%llu,\ncapture,kernel_drops,%llu,\n",
                (unsigned long long)v->live->captured, (unsigned long long)v->live->queue_drops,
                (unsigned long long)v->live->kernel_drops);
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        csv_value(out, "cycles_per_byte", sim_category_key(k), 6, mt.cat_per_byte[k], nm);
    for (int d = 0; d < RX_DROP__COUNT; d++)
        fprintf(out, "drops,%s,%llu,\n", rx_drop_key(d), (unsigned long long)h->st.drops[d]);
    for (int i = 0; i < m->ncpus; i++)
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            fprintf(out, "cpu%d,%s_cycles,%llu,\n", i, sim_category_key(k),
                    (unsigned long long)m->cpu[i].cat_cycles[k]);
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct fn_total ft = fn_total(m, f);
        uint64_t cyc = ft.cycles, lines = ft.lines_out;
        fprintf(out, "profile_cycles,%s,%llu,\nprofile_lines_out,%s,%llu,\n", sim_function_name(f),
                (unsigned long long)cyc, sim_function_name(f), (unsigned long long)lines);
    }
    return ferror(out) ? -1 : 0;
}
