/* sim/validate/validate.c: the small shared helpers of validate.h. */
#include "sim/validate/validate.h"

#include <stdio.h>

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
