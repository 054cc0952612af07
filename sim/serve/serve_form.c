/* sim/serve/serve_form.c: the run/compare form of rxsim serve: its fields,
 * their choices, the check of one value, and the form's HTML (serve_form.h;
 * POST /jobs, which reads the form back, is serve_submit.c).
 *
 * One field per `rxsim run` option that a lab would set (every policy axis,
 * the machine, the NIC, the application, seed and timing), named exactly as
 * the option.  Choices for policies and copy routines come from the same
 * registries `rxsim run --list` walks (csum_policies[], deliver_policies[],
 * recycle_policies[], receive_policies[], copy_routine_at()), so a new policy appears here with
 * no edit.  The fields themselves, their ranges, defaults and help come
 * from run's option table (sim/options/run_options.c, the rows with a
 * .form place), which run's parser uses too; `rxsim run` checks again in
 * the worker anyway.
 *
 * An empty field means "run's default" (its placeholder says which).  For
 * compare, enumerable axes get one checkbox per choice (vary-AXIS, value V)
 * and numeric axes a comma-separated text field (vary-AXIS). */
#include "sim/serve/serve_form.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_reply.h"
#include "sim/serve/serve_traces.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy/copy.h"
#include "drivers/nic.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "sim/machine.h"
#include "sim/options/run_options.h"
#include "sim/options/value.h"

/* The fields: the option table's rows with a .form place, in that order
 * (sim/options/run_options.c), each with the row's range, default and
 * help; filled once, before the first page or submission. */
static struct serve_field fields[SERVE_FORM_MAX_FIELDS];
static size_t nfields;
#define NFIELDS nfields
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static enum serve_field_type field_type(enum run_opt_kind k)
{
    switch (k) {
    case RUN_OPT_UINT: case RUN_OPT_INT: case RUN_OPT_CAP: return SERVE_F_UINT;
    case RUN_OPT_DOUBLE: return SERVE_F_DOUBLE;
    case RUN_OPT_SEED: return SERVE_F_SEED;
    case RUN_OPT_REPLAY: return SERVE_F_REPLAY;
    case RUN_OPT_HOST: return SERVE_F_HOST;
    case RUN_OPT_TEXT: return SERVE_F_FILTER;
    case RUN_OPT_ON: case RUN_OPT_OFF: return SERVE_F_FLAG;
    default: return SERVE_F_CHOICE;
    }
}

static void fields_init(void)
{
    const struct run_option *rows[SERVE_FORM_MAX_FIELDS * 2];
    size_t n = run_options_ordered(offsetof(struct run_option, form), rows);
    for (size_t i = 0; i < n && i < SERVE_FORM_MAX_FIELDS; i++) {
        const struct run_option *o = rows[i];
        fields[nfields++] = (struct serve_field){ .name = o->name, .group = run_group_name(o->group),
                                            .type = field_type(o->kind), .lo = o->lo, .hi = o->hi,
                                            .deflt = run_option_default(o), .vary = o->form_vary,
                                            .help = o->form_help, .choices = o->choices };
    }
}

const struct serve_field *serve_form_fields(size_t *n)
{
    pthread_once(&fields_once, fields_init);
    *n = nfields;
    return fields;
}

/* The choices of a SERVE_F_CHOICE field, from the registries; returns how many. */
static int choices(const struct serve_field *f, const char *out[SERVE_FORM_MAX_CHOICES], char store[][32])
{
    int n = 0;
    if (!strcmp(f->name, "csum")) {
        for (int i = 0; csum_policies[i] && n < SERVE_FORM_MAX_CHOICES; i++)
            out[n++] = csum_policies[i]->name;
    } else if (!strcmp(f->name, "receive")) {
        for (int i = 0; receive_policies[i] && n < SERVE_FORM_MAX_CHOICES; i++)
            out[n++] = receive_policies[i]->name;
    } else if (!strcmp(f->name, "recycle")) {
        for (int i = 0; recycle_policies[i] && n < SERVE_FORM_MAX_CHOICES; i++)
            out[n++] = recycle_policies[i]->name;
    } else if (!strcmp(f->name, "delivery")) {
        int k = 0;
        for (int i = 0; deliver_policies[i] && n < SERVE_FORM_MAX_CHOICES - 2; i++) {
            if (!deliver_policies[i]->arg_help) {
                out[n++] = deliver_policies[i]->name;
                continue;
            }
            static const int args[] = { 8, 64 };          /* examples; any N is accepted */
            for (int a = 0; a < 2; a++) {
                snprintf(store[k], 32, "%s:%d", deliver_policies[i]->name, args[a]);
                out[n++] = store[k++];
            }
        }
    } else if (!strcmp(f->name, "copy") || !strcmp(f->name, "csum-copy")) {
        enum copy_kind want = !strcmp(f->name, "copy") ? COPY_KIND_COPY : COPY_KIND_CSUM_COPY;
        for (size_t i = 0; i < copy_routine_count() && n < SERVE_FORM_MAX_CHOICES; i++) {
            const struct copy_routine *r = copy_routine_at(i);
            if (r->kind == want && copy_available(r))
                out[n++] = r->name;
        }
    } else if (!strcmp(f->name, "irq")) {
        static const char *const v[] = { "fixed:0", "fixed:1", "rr", "rss" };
        for (size_t i = 0; i < 4; i++)
            out[n++] = v[i];
    } else if (!strcmp(f->name, "app")) {
        static const char *const v[] = { "fixed:0", "fixed:1", "pin:irq", "pin:rr", "linux", "waker", "float" };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            out[n++] = v[i];
    } else if (f->choices) {
        for (const char *p = f->choices; *p && n < SERVE_FORM_MAX_CHOICES; n++) {
            size_t len = strcspn(p, "|");
            snprintf(store[n], 32, "%.*s", (int)len, p);
            out[n] = store[n];
            p += len + (p[len] != 0);
        }
    }
    return n;
}

const struct serve_field *serve_form_field_find(const char *name)
{
    const struct run_option *ro = run_option_find(name);    /* an older name (msg-size) finds its field */
    if (ro)
        name = ro->name;
    pthread_once(&fields_once, fields_init);
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(fields[i].name, name))
            return &fields[i];
    return NULL;
}

static bool all_digits(const char *s, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

const char *serve_form_check(const struct serve_field *f, const char *v, char *why, size_t size)
{
    switch (f->type) {
    case SERVE_F_CHOICE: {
        const char *c[SERVE_FORM_MAX_CHOICES];
        char store[SERVE_FORM_MAX_CHOICES][32];
        int n = choices(f, c, store);
        for (int i = 0; i < n; i++)
            if (!strcmp(c[i], v))
                return NULL;
        if (!strcmp(f->name, "delivery")) {
            const char *colon = strchr(v, ':');
            if (colon && colon - v < 32) {
                char name[32];
                snprintf(name, sizeof name, "%.*s", (int)(colon - v), v);
                const struct deliver_policy_ops *d = deliver_policy_find(name);
                if (d && d->arg_help && all_digits(colon + 1, 5) && atoi(colon + 1) >= 1 &&
                    atoi(colon + 1) <= 65536)
                    return NULL;
            }
        }
        if ((!strcmp(f->name, "irq") || !strcmp(f->name, "app")) && !strncmp(v, "fixed:", 6) &&
            all_digits(v + 6, 3) && atoi(v + 6) < SIM_MAX_CPUS)
            return NULL;
        size_t off = (size_t)snprintf(why, size, "'%.64s' is not one of", v);
        for (int i = 0; i < n && off < size; i++)
            off += (size_t)snprintf(why + off, size - off, "%s %s", i ? "," : "", c[i]);
        if (!strcmp(f->name, "delivery") && off < size)
            snprintf(why + off, size - off, " (or NAME:N for a policy that takes N, 1..65536)");
        if ((!strcmp(f->name, "irq") || !strcmp(f->name, "app")) && off < size)
            snprintf(why + off, size - off, " (or fixed:C, C < cpus)");
        return why;
    }
    case SERVE_F_UINT: {
        uint64_t u;
        if (!all_digits(v, 10) || value_u64(v, VALUE_LEAD_DIGIT, 10, (uint64_t)f->lo, (uint64_t)f->hi, &u) < 0) {
            snprintf(why, size, "'%.64s': want a whole number from %.0f to %.0f", v, f->lo, f->hi);
            return why;
        }
        return NULL;
    }
    case SERVE_F_DOUBLE: {
        double d;
        if (strlen(v) > 32 || value_double(v, f->lo, f->hi, &d) < 0) {
            snprintf(why, size, "'%.64s': want a number from %g to %g", v, f->lo, f->hi);
            return why;
        }
        return NULL;
    }
    case SERVE_F_SEED: {
        uint64_t u;
        if (!all_digits(v, 20) || value_u64(v, VALUE_LEAD_DIGIT, 10, 0, UINT64_MAX, &u) < 0) {
            snprintf(why, size, "'%.64s': want a whole number below 2^64", v);
            return why;
        }
        return NULL;
    }
    case SERVE_F_REPLAY: {
        if (!strcmp(v, "trace"))
            return NULL;
        double bps;         /* run's range for a rate (the replay row's lo..hi) */
        if (!strncmp(v, "rate:", 5) && strlen(v) < 32 && value_rate(v + 5, false, f->lo, f->hi, &bps) == 0)
            return NULL;
        snprintf(why, size, "'%.64s': want trace or rate:RATE (1k to 4000G, e.g. rate:10G)", v);
        return why;
    }
    case SERVE_F_HOST: {
        unsigned char a[16];
        if (strlen(v) < 64 && (inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1))
            return NULL;
        snprintf(why, size, "'%.64s': not an IPv4 or IPv6 address", v);
        return why;
    }
    case SERVE_F_FILTER: {
        size_t n = strlen(v);
        bool ok = n <= 200;
        for (size_t i = 0; ok && i < n; i++)
            ok = v[i] >= 0x20 && v[i] < 0x7f;
        if (!ok) {
            snprintf(why, size, "at most 200 printable ASCII characters");
            return why;
        }
        return NULL;
    }
    case SERVE_F_FLAG:
        if (!strcmp(v, "1") || !strcmp(v, "on"))
            return NULL;
        snprintf(why, size, "a checkbox: on or absent");
        return why;
    }
    return "unknown field type";
}

/* --- rendering ---------------------------------------------------------- */

static void render_field(struct evbuffer *b, const struct serve_field *f)
{
    evbuffer_add_printf(b, "<div class=\"field\"><label for=\"f-%s\">%s</label> ", f->name, f->name);
    if (f->type == SERVE_F_CHOICE) {
        const char *c[SERVE_FORM_MAX_CHOICES];
        char store[SERVE_FORM_MAX_CHOICES][32];
        int n = choices(f, c, store);
        evbuffer_add_printf(b, "<select id=\"f-%s\" name=\"%s\"><option value=\"\">default (%s)</option>",
                            f->name, f->name, f->deflt);
        for (int i = 0; i < n; i++)
            evbuffer_add_printf(b, "<option value=\"%s\">%s</option>", c[i], c[i]);
        evbuffer_add_printf(b, "</select>");
        if (f->vary) {
            evbuffer_add_printf(b, " <span class=\"vary\">vary:");
            for (int i = 0; i < n; i++)
                evbuffer_add_printf(b, " <label><input type=\"checkbox\" name=\"vary-%s\" value=\"%s\" "
                                    "id=\"vary-%s-%s\">%s</label>", f->name, c[i], f->name, c[i], c[i]);
            evbuffer_add_printf(b, "</span>");
        }
    } else if (f->type == SERVE_F_FLAG) {
        evbuffer_add_printf(b, "<input type=\"checkbox\" id=\"f-%s\" name=\"%s\" value=\"on\">", f->name,
                            f->name);
    } else {
        evbuffer_add_printf(b, "<input type=\"text\" id=\"f-%s\" name=\"%s\" placeholder=\"%s\" "
                            "maxlength=\"200\">", f->name, f->name, f->deflt);
        if (f->vary)
            evbuffer_add_printf(b, " <span class=\"vary\">vary: <input type=\"text\" id=\"vary-%s\" "
                                "name=\"vary-%s\" placeholder=\"V1,V2,...\" maxlength=\"200\"></span>",
                                f->name, f->name);
    }
    evbuffer_add_printf(b, " <small>%s</small></div>\n", f->help);
}

void serve_form_render(struct serve *s, struct evbuffer *b)
{
    pthread_once(&fields_once, fields_init);
    evbuffer_add_printf(b, "<form id=\"job-form\" method=\"post\" action=\"/jobs\">\n<fieldset><legend>job</legend>\n"
                        "<div class=\"field\"><label for=\"trace\">trace</label> <select id=\"trace\" name=\"trace\">");
    for (int i = 0; i < s->ntraces; i++) {
        evbuffer_add_printf(b, "<option value=\"");
        serve_html_escape(b, s->traces[i]->name);
        evbuffer_add_printf(b, "\">");
        serve_html_escape(b, s->traces[i]->name);
        evbuffer_add_printf(b, "</option>");
    }
    evbuffer_add_printf(b, "</select></div>\n<div class=\"field\"><label for=\"kind\">kind</label> "
                        "<select id=\"kind\" name=\"kind\"><option value=\"run\">run</option>"
                        "<option value=\"compare\">compare</option></select> <small>run: one report; "
                        "compare: tick the values to vary, side by side (at most %d combinations)</small>"
                        "</div>\n</fieldset>\n", SERVE_MAX_COMBOS);
    const char *group = NULL;
    for (size_t i = 0; i < NFIELDS; i++) {
        if (!group || strcmp(group, fields[i].group)) {
            if (group)
                evbuffer_add_printf(b, "</fieldset>\n");
            group = fields[i].group;
            evbuffer_add_printf(b, "<fieldset><legend>%s</legend>\n", group);
        }
        render_field(b, &fields[i]);
    }
    evbuffer_add_printf(b, "</fieldset>\n<p><button id=\"submit\" type=\"submit\">start</button></p>\n</form>\n");
}
