/* sim/timeline.c: see timeline.h.  Times are microseconds with picosecond
 * digits, as the trace-event format wants. */
#include "sim/timeline.h"

#include <string.h>

int sim_timeline_open(struct sim_timeline *t, const char *path, int ncpus, uint64_t max_events)
{
    *t = (struct sim_timeline){ .max_events = max_events };
    t->f = fopen(path, "w");
    if (!t->f)
        return -1;
    fprintf(t->f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
                  "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"rxsim\"}}");
    for (int c = 0; c < ncpus; c++)
        fprintf(t->f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"CPU %d\"}}",
                c, c);
    return 0;
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

void sim_timeline_item(struct sim_timeline *t, int cpu, const char *name, const char *level,
                       sim_ps start, sim_ps end)
{
    if (!t->f)
        return;
    if (t->events >= t->max_events) {
        t->truncated = true;
        return;
    }
    t->events++;
    fprintf(t->f, ",\n{\"name\":");
    json_str(t->f, name);
    fprintf(t->f, ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%lld.%06lld,\"dur\":%lld.%06lld}",
            level, cpu, (long long)(start / SIM_PS_PER_US), (long long)(start % SIM_PS_PER_US),
            (long long)((end - start) / SIM_PS_PER_US), (long long)((end - start) % SIM_PS_PER_US));
}

int sim_timeline_close(struct sim_timeline *t)
{
    if (!t->f)
        return 0;
    if (t->truncated)
        fprintf(t->f, ",\n{\"name\":\"timeline truncated at %llu events\",\"ph\":\"i\",\"s\":\"g\",\"pid\":1,"
                      "\"tid\":0,\"ts\":0}", (unsigned long long)t->max_events);
    fprintf(t->f, "\n]}\n");
    int rc = ferror(t->f) ? -1 : 0;
    if (fclose(t->f) != 0)
        rc = -1;
    t->f = NULL;
    return rc;
}
