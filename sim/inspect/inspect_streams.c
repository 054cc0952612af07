/* sim/inspect/inspect_streams.c: what rxsim inspect does with each direction's
 * delivered bytes: a SHA-256 (on the hasher thread) and, with
 * --dump-streams, a file per direction (at most DUMP_MAX_OPEN open at once:
 * a trace with more connections closes them all and reopens in append mode). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/inspect/inspect_private.h"

/* Creates --dump-streams DIR if need be: 0 when it is a directory we can
 * write in, else the errno that says why not. */
int inspect_dump_dir_make(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return errno;
    if (stat(dir, &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return access(dir, W_OK | X_OK) != 0 ? errno : 0;
}

static void endpoint_file_part(const struct tcp_endpoint *e, uint8_t v, char *buf, size_t size)
{
    char a[64];
    if (v == 4)
        snprintf(buf, size, "%u.%u.%u.%u_%u", e->addr[0], e->addr[1], e->addr[2], e->addr[3], e->port);
    else {
        tcp_endpoint_format(e, v, a, sizeof a);         /* "[addr]:port" */
        char *close = strrchr(a, ']');
        if (close)
            *close = '\0';
        snprintf(buf, size, "%s_%u", a + 1, e->port);
    }
}

static void dump_path(const struct inspect *in, const struct tcp_conn *c, int dir, char *buf, size_t size)
{
    char from[80], to[80];
    endpoint_file_part(&c->ep[dir], c->ip_version, from, sizeof from);
    endpoint_file_part(&c->ep[!dir], c->ip_version, to, sizeof to);
    if (c->incarnation > 1)
        snprintf(buf, size, "%s/%s-%s-%u.bin", in->dump_dir, from, to, c->incarnation);
    else
        snprintf(buf, size, "%s/%s-%s.bin", in->dump_dir, from, to);
}

void inspect_close_dumps(struct inspect *in)
{
    struct tcp_table *t = &in->ns.conns;
    for (size_t i = 0; i < t->count; i++)
        for (int d = 0; d < 2 && t->all[i]; d++) {
            struct dir_app *a = t->all[i]->dir[d].app;
            if (a && a->dump) {
                if (fclose(a->dump) != 0)
                    in->dump_errors++;
                a->dump = NULL;
            }
        }
    in->dumps_open = 0;
}

struct dir_app *inspect_dir_app(struct tcp_dir *d)
{
    if (!d->app) {
        struct dir_app *a = calloc(1, sizeof *a);
        if (!a)
            return NULL;
        sha256_init(&a->sha);
        d->app = a;
    }
    return d->app;
}

void inspect_dump_write(struct inspect *in, struct tcp_conn *c, int dir, struct dir_app *a,
                       const uint8_t *p, uint32_t n)
{
    if (a->dump_failed)
        return;
    if (!a->dump) {
        char path[4096];
        if (in->dumps_open >= DUMP_MAX_OPEN)
            inspect_close_dumps(in);
        dump_path(in, c, dir, path, sizeof path);
        a->dump = fopen(path, a->dump_started ? "ab" : "wb");
        if (!a->dump) {
            fprintf(stderr, "rxsim inspect: %s: %s\n", path, strerror(errno));
            a->dump_failed = true;
            in->dump_errors++;
            return;
        }
        a->dump_started = true;
        in->dumps_open++;
    }
    if (n && fwrite(p, 1, n, a->dump) != n) {
        a->dump_failed = true;
        in->dump_errors++;
    }
}

void inspect_on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                        uint32_t n)
{
    (void)skb;
    struct inspect *in = ctx;
    struct dir_app *a = inspect_dir_app(&c->dir[dir]);
    if (!a)
        return;
    stream_hash_update(in->hasher, &a->sha, p, n);
    if (in->dump_dir)
        inspect_dump_write(in, c, dir, a, p, n);
}

void inspect_sha_hex(struct tcp_dir *d, char out[65])
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct dir_app *a = d->app;
    struct sha256_ctx copy;             /* digest resets the context */
    if (a)
        copy = a->sha;
    else
        sha256_init(&copy);             /* nothing delivered: the empty stream's */
    sha256_digest(&copy, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
}
