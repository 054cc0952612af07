/* sim/session/session_main.c: argv to exit status for rxsim run and rxsim
 * live, the whole of what their cmd_*.c files hand over: the parse (the
 * option table, sim/options/), then the traces (run_traces.c) or the live
 * capture (live_capture.c), then the tear-down. */
#include <stdlib.h>

#include "sim/session/costs_file.h"
#include "sim/session/exit_codes.h"
#include "sim/session/line_prices.h"
#include "sim/session/run_session.h"
#include "traces/trace.h"

/* --list-costs: the table as the defaults and --costs FILE make it. */
static int list_costs(const struct run_config *c)
{
    struct sim_cost_table t;
    struct run_costs_origin *o = malloc(sizeof *o);
    if (!o)
        return RX_EXIT_INTERNAL;
    sim_cost_table_defaults(&t);
    run_costs_origin_defaults(o);
    int rc = RX_EXIT_OK;
    if (c->costs && run_costs_load("rxsim run", c->costs, &t, o, stderr) < 0) {
        rc = RX_EXIT_USAGE;
    } else {
        run_costs_list(stdout, &t, o, c->costs);
        char err[1024];
        struct costs *profile = costs_load(c->profile, err, sizeof err);
        if (!profile) {
            fprintf(stderr, "rxsim run: --profile: %s\n", err);
            rc = RX_EXIT_INPUT;
        } else {
            double tsc_ghz = costs_tsc_hz(profile) / 1e9;
            struct sim_line_prices lp;
            line_prices_from_profile(&lp, profile, c->ghz && tsc_ghz > 0 ? c->ghz / tsc_ghz : 1.0,
                                     o->from_file[SIM_COST_LINE_MISS], o->from_file[SIM_COST_LINE_TRANSFER]);
            line_prices_list(stdout, &lp, c->profile);
            costs_free(profile);
        }
    }
    free(o);
    return rc;
}

int run_session_main(int argc, char **argv, enum run_mode mode, void (*usage)(FILE *out))
{
    struct run_session *s = calloc(1, sizeof *s);
    int exit_now, rc = RX_EXIT_USAGE;
    if (!s)
        return RX_EXIT_INTERNAL;
    trace_set_prefix(mode == RUN_MODE_LIVE ? "rxsim live" : "rxsim run");   /* compare's rows too */
    if (run_options_parse(argc, argv, &s->cfg, mode, usage, &exit_now) == 0)
        rc = exit_now >= 0 ? exit_now : s->cfg.list_costs ? list_costs(&s->cfg) :
             mode == RUN_MODE_LIVE ? run_session_live(s) : run_session_run(s);
    run_session_fini(s);                /* live: the NIC first, then the capture the NIC may hold a frame of */
    free(s);
    return rc;
}

static void no_usage(FILE *out)
{
    (void)out;
}

int run_session_to_memory(int argc, char **argv, char **report)
{
    int exit_now, rc = RX_EXIT_USAGE;
    size_t len = 0;
    *report = NULL;
    struct run_session *s = calloc(1, sizeof *s);
    FILE *out = open_memstream(report, &len);
    if (!s || !out) {
        free(s);
        if (out)
            fclose(out);
        return RX_EXIT_INTERNAL;
    }
    s->out = out;
    if (run_options_parse(argc, argv, &s->cfg, RUN_MODE_RUN, no_usage, &exit_now) == 0)
        rc = exit_now >= 0 ? exit_now : run_session_run(s);
    run_session_fini(s);
    free(s);
    fclose(out);                        /* *report is complete from here */
    return rc;
}
