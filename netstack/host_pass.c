/* netstack/host_pass.c: protocol passes: the frames a delivery policy hands
 * over run through the functional core (netstack_rx, the code `inspect`
 * runs) and each step is charged: netif_receive_skb once per pass, ip_rcv
 * and the header lines per frame, one socket lookup per flow run, the
 * softirq side of the checksum policy per buffer, the queueing, and each
 * socket given data its ACK decision (sock.c) and its reader's wakeup at
 * the end of the pass.
 *
 * A frame longer than one receive buffer arrives as a chain of buffers
 * (skb_pool.h).  The functional core reads a frame in one piece, so such a
 * frame is gathered into h->lin for it (the simulator's own copy, charged
 * nothing); everything the model charges follows the chain instead: the
 * softirq checksum runs once per buffer, and delivered bytes are queued as
 * one chunk per buffer they lie in (sock.c), so the reader's copy touches
 * exactly the lines of the buffers the NIC wrote. */
#include <string.h>

#include "netstack/eth.h"
#include "netstack/host_internal.h"
#include "netstack/ip.h"
#include "netstack/tcp.h"

#define HEADER_BYTES 128                /* what the protocol layers read of a frame */

/* skb's bytes in one piece: its buffer's own when it fits one (every
 * standard frame), else gathered from the chain into h->lin. */
const uint8_t *rx_skb_bytes(struct rx_host *h, const struct skb *skb)
{
    if (skb->len <= SKB_BUF_SIZE)
        return skb->buf->data;
    uint32_t off = 0;
    for (const struct skb_buf *b = skb->buf; off < skb->len; b = b->frag) {
        uint32_t k = skb->len - off < SKB_BUF_SIZE ? skb->len - off : SKB_BUF_SIZE;
        memcpy(h->lin + off, b->data, k);
        off += k;
    }
    return h->lin;
}

/* ---- protocol passes ----------------------------------------------------- */

/* veth without RPS: this pass runs on the sender's CPU (as drivers/nic.c's
 * xmit_pass), and s's reader on another. */
static bool beside_sender(const struct rx_host *h, const struct sim_cpu *cpu, const struct rx_sock *s)
{
    bool on_sender = h->cfg.veth_sender_cpu < 0 || h->cfg.veth_sender_cpu == cpu->id;
    int reader = s->cpu >= 0 ? s->cpu : h->cfg.app == APP_FIXED ? h->cfg.app_cpu : -1;   /* -1: not yet woken */
    return h->cfg.veth && on_sender && reader >= 0 && reader != cpu->id;
}

/* An skb TCP took (one per merged skb): bh_lock_sock on the socket it gave
 * data to, then tcp_data_queue (its receive-queue line, sk_data_ready
 * reading the wait queue for sleepers), or tcp_add_backlog when the reader
 * owns the lock (sock.c decided; the reader's release_sock pays the
 * tcp_data_queue).  s NULL (no data for a socket: a pure ACK, a SYN, bytes
 * held out of order): tcp_data_queue alone, as before sockets had lines. */
static void tcp_queue(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    struct sim_machine *m = h->m;
    if (s)                              /* inside the pass's tcp_v4_rcv call */
        sim_machine_touch(m, cpu, SIM_FN_TCP_RCV, rx_sock_line(s, RX_LINE_LOCK), SIM_CACHE_LINE, true);
    /* What the kernel pays on top there, per skb (fitted: validate's other
     * placement): the reader's socket met from another CPU (the spinlock,
     * the backlog, lines) beside the sender's transmit path. */
    if (s && beside_sender(h, cpu, s)) {
        sim_machine_charge_more(m, cpu, SIM_FN_TCP_RCV, SIM_COST_BESIDE_SENDER_SKB);
        h->st.beside_sender_skbs++;
    }
    if (s && s->pass_backlog) {
        sim_machine_call(m, cpu, SIM_FN_TCP_ADD_BACKLOG);
        sim_machine_touch(m, cpu, SIM_FN_TCP_ADD_BACKLOG, rx_sock_line(s, RX_LINE_LOCK), SIM_CACHE_LINE, true);
        s->bl_skbs++;
        h->st.backlog_skbs++;
        return;
    }
    sim_machine_charge(m, cpu, SIM_FN_TCP_DATA_QUEUE, SIM_COST_TCP_QUEUE);
    if (s) {
        sim_machine_touch(m, cpu, SIM_FN_TCP_DATA_QUEUE, rx_sock_line(s, RX_LINE_RX), SIM_CACHE_LINE, true);
        sim_machine_touch(m, cpu, SIM_FN_TCP_DATA_QUEUE, rx_sock_line(s, RX_LINE_WAIT), SIM_CACHE_LINE, false);
    }
}

static bool reached_tcp(int rc, enum rx_drop why)
{
    return rc == 0 || why == RX_DROP_TCP_CSUM || why == RX_DROP_TCP_OLD_DATA ||
           why == RX_DROP_TCP_OOO_LIMIT || why == RX_DROP_TCP_CLOSED || why == RX_DROP_NO_MEMORY;
}

void rx_host_protocol_pass(struct rx_host *h, struct sim_cpu *cpu, struct skb *skbs, int n, bool merged)
{
    struct sim_machine *m = h->m;
    uint64_t last_flow = 0;

    h->pass_cpu = cpu;
    h->st.passes++;
    h->st.pass_frames += (uint64_t)n;
    bool batch = !merged && n > 1;      /* several skbs in one pass: batch:N */
    sim_machine_charge(m, cpu, SIM_FN_NETIF_RECEIVE, SIM_COST_NETIF_RECEIVE);
    for (int i = 0; i < n; i++) {
        struct skb *skb = &skbs[i];
        struct skb_buf *b = skb->buf;
        if (merged)                     /* merging is inside the pass's one netif_receive_skb call */
            sim_machine_charge_more(m, cpu, SIM_FN_NETIF_RECEIVE, SIM_COST_GRO_MERGE);

        skb->data = rx_skb_bytes(h, skb);
        enum rx_drop why = RX_DROP__COUNT;
        for (struct skb_buf *x = b; x; x = x->frag)
            h->refs[x->id]++;           /* the pass's own reference */
        uint64_t ip_before = h->ns.st.ipv4 + h->ns.st.ipv6;
        h->frame_sock = NULL;           /* rx_sock_deliver names the socket given data */
        if (!merged || i == 0)          /* a GRO pass's skb starts at its first delivered bytes */
            h->skb_start = true;
        int rc = netstack_rx(&h->ns, skb, &why);
        if (h->ack_sent)
            rx_ack_ooo(h, cpu, skb, rc, why);
        /* Reading the frame's metadata and headers: ip_rcv's call when the
         * frame reached IP (one call per such frame), else part of the
         * pass's netif_receive_skb call, which found it was not IP.  The
         * functional core touches no simulated memory, so touching after it
         * gives the same cache outcomes as before it. */
        enum sim_function hdr_fn = SIM_FN_NETIF_RECEIVE;
        if (h->ns.st.ipv4 + h->ns.st.ipv6 != ip_before) {
            hdr_fn = SIM_FN_IP_RCV;
            sim_machine_call(m, cpu, SIM_FN_IP_RCV);
        }
        sim_machine_touch(m, cpu, hdr_fn, b->meta_addr, SIM_CACHE_LINE, true);
        sim_machine_touch(m, cpu, hdr_fn, b->data_addr, skb->len < HEADER_BYTES ? skb->len : HEADER_BYTES, false);
        if (rc < 0)
            h->st.drops[why]++;
        if (skb->ip_version && reached_tcp(rc, why)) {
            /* One socket lookup per flow run (the flow key netstack_parse
             * computed); per packet unless merged or batched. */
            bool lookup = true;
            if (merged || n > 1) {
                uint64_t flow = netstack_flow(skb);
                lookup = i == 0 || flow != last_flow;
                last_flow = flow;
            }
            if (lookup)
                sim_machine_charge(m, cpu, SIM_FN_TCP_RCV, SIM_COST_TCP_RCV);
            /* One checksum call per buffer the segment lies in, as
             * skb_checksum() walks an skb's fragments. */
            uint32_t off = skb->l4_off, left = skb->l4_len;
            struct skb_buf *x = rx_skb_buf_at(skb, &off);
            do {
                uint32_t k = left < SKB_BUF_SIZE - off ? left : SKB_BUF_SIZE - off;
                h->cfg.csum->rx_verify(h, cpu, x->data + off, x->data_addr + off, k);
                left -= k;
                off = 0;
                x = x->frag;
            } while (left);
            if (rc == 0 && (!merged || i == 0))
                tcp_queue(h, cpu, h->frame_sock);
            /* A batch is a list of skbs (netif_receive_skb_list): TCP
             * decides each one's ACK, as for a pass of one; a GRO pass is
             * one skb, decided at the pass's end with the others. */
            if (rc == 0 && batch && h->frame_sock && !h->frame_sock->pass_backlog)
                rx_sock_ack_pass(h, cpu, h->frame_sock);
        }
        while (b) {                     /* freed here unless a socket holds them */
            struct skb_buf *next = b->frag;
            rx_host_buf_put(h, cpu, b);
            b = next;
        }
    }
    while (h->woke_head) {              /* each socket given data: its ACK decision, its reader */
        struct rx_sock *s = h->woke_head;
        h->woke_head = s->next_woke;
        s->next_woke = NULL;
        s->in_pass = false;
        if (s->pass_backlog) {          /* the reader, running, decides at release_sock */
            s->pass_backlog = false;
            continue;
        }
        if (!batch)                     /* a batch's skbs were each decided above */
            rx_sock_ack_pass(h, cpu, s);
        if (s->blocked && !s->woken)
            rx_app_wake(h, cpu, s);
    }
    h->woke_tail = &h->woke_head;
}
