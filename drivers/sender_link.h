/* drivers/sender_link.h: the wire between the closed-loop senders
 * (sender.h) and one NIC: a FIFO link of a given rate and one-way delay.
 *
 * Each NIC of a closed-loop run has its own link (--nics N: N links of
 * --link each; flow i rides link i mod N, as --nics spreads a trace's
 * connections).  A frame put on the link leaves when the frames before it
 * have left (FIFO at the link rate), occupying (frame + 24) * 8 / bps
 * seconds (preamble, FCS, inter-frame gap, as drivers/nic.c counts them),
 * and arrives owd after its last bit left, rounded up to whole ns (the
 * NIC's frame times are nanoseconds).  The frames in flight are kept in a
 * ring of slots, each MTU + 14 bytes, grown by doubling.
 *
 * Times here are the sender's clock v (sender.h), not the simulated one. */
#ifndef RXSIM_DRIVERS_SENDER_LINK_H
#define RXSIM_DRIVERS_SENDER_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "sim/time.h"

struct sender;

struct sender_link {
    struct sender *owner;               /* the senders feeding it (the NIC source's context is the link) */
    uint32_t idx;                       /* the NIC's number */
    struct nic *nic;                    /* for nic_source_ready(); NULL until attached */
    uint64_t bps;
    sim_ps owd;                         /* one way, after the last bit left */
    sim_ps link_free;                   /* v: when the last frame's last bit leaves */
    sim_ps busy_ps;                     /* serialization time of every frame put on it */
    uint64_t frames_put, bytes_put;     /* frames and their bytes (Ethernet header on) */
    /* frames on the wire, FIFO, each its bytes in slot i * slot_size */
    uint8_t *slots;
    uint32_t *slot_len;
    sim_ps *slot_at;                    /* v: arrival */
    uint32_t slot_size, head, count, cap;
    uint8_t *cur;                       /* the frame handed to the NIC, valid until the next pop */
};

/* 0, or -1: no memory. */
int sender_link_init(struct sender_link *l, uint32_t idx, uint64_t bps, sim_ps owd, uint32_t slot_size);
void sender_link_fini(struct sender_link *l);

/* The slot at the FIFO's tail for the next frame (slot_size bytes), or NULL:
 * no memory.  The frame is on the link only after sender_link_put(). */
uint8_t *sender_link_slot(struct sender_link *l);

/* Puts the frame built in the tail slot (len bytes) on the link at v = now:
 * its arrival time v (whole ns). */
sim_ps sender_link_put(struct sender_link *l, uint32_t len, sim_ps now);

/* The newest frame put on the link does not arrive (lost on the wire, or
 * held to arrive later: sender_impair.h): it leaves the FIFO, its link time
 * stays spent. */
void sender_link_take_back(struct sender_link *l);

/* A frame of len bytes arriving at v `at` (a held one, back) put among the
 * frames in flight in arrival order.  0, or -1: no memory. */
int sender_link_insert(struct sender_link *l, const uint8_t *frame, uint32_t len, sim_ps at);

/* The oldest frame in flight: its bytes (copied to l->cur, valid until the
 * next pop), length and arrival v; false when the link is empty. */
bool sender_link_pop(struct sender_link *l, const uint8_t **data, uint32_t *len, sim_ps *at);

/* The arrival v of the newest frame put on the link (count > 0). */
sim_ps sender_link_last_arrival(const struct sender_link *l);

/* Serialization time the link has spent by v = now: busy_ps less what the
 * frames still queued behind now have yet to take (they leave back to back
 * up to link_free). */
sim_ps sender_link_busy_by(const struct sender_link *l, sim_ps now);

#endif
