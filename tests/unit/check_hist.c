/* tests/unit/check_hist.c: the report's percentiles (netstack/hist.c):
 * interpolated inside the bucket that holds the rank, between the smallest
 * and largest values that bucket received.  Every expected figure is worked
 * by hand in a comment. */
#include <check.h>
#include <string.h>

#include "netstack/hist.h"
#include "tests/common/testenv.h"

static struct rx_hist h;

static void fill(uint64_t v, int times)
{
    for (int i = 0; i < times; i++)
        rx_hist_record(&h, v);
}

START_TEST(test_buckets)
{
    /* 1024 = 2^10: bucket (10 - 4) * 32 + 0 = 192, width 2^(10 - 5) = 32.
     * 31 and 63 sit in one-value buckets (below 64 every bucket is width 1). */
    ck_assert_uint_eq(rx_hist_bucket_low(192), 1024);
    ck_assert_uint_eq(rx_hist_bucket_width(192), 32);
    ck_assert_uint_eq(rx_hist_bucket_low(31), 31);
    ck_assert_uint_eq(rx_hist_bucket_width(63), 1);
    ck_assert_uint_eq(rx_hist_bucket_low(63), 63);
    /* 4000: msb 11, sub (4000 >> 6) & 31 = 62 & 31 = 30: bucket 7*32+30 = 254, low 62 << 6 = 3968, width 64. */
    ck_assert_uint_eq(rx_hist_bucket_low(254), 3968);
    ck_assert_uint_eq(rx_hist_bucket_width(254), 64);
}
END_TEST

START_TEST(test_empty_and_single)
{
    memset(&h, 0, sizeof h);
    ck_assert_uint_eq(rx_hist_percentile(&h, 50), 0);
    fill(5000, 1);                      /* min = max = 5000: every percentile is it */
    ck_assert_uint_eq(rx_hist_percentile(&h, 1), 5000);
    ck_assert_uint_eq(rx_hist_percentile(&h, 99), 5000);
}
END_TEST

START_TEST(test_small_values_exact)
{
    /* 0..31 once each, one-value buckets: p50 is rank 16, the 16th value, 15. */
    memset(&h, 0, sizeof h);
    for (uint64_t v = 0; v < 32; v++)
        fill(v, 1);
    ck_assert_uint_eq(rx_hist_percentile(&h, 50), 15);
    ck_assert_uint_eq(rx_hist_percentile(&h, 100), 31);
}
END_TEST

START_TEST(test_interpolated_in_bucket)
{
    /* 1024, 1030, 1040, 1050: all in bucket [1024, 1056), n 4, its values 1024..1050.
     * p50: rank 2, k 2: 1024 + 26 * 1/3 = 1032.7, 1033 (the lower edge said 1024).
     * p75: rank 3, k 3: 1024 + 26 * 2/3 = 1041.3, 1041.
     * p25: rank 1: 1024.  p1: rank 0.04, raised to 1: 1024.  p100: rank 4: 1050. */
    memset(&h, 0, sizeof h);
    fill(1024, 1);
    fill(1030, 1);
    fill(1040, 1);
    fill(1050, 1);
    ck_assert_uint_eq(rx_hist_percentile(&h, 50), 1033);
    ck_assert_uint_eq(rx_hist_percentile(&h, 75), 1041);
    ck_assert_uint_eq(rx_hist_percentile(&h, 25), 1024);
    ck_assert_uint_eq(rx_hist_percentile(&h, 1), 1024);
    ck_assert_uint_eq(rx_hist_percentile(&h, 100), 1050);
}
END_TEST

START_TEST(test_two_buckets)
{
    /* 10 x 2896 (two 1448-byte segments; bucket [2880, 2944)) and 10 x 4000
     * ([3968, 4032)): each bucket holds one value, so every percentile is
     * exact: p10 rank 2 and p50 rank 10 in the first, 2896 (the lower edge
     * said 2880); p60 rank 12, p99 rank 19.8 in the second, 4000. */
    memset(&h, 0, sizeof h);
    fill(2896, 10);
    fill(4000, 10);
    ck_assert_uint_eq(rx_hist_percentile(&h, 10), 2896);
    ck_assert_uint_eq(rx_hist_percentile(&h, 50), 2896);
    ck_assert_uint_eq(rx_hist_percentile(&h, 60), 4000);
    ck_assert_uint_eq(rx_hist_percentile(&h, 99), 4000);
}
END_TEST

START_TEST(test_spread_bucket)
{
    /* 64 values 4096, 4097, ..., 4159: one bucket [4096, 4224) (width 128),
     * values 4096..4159.  p50: rank 32, k 32: 4096 + 63 * 31/63 = 4127,
     * the exact 32nd value.  p99: rank 63.36: 4096 + 63 * 62.36/63 = 4158.4, 4158. */
    memset(&h, 0, sizeof h);
    for (uint64_t v = 4096; v < 4160; v++)
        fill(v, 1);
    ck_assert_uint_eq(rx_hist_percentile(&h, 50), 4127);
    ck_assert_uint_eq(rx_hist_percentile(&h, 99), 4158);
}
END_TEST

static Suite *hist_suite(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("hist");
    tcase_add_test(tc, test_buckets);
    tcase_add_test(tc, test_empty_and_single);
    tcase_add_test(tc, test_small_values_exact);
    tcase_add_test(tc, test_interpolated_in_bucket);
    tcase_add_test(tc, test_two_buckets);
    tcase_add_test(tc, test_spread_bucket);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(hist_suite());
}
