/* sim/cli/cmd_merge.c: rxsim merge: shard files written by
 * `rxsim compare --shard K/N --json` back into the output one unsharded
 * compare gives, byte for byte (the matrix and the rows fully determine it).
 *
 * Refuses, naming the files: shards of different sweeps (their matrices
 * differ, or their N), a shard given twice, missing shards, rows out of their
 * shard's slice or missing from it, and files that are not shards. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/commands.h"
#include "sim/compare/compare.h"
#include "sim/session/exit_codes.h"

#ifndef RXSIM_VERSION
#define RXSIM_VERSION "unknown"
#endif

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim merge SHARD.json... [--json | --csv] [--svg DIR]\n"
        "\n"
        "Combines the shard files of one sweep (rxsim compare ... --shard K/N > shard-K.json,\n"
        "K = 1..N, on as many machines as you like) into exactly the output the unsharded\n"
        "`rxsim compare` gives: the text table (default), --json, --csv, --svg DIR.\n"
        "Every shard 1..N must be given once; docs/compare.md shows Slurm and GNU parallel.\n"
        "\n"
        "exit status: 0 ok, 2 usage (shards missing, duplicated or from different sweeps),\n"
        "3 a file unreadable or not a shard, 4 a run read a partial trace, 5 a run flagged\n"
        "results it cannot answer, 1 internal error.\n");
}

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

int cmd_merge(int argc, char **argv)
{
    enum { O_JSON = 256, O_CSV, O_SVG };
    static const struct option opts[] = {
        { "json", no_argument, NULL, O_JSON }, { "csv", no_argument, NULL, O_CSV },
        { "svg", required_argument, NULL, O_SVG }, { "help", no_argument, NULL, 'h' }, { 0 },
    };
    bool json = false, csv = false;
    const char *svg = NULL;
    int o, rc = RX_EXIT_USAGE;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_JSON: json = true; break;
        case O_CSV: csv = true; break;
        case O_SVG: svg = optarg; break;
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
    char **files = argv + optind;
    json_object **docs = calloc((size_t)nfiles, sizeof *docs);
    struct compare_matrix m;
    compare_matrix_init(&m);
    struct compare_row *rows = NULL;
    int n = 0;
    const char **by_k = NULL;           /* by_k[k-1]: the file holding shard k */
    char *matrix_text = NULL;
    char err[1024];
    if (!docs)
        return RX_EXIT_INTERNAL;

    for (int f = 0; f < nfiles; f++) {
        const char *path = files[f];
        json_object *d = docs[f] = json_object_from_file(path);
        json_object *fmt = get(d, "format"), *sh = get(d, "shard"), *mj = get(d, "matrix");
        rc = RX_EXIT_INPUT;
        if (!d) {
            const char *why = json_util_get_last_err();
            size_t len = why ? strcspn(why, "\n") : 0;
            fprintf(stderr, "rxsim merge: %s: not readable as JSON (%.*s)\n", path, (int)len, why ? why : "");
            goto out;
        }
        if (!fmt || strcmp(json_object_get_string(fmt), COMPARE_FORMAT) || !mj) {
            fprintf(stderr, "rxsim merge: %s: not an rxsim compare file (no \"format\": \"%s\")\n", path,
                    COMPARE_FORMAT);
            goto out;
        }
        if (!sh) {
            fprintf(stderr, "rxsim merge: %s: a complete compare, not a shard (made without --shard)\n", path);
            goto out;
        }
        int k = json_object_get_int(get(sh, "k")), nn = json_object_get_int(get(sh, "n"));
        if (nn < 1 || k < 1 || k > nn) {
            fprintf(stderr, "rxsim merge: %s: shard %d/%d is not a valid K/N\n", path, k, nn);
            goto out;
        }
        const char *ver = json_object_get_string(get(mj, "rxsim_version"));
        if (!ver || strcmp(ver, RXSIM_VERSION)) {
            fprintf(stderr, "rxsim merge: %s: written by rxsim %s, this is rxsim %s: re-run that shard\n", path,
                    ver ? ver : "(unknown)", RXSIM_VERSION);
            goto out;
        }
        rc = RX_EXIT_USAGE;
        if (f == 0) {
            n = nn;
            if (compare_matrix_from_json(&m, mj, err, sizeof err) < 0) {
                fprintf(stderr, "rxsim merge: %s: %s\n", path, err);
                rc = RX_EXIT_INPUT;
                goto out;
            }
            /* The matrix must round-trip, or the merged bytes could not match. */
            json_object *again = compare_matrix_json(&m);
            bool same = !strcmp(plain(again), plain(mj));
            json_object_put(again);
            if (!same || !(matrix_text = strdup(plain(mj)))) {
                fprintf(stderr, "rxsim merge: %s: its \"matrix\" is not one rxsim compare writes\n", path);
                rc = RX_EXIT_INPUT;
                goto out;
            }
            by_k = calloc((size_t)n, sizeof *by_k);
            rows = calloc(m.ncombos, sizeof *rows);
            if (!by_k || !rows) {
                rc = RX_EXIT_INTERNAL;
                goto out;
            }
            for (size_t i = 0; i < m.ncombos; i++)
                rows[i].exit = COMPARE_NOT_RUN;
        } else if (strcmp(plain(mj), matrix_text)) {
            fprintf(stderr, "rxsim merge: %s and %s are shards of different sweeps (their matrices differ)\n",
                    files[0], path);
            goto out;
        } else if (nn != n) {
            fprintf(stderr, "rxsim merge: %s is shard %d/%d but %s is of /%d: one sweep has one N\n", path, k, nn,
                    files[0], n);
            goto out;
        }
        if (by_k[k - 1]) {
            fprintf(stderr, "rxsim merge: shard %d/%d given twice: %s and %s\n", k, n, by_k[k - 1], path);
            goto out;
        }
        by_k[k - 1] = path;

        json_object *arr = get(d, "rows");
        rc = RX_EXIT_INPUT;
        if (!json_object_is_type(arr, json_type_array)) {
            fprintf(stderr, "rxsim merge: %s: no \"rows\" array\n", path);
            goto out;
        }
        for (size_t r = 0; r < json_object_array_length(arr); r++) {
            json_object *row = json_object_array_get_idx(arr, r), *rep = get(row, "report");
            int64_t i = json_object_get_int64(get(row, "index"));
            if (!get(row, "index") || i < 0 || (uint64_t)i >= m.ncombos || i % n != k - 1 || !rep) {
                fprintf(stderr, "rxsim merge: %s: row %zu (index %lld) does not belong to shard %d/%d\n", path, r,
                        (long long)i, k, n);
                goto out;
            }
            if (rows[i].run) {
                fprintf(stderr, "rxsim merge: %s: row %lld appears twice\n", path, (long long)i);
                goto out;
            }
            rows[i].run = json_object_get(rep);
            rows[i].exit = json_object_get_int(get(row, "exit"));
        }
    }

    rc = RX_EXIT_USAGE;
    char missing[1024] = "";
    size_t used = 0;
    int nmissing = 0;
    for (int k = 1; k <= n; k++)
        if (!by_k[k - 1]) {
            nmissing++;
            if (used < sizeof missing)
                used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%d/%d", used ? ", " : "", k, n);
        }
    if (nmissing) {
        fprintf(stderr, "rxsim merge: %d shard%s missing: %s (given %d of %d)\n", nmissing, nmissing > 1 ? "s" : "",
                missing, n - nmissing, n);
        goto out;
    }
    rc = RX_EXIT_INPUT;
    for (size_t i = 0; i < m.ncombos; i++)
        if (!rows[i].run) {
            fprintf(stderr, "rxsim merge: %s (shard %zu/%d) lacks row %zu\n", by_k[i % (size_t)n],
                    i % (size_t)n + 1, n, i);
            goto out;
        }
    rc = compare_emit(&m, rows, json ? COMPARE_OUT_JSON : csv ? COMPARE_OUT_CSV : COMPARE_OUT_TEXT, svg, "merge");

out:
    for (size_t i = 0; rows && i < m.ncombos; i++)
        json_object_put(rows[i].run);
    free(rows);
    free(by_k);
    free(matrix_text);
    for (int f = 0; f < nfiles; f++)
        json_object_put(docs[f]);
    free(docs);
    compare_matrix_fini(&m);
    return rc;
}
