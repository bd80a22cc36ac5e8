// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Ring-buffer records to JSON lines; the format is documented in docs/sensor.md. */
#include <string.h>
#include <sys/sysmacros.h>

#include "driftlock.h"
#include "json.h"
#include "sensor.h"

uint64_t dl_dev_to_user(uint32_t kernel_dev)
{
	return makedev(kernel_dev >> 20, kernel_dev & 0xfffff);
}

uint32_t dl_dev_to_kernel(dev_t user_dev)
{
	return major(user_dev) << 20 | minor(user_dev);
}

const char *dl_mode_name(unsigned int mode)
{
	switch (mode) {
	case DL_MODE_DETECT:
		return "detect";
	case DL_MODE_PROTECT:
		return "protect";
	default:
		return "off";
	}
}

static const char *verdict_name(unsigned int verdict)
{
	switch (verdict) {
	case DL_VERDICT_CLEAN:
		return "clean";
	case DL_VERDICT_DRIFT:
		return "drift";
	case DL_VERDICT_KILLED:
		return "killed";
	case DL_VERDICT_EXCEPTED:
		return "excepted";
	default:
		return "none";
	}
}

static void header(const char *kind, const struct dl_event_header *hdr)
{
	json_begin(kind);
	json_key_u64_str("t", hdr->time_ns);
	json_key_u64("pid", hdr->pid);
	json_key_u64("tgid", hdr->tgid);
	json_key_u64("ppid", hdr->ppid);
	json_key_u64_str("cg", hdr->cgroup_id);
}

static void print_exec(const struct dl_exec_event *e)
{
	size_t filename_len = e->filename_len < DL_FILENAME_MAX ? e->filename_len : DL_FILENAME_MAX;
	size_t args_len = e->args_len < DL_ARGS_MAX ? e->args_len : DL_ARGS_MAX;

	header("exec", &e->hdr);
	json_key_u64("uid", e->uid);
	json_key_u64("gid", e->gid);
	json_key_u64("mntns", e->mnt_ns);
	json_key_u64("pidns", e->pid_ns);
	json_key_str("comm", e->comm, strnlen(e->comm, DL_COMM_MAX));
	json_key_str("file", e->filename, filename_len);
	json_key_nul_list("argv", e->args, args_len);
	json_key_bool("argv_trunc", e->flags & DL_FLAG_ARGS_TRUNCATED);
	json_key_u64("dev", dl_dev_to_user(e->dev));
	json_key_u64_str("ino", e->ino);
	json_key_i64("size", e->size);
	json_key_i64("mtime_s", e->mtime_sec);
	json_key_u64("mtime_ns", e->mtime_nsec);
	json_key_i64("ctime_s", e->ctime_sec);
	json_key_u64("ctime_ns", e->ctime_nsec);
	json_key_flags("flags", e->flags);
	json_key_cstr("mode", dl_mode_name(e->mode));
	json_key_cstr("verdict", verdict_name(e->verdict));
	json_key_bool("killed", e->verdict == DL_VERDICT_KILLED);
	json_key_bool("scan", false);
	json_end();
}

static void print_exit(const struct dl_exit_event *e)
{
	header("exit", &e->hdr);
	json_key_u64("code", e->exit_code);
	json_key_u64("sig", e->signal);
	json_end();
}

int dl_print_event(void *ctx, void *data, size_t size)
{
	const struct dl_event_header *hdr = data;

	(void)ctx;
	if (size < sizeof(*hdr))
		return 0;
	switch (hdr->kind) {
	case DL_EVENT_EXEC:
		if (size >= sizeof(struct dl_exec_event))
			print_exec(data);
		break;
	case DL_EVENT_FORK:
		header("fork", hdr);
		json_end();
		break;
	case DL_EVENT_EXIT:
		if (size >= sizeof(struct dl_exit_event))
			print_exit(data);
		break;
	}
	return 0;
}
