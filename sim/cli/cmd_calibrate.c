/* sim/cli/cmd_calibrate.c: rxsim calibrate (being written, issue 3). */
#include <stdio.h>
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

int cmd_calibrate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rxsim calibrate: not built yet\n");
    return RX_EXIT_INTERNAL;
}
