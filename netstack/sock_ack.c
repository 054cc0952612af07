/* netstack/sock_ack.c: the host's ACKs as the data's sender hears them
 * (issue 14, closed-loop replay), and the ACK itself (rx_ack_send, whoever
 * decided it).  sock.c decides when an ACK goes out (as Linux's receiver
 * does) and calls rx_ack_send(); this file charges it, reports it to
 * rx_host.ack_sent with what the segment would carry, and adds the two
 * receiver behaviours an open-loop replay never needed because no sender
 * listened:
 *
 *  - the delayed-ACK timer (tcp_delack_timer): an owed ACK goes out
 *    RX_DELACK_PS (TCP_DELACK_MIN, 40 ms) after it was owed, from a softirq
 *    on the CPU that owed it, unless an ACK went out first.  Without it the
 *    last odd segment of a stream is never acknowledged and the sender
 *    waits for its RTO;
 *  - an immediate ACK for a data segment that arrived out of order or was
 *    wholly old (tcp_data_queue: tcp_data_queue_ofo's ACK, tcp_send_dupack),
 *    with the socket put back in quickack mode, so the ACK after the hole is
 *    filled goes out at once too: these are the duplicate ACKs a sender's
 *    fast retransmit counts.
 *
 * All of it is off (every function returns at once) while ack_sent is NULL,
 * so a replayed trace runs exactly as before.
 *
 * The advertised window is the receive buffer's (sock.c: sk_rcvbuf with
 * autotuning, less sk_rmem_alloc, halved), rounded down to the window
 * scale's unit (1 << RX_WSCALE, as a scaled window field carries it). */
#include <stdlib.h>

#include "netstack/host_internal.h"
#include "netstack/tcp.h"

#define RX_WSCALE 7                     /* Linux's shift for a tcp_rmem[2] of 6 MiB */

/* Half the receive buffer's free space, as tcp_select_window with the
 * default scaling (host.h). */
uint64_t rx_sock_rcv_window(const struct rx_sock *s)
{
    return s->rcvbuf > s->rmem ? (s->rcvbuf - s->rmem) / 2 : 0;
}

/* The window the ACK advertises: rx_sock_rcv_window rounded down to the
 * window scale's unit. */
static uint32_t rx_ack_window(const struct rx_sock *s)
{
    uint64_t w = rx_sock_rcv_window(s);
    if (w > UINT32_MAX)
        w = UINT32_MAX;
    return (uint32_t)(w >> RX_WSCALE << RX_WSCALE);
}

void rx_ack_sent(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    if (!h->ack_sent)
        return;
    sim_cancel(&h->m->q, &s->delack.ev);
    h->ack_sent(h->ack_ctx, sim_cpu_now(cpu), s->conn, s->dir, s->conn->dir[s->dir].reasm.rcv_nxt,
                rx_ack_window(s));
}

/* The ACK itself, wherever it was decided (sock.c's rules, the delayed-ACK
 * timer, a duplicate): tcp_send_ack reads rcv_nxt and the window and clears
 * icsk_ack's pending ACK. */
void rx_ack_send(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    h->st.acks++;
    sim_machine_charge(h->m, cpu, SIM_FN_TCP_ACK, SIM_COST_TCP_ACK);
    sim_machine_touch(h->m, cpu, SIM_FN_TCP_ACK, rx_sock_line(s, RX_LINE_RX), SIM_CACHE_LINE, false);
    sim_machine_touch(h->m, cpu, SIM_FN_TCP_ACK, rx_sock_line(s, RX_LINE_TIMER), SIM_CACHE_LINE, true);
    s->unacked = 0;
    s->ack_pending = false;
    rx_ack_sent(h, cpu, s);
}

/* The timer's softirq on the CPU that armed it: the owed ACK, if still owed. */
static void delack_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct rx_sock *s = w->arg;
    if (s->ack_pending || s->unacked)
        rx_ack_send(s->host, cpu, s);
}

static void delack_fire(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct rx_sock *s = ev->arg;
    if (!s->delack.work.queued)
        sim_cpu_submit(&s->host->m->cpu[s->delack.cpu], &s->delack.work);
}

void rx_ack_delack_arm(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    if (!h->ack_sent || s->delack.ev.queued)
        return;
    s->delack.ev.fn = delack_fire;
    s->delack.ev.arg = s;
    s->delack.work = (struct sim_work){ .level = SIM_LEVEL_SOFTIRQ, .run = delack_run, .arg = s,
                                        .name = "tcp_delack_timer" };
    s->delack.cpu = cpu->id;
    if (sim_schedule(&h->m->q, &s->delack.ev, sim_cpu_now(cpu) + RX_DELACK_PS) < 0)
        abort();                        /* no memory for one event: the model cannot go on */
}

void rx_ack_ooo(struct rx_host *h, struct sim_cpu *cpu, struct skb *skb, int rc, enum rx_drop why)
{
    if (!h->ack_sent || skb->depth != SKB_DEPTH_TCP || !skb->seg.len)
        return;
    if (rc < 0 && why != RX_DROP_TCP_OLD_DATA)
        return;
    int dir;
    struct tcp_conn *c = tcp_conn_lookup(&h->ns.conns, skb->netns, skb->ip_version, skb->saddr, skb->daddr,
                                         skb->seg.sport, skb->seg.dport, false, &dir);
    if (!c || !c->dir[dir].app)
        return;                         /* no socket yet: nothing was delivered to ACK against */
    struct rx_sock *s = c->dir[dir].app;
    /* Taken but not delivered: it lies beyond rcv_nxt, ahead of a hole. */
    bool ooo = rc == 0 && seq_after(skb->seg.seq, c->dir[dir].reasm.rcv_nxt);
    if (!ooo && why != RX_DROP_TCP_OLD_DATA)
        return;
    if (s->quick < 1)
        s->quick = 1;                   /* tcp_enter_quickack_mode: the ACK after the fill too */
    rx_ack_send(h, cpu, s);
}

void rx_ack_cancel(struct rx_host *h, struct rx_sock *s)
{
    sim_cancel(&h->m->q, &s->delack.ev);
}
