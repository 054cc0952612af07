/* netstack/policy/csum_copy_common.h: the reader's plain copy, shared by the
 * checksum policies that do not fold the checksum into it (softirq, offload). */
#ifndef RXSIM_NETSTACK_POLICY_CSUM_COPY_COMMON_H
#define RXSIM_NETSTACK_POLICY_CSUM_COPY_COMMON_H

#include <x86intrin.h>

#include "netstack/host.h"

/* --timing=measured: the real call's TSC cycles in simulated cycles. */
static inline uint64_t csum_policy_measured(const struct rx_host *h, uint64_t tsc0)
{
    return (uint64_t)((double)(__rdtsc() - tsc0) * h->cfg.tsc_to_cpu + 0.5);
}

/* Copies n bytes of c from off into dst with the configured copy routine,
 * charging copy_to_user by where the source lines were; the user buffer's
 * lines are written through the cache model too. */
static inline void csum_policy_plain_copy(struct rx_host *h, struct sim_cpu *cpu,
                                          const struct rx_chunk *c, uint32_t off, uint8_t *dst,
                                          uint64_t dst_addr, uint32_t n)
{
    struct sim_touch t = {0};
    sim_cache_touch(&h->m->cache, cpu->id, c->addr + off, n, false, &t);
    sim_cpu_lines_out(cpu, SIM_FN_COPY_TO_USER, t.transfers);
    uint64_t tsc0 = h->cfg.timing_measured ? __rdtsc() : 0;
    h->cfg.copy->copy(dst, c->data + off, n);
    sim_cpu_charge(cpu, SIM_FN_COPY_TO_USER,
                   h->cfg.timing_measured ? csum_policy_measured(h, tsc0)
                       : rx_host_byte_cost(h, h->cfg.copy, n, (unsigned)((c->addr + off) % 64), &t));
    sim_machine_touch(h->m, cpu, SIM_FN_COPY_TO_USER, dst_addr, n, true);
}

#endif
