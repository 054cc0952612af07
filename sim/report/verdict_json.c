/* sim/report/verdict_json.c: see verdict_json.h. */
#include "sim/report/verdict_json.h"

#include <stdio.h>

void verdict_json_dir(json_object *o, const struct rx_verdict *v)
{
    json_object *reasons = json_object_new_array();
    for (int r = 0; r < RX_VERDICT__COUNT; r++)
        if (rx_verdict_has(v, r))
            json_object_array_add(reasons, json_object_new_string(rx_verdict_key(r)));
    json_object_object_add(o, "reasons", reasons);
    for (int r = 0; r < RX_VERDICT__COUNT; r++) {        /* "stranded_bytes", ... */
        char key[64];
        snprintf(key, sizeof key, "%s_bytes", rx_verdict_key(r));
        if (rx_verdict_has(v, r) && r != RX_VERDICT_PAYLOAD_NOT_CAPTURED)
            json_object_object_add(o, key, json_object_new_uint64(v->bytes[r]));
    }
    if (rx_verdict_has(v, RX_VERDICT_PAYLOAD_NOT_CAPTURED)) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "segments", json_object_new_uint64(v->segments_not_captured));
        json_object_object_add(p, "bytes", json_object_new_uint64(v->bytes[RX_VERDICT_PAYLOAD_NOT_CAPTURED]));
        json_object_object_add(p, "snaplen", json_object_new_uint64(v->snaplen));
        json_object_object_add(o, "payload_not_captured", p);
    }
}

json_object *verdict_json_sum(const struct rx_verdict_sum *s)
{
    json_object *a = json_object_new_array();
    for (int r = 0; r < RX_VERDICT__COUNT; r++) {
        if (!(s->reasons & (1u << r)))
            continue;
        struct rx_verdict_sum one = { .reasons = 1u << r, .snaplen = s->snaplen };
        one.bytes[r] = s->bytes[r];
        one.directions[r] = s->directions[r];
        char text[256];
        rx_verdict_describe(&one, text, sizeof text);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reason", json_object_new_string(rx_verdict_key(r)));
        json_object_object_add(o, "text", json_object_new_string(text));
        json_object_object_add(o, "bytes", json_object_new_uint64(s->bytes[r]));
        json_object_object_add(o, "directions", json_object_new_uint64(s->directions[r]));
        if (r == RX_VERDICT_PAYLOAD_NOT_CAPTURED)
            json_object_object_add(o, "snaplen", json_object_new_uint64(s->snaplen));
        json_object_array_add(a, o);
    }
    return a;
}
