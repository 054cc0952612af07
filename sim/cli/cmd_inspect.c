/* sim/cli/cmd_inspect.c: rxsim inspect: a trace through the netstack's
 * functional core (no machine model), summarised per connection, with the
 * SHA-256 of each direction's delivered bytes and optionally the bytes.
 * Memory follows live connections and out-of-order data, not trace length:
 * records are processed as they are read and streams are hashed on the fly.
 * With --json (and no --dump-streams) the report is streamed: a connection
 * that has ended is written out and freed once TCP_TABLE_KEEP_ENDED newer
 * ended ones are held, so memory does not grow with the connections that
 * have ended (a 1M-connection SYN flood: docs/performance.md). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drivers/replay.h"
#include "netstack/netstack.h"
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"
#include "sim/cli/verdict_json.h"
#include "sim/cli/stream_hash.h"
#include "traces/linktype.h"
#include "traces/trace.h"

#define DUMP_MAX_OPEN 256               /* dump files kept open at once */
#define RETIRE_BATCH 256                /* retired connections written per hasher sync */

struct dir_app {                        /* per direction, hung on tcp_dir.app */
    struct sha256_ctx sha;
    FILE *dump;
    bool dump_started;                  /* reopen in append mode after eviction */
    bool dump_failed;
};

struct inspect {
    bool json;
    const char *dump_dir;
    struct tcp_conn *retired[RETIRE_BATCH];     /* ended, waiting for their digests */
    int nretired;
    size_t conns_written;
    int out_rc;                         /* -1 once writing stdout failed */
    struct rx_verdict_sum retired_verdicts;     /* summed over the connections written out */
    int dumps_open;
    int dump_errors;
    struct stream_hash *hasher;         /* SHA-256 on a second thread */
    struct netstack ns;
};

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim inspect [OPTIONS] TRACE\n"
        "\n"
        "Runs a pcap/pcapng trace through rxsim's receive stack (link, IPv4/IPv6,\n"
        "TCP checksum and reassembly) without the machine model, and prints what an\n"
        "application would have read: per connection and direction, bytes delivered\n"
        "and their SHA-256, retransmitted / out-of-order / bad-checksum segments,\n"
        "and every dropped frame by reason.\n"
        "\n"
        "options:\n"
        "  --json               print the summary as JSON on stdout (for scripts)\n"
        "  --dump-streams DIR   write each direction's delivered bytes to\n"
        "                       DIR/<src>_<port>-<dst>_<port>.bin (DIR is created)\n"
        "  --filter EXPR        only records matching a BPF expression (tcpdump syntax)\n"
        "  --no-verify-csum     accept bad IP/TCP checksums (captures taken on a sender\n"
        "                       with checksum offload)\n"
        "  --ooo-limit BYTES    out-of-order queue bound per direction (K/M/G suffix;\n"
        "                       default 4M); data over it is dropped and counted\n"
        "  --ooo-budget BYTES   out-of-order bytes all connections may hold together\n"
        "                       (default 256M, 0: no budget); over it: tcp_ooo_budget\n"
        "  --max-conns N        connections open at once (default 65536, 0: no cap);\n"
        "                       a new one beyond it is refused: conn_table_full\n"
        "  --no-progress        no progress line on stderr (default: only on a tty)\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 ok, 2 usage error (a --filter that does not compile too),\n"
        "3 unusable trace (unreadable, not a capture, unsupported link type), 4 partial\n"
        "trace (corrupt or truncated part-way: the summary covers the records before the\n"
        "damage), 5 unanswered in part (payload not captured: those directions say so\n"
        "instead of a SHA-256), 1 internal error (a --dump-streams file cannot be written\n"
        "too).\n");
}

/* Creates --dump-streams DIR if need be: 0 when it is a directory we can
 * write in, else the errno that says why not. */
static int dump_dir_make(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return errno;
    if (stat(dir, &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return access(dir, W_OK | X_OK) != 0 ? errno : 0;
}

/* "4M" → 4194304; -1 on garbage or overflow. */
static long long parse_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || v > (1ull << 40) >> shift)
        return -1;
    return (long long)(v << shift);
}

static void endpoint_file_part(const struct tcp_endpoint *e, uint8_t v, char *buf, size_t size)
{
    char a[64];
    if (v == 4)
        snprintf(buf, size, "%u.%u.%u.%u_%u", e->addr[0], e->addr[1], e->addr[2], e->addr[3], e->port);
    else {
        tcp_endpoint_format(e, v, a, sizeof a);         /* "[addr]:port" */
        char *close = strrchr(a, ']');
        if (close)
            *close = '\0';
        snprintf(buf, size, "%s_%u", a + 1, e->port);
    }
}

static void dump_path(const struct inspect *in, const struct tcp_conn *c, int dir, char *buf, size_t size)
{
    char from[80], to[80];
    endpoint_file_part(&c->ep[dir], c->ip_version, from, sizeof from);
    endpoint_file_part(&c->ep[!dir], c->ip_version, to, sizeof to);
    if (c->incarnation > 1)
        snprintf(buf, size, "%s/%s-%s-%u.bin", in->dump_dir, from, to, c->incarnation);
    else
        snprintf(buf, size, "%s/%s-%s.bin", in->dump_dir, from, to);
}

static void close_all_dumps(struct inspect *in)
{
    struct tcp_table *t = &in->ns.conns;
    for (size_t i = 0; i < t->count; i++)
        for (int d = 0; d < 2 && t->all[i]; d++) {
            struct dir_app *a = t->all[i]->dir[d].app;
            if (a && a->dump) {
                if (fclose(a->dump) != 0)
                    in->dump_errors++;
                a->dump = NULL;
            }
        }
    in->dumps_open = 0;
}

static struct dir_app *dir_app_get(struct tcp_dir *d)
{
    if (!d->app) {
        struct dir_app *a = calloc(1, sizeof *a);
        if (!a)
            return NULL;
        sha256_init(&a->sha);
        d->app = a;
    }
    return d->app;
}

static void dump_write(struct inspect *in, struct tcp_conn *c, int dir, struct dir_app *a,
                       const uint8_t *p, uint32_t n)
{
    if (a->dump_failed)
        return;
    if (!a->dump) {
        char path[4096];
        if (in->dumps_open >= DUMP_MAX_OPEN)
            close_all_dumps(in);
        dump_path(in, c, dir, path, sizeof path);
        a->dump = fopen(path, a->dump_started ? "ab" : "wb");
        if (!a->dump) {
            fprintf(stderr, "rxsim inspect: %s: %s\n", path, strerror(errno));
            a->dump_failed = true;
            in->dump_errors++;
            return;
        }
        a->dump_started = true;
        in->dumps_open++;
    }
    if (n && fwrite(p, 1, n, a->dump) != n) {
        a->dump_failed = true;
        in->dump_errors++;
    }
}

static void on_deliver(void *ctx, struct tcp_conn *c, int dir, const uint8_t *p, uint32_t n)
{
    struct inspect *in = ctx;
    struct dir_app *a = dir_app_get(&c->dir[dir]);
    if (!a)
        return;
    stream_hash_update(in->hasher, &a->sha, p, n);
    if (in->dump_dir)
        dump_write(in, c, dir, a, p, n);
}

static void on_progress(void *ctx, const struct replay_stats *st)
{
    (void)ctx;
    fprintf(stderr, "\rrxsim inspect: %llu records, %.1f MB read",
            (unsigned long long)st->records, (double)st->bytes / 1e6);
}

static void sha_hex(struct tcp_dir *d, char out[65])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct dir_app *a = d->app;
    struct sha256_ctx copy;             /* digest resets the context */
    if (a)
        copy = a->sha;
    else
        sha256_init(&copy);             /* nothing delivered: the empty stream's */
    sha256_digest(&copy, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
}

/* ISO 8601 UTC.  Division rounds toward zero, so a time before 1970 takes
 * the floor (-1.5 s is 1969-12-31T23:59:58.500000000Z, not 23:59:59.-5). */
static void format_time(int64_t ns, char *buf, size_t size)
{
    int64_t sec = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        sec--;
        frac += 1000000000;
    }
    time_t s = (time_t)sec;
    struct tm tm;
    size_t n = gmtime_r(&s, &tm) ? strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) : 0;
    if (!n)
        n = (size_t)snprintf(buf, size, "%llds", (long long)sec);
    if (n < size)
        snprintf(buf + n, size - n, ".%09lldZ", (long long)frac);
}

struct summary {
    const char *path;
    struct trace *t;
    struct replay_stats rs;
    bool partial;
    const char *error;
};

/* Every direction's verdict summed: what the report cannot answer. */
static void inspect_verdicts(const struct inspect *in, struct rx_verdict_sum *sum)
{
    *sum = in->retired_verdicts;        /* of the connections already written out */
    for (size_t i = 0; i < in->ns.conns.count; i++)
        for (int d = 0; d < 2 && in->ns.conns.all[i]; d++) {
            struct rx_verdict v;
            rx_verdict_of(&in->ns.conns.all[i]->dir[d], false, &v);
            rx_verdict_add(sum, &v);
        }
}

/* ---- JSON ---------------------------------------------------------------- */

static json_object *u64(uint64_t v) { return json_object_new_uint64(v); }

static json_object *json_dir(struct tcp_conn *c, int dir)
{
    struct tcp_dir *d = &c->dir[dir];
    const struct tcp_reasm *r = &d->reasm;
    char from[80], to[80], sha[65];
    tcp_endpoint_format(&c->ep[dir], c->ip_version, from, sizeof from);
    tcp_endpoint_format(&c->ep[!dir], c->ip_version, to, sizeof to);
    sha_hex(d, sha);
    struct rx_verdict v;
    rx_verdict_of(d, false, &v);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "from", json_object_new_string(from));
    json_object_object_add(o, "to", json_object_new_string(to));
    json_object_object_add(o, "segments", u64(d->segs));
    json_object_object_add(o, "payload_bytes", u64(d->payload_bytes));
    json_object_object_add(o, "bytes_delivered", u64(r->st.delivered));
    /* Payload the capture lacks: the hash would not be the stream's. */
    json_object_object_add(o, "sha256", rx_verdict_has(&v, RX_VERDICT_PAYLOAD_NOT_CAPTURED)
                                            ? NULL : json_object_new_string(sha));
    verdict_json_dir(o, &v);
    json_object_object_add(o, "retransmitted_segments", u64(r->st.retrans_segs));
    json_object_object_add(o, "overlapping_segments", u64(r->st.overlap_segs));
    json_object_object_add(o, "out_of_order_segments", u64(r->st.ooo_segs));
    json_object_object_add(o, "ooo_limit_dropped_bytes", u64(r->st.ooo_dropped_bytes));
    json_object_object_add(o, "ooo_budget_dropped_bytes", u64(r->st.ooo_budget_dropped_bytes));
    json_object_object_add(o, "bad_checksum_segments", u64(d->bad_csum));
    json_object_object_add(o, "bad_checksum_like_tx_offload", u64(d->bad_csum_offload));
    json_object_object_add(o, "dropped_segments", u64(d->dropped));
    json_object_object_add(o, "undelivered_ooo_bytes", u64(r->ooo_bytes));
    json_object_object_add(o, "syn", json_object_new_boolean(r->syn_seen));
    json_object_object_add(o, "fin", json_object_new_boolean(r->fin_seen));
    json_object_object_add(o, "rst", json_object_new_boolean(r->reset));
    if (r->syn_seen) {
        json_object *opt = json_object_new_object();
        if (d->syn_opts.has_mss)
            json_object_object_add(opt, "mss", json_object_new_int(d->syn_opts.mss));
        if (d->syn_opts.has_wscale)
            json_object_object_add(opt, "wscale", json_object_new_int(d->syn_opts.wscale));
        json_object_object_add(opt, "sack_permitted", json_object_new_boolean(d->syn_opts.sack_perm));
        json_object_object_add(opt, "timestamps", json_object_new_boolean(d->syn_opts.has_ts));
        json_object_object_add(o, "syn_options", opt);
    }
    return o;
}

/* The report is written as it goes: {"connections": [ one object per
 * connection as it leaves the table ], "trace": {...}, "stack": {...}}.
 * Each connection is a small json-c object printed and freed at once. */
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static void json_out(struct inspect *in, const char *text)
{
    if (fputs(text, stdout) < 0)
        in->out_rc = -1;
}

static void json_begin(struct inspect *in)
{
    json_out(in, "{\n  \"connections\": [");
}

static void json_conn(struct inspect *in, struct tcp_conn *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", u64(c->id));
    json_object_object_add(o, "ip_version", json_object_new_int(c->ip_version));
    json_object_object_add(o, "incarnation", json_object_new_int((int)c->incarnation));
    json_object_object_add(o, "first_frame", u64(c->first_frame));
    json_object_object_add(o, "last_frame", u64(c->last_frame));
    json_object_object_add(o, "first_ts_ns", json_object_new_int64(c->first_ts_ns));
    json_object_object_add(o, "last_ts_ns", json_object_new_int64(c->last_ts_ns));
    json_object *dirs = json_object_new_array();
    json_object_array_add(dirs, json_dir(c, 0));
    json_object_array_add(dirs, json_dir(c, 1));
    json_object_object_add(o, "directions", dirs);
    json_out(in, in->conns_written++ ? ",\n" : "\n");
    json_out(in, json_object_to_json_string_ext(o, JSON_FLAGS));
    json_object_put(o);
}

static void json_end(struct inspect *in, const struct summary *s)
{
    json_object *tr = json_object_new_object();
    json_object_object_add(tr, "path", json_object_new_string(s->path));
    json_object_object_add(tr, "format", json_object_new_string(trace_format(s->t)));
    json_object_object_add(tr, "link_type", json_object_new_int(trace_linktype(s->t)));
    json_object_object_add(tr, "link_type_name", json_object_new_string(linktype_name(trace_linktype(s->t))));
    json_object_object_add(tr, "nanosecond_timestamps", json_object_new_boolean(trace_nanosecond(s->t)));
    json_object_object_add(tr, "snaplen", u64(trace_snaplen(s->t)));
    json_object_object_add(tr, "records_read", u64(trace_records_read(s->t)));
    json_object_object_add(tr, "warnings", u64(trace_warnings(s->t)));
    json_object_object_add(tr, "records_processed", u64(s->rs.records));
    json_object_object_add(tr, "captured_bytes", u64(s->rs.bytes));
    json_object_object_add(tr, "first_ts_ns", json_object_new_int64(s->rs.first_ts_ns));
    json_object_object_add(tr, "last_ts_ns", json_object_new_int64(s->rs.last_ts_ns));
    json_object_object_add(tr, "partial", json_object_new_boolean(s->partial));
    json_object_object_add(tr, "error", s->error ? json_object_new_string(s->error) : NULL);

    const struct netstack_stats *st = &in->ns.st;
    json_object *stk = json_object_new_object();
    json_object_object_add(stk, "verify_checksums", json_object_new_boolean(in->ns.cfg.verify_csum));
    json_object_object_add(stk, "frames", u64(st->frames));
    json_object_object_add(stk, "ipv4", u64(st->ipv4));
    json_object_object_add(stk, "ipv6", u64(st->ipv6));
    json_object_object_add(stk, "tcp_segments", u64(st->tcp_segs));
    json_object_object_add(stk, "consumed", u64(st->consumed));
    json_object_object_add(stk, "malformed_tcp_options", u64(st->opts_malformed));
    json_object *drops = json_object_new_object();
    for (int r = 0; r < RX_DROP__COUNT; r++)
        json_object_object_add(drops, rx_drop_key(r), u64(st->drops[r]));
    json_object_object_add(stk, "drops", drops);
    json_object_object_add(stk, "connections", u64(in->ns.conns.ids));
    json_object_object_add(stk, "max_conns", in->ns.conns.max_conns == SIZE_MAX
                           ? json_object_new_int(0) : u64(in->ns.conns.max_conns));
    json_object_object_add(stk, "ooo_budget", u64(in->ns.conns.ooo_budget.limit));

    json_out(in, in->conns_written ? "\n  ],\n  \"trace\": " : "],\n  \"trace\": ");
    json_out(in, json_object_to_json_string_ext(tr, JSON_FLAGS));
    json_out(in, ",\n  \"stack\": ");
    json_out(in, json_object_to_json_string_ext(stk, JSON_FLAGS));
    struct rx_verdict_sum vs;
    inspect_verdicts(in, &vs);
    json_object *un = verdict_json_sum(&vs);
    json_out(in, ",\n  \"unanswered\": ");
    json_out(in, json_object_to_json_string_ext(un, JSON_FLAGS));
    json_out(in, "\n}\n");
    json_object_put(tr);
    json_object_put(stk);
    json_object_put(un);
}

/* Writes out and frees the batch of retired connections, once their
 * digests are final (the hasher thread may still hold their updates). */
static void flush_retired(struct inspect *in)
{
    if (!in->nretired)
        return;
    stream_hash_sync(in->hasher);
    for (int i = 0; i < in->nretired; i++) {
        struct tcp_conn *c = in->retired[i];
        json_conn(in, c);
        for (int d = 0; d < 2; d++) {
            struct rx_verdict v;
            rx_verdict_of(&c->dir[d], false, &v);
            rx_verdict_add(&in->retired_verdicts, &v);
        }
        free(c->dir[0].app);
        free(c->dir[1].app);
        tcp_conn_free(c);
    }
    in->nretired = 0;
}

static void on_retire(void *ctx, struct tcp_conn *c)
{
    struct inspect *in = ctx;
    in->retired[in->nretired++] = c;
    if (in->nretired == RETIRE_BATCH)
        flush_retired(in);
}

/* ---- text ---------------------------------------------------------------- */

static void print_text(struct inspect *in, const struct summary *s)
{
    const struct netstack_stats *st = &in->ns.st;
    char t0[64], t1[64];
    printf("trace        %s\n", s->path);
    printf("format       %s, link type %s (%d), %s timestamps, snaplen %u\n",
           trace_format(s->t), linktype_name(trace_linktype(s->t)), trace_linktype(s->t),
           trace_nanosecond(s->t) ? "ns" : "us", trace_snaplen(s->t));
    printf("records      %llu read, %llu processed, %llu captured bytes%s\n",
           (unsigned long long)trace_records_read(s->t), (unsigned long long)s->rs.records,
           (unsigned long long)s->rs.bytes, s->partial ? "  (PARTIAL: trace damaged, see below)" : "");
    if (trace_warnings(s->t))
        printf("warnings     %llu records warned about (the first are on stderr)\n",
               (unsigned long long)trace_warnings(s->t));
    if (s->rs.records) {
        format_time(s->rs.first_ts_ns, t0, sizeof t0);
        format_time(s->rs.last_ts_ns, t1, sizeof t1);
        printf("time span    %s .. %s (%.6f s)\n", t0, t1,
               (double)(s->rs.last_ts_ns - s->rs.first_ts_ns) / 1e9);
    }
    printf("stack        %llu IPv4, %llu IPv6, %llu TCP segments, %llu frames consumed; checksums %s\n",
           (unsigned long long)st->ipv4, (unsigned long long)st->ipv6,
           (unsigned long long)st->tcp_segs, (unsigned long long)st->consumed,
           in->ns.cfg.verify_csum ? "verified" : "NOT verified (--no-verify-csum)");
    uint64_t dropped = 0;
    for (int r = 0; r < RX_DROP__COUNT; r++)
        dropped += st->drops[r];
    printf("dropped      %llu frames\n", (unsigned long long)dropped);
    for (int r = 0; r < RX_DROP__COUNT; r++)
        if (st->drops[r])
            printf("  %-14s %10llu  %s\n", rx_drop_key(r), (unsigned long long)st->drops[r],
                   rx_drop_what(r));

    struct rx_verdict_sum vs;
    inspect_verdicts(in, &vs);
    if (vs.reasons) {
        char why[512];
        rx_verdict_describe(&vs, why, sizeof why);
        printf("unanswered   %s: no SHA-256 for those directions (the stream is not in the file; "
               "`rxsim run --payload synth` can still price the capture)\n", why);
    }
    printf("\nconnections  %zu\n", in->ns.conns.count);
    if (!in->ns.conns.count)
        return;
    printf("%5s  %-46s %12s %8s %7s %6s %6s %7s %7s  %s\n", "conn", "direction", "delivered",
           "segs", "retrans", "ooo", "badcs", "dropped", "holes", "sha256 (first 16)");
    for (size_t i = 0; i < in->ns.conns.count; i++) {
        struct tcp_conn *c = in->ns.conns.all[i];
        for (int d = 0; d < 2; d++) {
            struct tcp_dir *dd = &c->dir[d];
            const struct tcp_reasm *r = &dd->reasm;
            char from[80], to[80], dirs[170], sha[65];
            tcp_endpoint_format(&c->ep[d], c->ip_version, from, sizeof from);
            tcp_endpoint_format(&c->ep[!d], c->ip_version, to, sizeof to);
            snprintf(dirs, sizeof dirs, "%s > %s", from, to);
            sha_hex(dd, sha);
            sha[16] = '\0';
            struct rx_verdict v;
            rx_verdict_of(dd, false, &v);
            char shown[96];
            if (rx_verdict_has(&v, RX_VERDICT_PAYLOAD_NOT_CAPTURED))
                rx_verdict_label(RX_VERDICT_PAYLOAD_NOT_CAPTURED, v.snaplen, shown, sizeof shown);
            else
                snprintf(shown, sizeof shown, "%s", sha);
            char id[24];
            if (d == 0)
                snprintf(id, sizeof id, "%llu", (unsigned long long)c->id);
            else
                id[0] = '\0';
            printf("%5s  %-46s %12llu %8llu %7llu %6llu %6llu %7llu %7zu  %s%s%s%s\n", id, dirs,
                   (unsigned long long)r->st.delivered, (unsigned long long)dd->segs,
                   (unsigned long long)r->st.retrans_segs, (unsigned long long)r->st.ooo_segs,
                   (unsigned long long)dd->bad_csum, (unsigned long long)dd->dropped,
                   r->ooo_bytes, shown, r->syn_seen ? " SYN" : "", r->fin_seen ? " FIN" : "",
                   r->reset ? " RST" : "");
        }
    }
    uint64_t bad = 0, offl = 0;
    for (size_t i = 0; i < in->ns.conns.count; i++)
        for (int d = 0; d < 2; d++) {
            bad += in->ns.conns.all[i]->dir[d].bad_csum;
            offl += in->ns.conns.all[i]->dir[d].bad_csum_offload;
        }
    if (offl)
        printf("\nnote: %llu of %llu bad TCP checksums hold only the pseudo-header sum: the trace was\n"
               "      captured on a sender with TX checksum offload. --no-verify-csum accepts them.\n",
               (unsigned long long)offl, (unsigned long long)bad);
    printf("\n(holes: bytes held out of order that never became deliverable; "
           "--json for every counter and full hashes)\n");
}

int cmd_inspect(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_DUMP, OPT_FILTER, OPT_NOCSUM, OPT_OOO, OPT_NOPROG, OPT_BUDGET,
           OPT_MAXCONNS };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "dump-streams", required_argument, NULL, OPT_DUMP },
        { "filter", required_argument, NULL, OPT_FILTER },
        { "no-verify-csum", no_argument, NULL, OPT_NOCSUM },
        { "ooo-limit", required_argument, NULL, OPT_OOO },
        { "ooo-budget", required_argument, NULL, OPT_BUDGET },
        { "max-conns", required_argument, NULL, OPT_MAXCONNS },
        { "no-progress", no_argument, NULL, OPT_NOPROG },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    bool json = false, progress = isatty(2);
    const char *filter = NULL;
    struct inspect in = {0};
    struct netstack_config cfg = { .verify_csum = true, .deliver = on_deliver, .ctx = &in };
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = in.json = true; break;
        case OPT_DUMP: in.dump_dir = optarg; break;
        case OPT_FILTER: filter = optarg; break;
        case OPT_NOCSUM: cfg.verify_csum = false; break;
        case OPT_NOPROG: progress = false; break;
        case OPT_OOO: {
            long long v = parse_size(optarg);
            if (v < 4096) {
                fprintf(stderr, "rxsim inspect: --ooo-limit '%s': want a size from 4K to 1T "
                                "(e.g. 4M)\n", optarg);
                return RX_EXIT_USAGE;
            }
            cfg.ooo_limit = (size_t)v;
            break;
        }
        case OPT_BUDGET: {
            long long v = parse_size(optarg);
            if (v < 0 || (v > 0 && v < 4096)) {
                fprintf(stderr, "rxsim inspect: --ooo-budget '%s': want 0 (no budget) or a size "
                                "from 4K to 1T (e.g. 256M)\n", optarg);
                return RX_EXIT_USAGE;
            }
            cfg.ooo_budget = v ? (size_t)v : SIZE_MAX;
            break;
        }
        case OPT_MAXCONNS: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || *optarg == '-' || v > 1000000000ull) {
                fprintf(stderr, "rxsim inspect: --max-conns '%s': want 0 (no cap) or a whole "
                                "number up to 1000000000\n", optarg);
                return RX_EXIT_USAGE;
            }
            cfg.max_conns = v ? (size_t)v : SIZE_MAX;
            break;
        }
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim inspect: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "rxsim inspect: %s\n\n", optind == argc ? "no trace given" : "one trace at a time");
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    struct summary s = { .path = argv[optind] };

    /* Dump files that cannot be written are exit 1, as the guide's table says
     * ("cannot write ... a dump file"); found here, before the trace is read. */
    int dump_errno = in.dump_dir ? dump_dir_make(in.dump_dir) : 0;
    if (dump_errno) {
        fprintf(stderr, "rxsim inspect: --dump-streams %s: cannot write stream dumps there: %s\n",
                in.dump_dir, strerror(dump_errno));
        return RX_EXIT_INTERNAL;
    }
    struct trace_err err;
    s.t = trace_open(s.path, filter, &err);
    if (!s.t) {
        fprintf(stderr, "rxsim inspect: %s\n", err.msg);
        return err.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
    }
    in.hasher = stream_hash_new();
    if (!in.hasher || netstack_init(&in.ns, &cfg) < 0) {
        stream_hash_free(in.hasher);
        fprintf(stderr, "rxsim inspect: out of memory\n");
        trace_close(s.t);
        return RX_EXIT_INTERNAL;
    }

    /* Streamed JSON: ended connections are written and freed on the way.
     * Not with dumps: a 4-tuple reused after its connection was freed would
     * start at incarnation 1 again and overwrite the earlier dump file. */
    if (json && !in.dump_dir)
        tcp_table_retire_ended(&in.ns.conns, on_retire, &in);
    if (json)
        json_begin(&in);

    int rc = replay_trace(s.t, &in.ns, &s.rs, progress ? on_progress : NULL, NULL, &err);
    if (progress)
        fprintf(stderr, "\r\033[K");
    if (rc < 0) {
        s.partial = true;
        s.error = err.msg;
        fprintf(stderr, "rxsim inspect: warning: %s\n", err.msg);
    }

    /* Every direction gets a dump file, empty ones included, so scripts can count on them. */
    if (in.dump_dir)
        for (size_t i = 0; i < in.ns.conns.count; i++)
            for (int d = 0; d < 2; d++) {
                struct tcp_conn *conn = in.ns.conns.all[i];
                if (!conn)
                    continue;
                struct dir_app *a = dir_app_get(&conn->dir[d]);
                if (a && !a->dump_started)
                    dump_write(&in, conn, d, a, NULL, 0);
            }
    if (in.dump_dir)
        close_all_dumps(&in);
    flush_retired(&in);
    stream_hash_sync(in.hasher);            /* digests are final from here */

    if (json) {
        for (size_t i = 0; i < in.ns.conns.count; i++)      /* the rest, in id order */
            if (in.ns.conns.all[i])
                json_conn(&in, in.ns.conns.all[i]);
        json_end(&in, &s);
    } else
        print_text(&in, &s);
    int out_rc = in.out_rc;
    if (fflush(stdout) != 0)
        out_rc = -1;

    struct rx_verdict_sum vs;
    inspect_verdicts(&in, &vs);
    bool unanswered = vs.reasons != 0;
    for (size_t i = 0; i < in.ns.conns.count; i++)
        for (int d = 0; d < 2 && in.ns.conns.all[i]; d++)
            free(in.ns.conns.all[i]->dir[d].app);
    netstack_fini(&in.ns);
    stream_hash_free(in.hasher);
    trace_close(s.t);

    if (out_rc < 0 || in.dump_errors) {
        fprintf(stderr, "rxsim inspect: %s\n", out_rc < 0 ? "error writing the report" :
                "error writing stream dumps (see above)");
        return RX_EXIT_INTERNAL;
    }
    if (s.partial)
        return RX_EXIT_PARTIAL;
    return unanswered ? RX_EXIT_UNANSWERED : RX_EXIT_OK;
}
