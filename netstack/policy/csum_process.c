/* netstack/policy/csum_process.c: the reader checksums while it copies, one
 * pass over the bytes (see csum.h). */
#include "netstack/policy/csum.h"

#include "netstack/policy/csum_copy_common.h"

static void process_verify(struct rx_host *h, struct sim_cpu *cpu, const uint8_t *p,
                           uint64_t addr, uint32_t len)
{
    (void)h; (void)cpu; (void)p; (void)addr; (void)len;     /* deferred to the copy */
}

static void process_copy(struct rx_host *h, struct sim_cpu *cpu, const struct rx_chunk *c,
                         uint32_t off, uint8_t *dst, uint64_t dst_addr, uint32_t n)
{
    struct sim_touch t = {0};
    sim_cache_touch(&h->m->cache, cpu->id, c->addr + off, n, false, &t);
    sim_cpu_lines_out(cpu, SIM_FN_CSUM_COPY, t.transfers);
    uint64_t tsc0 = h->cfg.timing_measured ? __rdtsc() : 0;
    (void)h->cfg.csum_copy->csum_copy(dst, c->data + off, n, 0);   /* the real single pass */
    sim_cpu_charge(cpu, SIM_FN_CSUM_COPY,
                   h->cfg.timing_measured ? csum_policy_measured(h, tsc0)
                       : rx_host_byte_cost(h, h->cfg.csum_copy, n, (unsigned)((c->addr + off) % 64), &t));
    sim_machine_touch(h->m, cpu, SIM_FN_CSUM_COPY, dst_addr, n, true);
}

const struct csum_policy_ops csum_process = {
    .name = "process",
    .what = "defer: the reader does one combined checksum+copy pass",
    .in_copy = true,
    .rx_verify = process_verify,
    .copy_out = process_copy,
};
