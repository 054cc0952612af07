/* traces/linktype.c: see linktype.h (being written) */
#include "traces/linktype.h"
