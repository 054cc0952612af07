/* sim/serve/serve_traces.h: the traces rxsim serve offers (shipped, --traces,
 * uploads) and their `rxsim inspect --json` summaries. */
#ifndef RXSIM_SERVE_SERVE_TRACES_H
#define RXSIM_SERVE_SERVE_TRACES_H

#include "sim/serve/serve.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum serve_sum_state { SUM_PENDING, SUM_RUNNING, SUM_READY, SUM_FAILED };

/* What `rxsim inspect --json` said about a trace, reduced to the list's columns. */
struct serve_summary {
    char format[16];
    char link[32];
    uint64_t records, captured_bytes, frames, tcp_segments, connections, directions;
    uint64_t bytes_delivered, bad_csum, drops;
    double duration_s;
    bool partial;
};

struct serve_trace {
    char name[SERVE_NAME_MAX];      /* "shipped:x.pcap", "traces:y.pcapng", "upload:u000001.pcap" */
    char display[SERVE_NAME_MAX];   /* file name, or the upload's original base name */
    char path[SERVE_PATH_MAX];
    const char *origin;             /* "shipped", "traces", "upload" */
    int64_t size;
    int64_t mtime;
    bool seen;                      /* rescan marker */
    enum serve_sum_state sum_state;
    struct serve_summary sum;
    char sum_err[256];
    pid_t pid;
    int sum_seq;                    /* names the summary's output files */
};

void serve_traces_scan(struct serve *s, bool force);
struct serve_trace *serve_traces_find(struct serve *s, const char *name);
int serve_traces_add_upload(struct serve *s, const char *path, const char *display, char *name_out,
                            size_t name_size);
bool serve_traces_reaped(struct serve *s, pid_t pid, int status);
void serve_traces_free_all(struct serve *s);

#endif
