/* netstack/nic_stack.h: the stack's side of the NIC seam, declared here so
 * the stack implements it (netstack/host.c: rx_host_stack_ops) and a driver calls it
 * without netstack/ ever including a driver header (DESIGN.md: the rx_napi
 * seam; drivers/nic.c's poll is the only caller).
 *
 * A frame crosses the seam as one struct skb (skb.h): the descriptor the
 * frame source filled and the NIC kept in its RX ring, with skb->buf the
 * chain of receive buffers its bytes were DMA'd into. */
#ifndef RXSIM_NETSTACK_NIC_STACK_H
#define RXSIM_NETSTACK_NIC_STACK_H

#include "netstack/skb.h"
#include "sim/machine.h"

struct nic_stack_ops {
    /* required: one received frame, skb->buf set (skb->data not yet: the
     * stack finds its bytes in the buffers); the stack owns the buffers
     * from here on, and may write *skb and keep a copy of it (it is the
     * poll's own copy of the descriptor's, dead after the call) */
    void (*rx)(void *ctx, struct sim_cpu *cpu, struct skb *skb);
    /* optional: the end of a poll pass (batched delivery flushes here);
     * old_only: the poll goes on, or waits for gro_flush_timeout, so GRO
     * sends up only packets held since an earlier jiffy (napi_gro_flush) */
    void (*flush)(void *ctx, struct sim_cpu *cpu, bool old_only);
    /* optional: whether packets are held on cpu (napi->gro_bitmask != 0);
     * absent: as if always */
    bool (*holding)(void *ctx, struct sim_cpu *cpu);
    /* required: a frame the NIC dropped (ring full, too long), never reaching
     * rx; skb->data: its skb->len bytes, valid during the call */
    void (*dropped)(void *ctx, const struct skb *skb, int reason);
    void *ctx;
};

#endif
