/* sim/serve/serve_assets.h: the web assets (web/), embedded as C arrays by
 * web/embed.py at build time. */
#ifndef RXSIM_SERVE_SERVE_ASSETS_H
#define RXSIM_SERVE_SERVE_ASSETS_H

#include <stddef.h>

struct serve_asset {
    const char *name;               /* "style.css" */
    const char *ctype;
    const unsigned char *data;
    size_t len;
};
extern const struct serve_asset serve_assets[];
extern const size_t serve_nassets;

#endif
