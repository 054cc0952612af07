/* sim/timeline.c: see timeline.h.  Times are microseconds with picosecond
 * digits, as the trace-event format wants.  An item's slice is written
 * before its function slices, so a reader meeting equal start times nests
 * them the right way round. */
#include "sim/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "sim/profile.h"

int sim_timeline_open(struct sim_timeline *t, const char *path, int ncpus, uint64_t max_events,
                      sim_ps win_start, sim_ps win_end)
{
    *t = (struct sim_timeline){ .max_events = max_events, .win_start = win_start, .win_end = win_end,
                                .ncpus = ncpus };
    t->cpu = calloc((size_t)ncpus, sizeof *t->cpu);
    if (!t->cpu)
        return -1;
    t->f = fopen(path, "w");
    if (!t->f) {
        free(t->cpu);
        t->cpu = NULL;
        return -1;
    }
    fprintf(t->f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
                  "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"rxsim\"}}");
    for (int c = 0; c < ncpus; c++)
        fprintf(t->f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"CPU %d\"}}",
                c, c);
    return 0;
}

void sim_timeline_set_probe(struct sim_timeline *t, const struct sim_timeline_probe *p)
{
    t->probe = *p;
    if (t->probe.nargs > SIM_TL_MAX_ARGS)
        t->probe.nargs = SIM_TL_MAX_ARGS;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

static void ts(FILE *f, const char *key, sim_ps v)
{
    fprintf(f, ",\"%s\":%lld.%06lld", key, (long long)(v / SIM_PS_PER_US), (long long)(v % SIM_PS_PER_US));
}

static sim_ps cycles_ps(uint64_t cycles, uint32_t mhz)
{
    return (sim_ps)((cycles * 1000000u + mhz / 2) / mhz);     /* as sim_cycles_to_ps */
}

static bool writing(const struct sim_timeline *t)
{
    return t->f && !t->truncated;
}

static bool in_window(const struct sim_timeline *t, sim_ps start, sim_ps end)
{
    return start < t->win_end && (end > t->win_start || (end == start && start >= t->win_start));
}

/* The counters now, each written when it differs from the last written. */
static void sample(struct sim_timeline *t, sim_ps at)
{
    if (!t->probe.read_counters || !writing(t) || !in_window(t, at, at))
        return;
    const char *names[SIM_TL_MAX_COUNTERS];
    int64_t values[SIM_TL_MAX_COUNTERS];
    int n = t->probe.read_counters(t->probe.ctx, names, values, SIM_TL_MAX_COUNTERS);
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < t->nctr && strcmp(t->ctr[k].name, names[i]))
            k++;
        if (k == t->nctr) {
            if (t->nctr == SIM_TL_MAX_COUNTERS)
                continue;
            snprintf(t->ctr[t->nctr].name, sizeof t->ctr[0].name, "%s", names[i]);
            t->ctr[t->nctr++].last = values[i] - 1;     /* first sample: always written */
        }
        if (t->ctr[k].last == values[i])
            continue;
        t->ctr[k].last = values[i];
        t->events++;
        fprintf(t->f, ",\n{\"name\":");
        json_str(t->f, t->ctr[k].name);
        fprintf(t->f, ",\"ph\":\"C\",\"pid\":1");
        ts(t->f, "ts", at);
        fprintf(t->f, ",\"args\":{\"value\":%lld}}", (long long)values[i]);
    }
}

void sim_timeline_begin(struct sim_timeline *t, int cpu, uint32_t mhz, sim_ps start, const uint64_t *cycles)
{
    if (!t->f)
        return;
    if (t->depth == 0 && !t->truncated && t->events >= t->max_events) {
        t->truncated = true;            /* only between top-level items: nothing half written */
        t->truncated_at = start;
    }
    if (t->depth < SIM_TL_DEPTH) {
        t->stack[t->depth].cpu = cpu;
        t->stack[t->depth].mhz = mhz;
        t->stack[t->depth].start = start;
        t->stack[t->depth].cycles = cycles;
        memset(t->stack[t->depth].args_children, 0, sizeof t->stack[0].args_children);
        if (t->probe.read_args)
            t->probe.read_args(t->probe.ctx, t->stack[t->depth].args_at_start);
    }
    t->depth++;
    if (cpu >= 0 && cpu < t->ncpus)
        t->cpu[cpu].nseg = 0;
    sample(t, start);
}

void sim_timeline_charge(struct sim_timeline *t, int cpu, unsigned fn, uint64_t at, uint64_t cycles)
{
    if (!writing(t) || cpu < 0 || cpu >= t->ncpus || !cycles)
        return;
    struct sim_timeline_cpu *c = &t->cpu[cpu];
    if (c->nseg && c->seg[c->nseg - 1].fn == fn && c->seg[c->nseg - 1].at + c->seg[c->nseg - 1].cycles == at) {
        c->seg[c->nseg - 1].cycles += cycles;
        return;
    }
    if (c->nseg == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct sim_timeline_seg *bigger = realloc(c->seg, cap * sizeof *bigger);
        if (!bigger)
            return;                     /* the item keeps its slice, loses this function's */
        c->seg = bigger;
        c->cap = cap;
    }
    c->seg[c->nseg++] = (struct sim_timeline_seg){ .fn = (uint16_t)fn, .at = at, .cycles = cycles };
}

void sim_timeline_wake(struct sim_timeline *t, struct sim_timeline_waker *w)
{
    if (!writing(t) || w->flow || t->depth == 0 || t->depth > SIM_TL_DEPTH)
        return;
    const struct sim_timeline_frame *top = &t->stack[t->depth - 1];
    w->at = top->start + cycles_ps(*top->cycles, top->mhz);
    if (w->at == top->start)
        return;                         /* nothing charged yet: the item may leave no slice */
    w->flow = ++t->next_flow;
    w->cpu = top->cpu;
    w->item_start = top->start;
}

static void write_item(struct sim_timeline *t, int cpu, const char *name, const char *level, sim_ps start,
                       sim_ps end, uint64_t cycles, const uint64_t *delta)
{
    t->events++;
    fprintf(t->f, ",\n{\"name\":");
    json_str(t->f, name);
    fprintf(t->f, ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d", level, cpu);
    ts(t->f, "ts", start);
    ts(t->f, "dur", end - start);
    fprintf(t->f, ",\"args\":{\"cycles\":%llu", (unsigned long long)cycles);
    for (int i = 0; delta && i < t->probe.nargs; i++)
        if (delta[i])
            fprintf(t->f, ",\"%s\":%llu", t->probe.arg_names[i], (unsigned long long)delta[i]);
    fprintf(t->f, "}}");
    if (cpu < 0 || cpu >= t->ncpus)
        return;
    const struct sim_timeline_cpu *c = &t->cpu[cpu];
    uint32_t mhz = t->depth > 0 && t->depth <= SIM_TL_DEPTH ? t->stack[t->depth - 1].mhz : 1000;
    for (size_t k = 0; k < c->nseg; k++) {
        sim_ps s = start + cycles_ps(c->seg[k].at, mhz), e = start + cycles_ps(c->seg[k].at + c->seg[k].cycles, mhz);
        t->events++;
        fprintf(t->f, ",\n{\"name\":\"%s\",\"cat\":\"function\",\"ph\":\"X\",\"pid\":1,\"tid\":%d",
                sim_function_name((enum sim_function)c->seg[k].fn), cpu);
        ts(t->f, "ts", s);
        ts(t->f, "dur", e - s);
        fprintf(t->f, ",\"args\":{\"cycles\":%llu}}", (unsigned long long)c->seg[k].cycles);
    }
}

void sim_timeline_end(struct sim_timeline *t, int cpu, const char *name, const char *level, sim_ps start,
                      sim_ps end, uint64_t cycles, struct sim_timeline_waker *from)
{
    if (!t->f)
        return;
    uint64_t delta[SIM_TL_MAX_ARGS] = {0};
    int d = t->depth - 1;
    if (d >= 0 && d < SIM_TL_DEPTH && t->probe.read_args) {
        uint64_t now[SIM_TL_MAX_ARGS] = {0};
        t->probe.read_args(t->probe.ctx, now);
        for (int i = 0; i < t->probe.nargs; i++) {
            uint64_t all = now[i] - t->stack[d].args_at_start[i];  /* this item's and those inside it */
            delta[i] = all - t->stack[d].args_children[i];
            if (d > 0)
                t->stack[d - 1].args_children[i] += all;
        }
    }
    if (writing(t) && cycles && in_window(t, start, end)) {
        write_item(t, cpu, name, level, start, end, cycles, t->probe.read_args ? delta : NULL);
        if (from && from->flow && from->at >= t->win_start) {
            /* One picosecond before the moment it woke: inside the waker's
             * slice even when that moment is its last (a viewer binds the
             * arrow to the slice enclosing its start). */
            sim_ps at = (from->at < start ? from->at : start) - 1;
            if (at < from->item_start)
                at = from->item_start;
            t->events += 2;
            fprintf(t->f, ",\n{\"name\":\"wakeup\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":%llu,\"pid\":1,\"tid\":%d",
                    (unsigned long long)from->flow, from->cpu);
            ts(t->f, "ts", at);
            fprintf(t->f, "},\n{\"name\":\"wakeup\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":%llu,"
                          "\"pid\":1,\"tid\":%d", (unsigned long long)from->flow, cpu);
            ts(t->f, "ts", start);
            fputc('}', t->f);
        }
    }
    if (from)
        from->flow = 0;
    sample(t, end);
    if (t->depth > 0)
        t->depth--;
}

int sim_timeline_close(struct sim_timeline *t)
{
    if (!t->f)
        return 0;
    if (t->truncated) {
        fprintf(t->f, ",\n{\"name\":\"timeline stopped at %llu events (--timeline-window chooses a span)\","
                      "\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0", (unsigned long long)t->max_events);
        ts(t->f, "ts", t->truncated_at);
        fputc('}', t->f);
    }
    fprintf(t->f, "\n]}\n");
    int rc = ferror(t->f) ? -1 : 0;
    if (fclose(t->f) != 0)
        rc = -1;
    t->f = NULL;
    for (int c = 0; c < t->ncpus; c++)
        free(t->cpu[c].seg);
    free(t->cpu);
    t->cpu = NULL;
    return rc;
}
