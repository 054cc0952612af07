/* sim/session/run_timeline.h: --timeline FILE [--timeline-window
 * START,DURATION]: opens the timeline (sim/timeline.h) over a session and
 * gives it the figures it reads as the run goes (run_timeline.c). */
#ifndef RXSIM_SESSION_RUN_TIMELINE_H
#define RXSIM_SESSION_RUN_TIMELINE_H

#include "drivers/nic.h"
#include "netstack/host.h"
#include "sim/machine.h"
#include "sim/options/run_config.h"
#include "sim/timeline.h"

#define RUN_TIMELINE_MAX_EVENTS 2000000     /* about 120 bytes each: ~240 MB at most */

/* "START,DURATION", seconds of simulated time (as the timeline's clock
 * shows them): 0 and *start, *end in ps, or -1 with err saying why. */
int run_timeline_window(const char *spec, sim_ps *start, sim_ps *end, char *err, size_t errsz);

/* What the timeline reads as the run goes: the session's (run_session.h). */
struct run_timeline_view {
    const char *cmd;                    /* message prefix */
    const struct run_config *cfg;
    struct sim_machine *m;
    const struct rx_host *host;
    const struct nic *nics;
    const int *nnics;                   /* NICs are set up after the timeline opens */
};

/* Opens v->cfg->timeline into t and hooks every CPU to it: RX_EXIT_OK, or
 * RX_EXIT_USAGE with a message on stderr. */
int run_timeline_open(struct sim_timeline *t, const struct run_timeline_view *v);

#endif
