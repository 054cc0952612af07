/* sim/cli/cmd_merge.c: rxsim merge's command line: the shard files into one
 * matrix and its rows (sim/compare/compare_merge.c, which says what it
 * refuses), then the output one unsharded `rxsim compare` gives. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/commands.h"
#include "sim/compare/compare.h"
#include "sim/session/exit_codes.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim merge SHARD.json... [--json | --csv] [--svg DIR] [--html FILE]\n"
        "                          [--columns LIST]\n"
        "\n"
        "Combines the shard files of one sweep (rxsim compare ... --shard K/N > shard-K.json,\n"
        "K = 1..N, on as many machines as you like) into exactly the output the unsharded\n"
        "`rxsim compare` gives: the text table (default), --json, --csv, --svg DIR.\n"
        "Every shard 1..N must be given once; docs/compare.md shows Slurm and GNU parallel.\n"
        "--html FILE writes the table and every chart in one page; --columns LIST picks\n"
        "the text table's metric columns (as rxsim compare).\n"
        "\n"
        "exit status: 0 ok, 2 usage (shards missing, duplicated or from different sweeps),\n"
        "3 a file unreadable or not a shard, 4 a run read a partial trace, 5 a run flagged\n"
        "results it cannot answer, 1 internal error.\n");
}

int cmd_merge(int argc, char **argv)
{
    enum { O_JSON = 256, O_CSV, O_SVG, O_COLUMNS, O_HTML };
    static const struct option opts[] = {
        { "json", no_argument, NULL, O_JSON }, { "csv", no_argument, NULL, O_CSV },
        { "svg", required_argument, NULL, O_SVG }, { "columns", required_argument, NULL, O_COLUMNS },
        { "html", required_argument, NULL, O_HTML }, { "help", no_argument, NULL, 'h' }, { 0 },
    };
    bool json = false, csv = false;
    struct compare_view view = {0};
    char err[1024];
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_JSON: json = true; break;
        case O_CSV: csv = true; break;
        case O_SVG: view.svg_dir = optarg; break;
        case O_HTML: view.html = optarg; break;
        case O_COLUMNS:
            if (compare_columns_parse(optarg, &view.columns, err, sizeof err) < 0) {
                fprintf(stderr, "rxsim merge: %s\n", err);
                return RX_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim merge: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (json && csv) {
        fprintf(stderr, "rxsim merge: --json and --csv: choose one\n");
        return RX_EXIT_USAGE;
    }
    int nfiles = argc - optind;
    if (nfiles < 1) {
        fprintf(stderr, "rxsim merge: no shard files given\n\n");
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    struct compare_matrix m;
    compare_matrix_init(&m);
    struct compare_row *rows = NULL;
    int rc = compare_merge_shards(argv + optind, nfiles, &m, &rows);
    if (rc == RX_EXIT_OK)
        rc = compare_emit(&m, rows, json ? COMPARE_OUT_JSON : csv ? COMPARE_OUT_CSV : COMPARE_OUT_TEXT, &view, "merge");
    for (size_t i = 0; rows && i < m.ncombos; i++)
        json_object_put(rows[i].run);
    free(rows);
    compare_matrix_fini(&m);
    return rc;
}
