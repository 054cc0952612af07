/* drivers/nic_payload.c: see nic_payload.h. */
#include "drivers/nic_payload.h"

#include <stdlib.h>

#include "netstack/payload_synth.h"

int nic_payload_init(struct nic_payload *p, const struct nic_source *inner)
{
    *p = (struct nic_payload){ .inner = *inner, .buf = malloc(NIC_PAYLOAD_MAX_FRAME) };
    return p->buf ? 0 : -1;
}

static int payload_next(void *ctx, struct skb *f)
{
    struct nic_payload *p = ctx;
    int rc = p->inner.next(p->inner.ctx, f);
    uint32_t filled;
    if (rc == 1 && f->len < f->wire_len &&
        payload_synth_fill(f->data, f->len, f->wire_len, f->l2 == SKB_L2_ETHERNET, f->l3_off, f->l3_proto,
                           p->buf, NIC_PAYLOAD_MAX_FRAME, &filled)) {
        f->data = p->buf;
        f->len = f->wire_len;
        p->segments++;
        p->bytes += filled;
    }
    return rc;
}

struct nic_source nic_payload_source(struct nic_payload *p)
{
    return (struct nic_source){ .next = payload_next, .ctx = p };
}

void nic_payload_fini(struct nic_payload *p)
{
    free(p->buf);
    p->buf = NULL;
}
