/* netstack/policy/csum_softirq.c: verify on the softirq's CPU; the reader
 * copies later (see csum.h). */
#include "netstack/policy/csum.h"

#include "netstack/policy/csum_copy_common.h"

static void softirq_verify(struct rx_host *h, struct sim_cpu *cpu, const uint8_t *p,
                           uint64_t addr, uint32_t len)
{
    struct sim_touch t = {0};
    sim_cache_touch(&h->m->cache, cpu->id, addr, len, false, &t);
    sim_cpu_lines_out(cpu, SIM_FN_CSUM_PARTIAL, t.transfers);
    /* where the lines were: DMA'd (memory), or a veth sender's cache */
    h->st.csum_lines.hits += t.hits;
    h->st.csum_lines.misses += t.misses;
    h->st.csum_lines.transfers += t.transfers;
    if (h->cfg.timing_measured) {       /* sum them again, to time the real routine */
        uint64_t tsc0 = __rdtsc();
        volatile uint32_t sum = h->cfg.csum_routine->csum(p, len, 0);
        (void)sum;
        sim_cpu_charge(cpu, SIM_FN_CSUM_PARTIAL, csum_policy_measured(h, tsc0));
        return;
    }
    /* The model needs no sum: the functional core already verified these bytes. */
    sim_cpu_charge(cpu, SIM_FN_CSUM_PARTIAL,
                   rx_host_byte_cost(h, h->cfg.csum_routine, len, (unsigned)(addr % 64), &t));
}

const struct csum_policy_ops csum_softirq = {
    .name = "softirq",
    .what = "verify in softirq on the interrupted CPU, copy later on the reader's",
    .rx_verify = softirq_verify,
    .copy_out = csum_policy_plain_copy,
};
