/* netstack/app.c: the receiving application: one netperf-like reader process
 * per socket, recv(recv_size) in a loop, blocking when its socket is empty
 * and woken by the softirq that queues data (on the CPU the --app policy
 * picks); each read copies through the checksum policy's copy_out, hashes
 * the bytes and releases the buffers it emptied.  Also the histograms its
 * reads fill: wire-to-reader latency, and the bytes queued at each recv(). */
#include <stdlib.h>

#include "netstack/host_internal.h"

/* ---- histograms: 32 sub-buckets per power of two -------------------------- */

static unsigned hist_bucket(uint64_t v)
{
    if (v < 32)
        return (unsigned)v;
    unsigned msb = 63 - (unsigned)__builtin_clzll((unsigned long long)v);
    unsigned sub = (unsigned)(v >> (msb - 5)) & 31;
    return (msb - 4) * 32 + sub;
}

static uint64_t hist_bucket_value(unsigned b)
{
    if (b < 32)
        return b;
    unsigned msb = b / 32 + 4, sub = b % 32;
    return ((uint64_t)(32 + sub)) << (msb - 5);
}

static void hist_record(struct rx_hist *hs, uint64_t v)
{
    unsigned b = hist_bucket(v);
    if (b >= LAT_BUCKETS)
        b = LAT_BUCKETS - 1;
    hs->n[b]++;
    hs->count++;
    if (v > hs->max)
        hs->max = v;
}

static uint64_t hist_percentile(const struct rx_hist *hs, double pct)
{
    if (!hs->count)
        return 0;
    uint64_t want = (uint64_t)(pct / 100.0 * (double)hs->count + 0.5);
    if (want < 1)
        want = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < LAT_BUCKETS; b++) {
        seen += hs->n[b];
        if (seen >= want)
            return hist_bucket_value(b) < hs->max ? hist_bucket_value(b) : hs->max;
    }
    return hs->max;
}

static void latency_record(struct rx_host *h, sim_ps v)
{
    hist_record(&h->st.lat, v < 0 ? 0 : (uint64_t)v);
}

sim_ps rx_host_latency(const struct rx_host *h, double pct)
{
    return (sim_ps)hist_percentile(&h->st.lat, pct);
}

uint64_t rx_host_rcvq(const struct rx_host *h, double pct)
{
    return hist_percentile(&h->st.rcvq, pct);
}

/* ---- readers ------------------------------------------------------------- */

static bool cpu_idle(const struct sim_cpu *c)
{
    if (c->running)
        return false;
    for (int l = 0; l < SIM_LEVEL__COUNT; l++)
        if (c->head[l])
            return false;
    return true;
}

static int reader_cpu(struct rx_host *h, struct rx_sock *s, int waker)
{
    switch (h->cfg.app) {
    case APP_FIXED:
        return h->cfg.app_cpu;
    case APP_WAKER:
        return waker;
    case APP_FLOAT:
    default: {
        int idle[SIM_MAX_CPUS], n = 0;
        for (int i = 0; i < h->m->ncpus; i++)
            if (cpu_idle(&h->m->cpu[i]))
                idle[n++] = i;
        if (!n)
            return s->cpu >= 0 ? s->cpu : waker;
        return idle[sim_rng_below(&h->m->rng, (uint64_t)n)];
    }
    }
}

static void reader_submit(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct rx_sock *s = ev->arg;
    sim_cpu_submit(&s->host->m->cpu[s->cpu], &s->reader);
}

void rx_app_wake(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    int target = reader_cpu(h, s, cpu->id);
    sim_machine_charge(h->m, cpu, SIM_FN_WAKE_UP, SIM_COST_WAKEUP);
    if (target != cpu->id) {
        sim_machine_charge_more(h->m, cpu, SIM_FN_WAKE_UP, SIM_COST_WAKEUP_IPI);   /* same call */
        h->st.wakeup_ipis++;
    }
    sim_machine_touch(h->m, cpu, SIM_FN_WAKE_UP, s->sock_addr, SIM_CACHE_LINE, true);
    if (s->cpu >= 0 && s->cpu != target)
        s->migrations++;
    s->cpu = target;
    s->blocked = false;
    s->woken = true;
    s->wakeups++;
    h->st.wakeups++;
    /* The reader becomes runnable when the wakeup happens, inside this item. */
    if (sim_schedule_fn(&h->m->q, sim_cpu_now(cpu), reader_submit, s) < 0)
        abort();
}

void rx_app_reader_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct rx_sock *s = w->arg;
    struct rx_host *h = s->host;

    if (s->woken) {                     /* switched in after a wakeup */
        sim_machine_charge(h->m, cpu, SIM_FN_SCHEDULE, SIM_COST_SCHEDULE);
        s->woken = false;
    }
    if (!s->head) {                     /* nothing to read: block in recv() */
        s->blocked = true;
        return;
    }
    sim_machine_charge(h->m, cpu, SIM_FN_TCP_RECVMSG, SIM_COST_RECVMSG);    /* the call's own part */
    hist_record(&h->st.rcvq, s->queued);    /* how far this reader lags (validate: FIONREAD) */
    sim_machine_touch(h->m, cpu, SIM_FN_TCP_RECVMSG, s->sock_addr, SIM_CACHE_LINE, true);
    uint32_t done = 0;
    while (done < h->cfg.recv_size && s->head) {
        struct rx_chunk *c = s->head;
        uint32_t k = c->len - s->head_off;
        if (k > h->cfg.recv_size - done)
            k = h->cfg.recv_size - done;
        h->cfg.csum->copy_out(h, cpu, c, s->head_off, s->user_buf + done, s->user_addr + done, k);
        done += k;
        s->head_off += k;
        if (s->head_off == c->len) {
            /* the kernel's recv cost follows the skbs it takes (validate: ~450
             * cycles per skb with and without GRO, 20383 vs 4437 per call) */
            if (c->skb_head)
                sim_machine_charge_more(h->m, cpu, SIM_FN_TCP_RECVMSG, SIM_COST_RECVMSG_SKB);
            latency_record(h, sim_cpu_now(cpu) - c->arrival);
            s->head = c->next;
            if (!s->head)
                s->tail = NULL;
            s->head_off = 0;
            if (c->buf)
                rx_host_buf_put(h, cpu, c->buf);
            rx_chunk_free(h, c);
        }
    }
    if (h->cfg.app_cycles_per_byte > 0)
        sim_cpu_charge(cpu, SIM_FN_APP_WORK, (uint64_t)(h->cfg.app_cycles_per_byte * done + 0.5));
    if (h->cfg.hash)
        h->cfg.hash(h->cfg.hash_ctx, &s->sha, s->user_buf, done);
    else
        sha256_update(&s->sha, done, s->user_buf);
    s->queued -= done;
    if (done)
        rx_sock_ack_read(h, cpu, s);
    s->bytes_read += done;
    s->reads++;
    h->st.bytes_read += done;
    h->st.last_read = sim_cpu_now(cpu);
    sim_cpu_submit(cpu, &s->reader);    /* the loop's next recv() */
}
