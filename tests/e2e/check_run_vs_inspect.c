/* tests/e2e/check_run_vs_inspect.c: `rxsim run` over every trace in
 * $RXSIM_SHARED/traces/{public,captured} delivers exactly what `rxsim inspect`
 * delivers, or says, for that direction, why not.
 *
 * inspect is the functional core alone (no NIC, no machine); run drives the
 * same core through the simulated NIC, CPUs and readers, once as a user
 * would first run it and once starved (1 CPU, a 2-slot ring, 100 Gbit/s
 * back to back) so the ring drops frames.  For each direction
 * inspect reports, run's connection list must hold the same bytes and SHA-256,
 * unless run's report states a reason for that direction:
 *  - the direction's reasons list (stranded behind holes, dropped by the
 *    NIC and never retransmitted, payload not captured: netstack/verdict.h),
 *    with the figures that depend on it flagged and exit 5;
 *  - the direction is not addressed to the host run simulated (config.host),
 *    whose frames run skips and counts.
 * A direction inspect flags "payload not captured" must be flagged by run too
 * (no hash in either).  Anything else is a silent difference: the test fails,
 * naming the trace, the direction and both figures.  Known differences that
 * belong to other work are listed below by trace, each with its reason. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

#define MAX_TRACES 128

struct expected_difference {
    const char *trace;
    const char *reason;
};

/* Differences run does not yet state itself, each owned by a named item. */
static const struct expected_difference expected[] = {
    { "", "" },                         /* none: kept so the table's shape stays visible */
};

static char traces[MAX_TRACES][4096];
static int ntraces;

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static const struct expected_difference *expected_for(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(expected); i++)
        if (expected[i].trace[0] && !strcmp(expected[i].trace, name))
            return &expected[i];
    return NULL;
}

static bool is_trace(const char *n)
{
    size_t len = strlen(n);
    return (len > 5 && !strcmp(n + len - 5, ".pcap")) || (len > 7 && !strcmp(n + len - 7, ".pcapng"));
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

static void find_traces(void)
{
    const char *sub[2] = { "public", "captured" };
    for (int d = 0; d < 2; d++) {
        char dir[2048];
        snprintf(dir, sizeof dir, "%s/%s", testenv_shared_traces(), sub[d]);
        DIR *dh = opendir(dir);
        if (!dh)
            continue;
        struct dirent *e;
        while ((e = readdir(dh)) && ntraces < MAX_TRACES)
            if (is_trace(e->d_name))
                snprintf(traces[ntraces++], sizeof traces[0], "%s/%.1000s", dir, e->d_name);
        closedir(dh);
    }
    qsort(traces, (size_t)ntraces, sizeof traces[0], cmp_str);
}

/* How run is driven: as the user would first try it, and starved (one CPU,
 * a 2-slot ring, frames back to back at 100 Gbit/s) so the ring drops and
 * the report must say where that left each stream short. */
static const struct {
    const char *name;
    const char *args[8];
} configs[] = {
    { "default", { NULL } },
    { "starved", { "--cpus", "1", "--ring", "2", "--replay", "rate:100G", NULL } },
};
#define NCONFIGS ((int)ARRAY_LEN(configs))

/* rxsim CMD --json --no-progress [config args] TRACE; the exit status, the
 * report in *out (NULL when stdout was not JSON). */
static int rxsim_json(const char *cmd, const char *const *extra, const char *trace, json_object **out)
{
    char tmp[2048], path[4096];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/out.json", tmp);
    char *args[16] = { (char *)cmd, "--json", "--no-progress" };
    int n = 3;
    for (int i = 0; extra && extra[i]; i++)
        args[n++] = (char *)extra[i];
    args[n++] = (char *)trace;
    args[n] = NULL;
    int rc;
    if (!strcmp(cmd, "run")) {          /* the report only: in this process (run_lib.h) */
        char *text;
        rc = testenv_run_lib(args, &text);
        *out = json_tokener_parse(text);
        free(text);
    } else {
        rc = testenv_rxsim(args, path, NULL);
        *out = json_object_from_file(path);
    }
    remove(path);
    rmdir(tmp);
    return rc;
}

static bool has_reason(json_object *dir, const char *key)
{
    json_object *r = get(dir, "reasons");
    for (size_t i = 0; r && i < json_object_array_length(r); i++)
        if (!key || !strcmp(json_object_get_string(json_object_array_get_idx(r, i)), key))
            return true;
    return false;
}

START_TEST(run_delivers_what_inspect_delivers_or_says_why)
{
    const char *trace = traces[_i / NCONFIGS], *name = base(trace), *cfg = configs[_i % NCONFIGS].name;
    json_object *ins = NULL, *run = NULL;
    int irc = rxsim_json("inspect", NULL, trace, &ins);
    int rrc = rxsim_json("run", configs[_i % NCONFIGS].args, trace, &run);
    if (irc == 3) {                     /* unusable: run must refuse it alike */
        ck_assert_msg(rrc == 3, "%s (%s): inspect exit 3, run exit %d", name, cfg, rrc);
        json_object_put(ins);
        json_object_put(run);
        return;
    }
    ck_assert_msg(irc == 0 || irc == 4 || irc == 5, "%s (%s): inspect exit %d", name, cfg, irc);
    ck_assert_msg(rrc == 0 || rrc == 4 || rrc == 5, "%s (%s): run exit %d", name, cfg, rrc);
    ck_assert_msg(ins && run, "%s (%s): a report is not JSON (inspect %p, run %p)", name, cfg, (void *)ins, (void *)run);
    const struct expected_difference *ex = expected_for(name);
    const char *host = str(get(run, "config"), "host");
    bool any_host = !strcmp(host, "any");
    int differences = 0, unexplained = 0;
    char first[1024] = "";

    json_object *id;
    for (size_t i = 0; (id = inspect_direction(ins, i)); i++) {
        const char *from = str(id, "from"), *to = str(id, "to");
        char to_addr[64];
        endpoint_addr(to, to_addr, sizeof to_addr);
        json_object *rd = run_connection(run, from, to);
        bool uncaptured = has_reason(id, "payload_not_captured");
        if (uncaptured) {           /* run must say the same, never hash it */
            ck_assert_msg(!rd || has_reason(rd, "payload_not_captured") || (!any_host && strcmp(to_addr, host)),
                          "%s (%s): %s > %s: inspect says payload not captured, run does not", name, cfg, from, to);
            if (rd)
                ck_assert_msg(json_object_get_type(get(rd, "sha256")) == json_type_null,
                              "%s (%s): %s > %s: payload not captured, yet run prints a SHA-256", name, cfg, from, to);
            continue;
        }
        int64_t want = i64(id, "bytes_delivered");
        const char *want_sha = str(id, "sha256");
        int64_t got = rd ? i64(rd, "bytes") : 0;
        bool same = rd ? got == want && !strcmp(str(rd, "sha256"), want_sha) : want == 0;
        if (same)
            continue;
        differences++;
        bool skipped = !any_host && strcmp(to_addr, host) != 0;
        bool stated = (rd && has_reason(rd, NULL)) || skipped;
        printf("#   %s > %s: run %lld bytes, inspect %lld: %s\n", from, to, (long long)got, (long long)want,
               skipped ? "not addressed to the simulated host"
               : stated ? json_object_to_json_string_ext(get(rd, "reasons"), JSON_C_TO_STRING_PLAIN)
                        : "NO REASON GIVEN");
        if (stated)
            continue;
        unexplained++;
        if (!first[0])
            snprintf(first, sizeof first, "%s > %s: run delivered %lld bytes (sha %.16s), inspect %lld "
                     "(sha %.16s), and run's report gives no reason for this direction (host %s)",
                     from, to, (long long)got, rd ? str(rd, "sha256") : "-", (long long)want, want_sha, host);
    }
    if (ex) {
        ck_assert_msg(unexplained > 0, "%s (%s): listed as an expected difference (%s) but run now matches or says "
                      "why: take it off the list", name, cfg, ex->reason);
    } else {
        ck_assert_msg(unexplained == 0, "%s (%s): %d of %d differing directions unexplained; first: %s", name, cfg,
                      unexplained, differences, first);
    }
    /* A flagged direction means exit 5 (or 4, which wins). */
    bool flagged = json_object_array_length(get(get(run, "result"), "unanswered")) > 0;
    ck_assert_msg(!flagged || rrc == 5 || rrc == 4, "%s (%s): run flags results but exits %d", name, cfg, rrc);
    ck_assert_msg(flagged || rrc != 5, "%s (%s): run exits 5 with nothing flagged", name, cfg);
    printf("# %s (%s): inspect %d, run %d, %d direction%s differ%s (host %s)%s%s\n", name, cfg, irc, rrc, differences,
           differences == 1 ? "" : "s", differences == 1 ? "s" : "", host, ex ? "; expected: " : "",
           ex ? ex->reason : "");
    json_object_put(ins);
    json_object_put(run);
}
END_TEST

int main(void)
{
    if (!testenv_shared_traces())
        testenv_skip_suite("../shared/traces not found (set RXSIM_SHARED): the shared traces are not part of a clone");
    find_traces();
    if (!ntraces)
        testenv_skip_suite("no traces under ../shared/traces");
    Suite *s = suite_create("run_vs_inspect");
    TCase *tc = tcase_create("traces");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, run_delivers_what_inspect_delivers_or_says_why, 0, ntraces * NCONFIGS);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
