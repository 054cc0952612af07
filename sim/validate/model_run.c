/* sim/validate/model_run.c: the model's answer for one kernel configuration
 * (model_run.h): its rxsim run argv, the run in this process through the
 * library (sim/options/ parse, sim/session/ run, as tests/common/run_lib.c
 * and compare_group.c do; no fork, no temporary file), the JSON report
 * into memory (open_memstream) and the figures read back with json-c.
 *
 * A model run over a header-only capture of a 4 MB transfer takes about
 * 0.1 s, so validate runs it once per configuration, after the kernel
 * measurements (it would be a tenant otherwise). */
#include "sim/validate/model_run.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"
#include "traces/linktype.h"
#include "traces/trace.h"

/* ---- the argv -------------------------------------------------------------- */

struct argv_fill {
    char **argv;
    int max, argc;
    char *buf;
    size_t bufn, used;
    bool full;
};

static void add(struct argv_fill *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct argv_fill *f, const char *fmt, ...)
{
    if (f->full || f->argc + 1 >= f->max) {
        f->full = true;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(f->buf + f->used, f->bufn - f->used, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= f->bufn - f->used) {
        f->full = true;
        return;
    }
    f->argv[f->argc++] = f->buf + f->used;
    f->used += (size_t)k + 1;
}

int model_argv(const struct val_config *c, const char *pcap, const struct model_opts *o,
               char **argv, int max, char *buf, size_t bufn)
{
    struct argv_fill f = { .argv = argv, .max = max, .buf = buf, .bufn = bufn };
    if (max < 1 || bufn < 1)
        return -1;
    add(&f, "run");
    add(&f, "--cpus");
    add(&f, "2");
    add(&f, "--irq");
    /* the data softirq: the reader's CPU (same) or the sender's (other) */
    add(&f, "fixed:%d", c->placement == VAL_SAME_CPU ? VAL_READER_CPU : VAL_SENDER_CPU);
    add(&f, "--app");
    add(&f, "fixed:%d", VAL_READER_CPU);
    add(&f, "--csum");
    add(&f, "%s", c->csum ? "softirq" : "offload");
    /* csum off: the sender's tx checksum offload is on, so the capture (on
     * the sender's veth) holds partial checksums, as any sender-side tap;
     * the kernel trusts them, and so must the model, or it drops the SYN */
    if (!c->csum)
        add(&f, "--no-verify-csum");
    add(&f, "--delivery");
    add(&f, "%s", c->gro ? "gro" : "packet");
    /* Linux >= 5.19 (the kernel measured is 6.18) defers a free on another
     * CPU to the CPU that allocated the skb: skb_attempt_defer_free */
    add(&f, "--recycle");
    add(&f, "defer");
    /* veth has no interrupt: the sender's xmit schedules the poll, which runs
     * when the sender's burst ends (drivers/nic.h), not rx-usecs later */
    add(&f, "--nic-kind");
    add(&f, "veth");
    /* veth never DMAs: the sender's copy leaves the payload in its CPU's
     * cache (CPU 0 in both placements: RPS moves the softirq, not the data) */
    add(&f, "--veth-sender-cpu");
    add(&f, "%d", VAL_SENDER_CPU);
    /* an open-loop replay of a TCP-paced capture must not drop at the ring */
    add(&f, "--ring");
    add(&f, "%u", MODEL_RING);
    if (o->msg_size) {
        add(&f, "--recv-size");
        add(&f, "%u", o->msg_size);
    }
    if (o->ghz > 0) {
        add(&f, "--ghz");
        add(&f, "%.6g", o->ghz);
    }
    add(&f, "--payload");
    add(&f, "synth");
    if (o->costs) {
        add(&f, "--costs");
        add(&f, "%s", o->costs);
    }
    if (o->profile) {
        add(&f, "--profile");
        add(&f, "%s", o->profile);
    }
    if (o->host) {
        add(&f, "--host");
        add(&f, "%s", o->host);
    }
    add(&f, "--json");
    add(&f, "%s", pcap);
    if (f.full)
        return -1;
    argv[f.argc] = NULL;
    return f.argc;
}

/* ---- reading the report ---------------------------------------------------- */

static bool get_num(json_object *o, const char *key, double *v)
{
    json_object *x;
    if (!o || !json_object_object_get_ex(o, key, &x))
        return false;
    if (!json_object_is_type(x, json_type_int) && !json_object_is_type(x, json_type_double))
        return false;
    *v = json_object_get_double(x);
    return true;
}

/* The profile row of function name: its cycles and calls. */
static bool profile_row(json_object *root, const char *name, double *cycles, double *calls)
{
    json_object *prof;
    if (!json_object_object_get_ex(root, "profile", &prof) || !json_object_is_type(prof, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(prof); i++) {
        json_object *row = json_object_array_get_idx(prof, i), *fn;
        if (json_object_object_get_ex(row, "function", &fn) && !strcmp(json_object_get_string(fn), name))
            return get_num(row, "cycles", cycles) && get_num(row, "calls", calls);
    }
    return false;
}

/* What the figures are made of, all from one report. */
struct report_counts {
    double bytes, acks, segments, frames_per_pass;
    double cat[SIM_CAT__COUNT];
    double ack_cycles, queue_calls, recvmsg_calls;
    double rcvq;                        /* result.rcvq_median_bytes; -1: a report without it */
};

static int read_counts(json_object *root, struct report_counts *k, char *err, size_t n)
{
    json_object *res = NULL, *cats = NULL, *synth = NULL;
    json_object_object_get_ex(root, "result", &res);
    json_object_object_get_ex(res, "cycles_per_byte_by_category", &cats);
    json_object_object_get_ex(res, "payload_synthesised", &synth);
    double unused;
    if (!res || !get_num(res, "rcvq_median_bytes", &k->rcvq))
        k->rcvq = -1;
    if (!res || !cats || !synth || !get_num(res, "bytes_read", &k->bytes) || !get_num(res, "acks", &k->acks) ||
        !get_num(res, "frames_per_pass", &k->frames_per_pass) || !get_num(synth, "segments", &k->segments)) {
        snprintf(err, n, "the report lacks result.bytes_read, acks, frames_per_pass, "
                         "cycles_per_byte_by_category or payload_synthesised.segments");
        return -1;
    }
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        if (!get_num(cats, sim_category_key(c), &k->cat[c])) {
            snprintf(err, n, "the report has no cycles/byte for category %s (not meaningful: nothing read?)",
                     sim_category_key(c));
            return -1;
        }
    if (!profile_row(root, sim_function_name(SIM_FN_TCP_ACK), &k->ack_cycles, &unused) ||
        !profile_row(root, sim_function_name(SIM_FN_TCP_DATA_QUEUE), &unused, &k->queue_calls) ||
        !profile_row(root, sim_function_name(SIM_FN_TCP_RECVMSG), &unused, &k->recvmsg_calls)) {
        snprintf(err, n, "the report's profile lacks tcp_send_ack, tcp_data_queue or tcp_recvmsg");
        return -1;
    }
    return 0;
}

int model_from_report(const char *json, struct val_model *out, char *err, size_t n)
{
    struct json_tokener *tok = json_tokener_new();
    json_object *root = tok ? json_tokener_parse_ex(tok, json, (int)strlen(json)) : NULL;
    if (!root) {
        snprintf(err, n, "the report is not JSON: %s",
                 tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory");
        json_tokener_free(tok);
        return -1;
    }
    json_tokener_free(tok);
    struct report_counts k = { 0 };
    int rc = read_counts(root, &k, err, n);
    json_object_put(root);
    if (rc < 0)
        return -1;
    if (k.bytes <= 0 || k.segments <= 0) {
        snprintf(err, n, "the model read no bytes (%.0f) or took in no data segments (%.0f)", k.bytes, k.segments);
        return -1;
    }
    memset(out, 0, sizeof *out);
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        out->cycles_per_byte[c] = k.cat[c];
    /* building and sending ACKs is the ACK side on the real kernel, not RX protocol */
    out->cycles_per_byte[SIM_CAT_PROTOCOL] -= k.ack_cycles / k.bytes;
    if (out->cycles_per_byte[SIM_CAT_PROTOCOL] < 0)
        out->cycles_per_byte[SIM_CAT_PROTOCOL] = 0;
    out->core_cycles_per_byte = out->cycles_per_byte[SIM_CAT_PROTOCOL] + out->cycles_per_byte[SIM_CAT_CSUM] +
                                out->cycles_per_byte[SIM_CAT_COPY] + out->cycles_per_byte[SIM_CAT_SKB];
    out->core_cycles_per_segment = out->core_cycles_per_byte * k.bytes / k.segments;
    out->acks_per_segment = k.acks / k.segments;
    out->segments_per_skb = k.frames_per_pass;
    out->skbs_per_recv = k.recvmsg_calls > 0 ? k.queue_calls / k.recvmsg_calls : -1;
    out->rcvq_median = k.rcvq;          /* -1 (not modelled) for a report from before the figure */
    return 0;
}

/* ---- the capture's packet sizes ------------------------------------------- */

/* The largest IP packet in pcap (IPv4 total length, IPv6 payload length +
 * 40): 0 and *largest, or -1 with err.  A tap behind GRO (tcpdump on a
 * receiving interface with GRO on) records merged skbs of up to 64 KiB;
 * rxsim would take each as one frame and answer for a different transfer,
 * so model_run() refuses packets over the configuration's MTU. */
static int largest_packet(const char *pcap, uint32_t *largest, char *err, size_t n)
{
    struct trace_err te;
    struct trace *t = trace_open(pcap, NULL, &te);
    if (!t) {
        snprintf(err, n, "%s", te.msg);
        return -1;
    }
    struct trace_record rec;
    int rc, dlt = trace_linktype(t);
    *largest = 0;
    while ((rc = trace_next(t, &rec, &te)) == 1) {
        struct linktype_frame f;
        if (linktype_decap(dlt, rec.data, rec.caplen, &f) < 0)
            continue;
        uint32_t off = f.offset;
        uint16_t type = f.ethertype;
        if (f.l2 == LINKTYPE_L2_ETHERNET) {
            if (rec.caplen < off + 14)
                continue;
            type = (uint16_t)(rec.data[off + 12] << 8 | rec.data[off + 13]);
            off += 14;
        }
        if (rec.caplen < off + 6)
            continue;
        const uint8_t *ip = rec.data + off;
        uint32_t len = type == 0x0800 ? (uint32_t)(ip[2] << 8 | ip[3])
                     : type == 0x86dd ? 40u + (uint32_t)(ip[4] << 8 | ip[5]) : 0;
        if (len > *largest)
            *largest = len;
    }
    trace_close(t);
    if (rc < 0) {
        snprintf(err, n, "%s", te.msg);
        return -1;
    }
    return 0;
}

/* ---- the run (run_session_to_memory: rxsim run in this process) ------------- */

int model_run(const struct val_config *c, const char *pcap, const struct model_opts *o,
              struct val_model *out, char *err, size_t n)
{
    char *argv[MODEL_ARGV_MAX], buf[MODEL_ARGV_BUF], *report = NULL;
    uint32_t largest;
    if (largest_packet(pcap, &largest, err, n) < 0)
        return -1;
    if (c->mtu && largest > c->mtu) {
        snprintf(err, n, "%s: IP packets of up to %u bytes, over %s's MTU %u: merged before the tap "
                 "(GRO on the capturing interface?); the model needs the segments as sent", pcap, largest,
                 c->name, c->mtu);
        return -1;
    }
    int argc = model_argv(c, pcap, o, argv, MODEL_ARGV_MAX, buf, sizeof buf);
    if (argc < 0) {
        snprintf(err, n, "%s: the rxsim run command line is too long", pcap);
        return -1;
    }
    int status = run_session_to_memory(argc, argv, &report);
    if (status != RX_EXIT_OK && status != RX_EXIT_PARTIAL) {
        snprintf(err, n, "%s: rxsim run for %s ended with status %d (its message is above)", pcap, c->name, status);
        free(report);
        return -1;
    }
    char why[256];
    int rc = model_from_report(report ? report : "", out, why, sizeof why);
    free(report);
    if (rc < 0) {
        snprintf(err, n, "%s: rxsim run for %s%s: %s", pcap, c->name,
                 status == RX_EXIT_PARTIAL ? " read only part of the capture (exit 4: truncated or corrupt "
                                             "part-way)" : "",
                 why);
        return -1;
    }
    out->exit_status = status;
    return 0;
}
