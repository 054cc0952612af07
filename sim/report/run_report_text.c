/* sim/report/run_report_text.c: run_report_text(), the report people read:
 * the configuration, the summary of result figures (result.c, from the
 * metric table), NICs, capture, drops, per-CPU categories, the flat profile
 * and the connections. */
#include "sim/report/run_report.h"

#include <string.h>

#include "sim/report/result.h"
#include "sim/report/run_report_parts.h"
#include "sim/report/workload_report.h"

static void text_config(const struct run_view *v, FILE *out)
{
    const struct run_config *c = v->cfg;
    if (c->payload_synth)               /* first: every figure below rests on it */
        fprintf(out, "PAYLOAD SYNTHESISED: %llu segments' payload cut by the snaplen (%llu bytes) filled with "
                     "a pattern (docs/model.md); their checksums treated as verified\n",
                (unsigned long long)v->synth_segments, (unsigned long long)v->synth_bytes);
    fprintf(out, "rxsim %s: %d CPU%s at %.2f GHz, csum=%s delivery=%s recycle=%s copy=%s irq=%s app=%s\n",
            v->live ? "live" : "run", c->cpus, c->cpus > 1 ? "s" : "", c->ghz, c->csum, c->delivery, c->recycle, c->copy, c->irq, c->app);
    char why[160] = "";
    if (v->hosts && c->ntraces == 1)
        report_host_why(&v->hosts[0], why, sizeof why);
    fprintf(out, "host %s%s; ring %u x %u queue%s, rx-usecs %u, rx-frames %u, budget %u; replay %s; recv-size %u\n",
            v->host_addr, why, c->ring, c->queues, c->queues > 1 ? "s" : "", c->rx_usecs, c->rx_frames, c->budget,
            v->live ? "live capture" : c->replay, c->recv_size);
    if (!v->live && (c->count || c->start || c->duration)) {   /* only part of each trace was read */
        fprintf(out, "trace window   only part of each trace read:");
        if (c->start)
            fprintf(out, " from %g s", c->start);
        if (c->duration)
            fprintf(out, " for %g s", c->duration);
        if (c->count)
            fprintf(out, "%s at most %llu frames", c->start || c->duration ? "," : "", (unsigned long long)c->count);
        fprintf(out, " (trace time; -c/--start/--duration)\n");
    }
    if (c->timing_measured)
        fprintf(out, "timing         MEASURED: cycles of the real copy/checksum calls on this machine; "
                     "NOT deterministic, runs will differ\n");
}

/* NICs (several traces, or --nics), rxsim live's capture, drops by reason. */
static void text_sources(const struct run_view *v, const struct run_metrics *mt, FILE *out)
{
    if (v->nnics > 1) {
        fprintf(out, "NICs\n");
        for (int i = 0; i < v->nnics; i++) {
            const struct nic *n = &v->nics[i];
            char nic_why[160] = "";
            if (v->hosts)
                report_host_why(&v->hosts[i], nic_why, sizeof nic_why);
            fprintf(out, "  nic%-3d %10llu frames in, %8llu interrupts, %8llu polls, %6llu ring full, %s, host %s%s\n",
                    i, (unsigned long long)n->st.frames_in, (unsigned long long)n->st.interrupts,
                    (unsigned long long)n->st.polls, (unsigned long long)n->st.dropped_ring_full,
                    report_nic_source(v, i), v->hosts ? v->hosts[i].addr : v->host_addr, nic_why);
        }
    }
    if (mt->rx_queues > 1) {
        fprintf(out, "RX queues (frames put on the ring, NAPI polls, polls that used up their budget, "
                     "the CPU of the last interrupt)\n");
        for (int i = 0; i < v->nnics; i++)
            for (uint32_t k = 0; k < v->nics[i].cfg.queues; k++) {
                const struct nic_queue *q = &v->nics[i].q[k];
                fprintf(out, "  nic%d q%-3u %10llu frames %8llu polls %6llu squeezed  CPU %d%s\n", i, (unsigned)k,
                        (unsigned long long)q->frames, (unsigned long long)q->polls,
                        (unsigned long long)q->squeezed, q->cpu, q->frames ? "" : "  (no frame: idle)");
            }
    }
    if (v->live)
        fprintf(out, "capture        %s: %llu frames in %.1f s (%llu not to this host), %llu lost in the "
                     "queue, %llu by the kernel; stopped by %s\n", v->live->iface,
                (unsigned long long)v->live->captured, v->live->wall_s, (unsigned long long)v->live->skipped,
                (unsigned long long)v->live->queue_drops, (unsigned long long)v->live->kernel_drops,
                v->live->stopped_by);
    if (mt->frames_dropped) {
        fprintf(out, "drops\n");
        for (int r = 0; r < RX_DROP__COUNT; r++)
            if (mt->drops[r])
                fprintf(out, "  %-15s %10llu  %s\n", rx_drop_key(r), (unsigned long long)mt->drops[r],
                        rx_drop_what(r));
    }
}

/* Per-CPU utilisation by category, the per-category figures, the profile. */
static void text_cpus(const struct run_view *v, const struct run_metrics *mt, FILE *out)
{
    const struct sim_machine *m = v->m;
    fprintf(out, "\n%-5s %7s", "cpu", "util%");
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        fprintf(out, " %9s", sim_category_key(k));
    if (mt->sat_measured)               /* --replay closed: the saturation window's utilisation */
        fprintf(out, " %9s", "sat.util%");
    fprintf(out, "\n");
    for (int i = 0; i < m->ncpus; i++) {
        const struct sim_cpu *cpu = &m->cpu[i];
        double cap = (double)cpu->mhz * 1e6 * mt->elapsed_s;
        fprintf(out, "%-5d %7.1f", i, cap > 0 ? 100.0 * (double)cpu->busy_cycles / cap : 0);
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            fprintf(out, " %9.1f", cap > 0 ? 100.0 * (double)cpu->cat_cycles[k] / cap : 0);
        if (mt->sat_measured)
            fprintf(out, " %9.1f", 100.0 * mt->sat_cpu_util[i]);
        fprintf(out, "\n");
    }
    for (size_t i = 0; i < report_nmetrics; i++)
        if (report_metrics[i].kind == REPORT_PER_CATEGORY) {
            fprintf(out, "\n%s:", report_metrics[i].label);
            report_family_text(&report_metrics[i], mt, out);
            fprintf(out, "\n");
        }
    fprintf(out, "\nprofile (all CPUs)\n%-24s %-9s %14s %7s %12s %10s\n", "function", "category", "cycles",
            "%", "calls", "lines_out");
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct report_fn_total ft = report_fn_total(m, f);
        if (!ft.cycles && !ft.calls)
            continue;
        fprintf(out, "%-24s %-9s %14llu %7.2f %12llu %10llu\n", sim_function_name(f),
                sim_category_key(sim_function_category(f)), (unsigned long long)ft.cycles,
                mt->total_cycles ? 100.0 * (double)ft.cycles / (double)mt->total_cycles : 0,
                (unsigned long long)ft.calls, (unsigned long long)ft.lines_out);
    }
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

/* A direction flagged that never got a reader (every byte behind a hole). */
static void text_unread(void *ctx, const struct tcp_conn *cn, int d, const struct rx_verdict *vd)
{
    char from[80], to[80], flags[256];
    report_endpoints(cn, d, from, to);
    dir_flags_text(vd, flags, sizeof flags);
    fprintf((FILE *)ctx, "  %s > %s  0 bytes read%s\n", from, to, flags);
}

/* Where s's reader ran: ", on CPU 1", or ", on CPU 0 62 % / 1 38 %" with
 * its migrations, by its cycles on each CPU; "" before it ever ran. */
static void reader_cpus(const struct rx_sock *s, char *buf, size_t size)
{
    uint64_t total = 0;
    int ncpus = s->host->m->ncpus, used = 0;
    for (int c = 0; c < ncpus; c++) {
        total += s->cycles_on[c];
        used += s->cycles_on[c] > 0;
    }
    size_t off = 0;
    buf[0] = '\0';
    for (int c = 0; total && c < ncpus && off < size; c++) {
        if (used == 1 && s->cycles_on[c])
            off += (size_t)snprintf(buf + off, size - off, ", on CPU %d", c);
        else if (used > 1 && s->cycles_on[c])
            off += (size_t)snprintf(buf + off, size - off, "%s%d %.0f %%", off ? " / " : ", on CPU ", c,
                                    100.0 * (double)s->cycles_on[c] / (double)total);
    }
    if (s->migrations && off < size)
        snprintf(buf + off, size - off, ", %llu migration%s", (unsigned long long)s->migrations,
                 s->migrations == 1 ? "" : "s");
}

static void text_connections(const struct run_view *v, FILE *out)
{
    static const struct rx_sock *socks[REPORT_MAX_LISTED];
    uint64_t total;
    int n = report_sock_list(v->host, socks, REPORT_MAX_LISTED, &total);
    fprintf(out, "\nconnections (directions this host received data on)\n");
    for (int i = 0; i < n; i++) {
        const struct rx_sock *s = socks[i];
        char from[80], to[80], sha[65];
        report_endpoints(s->conn, s->dir, from, to);
        report_sock_sha(s, sha);
        char where[32] = "";
        if (v->cfg->ntraces > 1)
            snprintf(where, sizeof where, "  (trace %u)", (unsigned)s->conn->netns + 1);
        struct rx_verdict vd;
        rx_verdict_of(&s->conn->dir[s->dir], true, &vd);
        char flags[256], cpus[SIM_MAX_CPUS * 12 + 64];
        dir_flags_text(&vd, flags, sizeof flags);
        reader_cpus(s, cpus, sizeof cpus);
        if (rx_verdict_has(&vd, RX_VERDICT_PAYLOAD_NOT_CAPTURED))
            fprintf(out, "  %s > %s  %llu bytes in %llu reads, %llu wakeups%s%s%s\n", from, to,
                    (unsigned long long)s->bytes_read, (unsigned long long)s->reads,
                    (unsigned long long)s->wakeups, cpus, where, flags);
        else
            fprintf(out, "  %s > %s  %llu bytes in %llu reads, %llu wakeups%s  sha256 %.16s%s%s\n", from, to,
                    (unsigned long long)s->bytes_read, (unsigned long long)s->reads,
                    (unsigned long long)s->wakeups, cpus, sha, where, flags);
    }
    if (total > (uint64_t)n)
        fprintf(out, "  ... %llu more connections not listed (the first %d of %llu are)\n",
                (unsigned long long)(total - (uint64_t)n), n, (unsigned long long)total);
    report_unread_flagged(v->host, text_unread, out);
}

int run_report_text(const struct run_view *v, FILE *out)
{
    struct run_metrics mt;
    run_metrics(v, &mt);
    text_config(v, out);
    fprintf(out, "\n");
    report_result_text(&mt, out);
    text_sources(v, &mt, out);
    text_cpus(v, &mt, out);
    text_connections(v, out);
    if (v->workload)
        workload_report_text(v->workload, out);
    return ferror(out) ? -1 : 0;
}
