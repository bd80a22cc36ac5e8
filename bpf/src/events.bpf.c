// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The one ring buffer and the counters that all driftlock programs write to. */
#include "common.bpf.h"

/* One ring for every kind keeps fork, exec and exit of a process in order. */
struct dl_events_map events SEC(".maps");
struct dl_counters_map counters SEC(".maps");

/* bpf_probe_read_* and bpf_send_signal need a GPL-compatible licence. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
