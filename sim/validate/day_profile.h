/* sim/validate/day_profile.h: the calibration profile of the day the
 * kernel was measured.  The model prices bytes and lines from a calibration
 * profile; the checked-in one was measured on another day, and on this VM
 * memory's price moves from hour to hour (a cold copy 50-60 % dearer one
 * afternoon than in the checked-in profile, docs/validation.md), while the
 * fitted per-event costs follow the day they were measured.  So a measuring
 * validate run calibrates too (`rxsim calibrate --json DIR/profile.json`,
 * about 15 s, before the transfers), the model and the fit use that
 * profile, and `--from` finds it beside the dataset. */
#ifndef RXSIM_VALIDATE_DAY_PROFILE_H
#define RXSIM_VALIDATE_DAY_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#define DAY_PROFILE_NAME "profile.json"

/* Runs this rxsim's `calibrate --json path` (stdout and stderr to
 * path's directory's calibrate.txt).  0, or -1 with err. */
int day_profile_measure(const char *path, char *err, size_t n);

/* DAY_PROFILE_NAME in dataset_path's directory, in buf, when that file
 * exists; else NULL. */
const char *day_profile_beside(const char *dataset_path, char *buf, size_t n);

/* 0 when path is a profile the model can load; else -1, err naming the
 * file and what is wrong (costs_load's message). */
int day_profile_check(const char *path, char *err, size_t n);

/* One line on what profile says memory and the copy cost against the
 * checked-in profile: the default --copy routine on 64 KiB, cold and hot. */
void day_profile_compare(const char *profile, FILE *out);

#endif
