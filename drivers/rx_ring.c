/* drivers/rx_ring.c: see rx_ring.h. */
#include "drivers/rx_ring.h"

#include <stdlib.h>

int rx_ring_init(struct rx_ring *r, uint32_t size)
{
    *r = (struct rx_ring){ .size = size };
    r->d = calloc(size, sizeof *r->d);
    return r->d ? 0 : -1;
}

void rx_ring_fini(struct rx_ring *r)
{
    free(r->d);
    r->d = NULL;
}
