/* netstack/policy/receive_copy.c: recv(recv_size): tcp_recvmsg copies the
 * queued bytes into the reader's buffer (see receive.h). */
#include "netstack/policy/receive.h"

#include "netstack/host.h"

static uint32_t copy_read(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    sim_machine_charge(h->m, cpu, SIM_FN_TCP_RECVMSG, SIM_COST_RECVMSG);    /* the call's own part */
    return rx_sock_recvmsg(h, cpu, s, h->cfg.recv_size);
}

const struct receive_policy_ops receive_copy = {
    .name = "copy",
    .what = "recv(): tcp_recvmsg copies the payload into the reader's buffer",
    .read = copy_read,
};
