/* tests/fuzz/fuzz_regress.c: replays files through the fuzz harness without
 * libFuzzer, so every build (and the sanitizer build) runs the regression
 * inputs: every file named on the command line, or in a directory named
 * there.  Prints TAP: one line per input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok %d - %s: cannot open\n", ++count, path);
        return;
    }
    size_t cap = 1 << 20, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);     /* a crash or sanitizer report ends the run */
    free(buf);
    printf("ok %d - %s (%zu bytes)\n", ++count, path, n);
    fflush(stdout);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;                         /* optional directories (../shared) may be absent */
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *e = names[i]->d_name;
        size_t len = strlen(e);
        if (e[0] != '.' && strcmp(e, "README.md") && (len < 5 || strcmp(e + len - 5, ".json"))) {
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, e);
            run_file(child);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("1..%d\n", count);
    return 0;
}
