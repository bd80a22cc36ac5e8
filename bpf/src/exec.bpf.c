// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every exec on the host: who ran what, whether the file belongs to the
 * container's image, and the enforcement verdict, all decided in
 * sched_process_exec, past execve's point of no return, before the new image
 * runs its first instruction.
 *
 * tp_btf rather than the classic tracepoint: it hands us the linux_binprm.
 * The file that matters is the one execve named: for a #! script that is the
 * script, but by the time the tracepoint fires the kernel has swapped in the
 * interpreter and dropped its reference to the script (fentry on the exec
 * path, which would see it earlier, is refused on kernels like ours). That
 * drop is deferred: the script's struct file sits, still intact, on the
 * task's task_works list until the syscall returns, so we find it there.
 */
#include "common.bpf.h"

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define DL_NAME_MAX 32

/* open_exec() leaves this in f_flags (f_mode's FMODE_EXEC is not set on 6.18) */
#define __FMODE_EXEC 0x20
/* bounds the task_works walk; a script exec's list holds the script, the old image and close-on-exec fds */
#define DL_TASK_WORKS_MAX 4096

/* the deferred-fput callback: a task_works entry with this function is a struct file */
extern const void ____fput __ksym __weak;

/* Only the two fields we read; CO-RE finds them in the kernel's ovl_inode. */
struct ovl_inode___dl {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
} __attribute__((preserve_access_index));

/* Timestamps moved inside struct inode over the years: 6.11+, 6.7-6.10, older. */
struct inode___split {
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

struct inode___private {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___timespec {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

/* multigrain timestamps (6.13+) keep a "queried" flag in the top bit of the ctime nanoseconds */
#define DL_CTIME_NSEC_MASK 0x7fffffff

static __always_inline void dl_read_times(struct inode *inode, struct dl_exec_file *file)
{
	if (bpf_core_field_exists(struct inode___split, i_mtime_sec)) {
		struct inode___split *i = (void *)inode;

		file->mtime_sec = BPF_CORE_READ(i, i_mtime_sec);
		file->mtime_nsec = BPF_CORE_READ(i, i_mtime_nsec);
		file->ctime_sec = BPF_CORE_READ(i, i_ctime_sec);
		file->ctime_nsec = BPF_CORE_READ(i, i_ctime_nsec) & DL_CTIME_NSEC_MASK;
	} else if (bpf_core_field_exists(struct inode___private, __i_mtime)) {
		struct inode___private *i = (void *)inode;

		file->mtime_sec = BPF_CORE_READ(i, __i_mtime.tv_sec);
		file->mtime_nsec = BPF_CORE_READ(i, __i_mtime.tv_nsec);
		file->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		file->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else {
		struct inode___timespec *i = (void *)inode;

		file->mtime_sec = BPF_CORE_READ(i, i_mtime.tv_sec);
		file->mtime_nsec = BPF_CORE_READ(i, i_mtime.tv_nsec);
		file->ctime_sec = BPF_CORE_READ(i, i_ctime.tv_sec);
		file->ctime_nsec = BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

/* Set once the file exists in the writable layer (created, or copied up by a write or chmod). */
static __always_inline bool dl_in_upper_layer(struct inode *inode)
{
	struct dentry *upper = NULL;
	__u64 offset;

	if (bpf_core_type_exists(struct ovl_inode___dl))
		offset = bpf_core_field_offset(struct ovl_inode___dl, __upperdentry) -
			 bpf_core_field_offset(struct ovl_inode___dl, vfs_inode);
	else
		/* kernels without ovl_inode in BTF: the pointer follows the inode (as Falco reads it) */
		offset = bpf_core_type_size(struct inode);
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)inode + offset);
	return upper != NULL;
}

static __always_inline void dl_classify(struct file *f, struct task_struct *task,
					struct dl_exec_file *file)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	struct super_block *root_sb = BPF_CORE_READ(task, fs, root.mnt, mnt_sb);

	file->dev = BPF_CORE_READ(sb, s_dev);
	file->ino = BPF_CORE_READ(inode, i_ino);
	file->size = BPF_CORE_READ(inode, i_size);
	dl_read_times(inode, file);
	file->flags = 0;
	if (BPF_CORE_READ(inode, i_nlink) == 0)
		file->flags |= DL_FLAG_MEMFD;
	else if (sb != root_sb && BPF_CORE_READ(root_sb, s_magic) == OVERLAYFS_SUPER_MAGIC)
		file->flags |= DL_FLAG_NON_IMAGE_FS;
	if (BPF_CORE_READ(sb, s_magic) == OVERLAYFS_SUPER_MAGIC && dl_in_upper_layer(inode))
		file->flags |= DL_FLAG_UPPER_LAYER;
}

static __always_inline bool dl_name_is(const char *name, const char *lit, int len, bool prefix)
{
	for (int i = 0; i < len; i++)
		if (name[i] != lit[i])
			return false;
	return prefix || name[len] == '\0';
}

#define NAME_IS(lit) dl_name_is(name, lit, sizeof(lit) - 1, false)
#define NAME_STARTS(lit) dl_name_is(name, lit, sizeof(lit) - 1, true)

/*
 * By the binary's own name (symlinks resolved: /bin/sh is seen as dash or
 * busybox), versions included by prefix (python3.11, perl5.36).
 */
static __always_inline bool dl_is_interpreter(struct file *exe)
{
	char name[DL_NAME_MAX] = {};

	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
	return NAME_IS("sh") || NAME_IS("bash") || NAME_IS("dash") || NAME_IS("ash") ||
	       NAME_IS("zsh") || NAME_IS("ksh") || NAME_IS("mksh") || NAME_IS("busybox") ||
	       NAME_STARTS("python") || NAME_STARTS("perl") || NAME_STARTS("ruby") ||
	       NAME_STARTS("node") || NAME_STARTS("php") || NAME_STARTS("ld-linux") ||
	       NAME_STARTS("ld-musl") || NAME_IS("ld.so");
}

struct dl_task_works_walk {
	struct callback_head *next;
	struct file *deepest_exec_file;
};

static long dl_task_works_step(__u64 index, struct dl_task_works_walk *walk)
{
	struct callback_head *work = walk->next;
	struct file *f;

	if (!work)
		return 1;
	walk->next = BPF_CORE_READ(work, next);
	if ((unsigned long)BPF_CORE_READ(work, func) != (unsigned long)&____fput)
		return 0;
	f = (void *)work - bpf_core_field_offset(struct file, f_task_work);
	/*
	 * The list is last-in first-out. Files opened for exec on it: the script
	 * (put first, so deepest) and later the previous image's exe_file.
	 */
	if (BPF_CORE_READ(f, f_flags) & __FMODE_EXEC)
		walk->deepest_exec_file = f;
	return 0;
}

/* The file execve named: the script for a #! exec, else the image itself. */
static __always_inline struct file *dl_named_file(struct task_struct *task, struct linux_binprm *bprm)
{
	struct dl_task_works_walk walk = { .next = BPF_CORE_READ(task, task_works) };

	/* binfmt_script points interp at the interpreter; otherwise it is filename itself */
	if (BPF_CORE_READ(bprm, interp) == BPF_CORE_READ(bprm, filename) || !&____fput)
		return BPF_CORE_READ(bprm, file);
	bpf_loop(DL_TASK_WORKS_MAX, dl_task_works_step, &walk, 0);
	return walk.deepest_exec_file ? walk.deepest_exec_file : BPF_CORE_READ(bprm, file);
}

static __always_inline void dl_read_args(struct task_struct *task, struct dl_exec_event *e)
{
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long len = BPF_CORE_READ(task, mm, arg_end) - start;

	if (len > DL_ARGS_MAX) {
		len = DL_ARGS_MAX;
		e->flags |= DL_FLAG_ARGS_TRUNCATED;
	}
	/* keeps the clamp visible to the verifier after clang's reordering */
	asm volatile("" : "+r"(len));
	if (len > DL_ARGS_MAX)
		return;
	if (bpf_probe_read_user(e->args, len, (void *)start) == 0)
		e->args_len = len;
}

static __always_inline __u32 dl_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid;

	bpf_probe_read_kernel(&upid, sizeof(upid), &pid->numbers[level]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(dl_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct file *image_file = BPF_CORE_READ(bprm, file);
	struct file *named_file = dl_named_file(task, bprm);
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct dl_exec_file file, image;
	struct dl_exec_event *e;
	long filename_len;
	int decision;

	dl_classify(named_file, task, &file);
	if (named_file != image_file) {
		/* a #! script: its interpreter can be drift as well */
		dl_classify(image_file, task, &image);
		file.flags |= image.flags & DL_DRIFT_FLAGS;
	}
	if (dl_is_interpreter(image_file))
		file.flags |= DL_FLAG_INTERPRETER;

	/* decide before reserving: a full ring must never skip a kill */
	decision = dl_enforce(cgroup_id, &file);

	e = dl_reserve(sizeof(*e));
	if (!e)
		return 0;
	dl_fill_header(&e->hdr, DL_EVENT_EXEC, task);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->gid = BPF_CORE_READ(task, cred, gid.val);
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->pid_ns = dl_pid_ns(task);
	e->dev = file.dev;
	e->flags = file.flags;
	e->ino = file.ino;
	e->size = file.size;
	e->mtime_sec = file.mtime_sec;
	e->mtime_nsec = file.mtime_nsec;
	e->ctime_sec = file.ctime_sec;
	e->ctime_nsec = file.ctime_nsec;
	e->mode = decision >> 8;
	e->verdict = decision & 0xff;
	e->args_len = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	filename_len = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
						 BPF_CORE_READ(bprm, filename));
	e->filename_len = filename_len > 0 ? filename_len - 1 : 0;
	dl_read_args(task, e);
	dl_submit(e, e->verdict == DL_VERDICT_KILLED);
	return 0;
}
