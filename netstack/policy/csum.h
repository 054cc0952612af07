/* netstack/policy/csum.h: where the TCP checksum of payload bytes is paid.
 *
 *   softirq  verify on the CPU running the softirq: every payload line is
 *            read there, then the reader's copy reads them again (from that
 *            CPU's cache when the reader runs elsewhere)
 *   process  defer: the reader does one combined checksum+copy pass (Van
 *            Jacobson's trick, the old tcp_rcv_established() fast path)
 *   offload  the NIC verified it: the reader only copies
 *
 * The verdict itself is the functional core's (netstack_rx), identical for
 * every policy, so policies change costs and timing, never bytes: a segment
 * with a bad checksum is dropped whichever CPU pays for finding it. */
#ifndef RXSIM_NETSTACK_POLICY_CSUM_H
#define RXSIM_NETSTACK_POLICY_CSUM_H

#include <stdbool.h>
#include <stdint.h>

struct rx_host;
struct rx_chunk;
struct sim_cpu;

struct csum_policy_ops {
    const char *name;                                   /* required */
    const char *what;                                   /* required */
    bool in_copy;           /* the checksum is verified by copy_out alone (process): a receive
                               policy that maps pages (receive.h maps) cannot run with it */
    /* required: softirq side, for len bytes of a segment at buffer address
     * addr, bytes p; called once per receive buffer a segment lies in */
    void (*rx_verify)(struct rx_host *h, struct sim_cpu *cpu, const uint8_t *p,
                      uint64_t addr, uint32_t len);
    /* required: reader side, move n bytes of c starting at offset off into
     * dst (simulated address dst_addr), with the real routine, and charge it */
    void (*copy_out)(struct rx_host *h, struct sim_cpu *cpu, const struct rx_chunk *c,
                     uint32_t off, uint8_t *dst, uint64_t dst_addr, uint32_t n);
};

const struct csum_policy_ops *csum_policy_find(const char *name);
extern const struct csum_policy_ops *const csum_policies[];   /* NULL-terminated */

#endif
