/* netstack/policy/registry.c: the policy registries, one const
 * NULL-terminated array per axis in --list order, each searched linearly by
 * name (tcp_ca_find(): a handful of entries, no need for more).  A new
 * policy is one file plus one line here; tests/unit/check_skb_pool.c checks
 * every recycle entry for its required hooks and a unique name. */
#include <string.h>

#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"

/* ---- skb recycling (recycle.h) ------------------------------------------- */

extern const struct recycle_policy_ops recycle_none, recycle_global, recycle_percpu,
                                       recycle_origin, recycle_ring, recycle_defer;

const struct recycle_policy_ops *const recycle_policies[] = {
    &recycle_none,
    &recycle_global,
    &recycle_percpu,
    &recycle_origin,
    &recycle_ring,
    &recycle_defer,
    NULL,
};

const struct recycle_policy_ops *recycle_policy_find(const char *name)
{
    for (int i = 0; recycle_policies[i]; i++)
        if (!strcmp(recycle_policies[i]->name, name))
            return recycle_policies[i];
    return NULL;
}

/* ---- checksum placement (csum.h) ------------------------------------------ */

extern const struct csum_policy_ops csum_softirq, csum_process, csum_offload;

const struct csum_policy_ops *const csum_policies[] = {
    &csum_softirq,
    &csum_process,
    &csum_offload,
    NULL,
};

const struct csum_policy_ops *csum_policy_find(const char *name)
{
    for (int i = 0; csum_policies[i]; i++)
        if (!strcmp(csum_policies[i]->name, name))
            return csum_policies[i];
    return NULL;
}

/* ---- delivery (deliver.h) ---------------------------------------------------- */

extern const struct deliver_policy_ops deliver_packet, deliver_batch, deliver_gro;

const struct deliver_policy_ops *const deliver_policies[] = {
    &deliver_packet,
    &deliver_batch,
    &deliver_gro,
    NULL,
};

const struct deliver_policy_ops *deliver_policy_find(const char *name)
{
    for (int i = 0; deliver_policies[i]; i++)
        if (!strcmp(deliver_policies[i]->name, name))
            return deliver_policies[i];
    return NULL;
}

/* ---- receiving (receive.h) ------------------------------------------------- */

extern const struct receive_policy_ops receive_copy, receive_zerocopy;

const struct receive_policy_ops *const receive_policies[] = {
    &receive_copy,
    &receive_zerocopy,
    NULL,
};

const struct receive_policy_ops *receive_policy_find(const char *name)
{
    for (int i = 0; receive_policies[i]; i++)
        if (!strcmp(receive_policies[i]->name, name))
            return receive_policies[i];
    return NULL;
}
