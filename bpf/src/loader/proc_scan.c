// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Start-up scan: processes older than the sensor never pass the exec
 * tracepoint, so /proc is read once (after the programs are attached, so no
 * process falls between the two) and each process becomes an exec event with
 * scan: true. User space cannot see overlay layers, so a scan event only
 * carries the memfd flag (the running file has no link left).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driftlock.h"
#include "json.h"
#include "sensor.h"

struct proc_info {
	unsigned int ppid;
	unsigned long long start_ticks;
	unsigned int uid, gid;
	char comm[DL_COMM_MAX];
	char exe[PATH_MAX];
	ssize_t exe_len;
	struct stat exe_stat;
	char args[DL_ARGS_MAX];
	ssize_t args_len;
	bool args_truncated;
	unsigned long long cgroup_id, mnt_ns, pid_ns;
};

static char cgroup2_root[PATH_MAX];

/* where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup/unified on hybrid hosts */
static void find_cgroup2_root(void)
{
	FILE *mounts = fopen("/proc/self/mountinfo", "r");
	char line[4096];

	if (!mounts)
		return;
	while (fgets(line, sizeof(line), mounts)) {
		char mount_point[PATH_MAX];
		char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) == 1) {
			snprintf(cgroup2_root, sizeof(cgroup2_root), "%s", mount_point);
			break;
		}
	}
	fclose(mounts);
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t total = 0, n;

	if (fd < 0)
		return -1;
	while ((size_t)total < size && (n = read(fd, buf + total, size - total)) > 0)
		total += n;
	close(fd);
	return total;
}

static bool read_stat(const char *dir, struct proc_info *p)
{
	char path[PATH_MAX], buf[1024];
	ssize_t n;
	char *open_paren, *close_paren;

	snprintf(path, sizeof(path), "%s/stat", dir);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	/* after ") ": state ppid ... and starttime is field 22 of the whole line */
	return sscanf(close_paren + 2, "%*c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		      &p->ppid, &p->start_ticks) == 2;
}

static void read_ids(const char *dir, struct proc_info *p)
{
	char path[PATH_MAX], buf[4096], *line;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/status", dir);
	n = read_file(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if ((line = strstr(buf, "\nUid:")))
		p->uid = strtoul(line + 5, NULL, 10);
	if ((line = strstr(buf, "\nGid:")))
		p->gid = strtoul(line + 5, NULL, 10);
}

static unsigned long long inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* the BPF cgroup id is the inode of the cgroup's folder in the v2 hierarchy */
static void read_cgroup(const char *dir, struct proc_info *p)
{
	char path[PATH_MAX], buf[4096], folder[PATH_MAX * 2];
	ssize_t n;
	char *line, *end;

	snprintf(path, sizeof(path), "%s/cgroup", dir);
	n = read_file(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	line = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!line || !cgroup2_root[0])
		return;
	line += line == buf ? 3 : 4;
	if ((end = strchr(line, '\n')))
		*end = '\0';
	snprintf(folder, sizeof(folder), "%s%s", cgroup2_root, line);
	p->cgroup_id = inode_of(folder);
}

static bool read_process(const char *dir, struct proc_info *p)
{
	char path[PATH_MAX];
	char probe;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/exe", dir);
	/* kernel threads have no exe and never exec: not part of the tree */
	p->exe_len = readlink(path, p->exe, sizeof(p->exe));
	if (p->exe_len <= 0 || stat(path, &p->exe_stat))
		return false;
	if (!read_stat(dir, p))
		return false;
	read_ids(dir, p);
	read_cgroup(dir, p);
	snprintf(path, sizeof(path), "%s/ns/mnt", dir);
	p->mnt_ns = inode_of(path);
	snprintf(path, sizeof(path), "%s/ns/pid", dir);
	p->pid_ns = inode_of(path);
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	p->args_len = read_file(path, p->args, sizeof(p->args));
	if (p->args_len < 0)
		p->args_len = 0;
	else if ((size_t)p->args_len == sizeof(p->args)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		p->args_truncated = fd >= 0 && pread(fd, &probe, 1, sizeof(p->args)) == 1;
		if (fd >= 0)
			close(fd);
	}
	return true;
}

static void print_process(unsigned int pid, const struct proc_info *p, long ticks_per_second)
{
	json_begin("exec");
	json_key_u64_str("t", p->start_ticks * (1000000000ULL / ticks_per_second));
	json_key_u64("pid", pid);
	json_key_u64("tgid", pid);
	json_key_u64("ppid", p->ppid);
	json_key_u64_str("cg", p->cgroup_id);
	json_key_u64("uid", p->uid);
	json_key_u64("gid", p->gid);
	json_key_u64("mntns", p->mnt_ns);
	json_key_u64("pidns", p->pid_ns);
	json_key_cstr("comm", p->comm);
	json_key_str("file", p->exe, p->exe_len);
	json_key_nul_list("argv", p->args, p->args_len);
	json_key_bool("argv_trunc", p->args_truncated);
	json_key_u64("dev", p->exe_stat.st_dev);
	json_key_u64_str("ino", p->exe_stat.st_ino);
	json_key_i64("size", p->exe_stat.st_size);
	json_key_i64("mtime_s", p->exe_stat.st_mtim.tv_sec);
	json_key_u64("mtime_ns", p->exe_stat.st_mtim.tv_nsec);
	json_key_i64("ctime_s", p->exe_stat.st_ctim.tv_sec);
	json_key_u64("ctime_ns", p->exe_stat.st_ctim.tv_nsec);
	json_key_flags("flags", p->exe_stat.st_nlink == 0 ? DL_FLAG_MEMFD : 0);
	json_key_cstr("mode", "off");
	json_key_cstr("verdict", "none");
	json_key_bool("killed", false);
	json_key_bool("scan", true);
	json_end();
}

int dl_scan_proc(void)
{
	DIR *proc = opendir("/proc");
	long ticks_per_second = sysconf(_SC_CLK_TCK);
	struct proc_info *info = malloc(sizeof(*info));
	struct dirent *entry;
	int count = 0;

	if (!proc || !info) {
		if (proc)
			closedir(proc);
		free(info);
		return -1;
	}
	find_cgroup2_root();
	while ((entry = readdir(proc))) {
		char dir[64];
		char *end;
		unsigned long pid = strtoul(entry->d_name, &end, 10);

		if (*end != '\0' || pid == 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%lu", pid);
		/* a process may exit while we read it: skip it, its exit event follows */
		if (!read_process(dir, info))
			continue;
		print_process(pid, info, ticks_per_second);
		count++;
	}
	closedir(proc);
	free(info);
	return count;
}
