/* sim/cost_table.c: defaults and names of sim/cost_table.h. */
#include "sim/cost_table.h"

#include <string.h>

static const char *const keys[] = {
#define K(e, key, cycles, source) key,
    SIM_COSTS(K)
#undef K
};
static const uint64_t defaults[] = {
#define D(e, key, cycles, source) cycles,
    SIM_COSTS(D)
#undef D
};
static const char *const sources[] = {
#define S(e, key, cycles, source) source,
    SIM_COSTS(S)
#undef S
};

void sim_cost_table_defaults(struct sim_cost_table *t)
{
    for (int i = 0; i < SIM_COST__COUNT; i++)
        t->cycles[i] = defaults[i];
}

const char *sim_cost_key(enum sim_cost c)
{
    return (unsigned)c < SIM_COST__COUNT ? keys[c] : "unknown";
}

const char *sim_cost_source(enum sim_cost c)
{
    return (unsigned)c < SIM_COST__COUNT ? sources[c] : "unknown";
}

int sim_cost_find(const char *key)
{
    for (int i = 0; i < SIM_COST__COUNT; i++)
        if (!strcmp(keys[i], key))
            return i;
    return -1;
}
