/* sim/validate/validate.c: the small shared helpers of validate.h. */
#include "sim/validate/validate.h"

#include <stdio.h>
#include <stdlib.h>

void val_config_name(struct val_config *c)
{
    snprintf(c->name, sizeof c->name, "%s-%s-%s-%u", c->placement == VAL_SAME_CPU ? "same" : "other",
             c->csum ? "csum" : "nocsum", c->gro ? "gro" : "nogro", c->mtu);
}

double val_rep_core_cycles_per_byte(const struct val_rep *r)
{
    if (r->c.bytes == 0)
        return 0;
    uint64_t s = r->a.rx_category[SIM_CAT_PROTOCOL] + r->a.rx_category[SIM_CAT_CSUM] +
                 r->a.rx_category[SIM_CAT_COPY] + r->a.rx_category[SIM_CAT_SKB];
    return val_cycles(r, s) / (double)r->c.bytes;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The p-quantile of sorted v (type 7, as numpy's default). */
static double quantile(const double *v, int n, double p)
{
    double h = (n - 1) * p;
    int lo = (int)h;
    return lo + 1 < n ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

struct val_spread val_spread_of(double *v, int n)
{
    struct val_spread s = { 0, 0, 0 };
    if (n <= 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    s.median = quantile(v, n, 0.5);
    s.q1 = quantile(v, n, 0.25);
    s.q3 = quantile(v, n, 0.75);
    return s;
}
