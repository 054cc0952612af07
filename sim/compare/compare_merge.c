/* sim/compare/compare_merge.c: shard files written by `rxsim compare --shard
 * K/N --json` back into one matrix and its rows, from which the output one
 * unsharded compare gives follows byte for byte (the matrix and the rows
 * fully determine it).
 *
 * Refuses, naming the files: shards of different sweeps (their matrices
 * differ, or their N), a shard given twice, missing shards, rows out of their
 * shard's slice or missing from it, and files that are not shards.  A file
 * that is empty or not JSON is what a failed or cancelled shard leaves behind
 * (`> shard-K.json` creates it before the run): it is named and skipped, and
 * the shards the readable files lack are then named as K/N, so the user knows
 * which task to re-run. */
#include "sim/compare/compare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/session/exit_codes.h"

#ifndef RXSIM_VERSION
#define RXSIM_VERSION "unknown"
#endif

struct merge {
    struct compare_matrix *m;
    struct compare_row *rows;
    int n;                              /* N of the sweep: the first file's */
    const char **by_k;                  /* by_k[k-1]: the file holding shard k */
    const char *first;                  /* the first readable file: it sets the sweep */
    char *matrix_text;                  /* the first file's matrix, as written */
    int unreadable;                     /* files skipped as empty or not JSON */
};

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* A shard file's own checks: format, shard K/N, version.  0, or the status. */
static int shard_header(const char *path, json_object *d, int *k, int *nn)
{
    json_object *fmt = get(d, "format"), *sh = get(d, "shard"), *mj = get(d, "matrix");
    if (!fmt || strcmp(json_object_get_string(fmt), COMPARE_FORMAT) || !mj) {
        fprintf(stderr, "rxsim merge: %s: not an rxsim compare file (no \"format\": \"%s\")\n", path,
                COMPARE_FORMAT);
        return RX_EXIT_INPUT;
    }
    if (!sh) {
        fprintf(stderr, "rxsim merge: %s: a complete compare, not a shard (made without --shard)\n", path);
        return RX_EXIT_INPUT;
    }
    *k = json_object_get_int(get(sh, "k"));
    *nn = json_object_get_int(get(sh, "n"));
    if (*nn < 1 || *k < 1 || *k > *nn) {
        fprintf(stderr, "rxsim merge: %s: shard %d/%d is not a valid K/N\n", path, *k, *nn);
        return RX_EXIT_INPUT;
    }
    const char *ver = json_object_get_string(get(mj, "rxsim_version"));
    if (!ver || strcmp(ver, RXSIM_VERSION)) {
        fprintf(stderr, "rxsim merge: %s: written by rxsim %s, this is rxsim %s: re-run that shard\n", path,
                ver ? ver : "(unknown)", RXSIM_VERSION);
        return RX_EXIT_INPUT;
    }
    return 0;
}

/* The first file sets the sweep: its matrix (which must round-trip, or the
 * merged bytes could not match) and N. */
static int first_shard(struct merge *g, const char *path, json_object *mj, int nn)
{
    char err[1024];
    g->n = nn;
    if (compare_matrix_from_json(g->m, mj, err, sizeof err) < 0) {
        fprintf(stderr, "rxsim merge: %s: %s\n", path, err);
        return RX_EXIT_INPUT;
    }
    json_object *again = compare_matrix_json(g->m);
    bool same = !strcmp(plain(again), plain(mj));
    json_object_put(again);
    if (!same || !(g->matrix_text = strdup(plain(mj)))) {
        fprintf(stderr, "rxsim merge: %s: its \"matrix\" is not one rxsim compare writes\n", path);
        return RX_EXIT_INPUT;
    }
    g->by_k = calloc((size_t)g->n, sizeof *g->by_k);
    g->rows = calloc(g->m->ncombos, sizeof *g->rows);
    if (!g->by_k || !g->rows)
        return RX_EXIT_INTERNAL;
    for (size_t i = 0; i < g->m->ncombos; i++)
        g->rows[i].exit = COMPARE_NOT_RUN;
    return 0;
}

/* One file's rows into their places.  0, or the status. */
static int take_rows(struct merge *g, const char *path, json_object *d, int k)
{
    json_object *arr = get(d, "rows");
    if (!json_object_is_type(arr, json_type_array)) {
        fprintf(stderr, "rxsim merge: %s: no \"rows\" array\n", path);
        return RX_EXIT_INPUT;
    }
    for (size_t r = 0; r < json_object_array_length(arr); r++) {
        json_object *row = json_object_array_get_idx(arr, r), *rep = get(row, "report");
        int64_t i = json_object_get_int64(get(row, "index"));
        if (!get(row, "index") || i < 0 || (uint64_t)i >= g->m->ncombos || i % g->n != k - 1 || !rep) {
            fprintf(stderr, "rxsim merge: %s: row %zu (index %lld) does not belong to shard %d/%d\n", path, r,
                    (long long)i, k, g->n);
            return RX_EXIT_INPUT;
        }
        if (g->rows[i].run) {
            fprintf(stderr, "rxsim merge: %s: row %lld appears twice\n", path, (long long)i);
            return RX_EXIT_INPUT;
        }
        g->rows[i].run = json_object_get(rep);
        g->rows[i].exit = json_object_get_int(get(row, "exit"));
    }
    return 0;
}

/* A file json-c could not read: said, counted and skipped, so that the
 * shards the others lack can still be named. */
static void skip_unreadable(struct merge *g, const char *path)
{
    const char *why = json_util_get_last_err();
    size_t len = why ? strcspn(why, "\n") : 0;
    struct stat st;
    g->unreadable++;
    if (!stat(path, &st) && S_ISREG(st.st_mode) && st.st_size == 0)
        fprintf(stderr, "rxsim merge: %s: empty: the shard that writes it did not finish (failed or cancelled?)\n",
                path);
    else
        fprintf(stderr, "rxsim merge: %s: not readable as JSON (%.*s)\n", path, (int)len, why ? why : "");
}

static int take_file(struct merge *g, const char *path, json_object *d)
{
    int k, nn, rc = shard_header(path, d, &k, &nn);
    if (rc)
        return rc;
    json_object *mj = get(d, "matrix");
    if (!g->first) {
        g->first = path;
        if ((rc = first_shard(g, path, mj, nn)))
            return rc;
    } else if (strcmp(plain(mj), g->matrix_text)) {
        fprintf(stderr, "rxsim merge: %s and %s are shards of different sweeps (their matrices differ)\n",
                g->first, path);
        return RX_EXIT_USAGE;
    } else if (nn != g->n) {
        fprintf(stderr, "rxsim merge: %s is shard %d/%d but %s is of /%d: one sweep has one N\n", path, k, nn,
                g->first, g->n);
        return RX_EXIT_USAGE;
    }
    if (g->by_k[k - 1]) {
        fprintf(stderr, "rxsim merge: shard %d/%d given twice: %s and %s\n", k, g->n, g->by_k[k - 1], path);
        return RX_EXIT_USAGE;
    }
    g->by_k[k - 1] = path;
    return take_rows(g, path, d, k);
}

/* Every shard 1..N given, and every row in one.  0, or the status: 3 when
 * some file was unreadable (after naming the shards missing for it), 2 when
 * shards are missing. */
static int complete(const struct merge *g)
{
    if (!g->first) {
        fprintf(stderr, "rxsim merge: none of the %d file%s is a readable shard\n", g->unreadable,
                g->unreadable > 1 ? "s" : "");
        return RX_EXIT_INPUT;
    }
    char missing[1024] = "";
    size_t used = 0;
    int nmissing = 0;
    for (int k = 1; k <= g->n; k++)
        if (!g->by_k[k - 1]) {
            nmissing++;
            if (used < sizeof missing)
                used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%d/%d", used ? ", " : "", k,
                                         g->n);
        }
    if (nmissing) {
        fprintf(stderr, "rxsim merge: %d shard%s missing: %s (given %d of %d): re-run %s with the same command\n",
                nmissing, nmissing > 1 ? "s" : "", missing, g->n - nmissing, g->n, nmissing > 1 ? "them" : "it");
        return g->unreadable ? RX_EXIT_INPUT : RX_EXIT_USAGE;
    }
    if (g->unreadable)
        return RX_EXIT_INPUT;          /* every shard is there: the unreadable file is an extra one */
    for (size_t i = 0; i < g->m->ncombos; i++)
        if (!g->rows[i].run) {
            fprintf(stderr, "rxsim merge: %s (shard %zu/%d) lacks row %zu\n", g->by_k[i % (size_t)g->n],
                    i % (size_t)g->n + 1, g->n, i);
            return RX_EXIT_INPUT;
        }
    return 0;
}

int compare_merge_shards(char **files, int nfiles, struct compare_matrix *m, struct compare_row **rows)
{
    struct merge g = { .m = m };
    json_object **docs = calloc((size_t)nfiles, sizeof *docs);
    int rc = docs ? 0 : RX_EXIT_INTERNAL;
    for (int f = 0; f < nfiles && !rc; f++) {
        if ((docs[f] = json_object_from_file(files[f])))
            rc = take_file(&g, files[f], docs[f]);
        else
            skip_unreadable(&g, files[f]);
    }
    if (!rc)
        rc = complete(&g);
    for (int f = 0; docs && f < nfiles; f++)
        json_object_put(docs[f]);
    free(docs);
    free(g.by_k);
    free(g.matrix_text);
    *rows = g.rows;
    return rc ? rc : RX_EXIT_OK;
}
