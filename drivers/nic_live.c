/* drivers/nic_live.c: a live capture as a frame source (see nic_live.h).
 * libpcap hands records to on_record() from nic_live_poll(); the NIC takes
 * them from live_next() when its arrival events run. */
#include "drivers/nic_live.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/linktype.h"

/* Whatever the capture holds fits a receive-buffer chain (a receiver with
 * GRO on hands up 64 KiB frames; BIG TCP more). */
_Static_assert(NIC_LIVE_SNAPLEN <= SKB_FRAME_MAX, "live frames longer than the NIC model holds");

__attribute__((format(printf, 3, 4)))
static int fail(struct nic_live *l, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, sizeof l->err, fmt, ap);
    va_end(ap);
    if (l->pcap)
        pcap_close(l->pcap);
    l->pcap = NULL;
    return code;
}

int nic_live_open(struct nic_live *l, const char *iface, const struct nic_live_config *cfg,
                  struct nic_trace *filter)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    *l = (struct nic_live){ .fd = -1, .filter = filter, .limit = cfg->limit };
    pcap_t *p = pcap_create(iface, eb);
    if (!p)
        return fail(l, NIC_LIVE_ERR_OTHER, "%s: cannot capture: %s", iface, eb);
    l->pcap = p;
    pcap_set_snaplen(p, NIC_LIVE_SNAPLEN);
    pcap_set_promisc(p, cfg->promisc);
    pcap_set_immediate_mode(p, 1);      /* every frame at once: simulated time follows */
    pcap_set_buffer_size(p, (int)(cfg->buffer_kib * 1024u));
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);   /* best effort */
    int rc = pcap_activate(p);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_IFACE_NOT_UP)
        return fail(l, NIC_LIVE_ERR_NODEV, "%s: %s", iface,
                    rc == PCAP_ERROR_IFACE_NOT_UP ? "the interface is down"
                                                  : "no such interface (ip link lists them)");
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
        return fail(l, NIC_LIVE_ERR_PERM, "%s: permission denied: capturing needs root or CAP_NET_RAW "
                    "(%s)", iface, pcap_geterr(p));
    if (rc < 0)
        return fail(l, NIC_LIVE_ERR_OTHER, "%s: cannot capture: %s", iface,
                    rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
    int dlt = pcap_datalink(p);
    if (!linktype_supported(dlt))
        return fail(l, NIC_LIVE_ERR_LINKTYPE, "%s: link type %s is not one rxsim reads", iface,
                    linktype_name(dlt));
    filter->dlt = dlt;
    l->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    if (cfg->filter && *cfg->filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
            return fail(l, NIC_LIVE_ERR_FILTER, "%s: --filter: %s", iface, pcap_geterr(p));
        rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc < 0)
            return fail(l, NIC_LIVE_ERR_FILTER, "%s: --filter: %s", iface, pcap_geterr(p));
    }
    if (pcap_setnonblock(p, 1, eb) < 0)
        return fail(l, NIC_LIVE_ERR_OTHER, "%s: cannot make the capture non-blocking: %s", iface, eb);
    l->fd = pcap_get_selectable_fd(p);
    if (l->fd < 0)
        return fail(l, NIC_LIVE_ERR_OTHER, "%s: %s", iface, "no selectable descriptor for this capture");
    l->q = calloc(NIC_LIVE_QUEUE_FRAMES, sizeof *l->q);
    if (!l->q)
        return fail(l, NIC_LIVE_ERR_OTHER, "%s: %s", iface, "out of memory for the capture queue");
    return 0;
}

static void on_record(u_char *arg, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct nic_live *l = (struct nic_live *)arg;
    l->captured++;
    if (l->limit && l->received >= l->limit)
        return;                         /* --count reached: the rest is not ours */
    struct trace_record rec = {
        .index = l->captured,
        .ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * (l->nano ? 1 : 1000),
        .caplen = h->caplen,
        .wirelen = h->len,
        .data = bytes,
    };
    struct skb f;
    if (!nic_trace_accept(l->filter, &rec, &f))
        return;
    l->received++;
    if (l->len == NIC_LIVE_QUEUE_FRAMES || l->bytes + f.len > NIC_LIVE_QUEUE_BYTES) {
        l->queue_drops++;
        return;
    }
    uint8_t *copy = malloc(f.len ? f.len : 1);
    if (!copy) {
        l->queue_drops++;
        return;
    }
    memcpy(copy, f.data, f.len);
    f.data = copy;
    if (!l->have_ts) {
        l->have_ts = true;
        l->ts0_ns = l->newest_ns = f.ts_ns;
    } else if (f.ts_ns > l->newest_ns) {
        l->newest_ns = f.ts_ns;
    }
    struct nic_live_slot *s = &l->q[(l->head + l->len) % NIC_LIVE_QUEUE_FRAMES];
    s->f = f;
    s->data = copy;
    l->len++;
    l->bytes += f.len;
}

int nic_live_poll(struct nic_live *l)
{
    int total = 0;
    for (int round = 0; round < 16; round++) {  /* bounded: the loop's timers stay on time */
        int n = pcap_dispatch(l->pcap, 4096, on_record, (u_char *)l);
        if (n < 0) {
            snprintf(l->err, sizeof l->err, "capture failed: %s", pcap_geterr(l->pcap));
            return -1;
        }
        total += n;
        if (n == 0)
            break;
    }
    return total;
}

uint64_t nic_live_kernel_drops(struct nic_live *l)
{
    struct pcap_stat st;
    if (!l->pcap || pcap_stats(l->pcap, &st) < 0)
        return 0;
    return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

void nic_live_end(struct nic_live *l)
{
    l->ended = true;
}

sim_ps nic_live_newest(const struct nic_live *l)
{
    return l->have_ts ? (l->newest_ns - l->ts0_ns) * SIM_PS_PER_NS : 0;
}

static int live_next(void *ctx, struct skb *f)
{
    struct nic_live *l = ctx;
    free(l->cur);                       /* the NIC has DMA'd it */
    l->cur = NULL;
    if (!l->len)
        return l->ended ? 0 : NIC_SOURCE_PENDING;
    struct nic_live_slot *s = &l->q[l->head];
    l->head = (l->head + 1) % NIC_LIVE_QUEUE_FRAMES;
    l->len--;
    l->bytes -= s->f.len;
    *f = s->f;
    l->cur = s->data;
    s->data = NULL;
    return 1;
}

struct nic_source nic_live_source(struct nic_live *l)
{
    return (struct nic_source){ .next = live_next, .ctx = l };
}

void nic_live_close(struct nic_live *l)
{
    if (l->pcap)
        pcap_close(l->pcap);
    l->pcap = NULL;
    if (l->q) {
        for (uint32_t i = 0; i < l->len; i++)
            free(l->q[(l->head + i) % NIC_LIVE_QUEUE_FRAMES].data);
        free(l->q);
    }
    l->q = NULL;
    free(l->cur);
    l->cur = NULL;
}
