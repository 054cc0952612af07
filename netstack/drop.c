/* netstack/drop.c: names of the drop reasons (see drop.h). */
#include "netstack/drop.h"

static const char *const drop_keys[] = {
#define RX_DROP_KEY(e, key, what) key,
    RX_DROP_REASONS(RX_DROP_KEY)
#undef RX_DROP_KEY
};

static const char *const drop_whats[] = {
#define RX_DROP_WHAT(e, key, what) what,
    RX_DROP_REASONS(RX_DROP_WHAT)
#undef RX_DROP_WHAT
};

const char *rx_drop_key(enum rx_drop r)
{
    return (unsigned)r < RX_DROP__COUNT ? drop_keys[r] : "unknown";
}

const char *rx_drop_what(enum rx_drop r)
{
    return (unsigned)r < RX_DROP__COUNT ? drop_whats[r] : "unknown";
}
