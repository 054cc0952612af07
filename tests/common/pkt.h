/* tests/common/pkt.h: hand-built frames (being written). */
