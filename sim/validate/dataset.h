/* sim/validate/dataset.h: what one `rxsim validate` run measured, as a
 * small JSON file (no perf.data): the machine, the preflight, and per
 * configuration its repetitions' counters and attributed samples, the
 * header-only capture the model ran on, and the model's answer.  The
 * committed reference dataset is one of these; `rxsim fit` and the CI
 * check read it back.
 *
 * Every field is written by name: categories by SIM_CATEGORIES keys
 * ("protocol"), cost events by sim_cost_key() ("tcp_rcv"), sides by
 * VAL_SIDES keys ("rx"), so the file reads by itself and stays valid when
 * an enum grows.  Reading:
 *   - scalar fields (counters, preflight, the config) are required: a file
 *     without one is refused, naming it; the few added after version 1
 *     (msg_size, bytes, capture_bytes) may be absent and read as 0;
 *   - the keyed maps ("side", "rx_category", "event", "cycles_per_byte")
 *     may leave keys out (0: a file from before the key existed), but a key
 *     this rxsim does not know is refused (a misspelt event must not vanish);
 *   - counts come from the arrays themselves and are checked against
 *     VAL_MAX_CONFIGS / VAL_MAX_REPS, never taken from a number in the file;
 *   - a double that is not finite is written as null and read back as NAN.
 * write → read → write gives identical bytes (tests/unit/check_fit.c).
 *
 * A struct val_dataset is about 650 KB: allocate it, do not put it on a
 * small stack. */
#ifndef RXSIM_VALIDATE_DATASET_H
#define RXSIM_VALIDATE_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/validate/validate.h"

#define VAL_MAX_REPS 64
#define VAL_DATASET_VERSION 1

struct val_dataset_config {
    struct val_config cfg;
    char capture[256];          /* header-only pcap for the model, relative to the dataset file; "" none */
    int nreps;
    struct val_rep rep[VAL_MAX_REPS];
    struct val_model model;
    bool model_ok;              /* false: the model was not run (written as "model": null) */
};

struct val_dataset {
    int version;                /* VAL_DATASET_VERSION */
    char kernel[96];            /* uname -r */
    char cpu[128];              /* /proc/cpuinfo model name */
    char date[32];              /* ISO 8601, UTC */
    char command[1024];         /* the rxsim validate command line that measured it */
    double tsc_ghz;
    unsigned msg_size;          /* the reader's recv() size */
    uint64_t bytes;             /* bytes transferred per measured repetition */
    uint64_t capture_bytes;     /* bytes transferred in each configuration's capture */
    struct val_preflight preflight;
    int nconfigs;
    struct val_dataset_config c[VAL_MAX_CONFIGS];
};

/* d as pretty JSON (two-space indent, keys in a fixed order).  0, or -1
 * when writing failed (errno from stdio). */
int val_dataset_write(const struct val_dataset *d, FILE *out);

/* The file at path into *d (zeroed first).  0, or -1 with err holding
 * "PATH: configs[2].reps[0].counters.bytes: want a whole number >= 0, got
 * a string" (the file, the JSON path, the reason). */
int val_dataset_read(const char *path, struct val_dataset *d, char *err, size_t n);

/* The same from text already in memory (len bytes); name stands for the
 * file in messages. */
int val_dataset_parse(const char *text, size_t len, const char *name, struct val_dataset *d,
                      char *err, size_t n);

/* d written to path through a temporary file beside it, renamed into place
 * (a reader never sees half a dataset).  0, or -1 with err naming path. */
int val_dataset_save(const char *path, const struct val_dataset *d, char *err, size_t n);

/* Where configuration c's capture is: its "capture" taken relative to the
 * directory of dataset_path (kept as it is when absolute).  0, or -1 when
 * it has none or the path does not fit in n bytes. */
int val_dataset_capture_path(const char *dataset_path, const struct val_dataset_config *c, char *out,
                             size_t n);

#endif
