/* sim/session/costs_file.c: the --costs FILE reader and --list-costs
 * (costs_file.h).  Every message names the file and says, in the file's
 * own terms, what is wrong (line and column, the key, the value as written)
 * and what is wanted; never json-c's internals. */
#include "sim/session/costs_file.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/json_text.h"

static const char *json_kind(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "true/false";
    case json_type_double: return "a number with a fraction or exponent";
    case json_type_int: return "a number";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "something else";
}

void run_costs_origin_defaults(struct run_costs_origin *o)
{
    for (int i = 0; i < SIM_COST__COUNT; i++) {
        o->from_file[i] = false;
        o->kind[i] = sim_cost_default_kind((enum sim_cost)i);
        snprintf(o->source[i], sizeof o->source[i], "%s", sim_cost_source((enum sim_cost)i));
    }
}

/* The whole file, NUL-terminated, or NULL after a message. */
static char *read_text(const char *cmdname, const char *path, FILE *errs, size_t *lenp)
{
    FILE *f = fopen(path, "rb");
    char *text = f ? malloc(RUN_COSTS_MAX_FILE + 1) : NULL;
    size_t len = text ? fread(text, 1, RUN_COSTS_MAX_FILE + 1, f) : 0;
    int read_errno = errno;
    bool read_failed = !f || !text || ferror(f);
    if (f)
        fclose(f);
    if (read_failed) {
        fprintf(errs, "%s: --costs %s: cannot read it: %s\n", cmdname, path,
                f && !text ? "out of memory" : strerror(read_errno));
        free(text);
        return NULL;
    }
    if (len > RUN_COSTS_MAX_FILE) {
        fprintf(errs, "%s: --costs %s: over %u bytes; a costs file is a small JSON object "
                "such as {\"irq_entry\": 1200}\n", cmdname, path, RUN_COSTS_MAX_FILE);
        free(text);
        return NULL;
    }
    text[len] = '\0';
    if (strspn(text, " \t\r\n") == len) {
        fprintf(errs, "%s: --costs %s: the file is empty; want a JSON object such as "
                "{\"irq_entry\": 1200}\n", cmdname, path);
        free(text);
        return NULL;
    }
    *lenp = len;
    return text;
}

/* The file's one JSON object, or NULL after a message. */
static json_object *parse_object(const char *cmdname, const char *path, FILE *errs)
{
    size_t len = 0;
    char *text = read_text(cmdname, path, errs, &len);
    if (!text)
        return NULL;
    struct json_text_error e;
    json_object *o = json_text_parse(text, len, &e);
    free(text);
    if (!o) {
        if (e.fault == JSON_TEXT_NOMEM)
            fprintf(errs, "%s: --costs %s: out of memory\n", cmdname, path);
        else if (e.fault == JSON_TEXT_TRUNCATED)
            fprintf(errs, "%s: --costs %s: the file ends before the JSON value does (a missing "
                    "'}' or '\"'?)\n", cmdname, path);
        else if (e.fault == JSON_TEXT_INVALID)
            fprintf(errs, "%s: --costs %s: line %d, column %d: not valid JSON (%s)\n", cmdname,
                    path, e.line, e.column, e.desc);
        else
            fprintf(errs, "%s: --costs %s: line %d, column %d: more text after the JSON value; want "
                    "one object\n", cmdname, path, e.line, e.column);
        return NULL;
    }
    if (!json_object_is_type(o, json_type_object)) {
        fprintf(errs, "%s: --costs %s: the file holds %s; want a JSON object of cost names and "
                "cycles, such as {\"irq_entry\": 1200}\n", cmdname, path, json_kind(o));
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* val as a whole number of cycles into *v; what names it in messages
 * ("\"irq_entry\"" or "\"irq_entry\".cycles"). */
static int read_cycles(const char *cmdname, const char *path, const char *what, json_object *val,
                       FILE *errs, uint64_t *out)
{
    int64_t v = 0;
    errno = 0;
    bool whole = json_object_is_type(val, json_type_int);
    if (whole)
        v = json_object_get_int64(val);     /* sets errno when the number overflows int64 */
    if (!whole || errno || v < 0 || v > RUN_COSTS_MAX_CYCLES) {
        fprintf(errs, "%s: --costs %s: %s: %s: want a whole number of cycles from 0 to %d\n",
                cmdname, path, what, !whole ? json_kind(val) : errno || v > RUN_COSTS_MAX_CYCLES ?
                "too large" : json_object_to_json_string(val), RUN_COSTS_MAX_CYCLES);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* {"cycles": N, "kind": K, "source": S} for cost i: every fault reported. */
static int read_entry_object(const char *cmdname, const char *path, const char *key, json_object *val,
                             FILE *errs, uint64_t *cycles, enum sim_cost_kind *kind, char *source)
{
    char what[160];
    int rc = 0;
    json_object *c;
    if (!json_object_object_get_ex(val, "cycles", &c)) {
        fprintf(errs, "%s: --costs %s: \"%s\": no \"cycles\"; want {\"cycles\": N} with optional "
                "\"kind\" and \"source\"\n", cmdname, path, key);
        rc = -1;
    } else {
        snprintf(what, sizeof what, "\"%s\".cycles", key);
        rc |= read_cycles(cmdname, path, what, c, errs, cycles);
    }
    json_object_object_foreach(val, member, mval) {
        if (!strcmp(member, "cycles"))
            continue;
        if (!strcmp(member, "kind")) {
            int k = json_object_is_type(mval, json_type_string) ? sim_cost_kind_find(json_object_get_string(mval)) : -1;
            if (k < 0) {
                fprintf(errs, "%s: --costs %s: \"%s\".kind: %s: want one of", cmdname, path, key,
                        json_object_is_type(mval, json_type_string) ? json_object_to_json_string(mval) : json_kind(mval));
                for (int i = 0; i < SIM_COST_KIND__COUNT; i++)
                    fprintf(errs, "%s %s", i ? "," : "", sim_cost_kind_key((enum sim_cost_kind)i));
                fputc('\n', errs);
                rc = -1;
            } else {
                *kind = (enum sim_cost_kind)k;
            }
        } else if (!strcmp(member, "source")) {
            size_t n = json_object_is_type(mval, json_type_string) ? (size_t)json_object_get_string_len(mval) : 0;
            if (!json_object_is_type(mval, json_type_string) || n >= SIM_COST_SOURCE_MAX ||
                strlen(json_object_get_string(mval)) != n) {
                fprintf(errs, "%s: --costs %s: \"%s\".source: %s: want a string of at most %d bytes\n",
                        cmdname, path, key, !json_object_is_type(mval, json_type_string) ? json_kind(mval) :
                        n >= SIM_COST_SOURCE_MAX ? "too long" : "a NUL byte inside", SIM_COST_SOURCE_MAX - 1);
                rc = -1;
            } else {
                memcpy(source, json_object_get_string(mval), n + 1);
            }
        } else {
            fprintf(errs, "%s: --costs %s: \"%s\": \"%s\" is not a member; want \"cycles\", and "
                    "optionally \"kind\" and \"source\"\n", cmdname, path, key, member);
            rc = -1;
        }
    }
    return rc;
}

int run_costs_load(const char *cmdname, const char *path, struct sim_cost_table *t,
                   struct run_costs_origin *origin, FILE *errs)
{
    json_object *o = parse_object(cmdname, path, errs);
    if (!o)
        return -1;
    int rc = 0;
    json_object_object_foreach(o, key, val) {
        int i = sim_cost_find(key);
        if (i < 0) {
            fprintf(errs, "%s: --costs %s: \"%s\" is not a cost; the costs are", cmdname, path, key);
            for (int k = 0; k < SIM_COST__COUNT; k++)
                fprintf(errs, "%s %s", k ? "," : "", sim_cost_key((enum sim_cost)k));
            fprintf(errs, " (docs/model.md)\n");
            rc = -1;
            continue;
        }
        uint64_t cycles = 0;
        enum sim_cost_kind kind = SIM_COST_KIND_GIVEN;
        char source[SIM_COST_SOURCE_MAX] = "";
        char what[160];
        snprintf(what, sizeof what, "\"%s\"", key);
        if (json_object_is_type(val, json_type_object) ?
            read_entry_object(cmdname, path, key, val, errs, &cycles, &kind, source) < 0 :
            read_cycles(cmdname, path, what, val, errs, &cycles) < 0) {
            rc = -1;
            continue;
        }
        t->cycles[i] = cycles;
        if (origin) {
            origin->from_file[i] = true;
            origin->kind[i] = kind;
            memcpy(origin->source[i], source, sizeof source);
        }
    }
    json_object_put(o);
    return rc;
}

void run_costs_list(FILE *out, const struct sim_cost_table *t, const struct run_costs_origin *o,
                    const char *costs_path)
{
    fprintf(out, "%-14s %9s  %-10s  %s\n", "cost", "cycles", "kind", "source");
    for (int i = 0; i < SIM_COST__COUNT; i++) {
        char src[SIM_COST_SOURCE_MAX + 300];
        if (o->from_file[i])
            snprintf(src, sizeof src, "--costs %s%s%s", costs_path ? costs_path : "FILE",
                     o->source[i][0] ? ": " : "", o->source[i]);
        else
            snprintf(src, sizeof src, "%s", o->source[i]);
        fprintf(out, "%-14s %9llu  %-10s  %s\n", sim_cost_key((enum sim_cost)i),
                (unsigned long long)t->cycles[i], sim_cost_kind_key(o->kind[i]), src);
    }
}
