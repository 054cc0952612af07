/* sim/serve/serve_origin.c: who may ask rxsim serve anything, and who may
 * change anything (serve_origin.h).
 *
 * Every POST (start a job, upload, cancel) must come from the server's own
 * pages, so that another site open in the student's browser cannot start or
 * cancel jobs.  Current browsers say so in Sec-Fetch-Site, which then
 * decides: same-origin (or none: typed by the user) passes, anything else
 * (same-site, say another port of localhost, or cross-site) gets 403.
 * Without it, an Origin header, which browsers send on every POST, must be
 * http://HOST (the Host the request names) or the address we are bound to;
 * "null" never is.  Pages go out with Referrer-Policy: same-origin, because
 * under no-referrer a browser sends Origin: null even on a same-origin POST.
 * A request with neither header (curl, scripts) is let through: it cannot
 * come from a page of another site.  This does not stop DNS rebinding (Host
 * and Origin then agree, and the fetch is same-origin): serve_host_allowed()
 * does, first thing for every request, by refusing (421) a Host that is a
 * name we were not told. */
#include "sim/serve/serve_origin.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_reply.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* --- cross-site POSTs ------------------------------------------------------ */

/* "http://" + host equals origin, ASCII case-insensitively (scheme and host
 * are; a port is digits). */
static bool origin_is(const char *origin, const char *host)
{
    return host && *host && !strncasecmp(origin, "http://", 7) && !strcasecmp(origin + 7, host);
}

bool serve_same_origin(struct serve *s, struct evhttp_request *req)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *origin = evhttp_find_header(in, "Origin");
    const char *site = evhttp_find_header(in, "Sec-Fetch-Site");
    if (site) {
        if (!strcmp(site, "same-origin") || !strcmp(site, "none"))
            return true;
        serve_error(req, 403, "Forbidden", "a %.64s request (Sec-Fetch-Site) cannot change anything here: "
                    "use the lab's own pages", site);
        return false;
    }
    if (!origin || origin_is(origin, evhttp_find_header(in, "Host")) ||
        (s->origin[0] && !strcasecmp(origin, s->origin)))
        return true;
    serve_error(req, 403, "Forbidden", "a request from %.200s cannot change anything here: use the lab's own "
                "pages", origin);
    return false;
}

/* --- the Host check (DNS rebinding) --------------------------------------- */

/* A page of evil.example whose name is rebound to 127.0.0.1 reaches the lab
 * as the same origin, so Origin and Sec-Fetch-Site cannot tell; the Host
 * header still says evil.example.  An IP literal cannot be rebound, a name
 * can: a name is accepted only when we were told it (localhost, --listen,
 * --allow-host). */

/* Splits "name", "name:port", "[v6]", "[v6]:port" into the name (without
 * brackets) in out; false when malformed. */
static bool host_name(const char *host, char *out, size_t size)
{
    const char *end;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        host++;
        end = close;
        close++;
        if (*close && (*close != ':' || !close[1] || strspn(close + 1, "0123456789") != strlen(close + 1)))
            return false;
    } else {
        end = strchr(host, ':');
        if (!end)
            end = host + strlen(host);
        else if (!end[1] || strlen(end + 1) > 5 || strspn(end + 1, "0123456789") != strlen(end + 1))
            return false;
    }
    size_t n = (size_t)(end - host);
    if (n == 0 || n >= size)
        return false;
    memcpy(out, host, n);
    out[n] = '\0';
    if (n > 1 && out[n - 1] == '.')
        out[n - 1] = '\0';         /* "localhost." is localhost */
    return true;
}

static bool loopback_literal(const char *name, bool *literal)
{
    struct in_addr a4;
    struct in6_addr a6;
    *literal = true;
    if (inet_pton(AF_INET, name, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, name, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    *literal = false;
    return false;
}

bool serve_host_allowed(struct serve *s, struct evhttp_request *req)
{
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
    if (!host)
        return true;            /* HTTP/1.0: no browser sends a request without Host */
    char name[256];
    bool literal = false, ok = false;
    if (host_name(host, name, sizeof name)) {
        size_t n = strlen(name);
        ok = !strcasecmp(name, "localhost") || (n > 10 && !strcasecmp(name + n - 10, ".localhost")) ||
             loopback_literal(name, &literal) || (literal && s->listen_any) ||
             (s->listen_host[0] && !strcasecmp(name, s->listen_host));
        for (int i = 0; !ok && i < s->nallow_hosts; i++)
            ok = !strcasecmp(name, s->allow_hosts[i]);
    }
    if (ok)
        return true;
    serve_error(req, 421, "Misdirected Request",
                "Host '%.200s' is not a name of this server: the lab answers to localhost, 127.0.0.1 and [::1]%s%s "
                "(--allow-host NAME adds a name). A page of another site reaches a loopback server under its own "
                "name (DNS rebinding), so other names are refused.", host, s->listen_host[0] ? " and " : "",
                s->listen_host);
    return false;
}
