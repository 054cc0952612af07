/* netstack/policy/deliver.h: how frames from the driver's poll reach the
 * protocol layer (packet mitigation).
 *
 *   packet   one frame per protocol pass
 *   batch:N  up to N frames per pass: the per-pass costs (netif_receive
 *            entry, one socket lookup per flow in the pass) are paid once
 *   gro      in-order segments of one flow merged up to 64 KiB first; the
 *            merged packet pays the protocol costs and one ACK decision once
 *
 * NAPI's budget bounds the frames of one poll; a batch never outlives the
 * poll pass that filled it (flush runs at its end); GRO's merged packets
 * outlive a poll that used its whole budget, or one followed by
 * gro_flush_timeout, as the kernel's do (drivers/nic.h). */
#ifndef RXSIM_NETSTACK_POLICY_DELIVER_H
#define RXSIM_NETSTACK_POLICY_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

struct rx_host;
struct skb;
struct sim_cpu;

struct deliver_policy_ops {
    const char *name;                                   /* required: "packet", "batch", "gro" */
    const char *what;                                   /* required */
    const char *arg_help;                               /* optional: "N" for batch:N */
    /* optional: per-run state; arg is the text after ':' (NULL if none).
     * NULL return with *err set means a bad argument. */
    void *(*create)(struct rx_host *h, const char *arg, const char **err);
    void (*destroy)(void *state);                       /* optional */
    /* required: one frame from the driver (the host owns it until passed on) */
    void (*rx)(void *state, struct rx_host *h, struct sim_cpu *cpu, struct skb *skb);
    /* required: the poll pass ended: pass on whatever is held; old_only
     * (the poll runs again, or gro_flush_timeout is set): a policy that
     * holds across polls (gro) passes on only what it has held since an
     * earlier jiffy, as napi_gro_flush(napi, true) does */
    void (*flush)(void *state, struct rx_host *h, struct sim_cpu *cpu, bool old_only);
    /* optional: whether anything is held on cpu (napi->gro_bitmask) */
    bool (*holding)(void *state, struct sim_cpu *cpu);
};

const struct deliver_policy_ops *deliver_policy_find(const char *name);
extern const struct deliver_policy_ops *const deliver_policies[];   /* NULL-terminated */

#endif
