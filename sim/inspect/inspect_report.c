/* sim/inspect/inspect_report.c: rxsim inspect's summary: a text table, or JSON
 * written as it goes ({"connections": [ one object per connection as it
 * leaves the table ], "trace": {...}, "stack": {...}, "unanswered": {...}}),
 * so memory does not grow with the connections that have ended. */
#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "sim/inspect/inspect_private.h"
#include "sim/report/verdict_json.h"
#include "traces/linktype.h"

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

/* Every direction's verdict summed: what the report cannot answer. */
void inspect_verdicts(const struct inspect *in, struct rx_verdict_sum *sum)
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
    inspect_sha_hex(d, sha);
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

/* Each connection is a small json-c object printed and freed at once. */
#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static void json_out(struct inspect *in, const char *text)
{
    if (fputs(text, stdout) < 0)
        in->out_rc = -1;
}

void inspect_json_begin(struct inspect *in)
{
    json_out(in, "{\n  \"connections\": [");
}

void inspect_json_conn(struct inspect *in, struct tcp_conn *c)
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

void inspect_json_end(struct inspect *in, const struct summary *s)
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

/* ---- text ---------------------------------------------------------------- */

void inspect_print_text(struct inspect *in, const struct summary *s)
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
            inspect_sha_hex(dd, sha);
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
