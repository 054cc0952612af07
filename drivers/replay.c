/* drivers/replay.c: trace records → skbs → netstack (see replay.h). */
#include "drivers/replay.h"

#include "traces/linktype.h"

int replay_trace(struct trace *t, struct netstack *ns, struct replay_stats *st,
                 replay_progress_fn progress, void *progress_ctx, struct trace_err *err)
{
    int dlt = trace_linktype(t);
    struct trace_record rec;
    int rc;

    *st = (struct replay_stats){0};
    while ((rc = trace_next(t, &rec, err)) == 1) {
        if (!st->records++)
            st->first_ts_ns = rec.ts_ns;
        st->last_ts_ns = rec.ts_ns;
        st->bytes += rec.caplen;
        if (progress && (st->records & 0xffff) == 0)
            progress(progress_ctx, st);

        struct linktype_frame lf;
        if (linktype_decap(dlt, rec.data, rec.caplen, &lf) < 0) {
            netstack_count_drop(ns, rec.caplen < rec.wirelen ? RX_DROP_TRUNCATED : RX_DROP_LINK_HDR);
            continue;
        }
        struct skb skb = {
            .data = rec.data,
            .len = rec.caplen,
            .wire_len = rec.wirelen < rec.caplen ? rec.caplen : rec.wirelen,
            .ts_ns = rec.ts_ns,
            .frame_no = rec.index,
            .l2 = lf.l2 == LINKTYPE_L2_ETHERNET ? SKB_L2_ETHERNET : SKB_L2_NONE,
            .l3_off = lf.offset,
            .l3_proto = lf.ethertype,
        };
        if (lf.l2 == LINKTYPE_L2_ETHERNET) {
            /* eth_rx() walks from the frame start; strip any capture prefix. */
            skb.data += lf.offset;
            skb.len -= lf.offset;
            skb.wire_len -= lf.offset < skb.wire_len ? lf.offset : skb.wire_len;
            skb.l3_off = 0;
        }
        netstack_rx(ns, &skb, NULL);
    }
    return rc < 0 ? -1 : 0;
}
