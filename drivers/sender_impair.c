/* drivers/sender_impair.c: the closed-loop wire's seeded loss and
 * reordering (sender_impair.h).  Apart from sender.c, which owns the link
 * and its FIFO: this file only decides a frame's fate and keeps the held
 * ones until their time. */
#include "drivers/sender_impair.h"

#include <stdlib.h>
#include <string.h>

struct sender_held {
    struct sim_event ev;
    struct sender_impair *im;
    void *dest;
    struct sender_held *prev, *next;    /* im->held */
    sim_ps at;                          /* the sender's clock: arrival */
    uint32_t len;
    uint8_t frame[];
};

/* Uniform in [0, 1) from the top 53 bits. */
static double draw(struct sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

static void unlink_held(struct sender_impair *im, struct sender_held *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        im->held = h->next;
    if (h->next)
        h->next->prev = h->prev;
}

static void released(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct sender_held *h = ev->arg;
    struct sender_impair *im = h->im;
    unlink_held(im, h);
    im->release(im->ctx, h->dest, h->frame, h->len, h->at);
    h->next = im->spent;
    im->spent = h;
}

static void free_list(struct sender_held *h)
{
    while (h) {
        struct sender_held *next = h->next;
        free(h);
        h = next;
    }
}

void sender_impair_init(struct sender_impair *im, double loss, double reorder, sim_ps delay, uint64_t seed,
                        struct sim_queue *q, sim_ps owd, sender_release_fn release, void *ctx)
{
    *im = (struct sender_impair){ .loss = loss, .reorder = reorder, .delay = delay, .q = q, .owd = owd,
                                  .release = release, .ctx = ctx };
    sim_rng_seed(&im->rng, seed ^ 0x6c6f73732f726f72ull);      /* its own stream: "loss/ror" */
}

void sender_impair_fini(struct sender_impair *im)
{
    for (struct sender_held *h = im->held; h; h = h->next)
        sim_cancel(im->q, &h->ev);
    free_list(im->held);
    free_list(im->spent);
    im->held = im->spent = NULL;
}

enum sender_fate sender_impair_fate(struct sender_impair *im, void *dest, const uint8_t *frame, uint32_t len,
                                    sim_ps at, sim_ps offset)
{
    if (im->loss > 0 && draw(&im->rng) < im->loss) {
        im->lost++;
        return SENDER_FATE_LOST;
    }
    if (!(im->reorder > 0 && draw(&im->rng) < im->reorder))
        return SENDER_FATE_ARRIVES;
    free_list(im->spent);               /* their callbacks have returned */
    im->spent = NULL;
    struct sender_held *h = malloc(sizeof *h + len);
    if (!h) {
        im->error = -1;
        return SENDER_FATE_ARRIVES;
    }
    *h = (struct sender_held){ .im = im, .dest = dest, .at = at + im->delay, .len = len, .next = im->held };
    memcpy(h->frame, frame, len);
    h->ev.fn = released;
    h->ev.arg = h;
    if (im->held)
        im->held->prev = h;
    im->held = h;
    /* Back on the wire one one-way delay before it arrives: a frame sent
     * from then on arrives after it. */
    sim_ps when = h->at - im->owd - offset;
    if (when < im->q->now)
        when = im->q->now;
    if (sim_schedule(im->q, &h->ev, when) < 0)
        im->error = -1;
    im->reordered++;
    return SENDER_FATE_HELD;
}
