/* sim/cost_table.c: defaults, kinds and names of sim/cost_table.h. */
#include "sim/cost_table.h"

#include <string.h>

static const char *const keys[] = {
#define K(e, key, cycles, kind, source) key,
    SIM_COSTS(K)
#undef K
};
static const uint64_t defaults[] = {
#define D(e, key, cycles, kind, source) cycles,
    SIM_COSTS(D)
#undef D
};
static const enum sim_cost_kind kinds[] = {
#define KI(e, key, cycles, kind, source) SIM_COST_KIND_##kind,
    SIM_COSTS(KI)
#undef KI
};
static const char *const sources[] = {
#define S(e, key, cycles, kind, source) source,
    SIM_COSTS(S)
#undef S
};
static const char *const kind_keys[] = {
#define KK(e, key) key,
    SIM_COST_KINDS(KK)
#undef KK
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

enum sim_cost_kind sim_cost_default_kind(enum sim_cost c)
{
    return (unsigned)c < SIM_COST__COUNT ? kinds[c] : SIM_COST_KIND_ASSUMPTION;
}

uint64_t sim_cost_default(enum sim_cost c)
{
    return (unsigned)c < SIM_COST__COUNT ? defaults[c] : 0;
}

const char *sim_cost_kind_key(enum sim_cost_kind k)
{
    return (unsigned)k < SIM_COST_KIND__COUNT ? kind_keys[k] : "unknown";
}

int sim_cost_kind_find(const char *key)
{
    for (int i = 0; i < SIM_COST_KIND__COUNT; i++)
        if (!strcmp(kind_keys[i], key))
            return i;
    return -1;
}

int sim_cost_find(const char *key)
{
    for (int i = 0; i < SIM_COST__COUNT; i++)
        if (!strcmp(keys[i], key))
            return i;
    return -1;
}
