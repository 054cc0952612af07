/* drivers/coalesce.h: interrupt moderation (ethtool's rx-usecs / rx-frames)
 * and NAPI's interrupt masking.
 *
 * While unmasked, a frame that arrives is pending; the interrupt fires when
 * rx-frames are pending (if rx-frames > 0), or rx-usecs after the first
 * pending frame (immediately when rx-usecs is 0).  Firing masks the queue's
 * interrupt; the softirq polls the ring and unmasks it when the ring is empty
 * (napi_complete), and frames that came in meanwhile count as just arrived. */
#ifndef RXSIM_DRIVERS_COALESCE_H
#define RXSIM_DRIVERS_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/event.h"

struct coalesce {
    uint32_t usecs;             /* 0: no timer */
    uint32_t frames;            /* 0: no frame threshold */
    uint32_t pending;
    bool masked;
    struct sim_event timer;     /* armed at the first pending frame */
    struct sim_queue *q;
    void (*fire)(struct coalesce *co);      /* required: raise the interrupt */
    void *owner;
    uint64_t interrupts;
    uint64_t timer_fires, frame_fires;
};

/* timer fn/arg are set here; fire and owner by the caller. */
void coalesce_init(struct coalesce *co, uint32_t usecs, uint32_t frames);

/* n frames arrived now (n > 0). */
void coalesce_arrived(struct coalesce *co, struct sim_queue *q, uint32_t n);

/* The softirq finished polling: unmask; `waiting` frames are in the ring. */
void coalesce_unmask(struct coalesce *co, struct sim_queue *q, uint32_t waiting);

#endif
