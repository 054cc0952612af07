/* sim/session/costs_file.h: the --costs FILE of `rxsim run` and `rxsim
 * live`, and `rxsim run --list-costs`.
 *
 * A costs file is a JSON object of cost names (sim/cost_table.h) whose
 * values are either a whole number of cycles, as ever:
 *
 *     {"irq_entry": 1200}
 *
 * or an object that also says where the number comes from, as `rxsim fit`
 * writes them:
 *
 *     {"tcp_rcv": {"cycles": 820, "kind": "fitted",
 *                  "source": "kernel 6.18, CPU ..., 2026-12-03: 45 runs ..."}}
 *
 * "cycles" is required; "kind" (assumption | published | fitted | given)
 * and "source" (at most SIM_COST_SOURCE_MAX - 1 bytes) are optional; any
 * other member is refused.  A bare number's kind is "given".  Entries the
 * file leaves out keep their built-in default. */
#ifndef RXSIM_SESSION_COSTS_FILE_H
#define RXSIM_SESSION_COSTS_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/cost_table.h"

#define RUN_COSTS_MAX_FILE (1u << 20)
#define RUN_COSTS_MAX_CYCLES 100000000

/* Where each entry of a cost table came from. */
struct run_costs_origin {
    bool from_file[SIM_COST__COUNT];
    enum sim_cost_kind kind[SIM_COST__COUNT];
    char source[SIM_COST__COUNT][SIM_COST_SOURCE_MAX];  /* "" for a bare number */
};

/* The built-in defaults' kinds and sources. */
void run_costs_origin_defaults(struct run_costs_origin *o);

/* Reads path's entries into *t (and *origin, when not NULL).  Every message
 * goes to errs prefixed "CMDNAME: --costs PATH: ", names the key, value or
 * line and column, and says what is wanted; every bad entry is reported,
 * not only the first.  0, or -1: the file is wrong (a usage error). */
int run_costs_load(const char *cmdname, const char *path, struct sim_cost_table *t,
                   struct run_costs_origin *origin, FILE *errs);

/* `rxsim run --list-costs [--costs FILE]`: one line per cost (name, cycles,
 * kind, source), as t and o hold them; costs_path names the file entries
 * that came from it (NULL: none given). */
void run_costs_list(FILE *out, const struct sim_cost_table *t, const struct run_costs_origin *o,
                    const char *costs_path);

#endif
