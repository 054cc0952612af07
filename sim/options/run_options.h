/* sim/options/run_options.h: every option of `rxsim run` and `rxsim live`
 * in ONE table, run_options[] (run_options.c), and what is derived from it:
 *
 *   getopt's long options and the parse   run_options_parse()
 *   validation of every value              the row's kind and range
 *   the defaults                           the row's deflt, parsed like a value
 *   run --help's option lines              run_options_help()
 *   live --help's list of model options    run_options_live_list()
 *   compare's axes and what may follow --  the rows with .sweep
 *   serve's form fields                    the rows with .form
 *   the report's "config" object           run_config_echo_json()
 *
 * Adding an option is one row (plus its field in struct run_config).  Each
 * listing keeps the order users already know: run --help shows the rows in
 * table order under their group's heading; compare, serve and live order
 * theirs by the row's .sweep, .form and .live positions (0: not listed),
 * spaced by 10 so that a new option goes anywhere with one number.
 * tests/unit/check_run_options.c checks the table (unique names and
 * positions, every default valid) and the derivations. */
#ifndef RXSIM_OPTIONS_RUN_OPTIONS_H
#define RXSIM_OPTIONS_RUN_OPTIONS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/options/run_config.h"

enum run_mode { RUN_MODE_RUN, RUN_MODE_LIVE };
#define RUN_IN_RUN (1u << RUN_MODE_RUN)
#define RUN_IN_LIVE (1u << RUN_MODE_LIVE)
#define RUN_IN_BOTH (RUN_IN_RUN | RUN_IN_LIVE)

/* How a value is read; the kind also decides the serve field's type, whether
 * a compare axis is numeric, and how the value is echoed. */
enum run_opt_kind {
    RUN_OPT_UINT,       /* whole number lo..hi, a uint32_t */
    RUN_OPT_INT,        /* whole number lo..hi, an int */
    RUN_OPT_DOUBLE,     /* number lo..hi */
    RUN_OPT_SEED,       /* whole number below 2^64 */
    RUN_OPT_COUNT,      /* whole number above 0, a uint64_t */
    RUN_OPT_CAP,        /* whole number lo..hi into a size_t; 0: no cap (SIZE_MAX) */
    RUN_OPT_BUDGET,     /* bytes, K/M/G, lo..hi; 0: none (SIZE_MAX); the field is a size_t */
    RUN_OPT_NAME,       /* a policy, routine or affinity name: kept as given, the session resolves it */
    RUN_OPT_CHOICE,     /* one of .choices ("model|measured"): the bool is true for the second */
    RUN_OPT_REPLAY,     /* trace | rate:RATE (also sets rate_bps) */
    RUN_OPT_SPEED,      /* optional number above 0 up to hi; absent: 1 */
    RUN_OPT_TEXT,       /* kept as given: a file name, a BPF filter, an interface */
    RUN_OPT_HOST,       /* an address, once per trace (hosts[], and host for the first) */
    RUN_OPT_ON,         /* a flag: sets the bool */
    RUN_OPT_OFF,        /* a flag: clears the bool (which starts true when deflt is set) */
    RUN_OPT_PROGRESS,   /* --progress: the line even off a terminal (run only draws one) */
    RUN_OPT_LIST,       /* --list: the policies and routines, then exit */
    RUN_OPT_HELP,       /* --help: usage, then exit */
};

/* run --help's sections, in order; the form's fieldsets take the short name. */
enum run_opt_group {
    RUN_GROUP_NONE,     /* not in run --help */
    RUN_GROUP_MACHINE,
    RUN_GROUP_POLICIES,
    RUN_GROUP_NIC,
    RUN_GROUP_APP,
    RUN_GROUP_INPUT,
    RUN_GROUP_OUTPUT,
    RUN_GROUP__COUNT,
};

/* .sweep besides a position: what compare does with the option after "--". */
#define RUN_SWEEP_PASSED (-1)   /* passed on to every row, never an axis (a flag) */
#define RUN_SWEEP_OWN (-2)      /* compare sets it itself: refused after -- */

/* Where the report's "config" object shows an option. */
enum run_echo {
    RUN_ECHO_NONE,
    RUN_ECHO_VALUE,             /* in table order */
    RUN_ECHO_SOURCE,            /* where frames come from (--nics, -i: a UINT or a TEXT): first, when given */
    RUN_ECHO_GIVEN,             /* in table order, only when given (not 0): the part of a trace read (-c, --start, --duration) */
    RUN_ECHO_CLOSED,            /* in table order, only under --replay closed: the senders' link and workload */
};

struct run_option {
    const char *name;           /* the long option, without "--" */
    const char *alias;          /* an older name still accepted (getopt, compare, serve), or NULL */
    enum run_opt_kind kind;
    size_t off;                 /* offsetof(struct run_config, its field) */
    double lo, hi;              /* range of a number */
    const char *deflt;          /* the value before parsing, read as a value; NULL: zero */
    const char *shown;          /* the default as users read it when deflt is not it */
    unsigned modes;             /* RUN_IN_RUN, RUN_IN_LIVE or both */
    char short_name;            /* -X, or 0 */
    enum run_opt_group group;
    const char *metavar;        /* "N"; "[=SPEED]" for an optional value */
    const char *help;           /* run --help text; "{default}" stands for the default shown */
    const char *choices;        /* RUN_OPT_CHOICE: "a|b" */
    int sweep;                  /* place among compare's axes; RUN_SWEEP_*; 0: unknown to compare */
    int form;                   /* place on serve's form; 0: not on it */
    bool form_vary;             /* the form may vary it in a compare */
    const char *form_help;      /* the form's short help */
    int live;                   /* place in live --help's model list; 0: not there */
    enum run_echo echo;         /* in the report's "config" object, and where */
    const char *json;           /* its key there, when not the name with '_' for '-' */
};

extern const struct run_option run_options[];
extern const size_t run_noptions;

/* The row named name (without "--") or aliased by it, or NULL. */
const struct run_option *run_option_find(const char *name);
/* The default as users read it: shown, else deflt, else "". */
const char *run_option_default(const struct run_option *o);
/* Whether the option's values are numbers (compare charts them as such). */
bool run_option_numeric(const struct run_option *o);
/* The heading of a group in the form ("machine", "policies", ...). */
const char *run_group_name(enum run_opt_group g);

/* Parses argv into *c for mode (RUN_MODE_RUN: TRACE... operands; LIVE: -i).
 * 0 ok; -1 usage error (message on stderr, exit RX_EXIT_USAGE); or 0 with
 * *exit_now >= 0 when --help/--list answered and the command is done. */
int run_options_parse(int argc, char **argv, struct run_config *c, enum run_mode mode,
                      void (*usage)(FILE *out), int *exit_now);

/* run --help's option lines, section by section. */
void run_options_help(FILE *out);
/* live --help's list of model options: "--cpus, --ghz, ..." wrapped as
 * "  " lines of at most 80 columns after the first line's prefix. */
void run_options_live_list(FILE *out, const char *prefix);

/* The rows with a positive position in field at offset pos_off (.sweep,
 * .form or .live), in that order, into out[] (run_noptions entries at
 * most); returns how many. */
size_t run_options_ordered(size_t pos_off, const struct run_option **out);

/* The "config" object of the report: "traces", then the frame sources
 * (nics, interface) when given, then every echoed option in table order,
 * host being what the session resolved (host_addr), followed by hosts when
 * not NULL (ownership passes to out). */
void run_config_echo_json(const struct run_config *c, const char *host_addr, json_object *hosts,
                          json_object *out);

#endif
