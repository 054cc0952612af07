/* netstack/policy/deliver_packet.c: one frame per protocol pass. */
#include "netstack/policy/deliver.h"

#include "netstack/host.h"

static void packet_rx(void *state, struct rx_host *h, struct sim_cpu *cpu, struct skb *skb)
{
    (void)state;
    rx_host_protocol_pass(h, cpu, skb, 1, false);
}

static void packet_flush(void *state, struct rx_host *h, struct sim_cpu *cpu, bool old_only)
{
    (void)state; (void)h; (void)cpu; (void)old_only;    /* nothing is ever held */
}

const struct deliver_policy_ops deliver_packet = {
    .name = "packet",
    .what = "one frame per protocol pass",
    .rx = packet_rx,
    .flush = packet_flush,
};
