/* sim/validate/dataset_json.c: the table-driven JSON reader and writer of
 * dataset_json.h.  The reader trusts nothing in the file: every value's
 * type and range is checked before it is stored, strings must fit their
 * buffer, arrays their limit, and a key no table knows is refused. */
#include "sim/validate/dataset_json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/json_text.h"
#include "sim/validate/validate.h"

static const char *const side_keys[] = {
#define SK(e, key, what) key,
    VAL_SIDES(SK)
#undef SK
};

static const char *key_name(enum ds_keys k, size_t i)
{
    switch (k) {
    case DS_KEYS_SIDE: return side_keys[i];
    case DS_KEYS_CAT: return sim_category_key((enum sim_category)i);
    case DS_KEYS_COST: return sim_cost_key((enum sim_cost)i);
    case DS_KEYS_NONE: break;
    }
    return "?";
}

static const char *key_set_name(enum ds_keys k)
{
    return k == DS_KEYS_SIDE ? "side" : k == DS_KEYS_CAT ? "category" : "cost event";
}

#define AT(base, f, type) ((type *)((char *)(base) + (f)->off))
#define CAT(base, f, type) ((const type *)((const char *)(base) + (f)->off))

/* --- writing ------------------------------------------------------------ */

/* The shortest text that reads back as d; null when d is not finite. */
static json_object *double_json(double d)
{
    if (!isfinite(d))
        return NULL;
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", d);
    if (strtod(buf, NULL) != d)
        snprintf(buf, sizeof buf, "%.17g", d);
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");          /* stays a double when read back */
    return json_object_new_double_s(d, buf);
}

static json_object *field_json(const struct ds_field *f, const void *base)
{
    json_object *o;
    switch (f->kind) {
    case DS_U64: return json_object_new_uint64(*CAT(base, f, uint64_t));
    case DS_UINT: return json_object_new_uint64(*CAT(base, f, unsigned));
    case DS_INT: return json_object_new_int(*CAT(base, f, int));
    case DS_DBL: return double_json(*CAT(base, f, double));
    case DS_BOOL: return json_object_new_boolean(*CAT(base, f, bool));
    case DS_STR: return json_object_new_string(CAT(base, f, char));
    case DS_PLACEMENT:
        return json_object_new_string(*CAT(base, f, enum val_placement) == VAL_SAME_CPU ? "same" : "other");
    case DS_MAPU: case DS_MAPD:
        o = json_object_new_object();
        for (size_t i = 0; i < f->n; i++)
            json_object_object_add(o, key_name(f->keys, i), f->kind == DS_MAPU ?
                                   json_object_new_uint64(CAT(base, f, uint64_t)[i]) :
                                   double_json(CAT(base, f, double)[i]));
        return o;
    case DS_ARRU:
        o = json_object_new_array();
        for (size_t i = 0; i < f->n; i++)
            json_object_array_add(o, json_object_new_uint64(CAT(base, f, uint64_t)[i]));
        return o;
    case DS_OBJ: return ds_write_table(f->sub, CAT(base, f, char));
    case DS_CUSTOM: break;
    }
    return NULL;
}

json_object *ds_write_table(const struct ds_table *t, const void *base)
{
    json_object *o = json_object_new_object();
    for (size_t i = 0; i < t->n; i++)
        if (t->f[i].kind != DS_CUSTOM)
            json_object_object_add(o, t->f[i].key, field_json(&t->f[i], base));
    return o;
}

/* --- the reader's path and messages ------------------------------------- */

size_t ds_push(struct ds_reader *r, const char *key)
{
    size_t mark = r->pathlen;
    int w = snprintf(r->path + r->pathlen, sizeof r->path - r->pathlen, "%s%s", r->pathlen ? "." : "", key);
    if (w > 0)
        r->pathlen = r->pathlen + (size_t)w < sizeof r->path ? r->pathlen + (size_t)w : sizeof r->path - 1;
    return mark;
}

size_t ds_push_index(struct ds_reader *r, size_t i)
{
    size_t mark = r->pathlen;
    int w = snprintf(r->path + r->pathlen, sizeof r->path - r->pathlen, "[%zu]", i);
    if (w > 0)
        r->pathlen = r->pathlen + (size_t)w < sizeof r->path ? r->pathlen + (size_t)w : sizeof r->path - 1;
    return mark;
}

void ds_pop(struct ds_reader *r, size_t mark)
{
    r->pathlen = mark;
    r->path[mark] = '\0';
}

int ds_fail(struct ds_reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->pathlen)
        snprintf(r->err, r->errlen, "%s: %s: %s", r->name, r->path, msg);
    else
        snprintf(r->err, r->errlen, "%s: %s", r->name, msg);
    return -1;
}

const char *ds_json_kind(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "true/false";
    case json_type_double: return "a number with a fraction or exponent";
    case json_type_int: return "a whole number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "something else";
}

/* --- parsing ------------------------------------------------------------ */

json_object *ds_parse_text(struct ds_reader *r, const char *text, size_t len)
{
    if (len > INT32_MAX) {
        ds_fail(r, "over 2 GiB; a dataset is a small JSON file");
        return NULL;
    }
    struct json_text_error e;
    json_object *o = json_text_parse(text, len, &e);
    if (!o) {
        switch (e.fault) {
        case JSON_TEXT_EMPTY: ds_fail(r, "the file is empty; want the JSON object rxsim validate writes"); break;
        case JSON_TEXT_NOMEM: ds_fail(r, "out of memory"); break;
        case JSON_TEXT_TRUNCATED: ds_fail(r, "the file ends before the JSON value does (truncated?)"); break;
        case JSON_TEXT_INVALID:
            ds_fail(r, "line %d, column %d: not valid JSON (%s)", e.line, e.column, e.desc);
            break;
        default:
            ds_fail(r, "line %d, column %d: more text after the JSON value; want one object", e.line, e.column);
        }
    }
    return o;
}

/* --- reading values ----------------------------------------------------- */

/* json-c clamps a number past 2^64 - 1 to 2^64 - 1 without a word, so that
 * value itself is refused: no count comes near it. */
#define U64_LIMIT (UINT64_MAX - 1)

static int want_u64(struct ds_reader *r, json_object *v, uint64_t max, uint64_t *out)
{
    if (!json_object_is_type(v, json_type_int))
        return ds_fail(r, "want a whole number >= 0, got %s", ds_json_kind(v));
    errno = 0;
    if (json_object_get_int64(v) < 0)
        return ds_fail(r, "want a whole number >= 0, got %s", json_object_to_json_string(v));
    uint64_t u = json_object_get_uint64(v);
    if (errno || u > max)
        return ds_fail(r, "too large (at most %llu)", (unsigned long long)max);
    *out = u;
    return 0;
}

static int want_double(struct ds_reader *r, json_object *v, double *out)
{
    if (!v) {                       /* written for a value that was not finite */
        *out = NAN;
        return 0;
    }
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return ds_fail(r, "want a number, got %s", ds_json_kind(v));
    *out = json_object_get_double(v);
    return 0;
}

static int read_map(struct ds_reader *r, json_object *v, const struct ds_field *f, void *base)
{
    if (!json_object_is_type(v, json_type_object))
        return ds_fail(r, "want an object keyed by %s names, got %s", key_set_name(f->keys), ds_json_kind(v));
    json_object_object_foreach(v, key, val) {
        size_t i = 0;
        while (i < f->n && strcmp(key_name(f->keys, i), key))
            i++;
        size_t mark = ds_push(r, key);
        if (i == f->n) {
            char names[512];
            size_t w = 0;
            for (size_t k = 0; k < f->n && w < sizeof names; k++)
                w += (size_t)snprintf(names + w, sizeof names - w, "%s%s", k ? ", " : "", key_name(f->keys, k));
            return ds_fail(r, "\"%s\" is not a %s; this rxsim knows %s", key, key_set_name(f->keys), names);
        }
        int rc = f->kind == DS_MAPU ? want_u64(r, val, U64_LIMIT, &AT(base, f, uint64_t)[i])
                                    : want_double(r, val, &AT(base, f, double)[i]);
        if (rc < 0)
            return -1;
        ds_pop(r, mark);
    }
    return 0;
}

static int read_field(struct ds_reader *r, json_object *v, const struct ds_field *f, void *base)
{
    uint64_t u;
    switch (f->kind) {
    case DS_U64: return want_u64(r, v, U64_LIMIT, AT(base, f, uint64_t));
    case DS_UINT:
        if (want_u64(r, v, UINT32_MAX, &u) < 0)
            return -1;
        *AT(base, f, unsigned) = (unsigned)u;
        return 0;
    case DS_INT:
        if (!json_object_is_type(v, json_type_int))
            return ds_fail(r, "want a whole number, got %s", ds_json_kind(v));
        errno = 0;
        int64_t i = json_object_get_int64(v);
        if (errno || i < INT32_MIN || i > INT32_MAX)
            return ds_fail(r, "%s is out of range", json_object_to_json_string(v));
        *AT(base, f, int) = (int)i;
        return 0;
    case DS_DBL: return want_double(r, v, AT(base, f, double));
    case DS_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return ds_fail(r, "want true or false, got %s", ds_json_kind(v));
        *AT(base, f, bool) = json_object_get_boolean(v);
        return 0;
    case DS_STR:
        if (!json_object_is_type(v, json_type_string))
            return ds_fail(r, "want a string, got %s", ds_json_kind(v));
        if ((size_t)json_object_get_string_len(v) >= f->n)
            return ds_fail(r, "%d bytes; at most %zu fit", json_object_get_string_len(v), f->n - 1);
        if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
            return ds_fail(r, "the string holds a NUL byte");
        memcpy(AT(base, f, char), json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
        return 0;
    case DS_PLACEMENT: {
        const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(s, "same") && strcmp(s, "other"))
            return ds_fail(r, "want \"same\" or \"other\", got %s", json_object_is_type(v, json_type_string) ?
                           json_object_to_json_string(v) : ds_json_kind(v));
        *AT(base, f, enum val_placement) = strcmp(s, "same") ? VAL_OTHER_CPU : VAL_SAME_CPU;
        return 0;
    }
    case DS_MAPU: case DS_MAPD: return read_map(r, v, f, base);
    case DS_ARRU:
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != f->n)
            return ds_fail(r, "want an array of %zu whole numbers, got %s", f->n,
                           json_object_is_type(v, json_type_array) ? "another length" : ds_json_kind(v));
        for (size_t k = 0; k < f->n; k++) {
            size_t mark = ds_push_index(r, k);
            if (want_u64(r, json_object_array_get_idx(v, k), U64_LIMIT, &AT(base, f, uint64_t)[k]) < 0)
                return -1;
            ds_pop(r, mark);
        }
        return 0;
    case DS_OBJ: return ds_read_obj(r, v, f->sub, AT(base, f, char));
    case DS_CUSTOM: return 0;
    }
    return -1;
}

int ds_member(struct ds_reader *r, json_object *o, const char *key, json_object **v)
{
    if (!json_object_object_get_ex(o, key, v)) {
        size_t mark = ds_push(r, key);
        ds_fail(r, "missing");
        ds_pop(r, mark);
        return -1;
    }
    return 0;
}

int ds_array(struct ds_reader *r, json_object *v, size_t max, const char *what, const char *limit, size_t *n)
{
    if (!json_object_is_type(v, json_type_array))
        return ds_fail(r, "want an array of %s, got %s", what, ds_json_kind(v));
    *n = json_object_array_length(v);
    if (*n > max)
        return ds_fail(r, "%zu %s; at most %zu (%s)", *n, what, max, limit);
    return 0;
}

int ds_read_table(struct ds_reader *r, json_object *o, const struct ds_table *t, void *base)
{
    json_object_object_foreach(o, key, val) {
        (void)val;
        size_t i = 0;
        while (i < t->n && strcmp(t->f[i].key, key))
            i++;
        if (i == t->n) {
            size_t mark = ds_push(r, key);
            ds_fail(r, "not a field of a %s", t->what);
            ds_pop(r, mark);
            return -1;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct ds_field *f = &t->f[i];
        json_object *v;
        if (f->kind == DS_CUSTOM || (f->optional && !json_object_object_get_ex(o, f->key, NULL)))
            continue;
        if (ds_member(r, o, f->key, &v) < 0)
            return -1;
        size_t mark = ds_push(r, f->key);
        if (!v && f->kind != DS_DBL)
            return ds_fail(r, "null; want a value");
        if (read_field(r, v, f, base) < 0)
            return -1;
        ds_pop(r, mark);
    }
    return 0;
}

int ds_read_obj(struct ds_reader *r, json_object *o, const struct ds_table *t, void *base)
{
    if (!json_object_is_type(o, json_type_object))
        return ds_fail(r, "want an object (%s), got %s", t->what, ds_json_kind(o));
    return ds_read_table(r, o, t, base);
}
