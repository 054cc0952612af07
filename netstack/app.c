/* netstack/app.c: the receiving application: one netperf-like reader process
 * per socket, recv(recv_size) in a loop, blocking when its socket is empty
 * and woken by the softirq that queues data (on the CPU the --app policy
 * picks: sched.h); each read copies through the checksum policy's copy_out,
 * hashes the bytes and releases the buffers it emptied.  The scheduler's
 * side lives here too: runnable readers counted per CPU, and under
 * `linux` the load balancer's ticks, armed only while a CPU is idle and
 * another has two runnable readers (so no tick outlives the run).  Also the
 * histograms its reads fill (netstack/hist.c): wire-to-reader latency, and
 * the bytes queued at each recv(). */
#include <stdlib.h>

#include "netstack/host_internal.h"

sim_ps rx_host_latency(const struct rx_host *h, double pct)
{
    return (sim_ps)rx_hist_percentile(&h->st.lat, pct);
}

uint64_t rx_host_rcvq(const struct rx_host *h, double pct)
{
    return rx_hist_percentile(&h->st.rcvq, pct);
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
    case APP_PIN_IRQ:                   /* pinned where its first wakeup came from */
        return s->cpu >= 0 ? s->cpu : waker;
    case APP_PIN_RR:
        if (s->cpu < 0)
            s->cpu = h->sched.next_pin++ % h->m->ncpus;
        return s->cpu;
    case APP_LINUX:
        return sched_linux_wake_cpu(h->sched.nr, h->m->ncpus, s->cpu, waker);
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

/* ---- linux's load balance ------------------------------------------------- */

static void balance_tick(struct sim_event *ev, void *ctx);

/* After a change of the runnable counts at time now: the next tick queued
 * while the balancer would find work at it, and not otherwise (the tick at
 * a period boundary fires only when the imbalance holds there). */
static void balance_arm(struct rx_host *h, sim_ps now)
{
    if (h->cfg.app != APP_LINUX)
        return;
    struct rx_sched *sc = &h->sched;
    int from, to;
    if (sched_linux_imbalance(sc->nr, h->m->ncpus, &from, &to)) {
        if (!sc->tick.queued) {
            sim_ps period = sched_balance_period(h->m->ncpus);
            sc->tick.fn = balance_tick;
            sc->tick.arg = h;
            if (sim_schedule(&h->m->q, &sc->tick, (now / period + 1) * period) < 0)
                abort();                /* the embedded event needs no memory */
        }
    } else if (sc->tick.queued) {
        sim_cancel(&h->m->q, &sc->tick);
        sc->balance_failed = 0;
    }
}

/* The reader on cpu's process queue that ran least recently, or NULL. */
static struct rx_sock *coldest_queued(struct rx_host *h, struct sim_cpu *cpu)
{
    struct rx_sock *pick = NULL;
    for (struct sim_work *w = cpu->head[SIM_LEVEL_PROCESS]; w; w = w->next) {
        if (w->run != h->reader_run)
            continue;
        struct rx_sock *s = w->arg;
        if (!pick || s->last_ran < pick->last_ran)
            pick = s;
    }
    return pick;
}

/* load_balance(): each idle CPU pulls one queued reader from the busiest. */
static void balance_tick(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct rx_host *h = ev->arg;
    struct rx_sched *sc = &h->sched;
    sim_ps now = h->m->q.now;
    int from, to;
    bool refused = false;
    while (sched_linux_imbalance(sc->nr, h->m->ncpus, &from, &to)) {
        struct rx_sock *s = coldest_queued(h, &h->m->cpu[from]);
        if (!s)
            break;                      /* the busiest's readers are running or on their way */
        if (now - s->last_ran < SCHED_MIGRATION_COST_PS && sc->balance_failed <= SCHED_CACHE_NICE_TRIES) {
            refused = true;             /* task_hot(): not yet */
            break;
        }
        sim_cpu_unqueue(&h->m->cpu[from], &s->reader);
        sc->nr[from]--;
        sc->nr[to]++;
        s->cpu = to;
        s->migrations++;
        h->st.migrations++;
        h->st.migrations_balance++;
        sim_cpu_submit(&h->m->cpu[to], &s->reader);
    }
    sc->balance_failed = refused ? sc->balance_failed + 1 : 0;
    balance_arm(h, now);
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
    sim_cpu_note_waker(cpu, &s->reader);   /* --timeline: the arrow to the reader */
    if (target != cpu->id) {
        sim_machine_charge_more(h->m, cpu, SIM_FN_WAKE_UP, SIM_COST_WAKEUP_IPI);   /* same call */
        h->st.wakeup_ipis++;
    }
    sim_machine_touch(h->m, cpu, SIM_FN_WAKE_UP, rx_sock_line(s, RX_LINE_WAIT), SIM_CACHE_LINE, true);
    if (s->cpu >= 0 && s->cpu != target) {
        s->migrations++;
        h->st.migrations++;
    }
    s->cpu = target;
    s->blocked = false;
    h->sched.nr[target]++;              /* runnable there from now (ttwu_queue) */
    balance_arm(h, sim_cpu_now(cpu));
    s->woken = true;
    s->wakeups++;
    h->st.wakeups++;
    /* The reader becomes runnable when the wakeup happens, inside this item. */
    if (sim_schedule_fn(&h->m->q, sim_cpu_now(cpu), reader_submit, s) < 0)
        abort();
}

/* The end of one of s's items on cpu: its cycles there, when it last ran. */
static void reader_ran(struct rx_sock *s, struct sim_cpu *cpu)
{
    s->cycles_on[cpu->id] += cpu->item_cycles;
    s->last_ran = sim_cpu_now(cpu);
}

void rx_app_reader_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct rx_sock *s = w->arg;
    struct rx_host *h = s->host;

    if (s->woken) {                     /* switched in after a wakeup */
        sim_machine_charge(h->m, cpu, SIM_FN_SCHEDULE, SIM_COST_SCHEDULE);
        s->woken = false;
    }
    rx_sock_release(h, cpu, s);         /* the last recv()'s release_sock: its backlog */
    if (s->app_owed) {                  /* back in user space: the application's work on what it read */
        sim_cpu_charge(cpu, SIM_FN_APP_WORK, s->app_owed);
        s->app_owed = 0;
        if (h->cfg.receive->done)       /* it reads the bytes where the receive policy left them */
            h->cfg.receive->done(h, cpu, s, true);
        reader_ran(s, cpu);
        sim_cpu_submit(cpu, &s->reader);
        return;
    }
    if (!s->head) {                     /* nothing to read: block in recv() (sk_wait_data) */
        sim_machine_call(h->m, cpu, SIM_FN_TCP_DATA_WAIT);
        sim_machine_touch(h->m, cpu, SIM_FN_TCP_DATA_WAIT, rx_sock_line(s, RX_LINE_WAIT), SIM_CACHE_LINE, true);
        sim_machine_touch(h->m, cpu, SIM_FN_TCP_DATA_WAIT, rx_sock_line(s, RX_LINE_LOCK), SIM_CACHE_LINE, true);
        s->blocked = true;
        h->sched.nr[cpu->id]--;
        reader_ran(s, cpu);
        balance_arm(h, sim_cpu_now(cpu));
        return;
    }
    rx_hist_record(&h->st.rcvq, s->queued);    /* how far this reader lags (validate: FIONREAD) */
    uint32_t done = h->cfg.receive->read(h, cpu, s);   /* its calls, the bytes taken and hashed */
    if (done)
        rx_sock_ack_read(h, cpu, s);
    s->owned_until = sim_cpu_now(cpu);  /* release_sock: its backlog is the next item's first work */
    if (h->cfg.app_cycles_per_byte > 0)     /* user space, the lock released: an item of its own */
        s->app_owed = (uint64_t)(h->cfg.app_cycles_per_byte * done + 0.5);
    if (!s->app_owed && h->cfg.receive->done)
        h->cfg.receive->done(h, cpu, s, false);
    s->bytes_read += done;
    s->reads++;
    h->st.bytes_read += done;
    h->st.last_read = sim_cpu_now(cpu);
    reader_ran(s, cpu);
    sim_cpu_submit(cpu, &s->reader);    /* the loop's next recv() */
}
