/* sim/cli/cmd_validate.c: rxsim validate's argv handed to sim/validate/
 * (validate_main.c: the real kernel measured beside the model). */
#include "sim/cli/commands.h"
#include "sim/validate/validate_main.h"

int cmd_validate(int argc, char **argv)
{
    return validate_main(argc, argv);
}
