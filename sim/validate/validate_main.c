/* sim/validate/validate_main.c: rxsim validate's run, in the order a reader
 * should trust it: the preflight first (what this machine can tell), one
 * header-only capture per configuration (taken apart from the measured
 * transfers: the tap costs), the measured repetitions interleaved in a
 * seeded order per round (a drifting vCPU or a noisy neighbour then spreads
 * over every configuration instead of biasing one), the fit on the
 * --fit-on configurations, the model on every capture under the built-in
 * and the fitted costs, the table, and everything recorded in --out. */
#include "sim/validate/validate_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sim/session/exit_codes.h"
#include "sim/validate/day_profile.h"
#include "sim/validate/fit.h"
#include "sim/validate/functions.h"
#include "sim/validate/kernel_capture.h"
#include "sim/validate/kernel_env.h"
#include "sim/validate/kernel_probe.h"
#include "sim/validate/kernel_run.h"
#include "sim/validate/model_run.h"
#include "sim/validate/validate_report.h"

/* Path of name inside the --out directory. */
static void out_path(char *buf, size_t n, const struct validate_opts *o, const char *name)
{
    snprintf(buf, n, "%s/%s", o->out_dir, name);
}

static int make_out_dir(const struct validate_opts *o)
{
    char p[1024];
    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "rxsim validate: --out %s: cannot create it: %s\n", o->out_dir, strerror(errno));
        return -1;
    }
    out_path(p, sizeof p, o, "dataset.json");
    struct stat st;
    if (stat(p, &st) == 0) {
        fprintf(stderr, "rxsim validate: --out %s already holds a dataset.json; give another --out "
                        "(or read it with --from %s)\n", o->out_dir, p);
        return -1;
    }
    out_path(p, sizeof p, o, "captures");
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "rxsim validate: %s: cannot create it: %s\n", p, strerror(errno));
        return -1;
    }
    return 0;
}

/* The dataset's heading: this kernel, this CPU, now, the command. */
static void describe_machine(struct val_dataset *d, int argc, char **argv)
{
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(d->kernel, sizeof d->kernel, "%.95s", u.release);
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && colon) {
            snprintf(d->cpu, sizeof d->cpu, "%s", colon + 2);
            d->cpu[strcspn(d->cpu, "\n")] = 0;
            break;
        }
    }
    if (f)
        fclose(f);
    time_t now = time(NULL);
    strftime(d->date, sizeof d->date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    size_t used = 0;
    for (int i = 0; i < argc && used + 2 < sizeof d->command; i++)
        used += (size_t)snprintf(d->command + used, sizeof d->command - used, "%s%s", i ? " " : "rxsim ", argv[i]);
}

/* A seeded shuffle of 0..n-1 (Fisher-Yates with a small LCG: the order only
 * has to differ between rounds and be the same for the same --seed). */
static void round_order(int *order, int n, unsigned seed, int round)
{
    uint64_t x = ((uint64_t)seed << 20) ^ (uint64_t)(round + 1) * 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int j = (int)((x >> 33) % (uint64_t)(i + 1));
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static struct kernel_opts kernel_opts_of(const struct validate_opts *o, char *keep, size_t n)
{
    struct kernel_opts k;
    kernel_opts_default(&k);
    k.bytes = o->bytes;
    k.msg_size = o->msg_size;
    static char tag[12];        /* per process: two validates (or two test builds) never share namespaces */
    snprintf(tag, sizeof tag, "v%d", (int)(getpid() % 10000000));
    k.tag = tag;
    /* A vCPU that halts between packets is undersampled by cpu-clock even
     * while busy here (MTU 9000: the reader's 0.136 s of CPU got 0.063 s of
     * samples); SCHED_IDLE spinners keep every CPU sampled whole. */
    k.keep_awake = !o->sleep_ok;
    if (o->keep_perf) {
        out_path(keep, n, o, "perf");
        mkdir(keep, 0755);
        k.keep_dir = keep;
    }
    return k;
}

/* One capture per configuration: the model's input. */
static int take_captures(struct kernel_env *env, const struct validate_opts *o, struct val_dataset *d,
                         const struct kernel_opts *k)
{
    for (int i = 0; i < o->nconfigs; i++) {
        struct val_dataset_config *dc = &d->c[i];
        char path[1024], err[512];
        snprintf(dc->capture, sizeof dc->capture, "captures/%s.pcap", dc->cfg.name);
        out_path(path, sizeof path, o, dc->capture);
        if (kernel_env_set(env, &dc->cfg, err, sizeof err) != 0 ||
            kernel_capture(env, &dc->cfg, k, o->capture_bytes, path, err, sizeof err) != 0) {
            fprintf(stderr, "rxsim validate: %s: capture: %s\n", dc->cfg.name, err);
            return -1;
        }
        if (o->progress)
            fprintf(stderr, "rxsim validate: captured %s (%llu bytes of transfer, headers only)\n", path,
                    (unsigned long long)o->capture_bytes);
    }
    return 0;
}

/* The measured repetitions, interleaved: round r runs every configuration
 * once, in its own order. */
static int measure_rounds(struct kernel_env *env, const struct validate_opts *o, struct val_dataset *d,
                          const struct kernel_opts *k)
{
    int order[VAL_MAX_CONFIGS];
    for (int r = 0; r < o->reps; r++) {
        round_order(order, o->nconfigs, o->seed, r);
        for (int j = 0; j < o->nconfigs; j++) {
            struct val_dataset_config *dc = &d->c[order[j]];
            struct val_rep *rep = &dc->rep[dc->nreps];
            char err[512];
            memset(rep, 0, sizeof *rep);
            if (kernel_env_set(env, &dc->cfg, err, sizeof err) != 0 ||
                kernel_measure(env, &dc->cfg, k, rep, err, sizeof err) != 0) {
                fprintf(stderr, "rxsim validate: %s, repetition %d: %s\n", dc->cfg.name, r + 1, err);
                return -1;
            }
            dc->nreps++;
            if (o->progress)
                fprintf(stderr, "rxsim validate: round %d/%d, %-22s %6.2f s  core %.2f cycles/byte  "
                                "(%llu samples, %.0f%% other)\n", r + 1, o->reps, dc->cfg.name, rep->c.seconds,
                        val_rep_core_cycles_per_byte(rep), (unsigned long long)rep->a.samples,
                        rep->a.samples ? 100.0 * (double)rep->a.side[VAL_SIDE_OTHER] / (double)rep->a.samples : 0);
        }
    }
    return 0;
}

/* The profile of the day (day_profile.h), unless --profile chose one:
 * o->profile set to it, or left NULL (the checked-in one) with a warning. */
static void calibrate(struct validate_opts *o)
{
    static char day[1100];
    char err[1400];
    if (o->profile)
        return;
    out_path(day, sizeof day, o, DAY_PROFILE_NAME);
    if (o->progress)
        fprintf(stderr, "rxsim validate: calibrating this machine's copies and lines into %s (~15 s)\n", day);
    if (day_profile_measure(day, err, sizeof err) == 0)
        o->profile = day;
    else
        fprintf(stderr, "rxsim validate: %s; the model uses the checked-in profile, measured on another day\n",
                err);
}

/* Preflight, calibration, captures, repetitions: the kernel's part.  The
 * exit status. */
static int measure(struct validate_opts *o, struct val_dataset *d)
{
    char why[512];
    if (kernel_preflight(&d->preflight, why, sizeof why) != 0) {
        fprintf(stderr, "rxsim validate: preflight: %s\n", why);
        return RX_EXIT_INTERNAL;
    }
    fprintf(stderr, "rxsim validate: preflight:\n");
    kernel_preflight_print(&d->preflight, stderr);
    char keep[1024];
    struct kernel_opts k = kernel_opts_of(o, keep, sizeof keep);
    struct kernel_env env;
    int up = kernel_env_up(&env, &k, why, sizeof why);
    if (up != 0) {
        fprintf(stderr, "rxsim validate: %s: %s\n", up == 77 ? "cannot measure on this machine" : "set-up failed",
                why);
        return up == 77 ? RX_EXIT_CANNOT : RX_EXIT_INTERNAL;
    }
    kernel_env_guard(&env);     /* Ctrl-C or SIGTERM: children killed, namespaces deleted */
    calibrate(o);               /* only once this machine can measure: nothing to wait for otherwise */
    int rc = take_captures(&env, o, d, &k) == 0 && measure_rounds(&env, o, d, &k) == 0 ? RX_EXIT_OK
                                                                                       : RX_EXIT_INTERNAL;
    kernel_env_down(&env);
    kernel_env_unguard();
    for (int i = 0; i < d->nconfigs && d->tsc_ghz == 0; i++)
        if (d->c[i].nreps > 0)
            d->tsc_ghz = d->c[i].rep[0].tsc_ghz;
    return rc;
}

/* The model on every configuration's capture under costs (NULL: built in);
 * ok[i] says whether configuration i got an answer.  A configuration the
 * model cannot answer is said on stderr and shown n/m in the table; the
 * others still run.  The number that failed. */
static int model_all(const struct validate_opts *o, const char *base_dir, const struct val_dataset *d,
                     const char *costs, struct val_model *out, bool *ok)
{
    int failed = 0;
    for (int i = 0; i < d->nconfigs; i++) {
        const struct val_dataset_config *dc = &d->c[i];
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s/%s", base_dir, dc->capture);
        struct model_opts mo = { .costs = costs, .ghz = d->tsc_ghz, .profile = o->profile,
                                 .msg_size = d->msg_size ? d->msg_size : o->msg_size };
        ok[i] = model_run(&dc->cfg, path, &mo, &out[i], err, sizeof err) == 0;
        if (!ok[i]) {
            fprintf(stderr, "rxsim validate: %s: the model on %s%s: %s\n", dc->cfg.name, path,
                    costs ? " under the fitted costs" : "", err);
            failed++;
        }
    }
    return failed;
}

/* commands.txt: the rxsim run each configuration's model row came from,
 * under costs (the table's: fitted in this run, or --costs; NULL built in). */
static void write_commands(const struct validate_opts *o, const struct val_dataset *d, const char *costs)
{
    char p[1024];
    out_path(p, sizeof p, o, "commands.txt");
    FILE *f = fopen(p, "w");
    if (!f)
        return;
    fprintf(f, "# %s\n# %s, %s, %s\n", d->command, d->kernel, d->cpu, d->date);
    for (int i = 0; i < d->nconfigs; i++) {
        char *argv[MODEL_ARGV_MAX], buf[MODEL_ARGV_BUF], path[1024];
        snprintf(path, sizeof path, "%s/%s", o->out_dir, d->c[i].capture);
        struct model_opts mo = { .costs = costs, .ghz = d->tsc_ghz, .msg_size = d->msg_size,
                                 .profile = o->profile };
        int n = model_argv(&d->c[i].cfg, path, &mo, argv, MODEL_ARGV_MAX, buf, sizeof buf);
        fprintf(f, "%s: rxsim", d->c[i].cfg.name);
        for (int k = 0; k < n; k++)
            fprintf(f, " %s", argv[k]);
        fprintf(f, "\n");
    }
    fclose(f);
}

static int write_dataset(const struct validate_opts *o, const struct val_dataset *d)
{
    char p[1024], err[512];
    out_path(p, sizeof p, o, "dataset.json");
    if (val_dataset_save(p, d, err, sizeof err) != 0) {
        fprintf(stderr, "rxsim validate: %s\n", err);
        return -1;
    }
    return 0;
}

/* Fits costs on the configurations not held out and writes them as a
 * --costs file: --out's costs.json when recording, else a temporary file
 * (*tmp set: the caller removes it).  Its path in buf, or NULL. */
static const char *fit_and_write(const struct validate_opts *o, const struct val_dataset *d, bool record,
                                 struct fit_result *fr, char *buf, size_t n, bool *tmp)
{
    *tmp = false;
    if (fit_costs(d, o->profile, fr) != 0)
        return NULL;
    FILE *f = NULL;
    if (record) {
        out_path(buf, n, o, "costs.json");
        f = fopen(buf, "w");
    } else {
        snprintf(buf, n, "/tmp/rxsim-validate-costs-XXXXXX");
        int fd = mkstemp(buf);
        f = fd >= 0 ? fdopen(fd, "w") : NULL;
        *tmp = f != NULL;
    }
    if (!f || fit_write_costs_json(fr, f) != 0 || fclose(f) != 0) {
        fprintf(stderr, "rxsim validate: %s: cannot write it: %s\n", buf, strerror(errno));
        return NULL;
    }
    return buf;
}

/* The table's input: each configuration's repetitions beside a model. */
static void report_input(const struct val_dataset *d, const struct val_model *model, const bool *ok,
                         struct val_report_config *rc, struct val_report_in *in, const struct val_preflight *pre)
{
    for (int i = 0; i < d->nconfigs; i++)
        rc[i] = (struct val_report_config){ .cfg = d->c[i].cfg, .reps = d->c[i].rep, .nreps = d->c[i].nreps,
                                            .model = ok[i] ? &model[i] : NULL };
    *in = (struct val_report_in){ .pre = pre, .cfgs = rc, .ncfgs = d->nconfigs };
}

/* rxsim fit --json's object, to nest in validate's. */
static json_object *fit_as_json(const struct fit_result *fr, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    json_object *j = NULL;
    if (m && fit_write_result_json(fr, name, m) == 0 && fclose(m) == 0)
        j = json_tokener_parse(text);
    else if (m)
        fclose(m);
    free(text);
    return j;
}

/* The table under the fitted costs, the fit, and the held-out errors under
 * the costs the model had before (built in, or --costs). */
static int print_all(const struct validate_opts *o, const struct val_dataset *d, const struct val_model *fitted,
                     const bool *fitted_ok, const struct val_model *today, const bool *today_ok,
                     const struct fit_result *fr)
{
    static struct val_summary s, s_today;
    struct val_report_config rc[VAL_MAX_CONFIGS], rc_today[VAL_MAX_CONFIGS];
    struct val_report_in in, in_today;
    report_input(d, fitted ? fitted : today, fitted ? fitted_ok : today_ok, rc, &in, &d->preflight);
    report_input(d, today, today_ok, rc_today, &in_today, NULL);
    if (val_report_summarise(&in, &s) != 0 || val_report_summarise(&in_today, &s_today) != 0) {
        fprintf(stderr, "rxsim validate: the dataset has more configurations or repetitions than a table holds\n");
        return RX_EXIT_INPUT;
    }
    const char *before = o->costs ? o->costs : "the built-in costs";
    if (o->json) {
        json_object *j = val_report_json(&in, &s);
        json_object_object_add(j, "model_costs", json_object_new_string(fitted ? "fitted in this run" : before));
        json_object_object_add(j, "model_profile", json_object_new_string(o->profile ? o->profile : "checked in"));
        if (fitted)
            json_object_object_add(j, "fit", fit_as_json(fr, d->command));
        json_object *t = val_report_json(&in_today, &s_today);
        json_object *held = NULL;
        json_object_object_get_ex(t, "held_out", &held);
        json_object *b = json_object_new_object();
        json_object_object_add(b, "costs", json_object_new_string(before));
        json_object_object_add(b, "held_out", held ? json_object_get(held) : NULL);
        json_object_object_add(j, "before_fit", b);
        json_object_put(t);
        int bad = puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY)) < 0;
        json_object_put(j);
        return bad ? RX_EXIT_INTERNAL : RX_EXIT_OK;
    }
    if (o->profile)
        day_profile_compare(o->profile, stdout);
    else
        printf("calibration: the model prices bytes and lines from the checked-in profile, measured on another "
               "day than the kernel (docs/validation.md, \"The profile of the day\")\n");
    if (fitted)
        printf("The model below runs with the costs fitted in this run.\n\n");
    else
        printf("The model below runs with %s (no cost could be fitted in this run).\n\n", before);
    if (val_report_text(&in, &s, stdout) != 0)
        return RX_EXIT_INTERNAL;
    if (fitted) {
        printf("\nThe fit (configurations not held out):\n");
        fit_print_table(fr, "this run", stdout);
    }
    if (s_today.nheld == 0)
        printf("\nBefore the fit, with %s: held-out core cycles/byte error n/m (%s)\n", before,
               s_today.held_nm ? "no held-out configuration could be measured or modelled" : "none is held out");
    else
        printf("\nBefore the fit, with %s: held-out core cycles/byte error max %.0f %% over %d configurations%s\n",
               before, 100 * s_today.held_max, s_today.nheld, s_today.held_nm ? " (some not measurable)" : "");
    return fflush(stdout) == 0 ? RX_EXIT_OK : RX_EXIT_INTERNAL;
}

/* Fit, model and table for a dataset (measured now or read --from; a new
 * one is already saved, so a model that fails loses no measurement).  The
 * exit status: 5 when the model could not answer for some configuration. */
static int conclude(const struct validate_opts *o, struct val_dataset *d, const char *base_dir, bool record)
{
    static struct val_model fitted[VAL_MAX_CONFIGS], today[VAL_MAX_CONFIGS];
    static struct fit_result fr;
    bool fitted_ok[VAL_MAX_CONFIGS] = { false }, today_ok[VAL_MAX_CONFIGS] = { false };
    char costs_path[1024];
    bool tmp;
    const char *costs = fit_and_write(o, d, record, &fr, costs_path, sizeof costs_path, &tmp);
    int failed = model_all(o, base_dir, d, o->costs, today, today_ok);
    if (costs)
        failed += model_all(o, base_dir, d, costs, fitted, fitted_ok);
    if (tmp)
        unlink(costs_path);
    if (record) {
        for (int i = 0; i < d->nconfigs; i++) {
            d->c[i].model = today[i];
            d->c[i].model_ok = today_ok[i];
        }
        if (write_dataset(o, d) != 0)
            return RX_EXIT_INTERNAL;
        write_commands(o, d, costs ? costs : o->costs);
    }
    int rc = print_all(o, d, costs ? fitted : NULL, fitted_ok, today, today_ok, &fr);
    return rc == RX_EXIT_OK && failed ? RX_EXIT_UNANSWERED : rc;
}

int validate_main(int argc, char **argv)
{
    struct validate_opts o;
    int rc = validate_parse(argc, argv, &o);
    if (rc)
        return rc == 1 ? RX_EXIT_OK : rc;
    if (o.functions) {
        char err[4400];
        if (val_functions(o.functions, o.top, stdout, err, sizeof err) != 0) {
            fprintf(stderr, "rxsim validate: %s\n", err);
            return RX_EXIT_INPUT;
        }
        return RX_EXIT_OK;
    }
    char perr[768];
    if (o.profile && day_profile_check(o.profile, perr, sizeof perr) != 0) {
        fprintf(stderr, "rxsim validate: --profile %s: %s\n", o.profile, perr);
        return RX_EXIT_USAGE;
    }
    struct val_dataset *d = calloc(1, sizeof *d);
    if (!d) {
        fprintf(stderr, "rxsim validate: out of memory\n");
        return RX_EXIT_INTERNAL;
    }
    if (o.from) {
        char err[512], dir[1024];
        if (val_dataset_read(o.from, d, err, sizeof err) != 0) {
            fprintf(stderr, "rxsim validate: %s\n", err);
            free(d);
            return RX_EXIT_INPUT;
        }
        if (o.fit_on_given)     /* fit on other configurations than the measuring run did */
            for (int i = 0; i < d->nconfigs; i++)
                for (int k = 0; k < o.nconfigs; k++)
                    if (!strcmp(o.configs[k].name, d->c[i].cfg.name))
                        d->c[i].cfg.held_out = o.configs[k].held_out;
        char beside[1024];
        if (!o.profile)
            o.profile = day_profile_beside(o.from, beside, sizeof beside);
        snprintf(dir, sizeof dir, "%s", o.from);    /* captures are named relative to the dataset */
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
        rc = conclude(&o, d, dir, false);
    } else if (make_out_dir(&o) != 0) {
        rc = RX_EXIT_USAGE;
    } else {
        d->version = 1;
        d->nconfigs = o.nconfigs;
        for (int i = 0; i < o.nconfigs; i++)
            d->c[i].cfg = o.configs[i];
        d->msg_size = o.msg_size;
        d->bytes = o.bytes;
        d->capture_bytes = o.capture_bytes;
        describe_machine(d, argc, argv);
        rc = measure(&o, d);
        if (rc == RX_EXIT_OK)
            rc = write_dataset(&o, d) == 0 ? conclude(&o, d, o.out_dir, true) : RX_EXIT_INTERNAL;
        else if (rc == RX_EXIT_INTERNAL && d->tsc_ghz > 0 && write_dataset(&o, d) == 0)
            fprintf(stderr, "rxsim validate: the repetitions measured before the failure are in %s/dataset.json "
                            "(rxsim validate --from reads them)\n", o.out_dir);
    }
    free(d);
    return rc;
}
