/* sim/report/saturation.c: the figures at saturation and the bottleneck
 * rule (saturation.h). */
#include "sim/report/saturation.h"

#include <stdio.h>

/* Cycles CPU c has spent by now: busy_cycles counts a running item whole
 * from its start, so the part still ahead is taken off. */
static uint64_t busy_now(const struct sim_cpu *c, sim_ps now)
{
    if (!c->running)
        return c->busy_cycles;
    uint64_t done = (uint64_t)((now - c->item_start) / SIM_PS_PER_US) * c->mhz +
                    (uint64_t)((now - c->item_start) % SIM_PS_PER_US) * c->mhz / SIM_PS_PER_US;
    uint64_t ahead = c->item_cycles > done ? c->item_cycles - done : 0;
    return c->busy_cycles > ahead ? c->busy_cycles - ahead : 0;
}

void report_sat_take(struct report_sat_snap *sn, const struct sim_machine *m, const struct rx_host *h,
                     const struct sender *s)
{
    *sn = (struct report_sat_snap){ .taken = true, .at = m->q.now, .bytes_read = h->st.bytes_read, .bytes_acked = s->st.bytes_acked,
                                    .ring_drops = h->st.drops[RX_DROP_RING_FULL],
                                    .retransmits = s->st.retransmits, .rwnd_limited = sender_rwnd_limited_now(s) };
    for (int c = 0; c < m->ncpus; c++)
        sn->cpu_busy[c] = busy_now(&m->cpu[c], m->q.now);
    for (uint32_t k = 0; k < s->nlinks; k++)
        sn->link_busy[k] = sender_link_busy_now(s, k);
}

/* The rule of saturation.h, on figures already in o. */
static void bottleneck(struct run_metrics *o)
{
    char *b = o->bottleneck;
    size_t n = sizeof o->bottleneck;
    bool link = o->sat_link_util >= SAT_LINK_BUSY && o->sat_goodput_mbps >= SAT_KEEP_UP * o->sat_acked_mbps,
         cpu = o->sat_busiest_util >= SAT_CPU_BUSY;
    if (!o->sat_measured)
        snprintf(b, n, "not measurable");
    else if (link && cpu)
        snprintf(b, n, "link and cpu %llu", (unsigned long long)o->sat_busiest_cpu);
    else if (link)
        snprintf(b, n, "link");
    else if (cpu)
        snprintf(b, n, "cpu %llu", (unsigned long long)o->sat_busiest_cpu);
    else if (o->sat_ring_drops)
        snprintf(b, n, "ring drops");
    else if (o->sat_rwnd_limited >= SAT_RWND_LIMITED)
        snprintf(b, n, "receive window");
    else
        snprintf(b, n, "none reached");
}

void report_sat_metrics(const struct report_sat *sat, const struct sim_machine *m, struct run_metrics *o)
{
    static const struct report_sat none;
    if (!sat)
        sat = &none;                    /* no window: the figures are not measurable */
    const struct report_sat_snap *a = &sat->snap[0], *b = &sat->snap[1];
    o->sat_measured = a->taken && b->taken && b->at > a->at;
    if (o->sat_measured) {
        double win = (double)(b->at - a->at);           /* ps */
        o->sat_start_s = (double)a->at / (double)SIM_PS_PER_SEC;
        o->sat_window_s = win / (double)SIM_PS_PER_SEC;
        o->sat_goodput_mbps = (double)(b->bytes_read - a->bytes_read) * 8 / o->sat_window_s / 1e6;
        o->sat_acked_mbps = (double)(b->bytes_acked - a->bytes_acked) * 8 / o->sat_window_s / 1e6;
        double sum = 0;
        for (int c = 0; c < m->ncpus; c++) {
            double cap = (double)m->cpu[c].mhz * 1e6 * o->sat_window_s;
            double u = (double)(b->cpu_busy[c] - a->cpu_busy[c]) / cap;
            o->sat_cpu_util[c] = u > 1 ? 1 : u;     /* ps-to-cycles rounding of the running items */
            sum += o->sat_cpu_util[c];
            if (o->sat_cpu_util[c] > o->sat_busiest_util) {
                o->sat_busiest_util = o->sat_cpu_util[c];
                o->sat_busiest_cpu = (uint64_t)c;
            }
        }
        o->sat_util_avg = sum / m->ncpus;
        o->sat_scaled_mbps = o->sat_util_avg > 0 ? o->sat_goodput_mbps / o->sat_util_avg : 0;
        double busy = 0, most = 0;      /* the links together; the busiest named */
        for (uint32_t k = 0; k < sat->nlinks; k++) {
            double u = (double)(b->link_busy[k] - a->link_busy[k]) / win;
            busy += u > 1 ? 1 : u;
            if (u > most) {
                most = u;
                o->sat_busiest_link = k;
            }
        }
        o->sat_link_util = sat->nlinks ? busy / sat->nlinks : 0;
        o->sat_rwnd_limited = sat->flows ? (double)(b->rwnd_limited - a->rwnd_limited) / (win * sat->flows) : 0;
        o->sat_ring_drops = b->ring_drops - a->ring_drops;
        o->sat_retransmits = b->retransmits - a->retransmits;
    }
    bottleneck(o);
}
