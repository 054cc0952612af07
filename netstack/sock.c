/* netstack/sock.c: the socket side of the host: delivered bytes wait on the
 * direction's socket as chunks of the receive buffers they arrived in (one
 * chunk per buffer of a chain they span), each chunk holding a reference to
 * its buffer, until the reader copies them out (app.c).  Bytes that waited
 * in the out-of-order queue have no buffer left: their chunk carries its own
 * copy.  While the reader owns the socket lock, a softirq's bytes wait on
 * the socket's backlog instead and the reader processes them at
 * release_sock (rx_sock_release).  Also the ACK decisions, and the
 * socket's own lines each side touches (host_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/host_internal.h"

/* The buffer of skb's chain holding frame byte *off; *off becomes the offset in it. */
struct skb_buf *rx_skb_buf_at(const struct skb *skb, uint32_t *off)
{
    struct skb_buf *b = skb->buf;
    for (; *off >= SKB_BUF_SIZE; *off -= SKB_BUF_SIZE)
        b = b->frag;
    return b;
}

void rx_host_buf_put(struct rx_host *h, struct sim_cpu *cpu, struct skb_buf *b)
{
    if (--h->refs[b->id] == 0)
        h->cfg.recycle->release(h->recycle_state, h->pool, h->m, cpu, b);
}

/* ---- chunks ---------------------------------------------------------------- */

/* A chunk that points into a buffer has no bytes of its own, so they are all
 * one size and are kept for reuse: one malloc per queued chunk in flight, not
 * per delivery.  Chunks with their own bytes come and go through malloc. */
static struct rx_chunk *chunk_new(struct rx_host *h, size_t own)
{
    struct rx_chunk *c;
    if (!own && h->spare) {
        c = h->spare;
        h->spare = c->next;
    } else if (!(c = malloc(sizeof(struct rx_chunk) + own))) {
        return NULL;
    }
    c->skb_head = false;
    return c;
}

void rx_chunk_free(struct rx_host *h, struct rx_chunk *c)
{
    if (c->buf) {
        c->next = h->spare;
        h->spare = c;
    } else {
        free(c);
    }
}

static struct rx_sock *sock_get(struct rx_host *h, struct tcp_conn *c, int dir)
{
    struct tcp_dir *d = &c->dir[dir];
    if (d->app)
        return d->app;
    struct rx_sock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->user_buf = malloc(h->cfg.recv_size);
    if (!s->user_buf) {
        free(s);
        return NULL;
    }
    s->host = h;
    s->conn = c;
    s->dir = dir;
    s->cpu = -1;
    s->owner_cpu = -1;
    s->rcvbuf = h->cfg.rcvbuf == SIZE_MAX ? UINT64_MAX : h->cfg.rcvbuf ? h->cfg.rcvbuf : RX_RCVBUF_DEFAULT;
    s->blocked = true;                  /* the reader starts waiting in recv() */
    s->reader = (struct sim_work){ .level = SIM_LEVEL_PROCESS, .run = h->reader_run, .arg = s, .name = s->name };
    char from[80];
    tcp_endpoint_format(&c->ep[dir], c->ip_version, from, sizeof from);
    snprintf(s->name, sizeof s->name, "reader %s", from);
    s->user_addr = sim_cache_region(&h->m->cache, h->cfg.recv_size);
    s->sock_addr = sim_cache_region(&h->m->cache, RX_SOCK_LINES * SIM_CACHE_LINE);
    s->quick = RX_QUICKACKS;            /* a new connection starts in quickack mode */
    sha256_init(&s->sha);
    s->next_all = h->socks;
    h->socks = s;
    d->app = s;
    return s;
}

/* ch at the end of the receive queue, or of the backlog during a pass that
 * found the lock owned. */
static void sock_queue(struct rx_sock *s, struct rx_chunk *ch)
{
    ch->next = NULL;
    struct rx_chunk **head = s->pass_backlog ? &s->bl_head : &s->head;
    struct rx_chunk **tail = s->pass_backlog ? &s->bl_tail : &s->tail;
    if (*tail)
        (*tail)->next = ch;
    else
        *head = ch;
    *tail = ch;
    s->rmem += ch->truesize;
    if (s->pass_backlog)
        s->bl_bytes += ch->len;
    else
        s->queued += ch->len;
}

/* The receive buffer after a delivery of n bytes: over sk_rcvbuf, autotuning
 * doubles the buffer up to its max (the bound tcp_rcv_space_adjust grows it
 * to); still over, tcp_prune_queue runs (collapsing the queue to the bytes
 * themselves); still over, the kernel drops the skb (TCPRcvQDrop).  An
 * open-loop replay cannot drop it (no sender would resend it): the bytes
 * are kept, counted as over the buffer and said on stderr. */
static void rcvbuf_check(struct rx_host *h, struct rx_sock *s, uint32_t n)
{
    if (s->rmem <= s->rcvbuf)
        return;
    uint64_t max = h->cfg.rcvbuf_max == SIZE_MAX ? UINT64_MAX
                   : h->cfg.rcvbuf_max ? h->cfg.rcvbuf_max : RX_RCVBUF_MAX;
    while (!h->cfg.rcvbuf_fixed && s->rmem > s->rcvbuf && s->rcvbuf < max) {
        s->rcvbuf = s->rcvbuf > max / 2 ? max : 2 * s->rcvbuf;
        h->st.rcvbuf_grows++;
    }
    if (s->rmem <= s->rcvbuf)
        return;
    h->st.rcvbuf_prunes++;
    if (s->queued + s->bl_bytes <= s->rcvbuf)
        return;
    if (!h->st.rcvbuf_over)
        fprintf(stderr, "rxsim: %s: %llu bytes queued past a %llu-byte receive buffer (the kernel would drop "
                "them; kept: this replay's sender did not see the model's window)\n", s->name,
                (unsigned long long)(s->queued + s->bl_bytes), (unsigned long long)s->rcvbuf);
    h->st.rcvbuf_over++;
    h->st.rcvbuf_over_bytes += n;
}

/* Does the reader own s's lock when cpu's softirq brings a frame that
 * arrived at `arrival`?  It owns it over its last copy and while its
 * backlog is not yet processed; never while it sleeps (sk_wait_data drops
 * the lock).  Work items are not preempted, so on the reader's own CPU the
 * softirq runs after the copy: the frame is the one the kernel's softirq
 * would have taken mid-copy when it arrived inside it; one that arrived
 * after finds the reader's release_sock done first. */
static bool sock_owned(struct rx_host *h, struct rx_sock *s, struct sim_cpu *cpu, sim_ps arrival)
{
    if (s->blocked || s->owner_cpu < 0)
        return false;
    if (cpu->id == s->owner_cpu) {
        if (arrival >= s->owned_from && arrival < s->owned_until)
            return true;
        rx_sock_release(h, cpu, s);     /* the copy ended before this frame came */
        return false;
    }
    sim_ps now = sim_cpu_now(cpu);
    return s->bl_head || (now >= s->owned_from && now < s->owned_until);
}

/* The functional core's in-order bytes: queued as chunks of the buffers they
 * arrived in (one per buffer of a chain they span), or copied when they come
 * from the out-of-order queue. */
void rx_sock_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                       uint32_t n)
{
    struct rx_host *h = ctx;
    struct rx_sock *s = sock_get(h, c, dir);
    bool in_frame = n && p >= skb->data && p + n <= skb->data + skb->len;
    if (!s)
        abort();                        /* the model cannot go on without its bytes */
    if (!s->in_pass)                    /* the pass's first bytes for s: queue or backlog? */
        s->pass_backlog = sock_owned(h, s, h->pass_cpu, skb->arrival);
    h->frame_sock = s;
    struct rx_chunk *before = s->pass_backlog ? s->bl_tail : s->tail;  /* the chunks after it are this delivery's */
    if (!s->pass_backlog)
        s->pass_bytes += n;
    uint32_t total = n;
    if (skb->seg.len > s->rcv_mss)
        s->rcv_mss = skb->seg.len;
    if (in_frame) {
        uint32_t off = (uint32_t)(p - skb->data);
        /* where p lies in the segment's payload (zerocopy maps by it) */
        uint32_t pay = skb->l4_off + skb->seg.hlen, seg_len = off >= pay ? skb->seg.len : 0;
        uint32_t seg_off = seg_len ? off - pay : 0;
        struct skb_buf *b = rx_skb_buf_at(skb, &off);
        do {
            struct rx_chunk *ch = chunk_new(h, 0);
            if (!ch)
                abort();
            ch->len = n < SKB_BUF_SIZE - off ? n : SKB_BUF_SIZE - off;
            ch->truesize = SKB_BUF_SIZE + (n == total ? RX_SKB_OVERHEAD : 0);
            ch->arrival = skb->arrival;
            ch->buf = b;
            ch->data = b->data + off;
            ch->addr = b->data_addr + off;
            ch->seg_len = seg_len;
            ch->seg_off = seg_off + (total - n);
            h->refs[b->id]++;
            sock_queue(s, ch);
            n -= ch->len;
            off = 0;
            b = b->frag;
        } while (n);
    } else {
        struct rx_chunk *ch = chunk_new(h, n);
        if (!ch)
            abort();
        ch->len = n;
        ch->truesize = n + RX_SKB_OVERHEAD;
        ch->arrival = skb->arrival;
        memcpy(ch->own, p, n);
        ch->buf = NULL;
        ch->data = ch->own;
        ch->addr = sim_cache_region(&h->m->cache, n);
        ch->seg_off = ch->seg_len = 0;
        sock_queue(s, ch);
    }
    rcvbuf_check(h, s, total);
    if (h->skb_start) {                 /* the first bytes of an skb: a recv() pays per skb it takes */
        (before ? before->next : s->pass_backlog ? s->bl_head : s->head)->skb_head = true;
        h->skb_start = false;
    }
    if (!s->in_pass) {                  /* first bytes for s in this pass: wake it at the end */
        s->in_pass = true;
        s->next_woke = NULL;
        *h->woke_tail = s;
        h->woke_tail = &s->next_woke;
    }
}

/* __release_sock: the backlog's skbs through tcp_v4_do_rcv on cpu (the
 * reader's), each skb's metadata line read again, its tcp_data_queue, then
 * the ACK decision for them all, and onto the receive queue. */
void rx_sock_release(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    if (!s->bl_head)
        return;
    struct sim_machine *m = h->m;
    sim_machine_call(m, cpu, SIM_FN_RELEASE_SOCK);
    h->st.backlog_drains++;
    sim_machine_touch(m, cpu, SIM_FN_RELEASE_SOCK, rx_sock_line(s, RX_LINE_LOCK), SIM_CACHE_LINE, true);
    for (struct rx_chunk *c = s->bl_head; c; c = c->next)
        if (c->skb_head && c->buf)
            sim_machine_touch(m, cpu, SIM_FN_RELEASE_SOCK, c->buf->meta_addr, SIM_CACHE_LINE, false);
    for (uint32_t i = 0; i < s->bl_skbs; i++)
        sim_machine_charge(m, cpu, SIM_FN_TCP_DATA_QUEUE, SIM_COST_TCP_QUEUE);
    if (s->bl_skbs)
        sim_machine_touch(m, cpu, SIM_FN_TCP_DATA_QUEUE, rx_sock_line(s, RX_LINE_RX), SIM_CACHE_LINE, true);
    if (s->tail)
        s->tail->next = s->bl_head;
    else
        s->head = s->bl_head;
    s->tail = s->bl_tail;
    s->queued += s->bl_bytes;
    s->pass_bytes += s->bl_bytes;
    s->bl_head = s->bl_tail = NULL;
    s->bl_bytes = 0;
    s->bl_skbs = 0;
    rx_sock_ack_pass(h, cpu, s);
}

static void chunks_free(struct rx_host *h, struct rx_chunk *c)
{
    while (c) {
        struct rx_chunk *cn = c->next;
        if (c->buf)
            rx_host_buf_put(h, &h->m->cpu[0], c->buf);
        free(c);
        c = cn;
    }
}

void rx_sock_free_all(struct rx_host *h)
{
    struct rx_sock *s = h->socks;
    while (s) {
        struct rx_sock *next = s->next_all;
        chunks_free(h, s->head);
        chunks_free(h, s->bl_head);
        for (uint32_t i = 0; i < s->zc.n; i++)     /* still mapped when the run ended */
            rx_host_buf_put(h, &h->m->cpu[0], s->zc.piece[i].buf);
        free(s->zc.piece);
        s->conn->dir[s->dir].app = NULL;
        rx_ack_cancel(h, s);
        free(s->user_buf);
        free(s);
        s = next;
    }
    while (h->spare) {
        struct rx_chunk *c = h->spare;
        h->spare = c->next;
        free(c);
    }
}

/* ---- recvmsg ------------------------------------------------------------- */

void rx_sock_hash(struct rx_host *h, struct rx_sock *s, const uint8_t *p, uint32_t n)
{
    if (h->cfg.hash)
        h->cfg.hash(h->cfg.hash_ctx, &s->sha, p, n);
    else
        sha256_update(&s->sha, n, p);
}

void rx_sock_take_head(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, enum sim_function fn)
{
    struct rx_chunk *c = s->head;
    /* the kernel's recv cost follows the skbs it takes (validate: ~450
     * cycles per skb with and without GRO, 20383 vs 4437 per call) */
    if (c->skb_head)
        sim_machine_charge_more(h->m, cpu, fn, SIM_COST_RECVMSG_SKB);
    rx_hist_record(&h->st.lat, sim_cpu_now(cpu) - c->arrival < 0 ? 0 : (uint64_t)(sim_cpu_now(cpu) - c->arrival));
    s->head = c->next;
    if (!s->head)
        s->tail = NULL;
    s->head_off = 0;
    if (c->buf)
        rx_host_buf_put(h, cpu, c->buf);
    s->rmem -= c->truesize;
    rx_chunk_free(h, c);
}

void rx_sock_lock(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, enum sim_function fn)
{
    /* lock_sock, then copied_seq, the queue's head and sk_rmem_alloc as it reads */
    s->owned_from = sim_cpu_now(cpu);
    s->owner_cpu = cpu->id;
    sim_machine_touch(h->m, cpu, fn, rx_sock_line(s, RX_LINE_LOCK), SIM_CACHE_LINE, true);
    sim_machine_touch(h->m, cpu, fn, rx_sock_line(s, RX_LINE_RX), SIM_CACHE_LINE, true);
}

uint32_t rx_sock_recvmsg(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, uint32_t max)
{
    rx_sock_lock(h, cpu, s, SIM_FN_TCP_RECVMSG);
    uint32_t done = 0;
    while (done < max && s->head) {
        struct rx_chunk *c = s->head;
        uint32_t k = c->len - s->head_off;
        if (k > max - done)
            k = max - done;
        /* skb_copy_datagram_iter's walk, copy_to_iter's checks and the
         * copy's start-up, once per segment's payload whatever its length
         * (a sender's skb is one page frag), and again where an earlier
         * recv() stopped inside it (copy_chunk) */
        if (s->head_off || c->seg_off == 0 || c->seg_len == 0)
            sim_machine_charge_more(h->m, cpu, h->cfg.csum->in_copy ? SIM_FN_CSUM_COPY : SIM_FN_COPY_TO_USER,
                                    SIM_COST_COPY_CHUNK);
        h->cfg.csum->copy_out(h, cpu, c, s->head_off, s->user_buf + done, s->user_addr + done, k);
        done += k;
        s->head_off += k;
        if (s->head_off == c->len)
            rx_sock_take_head(h, cpu, s, SIM_FN_TCP_RECVMSG);
    }
    s->queued -= done;
    rx_sock_hash(h, s, s->user_buf, done);
    return done;
}

/* ---- ACKs ------------------------------------------------------------------ */

void rx_sock_ack_pass(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    s->unacked += s->pass_bytes;
    s->pass_bytes = 0;
    if (s->quick) {                     /* quickack mode: every data skb at the start */
        s->quick--;
        rx_ack_send(h, cpu, s);
    } else if (s->unacked > s->rcv_mss && s->queued <= s->unacked) {
        rx_ack_send(h, cpu, s);         /* two full segments, and the reader keeps up */
    } else {
        s->ack_pending = true;          /* the reader lags: its recvmsg will send it */
        /* tcp_send_delayed_ack: the delayed-ACK timer (re)armed, sk_reset_timer */
        sim_machine_call(h->m, cpu, SIM_FN_MOD_TIMER);
        sim_machine_touch(h->m, cpu, SIM_FN_MOD_TIMER, rx_sock_line(s, RX_LINE_TIMER), SIM_CACHE_LINE, true);
        rx_ack_delack_arm(h, cpu, s);
    }
}

void rx_sock_ack_read(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    if (s->ack_pending && s->unacked > s->rcv_mss)
        rx_ack_send(h, cpu, s);         /* tcp_cleanup_rbuf: the ACK tcp_input did not send */
}
