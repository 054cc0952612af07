/* traces/synth_opts.c: rxsim synth's options: their defaults, their checks
 * (every limit, with the message a user sees), and what they imply: segments
 * per flow, the file's snaplen, and which segments get a bad checksum. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/rng.h"
#include "traces/synth_private.h"

void synth_set_msg(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
}

void synth_opts_default(struct synth_opts *o)
{
    *o = (struct synth_opts){
        .flows = 1, .bytes = 1u << 20, .mtu = 1500, .send_size = 16384,
        .rate_bps = 1000000000ull, .seed = 1, .acks = true,
    };
}

uint64_t synth_content_seed(uint64_t seed, uint32_t flow)
{
    return seed + ((uint64_t)flow + 1) * CONTENT_MUL;
}

uint32_t synth_file_snaplen(const struct synth_opts *o)
{
    return ETH_HLEN + o->mtu > SYNTH_SNAPLEN ? ETH_HLEN + o->mtu : SYNTH_SNAPLEN;
}

uint32_t synth_seg_payload(const struct synth_opts *o)
{
    return o->mtu - (o->ipv6 ? IP6_HLEN : IP4_HLEN) - TCP_HLEN - TS_OPT_LEN;
}

uint64_t synth_segments_per_flow(const struct synth_opts *o)
{
    uint64_t p = synth_seg_payload(o), s = o->send_size;
    uint64_t per_write = (s + p - 1) / p, tail = o->bytes % s;
    return o->bytes / s * per_write + (tail + p - 1) / p;
}

static bool prob_ok(double p) { return p >= 0.0 && p <= 1.0; }  /* false for NaN too */

int synth_check(const struct synth_opts *o, char *msg, size_t size)
{
    if (!o->path || !*o->path)
        return synth_set_msg(msg, size, "no output file: -o FILE is required"), -1;
    if (o->flows < 1 || o->flows > SYNTH_FLOWS_MAX)
        return synth_set_msg(msg, size, "--flows %" PRIu32 " out of range 1..%u", o->flows, SYNTH_FLOWS_MAX), -1;
    if (o->bytes > SYNTH_BYTES_MAX)
        return synth_set_msg(msg, size, "--bytes %" PRIu64 " over the limit of 16 GiB per flow", o->bytes), -1;
    if (o->bytes * o->flows > SYNTH_TOTAL_MAX)
        return synth_set_msg(msg, size, "--flows %" PRIu32 " x --bytes %" PRIu64 " is over 1 TiB in all",
                       o->flows, o->bytes), -1;
    if (o->mtu < SYNTH_MTU_MIN || o->mtu > SYNTH_MTU_MAX)
        return synth_set_msg(msg, size, "--mtu %" PRIu32 " out of range %u..%u", o->mtu, SYNTH_MTU_MIN, SYNTH_MTU_MAX), -1;
    if (o->send_size < 1 || o->send_size > SYNTH_MSG_MAX)
        return synth_set_msg(msg, size, "--send-size %" PRIu32 " out of range 1..%u", o->send_size, SYNTH_MSG_MAX), -1;
    if (o->rate_bps < SYNTH_RATE_MIN || o->rate_bps > SYNTH_RATE_MAX)
        return synth_set_msg(msg, size, "--rate %" PRIu64 " bit/s out of range 1M..400G", o->rate_bps), -1;
    if (!prob_ok(o->loss))
        return synth_set_msg(msg, size, "--loss %g is not a probability in [0, 1]", o->loss), -1;
    if (!prob_ok(o->reorder))
        return synth_set_msg(msg, size, "--reorder %g is not a probability in [0, 1]", o->reorder), -1;
    if (!prob_ok(o->dup))
        return synth_set_msg(msg, size, "--dup %g is not a probability in [0, 1]", o->dup), -1;
    uint64_t total = synth_segments_per_flow(o) * o->flows;
    if (o->bad_csum > SYNTH_BAD_CSUM_MAX)
        return synth_set_msg(msg, size, "--bad-csum %" PRIu64 " over the limit of %llu", o->bad_csum,
                       SYNTH_BAD_CSUM_MAX), -1;
    if (o->bad_csum > total)
        return synth_set_msg(msg, size, "--bad-csum %" PRIu64 " is more than the %" PRIu64
                       " data segments the flows carry", o->bad_csum, total), -1;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Floyd's algorithm over an open-addressing set. */
int synth_pick_distinct(uint64_t seed, uint64_t total, uint64_t n, uint64_t **out)
{
    *out = NULL;
    if (!n)
        return 0;
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    uint64_t *set = calloc(cap, sizeof *set);   /* value + 1; 0 is empty */
    uint64_t *list = malloc(n * sizeof *list);
    if (!set || !list) {
        free(set);
        free(list);
        return -1;
    }
    struct sim_rng r;
    sim_rng_seed(&r, seed);
    size_t got = 0;
    for (uint64_t j = total - n; j < total; j++) {
        uint64_t t = sim_rng_below(&r, j + 1);
        for (int pass = 0; pass < 2; pass++) {  /* t, or j when t is taken */
            size_t h = (size_t)((t * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
            while (set[h] && set[h] != t + 1)
                h = (h + 1) & (cap - 1);
            if (!set[h]) {
                set[h] = t + 1;
                list[got++] = t;
                break;
            }
            t = j;
        }
    }
    free(set);
    qsort(list, got, sizeof *list, cmp_u64);
    *out = list;
    return 0;
}
