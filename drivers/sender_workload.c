/* drivers/sender_workload.c: what the closed-loop senders send when no
 * trace says (synth's netperf-like flows), and the lookup from an ACK's
 * 4-tuple to its flow, for any workload (sender_workload.h).  Apart from
 * sender.c so that the sender's timing code does not care where a flow's
 * bytes come from: synth's generator here, a trace's reassembled streams in
 * sim/session/closed_trace.c (which reads traces; drivers/ does not). */
#include "drivers/sender_workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/synth.h"

int sender_workload_synth(uint32_t flows, uint64_t bytes, uint32_t send_size, uint16_t mss, uint64_t seed,
                          struct sender_flow_spec **out, char *err, size_t size)
{
    *out = NULL;
    if (!flows || flows > SYNTH_FLOWS_MAX || !bytes || !send_size) {
        snprintf(err, size, "closed loop needs --flows 1..%u, --bytes, --send-size and --link above 0",
                 SYNTH_FLOWS_MAX);
        return -1;
    }
    struct sender_flow_spec *sp = calloc(flows, sizeof *sp);
    if (!sp) {
        snprintf(err, size, "out of memory for %u flows", flows);
        return -1;
    }
    for (uint32_t i = 0; i < flows; i++)
        sp[i] = (struct sender_flow_spec){
            .v = 4, .caddr = { 10, 0, (uint8_t)(i / SYNTH_PORTS_PER_HOST), 1 }, .saddr = { 10, 0, 0, 2 },
            .sport = (uint16_t)(SYNTH_CLIENT_PORT0 + i % SYNTH_PORTS_PER_HOST), .dport = SYNTH_SERVER_PORT,
            .bytes = bytes, .content_seed = synth_content_seed(seed, i), .send_size = send_size,
            .mss = mss, .wscale = 7, .has_wscale = true, .has_ts = true,
        };
    *out = sp;
    return 0;
}

static int tuple_cmp(const struct sender_flow_spec *a, uint8_t v, const uint8_t *caddr, uint16_t sport,
                     const uint8_t *saddr, uint16_t dport)
{
    int c = (a->v > v) - (a->v < v);
    if (!c)
        c = memcmp(a->caddr, caddr, 16);
    if (!c)
        c = (a->sport > sport) - (a->sport < sport);
    if (!c)
        c = memcmp(a->saddr, saddr, 16);
    if (!c)
        c = (a->dport > dport) - (a->dport < dport);
    return c;
}

static const struct sender_flow_spec *sort_spec;    /* qsort has no context argument */

static int index_cmp(const void *x, const void *y)
{
    const struct sender_flow_spec *b = &sort_spec[*(const uint32_t *)y];
    int c = tuple_cmp(&sort_spec[*(const uint32_t *)x], b->v, b->caddr, b->sport, b->saddr, b->dport);
    return c ? c : (*(const uint32_t *)x > *(const uint32_t *)y) - (*(const uint32_t *)x < *(const uint32_t *)y);
}

uint32_t *sender_workload_index(const struct sender_flow_spec *spec, uint32_t n)
{
    uint32_t *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        ix[i] = i;
    sort_spec = spec;
    qsort(ix, n, sizeof *ix, index_cmp);
    sort_spec = NULL;
    return ix;
}

int sender_workload_find(const struct sender_flow_spec *spec, const uint32_t *index, uint32_t n, uint8_t v,
                         const uint8_t *caddr, uint16_t sport, const uint8_t *saddr, uint16_t dport, uint32_t *i)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = tuple_cmp(&spec[index[mid]], v, caddr, sport, saddr, dport);
        if (!c) {
            *i = index[mid];
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
