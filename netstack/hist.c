/* netstack/hist.c: see hist.h.  Buckets: values below 32 have one bucket
 * each; above, a power of two [2^k, 2^(k+1)) is cut into 32 buckets of
 * width 2^(k-5). */
#include "netstack/hist.h"

static unsigned bucket_of(uint64_t v)
{
    if (v < 32)
        return (unsigned)v;
    unsigned msb = 63 - (unsigned)__builtin_clzll((unsigned long long)v);
    unsigned sub = (unsigned)(v >> (msb - 5)) & 31;
    return (msb - 4) * 32 + sub;
}

uint64_t rx_hist_bucket_low(unsigned b)
{
    if (b < 32)
        return b;
    unsigned msb = b / 32 + 4, sub = b % 32;
    return ((uint64_t)(32 + sub)) << (msb - 5);
}

uint64_t rx_hist_bucket_width(unsigned b)
{
    return b < 64 ? 1 : (uint64_t)1 << (b / 32 + 4 - 5);
}

void rx_hist_record(struct rx_hist *hs, uint64_t v)
{
    unsigned b = bucket_of(v);
    if (b >= LAT_BUCKETS)
        b = LAT_BUCKETS - 1;
    if (!hs->n[b] || v < hs->lo[b])
        hs->lo[b] = v;
    if (v > hs->hi[b])
        hs->hi[b] = v;
    hs->n[b]++;
    hs->count++;
    if (v > hs->max)
        hs->max = v;
}

/* The rank wanted is pct/100 of the count (at least the first value); in
 * the bucket where the running count reaches it, the k-th of its n values
 * (k = rank - the values before the bucket) is taken k-1 n-1ths of the way
 * from the bucket's smallest value to its largest. */
uint64_t rx_hist_percentile(const struct rx_hist *hs, double pct)
{
    if (!hs->count)
        return 0;
    double rank = pct / 100.0 * (double)hs->count;
    if (rank < 1)
        rank = 1;
    uint64_t before = 0;
    for (unsigned b = 0; b < LAT_BUCKETS; b++) {
        if (!hs->n[b])
            continue;
        if ((double)(before + hs->n[b]) >= rank) {
            double k = rank - (double)before, lo = (double)hs->lo[b], hi = (double)hs->hi[b];
            if (k < 1)
                k = 1;
            double v = hs->n[b] > 1 ? lo + (hi - lo) * (k - 1) / (double)(hs->n[b] - 1) : lo;
            return (uint64_t)(v + 0.5);
        }
        before += hs->n[b];
    }
    return hs->max;
}
