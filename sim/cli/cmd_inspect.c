/* sim/cli/cmd_inspect.c: rxsim inspect (being written, issue 2). */
#include <stdio.h>
#include "sim/cli/commands.h"
#include "sim/cli/exit_codes.h"

int cmd_inspect(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rxsim inspect: not built yet\n");
    return RX_EXIT_INTERNAL;
}
