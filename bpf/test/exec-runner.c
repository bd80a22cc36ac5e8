// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test and benchmark fixture: fork+exec one program many times, optionally
 * inside a cgroup (the runner moves itself there, children inherit it), in a
 * chroot (so the child's root is an overlay, like a container's), or from a
 * memfd (fileless). Prints what happened to the children as one JSON line:
 *   {"runs":N,"exit_codes":{"0":n,...},"signals":{"9":n,...},"elapsed_ns":T,"cpu_ns":C}
 * cpu_ns is the CPU time of the runner and its children (user + system: the
 * kernel's exec path, BPF programs included, is system time of the task).
 * Fork+exec in C keeps 1,000 runs to about a second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct options {
	const char *cgroup, *root, *cwd;
	bool memfd;
	long count;
	char **argv;
};

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "exec-runner: %s %s: %s\n", what, detail, strerror(errno));
	exit(125);
}

static void usage(void)
{
	fputs("usage: exec-runner [--cgroup DIR] [--root DIR] [--cwd DIR] [--memfd] [--count N] -- PROGRAM [ARGS...]\n",
	      stderr);
	exit(125);
}

static struct options parse(int argc, char **argv)
{
	struct options o = { .count = 1 };
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--memfd") == 0)
			o.memfd = true;
		else if (i + 1 >= argc)
			usage();
		else if (strcmp(argv[i], "--cgroup") == 0)
			o.cgroup = argv[++i];
		else if (strcmp(argv[i], "--root") == 0)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--cwd") == 0)
			o.cwd = argv[++i];
		else if (strcmp(argv[i], "--count") == 0)
			o.count = atol(argv[++i]);
		else
			usage();
	}
	if (i + 1 >= argc || o.count < 1)
		usage();
	o.argv = argv + i + 1;
	return o;
}

static void join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail("cannot open", path);
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, len) != len)
		fail("cannot join cgroup", dir);
	close(fd);
}

/* the program's bytes in an anonymous memory file, read before any chroot */
static int load_memfd(const char *program)
{
	int source = open(program, O_RDONLY | O_CLOEXEC);
	int memfd = memfd_create("driftlock-test", 0);
	char buf[65536];
	ssize_t n;

	if (source < 0)
		fail("cannot open", program);
	if (memfd < 0)
		fail("memfd_create for", program);
	while ((n = read(source, buf, sizeof(buf))) > 0)
		if (write(memfd, buf, n) != n)
			fail("cannot copy into memfd", program);
	close(source);
	return memfd;
}

static void run_child(const struct options *o, int memfd)
{
	extern char **environ;

	if (o->root && (chroot(o->root) || chdir("/")))
		fail("cannot chroot to", o->root);
	if (o->cwd && chdir(o->cwd))
		fail("cannot chdir to", o->cwd);
	if (memfd >= 0)
		fexecve(memfd, o->argv, environ);
	else
		execv(o->argv[0], o->argv);
	fail("cannot exec", o->argv[0]);
}

static void print_counts(const char *name, const long *counts, int size)
{
	bool first = true;

	printf("\"%s\":{", name);
	for (int i = 0; i < size; i++) {
		if (!counts[i])
			continue;
		printf("%s\"%d\":%ld", first ? "" : ",", i, counts[i]);
		first = false;
	}
	putchar('}');
}

static long long cpu_ns(int who)
{
	struct rusage usage;

	getrusage(who, &usage);
	return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL +
	       (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
}

int main(int argc, char **argv)
{
	struct options o = parse(argc, argv);
	long exit_codes[256] = {}, signals[65] = {};
	int memfd = o.memfd ? load_memfd(o.argv[0]) : -1;
	struct timespec start, end;
	long long cpu_start;

	if (o.cgroup)
		join_cgroup(o.cgroup);
	cpu_start = cpu_ns(RUSAGE_SELF) + cpu_ns(RUSAGE_CHILDREN);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long run = 0; run < o.count; run++) {
		int status;
		pid_t child = fork();

		if (child < 0)
			fail("fork for", o.argv[0]);
		if (child == 0)
			run_child(&o, memfd);
		if (waitpid(child, &status, 0) < 0)
			fail("waitpid for", o.argv[0]);
		if (WIFEXITED(status))
			exit_codes[WEXITSTATUS(status)]++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) < 65)
			signals[WTERMSIG(status)]++;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("{\"runs\":%ld,", o.count);
	print_counts("exit_codes", exit_codes, 256);
	putchar(',');
	print_counts("signals", signals, 65);
	printf(",\"elapsed_ns\":%lld,\"cpu_ns\":%lld}\n",
	       (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec),
	       cpu_ns(RUSAGE_SELF) + cpu_ns(RUSAGE_CHILDREN) - cpu_start);
	return 0;
}
