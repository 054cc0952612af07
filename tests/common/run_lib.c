/* tests/common/run_lib.c: see run_lib.h. */
#include "tests/common/run_lib.h"

#include "sim/session/run_session.h"

int testenv_run_lib(char *const *args, char **report)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return run_session_to_memory(argc, (char **)args, report);
}
