/* sim/timeline.h: what each CPU ran, as a Chrome / Perfetto trace-event JSON
 * file (load it in ui.perfetto.dev or chrome://tracing): one "complete"
 * event per work item, one track per CPU.  Written as the run goes, so
 * memory does not grow; capped at max_events (a note says so when reached). */
#ifndef RXSIM_SIM_TIMELINE_H
#define RXSIM_SIM_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/time.h"

struct sim_timeline {
    FILE *f;
    uint64_t events, max_events;
    bool truncated;
};

/* 0, or -1 when the file cannot be written (errno set). */
int sim_timeline_open(struct sim_timeline *t, const char *path, int ncpus, uint64_t max_events);
void sim_timeline_item(struct sim_timeline *t, int cpu, const char *name, const char *level,
                       sim_ps start, sim_ps end);
/* Finishes the file; -1 when anything failed to write. */
int sim_timeline_close(struct sim_timeline *t);

#endif
