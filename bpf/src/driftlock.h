/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Event records shared by the BPF programs (writers) and the loader (reader).
 * Both sides include this file, so the ring-buffer layout can never drift
 * between them. Only fixed-width __u* types: they exist in vmlinux.h and in
 * <linux/types.h>.
 */
#ifndef DRIFTLOCK_H
#define DRIFTLOCK_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define DL_FILENAME_MAX 256
/* argv is copied as one NUL-separated block; longer command lines are cut and flagged. */
#define DL_ARGS_MAX 1024
#define DL_COMM_MAX 16
/* the loader drains the ring at least this often (BPF side wakes it only per batch) */
#define DL_POLL_MS 20

enum dl_event_kind {
	DL_EVENT_EXEC = 1,
	DL_EVENT_FORK = 2,
	DL_EVENT_EXIT = 3,
};

enum dl_flag {
	/* the file lives in an overlayfs upper (writable) layer */
	DL_FLAG_UPPER_LAYER = 1 << 0,
	/* fileless: memfd or any file with no link left */
	DL_FLAG_MEMFD = 1 << 1,
	/* root is an overlay (a container) but the file is on another filesystem */
	DL_FLAG_NON_IMAGE_FS = 1 << 2,
	/* the running binary is a shell, script runtime or dynamic loader */
	DL_FLAG_INTERPRETER = 1 << 3,
	DL_FLAG_ARGS_TRUNCATED = 1 << 4,
};

#define DL_DRIFT_FLAGS (DL_FLAG_UPPER_LAYER | DL_FLAG_MEMFD | DL_FLAG_NON_IMAGE_FS)

enum dl_mode {
	DL_MODE_OFF = 0,
	DL_MODE_DETECT = 1,
	DL_MODE_PROTECT = 2,
};

enum dl_verdict {
	/* cgroup has no mode or mode off: nothing was decided */
	DL_VERDICT_NONE = 0,
	/* watched cgroup, no drift flag */
	DL_VERDICT_CLEAN = 1,
	/* drift seen in detect mode, or protect mode whose kill could not be sent */
	DL_VERDICT_DRIFT = 2,
	/* drift in protect mode: SIGKILL sent from the exec tracepoint */
	DL_VERDICT_KILLED = 3,
	/* drift, but the file is in the exceptions map */
	DL_VERDICT_EXCEPTED = 4,
};

/* Per-CPU counters, summed by the loader for its stats line. */
enum dl_counter {
	DL_COUNTER_EVENTS = 0,
	DL_COUNTER_DROPS = 1,
	DL_COUNTER_KILLS = 2,
	DL_COUNTER_MAX = 3,
};

struct dl_event_header {
	__u32 kind;
	__u32 pid;  /* thread id (kernel "pid") */
	__u32 tgid; /* process id */
	__u32 ppid; /* tgid of the real parent */
	__u64 time_ns; /* CLOCK_BOOTTIME */
	__u64 cgroup_id; /* cgroup v2 id of the task */
};

struct dl_exec_event {
	struct dl_event_header hdr;
	__u32 uid;
	__u32 gid;
	__u32 mnt_ns;
	__u32 pid_ns;
	/* the file named by execve (the script itself for a #! script) */
	__u32 dev; /* kernel dev_t encoding (MAJOR << 20 | MINOR) */
	__u32 flags;
	__u64 ino;
	__s64 size;
	__s64 mtime_sec;
	__s64 ctime_sec;
	__u32 mtime_nsec;
	__u32 ctime_nsec;
	__u8 mode;
	__u8 verdict;
	__u16 filename_len;
	__u16 args_len;
	__u16 pad;
	char comm[DL_COMM_MAX];
	char filename[DL_FILENAME_MAX];
	char args[DL_ARGS_MAX];
};

struct dl_fork_event {
	struct dl_event_header hdr; /* pid/tgid: the child, ppid: the parent process */
};

struct dl_exit_event {
	struct dl_event_header hdr;
	__u32 exit_code; /* low 8 bits of the exit status */
	__u32 signal;    /* terminating signal, 0 for a normal exit */
};

/* Exceptions are keyed by the file identity the kernel sees. */
struct dl_exception_key {
	__u32 dev; /* kernel dev_t encoding */
	__u32 pad;
	__u64 ino;
};

/*
 * The ctime the file had when the exception was granted: any later write or
 * chmod changes ctime (and user space cannot set it back), so an excepted
 * inode that gets modified in place loses its exception.
 */
struct dl_exception_value {
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 pad;
};

#endif
