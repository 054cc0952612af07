/* sim/profile.h: where simulated cycles go.  Every charge names a category
 * (the report's breakdown) and a kernel-style function (the kernprof-like
 * flat profile).  One X-macro list gives the enum, the names and each
 * function's category, so a report can never name a function the model
 * does not charge. */
#ifndef RXSIM_SIM_PROFILE_H
#define RXSIM_SIM_PROFILE_H

#include <stdint.h>

#define SIM_CATEGORIES(X) \
    X(IRQ,      "irq",      "interrupt entry and the driver's handler") \
    X(PROTOCOL, "protocol", "softirq and protocol processing: IP, TCP, socket queueing") \
    X(CSUM,     "csum",     "checksum of payload bytes") \
    X(COPY,     "copy",     "payload bytes to the user: the copy, or zerocopy's page mapping") \
    X(SKB,      "skb",      "skb allocation, freeing and recycling") \
    X(SCHED,    "sched",    "wakeups, context switches, scheduling") \
    X(APP,      "app",      "the application's own per-byte work")

enum sim_category {
#define SIM_CAT_ENUM(e, key, what) SIM_CAT_##e,
    SIM_CATEGORIES(SIM_CAT_ENUM)
#undef SIM_CAT_ENUM
    SIM_CAT__COUNT
};

/* Function, category.  Names follow the Linux receive path of the OLS 2002
 * paper's profiles, so a reader can map a row to kernel source. */
#define SIM_FUNCTIONS(X) \
    X(NIC_INTR,        "e1000_intr",            IRQ) \
    X(NET_RX_ACTION,   "net_rx_action",         PROTOCOL) \
    X(NAPI_POLL,       "e1000_clean_rx_irq",    PROTOCOL) \
    X(NETIF_RECEIVE,   "netif_receive_skb",     PROTOCOL) \
    X(IP_RCV,          "ip_rcv",                PROTOCOL) \
    X(TCP_RCV,         "tcp_v4_rcv",            PROTOCOL) \
    X(TCP_DATA_QUEUE,  "tcp_data_queue",        PROTOCOL) \
    X(TCP_ADD_BACKLOG, "tcp_add_backlog",       PROTOCOL) \
    X(TCP_ACK,         "tcp_send_ack",          PROTOCOL) \
    X(MOD_TIMER,       "mod_timer",             PROTOCOL) \
    X(TCP_RECVMSG,     "tcp_recvmsg",           PROTOCOL) \
    X(TCP_ZC_RECEIVE,  "tcp_zerocopy_receive",  PROTOCOL) \
    X(RELEASE_SOCK,    "__release_sock",        PROTOCOL) \
    X(CSUM_PARTIAL,    "csum_partial",          CSUM) \
    X(COPY_TO_USER,    "copy_to_user",          COPY) \
    X(CSUM_COPY,       "csum_and_copy_to_user", COPY) \
    X(VM_INSERT_PAGES, "vm_insert_pages",       COPY) \
    X(ZAP_PAGE_RANGE,  "zap_page_range_single", COPY) \
    X(FLUSH_TLB,       "flush_tlb_mm_range",    COPY) \
    X(FLUSH_TLB_FUNC,  "flush_tlb_func",        IRQ) \
    X(ALLOC_SKB,       "alloc_skb",             SKB) \
    X(KFREE_SKB,       "kfree_skb",             SKB) \
    X(SKB_POOL_LOCK,   "skb_pool_lock",         SKB) \
    X(SKB_DEFER_FLUSH, "skb_defer_free_flush",  SKB) \
    X(WAKE_UP,         "try_to_wake_up",        SCHED) \
    X(SCHEDULE,        "schedule",              SCHED) \
    X(TCP_DATA_WAIT,   "tcp_data_wait",         SCHED) \
    X(APP_WORK,        "app_work",              APP)

enum sim_function {
#define SIM_FN_ENUM(e, name, cat) SIM_FN_##e,
    SIM_FUNCTIONS(SIM_FN_ENUM)
#undef SIM_FN_ENUM
    SIM_FN__COUNT
};

struct sim_profile {
    uint64_t cycles[SIM_FN__COUNT];
    uint64_t calls[SIM_FN__COUNT];
    uint64_t lines_out[SIM_FN__COUNT];    /* cache lines pulled from another CPU */
};

const char *sim_category_key(enum sim_category c);
const char *sim_category_what(enum sim_category c);
const char *sim_function_name(enum sim_function f);
enum sim_category sim_function_category(enum sim_function f);

#endif
