/* netstack/tcp_reasm.c: in-order delivery and the bounded out-of-order queue
 * (see tcp_reasm.h for the rules). */
#include "netstack/tcp_reasm.h"

#include <bsd/sys/tree.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/tcp.h"

struct tcp_ooo {
    RB_ENTRY(tcp_ooo) link;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
};

/* Order modulo 2^32: total for pieces within 2^31 of each other (tcp_reasm.h). */
static int ooo_cmp(const struct tcp_ooo *a, const struct tcp_ooo *b)
{
    return seq_before(a->seq, b->seq) ? -1 : a->seq != b->seq;
}

/* RB_GENERATE_STATIC spells its attribute __unused, which only libbsd's overlay defines. */
RB_GENERATE_INTERNAL(tcp_ooo_tree, tcp_ooo, link, ooo_cmp, __attribute__((unused)) static)

void tcp_reasm_init(struct tcp_reasm *r, size_t ooo_limit)
{
    *r = (struct tcp_reasm){0};
    RB_INIT(&r->ooo);
    r->ooo_limit = ooo_limit ? ooo_limit : TCP_REASM_DEFAULT_OOO_LIMIT;
}

static void unqueue(struct tcp_reasm *r, struct tcp_ooo *n)
{
    RB_REMOVE(tcp_ooo_tree, &r->ooo, n);
    if (r->budget)
        r->budget->used -= n->len + TCP_OOO_PIECE_COST;
    r->ooo_bytes -= n->len;
    r->ooo_pieces--;
    free(n);
}

void tcp_reasm_fini(struct tcp_reasm *r)
{
    struct tcp_ooo *n;
    while ((n = RB_MIN(tcp_ooo_tree, &r->ooo)))
        unqueue(r, n);
}

/* Delivers queued pieces that now start at or before rcv_nxt, walking the
 * tree in order from its first piece (O(1) amortised per piece). */
static void drain_ooo(struct tcp_reasm *r, tcp_deliver_fn deliver, void *ctx)
{
    struct tcp_ooo *n = RB_MIN(tcp_ooo_tree, &r->ooo);
    while (n && !seq_after(n->seq, r->rcv_nxt)) {
        struct tcp_ooo *next = RB_NEXT(tcp_ooo_tree, &r->ooo, n);
        uint32_t end = n->seq + n->len;
        if (seq_after(end, r->rcv_nxt)) {
            uint32_t skip = r->rcv_nxt - n->seq;
            deliver(ctx, n->data + skip, n->len - skip);
            r->st.delivered += n->len - skip;
            r->rcv_nxt = end;
        }
        unqueue(r, n);
        n = next;
    }
}

/* Queues [seq, seq+len) ahead of rcv_nxt, only the parts no queued piece
 * holds yet: one new piece per gap between queued ones, each found and
 * placed in O(log n).  Returns bytes queued; *limited set when the
 * direction's bound cut it, *over_budget when the shared budget did. */
static uint32_t queue_ooo(struct tcp_reasm *r, uint32_t seq, const uint8_t *p,
                          uint32_t len, bool *limited, bool *over_budget, bool *nomem)
{
    uint32_t s = seq, e = seq + len, queued = 0;
    struct tcp_ooo key = { .seq = s };
    struct tcp_ooo *n = RB_NFIND(tcp_ooo_tree, &r->ooo, &key);  /* first piece at or after s */
    struct tcp_ooo *prev = n ? RB_PREV(tcp_ooo_tree, &r->ooo, n) : RB_MAX(tcp_ooo_tree, &r->ooo);
    if (prev && seq_after(prev->seq + prev->len, s))
        s = prev->seq + prev->len;                          /* covered: first copy wins */
    while (seq_before(s, e)) {
        if (n && !seq_after(n->seq, s)) {                   /* starts at s: first copy wins */
            if (seq_after(n->seq + n->len, s))
                s = n->seq + n->len;
            n = RB_NEXT(tcp_ooo_tree, &r->ooo, n);
            continue;
        }
        uint32_t piece_end = (n && seq_before(n->seq, e)) ? n->seq : e;
        uint32_t plen = piece_end - s;
        if (r->ooo_bytes + plen + (r->ooo_pieces + 1) * TCP_OOO_PIECE_COST > r->ooo_limit) {
            *limited = true;
            break;
        }
        size_t charge = plen + TCP_OOO_PIECE_COST;
        if (r->budget && r->budget->limit && r->budget->used + charge > r->budget->limit) {
            *over_budget = true;
            break;
        }
        struct tcp_ooo *fresh = malloc(sizeof *fresh + plen);
        if (!fresh) {
            *nomem = true;
            break;
        }
        fresh->seq = s;
        fresh->len = plen;
        memcpy(fresh->data, p + (s - seq), plen);
        RB_INSERT(tcp_ooo_tree, &r->ooo, fresh);
        if (r->budget)
            r->budget->used += charge;
        r->ooo_bytes += plen;
        r->ooo_pieces++;
        queued += plen;
        s = piece_end;
    }
    return queued;
}

static void maybe_consume_fin(struct tcp_reasm *r)
{
    if (r->fin_seen && !r->fin_done && r->rcv_nxt == r->fin_seq) {
        r->fin_done = true;
        r->rcv_nxt++;                   /* the FIN occupies one sequence number */
    }
}

int tcp_reasm_segment(struct tcp_reasm *r, uint32_t seq, uint8_t flags,
                      const uint8_t *p, uint32_t len,
                      tcp_deliver_fn deliver, void *ctx, enum rx_drop *why)
{
    if (flags & TCP_SYN) {
        if (!r->synced) {
            r->synced = true;
            r->isn = seq;
            r->rcv_nxt = seq + 1;
        }
        r->syn_seen = true;
        seq++;                          /* data on a SYN starts after it */
    }
    if (!r->synced) {
        if (!len && !(flags & (TCP_FIN | TCP_RST)))
            return 0;                   /* a bare ACK tells nothing about the stream */
        r->synced = true;               /* picked up mid-stream */
        r->isn = seq - 1;
        r->rcv_nxt = seq;
    }
    if (r->reset || r->fin_done) {
        if (len) {
            *why = seq_before(seq + len, r->rcv_nxt + 1) && !r->reset
                ? RX_DROP_TCP_OLD_DATA : RX_DROP_TCP_CLOSED;
            if (*why == RX_DROP_TCP_OLD_DATA)
                r->st.retrans_segs++;
            return -1;
        }
        return 0;
    }
    if (flags & TCP_RST) {
        r->reset = true;                /* data carried on an RST is not delivered */
        return 0;
    }

    uint32_t end = seq + len;
    if ((flags & TCP_FIN) && !r->fin_seen) {
        r->fin_seen = true;
        r->fin_seq = end;
    }
    if (r->fin_seen && len && seq_after(end, r->fin_seq)) {
        if (!seq_before(seq, r->fin_seq)) {
            *why = RX_DROP_TCP_CLOSED;  /* wholly past the FIN */
            return -1;
        }
        len = r->fin_seq - seq;         /* trim what lies past the FIN */
        end = r->fin_seq;
    }
    if (!len) {
        maybe_consume_fin(r);
        return 0;
    }

    r->st.data_segs++;
    if (!seq_after(end, r->rcv_nxt)) {
        r->st.retrans_segs++;
        *why = RX_DROP_TCP_OLD_DATA;
        return -1;
    }
    if (seq_before(seq, r->rcv_nxt)) {
        uint32_t skip = r->rcv_nxt - seq;
        r->st.overlap_segs++;
        p += skip;
        len -= skip;
        seq = r->rcv_nxt;
    }
    if (seq == r->rcv_nxt) {
        deliver(ctx, p, len);
        r->st.delivered += len;
        r->rcv_nxt = end;
        drain_ooo(r, deliver, ctx);
        maybe_consume_fin(r);
        return 0;
    }

    bool limited = false, over_budget = false, nomem = false;
    r->st.ooo_segs++;
    uint32_t queued = queue_ooo(r, seq, p, len, &limited, &over_budget, &nomem);
    if (limited)
        r->st.ooo_dropped_bytes += len - queued;
    if (over_budget)
        r->st.ooo_budget_dropped_bytes += len - queued;
    if (queued)
        return 0;
    if (limited || over_budget || nomem) {
        *why = nomem ? RX_DROP_NO_MEMORY : limited ? RX_DROP_TCP_OOO_LIMIT : RX_DROP_TCP_OOO_BUDGET;
        return -1;
    }
    r->st.ooo_segs--;                   /* nothing new: it was a retransmission */
    r->st.retrans_segs++;
    *why = RX_DROP_TCP_OLD_DATA;
    return -1;
}
