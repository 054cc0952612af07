/* sim/session/closed_trace.c: rxsim run --replay closed on a trace (issue
 * 14): the trace becomes the workload.  The trace is read once through the
 * netstack's functional core (drivers/replay.c, netstack/'s reassembly:
 * exactly what `rxsim inspect` does), every direction's delivered bytes kept
 * in memory, so each replayed stream is byte for byte the one inspect
 * hashes.  Per direction toward the host, one sender_flow_spec: its 4-tuple,
 * those bytes, its start (the connection's first frame in the capture,
 * relative to the first replayed one) and its SYN's MSS, window scale and
 * timestamps (Linux's defaults when the SYN was not captured: MSS from
 * --mtu, window scale 7, timestamps; the report says which).
 *
 * A direction that cannot be replayed as captured is never made up: it is
 * listed as skipped with its reason (payload not captured, a hole nothing
 * filled, bytes missing before the FIN, a reused 4-tuple) and makes the
 * run's exit status 5.  Here, not in drivers/: drivers/sender.c only sends
 * what a spec says; reading traces and reassembling them is the session's.
 * Memory: the trace's delivered bytes, all directions (a closed-loop run
 * holds what it will send). */
#include "sim/session/closed_trace.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/replay.h"
#include "netstack/netstack.h"
#include "netstack/verdict.h"
#include "sim/session/exit_codes.h"
#include "traces/trace.h"

#define GUESS_MAX_ADDRS 4096            /* destinations counted for the host guess */

struct dir_bytes {                      /* on tcp_dir.app: the delivered stream */
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                       uint32_t n)
{
    (void)skb;
    bool *oom = ctx;
    struct dir_bytes *b = c->dir[dir].app;
    if (!b && !(b = c->dir[dir].app = calloc(1, sizeof *b))) {
        *oom = true;
        return;
    }
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (!np) {
            b->oom = *oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

struct host_addr {
    uint8_t v, addr[16];
    uint64_t payload;
};

/* The host: --host, or the destination receiving the most TCP payload
 * (retransmissions included, as nic_trace_guess_host counts). */
static int choose_host(const struct run_config *c, const struct tcp_table *t, struct host_addr *h, bool *guessed,
                       uint64_t *total)
{
    const char *given = c->nhosts && strcmp(c->hosts[0], "guess") ? c->hosts[0] : NULL;
    *guessed = !given;
    *total = 0;
    if (given) {
        h->v = strchr(given, ':') ? 6 : 4;
        if (inet_pton(h->v == 4 ? AF_INET : AF_INET6, given, h->addr) != 1) {
            fprintf(stderr, "rxsim run: --host '%s': not an IPv4 or IPv6 address\n", given);
            return RX_EXIT_USAGE;
        }
        return RX_EXIT_OK;
    }
    static struct host_addr seen[GUESS_MAX_ADDRS];
    uint32_t n = 0;
    *h = (struct host_addr){0};
    for (size_t i = 0; i < t->count; i++)
        for (int d = 0; d < 2; d++) {
            const struct tcp_conn *cn = t->all[i];
            if (!cn || !cn->dir[d].payload_bytes)
                continue;
            *total += cn->dir[d].payload_bytes;
            uint32_t k = 0;
            while (k < n && (seen[k].v != cn->ip_version || memcmp(seen[k].addr, cn->ep[!d].addr, 16)))
                k++;
            if (k == n && n == GUESS_MAX_ADDRS)
                continue;
            if (k == n)
                seen[n++] = (struct host_addr){ .v = cn->ip_version };
            memcpy(seen[k].addr, cn->ep[!d].addr, 16);
            seen[k].payload += cn->dir[d].payload_bytes;
            if (seen[k].payload > h->payload)
                *h = seen[k];
        }
    if (!h->v) {
        fprintf(stderr, "rxsim run: %s: no TCP payload in the trace: nothing for closed-loop senders to send\n",
                c->traces[0]);
        return RX_EXIT_INPUT;
    }
    return RX_EXIT_OK;
}

/* Direction d of cn listed as not replayed; -1 when out of memory. */
static int skip(struct closed_trace *ct, const struct tcp_conn *cn, int d, uint64_t bytes, bool unanswered,
                const char *reason)
{
    if (ct->nskipped == ct->skip_cap) {
        uint32_t cap = ct->skip_cap ? ct->skip_cap * 2 : 16;
        struct sender_skipped *n = realloc(ct->skipped, cap * sizeof *n);
        if (!n)
            return -1;
        ct->skipped = n;
        ct->skip_cap = cap;
    }
    struct sender_skipped *k = &ct->skipped[ct->nskipped++];
    *k = (struct sender_skipped){ .bytes = bytes, .unanswered = unanswered };
    tcp_endpoint_format(&cn->ep[d], cn->ip_version, k->from, sizeof k->from);
    tcp_endpoint_format(&cn->ep[!d], cn->ip_version, k->to, sizeof k->to);
    snprintf(k->reason, sizeof k->reason, "%s", reason);
    if (unanswered) {
        ct->info.unanswered++;
        ct->info.bytes_unanswered += bytes;
    }
    return 0;
}

/* Why direction d of cn cannot be replayed as captured, into why; false
 * when it can. */
static bool unreplayable(const struct tcp_conn *cn, int d, bool tuple_seen, char *why, size_t size)
{
    const struct tcp_dir *dir = &cn->dir[d];
    struct rx_verdict v;
    rx_verdict_of(dir, false, &v);
    uint64_t behind = tcp_reasm_pending(&dir->reasm) + dir->stranded_at_close + dir->reasm.st.ooo_dropped_bytes +
                      dir->reasm.st.ooo_budget_dropped_bytes;
    if (rx_verdict_has(&v, RX_VERDICT_PAYLOAD_NOT_CAPTURED))
        snprintf(why, size, "payload not captured (snaplen %u): %llu bytes in %llu segments the capture cut",
                 v.snaplen, (unsigned long long)v.bytes[RX_VERDICT_PAYLOAD_NOT_CAPTURED],
                 (unsigned long long)v.segments_not_captured);
    else if (behind)
        snprintf(why, size, "a hole in the stream: %llu bytes captured behind it were never delivered",
                 (unsigned long long)behind);
    else if (dir->reasm.fin_seen && !dir->reasm.fin_done)
        snprintf(why, size, "a hole before the FIN: bytes missing at the stream's end");
    else if (tuple_seen || cn->incarnation > 1)
        snprintf(why, size, "its 4-tuple was used by an earlier connection of the trace: a closed-loop run "
                            "replays one connection per 4-tuple");
    else
        return false;
    return true;
}

static bool tuple_taken(const struct closed_trace *ct, const struct tcp_conn *cn, int d)
{
    for (uint32_t i = 0; i < ct->nspec; i++)
        if (ct->spec[i].v == cn->ip_version && !memcmp(ct->spec[i].caddr, cn->ep[d].addr, 16) &&
            ct->spec[i].sport == cn->ep[d].port && !memcmp(ct->spec[i].saddr, cn->ep[!d].addr, 16) &&
            ct->spec[i].dport == cn->ep[!d].port)
            return true;
    return false;
}

/* Direction d of cn, toward the host and replayable, as the next spec; its
 * bytes move from b.  -1 when out of memory. */
static int add_spec(struct closed_trace *ct, const struct run_config *c, const struct tcp_conn *cn, int d,
                    struct dir_bytes *b)
{
    if (ct->nspec == ct->cap) {
        uint32_t cap = ct->cap ? ct->cap * 2 : 16;
        struct sender_flow_spec *sp = realloc(ct->spec, cap * sizeof *sp);
        if (sp)
            ct->spec = sp;
        uint8_t **data = sp ? realloc(ct->data, cap * sizeof *data) : NULL;
        if (!data)
            return -1;
        ct->data = data;
        ct->cap = cap;
    }
    const struct tcp_dir *dir = &cn->dir[d];
    const struct tcp_opts *o = &dir->syn_opts;
    bool syn = dir->reasm.syn_seen;
    struct sender_flow_spec *sp = &ct->spec[ct->nspec];
    *sp = (struct sender_flow_spec){
        .sport = cn->ep[d].port, .dport = cn->ep[!d].port, .bytes = b->len, .data = b->p,
        .send_size = c->send_size, .mss = syn && o->has_mss ? o->mss : 0,
        .wscale = syn ? (o->has_wscale ? o->wscale : 0) : 7, .has_wscale = syn ? o->has_wscale : true,
        .has_ts = syn ? o->has_ts : true, .syn_seen = syn,
        .start = (sim_ps)cn->first_ts_ns,       /* made relative once all are known */
    };
    sp->v = cn->ip_version;
    memcpy(sp->caddr, cn->ep[d].addr, 16);
    memcpy(sp->saddr, cn->ep[!d].addr, 16);
    ct->data[ct->nspec++] = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return 0;
}

/* Every direction toward the host: a spec, or skipped with its reason. */
static int collect(struct closed_trace *ct, const struct run_config *c, const struct tcp_table *t,
                   const struct host_addr *h)
{
    for (size_t i = 0; i < t->count; i++)
        for (int d = 0; d < 2; d++) {
            const struct tcp_conn *cn = t->all[i];
            if (!cn || cn->ip_version != h->v || memcmp(cn->ep[!d].addr, h->addr, h->v == 4 ? 4 : 16))
                continue;
            struct dir_bytes *b = cn->dir[d].app;
            uint64_t len = b ? b->len : 0;
            char why[192];
            int rc;
            if (unreplayable(cn, d, tuple_taken(ct, cn, d), why, sizeof why))
                rc = skip(ct, cn, d, len, true, why);
            else if (!len)
                rc = skip(ct, cn, d, 0, false, "no payload toward the host: nothing to send");
            else
                rc = add_spec(ct, c, cn, d, b);
            if (rc < 0)
                return -1;
        }
    int64_t first = INT64_MAX;
    for (uint32_t i = 0; i < ct->nspec; i++)
        if ((int64_t)ct->spec[i].start < first)
            first = (int64_t)ct->spec[i].start;
    for (uint32_t i = 0; i < ct->nspec; i++)
        ct->spec[i].start = ((sim_ps)((int64_t)ct->spec[i].start - first)) * SIM_PS_PER_NS;
    return 0;
}

static void free_bytes(struct tcp_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        for (int d = 0; d < 2 && t->all[i]; d++) {
            struct dir_bytes *b = t->all[i]->dir[d].app;
            if (b)
                free(b->p);
            free(b);
            t->all[i]->dir[d].app = NULL;
        }
}

int closed_trace_load(const struct run_config *c, struct closed_trace *ct)
{
    *ct = (struct closed_trace){0};
    const char *path = c->traces[0];
    struct trace_err err;
    struct trace *t = trace_open(path, c->filter, &err);
    if (!t) {
        fprintf(stderr, "rxsim run: %s\n", err.msg);
        return err.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
    }
    bool oom = false;
    struct netstack ns;
    struct netstack_config cfg = { .verify_csum = c->verify_csum, .ooo_budget = c->ooo_budget,
                                   .max_conns = c->max_conns, .deliver = on_deliver, .ctx = &oom };
    if (netstack_init(&ns, &cfg) < 0) {
        trace_close(t);
        fprintf(stderr, "rxsim run: out of memory\n");
        return RX_EXIT_INTERNAL;
    }
    struct replay_stats rs;
    int rc = RX_EXIT_OK;
    if (replay_trace(t, &ns, &rs, NULL, NULL, &err) < 0) {
        /* A damaged trace: what follows the damage is unknown, so is every
         * stream's end: nothing is replayed as if whole. */
        fprintf(stderr, "rxsim run: %s: %s: --replay closed replays whole streams, and this trace's end is "
                        "unreadable\n", path, err.msg);
        rc = RX_EXIT_PARTIAL;
    }
    struct host_addr h;
    uint64_t total = 0;
    if (rc == RX_EXIT_OK && oom)
        rc = RX_EXIT_INTERNAL;
    if (rc == RX_EXIT_OK)
        rc = choose_host(c, &ns.conns, &h, &ct->info.host_guessed, &total);
    if (rc == RX_EXIT_OK && collect(ct, c, &ns.conns, &h) < 0)
        rc = RX_EXIT_INTERNAL;
    if (rc == RX_EXIT_INTERNAL)
        fprintf(stderr, "rxsim run: out of memory holding %s's streams\n", path);
    free_bytes(&ns.conns);
    netstack_fini(&ns);
    trace_close(t);
    if (rc != RX_EXIT_OK) {
        closed_trace_free(ct);
        return rc;
    }
    if (!ct->spec && !(ct->spec = calloc(1, sizeof *ct->spec))) {     /* none: still a workload, of 0 flows */
        closed_trace_free(ct);
        return RX_EXIT_INTERNAL;
    }
    inet_ntop(h.v == 4 ? AF_INET : AF_INET6, h.addr, ct->info.host, sizeof ct->info.host);
    ct->host_payload = h.payload;
    ct->total_payload = total;
    if (ct->info.host_guessed)
        fprintf(stderr, "rxsim run: host %s (receives %llu of %llu TCP payload bytes; --host to choose another)\n",
                ct->info.host, (unsigned long long)h.payload, (unsigned long long)total);
    ct->info.source = path;
    ct->info.spec = ct->spec;
    ct->info.flows = ct->nspec;
    ct->info.skipped = ct->skipped;
    ct->info.nskipped = ct->nskipped;
    return RX_EXIT_OK;
}

void closed_trace_free(struct closed_trace *ct)
{
    for (uint32_t i = 0; i < ct->nspec; i++)
        free(ct->data[i]);
    free(ct->data);
    free(ct->spec);
    free(ct->skipped);
    *ct = (struct closed_trace){0};
}
