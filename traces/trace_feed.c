/* traces/trace_feed.c: see trace_feed.h.  A feed is a plain handle (the
 * reader) plus a window of copies of the records it returned, each with the
 * warning lines the reader said while reading up to it; handles on the feed
 * replay those lines through their own count, so what each prints and counts
 * is what it would have printed and counted reading the file alone. */
#include "traces/trace_feed.h"

#include <stdlib.h>
#include <string.h>

#include "traces/trace_impl.h"

#define FEED_KEEP_BEHIND 8      /* records kept below the slowest handle: the NIC's look-ahead */

struct feed_rec {
    struct trace_record rec;
    uint64_t records;           /* the reader's count after it (records before the filter) */
    char *said;                 /* warning lines said before it was returned, or NULL */
    uint8_t data[];
};

struct said {                   /* a growing string of lines */
    char *text;
    size_t len, cap;
};

struct trace_feed {
    char *path, *name, *filter;
    struct trace *reader;
    struct said pending;        /* warnings said since the last record */
    /* the window: records first .. first + count - 1 */
    struct feed_rec **ring;
    size_t cap, head, count;
    uint64_t first;
    size_t held;                /* bytes of copies */
    int end;                    /* 1 reading; 0 clean end; -1 failed */
    struct trace_err end_err;
    uint64_t end_records;
    char *end_said;
    struct trace **handles;
    size_t nhandles, handles_cap;
    struct said memo_said;      /* what a private pass printed, for its memo */
    uint64_t memo_warned;       /* its warnings so far: only the first few are printed */
};

static struct trace_feed_hooks hooks;
static struct trace_feed **feeds;
static size_t nfeeds;

static void said_add(struct said *s, const char *line)
{
    size_t n = strlen(line);
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *t = realloc(s->text, cap);
        if (!t)
            return;             /* out of memory: the line is lost, not the run */
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, line, n + 1);
    s->len += n;
}

static char *said_take(struct said *s)
{
    char *t = s->text;
    *s = (struct said){ 0 };
    return t;
}

static void reader_said(void *ctx, const char *line, bool warning)
{
    if (warning)                /* the reader's own "in all" line is never repeated */
        said_add(&((struct trace_feed *)ctx)->pending, line);
}

static void memo_said(void *ctx, const char *line, bool warning)
{
    struct trace_feed *f = ctx;
    if (warning && ++f->memo_warned > TRACE_WARN_SHOWN)
        return;                 /* what a plain handle would have kept to itself */
    said_add(&f->memo_said, line);
}

/* The lines a handle would have printed reading the file itself. */
static void replay(struct trace *t, const char *said)
{
    for (const char *p = said; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (++t->warnings <= TRACE_WARN_SHOWN)
            fwrite(p, 1, n, stderr);
        p += n;
    }
}


static bool same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* A whole-trace pass's answer (the host guess), kept for the life of the
 * process: feeds come and go (a set per group of rows), and a worker forked
 * after the answer was found inherits it. */
struct memo {
    char *path, *name, *filter;
    void *answer;
    size_t size;
    char *said;                 /* the lines the pass printed */
    struct memo *next;
};
static struct memo *memos;

static struct memo *memo_find(const struct trace_feed *f)
{
    for (struct memo *m = memos; m; m = m->next)
        if (!strcmp(m->path, f->path) && !strcmp(m->name, f->name) && same(m->filter, f->filter))
            return m;
    return NULL;
}

static struct trace_feed *feed_new(const char *path, const char *name, const char *filter,
                                   struct trace_err *err)
{
    struct trace_feed **grown = realloc(feeds, (nfeeds + 1) * sizeof *feeds);
    if (!grown)
        return NULL;
    feeds = grown;
    struct trace_feed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->reader = trace_open_direct(path, name, filter, err);
    if (!f->reader) {
        free(f);
        return NULL;
    }
    f->path = strdup(path);
    f->name = strdup(name);
    f->filter = filter ? strdup(filter) : NULL;
    f->reader->say = reader_said;
    f->reader->say_ctx = f;
    f->end = 1;
    feeds[nfeeds++] = f;
    return f;
}

static struct trace *feed_open(const char *path, const char *name, const char *filter, struct trace_err *err)
{
    if (!path || !name)
        return trace_open_direct(path, name, filter, err);
    struct trace_feed *f = NULL;
    for (size_t i = 0; i < nfeeds && !f; i++)
        if (!strcmp(feeds[i]->path, path) && !strcmp(feeds[i]->name, name) && same(feeds[i]->filter, filter) &&
            feeds[i]->first == 0)       /* a late handle starts at record 0: the window must still hold it */
            f = feeds[i];
    if (!f && !(f = feed_new(path, name, filter, err)))
        return NULL;
    struct trace *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(f->reader->path)))
        goto out_nomem;
    if (f->nhandles == f->handles_cap) {
        size_t cap = f->handles_cap ? f->handles_cap * 2 : 8;
        struct trace **h = realloc(f->handles, cap * sizeof *h);
        if (!h)
            goto out_nomem;
        f->handles = h;
        f->handles_cap = cap;
    }
    f->handles[f->nhandles++] = t;
    const struct trace *r = f->reader;
    t->dlt = r->dlt;
    t->snaplen = r->snaplen;
    t->nanosecond = r->nanosecond;
    t->pcapng = r->pcapng;
    t->pcapng_swapped = r->pcapng_swapped;
    t->pcap_rec_hdr = r->pcap_rec_hdr;
    t->feed = f;
    return t;

out_nomem:
    if (t)
        free(t->path);
    free(t);
    if (err)
        snprintf(err->msg, sizeof err->msg, "%s: out of memory (0 records read)", name);
    return NULL;
}

/* Reads the reader's next record into the window: 1, or 0 at its end. */
static int feed_read(struct trace_feed *f)
{
    if (f->end != 1)
        return 0;
    struct trace_record rec;
    struct trace_err err;
    int rc = trace_next(f->reader, &rec, &err);
    if (rc <= 0) {
        f->end = rc;
        f->end_err = err;
        f->end_records = f->reader->records;
        f->end_said = said_take(&f->pending);
        return 0;
    }
    struct feed_rec *e = malloc(sizeof *e + rec.caplen);
    if (e && f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        struct feed_rec **ring = malloc(cap * sizeof *ring);
        if (ring) {
            for (size_t i = 0; i < f->count; i++)
                ring[i] = f->ring[(f->head + i) % f->cap];
            free(f->ring);
            f->ring = ring;
            f->cap = cap;
            f->head = 0;
        }
    }
    if (!e || f->count == f->cap) {
        free(e);
        f->end = -1;            /* the handles see a read error, not wrong records */
        snprintf(f->end_err.msg, sizeof f->end_err.msg, "%s: record %llu: out of memory holding the trace",
                 f->name, (unsigned long long)rec.index);
        f->end_err.bad_filter = false;
        f->end_records = f->reader->records;
        f->end_said = said_take(&f->pending);
        return 0;
    }
    e->rec = rec;
    memcpy(e->data, rec.data, rec.caplen);
    e->rec.data = e->data;
    e->records = f->reader->records;
    e->said = said_take(&f->pending);
    f->ring[(f->head + f->count) % f->cap] = e;
    f->count++;
    f->held += sizeof *e + rec.caplen;
    return 1;
}

static int feed_next(struct trace *t, struct trace_record *rec, struct trace_err *err)
{
    struct trace_feed *f = t->feed;
    uint64_t pos = t->feed_pos;
    while (pos >= f->first + f->count)
        if (!feed_read(f)) {
            replay(t, f->end_said);
            t->records = f->end_records;
            if (f->end == 0) {
                t->state = TRACE_EOF;
                return 0;
            }
            t->state = TRACE_FAILED;
            t->failure = f->end_err;
            if (err)
                *err = t->failure;
            return -1;
        }
    struct feed_rec *e = f->ring[(f->head + (pos - f->first)) % f->cap];
    replay(t, e->said);
    t->records = e->records;
    *rec = e->rec;
    t->feed_pos = pos + 1;
    if (hooks.took)
        hooks.took(hooks.ctx, t, pos);
    return 1;
}

static void feed_leave(struct trace *t)
{
    struct trace_feed *f = t->feed;
    for (size_t i = 0; i < f->nhandles; i++)
        if (f->handles[i] == t) {
            f->handles[i] = f->handles[--f->nhandles];
            break;
        }
    t->feed = NULL;
}

uint64_t trace_feed_pos(const struct trace *t)
{
    return t->feed ? t->feed_pos : 0;
}

void trace_feeds_release(void)
{
    for (size_t i = 0; i < nfeeds; i++) {
        struct trace_feed *f = feeds[i];
        uint64_t low = f->first + f->count;
        for (size_t h = 0; h < f->nhandles; h++)
            if (f->handles[h]->feed_pos < low)
                low = f->handles[h]->feed_pos;
        low = low > FEED_KEEP_BEHIND ? low - FEED_KEEP_BEHIND : 0;
        while (f->first < low && f->count) {
            struct feed_rec *e = f->ring[f->head];
            f->held -= sizeof *e + e->rec.caplen;
            free(e->said);
            free(e);
            f->head = (f->head + 1) % f->cap;
            f->count--;
            f->first++;
        }
    }
}

static const struct trace_feed_ops feed_ops = { .open = feed_open, .next = feed_next, .leave = feed_leave };

void trace_feeds_start(const struct trace_feed_hooks *h)
{
    hooks = h ? *h : (struct trace_feed_hooks){ 0 };
    trace_feed_ops = &feed_ops;
}

size_t trace_feeds_held(void)
{
    size_t n = 0;
    for (size_t i = 0; i < nfeeds; i++)
        n += feeds[i]->held;
    return n;
}

void trace_feeds_stop(void)
{
    for (size_t i = 0; i < nfeeds; i++) {
        struct trace_feed *f = feeds[i];
        for (size_t h = 0; h < f->nhandles; h++)
            f->handles[h]->feed = NULL;     /* a handle left open reads nothing more */
        for (size_t k = 0; k < f->count; k++) {
            struct feed_rec *e = f->ring[(f->head + k) % f->cap];
            free(e->said);
            free(e);
        }
        trace_close(f->reader);
        free(f->ring);
        free(f->handles);
        free(f->pending.text);
        free(f->end_said);
        free(f->memo_said.text);
        free(f->path);
        free(f->name);
        free(f->filter);
        free(f);
    }
    free(feeds);
    feeds = NULL;
    nfeeds = 0;
    trace_feed_ops = NULL;
    hooks = (struct trace_feed_hooks){ 0 };
}

bool trace_feed_recall(struct trace *t, void *out, size_t size)
{
    const struct memo *m = t->feed ? memo_find(t->feed) : NULL;
    if (!m || m->size != size)
        return false;
    trace_put_lines(m->said);
    memcpy(out, m->answer, size);
    return true;
}

struct trace *trace_feed_private(struct trace *t)
{
    struct trace_feed *f = t->feed;
    if (!f || memo_find(f))
        return NULL;
    struct trace_err err;
    struct trace *p = trace_open_direct(f->path, f->name, f->filter, &err);
    if (p) {
        p->say = memo_said;
        p->say_ctx = f;
        trace_set_window(p, &t->win);   /* the pass reads what the handle will */
    }
    return p;
}

void trace_feed_remember(struct trace *t, struct trace *priv, const void *answer, size_t size)
{
    struct trace_feed *f = t->feed;
    trace_close(priv);          /* its "in all" line belongs to the pass */
    struct memo *m = f && !memo_find(f) ? calloc(1, sizeof *m) : NULL;
    if (!m)
        return;
    m->path = strdup(f->path);
    m->name = strdup(f->name);
    m->filter = f->filter ? strdup(f->filter) : NULL;
    m->answer = malloc(size);
    if (!m->path || !m->name || (f->filter && !m->filter) || !m->answer) {
        free(m->path);
        free(m->name);
        free(m->filter);
        free(m->answer);
        free(m);
        return;                 /* every asker makes its own pass */
    }
    memcpy(m->answer, answer, size);
    m->size = size;
    m->said = said_take(&f->memo_said);
    m->next = memos;
    memos = m;
}
