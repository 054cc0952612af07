/* sim/cli/cmd_fit.c: rxsim fit's command line: a validate dataset in,
 * per-event costs out (sim/validate/fit.c does the fitting and printing;
 * this file only reads argv and opens files). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/validate/fit.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim fit DATASET.json [-o COSTS.json] [--by-config] [--json | --c-rows | --doc-rows]\n"
        "\n"
        "Fits per-event costs from what `rxsim validate` measured (DATASET.json): for each\n"
        "cost, the cycles perf attributed to it divided by the kernel's own count of the\n"
        "event, per repetition of every configuration not held out; median and IQR.\n"
        "Costs this machine cannot identify keep their stated default and say why.\n"
        "docs/validation.md \"How costs are fitted\" gives each denominator and the rule.\n"
        "\n"
        "  -o, --output FILE  write the fitted costs as a --costs file (each entry with\n"
        "                     its provenance: kernel, CPU, date, runs, median, IQR)\n"
        "  --by-config        also each cost's median per configuration\n"
        "  --json             the fit as JSON instead of the table (per configuration too)\n"
        "  --c-rows           the fitted entries as sim/cost_table.h X() rows to paste\n"
        "  --doc-rows         the same as docs/model.md cost-table rows\n"
        "  -h, --help         this text\n"
        "\n"
        "exit status: 0 ok, 2 usage, 1 the dataset unreadable or holding nothing to fit\n"
        "on, or the output not written.\n");
}

/* The costs file at path; 0 or -1 after a message. */
static int write_costs(const struct fit_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "rxsim fit: -o %s: cannot create it: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = fit_write_costs_json(r, f);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "rxsim fit: -o %s: writing failed: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    enum { O_JSON = 256, O_C_ROWS, O_DOC_ROWS, O_BY_CONFIG };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' }, { "json", no_argument, NULL, O_JSON },
        { "c-rows", no_argument, NULL, O_C_ROWS }, { "doc-rows", no_argument, NULL, O_DOC_ROWS },
        { "by-config", no_argument, NULL, O_BY_CONFIG },
        { "help", no_argument, NULL, 'h' }, { 0 },
    };
    bool json = false, c_rows = false, doc_rows = false, by_config = false;
    const char *output = NULL;
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (o) {
        case 'o': output = optarg; break;
        case O_JSON: json = true; break;
        case O_C_ROWS: c_rows = true; break;
        case O_DOC_ROWS: doc_rows = true; break;
        case O_BY_CONFIG: by_config = true; break;
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim fit: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (json + c_rows + doc_rows > 1) {
        fprintf(stderr, "rxsim fit: --json, --c-rows and --doc-rows: choose one\n");
        return RX_EXIT_USAGE;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "rxsim fit: %s\n\n", optind == argc ? "no dataset given" : "one dataset at a time");
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    const char *path = argv[optind];
    struct val_dataset *d = malloc(sizeof *d);
    struct fit_result *r = malloc(sizeof *r);
    char err[1024];
    int rc = RX_EXIT_OK;
    if (!d || !r) {
        fprintf(stderr, "rxsim fit: out of memory\n");
        rc = RX_EXIT_INTERNAL;
    } else if (val_dataset_read(path, d, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim fit: %s\n", err);
        rc = RX_EXIT_INTERNAL;
    } else if (fit_costs(d, NULL, r) < 0) {
        fprintf(stderr, "rxsim fit: %s: nothing to fit on: no repetition of a configuration that is "
                "not held out (or none with a sample period and TSC rate)\n", path);
        rc = RX_EXIT_INTERNAL;
    } else {
        if (c_rows)
            fit_write_c_rows(r, stdout);
        else if (doc_rows)
            fit_write_doc_rows(r, stdout);
        else if (json)
            fit_write_result_json(r, path, stdout);
        else {
            printf("rxsim fit: %s\n", path);
            fit_write_table(r, stdout);
            if (by_config)
                fit_write_by_config(r, stdout);
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "rxsim fit: writing the output failed: %s\n", strerror(errno));
            rc = RX_EXIT_INTERNAL;
        }
        if (output && write_costs(r, output) < 0)
            rc = RX_EXIT_INTERNAL;
    }
    free(d);
    free(r);
    return rc;
}
