/* drivers/rx_ring.c: see rx_ring.h. */
#include "drivers/rx_ring.h"

#include <stdlib.h>

int rx_ring_init(struct rx_ring *r, uint32_t size)
{
    *r = (struct rx_ring){ .size = size };
    r->d = calloc(size, sizeof *r->d);
    r->vacant = calloc((size + 63) / 64, sizeof *r->vacant);
    if (!r->d || !r->vacant) {
        rx_ring_fini(r);
        return -1;
    }
    for (uint32_t i = 0; i < size; i++)         /* every descriptor starts without a buffer */
        r->vacant[i / 64] |= 1ull << (i % 64);
    return 0;
}

void rx_ring_fini(struct rx_ring *r)
{
    free(r->d);
    free(r->vacant);
    r->d = NULL;
    r->vacant = NULL;
}
