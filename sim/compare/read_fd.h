/* sim/compare/read_fd.h: a whole regular file, from an open descriptor, into
 * memory: compare's workers' output files and serve's job results. */
#ifndef RXSIM_COMPARE_READ_FD_H
#define RXSIM_COMPARE_READ_FD_H

#include <stddef.h>

/* At most max bytes from the start of fd's file (its size from fstat; the
 * descriptor's offset is not used) into a malloc'd buffer with a NUL after
 * them; *len (when not NULL) gets the count.  NULL when fd is not a regular
 * file or memory runs out; a short read returns what was read. */
char *read_fd(int fd, size_t max, size_t *len);

#endif
