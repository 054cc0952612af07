/* traces/trace.c: pcap and pcapng files through libpcap, one record at a time.
 * See trace.h for the contract.
 *
 * libpcap does the parsing; this file adds what a replay tool needs on top:
 * where each record starts in the file, a record count that includes the
 * records the --filter rejects, nanosecond timestamps whatever the file holds,
 * and messages that say where a file went bad.
 *
 * Byte offsets.  libpcap reads through the FILE* we hand it; ftell() on it
 * costs an lseek() in glibc (two per record would cost more than libpcap's
 * own parsing), so offsets are tracked instead.  pcap: the next record starts
 * record header + caplen further on, checked with ftell() only where libpcap
 * may have skipped bytes and every TRACE_RESYNC records (see locate()).
 * pcapng: one ftell() after each record; libpcap silently consumes interface
 * and statistics blocks before a packet block, so when the distance read is
 * not that of an option-less EPB/SPB for the record's caplen, the packet
 * block's start is found from its trailing copy of the block length (every
 * pcapng block ends with one), read with pread() so the stream is untouched.
 *
 * Errors (trace_open() NULL or trace_next() -1; the trace stops there):
 *   - the file cannot be opened or read (errno text);
 *   - not a capture file / unsupported pcap version / corrupt pcapng header
 *     (libpcap's text);
 *   - link type not in traces/linktype.h;
 *   - the --filter expression does not compile;
 *   - pcap_next_ex() fails: a record header cut short, a record whose data is
 *     cut short ("truncated dump file; tried to read N captured bytes, only
 *     got M"), a caplen above the largest libpcap accepts for the link type
 *     (262144 for Ethernet), a corrupt pcapng block;
 *   - a timestamp that does not fit int64 nanoseconds (pcapng's 64-bit
 *     timestamps can overflow it).
 * Warnings (the record is delivered; stderr, at most TRACE_WARN_SHOWN per
 * file, and trace_close() prints how many there were in all):
 *   - caplen > wirelen (the record is passed on with both values untouched:
 *     consumers bound every read by caplen, as they must anyway);
 *   - a pcap record longer than the file's snaplen (libpcap hands out only the
 *     first snaplen bytes and skips the rest, which we report);
 *   - a timestamp earlier than the previous record's.
 *
 * Message format, one line, no trailing newline:
 *   "FILE: record N at byte offset B: REASON (M records read)"   errors
 *   "FILE: file header at byte offset 0: REASON (0 records read)" open errors
 *   "FILE: record N at byte offset B: warning: REASON"           warnings
 */
#include "traces/trace.h"

#include "traces/linktype.h"
#include "traces/trace_impl.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACE_RESYNC 4096     /* pcap: check the offset arithmetic this often */
#define NS_PER_S 1000000000LL

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u    /* 24-byte record headers */
#define PCAPNG_SHB_TYPE 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB_TYPE 1u
#define PCAPNG_OPT_TSRESOL 9u
#define PCAPNG_PROBE_BYTES 65536    /* first IDB looked for within this prefix */

static void err_set(struct trace_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void err_set(struct trace_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    err->bad_filter = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static uint32_t rd32(const uint8_t *p, bool big_endian)
{
    if (big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool big_endian)
{
    return big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static bool host_big_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 0;
}

/* if_tsresol of the first IDB: true when finer than a microsecond.  Reads a
 * bounded prefix and checks every length against it; anything odd means
 * "default resolution", and libpcap reports the real problem when it reads. */
static bool pcapng_probe_nanosecond(const uint8_t *b, size_t n, bool be)
{
    size_t pos = 0;
    while (n - pos >= 12) {
        uint32_t type = rd32(b + pos, be), len = rd32(b + pos + 4, be);
        if (len < 12 || len % 4 || len > n - pos)
            return false;
        if (type == PCAPNG_IDB_TYPE) {
            /* linktype (2), reserved (2), snaplen (4), then options */
            size_t o = pos + 16, end = pos + len - 4;
            while (o + 4 <= end) {
                uint16_t code = rd16(b + o, be), olen = rd16(b + o + 2, be);
                if (code == 0 || olen > end - o - 4)
                    return false;
                if (code == PCAPNG_OPT_TSRESOL && olen >= 1) {
                    uint8_t v = b[o + 4];
                    /* 10^-v, or 2^-v with the top bit; 2^-20 s < 1 us */
                    return (v & 0x80) ? (v & 0x7f) >= 20 : v > 6;
                }
                o += 4 + ((olen + 3u) & ~3u);
            }
            return false;   /* no if_tsresol: microseconds */
        }
        pos += len;
    }
    return false;
}

/* Fills format, byte order and resolution from the file's first bytes. */
static void probe_header(struct trace *t)
{
    uint8_t *b = malloc(PCAPNG_PROBE_BYTES);
    if (!b)
        return;
    ssize_t n = pread(fileno(t->file), b, PCAPNG_PROBE_BYTES, 0);
    t->pcap_rec_hdr = 16;
    if (n >= 12 && rd32(b, false) == PCAPNG_SHB_TYPE) {
        t->pcapng = true;
        bool be = rd32(b + 8, true) == PCAPNG_BOM;
        t->pcapng_swapped = be != host_big_endian();
        t->nanosecond = pcapng_probe_nanosecond(b, (size_t)n, be);
    } else if (n >= 4) {
        uint32_t m = rd32(b, false);
        if (m != PCAP_MAGIC_US && m != PCAP_MAGIC_NS && m != PCAP_MAGIC_KUZNETZOV)
            m = rd32(b, true);
        t->nanosecond = m == PCAP_MAGIC_NS;
        if (m == PCAP_MAGIC_KUZNETZOV)
            t->pcap_rec_hdr = 24;
    }
    free(b);
}

static void open_fail(struct trace_err *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void open_fail(struct trace_err *err, const char *path, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    err_set(err, "%s: file header at byte offset 0: %s (0 records read)", path, reason);
}

struct trace *trace_open(const char *path, const char *filter, struct trace_err *err)
{
    return trace_open_as(path, path, filter, err);
}

const struct trace_feed_ops *trace_feed_ops;

struct trace *trace_open_as(const char *path, const char *name, const char *filter, struct trace_err *err)
{
    if (trace_feed_ops)
        return trace_feed_ops->open(path, name, filter, err);
    return trace_open_direct(path, name, filter, err);
}

struct trace *trace_open_direct(const char *path, const char *name, const char *filter, struct trace_err *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    struct stat st;

    if (!path) {
        err_set(err, "(null): no trace file given (0 records read)");
        return NULL;
    }
    bool is_stdin = !strcmp(path, "-");
    int fd0 = is_stdin ? dup(0) : -1;
    FILE *f = is_stdin ? (fd0 >= 0 ? fdopen(fd0, "rb") : NULL) : fopen(path, "rb");
    if (!f) {
        if (fd0 >= 0)
            close(fd0);
        err_set(err, "%s: cannot open: %s (0 records read)", name, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        err_set(err, "%s: cannot read: is a directory (0 records read)", name);
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
        fclose(f);
        open_fail(err, name, "empty file, not a capture file");
        return NULL;
    }
    path = name;                /* every message from here on names the trace as the user did */

    struct trace *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        fclose(f);
        err_set(err, "%s: out of memory (0 records read)", path);
        return NULL;
    }
    t->file = f;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        t->size = (uint64_t)st.st_size;
    probe_header(t);

    t->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!t->pcap) {
        /* libpcap leaves a stream it was handed open on failure */
        fclose(f);
        open_fail(err, path, "not a readable pcap or pcapng file: %s", errbuf);
        free(t->path);
        free(t);
        return NULL;
    }
    t->dlt = pcap_datalink(t->pcap);
    int snap = pcap_snapshot(t->pcap);
    t->snaplen = snap > 0 ? (uint32_t)snap : 0;

    if (!linktype_supported(t->dlt)) {
        const char *dlt_name = pcap_datalink_val_to_name(t->dlt);
        const char *desc = pcap_datalink_val_to_description(t->dlt);
        open_fail(err, path, "unsupported link type %d (%s%s%s); rxsim reads Ethernet, "
                  "LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL and LOOP",
                  t->dlt, dlt_name ? dlt_name : linktype_name(t->dlt), desc ? ": " : "", desc ? desc : "");
        trace_close(t);
        return NULL;
    }

    if (filter && *filter) {
        if (pcap_compile(t->pcap, &t->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            open_fail(err, path, "bad --filter '%s' for link type %s: %s", filter,
                      linktype_name(t->dlt), pcap_geterr(t->pcap));
            if (err)
                err->bad_filter = true;
            trace_close(t);
            return NULL;
        }
        t->have_filter = true;
    }
    t->last_ts_ns = INT64_MIN;
    long start = ftell(f);     /* libpcap has read the file header (and pcapng's first blocks) */
    t->pos = start > 0 ? (uint64_t)start : 0;
    return t;
}

static void fail(struct trace *t, struct trace_err *err, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct trace *t, struct trace_err *err, uint64_t offset, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    t->state = TRACE_FAILED;
    snprintf(t->failure.msg, sizeof t->failure.msg,
             "%s: record %llu at byte offset %llu: %s (%llu records read)", t->path,
             (unsigned long long)(t->records + 1), (unsigned long long)offset, reason,
             (unsigned long long)t->records);
    if (err)
        *err = t->failure;
}

static void warn(struct trace *t, uint64_t index, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(struct trace *t, uint64_t index, uint64_t offset, const char *fmt, ...)
{
    if (++t->warnings > TRACE_WARN_SHOWN && !t->say)
        return;
    char reason[512], line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: record %llu at byte offset %llu: warning: %s\n", t->path,
             (unsigned long long)index, (unsigned long long)offset, reason);
    trace_say(t, line, true);
}

static const char *line_prefix;

void trace_set_prefix(const char *prefix)
{
    line_prefix = prefix;
}

void trace_put_lines(const char *lines)
{
    for (const char *p = lines; p && *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(stderr, "%s%s%.*s\n", line_prefix ? line_prefix : "", line_prefix ? ": " : "", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

void trace_say(struct trace *t, const char *line, bool warning)
{
    if (t->say)
        t->say(t->say_ctx, line, warning);
    else
        trace_put_lines(line);
}

/* Start of the pcapng packet block that ends at `after`, reading having begun
 * at `before`; see the file comment. */
static uint64_t pcapng_record_start(const struct trace *t, uint64_t before, uint64_t after,
                                    uint32_t caplen)
{
    uint64_t padded = ((uint64_t)caplen + 3) & ~(uint64_t)3;
    uint64_t span = after - before;
    if (span == 32 + padded || span == 16 + padded)   /* EPB or SPB, no options */
        return before;
    uint8_t b[4];
    if (after < 12 || pread(fileno(t->file), b, 4, (off_t)(after - 4)) != 4)
        return before;
    uint32_t len = rd32(b, host_big_endian() != t->pcapng_swapped);
    if (len < 12 || len % 4 || len > span)
        return before;
    return after - len;
}

/* Where the record just read started, and where the next one starts
 * (t->pos).  For pcap the next position is arithmetic, so no system call is
 * made per record; ftell() is asked only when libpcap may have skipped bytes
 * (caplen == snaplen: a longer record cut to the snaplen) and every
 * TRACE_RESYNC records as a check, which switches to asking every time if the
 * arithmetic was ever wrong (an exotic pcap variant). */
static uint64_t locate(struct trace *t, uint32_t caplen)
{
    uint64_t start = t->pos;
    if (t->pcapng) {
        long after = ftell(t->file);
        if (after >= 0 && (uint64_t)after > start) {
            start = pcapng_record_start(t, start, (uint64_t)after, caplen);
            t->pos = (uint64_t)after;
        }
        return start;
    }
    uint64_t expect = start + t->pcap_rec_hdr + caplen;
    if (!t->pcap_ask && caplen != t->snaplen && (t->records + 1) % TRACE_RESYNC) {
        t->pos = expect;
        return start;
    }
    long after = ftell(t->file);
    if (after < 0 || (uint64_t)after <= start) {
        t->pos = expect;
        return start;
    }
    if ((uint64_t)after > expect && caplen == t->snaplen) {
        warn(t, t->records + 1, start,
             "captured length %llu exceeds the file's snaplen %u; only the first %u bytes are used",
             (unsigned long long)((uint64_t)after - start - t->pcap_rec_hdr), t->snaplen, caplen);
    } else if ((uint64_t)after != expect) {
        t->pcap_ask = true;
    }
    t->pos = (uint64_t)after;
    return start;
}

static int read_next(struct trace *t, struct trace_record *rec, struct trace_err *err)
{
    if (t->feed)
        return trace_feed_ops->next(t, rec, err);
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(t->pcap, &h, &data);
        if (r == PCAP_ERROR_BREAK || r == 0) {   /* 0 (timeout) never happens offline */
            t->state = TRACE_EOF;
            return 0;
        }
        if (r != 1) {
            fail(t, err, t->pos, "%s", pcap_geterr(t->pcap));
            return -1;
        }
        uint64_t off = locate(t, h->caplen);

        /* tv_usec holds nanoseconds: the file was opened with NANO precision */
        int64_t sec = (int64_t)h->ts.tv_sec, ns;
        if (__builtin_mul_overflow(sec, NS_PER_S, &ns) ||
            __builtin_add_overflow(ns, (int64_t)h->ts.tv_usec, &ns)) {
            fail(t, err, off, "timestamp out of range (%lld s)", (long long)sec);
            return -1;
        }
        t->records++;

        if (h->caplen > h->len)
            warn(t, t->records, off, "captured length %u exceeds wire length %u",
                 h->caplen, h->len);
        if (ns < t->last_ts_ns) {
            /* seconds rounded down, so a time before 1970 prints as -2.500000000, not -1.-500000000 */
            int64_t whole = ns / NS_PER_S, frac = ns % NS_PER_S;
            if (frac < 0)
                whole--, frac += NS_PER_S;
            warn(t, t->records, off, "timestamp %lld.%09lld is earlier than the previous record's",
                 (long long)whole, (long long)frac);
        }
        t->last_ts_ns = ns;

        if (t->have_filter && !pcap_offline_filter(&t->prog, h, data))
            continue;

        rec->index = t->records;
        rec->offset = off;
        rec->ts_ns = ns;
        rec->caplen = h->caplen;
        rec->wirelen = h->len;
        rec->data = data;
        return 1;
    }
}

int trace_next(struct trace *t, struct trace_record *rec, struct trace_err *err)
{
    if (t->state == TRACE_FAILED) {
        if (err)
            *err = t->failure;
        return -1;
    }
    if (t->state == TRACE_EOF)
        return 0;
    while (!t->win.count || t->win_taken < t->win.count) {
        int rc = read_next(t, rec, err);
        if (rc != 1 || !t->win_on)
            return rc;
        if (!t->win_started) {
            t->win_started = true;
            t->win_first_ns = rec->ts_ns;
        }
        int64_t rel = rec->ts_ns - t->win_first_ns;     /* may be < 0: time going backwards */
        if (rel < t->win.start_ns) {
            t->win_skipped++;
            continue;
        }
        if (t->win.duration_ns && rel - t->win.start_ns >= t->win.duration_ns)
            break;
        t->win_taken++;
        return 1;
    }
    t->state = TRACE_EOF;       /* the window's end: read no further */
    if (t->feed)
        trace_feed_ops->leave(t);
    return 0;
}

void trace_set_window(struct trace *t, const struct trace_window *w)
{
    t->win = *w;
    t->win_on = w->count || w->start_ns || w->duration_ns;
}

uint64_t trace_window_skipped(const struct trace *t)
{
    return t->win_skipped;
}

uint64_t trace_file_size(const struct trace *t)
{
    return t->feed ? 0 : t->size;
}

uint64_t trace_file_pos(const struct trace *t)
{
    return t->feed ? 0 : t->pos;
}

int trace_linktype(const struct trace *t)
{
    return t->dlt;
}

const char *trace_path(const struct trace *t)
{
    return t->path;
}

bool trace_nanosecond(const struct trace *t)
{
    return t->nanosecond;
}

const char *trace_format(const struct trace *t)
{
    return t->pcapng ? "pcapng" : "pcap";
}

uint32_t trace_snaplen(const struct trace *t)
{
    return t->snaplen;
}

uint64_t trace_records_read(const struct trace *t)
{
    return t->records;
}

uint64_t trace_warnings(const struct trace *t)
{
    return t->warnings;
}

void trace_close(struct trace *t)
{
    if (!t)
        return;
    if (t->warnings > TRACE_WARN_SHOWN) {
        char line[4200];
        snprintf(line, sizeof line, "%s: %llu warnings in all, the first %d shown\n", t->path,
                 (unsigned long long)t->warnings, TRACE_WARN_SHOWN);
        trace_say(t, line, false);
    }
    if (t->feed)
        trace_feed_ops->leave(t);
    if (t->have_filter)
        pcap_freecode(&t->prog);
    if (t->pcap)
        pcap_close(t->pcap);    /* closes t->file */
    free(t->path);
    free(t);
}
