/* drivers/rx_ring.h: a NIC's receive descriptor ring.
 *
 *   prod ──▶ next descriptor the NIC will DMA a frame into
 *   cons ──▶ next filled descriptor the driver's poll takes
 *
 * Each descriptor holds a buffer given by the recycle policy.  A frame
 * longer than one buffer takes several descriptors in a row from prod (the
 * first carries the frame's facts; the others only their buffer, as a NIC
 * marks all but the last descriptor of a frame not-end-of-packet).  A frame
 * that finds any of its descriptors full, or without a buffer (the
 * allocator ran dry), is dropped: RX_DROP_RING_FULL, the drop a real NIC
 * counts as rx_missed_errors / rx_no_buffer_count. */
#ifndef RXSIM_DRIVERS_RX_RING_H
#define RXSIM_DRIVERS_RX_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/skb.h"
#include "netstack/skb_pool.h"

struct rx_desc {
    struct skb_buf *buf;
    bool full;
    struct skb skb;             /* the frame's descriptor (first descriptor of a frame only):
                                   the source's facts and its arrival; data and buf unset */
};

struct rx_ring {
    struct rx_desc *d;
    uint32_t size, prod, cons, filled;
    uint64_t *vacant;           /* bit i: descriptor i has no buffer (refill finds them fast) */
};

int rx_ring_init(struct rx_ring *r, uint32_t size);     /* -1: no memory */
void rx_ring_fini(struct rx_ring *r);

/* The first of the nbufs (1 ..= size) descriptors the next frame goes into,
 * or NULL when any of them is full or has no buffer. */
static inline struct rx_desc *rx_ring_slots(struct rx_ring *r, uint32_t nbufs)
{
    for (uint32_t k = 0, i = r->prod; k < nbufs; k++, i = i + 1 == r->size ? 0 : i + 1)
        if (r->d[i].full || !r->d[i].buf)
            return NULL;
    return &r->d[r->prod];
}

/* Descriptor k (0-based) of the nbufs rx_ring_slots() found. */
static inline struct rx_desc *rx_ring_slot_at(struct rx_ring *r, uint32_t k)
{
    return &r->d[(r->prod + k) % r->size];
}

/* Marks the next descriptor filled (once per buffer of the frame). */
static inline void rx_ring_produce(struct rx_ring *r)
{
    r->d[r->prod].full = true;
    r->prod = (r->prod + 1) % r->size;
    r->filled++;
}

/* The oldest filled descriptor (the first of a frame's), or NULL. */
static inline struct rx_desc *rx_ring_peek(struct rx_ring *r)
{
    struct rx_desc *d = &r->d[r->cons];
    return d->full ? d : NULL;
}

/* Takes the oldest filled descriptor's buffer; the slot waits for a refill. */
static inline struct skb_buf *rx_ring_consume(struct rx_ring *r)
{
    struct rx_desc *d = &r->d[r->cons];
    struct skb_buf *b = d->buf;
    d->buf = NULL;
    d->full = false;
    r->vacant[r->cons / 64] |= 1ull << (r->cons % 64);
    r->cons = (r->cons + 1) % r->size;
    r->filled--;
    return b;
}

/* The lowest-numbered descriptor at or after from without a buffer, or -1.
 * A refill walks in ring order from prod (nic.c), as a driver fills from
 * next_to_use: short of buffers, the descriptor the NIC needs next gets one
 * first. */
static inline long rx_ring_vacant(const struct rx_ring *r, uint32_t from)
{
    for (uint32_t w = from / 64; w < (r->size + 63) / 64; w++) {
        uint64_t bits = r->vacant[w];
        if (w == from / 64)
            bits &= ~0ull << (from % 64);
        if (bits)
            return (long)w * 64 + __builtin_ctzll(bits);
    }
    return -1;
}

/* Gives vacant descriptor i its buffer. */
static inline void rx_ring_fill(struct rx_ring *r, uint32_t i, struct skb_buf *b)
{
    r->d[i].buf = b;
    r->vacant[i / 64] &= ~(1ull << (i % 64));
}

#endif
