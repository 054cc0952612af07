/* sim/validate/dataset_json.h: the table-driven JSON reader and writer
 * under dataset.c.  A struct is described by a table of fields (key, kind,
 * offset); one table serves both directions.  The reader keeps the JSON
 * path it is at ("configs[2].reps[0].counters.bytes") so every message
 * names the file, the place and the reason.  Internal to sim/validate/. */
#ifndef RXSIM_VALIDATE_DATASET_JSON_H
#define RXSIM_VALIDATE_DATASET_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

enum ds_kind {
    DS_U64,         /* uint64_t: a whole number >= 0 */
    DS_UINT,        /* unsigned */
    DS_INT,         /* int */
    DS_DBL,         /* double; null <-> not finite (NAN) */
    DS_BOOL,        /* bool */
    DS_STR,         /* char[n] */
    DS_PLACEMENT,   /* enum val_placement: "same" | "other" */
    DS_MAPU,        /* uint64_t[n] keyed by .keys' names; absent keys 0 */
    DS_MAPD,        /* double[n] keyed by .keys' names; absent keys 0 */
    DS_ARRU,        /* uint64_t[n] as an array of exactly n */
    DS_OBJ,         /* a nested struct described by .sub */
    DS_CUSTOM,      /* read and written by the caller; the table only names the key */
};

enum ds_keys { DS_KEYS_NONE, DS_KEYS_SIDE, DS_KEYS_CAT, DS_KEYS_COST };

struct ds_table;

struct ds_field {
    const char *key;
    enum ds_kind kind;
    size_t off;
    size_t n;                       /* DS_STR: bytes with the NUL; MAP/ARR: entries */
    enum ds_keys keys;
    const struct ds_table *sub;
    bool optional;                  /* may be absent (0): added after files exist */
};

struct ds_table {
    const struct ds_field *f;
    size_t n;
    const char *what;               /* "counters": for messages */
};

struct ds_reader {
    const char *name;               /* the file, for messages */
    char *err;
    size_t errlen;
    char path[256];
    size_t pathlen;
};

/* A new JSON object holding base's fields in table order (DS_CUSTOM ones
 * left for the caller to add). */
json_object *ds_write_table(const struct ds_table *t, const void *base);

/* text -> JSON; NULL with the message in r (empty file, truncated, not
 * JSON at line:column, text after the value). */
json_object *ds_parse_text(struct ds_reader *r, const char *text, size_t len);

/* o must be an object whose every key is in t; every non-custom field is
 * required and read into base.  0 or -1 (message in r). */
int ds_read_obj(struct ds_reader *r, json_object *o, const struct ds_table *t, void *base);
/* The same without the object check, for a caller that already did it. */
int ds_read_table(struct ds_reader *r, json_object *o, const struct ds_table *t, void *base);

/* o's member key into *v (NULL for a JSON null); -1 when it is missing. */
int ds_member(struct ds_reader *r, json_object *o, const char *key, json_object **v);
/* v must be an array of at most max entries; its length into *n. */
int ds_array(struct ds_reader *r, json_object *v, size_t max, const char *what, const char *limit,
             size_t *n);

/* The path grows by ".key" or "[i]"; each returns a mark for ds_pop. */
size_t ds_push(struct ds_reader *r, const char *key);
size_t ds_push_index(struct ds_reader *r, size_t i);
void ds_pop(struct ds_reader *r, size_t mark);
/* "NAME: PATH: message" into r->err; returns -1. */
int ds_fail(struct ds_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "a string", "an object", ... */
const char *ds_json_kind(json_object *o);

#endif
