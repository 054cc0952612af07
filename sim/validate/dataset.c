/* sim/validate/dataset.c: struct val_dataset <-> JSON (dataset.h).
 *
 * One table per struct (which key, which kind, where in the struct) drives
 * both the writer and the reader, so the two cannot drift apart: a field
 * added to a table is written and read back, and a key not in a table is
 * refused by the reader.  Enum-indexed arrays are JSON objects keyed by the
 * enum's own names (sides, categories, cost events), so a file is readable
 * by itself and keeps its meaning when an enum grows.
 *
 * Doubles are written in the shortest form that reads back to the same
 * value (%.15g, else %.17g), so write -> read -> write gives the same bytes. */
#include "sim/validate/dataset.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/validate/dataset_json.h"

/* --- the tables --------------------------------------------------------- */

#define FLD(type, k, kd, field) { .key = k, .kind = kd, .off = offsetof(struct type, field) }
#define FLDN(type, k, kd, field, num, ks, subt) \
    { .key = k, .kind = kd, .off = offsetof(struct type, field), .n = num, .keys = ks, .sub = subt }
#define FLDS(type, k, field) \
    { .key = k, .kind = DS_STR, .off = offsetof(struct type, field), .n = sizeof ((struct type *)0)->field }

static const struct ds_field counters_f[] = {
    FLD(val_counters, "seconds", DS_DBL, seconds),
    FLD(val_counters, "bytes", DS_U64, bytes),
    FLD(val_counters, "segs_in", DS_U64, segs_in),
    FLD(val_counters, "segs_out", DS_U64, segs_out),
    FLD(val_counters, "delayed_acks", DS_U64, delayed_acks),
    FLD(val_counters, "skbs", DS_U64, skbs),
    FLD(val_counters, "net_rx_softirqs", DS_U64, net_rx_softirqs),
    FLD(val_counters, "recv_calls", DS_U64, recv_calls),
    FLD(val_counters, "nvcsw", DS_U64, nvcsw),
    FLD(val_counters, "nivcsw", DS_U64, nivcsw),
    FLD(val_counters, "reader_cpu_seconds", DS_DBL, reader_cpu_seconds),
    FLD(val_counters, "rcvq_median", DS_U64, rcvq_median),
    FLD(val_counters, "rcvq_max", DS_U64, rcvq_max),
    FLD(val_counters, "steal_share", DS_DBL, steal_share),
};
static const struct ds_table counters_t = { counters_f, sizeof counters_f / sizeof counters_f[0], "counters" };

static const struct ds_field attrib_f[] = {
    FLD(val_attrib, "samples", DS_U64, samples),
    FLDN(val_attrib, "side", DS_MAPU, side, VAL_SIDE__COUNT, DS_KEYS_SIDE, NULL),
    FLDN(val_attrib, "rx_category", DS_MAPU, rx_category, SIM_CAT__COUNT, DS_KEYS_CAT, NULL),
    FLD(val_attrib, "rx_unmapped", DS_U64, rx_unmapped),
    FLDN(val_attrib, "event", DS_MAPU, event, SIM_COST__COUNT, DS_KEYS_COST, NULL),
    FLDN(val_attrib, "protocol_on_cpu", DS_ARRU, protocol_on_cpu, 2, DS_KEYS_NONE, NULL),
    FLD(val_attrib, "shared", DS_U64, shared),
    FLDN(val_attrib, "shared_category", DS_MAPU, shared_category, SIM_CAT__COUNT, DS_KEYS_CAT, NULL),
    FLDN(val_attrib, "shared_event", DS_MAPU, shared_event, SIM_COST__COUNT, DS_KEYS_COST, NULL),
    FLDN(val_attrib, "shared_on_cpu", DS_ARRU, shared_on_cpu, 2, DS_KEYS_NONE, NULL),
};
static const struct ds_table attrib_t = { attrib_f, sizeof attrib_f / sizeof attrib_f[0], "attrib" };

static const struct ds_field rep_f[] = {
    FLD(val_rep, "sample_period_ns", DS_U64, sample_period_ns),
    FLD(val_rep, "tsc_ghz", DS_DBL, tsc_ghz),
    FLDN(val_rep, "counters", DS_OBJ, c, 0, DS_KEYS_NONE, &counters_t),
    FLDN(val_rep, "attrib", DS_OBJ, a, 0, DS_KEYS_NONE, &attrib_t),
};
static const struct ds_table rep_t = { rep_f, sizeof rep_f / sizeof rep_f[0], "repetition" };

static const struct ds_field model_f[] = {
    FLDN(val_model, "cycles_per_byte", DS_MAPD, cycles_per_byte, SIM_CAT__COUNT, DS_KEYS_CAT, NULL),
    FLD(val_model, "core_cycles_per_byte", DS_DBL, core_cycles_per_byte),
    FLD(val_model, "core_cycles_per_segment", DS_DBL, core_cycles_per_segment),
    FLD(val_model, "acks_per_segment", DS_DBL, acks_per_segment),
    FLD(val_model, "segments_per_skb", DS_DBL, segments_per_skb),
    FLD(val_model, "skbs_per_recv", DS_DBL, skbs_per_recv),
    FLD(val_model, "rcvq_median", DS_DBL, rcvq_median),
    FLD(val_model, "exit_status", DS_INT, exit_status),
};
static const struct ds_table model_t = { model_f, sizeof model_f / sizeof model_f[0], "model" };

static const struct ds_field preflight_f[] = {
    FLD(val_preflight, "pmu", DS_BOOL, pmu),
    FLD(val_preflight, "hypervisor", DS_BOOL, hypervisor),
    FLD(val_preflight, "nested", DS_BOOL, nested),
    FLD(val_preflight, "wakeup_us_median", DS_DBL, wakeup_us_median),
    FLD(val_preflight, "wakeup_us_p90", DS_DBL, wakeup_us_p90),
    FLD(val_preflight, "speed_cv", DS_DBL, speed_cv),
    FLD(val_preflight, "other_share", DS_DBL, other_share),
    FLD(val_preflight, "steal_share", DS_DBL, steal_share),
    FLD(val_preflight, "quiet", DS_BOOL, quiet),
    FLDS(val_preflight, "verdict", verdict),
};
static const struct ds_table preflight_t = { preflight_f, sizeof preflight_f / sizeof preflight_f[0], "preflight" };

/* A configuration: its val_config fields, then the capture, the model and
 * the repetitions (the last two read by hand: null model, array of reps). */
static const struct ds_field config_f[] = {
    FLDS(val_dataset_config, "name", cfg.name),
    FLD(val_dataset_config, "placement", DS_PLACEMENT, cfg.placement),
    FLD(val_dataset_config, "csum", DS_BOOL, cfg.csum),
    FLD(val_dataset_config, "gro", DS_BOOL, cfg.gro),
    FLD(val_dataset_config, "mtu", DS_UINT, cfg.mtu),
    FLD(val_dataset_config, "held_out", DS_BOOL, cfg.held_out),
    FLDS(val_dataset_config, "capture", capture),
    { .key = "model", .kind = DS_CUSTOM },
    { .key = "reps", .kind = DS_CUSTOM },
};
static const struct ds_table config_t = { config_f, sizeof config_f / sizeof config_f[0], "configuration" };

static const struct ds_field dataset_f[] = {
    FLD(val_dataset, "version", DS_INT, version),
    FLDS(val_dataset, "kernel", kernel),
    FLDS(val_dataset, "cpu", cpu),
    FLDS(val_dataset, "date", date),
    FLDS(val_dataset, "command", command),
    FLD(val_dataset, "tsc_ghz", DS_DBL, tsc_ghz),
    { .key = "msg_size", .kind = DS_UINT, .off = offsetof(struct val_dataset, msg_size), .optional = true },
    { .key = "bytes", .kind = DS_U64, .off = offsetof(struct val_dataset, bytes), .optional = true },
    { .key = "capture_bytes", .kind = DS_U64, .off = offsetof(struct val_dataset, capture_bytes), .optional = true },
    FLDN(val_dataset, "preflight", DS_OBJ, preflight, 0, DS_KEYS_NONE, &preflight_t),
    { .key = "configs", .kind = DS_CUSTOM },
};
static const struct ds_table dataset_t = { dataset_f, sizeof dataset_f / sizeof dataset_f[0], "dataset" };

/* --- writing ------------------------------------------------------------ */

static json_object *config_json(const struct val_dataset_config *c)
{
    json_object *o = ds_write_table(&config_t, c);
    int n = c->nreps < 0 ? 0 : c->nreps > VAL_MAX_REPS ? VAL_MAX_REPS : c->nreps;
    json_object_object_add(o, "model", c->model_ok ? ds_write_table(&model_t, &c->model) : NULL);
    json_object *reps = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(reps, ds_write_table(&rep_t, &c->rep[i]));
    json_object_object_add(o, "reps", reps);
    return o;
}

int val_dataset_write(const struct val_dataset *d, FILE *out)
{
    json_object *o = ds_write_table(&dataset_t, d);
    json_object *configs = json_object_new_array();
    int n = d->nconfigs < 0 ? 0 : d->nconfigs > VAL_MAX_CONFIGS ? VAL_MAX_CONFIGS : d->nconfigs;
    for (int i = 0; i < n; i++)
        json_object_array_add(configs, config_json(&d->c[i]));
    json_object_object_add(o, "configs", configs);
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
    json_object_put(o);
    return rc;
}

/* --- reading ------------------------------------------------------------ */

static int read_config(struct ds_reader *r, json_object *o, struct val_dataset_config *c)
{
    if (ds_read_table(r, o, &config_t, c) < 0)
        return -1;
    json_object *model = NULL, *reps = NULL;
    if (ds_member(r, o, "model", &model) < 0 || ds_member(r, o, "reps", &reps) < 0)
        return -1;
    size_t mark = ds_push(r, "model");
    if (model) {
        if (ds_read_obj(r, model, &model_t, &c->model) < 0)
            return -1;
        c->model_ok = true;
    }
    ds_pop(r, mark);
    mark = ds_push(r, "reps");
    size_t n;
    if (ds_array(r, reps, VAL_MAX_REPS, "repetitions", "dataset.h's VAL_MAX_REPS", &n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t m = ds_push_index(r, i);
        if (ds_read_obj(r, json_object_array_get_idx(reps, i), &rep_t, &c->rep[i]) < 0)
            return -1;
        ds_pop(r, m);
    }
    c->nreps = (int)n;
    ds_pop(r, mark);
    return 0;
}

static int read_dataset(struct ds_reader *r, json_object *o, struct val_dataset *d)
{
    if (!json_object_is_type(o, json_type_object))
        return ds_fail(r, "the file holds %s; want a JSON object (a dataset rxsim validate wrote)",
                       ds_json_kind(o));
    json_object *v;
    if (ds_member(r, o, "version", &v) < 0)
        return -1;
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != VAL_DATASET_VERSION) {
        ds_push(r, "version");
        return ds_fail(r, "%s: this rxsim reads version %d datasets", json_object_to_json_string(v),
                       VAL_DATASET_VERSION);
    }
    if (ds_read_table(r, o, &dataset_t, d) < 0)
        return -1;
    json_object *configs;
    if (ds_member(r, o, "configs", &configs) < 0)
        return -1;
    size_t mark = ds_push(r, "configs");
    size_t n;
    if (ds_array(r, configs, VAL_MAX_CONFIGS, "configurations", "validate.h's VAL_MAX_CONFIGS", &n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t m = ds_push_index(r, i);
        json_object *c = json_object_array_get_idx(configs, i);
        if (!json_object_is_type(c, json_type_object))
            return ds_fail(r, "want an object (a configuration), got %s", ds_json_kind(c));
        if (read_config(r, c, &d->c[i]) < 0)
            return -1;
        ds_pop(r, m);
    }
    d->nconfigs = (int)n;
    ds_pop(r, mark);
    return 0;
}

int val_dataset_parse(const char *text, size_t len, const char *name, struct val_dataset *d,
                      char *err, size_t n)
{
    memset(d, 0, sizeof *d);
    struct ds_reader r = { .name = name, .err = err, .errlen = n };
    json_object *o = ds_parse_text(&r, text, len);
    if (!o)
        return -1;
    int rc = read_dataset(&r, o, d);
    json_object_put(o);
    return rc;
}

#define DATASET_MAX_FILE (64u << 20)

int val_dataset_read(const char *path, struct val_dataset *d, char *err, size_t n)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "%s: cannot open it: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    while (text) {
        len += fread(text + len, 1, cap - len, f);
        if (len < cap || cap >= DATASET_MAX_FILE)
            break;
        char *bigger = realloc(text, cap * 2 + 1);
        if (!bigger)
            free(text);
        text = bigger;
        cap *= 2;
    }
    bool bad = !text || ferror(f);
    int read_errno = errno;
    fclose(f);
    if (bad) {
        snprintf(err, n, "%s: cannot read it: %s", path, text ? strerror(read_errno) : "out of memory");
        free(text);
        return -1;
    }
    if (len >= DATASET_MAX_FILE) {
        snprintf(err, n, "%s: over %u MiB; a dataset is a small JSON file", path, DATASET_MAX_FILE >> 20);
        free(text);
        return -1;
    }
    text[len] = '\0';
    int rc = val_dataset_parse(text, len, path, d, err, n);
    free(text);
    return rc;
}

int val_dataset_save(const char *path, const struct val_dataset *d, char *err, size_t n)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, n, "%s: the path is too long", path);
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, n, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        return -1;
    }
    int rc = val_dataset_write(d, f);
    int werrno = errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -1, werrno = errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1, werrno = errno;
    if (rc < 0) {
        snprintf(err, n, "%s: cannot write it: %s", path, strerror(werrno));
        unlink(tmp);
    }
    return rc;
}

int val_dataset_capture_path(const char *dataset_path, const struct val_dataset_config *c, char *out,
                             size_t n)
{
    if (!c->capture[0])
        return -1;
    const char *slash = strrchr(dataset_path, '/');
    int dirlen = c->capture[0] == '/' || !slash ? 0 : (int)(slash - dataset_path + 1);
    int w = snprintf(out, n, "%.*s%s", dirlen, dataset_path, c->capture);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}
