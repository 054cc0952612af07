/* netstack/hist.h: the histograms the report's percentiles come from
 * (wire-to-reader latency, bytes queued at recv()): 32 buckets per power of
 * two, so memory is fixed whatever the run's length.  A percentile is
 * interpolated linearly inside the bucket that holds its rank, as
 * Prometheus's histogram_quantile does, but between the smallest and the
 * largest value that bucket received rather than its edges: a bucket whose
 * values are all equal (two full segments queued, say) answers that value
 * exactly, and no answer is off by more than the bucket's width (1/32 of
 * its power of two).  The lower edge alone, which rxsim reported before,
 * was up to that width low. */
#ifndef RXSIM_NETSTACK_HIST_H
#define RXSIM_NETSTACK_HIST_H

#include <stdint.h>

#define LAT_BUCKETS (64 * 32)

struct rx_hist {
    uint64_t n[LAT_BUCKETS];
    uint64_t lo[LAT_BUCKETS], hi[LAT_BUCKETS];  /* smallest and largest value each bucket received */
    uint64_t count, max;
};

void rx_hist_record(struct rx_hist *hs, uint64_t v);
/* The pct-th percentile (0..100), rounded to a whole value; 0 when empty. */
uint64_t rx_hist_percentile(const struct rx_hist *hs, double pct);
/* Bucket b's lower edge and width (exposed for the unit test). */
uint64_t rx_hist_bucket_low(unsigned b);
uint64_t rx_hist_bucket_width(unsigned b);

#endif
