/* tests/unit/check_options.c: sim/options/: the run option table and the
 * value parsers.
 *
 *  - The table is well formed: names unique, every compare / form / live
 *    position used once, every default a valid value of its option.
 *  - Table-driven over every numeric row: the range ends are accepted and
 *    land in the row's field, one step outside is refused, in each mode the
 *    row belongs to; an option of the other command only is refused.
 *  - Every row run --help shows has its line; {default} is expanded.
 *  - The config echo lists the traces first, then the options in table
 *    order, --nics only when given, and parses back as JSON.
 *  - The value parsers: whole numbers, sizes, rates at their limits, and
 *    what each lead rule accepts before the digits. */
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/options/run_options.h"
#include "sim/options/value.h"
#include "tests/common/testenv.h"

static void no_usage(FILE *out)
{
    (void)out;
}

/* Parses "rxsim run ARGS... trace.pcap" (or live ARGS... -i lo); returns 0/-1. */
/* Whether a ("--name=value") is an option only --replay closed reads. */
static bool closed_only(const char *a)
{
    if (!a || strncmp(a, "--", 2))
        return false;
    size_t n = strcspn(a + 2, "=");     /* the name's length */
    for (size_t i = 0; i < run_noptions; i++)
        if (run_options[i].echo == RUN_ECHO_CLOSED && strlen(run_options[i].name) == n &&
            !memcmp(a + 2, run_options[i].name, n))
            return true;
    return false;
}

/* rxsim run/live A1 A2 (either may be NULL) on a trace or -i lo, with
 * --replay closed added before an option only the senders read. */
static int parse(enum run_mode mode, struct run_config *c, const char *a1, const char *a2)
{
    char *argv[10];
    int n = 0, exit_now;
    argv[n++] = mode == RUN_MODE_RUN ? "run" : "live";
    if (closed_only(a1) || closed_only(a2))
        argv[n++] = "--replay=closed";
    if (a1)
        argv[n++] = (char *)a1;
    if (a2)
        argv[n++] = (char *)a2;
    if (mode == RUN_MODE_RUN) {
        argv[n++] = "trace.pcap";
    } else {
        argv[n++] = "-i";
        argv[n++] = "lo";
    }
    argv[n] = NULL;
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");           /* the refusals' messages */
    int rc = run_options_parse(n, argv, c, mode, no_usage, &exit_now);
    fclose(stderr);
    stderr = saved;
    return rc;
}

static double field_value(const struct run_config *c, const struct run_option *o)
{
    const char *p = (const char *)c + o->off;
    switch (o->kind) {
    case RUN_OPT_UINT: return *(const uint32_t *)p;
    case RUN_OPT_INT: return *(const int *)p;
    case RUN_OPT_DOUBLE: return *(const double *)p;
    case RUN_OPT_CAP: return (double)*(const size_t *)p;
    default: return NAN;
    }
}

/* The row's field in a and b holds the same value. */
static bool same_field(const struct run_config *a, const struct run_config *b, const struct run_option *o)
{
    const char *pa = (const char *)a + o->off, *pb = (const char *)b + o->off;
    switch (o->kind) {
    case RUN_OPT_NAME: case RUN_OPT_TEXT: case RUN_OPT_REPLAY:
        return !strcmp(*(const char *const *)pa, *(const char *const *)pb);
    case RUN_OPT_CHOICE: return *(const bool *)pa == *(const bool *)pb;
    case RUN_OPT_SEED: case RUN_OPT_COUNT: return *(const uint64_t *)pa == *(const uint64_t *)pb;
    default: return field_value(a, o) == field_value(b, o);
    }
}

START_TEST(test_table_well_formed)
{
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        for (size_t k = 0; k < i; k++) {
            const struct run_option *p = &run_options[k];
            ck_assert_msg(strcmp(o->name, p->name), "--%s twice in the table", o->name);
            ck_assert_msg(!o->alias || (strcmp(o->alias, p->name) && (!p->alias || strcmp(o->alias, p->alias))),
                          "--%s's older name --%s is taken", o->name, o->alias);
            ck_assert_msg(!p->alias || strcmp(o->name, p->alias), "--%s is --%s's older name", o->name, p->name);
            ck_assert_msg(o->sweep <= 0 || o->sweep != p->sweep, "--%s, --%s: one compare position %d",
                          p->name, o->name, o->sweep);
            ck_assert_msg(!o->form || o->form != p->form, "--%s, --%s: one form position %d", p->name, o->name,
                          o->form);
            ck_assert_msg(!o->live || o->live != p->live, "--%s, --%s: one live position %d", p->name, o->name,
                          o->live);
        }
        ck_assert_msg(o->modes, "--%s: in no command", o->name);
        if (o->form)
            ck_assert_msg(o->form_help && o->group, "--%s: on the form without help or group", o->name);
        if (o->live)
            ck_assert_msg(o->modes & RUN_IN_LIVE, "--%s: in live's list but not a live option", o->name);
        if (o->kind == RUN_OPT_CHOICE)
            ck_assert_msg(o->choices && strchr(o->choices, '|'), "--%s: a choice without choices", o->name);
        ck_assert_msg(run_option_find(o->name) == o, "--%s: not found by name", o->name);
        ck_assert_msg(!o->alias || run_option_find(o->alias) == o, "--%s: not found by its older name", o->name);
    }
    /* the listings come out in position order */
    const struct run_option *list[128];
    size_t n = run_options_ordered(offsetof(struct run_option, form), list);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(list[i - 1]->form < list[i]->form, "form order: --%s before --%s", list[i - 1]->name,
                      list[i]->name);
    ck_assert_msg(n > 0 && !strcmp(list[0]->name, "csum"), "the form starts with csum");
}
END_TEST

/* Every default is a value its own option accepts, and parsing it again
 * gives the field the default gave. */
/* An older name sets the same field as the name it gave way to:
 * --msg-size 4096 is --recv-size 4096 (issue 13 item 10). */
START_TEST(test_older_name_accepted)
{
    struct run_config a, b;
    ck_assert_int_eq(parse(RUN_MODE_RUN, &a, "--msg-size", "4096"), 0);
    ck_assert_int_eq(parse(RUN_MODE_RUN, &b, "--recv-size", "4096"), 0);
    ck_assert_uint_eq(a.recv_size, 4096);
    ck_assert_uint_eq(b.recv_size, 4096);
    ck_assert_int_eq(parse(RUN_MODE_LIVE, &a, "--msg-size=512", NULL), 0);
    ck_assert_uint_eq(a.recv_size, 512);
    ck_assert_int_eq(parse(RUN_MODE_RUN, &a, "--msg-size", "0"), -1);     /* the same range */
}
END_TEST

START_TEST(test_defaults_are_values)
{
    const struct run_option *o = &run_options[_i];
    if (!o->deflt || o->kind == RUN_OPT_OFF || o->kind == RUN_OPT_ON)
        return;
    enum run_mode mode = o->modes & RUN_IN_RUN ? RUN_MODE_RUN : RUN_MODE_LIVE;
    struct run_config d, c;
    ck_assert_msg(parse(mode, &d, NULL, NULL) == 0, "--%s: defaults alone refused", o->name);
    char arg[512];
    snprintf(arg, sizeof arg, "--%s=%s", o->name, o->deflt);
    ck_assert_msg(parse(mode, &c, arg, NULL) == 0, "--%s: its default '%s' refused", o->name, o->deflt);
    ck_assert_msg(same_field(&c, &d, o), "--%s: the default differs from %s", o->name, arg);
}
END_TEST

/* An option only the closed-loop senders read, given for a trace replayed
 * as captured, is refused rather than ignored. */
START_TEST(test_closed_only_needs_closed)
{
    struct run_config c;
    char *argv[] = { "run", "--flows", "4", "trace.pcap", NULL };
    int exit_now;
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = run_options_parse(4, argv, &c, RUN_MODE_RUN, no_usage, &exit_now);
    fclose(stderr);
    stderr = saved;
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(parse(RUN_MODE_RUN, &c, "--replay=closed", "--flows=4"), 0);
    ck_assert_int_eq(c.flows, 4);
}
END_TEST

/* Range ends in, one step out refused, for every numeric row. */
START_TEST(test_numeric_ranges)
{
    const struct run_option *o = &run_options[_i];
    if (o->kind != RUN_OPT_UINT && o->kind != RUN_OPT_INT && o->kind != RUN_OPT_DOUBLE && o->kind != RUN_OPT_CAP)
        return;
    enum run_mode mode = o->modes & RUN_IN_RUN ? RUN_MODE_RUN : RUN_MODE_LIVE;
    double step = o->kind == RUN_OPT_DOUBLE ? o->hi * 1e-6 + 1e-9 : 1;
    const double ends[] = { o->lo, o->hi };
    for (int e = 0; e < 2; e++) {
        struct run_config c;
        char arg[128];
        snprintf(arg, sizeof arg, "--%s=%.17g", o->name, ends[e]);
        ck_assert_msg(parse(mode, &c, arg, NULL) == 0, "%s refused", arg);
        if (o->kind != RUN_OPT_CAP || ends[e] != 0)
            ck_assert_msg(field_value(&c, o) == ends[e], "%s gave %g", arg, field_value(&c, o));
        double out = e ? o->hi + step : o->lo - step;
        if (out < 0 && o->kind != RUN_OPT_DOUBLE)
            continue;           /* a whole number below 0 is refused by its sign, not its range */
        snprintf(arg, sizeof arg, "--%s=%.17g", o->name, out);
        ck_assert_msg(parse(mode, &c, arg, NULL) < 0, "%s accepted (range %g..%g)", arg, o->lo, o->hi);
    }
    struct run_config c;
    char arg[128];
    snprintf(arg, sizeof arg, "--%s=12abc", o->name);
    ck_assert_msg(parse(mode, &c, arg, NULL) < 0, "%s accepted", arg);
}
END_TEST

START_TEST(test_modes)
{
    const struct run_option *o = &run_options[_i];
    if (o->modes == RUN_IN_BOTH || o->kind == RUN_OPT_HELP || o->kind == RUN_OPT_LIST)
        return;
    enum run_mode other = o->modes & RUN_IN_RUN ? RUN_MODE_LIVE : RUN_MODE_RUN;
    char arg[128];
    const char *value = o->kind == RUN_OPT_ON ? NULL : o->kind == RUN_OPT_SPEED ? NULL : "1";
    snprintf(arg, sizeof arg, "--%s", o->name);
    struct run_config c;
    ck_assert_msg(parse(other, &c, arg, value) < 0, "%s accepted by the other command", arg);
}
END_TEST

START_TEST(test_help_lines)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    run_options_help(f);
    fclose(f);
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        char line[96];
        if (o->short_name)          /* "  -r, --read FILE" */
            snprintf(line, sizeof line, "\n  -%c, --%s", o->short_name, o->name);
        else
            snprintf(line, sizeof line, "\n  --%s", o->name);
        bool shown = o->help && o->group && (o->modes & RUN_IN_RUN);
        ck_assert_msg(!shown || strstr(text, line), "--%s: no line in run --help", o->name);
    }
    ck_assert_msg(!strstr(text, "{default}"), "an unexpanded {default}:\n%s", text);
    ck_assert_msg(strstr(text, "  --cpus N              simulated CPUs (default 2)\n"), "the --cpus line:\n%s", text);
    free(text);
}
END_TEST

START_TEST(test_echo_order)
{
    struct run_config c;
    ck_assert(parse(RUN_MODE_RUN, &c, "--cpus=3", NULL) == 0);
    json_object *o = json_object_new_object();
    run_config_echo_json(&c, "10.0.0.1", NULL, o);
    const char *prev = NULL;
    size_t row = 0;
    int n = 0;
    json_object_object_foreach(o, key, val) {
        (void)val;
        if (n++ == 0) {
            ck_assert_msg(!strcmp(key, "traces"), "first key %s, want traces", key);
            continue;
        }
        ck_assert_msg(strcmp(key, "nics"), "nics echoed though not given");
        /* every other key follows the previous one in table order */
        size_t k = row;
        for (; k < run_noptions; k++) {
            char want[64];
            snprintf(want, sizeof want, "%s", run_options[k].json ? run_options[k].json : run_options[k].name);
            for (char *p = want; *p; p++)
                *p = *p == '-' ? '_' : *p;
            if (!strcmp(want, key))
                break;
        }
        ck_assert_msg(k < run_noptions, "key %s (after %s) out of table order", key, prev ? prev : "-");
        row = k + 1;
        prev = key;
    }
    ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "cpus")), 3);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "host")), "10.0.0.1");
    json_object_put(o);

    ck_assert(parse(RUN_MODE_RUN, &c, "--nics=2", NULL) == 0);
    o = json_object_new_object();
    run_config_echo_json(&c, "x", NULL, o);
    int i = 0;
    json_object_object_foreach(o, key2, val2) {
        (void)val2;
        if (i++ == 1)
            ck_assert_msg(!strcmp(key2, "nics"), "second key %s, want nics", key2);
    }
    json_object_put(o);
}
END_TEST

START_TEST(test_value_parsers)
{
    uint64_t u;
    uint32_t u32;
    double d;
    int k;
    ck_assert(value_u64("42", VALUE_LEAD_STRTOUL, 10, 0, 100, &u) == 0 && u == 42);
    ck_assert(value_u64("+42", VALUE_LEAD_STRTOUL, 10, 0, 100, &u) == 0 && u == 42);
    ck_assert(value_u64("+42", VALUE_LEAD_NOSIGN, 10, 0, 100, &u) < 0);
    ck_assert(value_u64(" 42", VALUE_LEAD_NOSIGN, 10, 0, 100, &u) == 0 && u == 42);
    ck_assert(value_u64(" 42", VALUE_LEAD_DIGIT, 10, 0, 100, &u) < 0);
    ck_assert(value_u64("-1", VALUE_LEAD_STRTOUL, 10, 0, UINT64_MAX, &u) < 0);
    ck_assert(value_u64("18446744073709551616", VALUE_LEAD_STRTOUL, 10, 0, UINT64_MAX, &u) < 0);
    ck_assert(value_u64("0x10", VALUE_LEAD_NOSIGN, 0, 0, 100, &u) == 0 && u == 16);
    ck_assert(value_u64("101", VALUE_LEAD_STRTOUL, 10, 0, 100, &u) < 0);
    ck_assert(value_u64("", VALUE_LEAD_STRTOUL, 10, 0, 100, &u) < 0);
    ck_assert(value_u32("4294967296", 0, UINT32_MAX, &u32) < 0);
    ck_assert(value_int("-5", -10, 10, &k) == 0 && k == -5);
    ck_assert(value_double("1e6", 0, 1e6, &d) == 0 && d == 1e6);
    ck_assert(value_double("nan", -INFINITY, INFINITY, &d) < 0);
    ck_assert(value_double("1x", 0, 10, &d) < 0);
    ck_assert(value_size("256M", VALUE_LEAD_STRTOUL, false, false, 4096, 1ull << 40, &u) == 0 && u == 256u << 20);
    ck_assert(value_size("1T", VALUE_LEAD_STRTOUL, false, false, 0, UINT64_MAX, &u) < 0);
    ck_assert(value_size("1T", VALUE_LEAD_NOSIGN, true, false, 0, UINT64_MAX, &u) == 0 && u == 1ull << 40);
    ck_assert(value_size("0", VALUE_LEAD_STRTOUL, false, true, 4096, 1ull << 40, &u) == 0 && u == 0);
    ck_assert(value_size("0", VALUE_LEAD_DIGIT, false, false, 1, 4ull << 30, &u) < 0);
    ck_assert(value_size("4G", VALUE_LEAD_DIGIT, false, false, 1, 4ull << 30, &u) == 0 && u == 4ull << 30);
    ck_assert(value_size("4097M", VALUE_LEAD_DIGIT, false, false, 1, 4ull << 30, &u) < 0);
    ck_assert(value_size("17179869184G", VALUE_LEAD_NOSIGN, true, false, 0, UINT64_MAX, &u) < 0);  /* 2^64 */
    ck_assert(value_rate("2.5G", false, 1e3, 4e12, &d) == 0 && d == 2.5e9);
    ck_assert(value_rate("1T", false, 1e3, 4e12, &d) < 0);
    ck_assert(value_rate("1T", true, 0, INFINITY, &d) == 0 && d == 1e12);
    ck_assert(value_rate("999", false, 1e3, 4e12, &d) < 0);
    ck_assert(value_rate("k", false, 0, 4e12, &d) < 0);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_table_well_formed);
    tcase_add_test(tc, test_older_name_accepted);
    tcase_add_loop_test(tc, test_defaults_are_values, 0, (int)run_noptions);
    tcase_add_loop_test(tc, test_numeric_ranges, 0, (int)run_noptions);
    tcase_add_loop_test(tc, test_modes, 0, (int)run_noptions);
    tcase_add_test(tc, test_help_lines);
    tcase_add_test(tc, test_closed_only_needs_closed);
    tcase_add_test(tc, test_echo_order);
    suite_add_tcase(s, tc);
    TCase *tv = tcase_create("values");
    tcase_add_test(tv, test_value_parsers);
    suite_add_tcase(s, tv);
    return s;
}

int main(void)
{
    return testenv_run_suite(options_suite());
}
