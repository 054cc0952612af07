/* sim/report/run_report_json.c: run_report_json(), `rxsim run --json`: the
 * configuration, the result (result.c, from the metric table), NICs, the
 * capture, CPUs, the profile and the connections. */
#include "sim/report/run_report.h"

#include <json-c/json.h>

#include "sim/options/run_options.h"
#include "sim/report/result.h"
#include "sim/report/run_report_parts.h"
#include "sim/report/verdict_json.h"
#include "sim/report/workload_report.h"

static json_object *u64(uint64_t v) { return json_object_new_uint64(v); }
static json_object *dbl(double v) { return json_object_new_double(v); }
static json_object *str(const char *s) { return json_object_new_string(s); }

/* How each trace's host was chosen. */
static json_object *json_hosts(const struct run_view *v)
{
    const struct run_config *c = v->cfg;
    json_object *hs = json_object_new_array();
    for (int i = 0; i < c->ntraces; i++) {
        const struct run_host_choice *hc = &v->hosts[c->nics ? 0 : i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "trace", str(c->traces[i]));
        json_object_object_add(o, "host", str(hc->addr));
        json_object_object_add(o, "chosen_by", str(hc->given ? "--host"
                                                   : hc->guess.how == NIC_TRACE_GUESS_PAYLOAD ? "most_tcp_payload"
                                                   : hc->guess.how == NIC_TRACE_GUESS_SYN    ? "first_syn"
                                                                                             : "none"));
        if (!hc->given) {
            json_object_object_add(o, "payload_bytes_to_host", u64(hc->guess.host_payload));
            json_object_object_add(o, "payload_bytes_in_trace", u64(hc->guess.total_payload));
        }
        json_object_array_add(hs, o);
    }
    return hs;
}

/* The options as run's option table echoes them (sim/options/), host being
 * what the session resolved; "deterministic" says what timing implies. */
static json_object *json_config(const struct run_view *v)
{
    const struct run_config *c = v->cfg;
    json_object *cfg = json_object_new_object();
    run_config_echo_json(c, v->host_addr, v->hosts ? json_hosts(v) : NULL, cfg);
    json_object_object_add(cfg, "deterministic", json_object_new_boolean(!c->timing_measured));
    return cfg;
}

static json_object *json_nics(const struct run_view *v)
{
    json_object *nics = json_object_new_array();
    for (int i = 0; i < v->nnics; i++) {
        const struct nic *n = &v->nics[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "nic", json_object_new_int(i));
        json_object_object_add(o, "trace", str(report_nic_source(v, i)));
        json_object_object_add(o, "host", str(v->hosts ? v->hosts[i].addr : v->host_addr));
        json_object_object_add(o, "frames_in", u64(n->st.frames_in));
        json_object_object_add(o, "interrupts", u64(n->st.interrupts));
        json_object_object_add(o, "polls", u64(n->st.polls));
        json_object_object_add(o, "frames_polled", u64(n->st.frames_polled));
        json_object_object_add(o, "dropped_ring_full", u64(n->st.dropped_ring_full));
        json_object_object_add(o, "dropped_too_long", u64(n->st.dropped_too_long));
        json_object_object_add(o, "time_squeeze", u64(n->st.time_squeeze));
        json_object_object_add(o, "napi_timer_polls", u64(n->st.napi_timer_polls));
        json_object_object_add(o, "xmit_passes", u64(n->st.xmit_passes));
        json_object_object_add(o, "irqs_deferred", u64(n->st.irqs_deferred));
        json_object_object_add(o, "refill_retries", u64(n->st.refill_retries));
        json_object_object_add(o, "veth_sender_lines", u64(n->st.sender_lines));
        json_object_array_add(nics, o);
    }
    return nics;
}

/* Every NIC's RX queues: what RSS gave each and the CPU its interrupt went to last. */
static json_object *json_queues(const struct run_view *v)
{
    json_object *qs = json_object_new_array();
    for (int i = 0; i < v->nnics; i++)
        for (uint32_t k = 0; k < v->nics[i].cfg.queues; k++) {
            const struct nic_queue *q = &v->nics[i].q[k];
            json_object *o = json_object_new_object();
            json_object_object_add(o, "nic", json_object_new_int(i));
            json_object_object_add(o, "queue", json_object_new_int((int)k));
            json_object_object_add(o, "frames", u64(q->frames));
            json_object_object_add(o, "polls", u64(q->polls));
            json_object_object_add(o, "squeezed", u64(q->squeezed));
            json_object_object_add(o, "last_interrupt_cpu", json_object_new_int(q->cpu));
            json_object_array_add(qs, o);
        }
    return qs;
}

static json_object *json_capture(const struct run_live_stats *live)
{
    json_object *l = json_object_new_object();
    json_object_object_add(l, "interface", str(live->iface));
    json_object_object_add(l, "captured", u64(live->captured));
    json_object_object_add(l, "skipped_not_to_host", u64(live->skipped));
    json_object_object_add(l, "queue_drops", u64(live->queue_drops));
    json_object_object_add(l, "kernel_drops", u64(live->kernel_drops));
    json_object_object_add(l, "wall_s", dbl(live->wall_s));
    json_object_object_add(l, "stopped_by", str(live->stopped_by));
    return l;
}

static json_object *json_cpus(const struct sim_machine *m, const struct run_metrics *mt)
{
    double elapsed_s = mt->elapsed_s;
    json_object *cpus = json_object_new_array();
    for (int i = 0; i < m->ncpus; i++) {
        const struct sim_cpu *cpu = &m->cpu[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "cpu", json_object_new_int(i));
        json_object_object_add(o, "busy_cycles", u64(cpu->busy_cycles));
        double cap = (double)cpu->mhz * 1e6 * elapsed_s;
        json_object_object_add(o, "idle_cycles", u64(cap > (double)cpu->busy_cycles
                                                        ? (uint64_t)(cap - (double)cpu->busy_cycles) : 0));
        json_object_object_add(o, "utilisation", dbl(cap > 0 ? (double)cpu->busy_cycles / cap : 0));
        if (mt->closed_loop)            /* the saturation window's (saturation.h); null without one */
            json_object_object_add(o, "utilisation_at_saturation", mt->sat_measured ? dbl(mt->sat_cpu_util[i]) : NULL);
        json_object *cats = json_object_new_object();
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            json_object_object_add(cats, sim_category_key(k), u64(cpu->cat_cycles[k]));
        json_object_object_add(o, "cycles_by_category", cats);
        json_object_array_add(cpus, o);
    }
    return cpus;
}

static json_object *json_profile(const struct sim_machine *m)
{
    json_object *prof = json_object_new_array();
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct report_fn_total ft = report_fn_total(m, f);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "function", str(sim_function_name(f)));
        json_object_object_add(o, "category", str(sim_category_key(sim_function_category(f))));
        json_object_object_add(o, "cycles", u64(ft.cycles));
        json_object_object_add(o, "calls", u64(ft.calls));
        json_object_object_add(o, "lines_out", u64(ft.lines_out));
        json_object_array_add(prof, o);
    }
    return prof;
}

/* One direction's entry; sha NULL when its payload was not captured. */
static json_object *json_direction(const char *from, const char *to, uint64_t bytes, const char *sha,
                                   const struct rx_sock *s, const struct rx_verdict *vd)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "from", str(from));
    json_object_object_add(o, "to", str(to));
    json_object_object_add(o, "bytes", u64(bytes));
    json_object_object_add(o, "sha256", rx_verdict_has(vd, RX_VERDICT_PAYLOAD_NOT_CAPTURED) ? NULL : str(sha));
    if (s)
        json_object_object_add(o, "trace", json_object_new_int(s->conn->netns));
    json_object_object_add(o, "reads", u64(s ? s->reads : 0));
    json_object_object_add(o, "wakeups", u64(s ? s->wakeups : 0));
    json_object_object_add(o, "migrations", u64(s ? s->migrations : 0));
    json_object *on = json_object_new_array();      /* the reader's cycles on CPU 0, 1, ... */
    for (int c = 0; s && c < s->host->m->ncpus; c++)
        json_object_array_add(on, u64(s->cycles_on[c]));
    json_object_object_add(o, "reader_cycles_by_cpu", on);
    verdict_json_dir(o, vd);
    return o;
}

/* A direction flagged and never read: nothing read, the empty stream's SHA-256. */
static void json_unread(void *ctx, const struct tcp_conn *cn, int d, const struct rx_verdict *vd)
{
    char from[80], to[80];
    report_endpoints(cn, d, from, to);
    json_object_array_add((json_object *)ctx, json_direction(from, to, 0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL, vd));
}

static void json_connections(const struct run_view *v, json_object *root)
{
    static const struct rx_sock *socks[REPORT_MAX_LISTED];
    uint64_t total;
    int n = report_sock_list(v->host, socks, REPORT_MAX_LISTED, &total);
    json_object *conns = json_object_new_array();
    for (int i = 0; i < n; i++) {
        const struct rx_sock *s = socks[i];
        char from[80], to[80], sha[65];
        report_endpoints(s->conn, s->dir, from, to);
        report_sock_sha(s, sha);
        struct rx_verdict vd;
        rx_verdict_of(&s->conn->dir[s->dir], true, &vd);
        json_object_array_add(conns, json_direction(from, to, s->bytes_read, sha, s, &vd));
    }
    report_unread_flagged(v->host, json_unread, conns);
    json_object_object_add(root, "connections", conns);
    json_object_object_add(root, "connections_total", u64(total));
    json_object_object_add(root, "connections_truncated", json_object_new_boolean(total > (uint64_t)n));
}

int run_report_json(const struct run_view *v, FILE *out)
{
    struct run_metrics mt;
    run_metrics(v, &mt);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "config", json_config(v));
    json_object_object_add(root, "result", report_result_json(&mt));
    if (v->nnics > 1)
        json_object_object_add(root, "nics", json_nics(v));
    json_object_object_add(root, "queues", json_queues(v));
    if (v->live)
        json_object_object_add(root, "capture", json_capture(v->live));
    json_object_object_add(root, "cpus", json_cpus(v->m, &mt));
    json_object_object_add(root, "profile", json_profile(v->m));
    json_connections(v, root);
    if (v->workload)
        json_object_object_add(root, "workload", workload_report_json(v->workload));
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = fprintf(out, "%s\n", text) < 0 ? -1 : 0;
    json_object_put(root);
    return rc;
}
