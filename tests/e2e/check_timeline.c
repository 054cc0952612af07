/* tests/e2e/check_timeline.c: `rxsim run --timeline` is what Perfetto's
 * trace-event importer expects (issue 16 item 5).  Perfetto's trace
 * processor is not installable here (not in Debian; the Python package
 * downloads its binary at run time), so the file is validated against the
 * trace-event format itself:
 *  - every slice nests properly on its track (sorted by start, longer
 *    first, each inside the one open or after it ends); B/E pairs, if any,
 *    match on their track;
 *  - each function slice lies inside a work item's slice on its CPU, and
 *    an item's function slices add up to its cycles;
 *  - every flow id has one start and one end; the end binds to a slice
 *    starting at its time on its track, the start lies inside a slice on its
 *    track, no later than the end; flows run hardirq -> softirq and
 *    softirq -> a reader;
 *  - counters are numbers, with the ring and socket queue tracks present;
 *  - args: a poll says how many frames it handed to the stack;
 *  - --timeline-window keeps only what overlaps the window, and a bad
 *    window exits 2. */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

static char bulk[4096];

struct slice {
    int tid;
    int64_t ts, dur;            /* ps */
    const char *name, *cat;
    json_object *args;
};

static int64_t ps_of(json_object *e, const char *k)
{
    return llround(json_object_get_double(get(e, k)) * 1e6);
}

static int by_start(const void *a, const void *b)
{
    const struct slice *x = a, *y = b;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->dur > y->dur ? -1 : x->dur < y->dur;     /* the longer, enclosing one first */
}

struct summary {
    size_t slices, functions, flows, counters, poll_frames_args;
    size_t hard_to_soft, soft_to_reader;
    bool ring_track, sock_track;
    size_t win_events;          /* receive-window samples (written when the window changed) */
    int64_t win_max;
    int64_t min_ts, max_end;
};

/* The innermost slice on tid containing t (start <= t <= end), NULL if none. */
static const struct slice *at(const struct slice *s, size_t n, int tid, int64_t t, bool starting)
{
    const struct slice *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i].tid == tid && s[i].ts <= t && t <= s[i].ts + s[i].dur && (!starting || s[i].ts == t))
            if (!best || s[i].dur <= best->dur)
                best = &s[i];
    return best;
}

static const struct slice *item_at(const struct slice *s, size_t n, int tid, int64_t t)
{
    const struct slice *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i].tid == tid && strcmp(s[i].cat, "function") && s[i].ts <= t && t <= s[i].ts + s[i].dur)
            best = &s[i];
    return best;
}

static void validate(const char *path, struct summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->min_ts = INT64_MAX;
    json_object *doc = json_object_from_file(path);
    ck_assert_msg(doc != NULL, "%s is not JSON", path);
    json_object *ev = get(doc, "traceEvents");
    size_t n = json_object_array_length(ev);
    struct slice *sl = calloc(n + 1, sizeof *sl);
    size_t ns = 0;
    int open_be[64] = {0};
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        const char *ph = str(e, "ph");
        if (!strcmp(ph, "X")) {
            sl[ns] = (struct slice){ (int)i64(e, "tid"), ps_of(e, "ts"), ps_of(e, "dur"), str(e, "name"),
                                     str(e, "cat"), get(e, "args") };
            ck_assert_msg(sl[ns].dur >= 0 && sl[ns].ts >= 0, "event %zu: negative time", i);
            if (sl[ns].ts < sum->min_ts)
                sum->min_ts = sl[ns].ts;
            if (sl[ns].ts + sl[ns].dur > sum->max_end)
                sum->max_end = sl[ns].ts + sl[ns].dur;
            ns++;
        } else if (!strcmp(ph, "B") || !strcmp(ph, "E")) {
            int tid = (int)i64(e, "tid");
            ck_assert(tid >= 0 && tid < 64);
            open_be[tid] += !strcmp(ph, "B") ? 1 : -1;
            ck_assert_msg(open_be[tid] >= 0, "an E without its B on track %d", tid);
        } else if (!strcmp(ph, "C")) {
            json_object *a = get(e, "args");
            ck_assert_msg(a && json_object_is_type(a, json_type_object), "counter without args");
            json_object_object_foreach(a, k, v) {
                (void)k;
                ck_assert_msg(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double),
                              "counter %s: not a number", str(e, "name"));
                ck_assert_msg(json_object_get_int64(v) >= 0, "counter %s below 0", str(e, "name"));
            }
            sum->counters++;
            sum->ring_track |= !strncmp(str(e, "name"), "RX ring nic0 q0", 15);
            sum->sock_track |= !strncmp(str(e, "name"), "socket queue ", 13);
            if (!strncmp(str(e, "name"), "receive window ", 15)) {
                sum->win_events++;
                json_object_object_foreach(a, wk, wv) {
                    (void)wk;
                    if (json_object_get_int64(wv) > sum->win_max)
                        sum->win_max = json_object_get_int64(wv);
                }
            }
        }
    }
    for (int t = 0; t < 64; t++)
        ck_assert_msg(open_be[t] == 0, "track %d: a B without its E", t);
    qsort(sl, ns, sizeof *sl, by_start);
    /* Nesting: a stack of open slices per track. */
    const struct slice *stack[64];
    int depth = 0, tid = -1;
    for (size_t i = 0; i < ns; i++) {
        if (sl[i].tid != tid) {
            tid = sl[i].tid;
            depth = 0;
        }
        while (depth && sl[i].ts >= stack[depth - 1]->ts + stack[depth - 1]->dur)
            depth--;
        if (depth)
            ck_assert_msg(sl[i].ts + sl[i].dur <= stack[depth - 1]->ts + stack[depth - 1]->dur,
                          "track %d: %s [%lld +%lld] overlaps %s [%lld +%lld] without nesting", tid, sl[i].name,
                          (long long)sl[i].ts, (long long)sl[i].dur, stack[depth - 1]->name,
                          (long long)stack[depth - 1]->ts, (long long)stack[depth - 1]->dur);
        bool fn = !strcmp(sl[i].cat, "function");
        ck_assert_msg(!fn || (depth && strcmp(stack[depth - 1]->cat, "function")),
                      "track %d: function %s at %lld outside a work item", tid, sl[i].name, (long long)sl[i].ts);
        ck_assert_msg(fn || depth == 0, "track %d: work item %s inside another", tid, sl[i].name);
        if (depth < 64)
            stack[depth++] = &sl[i];
        if (fn) {
            sum->functions++;
        } else {
            sum->slices++;
            sum->poll_frames_args += !strcmp(sl[i].cat, "softirq") && i64(sl[i].args, "frames") > 0;
            /* the function slices inside add up to the item's cycles */
            int64_t cyc = 0;
            for (size_t k = i + 1; k < ns && sl[k].tid == tid && sl[k].ts < sl[i].ts + sl[i].dur; k++)
                if (!strcmp(sl[k].cat, "function"))
                    cyc += i64(sl[k].args, "cycles");
            ck_assert_msg(cyc == i64(sl[i].args, "cycles"), "%s at %lld: functions %lld cycles, item %lld",
                          sl[i].name, (long long)sl[i].ts, (long long)cyc, (long long)i64(sl[i].args, "cycles"));
        }
    }
    /* Flows: one start and one end per id. */
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        if (strcmp(str(e, "ph"), "s"))
            continue;
        int64_t id = i64(e, "id");
        json_object *f = NULL;
        int starts = 0;
        for (size_t k = 0; k < n; k++) {
            json_object *g = json_object_array_get_idx(ev, k);
            const char *ph = str(g, "ph");
            if ((ph[0] == 's' || ph[0] == 'f') && !ph[1] && i64(g, "id") == id) {
                starts += ph[0] == 's';
                if (ph[0] == 'f') {
                    ck_assert_msg(f == NULL, "flow %lld ends twice", (long long)id);
                    f = g;
                }
            }
        }
        ck_assert_msg(starts == 1 && f, "flow %lld: %d starts, %s end", (long long)id, starts, f ? "an" : "no");
        ck_assert_msg(!strcmp(str(f, "bp"), "e"), "flow %lld: the end does not bind to its slice", (long long)id);
        int64_t ts = ps_of(e, "ts"), tf = ps_of(f, "ts");
        ck_assert_msg(ts <= tf, "flow %lld goes back in time", (long long)id);
        const struct slice *src = item_at(sl, ns, (int)i64(e, "tid"), ts);
        const struct slice *dst = at(sl, ns, (int)i64(f, "tid"), tf, true);
        if (dst)
            dst = item_at(sl, ns, dst->tid, tf);     /* the work item, not its first function */
        ck_assert_msg(src && at(sl, ns, (int)i64(e, "tid"), ts, false), "flow %lld starts outside a slice",
                      (long long)id);
        ck_assert_msg(dst, "flow %lld ends where no slice starts", (long long)id);
        sum->flows++;
        sum->hard_to_soft += !strcmp(src->cat, "hardirq") && !strcmp(dst->cat, "softirq");
        sum->soft_to_reader += !strcmp(src->cat, "softirq") && !strcmp(dst->cat, "process");
    }
    free(sl);
    json_object_put(doc);
}

static int run(const char *tl, const char *window, const char *app)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    argv[n++] = "run";
    argv[n++] = "--no-progress";
    argv[n++] = "--json";
    argv[n++] = "--timeline";
    argv[n++] = (char *)tl;
    if (window) {
        argv[n++] = "--timeline-window";
        argv[n++] = (char *)window;
    }
    argv[n++] = "--app";
    argv[n++] = (char *)app;
    argv[n++] = bulk;
    argv[n] = NULL;
    return testenv_run(argv, "/dev/null", NULL);
}

START_TEST(timeline_is_well_formed)
{
    char tmp[4096], tl[4200], tw[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(tl, sizeof tl, "%s/t.json", tmp);
    snprintf(tw, sizeof tw, "%s/w.json", tmp);
    const char *apps[] = { "fixed:1", "fixed:0" };      /* the reader woken on another CPU (by an IPI), and on its own */
    for (int a = 0; a < 2; a++) {
        ck_assert_int_eq(run(tl, NULL, apps[a]), 0);
        struct summary s;
        validate(tl, &s);
        ck_assert_msg(s.slices > 100 && s.functions > s.slices, "--app %s: %zu items, %zu function slices", apps[a],
                      s.slices, s.functions);
        ck_assert_msg(s.hard_to_soft > 0 && s.soft_to_reader > 0, "--app %s: flows hardirq->softirq %zu, "
                      "softirq->reader %zu", apps[a], s.hard_to_soft, s.soft_to_reader);
        ck_assert_msg(s.ring_track && s.sock_track && s.counters > 10, "--app %s: counters %zu, ring %d, socket %d",
                      apps[a], s.counters, s.ring_track, s.sock_track);
        ck_assert_msg(s.poll_frames_args > 0, "--app %s: no poll says its frames", apps[a]);
        /* The window moves as the queue fills and drains, and is at most half
         * the receive buffer's room (the default --rcvbuf-max 6M: 3 MiB). */
        ck_assert_msg(s.win_events > 1 && s.win_max > 0 && s.win_max <= 3 << 20,
                      "--app %s: %zu receive-window samples, max %lld", apps[a], s.win_events, (long long)s.win_max);
        if (a)
            continue;
        /* The run spans about 3.3 ms: a window of 1 ms from 1 ms keeps only
         * the slices overlapping it, a valid file on its own. */
        ck_assert_int_eq(run(tw, "0.001,0.001", apps[a]), 0);
        struct summary w;
        validate(tw, &w);
        ck_assert_msg(w.slices > 0 && w.slices < s.slices, "window: %zu items of %zu", w.slices, s.slices);
        ck_assert_msg(w.max_end > 1000000000LL && w.min_ts < 2000000000LL && w.min_ts >= 900000000LL &&
                      w.max_end <= 2100000000LL, "window: slices from %lld to %lld ps", (long long)w.min_ts,
                      (long long)w.max_end);
    }
    ck_assert_int_eq(run(tw, "0.001", "fixed:1"), 2);
    ck_assert_int_eq(run(tw, "-1,2", "fixed:1"), 2);
}
END_TEST

int main(void)
{
    testenv_path(bulk, sizeof bulk, "traces/data/bulk-v4-256k.pcap");
    if (access(bulk, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-256k.pcap missing from the source tree");
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("timeline");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, timeline_is_well_formed);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
