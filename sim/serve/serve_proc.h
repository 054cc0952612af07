/* sim/serve/serve_proc.h: rxsim serve's worker processes: spawning one, killing
 * one, reading the files they write. */
#ifndef RXSIM_SERVE_SERVE_PROC_H
#define RXSIM_SERVE_SERVE_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* fork + exec of rxsim (/proc/self/exe) in its own process group; stdout and
 * stderr to the files (created 0600).  Returns the pid, or -1. */
pid_t serve_spawn(char *const argv[], const char *out_path, const char *err_path);
void serve_kill(pid_t pid);             /* SIGKILL to the worker's process group */
/* The last non-empty line of a file's last 4 KiB, into buf. */
void serve_file_last_line(const char *path, char *buf, size_t size);
/* The first max bytes of a file, NUL-terminated, malloc'd; NULL if unreadable. */
char *serve_read_file(const char *path, size_t max, size_t *len);
void serve_argv_free(char **argv);
/* Removes dir and the files (one level of subdirectories) under it. */
void serve_rmtree(const char *dir);

#endif
