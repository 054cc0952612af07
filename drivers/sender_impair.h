/* drivers/sender_impair.h: seeded loss and reordering on the closed-loop
 * senders' wire (rxsim run --replay closed --loss P --reorder P[:DELAY]).
 *
 * Each data frame leaving the link draws its fate from its own generator
 * (seeded from --seed, so the same seed loses and delays the same frames):
 * lost with probability loss (it took its link time and never arrives), else
 * held with probability reorder: it arrives `delay` later than it would have,
 * after frames sent behind it.  A held frame is kept here and handed back
 * through the release callback when no frame sent from then on can arrive
 * before it (one one-way delay ahead of its arrival), so the NIC, which
 * takes frames in arrival order one ahead, never sees one out of order.
 * SYNs are never lost nor held.  With both probabilities 0 nothing is drawn
 * and the wire is exactly the lossless one. */
#ifndef RXSIM_DRIVERS_SENDER_IMPAIR_H
#define RXSIM_DRIVERS_SENDER_IMPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"
#include "sim/rng.h"
#include "sim/time.h"

struct sender_held;

/* Puts a held frame back on the wire `dest` it was taken from: len bytes
 * arriving at `at` (the sender's clock). */
typedef void (*sender_release_fn)(void *ctx, void *dest, const uint8_t *frame, uint32_t len, sim_ps at);

struct sender_impair {
    double loss, reorder;               /* probabilities per data frame */
    sim_ps delay;                       /* a held frame's extra delay */
    struct sim_rng rng;
    struct sim_queue *q;
    sim_ps owd, offset;                 /* one way; the sender's clock less the simulated one */
    sender_release_fn release;
    void *ctx;
    struct sender_held *held;           /* every one not yet released, for fini */
    struct sender_held *spent;          /* released, freed later: the queue reads an event after its callback */
    uint64_t lost, reordered;
    int error;                          /* -1: out of memory */
};

enum sender_fate { SENDER_FATE_ARRIVES, SENDER_FATE_LOST, SENDER_FATE_HELD };

void sender_impair_init(struct sender_impair *im, double loss, double reorder, sim_ps delay, uint64_t seed,
                        struct sim_queue *q, sim_ps owd, sender_release_fn release, void *ctx);
void sender_impair_fini(struct sender_impair *im);

/* The fate of a data frame of len bytes on wire dest arriving at `at` (the
 * sender's clock; offset is the sender's clock less the simulated one):
 * ARRIVES, it stays on the wire; LOST; HELD, a copy is kept and released
 * later to dest.  The caller takes a lost or held frame off the wire. */
enum sender_fate sender_impair_fate(struct sender_impair *im, void *dest, const uint8_t *frame, uint32_t len,
                                    sim_ps at, sim_ps offset);

#endif
