/* netstack/host_internal.h: what the host's files share among themselves and
 * nothing else includes: host.c (set-up, the NIC side), host_cost.c (per-byte
 * costs), host_pass.c (protocol passes), sock.c (socket queues) and app.c
 * (the reader processes).  Calls go one way, down that order: host.c >
 * host_pass.c > app.c > sock.c (tests/structure/check_structure.py); the
 * one call up, a socket's reader work running app.c's reader, goes through
 * rx_host.reader_run, which host.c sets. */
#ifndef RXSIM_NETSTACK_HOST_INTERNAL_H
#define RXSIM_NETSTACK_HOST_INTERNAL_H

#include "netstack/host.h"

/* host_pass.c: skb's bytes in one piece: its buffer's own when it fits one
 * (every standard frame), else gathered from the chain into h->lin, always
 * at that one address. */
const uint8_t *rx_skb_bytes(struct rx_host *h, const struct skb *skb);

/* sock.c */
/* The buffer of skb's chain holding frame byte *off; *off becomes the offset in it. */
struct skb_buf *rx_skb_buf_at(const struct skb *skb, uint32_t *off);
/* Drops one reference to b (a pass's or a chunk's); the last one releases it
 * through the recycle policy, on cpu. */
void rx_host_buf_put(struct rx_host *h, struct sim_cpu *cpu, struct skb_buf *b);
/* netstack_config.deliver: in-order bytes queued on the direction's socket. */
void rx_sock_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                     uint32_t n);
void rx_chunk_free(struct rx_host *h, struct rx_chunk *c);
/* Every socket, its queued chunks and the spare chunks freed (rx_host_fini). */
void rx_sock_free_all(struct rx_host *h);
/* ACKs as Linux's receiver decides them, per socket.  At the end of a
 * protocol pass that queued data for s (__tcp_ack_snd_check): an ACK at
 * once in quickack mode (the first RX_QUICKACKS data skbs), or when more
 * than one full segment is unacknowledged and the reader has read all
 * older data (the advertised window is not shrinking); otherwise the ACK
 * is owed.  After a recv() copied data (tcp_cleanup_rbuf): the owed ACK,
 * when more than a segment is unacknowledged, from the reader's CPU.  The
 * delayed-ACK timer is not modelled: an open-loop replay would end 40 ms
 * after its last frame waiting for it. */
#define RX_QUICKACKS 16                 /* TCP_MAX_QUICKACKS */
void rx_sock_ack_pass(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
void rx_sock_ack_read(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);

/* app.c */
/* Wakes s's reader from cpu (the softirq that queued its data). */
void rx_app_wake(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
/* The reader's work item: one recv(recv_size) and the loop's next. */
void rx_app_reader_run(struct sim_work *w, struct sim_cpu *cpu);

#endif
