/* sim/machine.c: see machine.h. */
#include "sim/machine.h"


int sim_machine_init(struct sim_machine *m, const struct sim_machine_config *cfg)
{
    *m = (struct sim_machine){ .ncpus = cfg->ncpus };
    if (cfg->ncpus < 1 || cfg->ncpus > SIM_MAX_CPUS || cfg->mhz < 1 || cfg->cache_lines < 1)
        return -1;
    if (sim_queue_init(&m->q) < 0)
        return -1;
    if (sim_cache_init(&m->cache, cfg->ncpus, cfg->cache_lines) < 0) {
        sim_queue_fini(&m->q);
        return -1;
    }
    sim_rng_seed(&m->rng, cfg->seed);
    sim_cost_table_defaults(&m->costs);
    for (int i = 0; i < cfg->ncpus; i++)
        sim_cpu_init(&m->cpu[i], i, cfg->mhz, &m->q);
    return 0;
}

void sim_machine_fini(struct sim_machine *m)
{
    sim_cache_fini(&m->cache);
    sim_queue_fini(&m->q);
}

struct sim_touch sim_machine_touch(struct sim_machine *m, struct sim_cpu *cpu, enum sim_function fn,
                                   uint64_t addr, uint64_t len, bool write)
{
    struct sim_touch t = {0};
    sim_cache_touch(&m->cache, cpu->id, addr, len, write, &t);
    uint32_t k = t.hits + t.misses + t.transfers;      /* the touch's lines: the price's row */
    k = k > SIM_LINE_RUN_MAX ? SIM_LINE_RUN_MAX : k ? k : 1;
    double miss = m->lines.miss_set ? m->lines.miss[k] : (double)m->costs.cycles[SIM_COST_LINE_MISS];
    double xfer = m->lines.transfer_set ? m->lines.transfer[k] : (double)m->costs.cycles[SIM_COST_LINE_TRANSFER];
    uint64_t cycles = (uint64_t)(t.misses * miss + t.transfers * xfer + 0.5);
    if (cycles)
        sim_cpu_add_cycles(cpu, fn, cycles);
    if (t.transfers)
        sim_cpu_lines_out(cpu, fn, t.transfers);
    return t;
}

void sim_machine_reset_stats(struct sim_machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        struct sim_cpu *c = &m->cpu[i];
        for (int l = 0; l < SIM_LEVEL__COUNT; l++) {
            c->level_cycles[l] = 0;
            c->items[l] = 0;
        }
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            c->cat_cycles[k] = 0;
        c->prof = (struct sim_profile){0};
        c->busy_cycles = 0;
        c->item_cycles = 0;
    }
}
