/* tests/unit/check_dataset.c: the validate dataset as JSON
 * (sim/validate/dataset.h).  A dataset with every field set to a distinct
 * value is written, read and written again: the same bytes, the same
 * struct.  Then each kind of fault, made by editing that JSON, must be
 * refused with the file, the JSON path and the reason: a truncated file, a
 * wrong type, an unknown cost event, counts over the limits, a missing or
 * unknown field, a negative count, a string too long, a wrong version. */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testenv.h"
#include "sim/validate/dataset.h"

static struct val_dataset *d, *d2;

/* Every field distinct: a field the writer or the reader skipped or swapped
 * would show in the struct comparison. */
static void build(struct val_dataset *ds, int nconfigs, int nreps)
{
    memset(ds, 0, sizeof *ds);
    ds->version = VAL_DATASET_VERSION;
    snprintf(ds->kernel, sizeof ds->kernel, "6.18.0-rc1 #1 SMP");
    snprintf(ds->cpu, sizeof ds->cpu, "Intel(R) Xeon(R) \"Test\" CPU @ 2.45GHz \\ é");
    snprintf(ds->date, sizeof ds->date, "2026-12-03T06:00:00Z");
    snprintf(ds->command, sizeof ds->command, "rxsim validate --reps 3 --json out/ds.json");
    ds->tsc_ghz = 2.445404;
    ds->msg_size = 65536;
    ds->bytes = 512ull << 20;
    ds->capture_bytes = 4ull << 20;
    struct val_preflight *p = &ds->preflight;
    *p = (struct val_preflight){ .pmu = false, .hypervisor = true, .nested = true, .wakeup_us_median = 61.5,
                                 .wakeup_us_p90 = 160.25, .speed_cv = 0.0123, .other_share = 0.1,
                                 .steal_share = 1e-7, .quiet = true };
    snprintf(p->verdict, sizeof p->verdict, "no PMU: no cache misses\nIPIs slow (61.5 us)\n");
    ds->nconfigs = nconfigs;
    for (int i = 0; i < nconfigs; i++) {
        struct val_dataset_config *c = &ds->c[i];
        c->cfg = (struct val_config){ .placement = i % 2 ? VAL_OTHER_CPU : VAL_SAME_CPU, .csum = i % 3 == 0,
                                      .gro = i % 2 == 0, .mtu = i == 1 ? 9000 : 1500, .held_out = i == 2 };
        val_config_name(&c->cfg);
        snprintf(c->capture, sizeof c->capture, "captures/%s.pcap", c->cfg.name);
        c->model_ok = i != 1;                    /* config 1: "model": null */
        if (c->model_ok) {
            for (int k = 0; k < SIM_CAT__COUNT; k++)
                c->model.cycles_per_byte[k] = 0.25 * (k + 1) + i;
            c->model.core_cycles_per_byte = 2.58;
            c->model.core_cycles_per_segment = 3735.84;
            c->model.acks_per_segment = 0.5;
            c->model.segments_per_skb = 9.0;
            c->model.skbs_per_recv = 1.0 / 3.0;
            c->model.rcvq_median = i == 2 ? NAN : -1;   /* not known: written as null */
            c->model.exit_status = 5;
        }
        c->nreps = nreps;
        for (int k = 0; k < nreps; k++) {
            struct val_rep *r = &c->rep[k];
            uint64_t b = 1000u * (uint64_t)(i + 1) + 100u * (uint64_t)k;
            r->sample_period_ns = 100000 + b;
            r->tsc_ghz = 2.445404;
            r->c = (struct val_counters){ .seconds = 1.25 + k, .bytes = (1ull << 33) + b, .segs_in = b + 1,
                .segs_out = b + 2, .delayed_acks = b + 3, .skbs = b + 4, .net_rx_softirqs = b + 5,
                .recv_calls = b + 6, .nvcsw = b + 7, .nivcsw = b + 8, .reader_cpu_seconds = 0.75,
                .rcvq_median = b + 9, .rcvq_max = UINT64_MAX - b, .steal_share = 0.001 };
            struct val_attrib *a = &r->a;
            a->samples = b + 10;
            for (int s = 0; s < VAL_SIDE__COUNT; s++)
                a->side[s] = b + 20 + (uint64_t)s;
            for (int s = 0; s < SIM_CAT__COUNT; s++)
                a->rx_category[s] = b + 40 + (uint64_t)s, a->shared_category[s] = b + 60 + (uint64_t)s;
            for (int s = 0; s < SIM_COST__COUNT; s++)
                a->event[s] = b + 100 + (uint64_t)s, a->shared_event[s] = b + 200 + (uint64_t)s;
            a->rx_unmapped = b + 11;
            a->protocol_on_cpu[0] = b + 12, a->protocol_on_cpu[1] = b + 13;
            a->shared = b + 14;
            a->shared_on_cpu[0] = b + 15, a->shared_on_cpu[1] = b + 16;
        }
    }
}

static char *write_text(const struct val_dataset *ds)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(val_dataset_write(ds, f), 0);
    fclose(f);
    return text;
}

static void setup(void)
{
    d = calloc(1, sizeof *d);
    d2 = calloc(1, sizeof *d2);
    ck_assert(d && d2);
}

static void teardown(void)
{
    free(d);
    free(d2);
}

START_TEST(round_trip_identical)
{
    build(d, 3, 4);
    char *t1 = write_text(d);
    char err[512];
    ck_assert_msg(val_dataset_parse(t1, strlen(t1), "hand.json", d2, err, sizeof err) == 0, "%s", err);
    char *t2 = write_text(d2);
    if (strcmp(t1, t2)) {
        size_t i = 0;
        while (t1[i] == t2[i])
            i++;
        ck_abort_msg("write -> read -> write differs at byte %zu: \"%.60s\" vs \"%.60s\"", i, t1 + i, t2 + i);
    }
    ck_assert(isnan(d2->c[2].model.rcvq_median));
    d->c[2].model.rcvq_median = d2->c[2].model.rcvq_median = 0;    /* NAN != NAN in memcmp's eyes too */
    ck_assert_msg(memcmp(d, d2, sizeof *d) == 0, "the struct read back differs from the one written");
    ck_assert(!d2->c[1].model_ok && d2->c[0].model_ok);
    ck_assert_uint_eq(d2->c[1].rep[3].c.rcvq_max, UINT64_MAX - 2300);
    /* readable by name */
    ck_assert_msg(strstr(t1, "\"tcp_rcv\"") && strstr(t1, "\"protocol\"") && strstr(t1, "\"ipi\"") &&
                  strstr(t1, "\"placement\": \"other\"") && strstr(t1, "\"model\": null"), "%.300s", t1);
    free(t1);
    free(t2);
}
END_TEST

/* The small dataset's JSON edited by edit, parsed: the message must hold want. */
static void refused(void (*edit)(json_object *o), const char *want)
{
    build(d, 1, 1);
    char *t = write_text(d);
    json_object *o = json_tokener_parse(t);
    free(t);
    ck_assert(o != NULL);
    edit(o);
    const char *text = json_object_to_json_string(o);
    char err[1024];
    ck_assert_msg(val_dataset_parse(text, strlen(text), "hand.json", d2, err, sizeof err) == -1, "accepted: %s", want);
    ck_assert_msg(strstr(err, want), "want \"%s\" in: %s", want, err);
    json_object_put(o);
}

static json_object *at(json_object *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        o = json_object_is_type(o, json_type_array) ? json_object_array_get_idx(o, (size_t)atoi(tok))
                                                    : json_object_object_get(o, tok);
    return o;
}

static json_object *counters(json_object *o) { return at(o, "configs.0.reps.0.counters"); }
static void e_type(json_object *o) { json_object_object_add(counters(o), "bytes", json_object_new_string("x")); }
static void e_negative(json_object *o) { json_object_object_add(counters(o), "segs_in", json_object_new_int(-1)); }
static void e_missing(json_object *o) { json_object_object_del(counters(o), "skbs"); }
static void e_huge(json_object *o) { json_object_object_add(counters(o), "skbs", json_object_new_uint64(UINT64_MAX)); }
static void e_msg_size(json_object *o) { json_object_object_add(o, "msg_size", json_object_new_string("64k")); }
static void e_event(json_object *o)
{
    json_object_object_add(at(o, "configs.0.reps.0.attrib.event"), "tcp_rcvx", json_object_new_int(3));
}
static void e_unknown(json_object *o) { json_object_object_add(o, "extra", json_object_new_int(1)); }
static void e_version(json_object *o) { json_object_object_add(o, "version", json_object_new_int(2)); }
static void e_long(json_object *o)
{
    char s[201];
    memset(s, 'k', 200);
    s[200] = '\0';
    json_object_object_add(o, "kernel", json_object_new_string(s));
}
static void e_placement(json_object *o)
{
    json_object_object_add(at(o, "configs.0"), "placement", json_object_new_string("left"));
}
static void e_configs(json_object *o)
{
    json_object *c = at(o, "configs");
    for (int i = 0; i < VAL_MAX_CONFIGS; i++)
        json_object_array_add(c, json_object_get(json_object_array_get_idx(c, 0)));
}
static void e_reps(json_object *o)
{
    json_object *r = at(o, "configs.0.reps");
    for (int i = 0; i < VAL_MAX_REPS; i++)
        json_object_array_add(r, json_object_get(json_object_array_get_idx(r, 0)));
}
static void e_side(json_object *o) { json_object_object_add(at(o, "configs.0.reps.0.attrib.side"), "rx", NULL); }
static void e_cpu_pair(json_object *o)
{
    json_object_array_del_idx(at(o, "configs.0.reps.0.attrib.protocol_on_cpu"), 1, 1);
}

START_TEST(faults_named)
{
    refused(e_type, "hand.json: configs[0].reps[0].counters.bytes: want a whole number >= 0, got a string");
    refused(e_negative, "hand.json: configs[0].reps[0].counters.segs_in: want a whole number >= 0, got -1");
    refused(e_msg_size, "hand.json: msg_size: want a whole number >= 0, got a string");
    refused(e_huge, "hand.json: configs[0].reps[0].counters.skbs: too large (at most 18446744073709551614)");
    refused(e_missing, "hand.json: configs[0].reps[0].counters.skbs: missing");
    refused(e_event, "hand.json: configs[0].reps[0].attrib.event.tcp_rcvx: \"tcp_rcvx\" is not a cost event; "
                     "this rxsim knows irq_entry, driver_frame");
    refused(e_unknown, "hand.json: extra: not a field of a dataset");
    refused(e_version, "hand.json: version: 2: this rxsim reads version 1 datasets");
    refused(e_long, "hand.json: kernel: 200 bytes; at most 95 fit");
    refused(e_placement, "hand.json: configs[0].placement: want \"same\" or \"other\", got \"left\"");
    refused(e_configs, "hand.json: configs: 17 configurations; at most 16 (validate.h's VAL_MAX_CONFIGS)");
    refused(e_reps, "hand.json: configs[0].reps: 65 repetitions; at most 64 (dataset.h's VAL_MAX_REPS)");
    refused(e_side, "hand.json: configs[0].reps[0].attrib.side.rx: want a whole number >= 0, got null");
    refused(e_cpu_pair, "hand.json: configs[0].reps[0].attrib.protocol_on_cpu: want an array of 2 whole numbers");
}
END_TEST

/* A file from before msg_size, bytes and capture_bytes existed still reads
 * (they are 0); any other missing field is refused (faults_named). */
START_TEST(older_file_reads)
{
    build(d, 1, 1);
    char *t = write_text(d);
    json_object *o = json_tokener_parse(t);
    free(t);
    json_object_object_del(o, "msg_size");
    json_object_object_del(o, "bytes");
    json_object_object_del(o, "capture_bytes");
    const char *text = json_object_to_json_string(o);
    char err[512];
    ck_assert_msg(val_dataset_parse(text, strlen(text), "old.json", d2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(d2->msg_size, 0);
    ck_assert_uint_eq(d2->bytes, 0);
    ck_assert_uint_eq(d2->capture_bytes, 0);
    ck_assert_uint_eq(d2->c[0].rep[0].c.skbs, d->c[0].rep[0].c.skbs);
    json_object_put(o);
}
END_TEST

START_TEST(file_faults_named)
{
    build(d, 1, 1);
    char *t = write_text(d);
    char dir[4096], path[4200], err[1024];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ds.json", dir);
    const struct { size_t len; const char *text, *want; } cases[] = {
        { strlen(t) / 2, t, "the file ends before the JSON value does (truncated?)" },
        { 0, "", "the file is empty" },
        { 7, "garbage", "line 1, column 1: not valid JSON" },
        { 7, "[1, 2]\n", "the file holds an array; want a JSON object" },
        { strlen(t), t, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        ck_assert(f != NULL);
        fwrite(cases[i].text, 1, cases[i].len, f);
        fclose(f);
        int rc = val_dataset_read(path, d2, err, sizeof err);
        if (!cases[i].want) {
            ck_assert_msg(rc == 0, "%s", err);
            ck_assert_int_eq(d2->nconfigs, 1);
            continue;
        }
        ck_assert_msg(rc == -1 && !strncmp(err, path, strlen(path)) && strstr(err, cases[i].want),
                      "case %zu: want \"%s: ...%s\" in: %s", i, path, cases[i].want, err);
    }
    unlink(path);
    ck_assert_int_eq(val_dataset_read(path, d2, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "cannot open it: No such file or directory"), "%s", err);
    rmdir(dir);
    free(t);
}
END_TEST

/* save: through a temporary file, read back the same; capture paths
 * relative to the dataset's directory. */
START_TEST(save_and_capture_path)
{
    build(d, 2, 1);
    char dir[4096], path[4200], err[1024], cap[4400];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ds.json", dir);
    ck_assert_msg(val_dataset_save(path, d, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(val_dataset_read(path, d2, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(d2->c[1].capture, "captures/other-nocsum-nogro-9000.pcap");
    ck_assert_int_eq(val_dataset_capture_path(path, &d2->c[1], cap, sizeof cap), 0);
    char want[4400];
    snprintf(want, sizeof want, "%s/captures/other-nocsum-nogro-9000.pcap", dir);
    ck_assert_str_eq(cap, want);
    ck_assert_int_eq(val_dataset_capture_path("ds.json", &d2->c[1], cap, sizeof cap), 0);
    ck_assert_str_eq(cap, "captures/other-nocsum-nogro-9000.pcap");
    snprintf(d2->c[1].capture, sizeof d2->c[1].capture, "/abs/x.pcap");
    ck_assert_int_eq(val_dataset_capture_path(path, &d2->c[1], cap, sizeof cap), 0);
    ck_assert_str_eq(cap, "/abs/x.pcap");
    d2->c[1].capture[0] = '\0';
    ck_assert_int_eq(val_dataset_capture_path(path, &d2->c[1], cap, sizeof cap), -1);
    snprintf(path, sizeof path, "%s/no/such/dir/ds.json", dir);
    ck_assert_int_eq(val_dataset_save(path, d, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) && strstr(err, "No such file or directory"), "%s", err);
    snprintf(path, sizeof path, "%s/ds.json", dir);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("dataset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip_identical);
    tcase_add_test(tc, faults_named);
    tcase_add_test(tc, file_faults_named);
    tcase_add_test(tc, older_file_reads);
    tcase_add_test(tc, save_and_capture_path);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
