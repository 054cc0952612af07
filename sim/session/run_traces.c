/* sim/session/run_traces.c: rxsim run after the parse: each trace (a pipe
 * that must be read more than once spooled to a temporary file first), its
 * host (given, or guessed from the whole trace and announced on stderr), one
 * NIC per trace or --nics shares of one, the replay (all at once, or paced by
 * --realtime), the report.  cmd_run.c is only the command line around it;
 * tests/e2e call it in-process (run_session.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/nic.h"
#include "drivers/nic_trace.h"
#include "sim/session/exit_codes.h"
#include "sim/session/realtime.h"
#include "sim/session/run_session.h"

#define SPOOL_PATH_MAX 4096

/* -c, --start, --duration: the part of each trace the run reads. */
static void run_window(struct trace *t, const struct run_config *c)
{
    trace_set_window(t, &(struct trace_window){ .count = c->count, .start_ns = (int64_t)(c->start * 1e9),
                                                .duration_ns = (int64_t)(c->duration * 1e9) });
}

/* A regular file can be read twice; "-", a pipe or a device only once. */
static bool seekable(const char *path)
{
    struct stat st;
    return strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Copies a trace that can be read only once (standard input, a pipe) to a
 * temporary file in $TMPDIR (or /tmp), removed when run ends: the host
 * guess reads the whole trace before the replay reads it again. */
static int spool(const char *name, char *out, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(out, size, "%s/rxsim-spool-XXXXXX", dir && *dir ? dir : "/tmp");
    int in = strcmp(name, "-") ? open(name, O_RDONLY) : 0;
    if (in < 0) {
        fprintf(stderr, "rxsim run: %s: cannot open: %s\n", name, strerror(errno));
        out[0] = '\0';
        return RX_EXIT_INPUT;
    }
    int fd = mkstemp(out);
    if (fd < 0) {
        fprintf(stderr, "rxsim run: %s: cannot make a temporary file in %s to hold it: %s\n", name,
                dir && *dir ? dir : "/tmp", strerror(errno));
        out[0] = '\0';
        if (in)
            close(in);
        return RX_EXIT_INTERNAL;
    }
    static char buf[1 << 16];
    uint64_t total = 0;
    ssize_t n;
    int rc = RX_EXIT_OK;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "rxsim run: %s: read error after %llu bytes: %s\n", name,
                    (unsigned long long)total, strerror(errno));
            rc = RX_EXIT_INPUT;
            break;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "rxsim run: %s: cannot write the temporary copy %s: %s\n", name, out,
                        strerror(errno));
                rc = RX_EXIT_INTERNAL;
                break;
            }
            done += w;
        }
        if (rc != RX_EXIT_OK)
            break;
        total += (uint64_t)n;
    }
    if (in)
        close(in);
    if (close(fd) < 0 && rc == RX_EXIT_OK) {
        fprintf(stderr, "rxsim run: %s: cannot write the temporary copy %s: %s\n", name, out, strerror(errno));
        rc = RX_EXIT_INTERNAL;
    }
    if (rc == RX_EXIT_OK)
        fprintf(stderr, "rxsim run: %s can be read only once (a pipe) and is needed more than once (the host "
                        "guess, --nics, or named twice): copied to a temporary file (%llu bytes)\n",
                name, (unsigned long long)total);
    return rc;
}

static void human_bytes(uint64_t b, char *buf, size_t size)
{
    if (b < 1000)
        snprintf(buf, size, "%llu bytes", (unsigned long long)b);
    else if (b < 1000000)
        snprintf(buf, size, "%.1f kB", (double)b / 1e3);
    else if (b < 1000000000)
        snprintf(buf, size, "%.2f MB", (double)b / 1e6);
    else
        snprintf(buf, size, "%.2f GB", (double)b / 1e9);
}

/* Says on stderr which host was chosen and why (trace named when several). */
static void announce_guess(const char *trace, const struct run_host_choice *hc)
{
    char pre[4200] = "";
    if (trace)
        snprintf(pre, sizeof pre, "%s: ", trace);
    const struct nic_trace_guess *g = &hc->guess;
    if (g->how == NIC_TRACE_GUESS_PAYLOAD) {
        char mine[32], all[32];
        human_bytes(g->host_payload, mine, sizeof mine);
        human_bytes(g->total_payload, all, sizeof all);
        fprintf(stderr, "rxsim run: %shost %s (receives %s of %s TCP payload%s; --host to choose another)\n",
                pre, hc->addr, mine, all, g->table_full ? ", counting only the first 262144 destinations" : "");
    } else if (g->how == NIC_TRACE_GUESS_SYN) {
        fprintf(stderr, "rxsim run: %shost %s (destination of the first SYN: no TCP payload in the trace; "
                        "--host to choose another)\n", pre, hc->addr);
    } else {
        fprintf(stderr, "rxsim run: warning: %sno host found (no TCP SYN or payload in the trace): every "
                        "frame goes to the stack; --host to choose one\n", pre);
    }
}

/* Each trace: where it is read from (open_path: the trace, or its spooled
 * copy in spooled[]), its host (given, or guessed from the whole trace).
 * RX_EXIT_OK, or the exit status with a message on stderr. */
static int choose_inputs(struct run_session *s, const char *open_path[], char spooled[][SPOOL_PATH_MAX])
{
    struct run_config *c = &s->cfg;
    int rc;
    for (int i = 0; i < c->ntraces; i++) {
        const char *name = c->traces[i];
        open_path[i] = name;
        bool guess = !c->nhosts || !strcmp(c->hosts[i], "guess");
        int reads = (guess ? 2 : 1) * (c->nics > 1 ? (int)c->nics : 1);
        for (int k = 0; k < c->ntraces; k++)
            reads += k != i && !strcmp(c->traces[k], name);
        if (reads > 1 && !seekable(name)) {
            for (int k = 0; k < i; k++)         /* "-" twice: one copy serves both */
                if (!strcmp(c->traces[k], name) && spooled[k][0])
                    open_path[i] = spooled[k];
            if (open_path[i] == name) {
                if ((rc = spool(name, spooled[i], SPOOL_PATH_MAX)) != RX_EXIT_OK)
                    return rc;
                open_path[i] = spooled[i];
            }
        }
        struct run_host_choice *hc = &s->host_choice[i];
        struct nic_trace *ns = &s->src[i];
        ns->any_host = true;
        if (!guess) {
            if (nic_trace_set_host(ns, c->hosts[i]) < 0) {
                fprintf(stderr, "rxsim run: --host '%s': not an IPv4 or IPv6 address (nor 'guess')\n",
                        c->hosts[i]);
                return RX_EXIT_USAGE;
            }
            hc->given = true;
            snprintf(hc->addr, sizeof hc->addr, "%s", c->hosts[i]);
            continue;
        }
        struct trace_err terr;
        struct trace *t = trace_open_as(open_path[i], name, c->filter, &terr);
        if (!t) {
            fprintf(stderr, "rxsim run: %s\n", terr.msg);
            return terr.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
        }
        run_window(t, c);              /* the host is guessed from the frames the run reads */
        if (nic_trace_guess_host(t, &hc->guess) == 0) {
            nic_trace_add_host(ns, hc->guess.v, hc->guess.addr);
            snprintf(hc->addr, sizeof hc->addr, "%s", hc->guess.text);
        } else {
            snprintf(hc->addr, sizeof hc->addr, "any");
        }
        trace_close(t);
        announce_guess(c->ntraces > 1 ? name : NULL, hc);
    }
    return RX_EXIT_OK;
}

/* One NIC per trace, or --nics shares of the one trace, each reading its
 * trace from open_path.  RX_EXIT_OK, or the exit status with a message. */
static int open_nics(struct run_session *s, int nnics, const char *const open_path[])
{
    struct run_config *c = &s->cfg;
    /* --nics: every share has the one trace's host. */
    for (int i = 1; i < nnics && c->nics; i++) {
        nic_trace_copy_host(&s->src[i], &s->src[0]);
        s->host_choice[i] = s->host_choice[0];
    }
    size_t used = 0;
    for (int i = 0; i < c->ntraces && used < sizeof s->host_addr; i++) {
        int w = snprintf(s->host_addr + used, sizeof s->host_addr - used, "%s%s", i ? ", " : "",
                         s->host_choice[i].addr);
        used += w > 0 ? (size_t)w : 0;
    }
    for (int i = 0; i < nnics; i++) {
        struct nic_trace *ns = &s->src[i];
        int ti = c->nics ? 0 : i;
        ns->netns = (uint16_t)ti;               /* each trace its own connection namespace */
        if (c->nics > 1) {
            ns->share = (uint32_t)i;
            ns->nshares = c->nics;
        }
        struct trace_err terr;
        ns->t = trace_open_as(open_path[ti], c->traces[ti], c->filter, &terr);
        if (!ns->t) {
            fprintf(stderr, "rxsim run: %s\n", terr.msg);
            return terr.bad_filter ? RX_EXIT_USAGE : RX_EXIT_INPUT;
        }
        run_window(ns->t, c);
        struct nic_source src = nic_trace_source(ns);
        if (run_session_add_nic(s, &src) < 0)
            return RX_EXIT_INTERNAL;
    }
    return RX_EXIT_OK;
}

/* The event queue run dry, or paced (--realtime), then the report. */
static int replay(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    int rt = -1;                        /* --realtime: 0 drained, 1 Ctrl-C, -1 off or failed */
    if (c->realtime > 0) {
        c->progress = false;
        rt = realtime_run(&s->m.q, c->realtime, run_session_live_line, s, stderr);
        if (rt < 0)
            fprintf(stderr, "rxsim run: warning: --realtime: event loop failed; finishing unpaced\n");
        else if (rt == 1)
            fprintf(stderr, "rxsim run: interrupted at %.6f s simulated: the report covers what ran\n",
                    (double)s->m.q.now / (double)SIM_PS_PER_SEC);
    }
    if (rt < 0)
        run_session_drain(s);
    return run_session_report(s);
}

int run_session_run(struct run_session *s)
{
    struct run_config *c = &s->cfg;
    char spooled[RUN_MAX_TRACES][SPOOL_PATH_MAX] = {{0}};
    const char *open_path[RUN_MAX_TRACES];
    if (c->closed)
        return run_session_closed(s);
    int nnics = c->nics ? (int)c->nics : c->ntraces;
    int rc = run_session_init(s, "rxsim run", nnics);
    if (rc == RX_EXIT_OK)
        rc = choose_inputs(s, open_path, spooled);
    if (rc == RX_EXIT_OK)
        rc = open_nics(s, nnics, open_path);
    if (rc == RX_EXIT_OK)
        rc = run_session_start(s);
    if (rc == RX_EXIT_OK)
        rc = replay(s);
    for (int i = 0; i < RUN_MAX_TRACES; i++)    /* open copies stay readable until closed */
        if (spooled[i][0])
            unlink(spooled[i]);
    return rc;
}
