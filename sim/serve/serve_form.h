/* sim/serve/serve_form.h: the run/compare form of rxsim serve: its fields
 * (the option table's rows with a form place, sim/options/run_options.c),
 * their choices and the check of one value (serve_form.c), rendered into the
 * index page; POST /jobs reads them back (serve_submit.c). */
#ifndef RXSIM_SERVE_SERVE_FORM_H
#define RXSIM_SERVE_SERVE_FORM_H

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>

struct serve;

#define SERVE_MAX_COMBOS 64         /* rows of a compare started from the form */
#define SERVE_FORM_MAX_CHOICES 48   /* choices of one field, values of one vary-AXIS */
#define SERVE_FORM_MAX_FIELDS 64

enum serve_field_type {
    SERVE_F_CHOICE,       /* one of its choices (plus name:N for delivery, fixed:C for irq/app) */
    SERVE_F_UINT,         /* whole number lo..hi */
    SERVE_F_DOUBLE,       /* number lo..hi */
    SERVE_F_SEED,         /* whole number, 64 bits */
    SERVE_F_REPLAY,       /* trace | rate:RATE */
    SERVE_F_HOST,         /* IPv4 or IPv6 address */
    SERVE_F_FILTER,       /* BPF text, printable ASCII */
    SERVE_F_FLAG,         /* checkbox */
};

struct serve_field {
    const char *name;       /* == the rxsim run option without "--" */
    const char *group;
    enum serve_field_type type;
    double lo, hi;
    const char *deflt;      /* what run uses when the field is empty (shown, not sent) */
    bool vary;              /* may be varied in a compare */
    const char *help;
    const char *choices;    /* "a|b" of an option with fixed choices, else NULL */
};

/* The fields in the form's order (filled on the first call, once); *n gets
 * how many. */
const struct serve_field *serve_form_fields(size_t *n);
/* The field named name, or NULL. */
const struct serve_field *serve_form_field_find(const char *name);
/* NULL when v is a good value of f; else why not (written into why). */
const char *serve_form_check(const struct serve_field *f, const char *v, char *why, size_t size);

/* The form (traces, kind, every field with its vary boxes) into b. */
void serve_form_render(struct serve *s, struct evbuffer *b);

/* serve_submit.c: POST /jobs: validates the form; 400 naming the field, 503
 * when the queue is full, else 303 to the new job. */
void serve_form_submit(struct serve *s, struct evhttp_request *req);

#endif
