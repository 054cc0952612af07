/* traces/synth.c: the trace synthesizer's generator (see synth.h for the
 * traffic and the content recipe; synth_opts.c checks the options,
 * synth_truth.c writes the truth sidecar).
 *
 * Shape.  Memory follows the number of flows, not the bytes: each flow is a
 * small generator that cuts its stream one segment at a time and queues the
 * transmissions that segment causes (a bad copy and its good retransmission,
 * a duplicate, a lost segment's retransmission SYNTH_LOSS_DELAY segments
 * later).  A queued transmission does not hold its bytes: it holds the
 * content generator's 32-byte state at its first word and regenerates them
 * when written, so a 16 GiB flow needs no more memory than a 1 KiB one.
 *
 * Time.  One full-duplex link at rate R: client→server frames follow each
 * other back to back, each stamped when its last bit arrives
 * ((frame + 24) * 8 / R seconds after the previous: preamble+SFD 8, FCS 4,
 * inter-frame gap 12); server→client frames (SYN-ACK, ACKs, FIN) use the
 * other direction and are stamped at the instant of the frame they answer.
 * Integer nanoseconds from bits * 1e9 / R in 128-bit arithmetic, so times are
 * the same on every machine.
 *
 * Receiver model.  Segment boundaries never move (a retransmission resends
 * the same segment), so what a receiver makes of each arrival is one of:
 * next in order (delivered, plus whatever queued segments it unblocks), ahead
 * of a hole (out of order, queued), or wholly old (a retransmission: already
 * delivered or already queued).  That is all the ACK numbers and the expected
 * counts need; tests check it against the real stack through rxsim inspect.
 *
 * Dependencies: libpcap (writing), copy/ (the Internet checksum), sim/ (the
 * seeded RNG) and nettle (SHA-256 for the truth).  That is why this is its
 * own library (synth_lib in traces/meson.build): reading traces stays
 * libpcap-only for everything that links traces_dep.
 */
#include "traces/synth.h"

#include <errno.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/csum.h"
#include "sim/rng.h"
#include "traces/synth_private.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

enum flow_phase { PHASE_HANDSHAKE, PHASE_DATA, PHASE_DONE };

/* One transmission of a data segment. */
struct emit {
    uint64_t off;               /* stream offset of the first byte */
    uint32_t len;
    bool bad;                   /* written with a wrong TCP checksum */
    bool no_swap;               /* already moved by a reorder */
    struct sim_rng snap;        /* content state whose next word holds byte off */
};

struct pending {                /* a lost segment waiting for its retransmission */
    struct emit e;
    uint64_t due;               /* sent right after segment `due` */
};

struct ahead {                  /* a segment the receiver holds beyond a hole */
    uint64_t off;
    uint32_t len;
};

struct flow {
    struct synth_flow *out;
    uint8_t caddr[16], saddr[16];
    uint32_t c_isn, s_isn, c_ts0, s_ts0, c_tsval, s_tsval;
    uint16_t c_ipid, s_ipid;
    enum flow_phase phase;

    /* sender */
    struct sim_rng content;     /* next word holds byte cut_off */
    struct sim_rng imp;
    uint64_t cut_off, write_left, next_seg;
    const uint64_t *bad;        /* this flow's bad-checksum segment numbers, ascending */
    size_t nbad;
    struct emit *q;             /* transmissions ready, in order: q[qhead .. qlen) */
    size_t qhead, qlen, qcap;
    struct pending pend[SYNTH_LOSS_DELAY + 1];
    size_t npend;
    struct sha256_ctx sha;

    /* receiver */
    uint64_t rcv_nxt;
    struct ahead *held;
    size_t nheld, cheld;
    uint32_t unacked;
};

struct writer {
    const struct synth_opts *o;
    pcap_t *pd;
    pcap_dumper_t *dump;
    uint64_t segs_per_flow;
    uint32_t mss, seg_payload;
    uint64_t bits;              /* client→server bits so far */
    uint64_t now_ns;
    uint64_t first_ts_ns;
    uint64_t frames;
    uint64_t cut;               /* stream bytes cut into segments, all flows (progress) */
    bool nomem;
    uint8_t frame[FRAME_MAX];
    uint8_t payload[SYNTH_MTU_MAX];
};

/* ---- content ---------------------------------------------------------- */

/* Fills dst with stream bytes [off, off+len) from r, whose next word holds
 * byte off, and leaves r so its next word holds byte off+len (a word that is
 * only partly used is not consumed). */
static void content_fill(struct sim_rng *r, uint64_t off, uint8_t *dst, uint32_t len)
{
    unsigned phase = (unsigned)(off & 7);
    while (len) {
        struct sim_rng before = *r;
        uint64_t w = sim_rng_next(r);
        unsigned take = 8 - phase < len ? 8 - phase : len;
        for (unsigned k = 0; k < take; k++)
            dst[k] = (uint8_t)(w >> (8 * (phase + k)));
        dst += take;
        len -= take;
        if (phase + take < 8)
            *r = before;
        phase = 0;
    }
}

/* ---- impairment choices ---------------------------------------------- */

static bool roll(struct sim_rng *r, double p)
{
    if (p <= 0.0)
        return false;                   /* no draw: --loss 0 is the same trace as no --loss */
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53 < p;
}

/* ---- frames ------------------------------------------------------------ */

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static uint32_t ms_since_start(const struct writer *w)
{
    return (uint32_t)((w->now_ns - SYNTH_EPOCH_S * 1000000000ull) / 1000000);
}

/* Builds one frame into w->frame and writes it.  A client frame first moves
 * the clock by its time on the wire; a server frame is stamped at the current
 * time (the other direction of the link). */
static void send_frame(struct writer *w, struct flow *f, bool from_client, uint8_t flags,
                      uint32_t seq, uint32_t ack, uint16_t win,
                      const uint8_t *payload, uint32_t plen, bool bad_csum)
{
    const struct synth_opts *o = w->o;
    uint8_t *fr = w->frame;
    const uint8_t *src = from_client ? f->caddr : f->saddr;
    const uint8_t *dst = from_client ? f->saddr : f->caddr;
    uint32_t optlen = (flags & TH_SYN) ? SYN_OPT_LEN : TS_OPT_LEN;
    uint32_t ihl = o->ipv6 ? IP6_HLEN : IP4_HLEN;
    uint32_t tcplen = TCP_HLEN + optlen + plen;
    uint32_t len = ETH_HLEN + ihl + tcplen;

    if (from_client) {
        w->bits += (uint64_t)(len + WIRE_OVERHEAD) * 8;
        w->now_ns = SYNTH_EPOCH_S * 1000000000ull +
                    (uint64_t)((unsigned __int128)w->bits * 1000000000u / o->rate_bps);
    }

    /* Ethernet: locally administered MACs, client ...:01, server ...:02. */
    static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 1 }, mac_s[6] = { 2, 0, 0, 0, 0, 2 };
    memcpy(fr, from_client ? mac_s : mac_c, 6);
    memcpy(fr + 6, from_client ? mac_c : mac_s, 6);
    put16(fr + 12, o->ipv6 ? 0x86dd : 0x0800);

    uint8_t *ip = fr + ETH_HLEN, *th = ip + ihl;
    if (o->ipv6) {
        put32(ip, 0x60000000);
        put16(ip + 4, tcplen);
        ip[6] = 6;                      /* next header: TCP */
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, ihl + tcplen);
        put16(ip + 4, from_client ? f->c_ipid++ : f->s_ipid++);
        put16(ip + 6, 0x4000);          /* DF */
        ip[8] = 64;
        ip[9] = 6;
        put16(ip + 10, 0);
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        put16(ip + 10, csum_fold(csum_partial(ip, IP4_HLEN, 0)));
    }

    put16(th, from_client ? f->out->client_port : f->out->server_port);
    put16(th + 2, from_client ? f->out->server_port : f->out->client_port);
    put32(th + 4, seq);
    put32(th + 8, ack);
    th[12] = (uint8_t)(((TCP_HLEN + optlen) / 4) << 4);
    th[13] = flags;
    put16(th + 14, win);
    put16(th + 16, 0);
    put16(th + 18, 0);

    uint32_t tsval = (from_client ? f->c_ts0 : f->s_ts0) + ms_since_start(w);
    uint32_t tsecr = (flags & TH_SYN) && !(flags & TH_ACK) ? 0 : (from_client ? f->s_tsval : f->c_tsval);
    uint8_t *opt = th + TCP_HLEN;
    if (flags & TH_SYN) {
        opt[0] = 2; opt[1] = 4; put16(opt + 2, w->mss);         /* MSS */
        opt[4] = 4; opt[5] = 2;                                   /* SACK permitted */
        opt[6] = 8; opt[7] = 10; put32(opt + 8, tsval); put32(opt + 12, tsecr);
        opt[16] = 1;                                              /* NOP */
        opt[17] = 3; opt[18] = 3; opt[19] = WSCALE;               /* window scale */
    } else {
        opt[0] = 1; opt[1] = 1;
        opt[2] = 8; opt[3] = 10; put32(opt + 4, tsval); put32(opt + 8, tsecr);
    }
    if (from_client)
        f->c_tsval = tsval;
    else
        f->s_tsval = tsval;
    if (plen)
        memcpy(th + TCP_HLEN + optlen, payload, plen);

    uint32_t sum = o->ipv6 ? csum_pseudo_v6(src, dst, 6, tcplen) : csum_pseudo_v4(src, dst, 6, tcplen);
    uint16_t good = csum_fold(csum_partial(th, tcplen, sum));
    uint16_t stored = good;
    if (bad_csum) {
        /* One flipped bit is never the other ones'-complement zero of the
         * right value; skip the one pattern inspect would call TX offload. */
        uint16_t offload_like = (uint16_t)~csum_fold(sum);
        stored = good ^ 0x0100;
        if (stored == offload_like)
            stored = good ^ 0x0200;
    }
    put16(th + 16, stored);

    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(w->now_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(o->nsec ? w->now_ns % 1000000000u : w->now_ns % 1000000000u / 1000);
    h.caplen = h.len = len;
    pcap_dump((u_char *)w->dump, &h, fr);
    if (!w->frames++)
        w->first_ts_ns = w->now_ns;
    if (from_client)
        f->out->up.segments++;
    else
        f->out->down.segments++;
}

/* ---- sender ------------------------------------------------------------ */

static int q_push(struct writer *w, struct flow *f, const struct emit *e)
{
    if (f->qhead == f->qlen)
        f->qhead = f->qlen = 0;
    if (f->qlen == f->qcap && f->qhead) {               /* slide the live part down */
        memmove(f->q, f->q + f->qhead, (f->qlen - f->qhead) * sizeof *f->q);
        f->qlen -= f->qhead;
        f->qhead = 0;
    }
    if (f->qlen == f->qcap) {
        size_t cap = f->qcap ? 2 * f->qcap : 8;
        struct emit *q = realloc(f->q, cap * sizeof *q);
        if (!q) {
            w->nomem = true;
            return -1;
        }
        f->q = q;
        f->qcap = cap;
    }
    f->q[f->qlen++] = *e;
    return 0;
}

/* Cuts the next segment and queues what it causes.  false when the stream
 * is all cut. */
static bool cut_more(struct writer *w, struct flow *f)
{
    const struct synth_opts *o = w->o;
    if (f->next_seg == w->segs_per_flow)
        return false;
    uint64_t i = f->next_seg++;
    if (!f->write_left)                 /* the sender's next write(S) */
        f->write_left = o->bytes - f->cut_off < o->send_size ? o->bytes - f->cut_off : o->send_size;
    uint32_t len = f->write_left < w->seg_payload ? (uint32_t)f->write_left : w->seg_payload;
    struct emit e = { .off = f->cut_off, .len = len, .snap = f->content };
    content_fill(&f->content, f->cut_off, w->payload, len);
    sha256_update(&f->sha, len, w->payload);
    f->cut_off += len;
    w->cut += len;
    f->write_left -= len;

    if (f->nbad && *f->bad == i) {      /* bad copy, then its good retransmission */
        f->bad++;
        f->nbad--;
        f->out->bad_csum++;
        e.bad = true;
        q_push(w, f, &e);
        e.bad = false;
        q_push(w, f, &e);
    } else if (roll(&f->imp, o->loss)) {
        f->pend[f->npend++] = (struct pending){ e, i + SYNTH_LOSS_DELAY };
        f->out->lost++;
    } else {
        q_push(w, f, &e);
        if (roll(&f->imp, o->dup)) {
            q_push(w, f, &e);
            f->out->duplicated++;
        }
    }
    bool last = f->next_seg == w->segs_per_flow;
    size_t keep = 0;
    for (size_t k = 0; k < f->npend; k++) {
        if (f->pend[k].due == i || last)
            q_push(w, f, &f->pend[k].e);
        else
            f->pend[keep++] = f->pend[k];
    }
    f->npend = keep;
    return true;
}

/* The next transmission of f's data, reorders applied.  false when none. */
static bool next_emit(struct writer *w, struct flow *f, struct emit *out)
{
    while (f->qhead == f->qlen && cut_more(w, f))
        ;
    if (f->qhead == f->qlen)
        return false;
    struct emit *e = &f->q[f->qhead];
    if (!e->no_swap && roll(&f->imp, w->o->reorder)) {
        while (f->qlen - f->qhead < 2 && cut_more(w, f))
            ;
        e = &f->q[f->qhead];            /* the queue may have moved */
        if (f->qlen - f->qhead >= 2) {
            struct emit *n = e + 1;
            if (n->off != e->off || n->bad != e->bad) {     /* never swap a segment with its twin */
                struct emit t = *e;
                *e = *n;
                *n = t;
                n->no_swap = true;
                f->out->reordered++;
            }
        }
    }
    *out = f->q[f->qhead++];
    return true;
}

/* ---- receiver model ---------------------------------------------------- */

static void receive(struct writer *w, struct flow *f, uint64_t off, uint32_t len)
{
    struct synth_dir_expect *x = &f->out->up;
    if (off + len <= f->rcv_nxt) {
        x->retransmitted_segments++;
        return;
    }
    if (off == f->rcv_nxt) {
        f->rcv_nxt += len;
        for (size_t k = 0; k < f->nheld;) {             /* unblocked segments */
            if (f->held[k].off == f->rcv_nxt) {
                f->rcv_nxt += f->held[k].len;
                f->held[k] = f->held[--f->nheld];
                k = 0;
            } else {
                k++;
            }
        }
        return;
    }
    for (size_t k = 0; k < f->nheld; k++)
        if (f->held[k].off == off) {
            x->retransmitted_segments++;
            return;
        }
    x->out_of_order_segments++;
    if (f->nheld == f->cheld) {
        size_t cap = f->cheld ? 2 * f->cheld : 8;
        struct ahead *h = realloc(f->held, cap * sizeof *h);
        if (!h) {
            w->nomem = true;
            return;
        }
        f->held = h;
        f->cheld = cap;
    }
    f->held[f->nheld++] = (struct ahead){ off, len };
}

/* ---- a flow's turn ----------------------------------------------------- */

static void flow_turn(struct writer *w, struct flow *f)
{
    const struct synth_opts *o = w->o;
    uint32_t c1 = f->c_isn + 1, s1 = f->s_isn + 1;
    switch (f->phase) {
    case PHASE_HANDSHAKE:
        send_frame(w, f, true, TH_SYN, f->c_isn, 0, CLIENT_SYN_WIN, NULL, 0, false);
        send_frame(w, f, false, TH_SYN | TH_ACK, f->s_isn, c1, SERVER_SYN_WIN, NULL, 0, false);
        send_frame(w, f, true, TH_ACK, c1, s1, CLIENT_WIN, NULL, 0, false);
        f->phase = PHASE_DATA;
        return;
    case PHASE_DATA: {
        struct emit e;
        if (next_emit(w, f, &e)) {
            struct sim_rng r = e.snap;
            content_fill(&r, e.off, w->payload, e.len);
            uint64_t end = e.off + e.len;
            bool push = end % o->send_size == 0 || end == o->bytes;     /* last segment of a write */
            send_frame(w, f, true, TH_ACK | (push ? TH_PSH : 0), c1 + (uint32_t)e.off, s1,
                       CLIENT_WIN, w->payload, e.len, e.bad);
            if (e.bad) {
                f->out->up.bad_checksum_segments++;
                return;
            }
            receive(w, f, e.off, e.len);
            if (o->acks && ++f->unacked == 2) {
                f->unacked = 0;
                send_frame(w, f, false, TH_ACK, s1, c1 + (uint32_t)f->rcv_nxt, SERVER_WIN, NULL, 0, false);
            }
            return;
        }
        uint32_t fin = c1 + (uint32_t)o->bytes;
        send_frame(w, f, true, TH_FIN | TH_ACK, fin, s1, CLIENT_WIN, NULL, 0, false);
        send_frame(w, f, false, TH_FIN | TH_ACK, s1, fin + 1, SERVER_WIN, NULL, 0, false);
        send_frame(w, f, true, TH_ACK, fin + 1, s1 + 1, CLIENT_WIN, NULL, 0, false);
        f->out->up.bytes = f->rcv_nxt;
        sha256_digest(&f->sha, sizeof f->out->sha256, f->out->sha256);
        f->phase = PHASE_DONE;
        return;
    }
    case PHASE_DONE:
        return;
    }
}

static void flow_init(const struct synth_opts *o, struct flow *f, struct synth_flow *out, uint32_t i)
{
    memset(f, 0, sizeof *f);
    f->out = out;
    uint32_t host = i / SYNTH_PORTS_PER_HOST;
    out->client_port = (uint16_t)(SYNTH_CLIENT_PORT0 + i % SYNTH_PORTS_PER_HOST);
    out->server_port = SYNTH_SERVER_PORT;
    if (o->ipv6) {
        static const uint8_t net[4] = { 0x20, 0x01, 0x0d, 0xb8 };
        memcpy(f->caddr, net, 4);
        memcpy(f->saddr, net, 4);
        put32(f->caddr + 12, host << 16 | 1);           /* 2001:db8::H:1 */
        f->saddr[15] = 2;                               /* 2001:db8::2 */
        if (host)
            snprintf(out->client, sizeof out->client, "2001:db8::%x:1", host);
        else
            snprintf(out->client, sizeof out->client, "2001:db8::1");
        snprintf(out->server, sizeof out->server, "2001:db8::2");
    } else {
        f->caddr[0] = f->saddr[0] = 10;
        f->caddr[2] = (uint8_t)host;
        f->caddr[3] = 1;
        f->saddr[3] = 2;
        snprintf(out->client, sizeof out->client, "10.0.%u.1", host);
        snprintf(out->server, sizeof out->server, "10.0.0.2");
    }
    out->content_seed = synth_content_seed(o->seed, i);
    sim_rng_seed(&f->content, out->content_seed);
    sim_rng_seed(&f->imp, o->seed ^ (((uint64_t)i + 1) * IMPAIR_MUL));
    uint64_t a = sim_rng_next(&f->imp), b = sim_rng_next(&f->imp);
    f->c_isn = (uint32_t)a;
    f->s_isn = (uint32_t)(a >> 32);
    f->c_ts0 = (uint32_t)b;
    f->s_ts0 = (uint32_t)(b >> 32);
    f->c_ipid = (uint16_t)(b >> 7);
    f->s_ipid = (uint16_t)(b >> 23);
    sha256_init(&f->sha);
}

int synth_write(const struct synth_opts *o, struct synth_result *res, char *msg, size_t size)
{
    memset(res, 0, sizeof *res);
    if (synth_check(o, msg, size) < 0)
        return -1;
    struct writer *w = calloc(1, sizeof *w);
    struct flow *flows = calloc(o->flows, sizeof *flows);
    res->flow = calloc(o->flows, sizeof *res->flow);
    uint64_t *bad = NULL;
    int rc = -1;
    if (!w || !flows || !res->flow) {
        synth_set_msg(msg, size, "out of memory for %" PRIu32 " flows", o->flows);
        goto out;
    }
    w->o = o;
    w->seg_payload = synth_seg_payload(o);
    w->mss = w->seg_payload + TS_OPT_LEN;
    w->segs_per_flow = synth_segments_per_flow(o);
    w->now_ns = SYNTH_EPOCH_S * 1000000000ull;
    if (synth_pick_distinct(o->seed, w->segs_per_flow * o->flows, o->bad_csum, &bad) < 0) {
        synth_set_msg(msg, size, "out of memory for %" PRIu64 " bad checksums", o->bad_csum);
        goto out;
    }
    for (uint32_t i = 0, b = 0; i < o->flows; i++) {
        flow_init(o, &flows[i], &res->flow[i], i);
        res->flow[i].data_segments = w->segs_per_flow;
        flows[i].bad = bad + b;
        while (b < o->bad_csum && bad[b] / w->segs_per_flow == i)
            bad[b++] %= w->segs_per_flow;
        flows[i].nbad = (size_t)(bad + b - flows[i].bad);
    }

    w->pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)synth_file_snaplen(o),
            o->nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (!w->pd) {
        synth_set_msg(msg, size, "libpcap: cannot make a dump handle");
        goto out;
    }
    w->dump = pcap_dump_open(w->pd, o->path);
    if (!w->dump) {
        synth_set_msg(msg, size, "%s", pcap_geterr(w->pd));
        goto out;
    }
    for (uint64_t round = 0, busy = true; busy && !w->nomem; round++) {  /* round robin: one data segment per flow */
        if (o->progress && (round & 1023) == 1023)
            o->progress(o->progress_ctx, w->cut, (uint64_t)o->flows * o->bytes);
        busy = false;
        for (uint32_t i = 0; i < o->flows; i++)
            if (flows[i].phase != PHASE_DONE) {
                flow_turn(w, &flows[i]);
                busy = true;
            }
    }
    res->first_ts_ns = w->first_ts_ns;
    res->last_ts_ns = w->now_ns;
    FILE *fp = pcap_dump_file(w->dump);
    bool io_error = pcap_dump_flush(w->dump) != 0 || ferror(fp);
    int saved = errno;
    pcap_dump_close(w->dump);
    w->dump = NULL;
    if (w->nomem) {
        synth_set_msg(msg, size, "out of memory");
        unlink(o->path);
        goto out;
    }
    if (io_error) {
        synth_set_msg(msg, size, "%s: write failed: %s", o->path, strerror(saved));
        unlink(o->path);
        goto out;
    }
    for (uint32_t i = 0; i < o->flows; i++) {
        struct synth_flow *fl = &res->flow[i];
        if (fl->up.bytes != o->bytes) {                 /* the model says a byte never arrived: a bug */
            synth_set_msg(msg, size, "internal: flow %" PRIu32 " delivers %" PRIu64 " of %" PRIu64 " bytes",
                    i, fl->up.bytes, o->bytes);
            goto out;
        }
        res->lost += fl->lost;
        res->reordered += fl->reordered;
        res->duplicated += fl->duplicated;
        res->bad_csum += fl->bad_csum;
    }
    res->frames = w->frames;
    res->data_segments = w->segs_per_flow;
    res->mss = w->mss;
    res->seg_payload = w->seg_payload;
    rc = 0;
out:
    if (w && w->dump)
        pcap_dump_close(w->dump);
    if (w && w->pd)
        pcap_close(w->pd);
    if (flows)
        for (uint32_t i = 0; i < o->flows; i++) {
            free(flows[i].q);
            free(flows[i].held);
        }
    free(flows);
    free(bad);
    free(w);
    if (rc < 0)
        synth_result_free(res);
    return rc;
}

void synth_result_free(struct synth_result *res)
{
    free(res->flow);
    res->flow = NULL;
}
