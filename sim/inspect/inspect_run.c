/* sim/inspect/inspect_run.c: inspect_run(): the trace read record by record
 * through the netstack, streams hashed on the fly (inspect_streams.c), the
 * summary printed (inspect_report.c), the exit status.  Memory follows live
 * connections and out-of-order data, not trace length.  With --json (and no
 * --dump-streams) the report is streamed: a connection that has ended is
 * written out and freed once TCP_TABLE_KEEP_ENDED newer ended ones are held,
 * so memory does not grow with the connections that have ended (a
 * 1M-connection SYN flood: docs/performance.md). */
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"
#include "sim/inspect/inspect.h"
#include "sim/inspect/inspect_private.h"
#include "sim/options/progress.h"

struct inspect_progress {
    struct progress p;
    struct trace *t;
};

/* Bytes of the file read so far, of its size (a pipe: captured bytes, no total). */
static void on_progress(void *ctx, const struct replay_stats *st)
{
    struct inspect_progress *ip = ctx;
    progress_update(&ip->p, ip->p.total ? trace_file_pos(ip->t) : st->bytes);
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
        inspect_json_conn(in, c);
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

int inspect_run(const char *path, const struct inspect_options *o)
{
    struct inspect in = { .json = o->json, .dump_dir = o->dump_dir };
    struct netstack_config cfg = o->stack;
    cfg.deliver = inspect_on_deliver;
    cfg.ctx = &in;
    struct summary s = { .path = path };

    /* Dump files that cannot be written are exit 1, as the guide's table says
     * ("cannot write ... a dump file"); found here, before the trace is read. */
    int dump_errno = in.dump_dir ? inspect_dump_dir_make(in.dump_dir) : 0;
    if (dump_errno) {
        fprintf(stderr, "rxsim inspect: --dump-streams %s: cannot write stream dumps there: %s\n",
                in.dump_dir, strerror(dump_errno));
        return RX_EXIT_INTERNAL;
    }
    struct trace_err err;
    s.t = trace_open(s.path, o->filter, &err);
    if (!s.t) {
        fprintf(stderr, "rxsim inspect: %s\n", err.msg);
        return err.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
    }
    trace_set_window(s.t, &o->window);
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
    if (o->json && !in.dump_dir)
        tcp_table_retire_ended(&in.ns.conns, on_retire, &in);
    if (o->json)
        inspect_json_begin(&in);

    struct inspect_progress ip = { .t = s.t };
    progress_begin(&ip.p, "rxsim inspect", "bytes", trace_file_size(s.t), o->progress, o->progress_lines);
    int rc = replay_trace(s.t, &in.ns, &s.rs, o->progress ? on_progress : NULL, &ip, &err);
    progress_end(&ip.p, ip.p.total ? trace_file_pos(s.t) : s.rs.bytes);
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
                struct dir_app *a = inspect_dir_app(&conn->dir[d]);
                if (a && !a->dump_started)
                    inspect_dump_write(&in, conn, d, a, NULL, 0);
            }
    if (in.dump_dir)
        inspect_close_dumps(&in);
    flush_retired(&in);
    stream_hash_sync(in.hasher);            /* digests are final from here */

    if (o->json) {
        for (size_t i = 0; i < in.ns.conns.count; i++)      /* the rest, in id order */
            if (in.ns.conns.all[i])
                inspect_json_conn(&in, in.ns.conns.all[i]);
        inspect_json_end(&in, &s);
    } else
        inspect_print_text(&in, &s);
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
