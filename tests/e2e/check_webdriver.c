/* tests/e2e/check_webdriver.c: the WebDriver client (tests/common/webdriver.c)
 * against Debian's chromium, before any rxsim page depends on it.
 *
 * A small HTTP server in a child process serves one page: a
 * heading, a button whose onclick changes a paragraph, a button that adds an
 * element 300 ms later, a #state that goes queued → running → done on
 * timers (as rxsim serve's job page does), a form (text, select, checkbox)
 * that POSTs to /submit, and a file input.  The server writes what /submit
 * received into shared memory, so Check's forked test processes and the
 * parent see the same thing.  One browser (≈1 s to start) serves every test;
 * the last test stops it and proves nothing is left.  A second browser is
 * started by a child that is then SIGKILLed, to prove the keeper cleans up
 * after an owner that never called wd_stop().  A fake chromedriver in the same
 * server checks the HTTP layer against lying, chunked, broken and silent
 * replies.  6-8 s in all under meson, also under ASan.
 *
 * Skipped, with the reason, when chromium or chromedriver is not installed. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/serve_proc.h"
#include "tests/common/testenv.h"
#include "tests/common/webdriver.h"

static const char page[] =
    "<!doctype html><html><head><meta charset=utf-8><title>wd self-test</title></head><body>\n"
    "<h1 id=h>hello</h1>\n"
    "<p id=msg>before</p>\n"
    "<button id=btn onclick=\"window.n=(window.n||0)+1;"
    "document.getElementById('msg').textContent='after '+window.n\">go</button>\n"
    "<button id=late onclick=\"setTimeout(function(){var s=document.createElement('span');"
    "s.id='delayed';s.textContent='arrived';document.body.appendChild(s);},300)\">late</button>\n"
    "<span id=state>queued</span>\n"
    "<script>setTimeout(function(){document.getElementById('state').textContent='running'},200);"
    "setTimeout(function(){document.getElementById('state').textContent='done'},600);</script>\n"
    "<form id=f method=post action=/submit>\n"
    " <input id=name name=name>\n"
    " <select id=color name=color><option value=red>Red</option><option value=green>Green</option>"
    "<option value=blue>Blue</option><option value=grey disabled>Grey</option></select>\n"
    " <input type=checkbox id=agree name=agree value=yes>\n"
    " <button id=submit type=submit>Send</button>\n"
    "</form>\n"
    "<input type=file id=upload>\n"
    "</body></html>\n";

/* What the server saw, shared with Check's forks. */
struct seen {
    int posts;
    char body[2048];
};

static struct seen *seen;
static int server_port;
static char base[64];               /* http://127.0.0.1:PORT */
static struct wd wd;
static int wd_rc;
static char wd_err[1024];

/* ---- the page server: one thread per connection, everything bounded ---- */

static void reply(int fd, const char *status, const char *type, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n", status, type, strlen(body));
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) == n)
        send(fd, body, strlen(body), MSG_NOSIGNAL);
}

/* Replies as a broken or hostile chromedriver would, chosen by the session
 * id in "GET /session/<mode>/title" (see http_layer_distrusts_replies). */
static void fake_driver(int fd, const char *mode)
{
    static const struct { const char *mode, *raw; } fakes[] = {
        { "chunked/", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4\r\n{\"va\r\n7;ext=1\r\nlue\":\"c\r\nb\r\nhunked ok\"}\r\n0\r\n\r\n" },
        { "bad-chunk/", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" },
        { "long-cl/", "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"value\":\"cut\"}" },
        { "short-cl/", "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"value\":\"abc\"}trailing junk" },
        { "huge-cl/", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n{}" },
        { "no-cl/", "HTTP/1.1 200 OK\r\n\r\n{\"value\":\"eof ok\"}" },
        { "garbage/", "hello there\r\n\r\n" },
        { "no-header-end/", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" },
        { "not-json/", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" },
        { "wd-error/", "HTTP/1.1 404 Not Found\r\n\r\n"
                       "{\"value\":{\"error\":\"no such window\",\"message\":\"no such window: target window "
                       "already closed\\n  (Session info: chrome=1)\",\"stacktrace\":\"\"}}" },
    };
    if (!strncmp(mode, "silent/", 7)) {
        sleep(3);
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(fakes); i++)
        if (!strncmp(mode, fakes[i].mode, strlen(fakes[i].mode)))
            send(fd, fakes[i].raw, strlen(fakes[i].raw), MSG_NOSIGNAL);
}

static void *serve_one(void *arg)
{
    int fd = (int)(intptr_t)arg;
    struct timeval tv = { .tv_sec = 5 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char req[8192];
    size_t len = 0;
    char *end = NULL;
    while (len < sizeof req - 1) {            /* header */
        ssize_t n = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (n <= 0)
            goto out;
        len += (size_t)n;
        req[len] = '\0';
        if ((end = strstr(req, "\r\n\r\n")))
            break;
    }
    if (!end)
        goto out;
    if (!strncmp(req, "GET / ", 6)) {
        reply(fd, "200 OK", "text/html; charset=utf-8", page);
    } else if (!strncmp(req, "POST /submit ", 13)) {
        const char *cl = strcasestr(req, "\r\nContent-Length:");
        size_t want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0, have = len - (size_t)(end + 4 - req);
        if (want > sizeof seen->body - 1 || want > sizeof req - 1 - (size_t)(end + 4 - req)) {
            reply(fd, "413 Too Large", "text/plain", "too large");
            goto out;
        }
        while (have < want) {
            ssize_t n = recv(fd, req + len, want - have, 0);
            if (n <= 0)
                goto out;
            len += (size_t)n;
            have += (size_t)n;
        }
        memcpy(seen->body, end + 4, want);
        seen->body[want] = '\0';
        __atomic_add_fetch(&seen->posts, 1, __ATOMIC_SEQ_CST);
        reply(fd, "200 OK", "text/html; charset=utf-8",
              "<!doctype html><title>got</title><p id=got>received</p>");
    } else if (!strncmp(req, "GET /session/", 13)) {
        fake_driver(fd, req + 13);
    } else {
        reply(fd, "404 Not Found", "text/plain", "not found");
    }
out:
    close(fd);
    return NULL;
}

static _Noreturn void server(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            usleep(10 * 1000);
            continue;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, serve_one, (void *)(intptr_t)fd) == 0)
            pthread_detach(t);
        else
            close(fd);
    }
}

/* The server runs in a child process, not a thread of this one: Check's
 * forks would inherit a thread they do not have, which LeakSanitizer reports
 * at their exit.  It dies with us (PR_SET_PDEATHSIG). */
static pid_t server_start(void)
{
    seen = mmap(NULL, sizeof *seen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (seen == MAP_FAILED || lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) ||
        listen(lfd, 64) || getsockname(lfd, (struct sockaddr *)&a, &al)) {
        perror("check_webdriver: page server");
        exit(1);
    }
    server_port = ntohs(a.sin_port);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", server_port);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("check_webdriver: fork");
        exit(1);
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        server(lfd);
    }
    close(lfd);
    return pid;
}

/* ---- helpers ---- */

static void need_browser(void)
{
    ck_assert_msg(wd_rc == 0, "wd_start failed: %s", wd_err);
}

static void load_page(void)
{
    char url[128];
    need_browser();
    snprintf(url, sizeof url, "%s/", base);
    ck_assert_msg(wd_get(&wd, url) == 0, "%s", wd.err);
}

static struct wd_el find(const char *css)
{
    struct wd_el el;
    ck_assert_msg(wd_find(&wd, css, &el) == 0, "%s", wd.err);
    return el;
}

static char *text_of(const char *css)
{
    struct wd_el el = find(css);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t != NULL, "%s: %s", css, wd.err);
    return t;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The urldecoded value of key in an application/x-www-form-urlencoded body. */
static void form_field(const char *body, const char *key, char *out, size_t size)
{
    size_t kl = strlen(key), o = 0;
    out[0] = '\0';
    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, kl) || p[kl] != '=')
            continue;
        for (p += kl + 1; *p && *p != '&' && o + 1 < size; p++) {
            unsigned v;
            if (*p == '+')
                out[o++] = ' ';
            else if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1)
                out[o++] = (char)v, p += 2;
            else
                out[o++] = *p;
        }
        out[o] = '\0';
        return;
    }
}

/* Live (not zombie) processes whose environment holds the string env. */
static int procs_with_env(const char *env)
{
    int count = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    size_t el = strlen(env) + 1;        /* with its NUL: "HOME=/tmp/x" is not "HOME=/tmp/xy" */
    while (d && (e = readdir(d))) {
        char path[300];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        size_t n = 0;
        char *buf = testenv_slurp(path, &n);
        bool hit = buf && n >= el && memmem(buf, n, env, el);
        free(buf);
        if (hit && serve_proc_pid_alive((pid_t)atoi(e->d_name)))
            count++;
    }
    if (d)
        closedir(d);
    return count;
}

/* ---- tests, in order; each loads the page afresh ---- */

START_TEST(load_find_read)
{
    load_page();
    char *title = wd_title(&wd), *url = wd_current_url(&wd), *h = text_of("#h");
    char want[128];
    snprintf(want, sizeof want, "%s/", base);
    ck_assert_msg(title && !strcmp(title, "wd self-test"), "title %s (%s)", title, wd.err);
    ck_assert_msg(url && !strcmp(url, want), "url %s, want %s (%s)", url, want, wd.err);
    ck_assert_str_eq(h, "hello");

    struct wd_el el = find("#name"), opt;
    char *name = wd_attr(&wd, &el, "name");
    ck_assert_msg(name && !strcmp(name, "name"), "attribute name: %s (%s)", name, wd.err);
    ck_assert_ptr_null(wd_attr(&wd, &el, "data-absent"));
    ck_assert_str_eq(wd.code, "no such attribute");

    ck_assert_int_eq(wd_count(&wd, "#color option"), 4);
    ck_assert_int_eq(wd_count(&wd, ".nothing"), 0);
    el = find("#color");
    ck_assert_msg(wd_find_in(&wd, &el, "option[value=blue]", &opt) == 0, "%s", wd.err);

    /* A missing element: the WebDriver error is in the message. */
    ck_assert_int_eq(wd_find(&wd, "#nope", &el), -1);
    ck_assert_str_eq(wd.code, "no such element");
    ck_assert_msg(strstr(wd.err, "no such element") && strstr(wd.err, "#nope"), "err: %s", wd.err);
    ck_assert_int_eq(wd_find(&wd, "[[[", &el), -1);
    ck_assert_msg(strstr(wd.err, "invalid selector"), "err: %s", wd.err);
    free(title), free(url), free(h), free(name);
}
END_TEST

START_TEST(click_changes_text)
{
    load_page();
    struct wd_el btn = find("#btn");
    char *before = text_of("#msg");
    ck_assert_str_eq(before, "before");
    ck_assert_msg(wd_click(&wd, &btn) == 0, "%s", wd.err);
    char *after1 = text_of("#msg");
    ck_assert_str_eq(after1, "after 1");
    ck_assert_msg(wd_click(&wd, &btn) == 0, "%s", wd.err);
    char *after2 = text_of("#msg");
    ck_assert_str_eq(after2, "after 2");
    free(before), free(after1), free(after2);
}
END_TEST

START_TEST(wait_for_late_element)
{
    load_page();
    struct wd_el late = find("#late"), el;
    ck_assert_msg(wd_click(&wd, &late) == 0, "%s", wd.err);
    ck_assert_int_eq(wd_find(&wd, "#delayed", &el), -1);
    double t0 = now_s();
    ck_assert_msg(wd_wait_for(&wd, "#delayed", 5000, &el) == 0, "%s", wd.err);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t && !strcmp(t, "arrived"), "%s (%s)", t, wd.err);
    ck_assert_msg(now_s() - t0 < 3, "took %.2f s for a 300 ms timer", now_s() - t0);

    t0 = now_s();
    ck_assert_int_eq(wd_wait_for(&wd, "#never", 400, &el), -1);
    double waited = now_s() - t0;
    ck_assert_msg(waited >= 0.38 && waited < 3, "a 400 ms wait took %.2f s", waited);
    ck_assert_msg(strstr(wd.err, "waited 400 ms for #never") && strstr(wd.err, "no such element"),
                  "err: %s", wd.err);
    free(t);
}
END_TEST

START_TEST(wait_text_follows_state)
{
    load_page();
    char *s = wd_wait_text(&wd, "#state", "done|failed", 5000);
    ck_assert_msg(s && !strcmp(s, "done"), "%s (%s)", s, wd.err);
    free(s);
    ck_assert_ptr_null(wd_wait_text(&wd, "#state", "failed", 300));
    ck_assert_msg(strstr(wd.err, "last: \"done\""), "err: %s", wd.err);
    ck_assert_ptr_null(wd_wait_text(&wd, "#absent", "x", 200));
    ck_assert_msg(strstr(wd.err, "(no element yet)"), "err: %s", wd.err);
}
END_TEST

START_TEST(form_submits_to_server)
{
    load_page();
    struct wd_el name = find("#name"), agree = find("#agree"), color = find("#color"), submit, got;
    ck_assert_msg(wd_send_keys(&wd, &name, "hello w\xc3\xb6rld & co") == 0, "%s", wd.err);
    ck_assert_msg(wd_select_option(&wd, "#color", "green") == 0, "%s", wd.err);
    char *v = wd_prop(&wd, &color, "value");
    ck_assert_msg(v && !strcmp(v, "green"), "select value %s (%s)", v, wd.err);
    free(v);
    ck_assert_int_eq(wd_select_option(&wd, "#color", "purple"), -1);
    ck_assert_msg(strstr(wd.err, "no <option value=\"purple\">"), "err: %s", wd.err);
    ck_assert_int_eq(wd_select_option(&wd, "#color", "grey"), -1);     /* disabled */
    ck_assert_msg(strstr(wd.err, "grey"), "err: %s", wd.err);

    ck_assert_msg(wd_click(&wd, &agree) == 0, "%s", wd.err);
    char *checked = wd_prop(&wd, &agree, "checked");
    ck_assert_msg(checked && !strcmp(checked, "true"), "checked %s (%s)", checked, wd.err);
    free(checked);

    int posts = __atomic_load_n(&seen->posts, __ATOMIC_SEQ_CST);
    submit = find("#submit");
    ck_assert_msg(wd_click(&wd, &submit) == 0, "%s", wd.err);
    ck_assert_msg(wd_wait_for(&wd, "#got", 5000, &got) == 0, "%s", wd.err);
    ck_assert_int_eq(__atomic_load_n(&seen->posts, __ATOMIC_SEQ_CST), posts + 1);
    char f[256];
    form_field(seen->body, "name", f, sizeof f);
    ck_assert_msg(!strcmp(f, "hello w\xc3\xb6rld & co"), "name \"%s\" in %s", f, seen->body);
    form_field(seen->body, "color", f, sizeof f);
    ck_assert_msg(!strcmp(f, "green"), "color \"%s\" in %s", f, seen->body);
    form_field(seen->body, "agree", f, sizeof f);
    ck_assert_msg(!strcmp(f, "yes"), "agree \"%s\" in %s", f, seen->body);
    char *title = wd_title(&wd);
    ck_assert_msg(title && !strcmp(title, "got"), "title %s", title);
    free(title);
}
END_TEST

START_TEST(file_input_and_js)
{
    load_page();
    char dir[4096], path[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/up.txt", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    for (int i = 0; i < 1234; i++)
        fputc('a' + i % 26, fp);
    fclose(fp);
    struct wd_el up = find("#upload");
    ck_assert_msg(wd_send_keys(&wd, &up, path) == 0, "%s", wd.err);
    char *r = wd_exec_js(&wd, "var f=document.getElementById('upload').files[0];return f.name+':'+f.size");
    ck_assert_msg(r && !strcmp(r, "up.txt:1234"), "%s (%s)", r, wd.err);
    free(r);

    static const char *const js[][2] = {
        { "return 1+2", "3" },
        { "return 'a\"b'", "a\"b" },
        { "return null", "null" },
        { "return undefined", "null" },
        { "return [1,'x',true]", "[1,\"x\",true]" },
        { "return document.querySelectorAll('#color option').length", "4" },
    };
    for (size_t i = 0; i < ARRAY_LEN(js); i++) {
        r = wd_exec_js(&wd, js[i][0]);
        ck_assert_msg(r && !strcmp(r, js[i][1]), "%s: got %s, want %s (%s)", js[i][0], r, js[i][1], wd.err);
        free(r);
    }
    ck_assert_ptr_null(wd_exec_js(&wd, "throw new Error('boom-42')"));
    ck_assert_str_eq(wd.code, "javascript error");
    ck_assert_msg(strstr(wd.err, "boom-42"), "err: %s", wd.err);
}
END_TEST

START_TEST(screenshot_is_png)
{
    load_page();
    char dir[4096], path[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/shot.png", dir);
    ck_assert_msg(wd_screenshot(&wd, path) == 0, "%s", wd.err);
    size_t n = 0;
    unsigned char *png = (unsigned char *)testenv_slurp(path, &n);
    ck_assert_ptr_nonnull(png);
    ck_assert_msg(n > 1000 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8) && !memcmp(png + 12, "IHDR", 4),
                  "%s: not a PNG (%zu bytes)", path, n);
    uint32_t w = (uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | (uint32_t)png[18] << 8 | png[19];
    uint32_t h = (uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | (uint32_t)png[22] << 8 | png[23];
    ck_assert_msg(w >= 1200 && w <= 1300 && h >= 700 && h <= 1000, "screenshot %ux%u, want ≈1280x1000", w, h);
    free(png);
    ck_assert_int_eq(wd_screenshot(&wd, "/nonexistent-dir/x.png"), -1);
    ck_assert_msg(strstr(wd.err, "/nonexistent-dir/x.png"), "err: %s", wd.err);
}
END_TEST

/* The HTTP layer against the fake chromedriver in the page server: chunked
 * replies decode, Content-Length bounds but is not trusted, silence times
 * out, and a WebDriver error keeps its code and first line. */
static const struct {
    const char *mode, *want, *err;      /* want: the title; else err: in wd.err */
} fakes[] = {
    { "chunked", "chunked ok", NULL },
    { "short-cl", "abc", NULL },
    { "no-cl", "eof ok", NULL },
    { "bad-chunk", NULL, "malformed chunked reply" },
    { "long-cl", NULL, "reply truncated at 15 bytes" },
    { "huge-cl", NULL, "oversized Content-Length" },
    { "garbage", NULL, "not an HTTP reply" },
    { "no-header-end", NULL, "closed before the reply's header ended" },
    { "not-json", NULL, "not JSON: hello" },
    { "wd-error", NULL, "GET /title: HTTP 404: no such window: target window already closed" },
    { "silent", NULL, "no complete reply within 500 ms" },
};

START_TEST(http_layer_distrusts_replies)
{
    struct wd fake = { .port = server_port, .timeout_ms = 500, .ctl = -1 };
    snprintf(fake.session, sizeof fake.session, "%s", fakes[_i].mode);
    double t0 = now_s();
    char *title = wd_title(&fake);
    double took = now_s() - t0;
    if (fakes[_i].want) {
        ck_assert_msg(title && !strcmp(title, fakes[_i].want), "%s: got %s, want %s (%s)",
                      fakes[_i].mode, title, fakes[_i].want, fake.err);
    } else {
        ck_assert_msg(!title, "%s: got \"%s\", want an error", fakes[_i].mode, title);
        ck_assert_msg(strstr(fake.err, fakes[_i].err), "%s: err \"%s\" lacks \"%s\"",
                      fakes[_i].mode, fake.err, fakes[_i].err);
        ck_assert_msg(!strstr(fake.err, "Session info"), "%s: err: %s", fakes[_i].mode, fake.err);
    }
    ck_assert_msg(took < 1.5, "%s: %.2f s with a 500 ms budget", fakes[_i].mode, took);
    if (!strcmp(fakes[_i].mode, "wd-error"))
        ck_assert_str_eq(fake.code, "no such window");
    free(title);
}
END_TEST

/* An owner that dies without wd_stop(): the keeper still cleans up. */
START_TEST(killed_owner_leaves_nothing)
{
    need_browser();
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    fflush(NULL);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        struct wd w2;
        char err[512], msg[300] = "";
        close(p[0]);
        if (wd_start(&w2, err, sizeof err) == 0)
            snprintf(msg, sizeof msg, "HOME=%s", w2.tmpdir);
        if (write(p[1], msg, sizeof msg) != (ssize_t)sizeof msg)
            _exit(1);
        pause();
        _exit(0);
    }
    close(p[1]);
    char home[300];
    ssize_t got = read(p[0], home, sizeof home);
    close(p[0]);
    ck_assert_msg(got == (ssize_t)sizeof home && home[0], "second wd_start failed in the child");
    int before = procs_with_env(home);
    ck_assert_msg(before >= 3, "%d processes with %s: chromedriver + chromium's tree expected", before, home);
    kill(child, SIGKILL);
    ck_assert_int_eq(waitpid(child, NULL, 0), child);
    double t0 = now_s();
    int left;
    while ((left = procs_with_env(home)) > 0 && now_s() - t0 < 20)
        usleep(50 * 1000);
    ck_assert_msg(left == 0, "%d of %d processes with %s still alive %.1f s after the owner died",
                  left, before, home, now_s() - t0);
    struct stat st;
    while (stat(home + 5, &st) == 0 && now_s() - t0 < 20)
        usleep(50 * 1000);
    ck_assert_msg(stat(home + 5, &st) != 0, "%s not deleted", home + 5);
}
END_TEST

/* Last: wd_stop() leaves no process and no directory behind. */
START_TEST(stop_leaves_nothing)
{
    need_browser();
    char home[300];
    pid_t driver = wd.driver;
    snprintf(home, sizeof home, "HOME=%s", wd.tmpdir);
    ck_assert_msg(serve_proc_pid_alive(driver), "chromedriver %d not running before wd_stop", (int)driver);
    ck_assert_int_ge(procs_with_env(home), 3);
    double t0 = now_s();
    wd_stop(&wd);
    double took = now_s() - t0;
    ck_assert_msg(took < 10, "wd_stop took %.1f s", took);
    ck_assert_msg(!serve_proc_pid_alive(driver), "chromedriver %d alive after wd_stop", (int)driver);
    int left = procs_with_env(home);
    ck_assert_msg(left == 0, "%d processes with %s alive after wd_stop", left, home);
    struct stat st;
    ck_assert_msg(stat(home + 5, &st) != 0, "%s left behind", home + 5);
    wd_stop(&wd);                                   /* twice is fine */
    struct wd_el el;
    ck_assert_int_eq(wd_find(&wd, "#h", &el), -1);
    ck_assert_msg(strstr(wd.err, "no WebDriver session"), "err: %s", wd.err);
}
END_TEST

int main(void)
{
    char why[512];
    if (wd_available(why, sizeof why) == WD_ENOBROWSER)
        testenv_skip_suite(why);
    pid_t server_pid = server_start();
    wd_rc = wd_start(&wd, wd_err, sizeof wd_err);
    if (wd_rc == WD_ENOBROWSER)
        testenv_skip_suite(wd_err);

    Suite *s = suite_create("webdriver");
    TCase *tc = tcase_create("webdriver");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, load_find_read);
    tcase_add_test(tc, click_changes_text);
    tcase_add_test(tc, wait_for_late_element);
    tcase_add_test(tc, wait_text_follows_state);
    tcase_add_test(tc, form_submits_to_server);
    tcase_add_test(tc, file_input_and_js);
    tcase_add_test(tc, screenshot_is_png);
    tcase_add_loop_test(tc, http_layer_distrusts_replies, 0, (int)ARRAY_LEN(fakes));
    tcase_add_test(tc, killed_owner_leaves_nothing);
    tcase_add_test(tc, stop_leaves_nothing);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    wd_stop(&wd);               /* after a fork's stop: only reaps the keeper */
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    return rc;
}
