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

/* The socket's own lines (rx_sock.sock_addr + line * SIM_CACHE_LINE), each
 * touched by both the softirq and the reader, as struct sock / tcp_sock's
 * fields are:
 *   LOCK   sk_lock (slock, owned) and sk_backlog: bh_lock_sock in
 *          tcp_v4_rcv, tcp_add_backlog; lock_sock / release_sock in recvmsg,
 *          sk_wait_data dropping it to sleep;
 *   RX     rcv_nxt, the receive queue's tail and head, sk_rmem_alloc,
 *          rcv_wnd, copied_seq: tcp_data_queue writes, recvmsg writes;
 *   TIMER  icsk_ack and the delayed-ACK timer (icsk_delack_timer):
 *          mod_timer when an ACK is owed, tcp_send_ack clearing it;
 *   WAIT   the wait queue (sk_wq): sk_data_ready reads it for sleepers and
 *          __wake_up takes its lock; the reader's prepare_to_wait writes it. */
enum rx_sock_line { RX_LINE_LOCK, RX_LINE_RX, RX_LINE_TIMER, RX_LINE_WAIT, RX_SOCK_LINES };

static inline uint64_t rx_sock_line(const struct rx_sock *s, enum rx_sock_line l)
{
    return s->sock_addr + (uint64_t)l * SIM_CACHE_LINE;
}

/* The socket lock's backlog (sock.c).  rx_sock_deliver decides, at a
 * pass's first bytes for s, whether they go to the receive queue or wait on
 * the backlog: they wait when the reader owns the lock (a softirq on
 * another CPU running inside the reader's last copy; on the reader's own
 * CPU, a frame that arrived during the copy, whose softirq would have
 * preempted it), or while older bytes wait there.  rx_sock_release is
 * release_sock's __release_sock: the backlog's skbs through tcp_v4_do_rcv
 * (their tcp_data_queue, the skb lines read again, the ACK decision) on
 * cpu, then onto the receive queue.  A no-op with an empty backlog. */
void rx_sock_release(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
/* sock_ack.c: the ACKs as the data's sender hears them (rx_host.ack_sent;
 * every function is a no-op while it is NULL).  rx_ack_sent: an ACK just
 * went out for s (reported with rcv_nxt and the window; the delayed-ACK
 * timer stopped).  rx_ack_delack_arm: an ACK is owed: the timer
 * (RX_DELACK_PS) sends it unless one goes out first.  rx_ack_ooo: after
 * netstack_rx, a data segment that was out of order or old gets an ACK at
 * once and puts s in quickack mode, as tcp_data_queue() does (the sender's
 * duplicate ACKs).  rx_ack_cancel: the timer stopped, s about to go. */
#define RX_DELACK_PS (40 * SIM_PS_PER_MS)   /* TCP_DELACK_MIN */
void rx_ack_sent(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
/* An ACK goes out now (charged to cpu: tcp_send_ack), then rx_ack_sent. */
void rx_ack_send(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
void rx_ack_delack_arm(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
void rx_ack_ooo(struct rx_host *h, struct sim_cpu *cpu, struct skb *skb, int rc, enum rx_drop why);
void rx_ack_cancel(struct rx_host *h, struct rx_sock *s);

/* The receive buffer (sock.c): Linux's net.ipv4.tcp_rmem defaults (this
 * machine's /proc says 4096 131072 33554432: its max raised) and what an skb
 * charges sk_rmem_alloc beyond its buffers: SKB_TRUESIZE(0), sk_buff and
 * skb_shared_info cache-aligned on x86-64. */
#define RX_RCVBUF_DEFAULT 131072u
#define RX_RCVBUF_MAX 6291456u
#define RX_SKB_OVERHEAD 576u

/* app.c */
/* Wakes s's reader from cpu (the softirq that queued its data). */
void rx_app_wake(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s);
/* The reader's work item: one recv(recv_size) and the loop's next. */
void rx_app_reader_run(struct sim_work *w, struct sim_cpu *cpu);

#endif
