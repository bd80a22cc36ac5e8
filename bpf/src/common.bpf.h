/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every driftlock BPF object shares. The objects are linked into one
 * (bpftool gen object), so the ring buffer and counters are defined once, in
 * events.bpf.c, and declared extern here.
 */
#ifndef DRIFTLOCK_COMMON_BPF_H
#define DRIFTLOCK_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "driftlock.h"

/* 8 MiB (about 5,800 exec records of headroom) unless the loader resizes it before load. */
struct dl_events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
};

struct dl_counters_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DL_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
};

extern struct dl_events_map events SEC(".maps");
extern struct dl_counters_map counters SEC(".maps");

/* Identity and drift flags of an executed file, as the enforcement sees it. */
struct dl_exec_file {
	__u32 dev;
	__u32 flags;
	__u64 ino;
	__s64 size;
	__s64 mtime_sec;
	__s64 ctime_sec;
	__u32 mtime_nsec;
	__u32 ctime_nsec;
};

/* Defined in enforcement.bpf.c: mode << 8 | verdict, kills in protect mode. */
extern int dl_enforce(__u64 cgroup_id, const struct dl_exec_file *file);

static __always_inline void dl_count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	if (value)
		*value += 1;
}

/* Reserve a ring-buffer record; a full ring is counted, never silent. */
static __always_inline void *dl_reserve(__u64 size)
{
	void *record = bpf_ringbuf_reserve(&events, size, 0);

	dl_count(record ? DL_COUNTER_EVENTS : DL_COUNTER_DROPS);
	return record;
}

/*
 * Waking the loader for every record costs the exec'ing CPU a wakeup and a
 * context switch; waking it once a batch is waiting keeps that off the exec
 * path. The loader also drains the ring every DL_POLL_MS (driftlock.h), so
 * a quiet host's events are at most that late. Kills wake it at once.
 */
#define DL_WAKEUP_BYTES (256 * 1024)

static __always_inline void dl_submit(void *record, bool urgent)
{
	__u64 flags = urgent || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= DL_WAKEUP_BYTES ?
			      BPF_RB_FORCE_WAKEUP :
			      BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(record, flags);
}

static __always_inline void dl_fill_header(struct dl_event_header *hdr, __u32 kind,
					   struct task_struct *task)
{
	hdr->kind = kind;
	hdr->pid = BPF_CORE_READ(task, pid);
	hdr->tgid = BPF_CORE_READ(task, tgid);
	hdr->ppid = BPF_CORE_READ(task, real_parent, tgid);
	hdr->time_ns = bpf_ktime_get_boot_ns();
	hdr->cgroup_id = bpf_get_current_cgroup_id();
}

#endif
