/* sim/compare/read_fd.c: see read_fd.h. */
#include "sim/compare/read_fd.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

char *read_fd(int fd, size_t max, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    size_t n = (size_t)st.st_size < max ? (size_t)st.st_size : max, got = 0;
    char *buf = malloc(n + 1);
    while (buf && got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (buf) {
        buf[got] = '\0';
        if (len)
            *len = got;
    }
    return buf;
}
