/* sim/session/run_timeline.c: see run_timeline.h.  The probe the timeline
 * reads at each work item's start and end: cumulative figures whose change
 * becomes the item's args (frames handed to the stack, protocol passes,
 * bytes delivered to sockets, bytes read, ACKs), and counter tracks (each
 * RX ring's frames waiting, the first sockets' queued bytes and receive
 * windows, and all sockets' queued bytes together).  Bounded work per sample: at most
 * TL_SOCKS sockets tracked by name, and the all-sockets total only while
 * the host has at most TL_SUM_SOCKS sockets. */
#include "sim/session/run_timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"

#define TL_SOCKS 12
#define TL_SUM_SOCKS 256
#define TL_RINGS 16

/* One probe per process is enough: a session runs one timeline at a time
 * (compare refuses --timeline). */
static struct tl_probe {
    struct run_timeline_view v;
    const struct rx_sock *sock[TL_SOCKS];
    char sock_name[TL_SOCKS][64];
    char win_name[TL_SOCKS][64];
    int nsock;
    char ring_name[TL_RINGS][64];
    uint64_t delivered;                 /* frozen once the host has too many sockets to sum */
    bool too_many;
} probe;

static uint32_t ring_waiting(const struct rx_ring *r)
{
    if (r->prod == r->cons)
        return r->d[r->cons].full ? r->size : 0;
    return (r->prod + r->size - r->cons) % r->size;
}

/* Bytes delivered to sockets so far: read plus still queued. */
static uint64_t delivered(struct tl_probe *p, uint64_t *queued_all)
{
    const struct rx_host *h = p->v.host;
    uint64_t q = 0;
    int n = 0;
    for (const struct rx_sock *s = h->socks; s && !p->too_many; s = s->next_all, n++) {
        if (n == TL_SUM_SOCKS)
            p->too_many = true;
        q += s->queued;
    }
    if (!p->too_many)
        p->delivered = h->st.bytes_read + q;
    *queued_all = q;
    return p->delivered;
}

static void read_args(void *ctx, uint64_t *out)
{
    struct tl_probe *p = ctx;
    const struct rx_host *h = p->v.host;
    uint64_t q;
    out[0] = h->st.frames;
    out[1] = h->st.passes;
    out[2] = delivered(p, &q);
    out[3] = h->st.bytes_read;
    out[4] = h->st.acks;
}

static int read_counters(void *ctx, const char **names, int64_t *values, int max)
{
    struct tl_probe *p = ctx;
    int n = 0, r = 0;
    for (int i = 0; i < *p->v.nnics; i++)
        for (uint32_t k = 0; k < p->v.nics[i].cfg.queues && r < TL_RINGS && n < max; k++, r++) {
            if (!p->ring_name[r][0])
                snprintf(p->ring_name[r], sizeof p->ring_name[r], "RX ring nic%d q%u, frames waiting", i, (unsigned)k);
            names[n] = p->ring_name[r];
            values[n++] = ring_waiting(&p->v.nics[i].q[k].ring);
        }
    /* Sockets by name in the order they appeared (the list is newest first). */
    if (p->nsock < TL_SOCKS) {
        const struct rx_sock *fresh[TL_SOCKS];
        int nf = 0;
        for (const struct rx_sock *so = p->v.host->socks; so && nf < TL_SOCKS; so = so->next_all) {
            bool known = false;
            for (int j = 0; j < p->nsock && !known; j++)
                known = p->sock[j] == so;
            if (known)
                break;                  /* older ones are known too */
            fresh[nf++] = so;
        }
        for (int j = nf - 1; j >= 0 && p->nsock < TL_SOCKS; j--) {
            const char *nm = fresh[j]->name;
            if (!strncmp(nm, "reader ", 7))
                nm += 7;
            snprintf(p->sock_name[p->nsock], sizeof p->sock_name[0], "socket queue %.42s, bytes", nm);
            snprintf(p->win_name[p->nsock], sizeof p->win_name[0], "receive window %.40s, bytes", nm);
            p->sock[p->nsock++] = fresh[j];
        }
    }
    for (int j = 0; j < p->nsock && n < max; j++) {
        names[n] = p->sock_name[j];
        values[n++] = (int64_t)p->sock[j]->queued;
    }
    for (int j = 0; j < p->nsock && n < max; j++) {   /* what the socket would advertise now */
        names[n] = p->win_name[j];
        values[n++] = (int64_t)rx_sock_rcv_window(p->sock[j]);
    }
    uint64_t q;
    delivered(p, &q);
    if (!p->too_many && n < max) {
        names[n] = "socket queues, all, bytes";
        values[n++] = (int64_t)q;
    }
    return n;
}

int run_timeline_window(const char *spec, sim_ps *start, sim_ps *end, char *err, size_t errsz)
{
    char *e1, *e2;
    errno = 0;
    double a = strtod(spec, &e1);
    double d = *e1 == ',' ? strtod(e1 + 1, &e2) : -1;
    if (errno || e1 == spec || *e1 != ',' || *e2 || !(a >= 0) || !(d > 0) || a + d > 9e6) {
        snprintf(err, errsz, "--timeline-window '%s': want START,DURATION in seconds of simulated time, "
                             "e.g. 0.05,0.01 (START >= 0, DURATION > 0)", spec);
        return -1;
    }
    *start = (sim_ps)(a * (double)SIM_PS_PER_SEC + 0.5);
    *end = (sim_ps)((a + d) * (double)SIM_PS_PER_SEC + 0.5);
    return 0;
}

int run_timeline_open(struct sim_timeline *t, const struct run_timeline_view *v)
{
    const struct run_config *c = v->cfg;
    sim_ps ws = 0, we = SIM_PS_MAX;
    char err[256];
    if (c->timeline_window && run_timeline_window(c->timeline_window, &ws, &we, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", v->cmd, err);
        return RX_EXIT_USAGE;
    }
    if (sim_timeline_open(t, c->timeline, c->cpus, RUN_TIMELINE_MAX_EVENTS, ws, we) < 0) {
        fprintf(stderr, "%s: --timeline %s: %s\n", v->cmd, c->timeline, strerror(errno));
        return RX_EXIT_USAGE;
    }
    probe = (struct tl_probe){ .v = *v };
    struct sim_timeline_probe tp = {
        .nargs = 5,
        .arg_names = { "frames", "protocol passes", "bytes delivered", "bytes read", "ACKs" },
        .read_args = read_args,
        .read_counters = read_counters,
        .ctx = &probe,
    };
    sim_timeline_set_probe(t, &tp);
    for (int i = 0; i < c->cpus; i++)
        v->m->cpu[i].timeline = t;
    return RX_EXIT_OK;
}
