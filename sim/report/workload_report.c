/* sim/report/workload_report.c: the closed-loop workload taken from a trace,
 * in the JSON and text reports (workload_report.h).  Flows not replayed are
 * each named with their reason: a closed-loop run never drops one quietly. */
#include "sim/report/workload_report.h"

#include <arpa/inet.h>

#include "sim/time.h"

/* "10.0.0.1:80" or "[2001:db8::1]:80", as the connections list writes them. */
static void endpoint(uint8_t v, const uint8_t *addr, uint16_t port, char *buf, size_t size)
{
    char a[INET6_ADDRSTRLEN];
    inet_ntop(v == 6 ? AF_INET6 : AF_INET, addr, a, sizeof a);
    snprintf(buf, size, v == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

json_object *workload_report_json(const struct sender_workload_info *w)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", json_object_new_string(w->source));
    json_object_object_add(o, "host", json_object_new_string(w->host));
    json_object *flows = json_object_new_array();
    for (uint32_t i = 0; i < w->flows; i++) {
        const struct sender_flow_spec *sp = &w->spec[i];
        json_object *f = json_object_new_object();
        char from[64], to[64];
        endpoint(sp->v, sp->caddr, sp->sport, from, sizeof from);
        endpoint(sp->v, sp->saddr, sp->dport, to, sizeof to);
        json_object_object_add(f, "from", json_object_new_string(from));
        json_object_object_add(f, "to", json_object_new_string(to));
        json_object_object_add(f, "bytes", json_object_new_uint64(sp->bytes));
        json_object_object_add(f, "start_s", json_object_new_double((double)sp->start / (double)SIM_PS_PER_SEC));
        json_object_object_add(f, "syn_captured", json_object_new_boolean(sp->syn_seen));
        json_object_object_add(f, "mss", sp->mss ? json_object_new_int(sp->mss) : NULL);
        json_object_object_add(f, "wscale", sp->has_wscale ? json_object_new_int(sp->wscale) : NULL);
        json_object_object_add(f, "timestamps", json_object_new_boolean(sp->has_ts));
        json_object_array_add(flows, f);
    }
    json_object_object_add(o, "flows", flows);
    json_object *skipped = json_object_new_array();
    for (uint32_t i = 0; i < w->nskipped; i++) {
        const struct sender_skipped *k = &w->skipped[i];
        json_object *f = json_object_new_object();
        json_object_object_add(f, "from", json_object_new_string(k->from));
        json_object_object_add(f, "to", json_object_new_string(k->to));
        json_object_object_add(f, "bytes_captured", json_object_new_uint64(k->bytes));
        json_object_object_add(f, "reason", json_object_new_string(k->reason));
        json_object_object_add(f, "unanswered", json_object_new_boolean(k->unanswered));
        json_object_array_add(skipped, f);
    }
    json_object_object_add(o, "not_replayed", skipped);
    json_object_object_add(o, "flows_unanswered", json_object_new_uint64(w->unanswered));
    json_object_object_add(o, "bytes_unanswered", json_object_new_uint64(w->bytes_unanswered));
    return o;
}

void workload_report_text(const struct sender_workload_info *w, FILE *out)
{
    uint32_t defaults = 0;
    for (uint32_t i = 0; i < w->flows; i++)
        defaults += !w->spec[i].syn_seen;
    fprintf(out, "\nworkload  %s's streams toward %s: %u replayed", w->source, w->host, w->flows);
    if (defaults)
        fprintf(out, " (%u without a captured SYN: MSS from --mtu, window scale 7, timestamps)", defaults);
    fprintf(out, ", %u not replayed\n", w->nskipped);
    for (uint32_t i = 0; i < w->nskipped; i++)
        fprintf(out, "  %s > %s  not replayed (%llu bytes captured): %s\n", w->skipped[i].from, w->skipped[i].to,
                (unsigned long long)w->skipped[i].bytes, w->skipped[i].reason);
}
