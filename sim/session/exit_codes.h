/* sim/session/exit_codes.h: what rxsim's exit status means (docs/user-guide.md);
 * here, below every command and module that returns one. */
#ifndef RXSIM_SESSION_EXIT_CODES_H
#define RXSIM_SESSION_EXIT_CODES_H

enum rx_exit {
    RX_EXIT_OK = 0,          /* did everything asked */
    RX_EXIT_INTERNAL = 1,    /* out of memory, I/O error writing output, a bug */
    RX_EXIT_USAGE = 2,       /* bad command line: unknown option, absurd value */
    RX_EXIT_INPUT = 3,       /* input unusable: unreadable, not a capture, unsupported link type */
    RX_EXIT_PARTIAL = 4,     /* trace corrupt or truncated part-way: results cover what was read */
    RX_EXIT_UNANSWERED = 5,  /* finished, but the report marks results it cannot answer (bytes
                                stranded behind holes a replay never fills, payload not captured,
                                ...): those figures are flagged, never printed as if true.
                                4 wins over 5 when both apply; the report lists both. */
    RX_EXIT_CANNOT = 6,      /* this machine cannot do what was asked (rxsim validate: not root,
                                no network namespaces, no perf, kallsyms unreadable) */
};

#endif
