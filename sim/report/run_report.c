/* sim/report/run_report.c: run_metrics(), and what the text and JSON
 * reports share (run_report_parts.h). */
#include "sim/report/run_report.h"

#include <string.h>

#include "sim/report/run_report_parts.h"

static double us(sim_ps v) { return (double)v / (double)SIM_PS_PER_US; }

struct report_fn_total report_fn_total(const struct sim_machine *m, int f)
{
    struct report_fn_total t = {0};
    for (int i = 0; i < m->ncpus; i++) {
        t.cycles += m->cpu[i].prof.cycles[f];
        t.calls += m->cpu[i].prof.calls[f];
        t.lines_out += m->cpu[i].prof.lines_out[f];
    }
    return t;
}

/* The host's latency, queue, checksum-line and socket figures. */
static void host_figures(const struct rx_host *h, struct run_metrics *o)
{
    o->lat_p50_us = us(rx_host_latency(h, 50));
    o->lat_p99_us = us(rx_host_latency(h, 99));
    o->lat_max_us = us((sim_ps)h->st.lat.max);
    o->rcvq_median_bytes = rx_host_rcvq(h, 50);
    o->csum_hits = h->st.csum_lines.hits;
    o->csum_misses = h->st.csum_lines.misses;
    o->csum_transfers = h->st.csum_lines.transfers;
    o->backlog_skbs = h->st.backlog_skbs;
    o->backlog_drains = h->st.backlog_drains;
    o->beside_sender_skbs = h->st.beside_sender_skbs;
    o->rcvbuf_grows = h->st.rcvbuf_grows;
    o->rcvbuf_prunes = h->st.rcvbuf_prunes;
    o->rcvbuf_over = h->st.rcvbuf_over;
    o->rcvbuf_over_bytes = h->st.rcvbuf_over_bytes;
}

/* --receive zerocopy: the REPORT_ZC_ONLY figures. */
static void zerocopy_figures(const struct rx_host *h, struct run_metrics *o)
{
    if (!h->cfg.receive || !h->cfg.receive->maps)
        return;
    o->zerocopy = true;
    o->zc_calls = h->st.zc_calls;
    o->zc_pages = h->st.zc_pages;
    o->zc_bytes_mapped = h->st.zc_bytes_mapped;
    o->zc_bytes_copied = h->st.zc_bytes_copied;
    o->zc_tlb_ipis = h->st.zc_tlb_ipis;
}

/* --replay closed: the senders' figures and those at saturation. */
static void closed_metrics(const struct run_view *v, struct run_metrics *o)
{
    const struct sender_stats *ss = v->sender;
    o->closed_loop = true;
    o->snd_segments = ss->segments;
    o->snd_retransmits = ss->retransmits;
    o->snd_fast_retransmits = ss->fast_retransmits;
    o->snd_rtos = ss->rtos;
    o->snd_probes = ss->probes;
    o->snd_dupacks = ss->dupacks;
    o->snd_stranded = ss->bytes_stranded;
    o->snd_wire_lost = ss->wire_lost;
    o->snd_wire_reordered = ss->wire_reordered;
    o->snd_not_sent = ss->bytes_not_sent;
    o->snd_recovery_s = (double)ss->recovery_ps / (double)SIM_PS_PER_SEC;
    report_sat_metrics(v->sat, v->m, o);
}

void run_metrics(const struct run_view *v, struct run_metrics *o)
{
    const struct sim_machine *m = v->m;
    const struct rx_host *h = v->host;
    *o = (struct run_metrics){0};
    o->partial = v->partial;
    o->synthesised = v->cfg->payload_synth;
    o->synth_segments = v->synth_segments;
    o->synth_bytes = v->synth_bytes;
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
        o->napi_timer_polls += n->st.napi_timer_polls;
        o->xmit_passes += n->st.xmit_passes;
        o->irqs_deferred += n->st.irqs_deferred;
        o->refill_retries += n->st.refill_retries;
        o->veth_sender_lines += n->st.sender_lines;
        if (n->st.frames_in && n->st.first_arrival < first)
            first = n->st.first_arrival;
        for (uint32_t k = 0; k < n->cfg.queues; k++) {
            o->rx_queues++;
            o->rx_queues_idle += !n->q[k].frames;
        }
    }
    o->max_idle_gap_s = NIC_MAX_IDLE_NS / 1000000000;
    o->idle_removed_s = (double)o->idle_removed_ns / 1e9;
    if (first == SIM_PS_MAX)
        first = 0;
    sim_ps end = m->q.now;
    o->elapsed_s = (double)(end - first) / (double)SIM_PS_PER_SEC;
    o->frames_to_stack = h->st.frames;
    for (int r = 0; r < RX_DROP__COUNT; r++) {
        o->drops[r] = h->st.drops[r];
        o->frames_dropped += h->st.drops[r];
    }
    o->bytes_read = h->st.bytes_read;
    o->bytes_unread = rx_host_unread(h);
    o->acks = h->st.acks;
    o->wakeups = h->st.wakeups;
    o->wakeups_remote = h->st.wakeup_ipis;
    o->migrations = h->st.migrations;
    o->migrations_balance = h->st.migrations_balance;
    o->skb_allocs = v->pool->st.allocs;
    o->skb_frees = v->pool->st.frees;
    o->skb_remote_frees = v->pool->st.remote_frees;
    o->skb_recycled = v->pool->st.recycled;
    o->skb_exhausted = v->pool->st.exhausted;
    o->skb_deferred = v->pool->st.deferred;
    o->skb_defer_flushes = v->pool->st.defer_flushes;
    o->skb_defer_kicks = v->pool->st.defer_kicks;
    o->skb_defer_full = v->pool->st.defer_full;
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
    if (bytes > 0)      /* cycles / MHz = microseconds; KB as netperf counts it, 1024 bytes */
        o->service_demand_us_per_kb = (double)o->total_cycles / (double)m->cpu[0].mhz / (bytes / 1024.0);
    if (h->st.frames)
        o->cycles_per_packet = (double)o->total_cycles / (double)h->st.frames;
    host_figures(h, o);
    zerocopy_figures(h, o);
    if (v->sender)
        closed_metrics(v, o);
    for (size_t i = 0; i < h->ns.conns.count; i++)
        for (int d = 0; d < 2; d++) {
            struct rx_verdict vd;
            rx_verdict_of(&h->ns.conns.all[i]->dir[d], true, &vd);
            rx_verdict_add(&o->unanswered, &vd);
        }
    rx_verdict_describe(&o->unanswered, o->unanswered_text, sizeof o->unanswered_text);
}

void report_sock_sha(const struct rx_sock *s, char out[65])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    struct sha256_ctx copy = s->sha;
    sha256_digest(&copy, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

int report_sock_list(const struct rx_host *h, const struct rx_sock **out, int max, uint64_t *total)
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

void report_endpoints(const struct tcp_conn *cn, int d, char from[80], char to[80])
{
    tcp_endpoint_format(&cn->ep[d], cn->ip_version, from, 80);
    tcp_endpoint_format(&cn->ep[!d], cn->ip_version, to, 80);
}

void report_unread_flagged(const struct rx_host *h,
                           void (*fn)(void *ctx, const struct tcp_conn *cn, int d, const struct rx_verdict *vd),
                           void *ctx)
{
    for (size_t i = 0; i < h->ns.conns.count; i++)
        for (int d = 0; d < 2; d++) {
            const struct tcp_conn *cn = h->ns.conns.all[i];
            struct rx_verdict vd;
            rx_verdict_of(&cn->dir[d], true, &vd);
            if (!cn->dir[d].app && vd.reasons)
                fn(ctx, cn, d, &vd);
        }
}

void report_host_why(const struct run_host_choice *hc, char *buf, size_t size)
{
    if (hc->closed && hc->given)
        snprintf(buf, size, " (--host; its streams sent by closed-loop senders)");
    else if (hc->closed && hc->guess.how == NIC_TRACE_GUESS_PAYLOAD)
        snprintf(buf, size, " (guessed: receives %llu of %llu TCP payload bytes; its streams sent by closed-loop "
                            "senders)",
                 (unsigned long long)hc->guess.host_payload, (unsigned long long)hc->guess.total_payload);
    else if (hc->closed)
        snprintf(buf, size, " (the closed-loop senders' receiver)");
    else if (hc->given)
        snprintf(buf, size, " (--host)");
    else if (hc->guess.how == NIC_TRACE_GUESS_PAYLOAD)
        snprintf(buf, size, " (guessed: receives %llu of %llu TCP payload bytes)",
                 (unsigned long long)hc->guess.host_payload, (unsigned long long)hc->guess.total_payload);
    else if (hc->guess.how == NIC_TRACE_GUESS_SYN)
        snprintf(buf, size, " (guessed: destination of the first SYN, no TCP payload)");
    else
        snprintf(buf, size, " (no TCP in the trace: every frame received)");
}

const char *report_nic_source(const struct run_view *v, int i)
{
    const struct run_config *c = v->cfg;
    if (v->sender)
        return "closed-loop link";
    const char *t = c->traces[c->nics ? 0 : i];
    return t ? t : "-";
}
