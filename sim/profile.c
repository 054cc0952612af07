/* sim/profile.c: names behind sim/profile.h's lists. */
#include "sim/profile.h"

static const char *const cat_keys[] = {
#define K(e, key, what) key,
    SIM_CATEGORIES(K)
#undef K
};
static const char *const cat_whats[] = {
#define W(e, key, what) what,
    SIM_CATEGORIES(W)
#undef W
};
static const char *const fn_names[] = {
#define N(e, name, cat) name,
    SIM_FUNCTIONS(N)
#undef N
};
static const enum sim_category fn_cats[] = {
#define C(e, name, cat) SIM_CAT_##cat,
    SIM_FUNCTIONS(C)
#undef C
};

const char *sim_category_key(enum sim_category c)
{
    return (unsigned)c < SIM_CAT__COUNT ? cat_keys[c] : "unknown";
}

const char *sim_category_what(enum sim_category c)
{
    return (unsigned)c < SIM_CAT__COUNT ? cat_whats[c] : "unknown";
}

const char *sim_function_name(enum sim_function f)
{
    return (unsigned)f < SIM_FN__COUNT ? fn_names[f] : "unknown";
}

enum sim_category sim_function_category(enum sim_function f)
{
    return (unsigned)f < SIM_FN__COUNT ? fn_cats[f] : SIM_CAT_APP;
}
