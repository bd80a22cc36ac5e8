// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The verdict on one exec: which mode the task's container is in, whether the
 * file is drift, whether it is excepted, and the SIGKILL in protect mode.
 */
#include "common.bpf.h"

/*
 * Keyed by cgroup v2 id, not mount namespace: every container runtime gives
 * each container its own cgroup, the id is what bpf_get_current_cgroup_id()
 * returns in one helper call, and a process inside the container cannot leave
 * its cgroup without write access to cgroupfs, whereas `unshare -m` would give
 * it a fresh mount namespace and so a way out of the map. Only the exact
 * cgroup counts: a container that makes child cgroups must have them added.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} modes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct dl_exception_key);
	__type(value, struct dl_exception_value);
} exceptions SEC(".maps");

static __always_inline bool dl_is_excepted(const struct dl_exec_file *file)
{
	struct dl_exception_key key = { .dev = file->dev, .ino = file->ino };
	struct dl_exception_value *granted = bpf_map_lookup_elem(&exceptions, &key);

	return granted && granted->ctime_sec == file->ctime_sec &&
	       granted->ctime_nsec == file->ctime_nsec;
}

/*
 * Global (not inlined) so the verifier checks it once, on its own. Returns
 * mode << 8 | verdict.
 */
__noinline int dl_enforce(__u64 cgroup_id, const struct dl_exec_file *file)
{
	__u8 *mode_entry = bpf_map_lookup_elem(&modes, &cgroup_id);
	__u32 mode = mode_entry ? *mode_entry : DL_MODE_OFF;

	if (!file || mode == DL_MODE_OFF)
		return DL_MODE_OFF << 8 | DL_VERDICT_NONE;
	if (!(file->flags & DL_DRIFT_FLAGS))
		return mode << 8 | DL_VERDICT_CLEAN;
	if (dl_is_excepted(file))
		return mode << 8 | DL_VERDICT_EXCEPTED;
	if (mode != DL_MODE_PROTECT)
		return mode << 8 | DL_VERDICT_DRIFT;
	/* after the point of no return of execve: the new image never runs */
	if (bpf_send_signal(9 /* SIGKILL */))
		return mode << 8 | DL_VERDICT_DRIFT;
	dl_count(DL_COUNTER_KILLS);
	return mode << 8 | DL_VERDICT_KILLED;
}
