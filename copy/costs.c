/* copy/costs.c: cost profiles in and out of JSON (schema "rxsim-costs/1",
 * docs/calibration.md), and the lookup the simulator charges from.
 *
 * Written by hand so that each curve is one line (a full profile is ~170
 * curves of 14 points: one line each diffs and reads well); read with json-c
 * and validated field by field, since a profile may be hand-edited. */
#include "copy/costs.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA "rxsim-costs/1"

struct point {
    size_t size;
    double cycles, p10, p90;
};

struct curve {
    char *routine;
    char *kind;
    enum calib_cache state;
    unsigned align;
    struct point *pt;
    size_t n, cap;
};

struct costs {
    struct curve *curve;
    size_t n, cap;
    /* machine description, copied from calib_info or the file */
    char *cpu_model, *cpu_flags, *llc_source, *mode, *generator, *created;
    double tsc_hz;
    size_t llc_bytes, cold_bytes;
    int cpu, remote_cpu;
    long logical_cpus;
};

static char *xstrdup(const char *s)
{
    return strdup(s ? s : "");
}

struct costs *costs_new(const struct calib_info *info, const char *mode, const char *generator)
{
    struct costs *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    c->cpu_model = xstrdup(info->cpu_model);
    c->cpu_flags = xstrdup(info->cpu_flags);
    c->llc_source = xstrdup(info->llc_source);
    c->mode = xstrdup(mode);
    c->generator = xstrdup(generator);
    c->created = xstrdup(date);
    c->tsc_hz = info->tsc_hz;
    c->llc_bytes = info->llc_bytes;
    c->cold_bytes = info->cold_bytes;
    c->cpu = info->cpu;
    c->remote_cpu = info->remote_cpu;
    c->logical_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (!c->cpu_model || !c->cpu_flags || !c->llc_source || !c->mode || !c->generator ||
        !c->created) {
        costs_free(c);
        return NULL;
    }
    return c;
}

void costs_free(struct costs *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->curve[i].routine);
        free(c->curve[i].kind);
        free(c->curve[i].pt);
    }
    free(c->curve);
    free(c->cpu_model);
    free(c->cpu_flags);
    free(c->llc_source);
    free(c->mode);
    free(c->generator);
    free(c->created);
    free(c);
}

static struct curve *curve_get(struct costs *c, const char *routine, const char *kind,
                               enum calib_cache state, unsigned align)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->curve[i].state == state && c->curve[i].align == align &&
            !strcmp(c->curve[i].routine, routine))
            return &c->curve[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct curve *more = realloc(c->curve, cap * sizeof *more);
        if (!more)
            return NULL;
        c->curve = more;
        c->cap = cap;
    }
    struct curve *cv = &c->curve[c->n];
    memset(cv, 0, sizeof *cv);
    cv->routine = xstrdup(routine);
    cv->kind = xstrdup(kind);
    if (!cv->routine || !cv->kind) {
        free(cv->routine);
        free(cv->kind);
        return NULL;
    }
    cv->state = state;
    cv->align = align;
    c->n++;
    return cv;
}

static int curve_put(struct curve *cv, struct point p)
{
    if (cv->n == cv->cap) {
        size_t cap = cv->cap ? 2 * cv->cap : 16;
        struct point *more = realloc(cv->pt, cap * sizeof *more);
        if (!more)
            return -1;
        cv->pt = more;
        cv->cap = cap;
    }
    size_t i = cv->n;
    while (i > 0 && cv->pt[i - 1].size > p.size) {
        cv->pt[i] = cv->pt[i - 1];
        i--;
    }
    cv->pt[i] = p;
    cv->n++;
    return 0;
}

int costs_add(struct costs *c, const struct copy_routine *r, enum calib_cache state,
              unsigned align, size_t size, const struct calib_point *p)
{
    struct curve *cv = curve_get(c, r->name, copy_kind_name(r->kind), state, align);
    if (!cv)
        return -1;
    return curve_put(cv, (struct point){ size, p->cycles, p->p10, p->p90 });
}

/* A JSON string literal for s (json-c does the escaping). */
static void put_str(FILE *f, const char *s)
{
    json_object *o = json_object_new_string(s);
    fputs(o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
            : "\"\"", f);
    json_object_put(o);
}

int costs_save(const struct costs *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "{\n  \"schema\": \"%s\",\n  \"generator\": ", SCHEMA);
    put_str(f, c->generator);
    fprintf(f, ",\n  \"created\": ");
    put_str(f, c->created);
    fprintf(f, ",\n  \"mode\": ");
    put_str(f, c->mode);
    fprintf(f, ",\n  \"units\": \"TSC cycles per call\",\n  \"machine\": {\n    \"cpu_model\": ");
    put_str(f, c->cpu_model);
    fprintf(f, ",\n    \"cpu_flags\": [");
    const char *p = c->cpu_flags;
    for (int first = 1; *p;) {
        size_t len = strcspn(p, " ");
        if (len) {
            char word[64];
            snprintf(word, sizeof word, "%.*s", (int)len, p);
            fputs(first ? "" : ", ", f);
            put_str(f, word);
            first = 0;
        }
        p += len + (p[len] == ' ');
    }
    fprintf(f, "],\n    \"logical_cpus\": %ld,\n    \"tsc_hz\": %.0f,\n"
               "    \"llc_bytes\": %zu,\n    \"llc_source\": ",
            c->logical_cpus, c->tsc_hz, c->llc_bytes);
    put_str(f, c->llc_source);
    fprintf(f, ",\n    \"cold_bytes\": %zu,\n    \"cpu\": %d,\n    \"remote_cpu\": %d\n  },\n"
               "  \"point_fields\": [\"size\", \"cycles\", \"p10\", \"p90\"],\n  \"curves\": [\n",
            c->cold_bytes, c->cpu, c->remote_cpu);
    for (size_t i = 0; i < c->n; i++) {
        const struct curve *cv = &c->curve[i];
        fprintf(f, "    {\"routine\": ");
        put_str(f, cv->routine);
        fprintf(f, ", \"kind\": ");
        put_str(f, cv->kind);
        fprintf(f, ", \"cache\": \"%s\", \"align\": %u, \"points\": [",
                calib_cache_name(cv->state), cv->align);
        for (size_t k = 0; k < cv->n; k++)
            fprintf(f, "%s[%zu, %.6g, %.6g, %.6g]", k ? ", " : "", cv->pt[k].size,
                    cv->pt[k].cycles, cv->pt[k].p10, cv->pt[k].p90);
        fprintf(f, "]}%s\n", i + 1 < c->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static const char *get_string(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static bool get_number(json_object *obj, const char *key, double *out)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) ||
        !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return false;
    *out = json_object_get_double(v);
    return true;
}

static bool number_at(json_object *arr, size_t i, double *out)
{
    json_object *v = json_object_array_get_idx(arr, i);
    if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return false;
    *out = json_object_get_double(v);
    return isfinite(*out);
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

struct costs *costs_load(const char *path, char *err, size_t errlen)
{
    struct costs *c = NULL;
    json_object *root = json_object_from_file(path);
    if (!root) {
        snprintf(err, errlen, "%s: not readable as JSON (%s)", path, json_util_get_last_err());
        return NULL;
    }
    const char *schema = get_string(root, "schema");
    if (!schema || strcmp(schema, SCHEMA))
        FAIL("%s: \"schema\" is %s%s%s, expected \"" SCHEMA "\"", path,
             schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
    c = calloc(1, sizeof *c);
    if (!c)
        FAIL("%s: out of memory", path);
    json_object *machine;
    if (!json_object_object_get_ex(root, "machine", &machine) ||
        !json_object_is_type(machine, json_type_object))
        FAIL("%s: \"machine\" missing or not an object", path);
    if (!get_number(machine, "tsc_hz", &c->tsc_hz) || !(c->tsc_hz > 1e6))
        FAIL("%s: machine.tsc_hz missing or absurd", path);
    const char *model = get_string(machine, "cpu_model");
    const char *mode = get_string(root, "mode");
    c->cpu_model = xstrdup(model ? model : "unknown");
    c->mode = xstrdup(mode ? mode : "unknown");
    if (!c->cpu_model || !c->mode)
        FAIL("%s: out of memory", path);

    json_object *curves;
    if (!json_object_object_get_ex(root, "curves", &curves) ||
        !json_object_is_type(curves, json_type_array))
        FAIL("%s: \"curves\" missing or not an array", path);
    size_t ncurves = json_object_array_length(curves);
    if (!ncurves)
        FAIL("%s: no curves", path);
    for (size_t i = 0; i < ncurves; i++) {
        json_object *cj = json_object_array_get_idx(curves, i), *pts;
        const char *routine = get_string(cj, "routine"), *kind = get_string(cj, "kind");
        const char *cache = get_string(cj, "cache");
        double align;
        int state = cache ? calib_cache_parse(cache) : -1;
        if (!routine || !*routine)
            FAIL("%s: curves[%zu]: \"routine\" missing", path, i);
        if (state < 0)
            FAIL("%s: curves[%zu] (%s): \"cache\" must be hot, cold or remote", path, i, routine);
        if (!get_number(cj, "align", &align) || align < 0 || align > 63 || align != floor(align))
            FAIL("%s: curves[%zu] (%s): \"align\" must be an integer 0..63", path, i, routine);
        if (!json_object_object_get_ex(cj, "points", &pts) ||
            !json_object_is_type(pts, json_type_array) || !json_object_array_length(pts))
            FAIL("%s: curves[%zu] (%s): \"points\" missing or empty", path, i, routine);
        struct curve *cv = curve_get(c, routine, kind ? kind : "", (enum calib_cache)state,
                                     (unsigned)align);
        if (!cv)
            FAIL("%s: out of memory", path);
        if (cv->n)
            FAIL("%s: curves[%zu]: second curve for %s %s align %u", path, i, routine, cache,
                 (unsigned)align);
        for (size_t k = 0; k < json_object_array_length(pts); k++) {
            json_object *pj = json_object_array_get_idx(pts, k);
            double v[4];
            bool ok = json_object_is_type(pj, json_type_array) && json_object_array_length(pj) == 4;
            for (int f = 0; ok && f < 4; f++)
                ok = number_at(pj, f, &v[f]) && v[f] >= 0;
            if (!ok || v[0] < 1 || v[0] != floor(v[0]))
                FAIL("%s: curves[%zu] (%s) points[%zu]: want [size, cycles, p10, p90], "
                     "non-negative, size a positive integer", path, i, routine, k);
            if (cv->n && (size_t)v[0] <= cv->pt[cv->n - 1].size)
                FAIL("%s: curves[%zu] (%s) points[%zu]: sizes must increase", path, i, routine, k);
            if (curve_put(cv, (struct point){ (size_t)v[0], v[1], v[2], v[3] }) != 0)
                FAIL("%s: out of memory", path);
        }
    }
    json_object_put(root);
    return c;
fail:
    json_object_put(root);
    costs_free(c);
    return NULL;
}

static int align_class(unsigned a)
{
    a %= 64;
    return a == 0 ? 0 : a % 8 == 0 ? 1 : a % 4 == 0 ? 2 : 3;
}

static double curve_at(const struct curve *cv, size_t size)
{
    const struct point *p = cv->pt;
    if (size <= p[0].size)
        return p[0].cycles;
    if (size >= p[cv->n - 1].size)
        return p[cv->n - 1].cycles * (double)size / (double)p[cv->n - 1].size;
    size_t i = 1;
    while (p[i].size < size)
        i++;
    double t = (double)(size - p[i - 1].size) / (double)(p[i].size - p[i - 1].size);
    return p[i - 1].cycles + t * (p[i].cycles - p[i - 1].cycles);
}

double costs_lookup(const struct costs *c, const char *routine, size_t size,
                    unsigned align, enum calib_cache state)
{
    const struct curve *exact = NULL, *best = NULL;
    int want = align_class(align), best_dist = 99;
    for (size_t i = 0; i < c->n; i++) {
        const struct curve *cv = &c->curve[i];
        if (cv->state != state || strcmp(cv->routine, routine))
            continue;
        if (cv->align == align % 64)
            exact = cv;
        int cls = align_class(cv->align);
        /* nearest class; on a tie the worse alignment (higher class) */
        int dist = 2 * abs(cls - want) + (cls < want);
        if (dist < best_dist) {
            best_dist = dist;
            best = cv;
        }
    }
    if (exact)
        best = exact;
    return best ? curve_at(best, size) : -1.0;
}

double costs_tsc_hz(const struct costs *c)
{
    return c->tsc_hz;
}

const char *costs_cpu_model(const struct costs *c)
{
    return c->cpu_model;
}

const char *costs_mode(const struct costs *c)
{
    return c->mode;
}

size_t costs_curve_count(const struct costs *c)
{
    return c->n;
}
