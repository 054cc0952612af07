/* sim/inspect/inspect_private.h: what inspect_run.c, inspect_streams.c and
 * inspect_report.c share: the run's state and each direction's bytes. */
#ifndef RXSIM_CLI_INSPECT_PRIVATE_H
#define RXSIM_CLI_INSPECT_PRIVATE_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>

#include "drivers/replay.h"
#include "netstack/netstack.h"
#include "netstack/verdict.h"
#include "sim/session/stream_hash.h"
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

struct summary {
    const char *path;
    struct trace *t;
    struct replay_stats rs;
    bool partial;
    const char *error;
};

/* inspect_streams.c: each direction's delivered bytes: SHA-256 and dump files. */
int inspect_dump_dir_make(const char *dir);
struct dir_app *inspect_dir_app(struct tcp_dir *d);
void inspect_dump_write(struct inspect *in, struct tcp_conn *c, int dir, struct dir_app *a,
                        const uint8_t *p, uint32_t n);
void inspect_close_dumps(struct inspect *in);
void inspect_on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                        uint32_t n);
void inspect_sha_hex(struct tcp_dir *d, char out[65]);

/* inspect_report.c: the summary as text, or as JSON streamed connection by connection. */
void inspect_verdicts(const struct inspect *in, struct rx_verdict_sum *sum);
void inspect_json_begin(struct inspect *in);
void inspect_json_conn(struct inspect *in, struct tcp_conn *c);
void inspect_json_end(struct inspect *in, const struct summary *s);
void inspect_print_text(struct inspect *in, const struct summary *s);

#endif
