/* tests/fuzz/fuzz_dataset.c: libFuzzer harness over the two JSON readers
 * rxsim validate and fit add: the dataset reader (sim/validate/dataset.h)
 * and the --costs reader (sim/session/costs_file.h).
 *
 * The input is handed to val_dataset_parse() as it is (an exact-size buffer
 * with no NUL after it, so a read past its end is an ASan report) and to
 * run_costs_load() through a memfd.  Besides crashes and sanitizer reports,
 * the harness aborts when an accepted dataset breaks dataset.h's contract:
 * counts within VAL_MAX_CONFIGS / VAL_MAX_REPS; written, it reads back and
 * writes the same bytes again; and the costs file rxsim fit writes from it
 * is accepted by the --costs reader with the fitted cycles.  Seeds:
 * tests/fuzz/dataset/seeds/. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/session/costs_file.h"
#include "sim/validate/fit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *written(const struct val_dataset *d, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f || val_dataset_write(d, f) != 0)
        abort();
    fclose(f);
    return text;
}

/* The --costs reader on bytes, through a memfd's /proc path. */
static int load_costs_bytes(const void *bytes, size_t n, struct sim_cost_table *t)
{
    int fd = memfd_create("fuzz_costs", MFD_CLOEXEC);
    if (fd < 0)
        return -2;
    if (n && write(fd, bytes, n) != (ssize_t)n) {
        close(fd);
        return -2;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    FILE *null = fopen("/dev/null", "w");
    int rc = run_costs_load("fuzz", path, t, NULL, null ? null : stderr);
    if (null)
        fclose(null);
    close(fd);
    return rc;
}

static void check_dataset(const struct val_dataset *d)
{
    if (d->nconfigs < 0 || d->nconfigs > VAL_MAX_CONFIGS)
        abort();
    for (int i = 0; i < d->nconfigs; i++)
        if (d->c[i].nreps < 0 || d->c[i].nreps > VAL_MAX_REPS)
            abort();
    size_t n1, n2;
    char *t1 = written(d, &n1);
    struct val_dataset *d2 = malloc(sizeof *d2);
    char err[512];
    if (!d2 || val_dataset_parse(t1, n1, "again", d2, err, sizeof err) != 0)
        abort();                        /* what we wrote we must read */
    char *t2 = written(d2, &n2);
    if (n1 != n2 || memcmp(t1, t2, n1))
        abort();                        /* write -> read -> write: the same bytes */
    free(t1);
    free(t2);

    struct fit_result *r = malloc(sizeof *r);
    if (!r)
        abort();
    fit_costs(d2, NULL, r);
    char *costs = NULL;
    size_t clen = 0;
    FILE *f = open_memstream(&costs, &clen);
    if (!f || fit_write_costs_json(r, f) != 0)
        abort();
    fclose(f);
    struct sim_cost_table t;
    sim_cost_table_defaults(&t);
    int rc = load_costs_bytes(costs, clen, &t);
    if (rc == -1)
        abort();                        /* fit's own output refused by --costs */
    for (int e = 0; rc == 0 && e < SIM_COST__COUNT; e++)
        if (r->e[e].fitted && t.cycles[e] != (uint64_t)llround(r->e[e].median))
            abort();
    free(costs);
    free(r);
    free(d2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct val_dataset *d = malloc(sizeof *d);
    char err[512];
    if (!d)
        return 0;
    if (val_dataset_parse((const char *)data, size, "fuzz", d, err, sizeof err) == 0)
        check_dataset(d);
    else if (!memchr(err, '\0', sizeof err) || strncmp(err, "fuzz: ", 6))
        abort();                        /* every refusal names the input */
    free(d);
    struct sim_cost_table t;
    sim_cost_table_defaults(&t);
    load_costs_bytes(data, size, &t);
    return 0;
}
