/* drivers/nic_trace.c: see nic_trace.h. */
#include "drivers/nic_trace.h"

#include <arpa/inet.h>
#include <string.h>

#include "netstack/eth.h"
#include "traces/linktype.h"

int nic_trace_set_host(struct nic_trace *ns, const char *addr)
{
    memset(ns->host, 0, sizeof ns->host);
    if (inet_pton(AF_INET, addr, ns->host) == 1)
        ns->host_v = 4;
    else if (inet_pton(AF_INET6, addr, ns->host) == 1)
        ns->host_v = 6;
    else
        return -1;
    ns->any_host = false;
    return 0;
}

/* Where the IP header starts and what it is: 4 or 6, 0 when not IP. */
static int ip_of(int dlt, const uint8_t *p, uint32_t caplen, uint32_t *off)
{
    struct linktype_frame lf;
    if (linktype_decap(dlt, p, caplen, &lf) < 0)
        return 0;
    uint32_t o = lf.offset;
    uint16_t type = lf.ethertype;
    if (lf.l2 == LINKTYPE_L2_ETHERNET) {
        uint32_t l3;
        if (eth_find_l3(p + o, caplen - o, &l3, &type) < 0)
            return 0;
        o += l3;
    }
    *off = o;
    if (type == 0x0800 && caplen >= o + 20)
        return 4;
    if (type == 0x86dd && caplen >= o + 40)
        return 6;
    return 0;
}

int nic_trace_guess_host(const char *path, const char *filter, struct nic_trace *ns,
                         char *buf, size_t size)
{
    struct trace_err err;
    struct trace *t = trace_open(path, filter, &err);
    if (!t)
        return -1;
    int dlt = trace_linktype(t);
    struct trace_record rec;
    int found = 0;
    while (!found && trace_next(t, &rec, &err) == 1) {
        uint32_t off;
        int v = ip_of(dlt, rec.data, rec.caplen, &off);
        if (!v)
            continue;
        const uint8_t *ip = rec.data + off;
        uint32_t ihl = v == 4 ? (uint32_t)(ip[0] & 15) * 4 : 40;
        uint8_t proto = v == 4 ? ip[9] : ip[6];
        if (proto != 6 || rec.caplen < off + ihl + 20)
            continue;
        const uint8_t *th = ip + ihl;
        uint8_t flags = th[13];
        uint32_t tot = v == 4 ? (uint32_t)(ip[2] << 8 | ip[3]) : (uint32_t)(ip[4] << 8 | ip[5]) + 40;
        uint32_t payload = tot > ihl + (uint32_t)(th[12] >> 4) * 4 ? tot - ihl - (uint32_t)(th[12] >> 4) * 4 : 0;
        if (((flags & 0x12) == 0x02) || payload > 0) {
            memset(ns->host, 0, sizeof ns->host);
            memcpy(ns->host, v == 4 ? ip + 16 : ip + 24, v == 4 ? 4 : 16);
            ns->host_v = (uint8_t)v;
            ns->any_host = false;
            found = 1;
        }
    }
    trace_close(t);
    if (!found)
        return -1;
    inet_ntop(ns->host_v == 4 ? AF_INET : AF_INET6, ns->host, buf, (socklen_t)size);
    return 0;
}

static int trace_next_frame(void *ctx, struct nic_frame *f, const uint8_t **data)
{
    struct nic_trace *ns = ctx;
    struct trace_record rec;
    for (;;) {
        int rc = trace_next(ns->t, &rec, &ns->err);
        if (rc < 0)
            ns->partial = true;
        if (rc <= 0)
            return rc;
        struct linktype_frame lf;
        if (linktype_decap(ns->dlt, rec.data, rec.caplen, &lf) < 0) {
            ns->link_errors++;
            continue;
        }
        if (!ns->any_host) {
            uint32_t off;
            int v = ip_of(ns->dlt, rec.data, rec.caplen, &off);
            if (v && (v != ns->host_v ||
                      memcmp(rec.data + off + (v == 4 ? 16 : 24), ns->host, v == 4 ? 4 : 16))) {
                ns->skipped++;
                continue;
            }
        }
        uint32_t strip = lf.l2 == LINKTYPE_L2_ETHERNET ? lf.offset : 0;
        *data = rec.data + strip;
        *f = (struct nic_frame){
            .ts_ns = rec.ts_ns,
            .frame_no = rec.index,
            .len = rec.caplen - strip,
            .wire_len = (rec.wirelen > rec.caplen ? rec.wirelen : rec.caplen) - strip,
            .ethernet = lf.l2 == LINKTYPE_L2_ETHERNET,
            .l3_off = lf.l2 == LINKTYPE_L2_ETHERNET ? 0 : lf.offset,
            .l3_proto = lf.ethertype,
        };
        return 1;
    }
}

struct nic_source nic_trace_source(struct nic_trace *ns)
{
    ns->dlt = trace_linktype(ns->t);
    return (struct nic_source){ .next = trace_next_frame, .ctx = ns };
}
