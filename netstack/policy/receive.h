/* netstack/policy/receive.h: how the reader takes its bytes off the socket
 * (the receive axis, --receive).
 *
 *   copy      recv(recv_size): tcp_recvmsg copies the queued bytes into the
 *             reader's buffer through the checksum policy's copy_out (the
 *             default, and every run before this axis existed)
 *   zerocopy  getsockopt(TCP_ZEROCOPY_RECEIVE) as tools/testing/selftests/
 *             net/tcp_mmap.c calls it: the whole pages of payload at the
 *             head of the queue are mapped into the reader (vm_insert_pages)
 *             instead of copied; what cannot be mapped (the kernel's
 *             recv_skip_hint) is read() and copied; the reader then uses the
 *             data where it lies and unmaps it (madvise MADV_DONTNEED: the
 *             zap and the TLB flush, with a shootdown IPI to every other CPU
 *             running the reader's threads, --reader-threads)
 *
 * Both deliver the same bytes in the same order (SHA-256 per stream as
 * `rxsim inspect` computes it): a policy changes costs and timing only. */
#ifndef RXSIM_NETSTACK_POLICY_RECEIVE_H
#define RXSIM_NETSTACK_POLICY_RECEIVE_H

#include <stdbool.h>
#include <stdint.h>

struct rx_host;
struct rx_sock;
struct sim_cpu;

struct receive_policy_ops {
    const char *name;                                   /* required */
    const char *what;                                   /* required: one line for --list */
    bool maps;              /* some bytes reach the reader without copy_out: refused with a
                               checksum policy that verifies in the copy (csum.h in_copy) */
    /* optional: per-run state (hold it in rx_host.receive_state) */
    void *(*create)(struct rx_host *h);
    void (*destroy)(void *state);                       /* optional */
    /* required: one pass of the reader's loop on cpu, with data queued on
     * s: charges its system calls, takes bytes off the head of the queue
     * (s->queued down by as many), hashes them into s->sha in stream order
     * and returns how many the reader got */
    uint32_t (*read)(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
    /* optional: the reader is done with what its last read returned: when
     * touch, the application reads it first (--app-cycles-per-byte > 0);
     * zerocopy unmaps its pages here */
    void (*done)(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, bool touch);
};

const struct receive_policy_ops *receive_policy_find(const char *name);   /* NULL when unknown */
extern const struct receive_policy_ops *const receive_policies[];        /* NULL-terminated */

#endif
