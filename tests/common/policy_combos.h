/* tests/common/policy_combos.h: every checksum x delivery x recycle policy
 * combination, taken from the registries (netstack/policy/registry.c), for
 * suites that run each one: a new registry entry is run as soon as it is
 * added.  A delivery policy that takes an argument (arg_help) runs as
 * "NAME:" POLICY_COMBO_DELIVER_ARG.  Header-only; the suite links netstack. */
#ifndef RXSIM_TESTS_POLICY_COMBOS_H
#define RXSIM_TESTS_POLICY_COMBOS_H

#include <stdio.h>

#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/recycle.h"

#define POLICY_COMBO_DELIVER_ARG "8"

static inline int policy_registry_len(const void *const *r)
{
    int n = 0;
    while (r[n])
        n++;
    return n;
}

static inline int policy_combos(void)
{
    return policy_registry_len((const void *const *)csum_policies) *
           policy_registry_len((const void *const *)deliver_policies) *
           policy_registry_len((const void *const *)recycle_policies);
}

/* deliver_policies[d] as a --delivery value, with arg when it takes one. */
static inline const char *policy_delivery(int d, const char *arg, char *buf, size_t size)
{
    const struct deliver_policy_ops *p = deliver_policies[d];
    snprintf(buf, size, "%s%s%s", p->name, p->arg_help ? ":" : "", p->arg_help ? arg : "");
    return buf;
}

/* Combination i (0 <= i < policy_combos()): the checksum policy varies
 * fastest, then delivery, then recycling.  *delivery points into buf. */
static inline void policy_combo(int i, const char **csum, const char **delivery, const char **recycle,
                                char *buf, size_t size)
{
    int nc = policy_registry_len((const void *const *)csum_policies);
    int nd = policy_registry_len((const void *const *)deliver_policies);
    *csum = csum_policies[i % nc]->name;
    *delivery = policy_delivery((i / nc) % nd, POLICY_COMBO_DELIVER_ARG, buf, size);
    *recycle = recycle_policies[i / (nc * nd)]->name;
}

#endif
