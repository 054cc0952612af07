/* tests/common/testenv.c: see testenv.h. */
#include "tests/common/testenv.h"

#include <check.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *testenv_shared_traces(void)
{
    static char path[4096];
    const char *shared = getenv("RXSIM_SHARED");
    struct stat st;
    if (!shared || !*shared)
        return NULL;
    snprintf(path, sizeof path, "%s/traces", shared);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return path;
}

const char *testenv_source_root(void)
{
    const char *r = getenv("RXSIM_SOURCE_ROOT");
    return r && *r ? r : ".";
}

const char *testenv_rxsim_bin(void)
{
    const char *b = getenv("RXSIM_BIN");
    return b && *b ? b : "rxsim";
}

void testenv_path(char *buf, size_t size, const char *relative)
{
    snprintf(buf, size, "%s/%s", testenv_source_root(), relative);
}

_Noreturn void testenv_skip_suite(const char *reason)
{
    printf("1..0 # SKIP %s\n", reason);
    fflush(stdout);
    exit(0);
}

static void redirect(int fd, const char *path)
{
    int f = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0)
        _exit(126);
    dup2(f, fd);
    close(f);
}

int testenv_run(char *const argv[], const char *out_path, const char *err_path)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        redirect(1, out_path);
        redirect(2, err_path);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *testenv_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Temporary directories go when the process that made them exits (Check's
 * forked tests included: they leave through exit()), unless
 * RXSIM_KEEP_TEST_FILES is set, to look at after a failure. */
#define TMPDIRS_MAX 64
static struct {
    char path[1024];
    pid_t owner;
} tmpdirs[TMPDIRS_MAX];
static int ntmpdirs;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tmpdirs(void)
{
    const char *keep = getenv("RXSIM_KEEP_TEST_FILES");
    if (keep && *keep)
        return;
    for (int i = 0; i < ntmpdirs; i++)
        if (tmpdirs[i].owner == getpid())
            nftw(tmpdirs[i].path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void testenv_mkdtemp(char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, size, "%s/rxsim-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(buf)) {
        buf[0] = '\0';
        return;
    }
    if (ntmpdirs == 0)
        atexit(remove_tmpdirs);
    if (ntmpdirs < TMPDIRS_MAX && strlen(buf) < sizeof tmpdirs[0].path) {
        snprintf(tmpdirs[ntmpdirs].path, sizeof tmpdirs[0].path, "%s", buf);
        tmpdirs[ntmpdirs++].owner = getpid();
    }
}

int testenv_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int testenv_rxsim(char *const *args, const char *out_path, const char *err_path)
{
    char *argv[48];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    for (int i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return testenv_run(argv, out_path, err_path);
}
