/* sim/validate/perf_script.c: reads `perf script` text one sample at a time
 * (format in perf_script.h).  Strict on shape, because a silently skipped
 * line would be a silently lost sample: anything that is neither a sample
 * header nor a frame line is an error naming its line. */
#include "sim/validate/perf_script.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Addresses from here up are the kernel's (x86-64 canonical upper half). */
#define KERNEL_ADDR_MIN 0xffff800000000000ull

void perf_script_open(struct perf_script *ps, FILE *f, const char *name_for_errors)
{
    memset(ps, 0, sizeof *ps);
    ps->f = f;
    ps->name = name_for_errors;
}

static int fail(struct perf_script *ps, long line, char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s:%ld: %s", ps->name, line, why);
    return -1;
}

/* One line into ps->buf without its newline: 1, or 0 at EOF.  A longer
 * line (a demangled C++ symbol of another process) keeps its first 1023
 * bytes: the address and the start of the name are all a frame needs. */
static int read_line(struct perf_script *ps)
{
    if (!fgets(ps->buf, sizeof ps->buf, ps->f))
        return 0;
    ps->line++;
    size_t n = strlen(ps->buf);
    if (n && ps->buf[n - 1] == '\n') {
        ps->buf[--n] = 0;
    } else {
        int c;
        while ((c = getc(ps->f)) != EOF && c != '\n')
            ;
    }
    if (n && ps->buf[n - 1] == '\r')
        ps->buf[--n] = 0;
    return 1;
}

static bool blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == 0;
}

/* "comm with spaces 4242/4243 [001] cpu-clock:" read from the right: the
 * "[cpu]" token, before it "pid/tid", before that the comm. */
static bool parse_header(const char *line, struct perf_sample *s)
{
    const char *lb = NULL;
    for (const char *p = strstr(line, " ["); p; p = strstr(p + 1, " ["))
        if (isdigit((unsigned char)p[2]))
            lb = p;
    if (!lb)
        return false;
    char *end;
    long cpu = strtol(lb + 2, &end, 10);
    if (*end != ']' || cpu < 0 || cpu > 4095 || !strchr(end, ':'))
        return false;
    const char *te = lb;                        /* back over the padding, then "pid/tid" */
    while (te > line && te[-1] == ' ')
        te--;
    const char *pt = te;
    while (pt > line && pt[-1] != ' ')
        pt--;
    if (pt == line)
        return false;
    long pid = strtol(pt, &end, 10);
    if (end == pt || *end != '/')
        return false;
    const char *t = end + 1;
    long tid = strtol(t, &end, 10);
    if (end == t || end != te || pid < -1 || tid < -1)     /* perf prints -1 when unknown */
        return false;
    size_t clen = (size_t)(pt - line);
    while (clen && line[clen - 1] == ' ')
        clen--;
    if (clen >= sizeof s->comm)
        clen = sizeof s->comm - 1;
    memcpy(s->comm, line, clen);
    s->comm[clen] = 0;
    s->pid = (int)pid;
    s->tid = (int)tid;
    s->cpu = (int)cpu;
    s->nframes = 0;
    return true;
}

/* "\t ffffffff81a2b3c4 symbol" → a frame (dropped, not an error, past the
 * maximum depth). */
static bool parse_frame(const char *line, struct perf_sample *s)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    char *end;
    errno = 0;
    unsigned long long ip = strtoull(p, &end, 16);
    if (end == p || errno || (*end != ' ' && *end != '\t'))
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    if (!*end)
        return false;
    if (s->nframes == PERF_SCRIPT_MAX_FRAMES)
        return true;
    struct perf_frame *f = &s->frame[s->nframes++];
    f->kernel = ip >= KERNEL_ADDR_MIN;
    size_t n = strcspn(end, " \t");             /* the symbol; a "(dso)" after it is ignored */
    if (n >= sizeof f->sym)
        n = sizeof f->sym - 1;
    memcpy(f->sym, end, n);
    f->sym[n] = 0;
    return true;
}

int perf_script_next(struct perf_script *ps, struct perf_sample *s, char *err, size_t errlen)
{
    int r;
    if (!ps->pending) {                         /* find the next header */
        for (;;) {
            r = read_line(ps);
            if (r == 0)
                return 0;
            if (blank(ps->buf))
                continue;
            if (ps->buf[0] == '\t' || ps->buf[0] == ' ')
                return fail(ps, ps->line, err, errlen, "a call-chain frame before any sample header");
            break;
        }
    }
    ps->pending = false;
    if (!parse_header(ps->buf, s))
        return fail(ps, ps->line, err, errlen,
                    "neither a sample header (\"comm pid/tid [cpu] event:\") nor a frame");
    s->line = ps->line;
    bool at_end = false;
    for (;;) {
        r = read_line(ps);
        at_end = r == 0;
        if (r == 0 || blank(ps->buf))
            break;
        if (ps->buf[0] != '\t' && ps->buf[0] != ' ') {
            ps->pending = true;                 /* the next header, no blank line between */
            break;
        }
        if (!parse_frame(ps->buf, s))
            return fail(ps, ps->line, err, errlen, "a frame line that is not \"address symbol\"");
    }
    /* A header and then a blank line or the next header: perf had no chain
     * for it (seen under load: about 1 in 3000 samples); attrib counts it as
     * OTHER.  A header at the very end with no frame: the text was cut. */
    if (s->nframes == 0 && at_end)
        return fail(ps, s->line, err, errlen,
                    "sample with no call chain at the end of the text (truncated, or recorded without -g)");
    return 1;
}
