/* tests/common/json_get.h: reading fields of a json-c object in one call,
 * for the end-to-end suites that parse rxsim's --json reports and oracle
 * files.  A missing key reads as NULL / 0 / "" (json-c's own defaults), so a
 * test's assertion, not a crash, reports it. */
#ifndef RXSIM_TESTS_JSON_GET_H
#define RXSIM_TESTS_JSON_GET_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    json_object_object_get_ex(o, k, &v);
    return v;
}

static inline int64_t i64(json_object *o, const char *k) { return json_object_get_int64(get(o, k)); }
static inline double num(json_object *o, const char *k) { return json_object_get_double(get(o, k)); }
static inline const char *str(json_object *o, const char *k)
{
    const char *s = json_object_get_string(get(o, k));
    return s ? s : "";
}

/* The run report's profile row of function fn ("tcp_v4_rcv"), or NULL. */
static inline json_object *profile_row(json_object *report, const char *fn)
{
    json_object *prof = get(report, "profile");
    for (size_t i = 0; i < json_object_array_length(prof); i++) {
        json_object *r = json_object_array_get_idx(prof, i);
        const char *f = json_object_get_string(get(r, "function"));
        if (f && !strcmp(f, fn))
            return r;
    }
    return NULL;
}

/* `rxsim inspect --json`'s i-th direction, counting every connection's in
 * order; NULL past the last. */
static inline json_object *inspect_direction(json_object *inspect, size_t i)
{
    json_object *conns = get(inspect, "connections");
    for (size_t c = 0; c < json_object_array_length(conns); c++) {
        json_object *dirs = get(json_object_array_get_idx(conns, c), "directions");
        size_t n = json_object_array_length(dirs);
        if (i < n)
            return json_object_array_get_idx(dirs, i);
        i -= n;
    }
    return NULL;
}

/* `rxsim run --json`'s connection from -> to (endpoints as reports write
 * them), or NULL. */
static inline json_object *run_connection(json_object *run, const char *from, const char *to)
{
    json_object *conns = get(run, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        if (!strcmp(str(c, "from"), from) && !strcmp(str(c, "to"), to))
            return c;
    }
    return NULL;
}

/* The address of a report's endpoint: "10.0.0.2" of "10.0.0.2:5001",
 * "2001:db8::2" of "[2001:db8::2]:80" (to compare with config.host). */
static inline void endpoint_addr(const char *ep, char *buf, size_t size)
{
    if (ep[0] == '[') {
        const char *end = strchr(ep, ']');
        snprintf(buf, size, "%.*s", end ? (int)(end - ep - 1) : 0, ep + 1);
    } else {
        const char *colon = strrchr(ep, ':');
        snprintf(buf, size, "%.*s", colon ? (int)(colon - ep) : (int)strlen(ep), ep);
    }
}

#endif
