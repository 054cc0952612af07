/* tests/common/pkt.c: hand-built frames (being written). */
#include "tests/common/pkt.h"
