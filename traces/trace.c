/* traces/trace.c: see trace.h (being written) */
#include "traces/trace.h"
