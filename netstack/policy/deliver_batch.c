/* netstack/policy/deliver_batch.c: up to N frames per protocol pass, per CPU
 * (each CPU's softirq fills its own batch). */
#include "netstack/policy/deliver.h"

#include <stdlib.h>

#include "netstack/host.h"

#define BATCH_MAX 256

struct batch {
    int n;                              /* frames per pass */
    int held[SIM_MAX_CPUS];
    struct skb *frames;                 /* [SIM_MAX_CPUS][n] */
};

static void *batch_create(struct rx_host *h, const char *arg, const char **err)
{
    (void)h;
    char *end;
    long n = arg ? strtol(arg, &end, 10) : 0;
    if (!arg || end == arg || *end || n < 1 || n > BATCH_MAX) {
        *err = "batch:N wants N from 1 to 256";
        return NULL;
    }
    struct batch *b = calloc(1, sizeof *b);
    if (b)
        b->frames = calloc((size_t)SIM_MAX_CPUS * (size_t)n, sizeof *b->frames);
    if (!b || !b->frames) {
        free(b);
        return NULL;
    }
    b->n = (int)n;
    return b;
}

static void batch_destroy(void *state)
{
    struct batch *b = state;
    free(b->frames);
    free(b);
}

/* old_only is not for batches: a batch never outlives its poll pass. */
static void batch_flush(void *state, struct rx_host *h, struct sim_cpu *cpu, bool old_only)
{
    (void)old_only;
    struct batch *b = state;
    if (b->held[cpu->id]) {
        rx_host_protocol_pass(h, cpu, b->frames + (size_t)cpu->id * (size_t)b->n, b->held[cpu->id], false);
        b->held[cpu->id] = 0;
    }
}

static void batch_rx(void *state, struct rx_host *h, struct sim_cpu *cpu, struct skb *skb)
{
    struct batch *b = state;
    b->frames[(size_t)cpu->id * (size_t)b->n + (size_t)b->held[cpu->id]++] = *skb;
    if (b->held[cpu->id] == b->n)
        batch_flush(state, h, cpu, false);
}

const struct deliver_policy_ops deliver_batch = {
    .name = "batch",
    .what = "up to N frames per protocol pass; per-pass costs paid once",
    .arg_help = "N",
    .create = batch_create,
    .destroy = batch_destroy,
    .rx = batch_rx,
    .flush = batch_flush,
};
