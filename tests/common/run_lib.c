/* tests/common/run_lib.c: see run_lib.h. */
#include "tests/common/run_lib.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/session/exit_codes.h"
#include "sim/session/run_session.h"

static void no_usage(FILE *out)
{
    (void)out;
}

int testenv_run_lib(char *const *args, char **report)
{
    int argc = 0, exit_now, rc = RX_EXIT_USAGE;
    while (args[argc])
        argc++;
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
    if (run_options_parse(argc, (char **)args, &s->cfg, RUN_MODE_RUN, no_usage, &exit_now) == 0)
        rc = exit_now >= 0 ? exit_now : run_session_run(s);
    run_session_fini(s);
    free(s);
    fclose(out);                        /* *report is complete from here */
    return rc;
}
