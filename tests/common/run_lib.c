/* tests/common/run_lib.c: see run_lib.h. */
#include "tests/common/run_lib.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "sim/session/run_session.h"

int testenv_run_lib(char *const *args, char **report)
{
    int argc = 0;
    while (args[argc])
        argc++;
    return run_session_to_memory(argc, (char **)args, report);
}

json_object *testenv_run_report(const char *const *fixed, const char *const *args, const char *trace, int *rc,
                               char **raw)
{
    enum { MAX_ARGS = 96 };
    char *argv[MAX_ARGS];
    int n = 0;
    argv[n++] = "run";
    argv[n++] = "--json";
    argv[n++] = "--no-progress";
    for (int i = 0; fixed && fixed[i]; i++) {
        ck_assert_msg(n < MAX_ARGS - 2, "too many arguments");
        argv[n++] = (char *)fixed[i];
    }
    for (int i = 0; args && args[i]; i++) {
        ck_assert_msg(n < MAX_ARGS - 2, "too many arguments");
        argv[n++] = (char *)args[i];
    }
    if (trace)
        argv[n++] = (char *)trace;
    argv[n] = NULL;
    char *text;
    *rc = testenv_run_lib(argv, &text);
    json_object *j = json_tokener_parse(text);
    if (raw)
        *raw = text;
    else
        free(text);
    return j;
}

json_object *testenv_run_json(const char *const *fixed, const char *const *args, const char *trace, const char *what,
                              char **raw)
{
    int rc;
    json_object *j = testenv_run_report(fixed, args, trace, &rc, raw);
    ck_assert_msg(rc == 0, "%s: rxsim run exit %d (stderr above)", what, rc);
    ck_assert_msg(j != NULL, "%s: the report is not JSON", what);
    return j;
}
