/* drivers/coalesce.c: see coalesce.h. */
#include "drivers/coalesce.h"

#include "sim/time.h"

static void do_fire(struct coalesce *co, struct sim_queue *q)
{
    sim_cancel(q, &co->timer);
    co->pending = 0;
    co->masked = true;
    co->interrupts++;
    co->fire(co);
}

static void timer_expired(struct sim_event *ev, void *ctx)
{
    struct coalesce *co = ev->arg;
    if (!co->masked && co->pending) {
        co->timer_fires++;
        do_fire(co, co->q);
    }
    (void)ctx;
}

void coalesce_init(struct coalesce *co, uint32_t usecs, uint32_t frames)
{
    *co = (struct coalesce){ .usecs = usecs, .frames = frames };
    co->timer.fn = timer_expired;
    co->timer.arg = co;
}

void coalesce_arrived(struct coalesce *co, struct sim_queue *q, uint32_t n)
{
    if (co->masked)
        return;                         /* the poll in progress will see them */
    co->pending += n;
    if (co->frames && co->pending >= co->frames) {
        co->frame_fires++;
        do_fire(co, q);
        return;
    }
    if (!co->usecs) {
        do_fire(co, q);
        return;
    }
    co->q = q;
    if (!co->timer.queued)
        sim_schedule(q, &co->timer, q->now + (sim_ps)co->usecs * SIM_PS_PER_US);
}

void coalesce_unmask(struct coalesce *co, struct sim_queue *q, uint32_t waiting)
{
    co->masked = false;
    co->pending = 0;
    if (waiting)
        coalesce_arrived(co, q, waiting);
}
