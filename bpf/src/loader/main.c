// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * driftlock-sensor: loads the driftlock BPF programs, streams their events as
 * JSON lines on stdout and applies map updates read from stdin. The agent
 * runs it as a child process; docs/sensor.md is the contract.
 *
 * Exit status: 0 after EOF on stdin or SIGTERM/SIGINT, 1 when stdout breaks
 * or the event loop fails, 2 when the kernel or our privileges cannot run
 * the programs (message on stderr says which).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "driftlock.h"
#include "driftlock.skel.h"
#include "json.h"
#include "sensor.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
#define EXIT_RUNTIME 1
#define EXIT_UNSUPPORTED 2
#define COMMAND_MAX 8192

static void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

static void die(int status, const char *fmt, ...)
{
	va_list args;

	fputs("driftlock-sensor: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	exit(status);
}

/* libbpf's warnings explain verifier and attach failures; its debug chatter is noise */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static uint64_t boottime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_BOOTTIME, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
}

static void flush_or_die(void)
{
	int err = json_flush();

	if (err)
		die(EXIT_RUNTIME, "cannot write events to stdout: %s", strerror(-err));
}

void dl_print_stats(struct driftlock *skel)
{
	int cpus = libbpf_num_possible_cpus();
	__u64 totals[DL_COUNTER_MAX] = {};
	__u64 *per_cpu = calloc(cpus > 0 ? cpus : 1, sizeof(__u64));

	for (__u32 counter = 0; per_cpu && cpus > 0 && counter < DL_COUNTER_MAX; counter++) {
		if (bpf_map__lookup_elem(skel->maps.counters, &counter, sizeof(counter), per_cpu,
					 sizeof(__u64) * cpus, 0))
			continue;
		for (int cpu = 0; cpu < cpus; cpu++)
			totals[counter] += per_cpu[cpu];
	}
	free(per_cpu);
	json_begin("stats");
	json_key_u64_str("t", boottime_ns());
	json_key_u64("events", totals[DL_COUNTER_EVENTS]);
	json_key_u64("drops", totals[DL_COUNTER_DROPS]);
	json_key_u64("kills", totals[DL_COUNTER_KILLS]);
	json_end();
}

static struct driftlock *load_programs(unsigned int ring_buffer_kb)
{
	struct driftlock *skel;
	int err;

	if (access(KERNEL_BTF, R_OK))
		die(EXIT_UNSUPPORTED, "no kernel BTF at %s (%s): the kernel must be built with CONFIG_DEBUG_INFO_BTF=y",
		    KERNEL_BTF, strerror(errno));
	skel = driftlock__open();
	if (!skel)
		die(EXIT_UNSUPPORTED, "cannot open the embedded BPF object: %s", strerror(errno));
	if (ring_buffer_kb && bpf_map__set_max_entries(skel->maps.events, ring_buffer_kb * 1024))
		die(EXIT_RUNTIME, "cannot size the ring buffer to %u KiB: %s", ring_buffer_kb, strerror(errno));
	err = driftlock__load(skel);
	if (err == -EPERM || err == -EACCES)
		die(EXIT_UNSUPPORTED, "loading BPF programs: %s; run as root (needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)",
		    strerror(-err));
	if (err)
		die(EXIT_UNSUPPORTED, "loading BPF programs: %s (the verifier or libbpf said why, above)", strerror(-err));
	err = driftlock__attach(skel);
	if (err)
		die(EXIT_UNSUPPORTED, "attaching to the sched tracepoints: %s (libbpf named the program, above)",
		    strerror(-err));
	return skel;
}

struct command_reader {
	char line[COMMAND_MAX];
	size_t len;
	bool overlong;
};

/* Returns false on EOF. */
static bool read_commands(struct driftlock *skel, struct command_reader *reader)
{
	ssize_t n = read(STDIN_FILENO, reader->line + reader->len, sizeof(reader->line) - reader->len);
	size_t start = 0;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	reader->len += n;
	for (size_t i = 0; i < reader->len; i++) {
		if (reader->line[i] != '\n')
			continue;
		reader->line[i] = '\0';
		if (reader->overlong)
			reader->overlong = false;
		else if (i > start)
			dl_handle_command(skel, reader->line + start);
		start = i + 1;
	}
	memmove(reader->line, reader->line + start, reader->len - start);
	reader->len -= start;
	if (reader->len == sizeof(reader->line)) {
		/* answer once, then drop the rest of the line when its newline comes */
		json_begin("ack");
		json_key_bool("ok", false);
		json_key_cstr("cmd", "");
		json_key_cstr("err", "command line longer than 8191 bytes");
		json_end();
		reader->len = 0;
		reader->overlong = true;
	}
	return true;
}

static int watch(int epoll_fd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

struct options {
	unsigned int stats_interval_ms;
	/* 0: the size compiled into the object (8 MiB) */
	unsigned int ring_buffer_kb;
};

static unsigned int positive_number(const char *flag, const char *text)
{
	char *end;
	unsigned long value = strtoul(text, &end, 10);

	if (*end != '\0' || end == text || value == 0 || value > 1u << 30)
		die(EXIT_RUNTIME, "%s needs a positive number, got '%s'", flag, text);
	return value;
}

static struct options parse_options(int argc, char **argv)
{
	struct options o = { .stats_interval_ms = 1000 };

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			die(EXIT_RUNTIME, "usage: %s [--stats-interval-ms N] [--ring-buffer-kb N]", argv[0]);
		if (strcmp(argv[i], "--stats-interval-ms") == 0)
			o.stats_interval_ms = positive_number(argv[i], argv[i + 1]);
		else if (strcmp(argv[i], "--ring-buffer-kb") == 0)
			o.ring_buffer_kb = positive_number(argv[i], argv[i + 1]);
		else
			die(EXIT_RUNTIME, "usage: %s [--stats-interval-ms N] [--ring-buffer-kb N]", argv[0]);
	}
	/* the kernel wants a power-of-two number of pages */
	if (o.ring_buffer_kb && (o.ring_buffer_kb < 4 || (o.ring_buffer_kb & (o.ring_buffer_kb - 1))))
		die(EXIT_RUNTIME, "--ring-buffer-kb must be a power of two, at least 4, got %u", o.ring_buffer_kb);
	return o;
}

int main(int argc, char **argv)
{
	static struct command_reader reader;
	struct options options = parse_options(argc, argv);
	unsigned int interval_ms = options.stats_interval_ms;
	struct itimerspec period = {
		.it_interval = { interval_ms / 1000, (interval_ms % 1000) * 1000000L },
		.it_value = { interval_ms / 1000, (interval_ms % 1000) * 1000000L },
	};
	struct driftlock *skel;
	struct ring_buffer *ring;
	int epoll_fd, signal_fd, timer_fd, ring_fd;
	const char *reason = NULL;
	sigset_t stop_signals;
	bool stdin_is_file = false;
	int scanned;

	setvbuf(stdout, NULL, _IOFBF, 1 << 18);
	signal(SIGPIPE, SIG_IGN);
	libbpf_set_print(libbpf_log);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);

	skel = load_programs(options.ring_buffer_kb);
	ring = ring_buffer__new(bpf_map__fd(skel->maps.events), dl_print_event, NULL, NULL);
	if (!ring)
		die(EXIT_RUNTIME, "cannot map the event ring buffer: %s", strerror(errno));
	ring_fd = ring_buffer__epoll_fd(ring);
	signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (signal_fd < 0 || timer_fd < 0 || epoll_fd < 0 || timerfd_settime(timer_fd, 0, &period, NULL) ||
	    watch(epoll_fd, ring_fd) || watch(epoll_fd, signal_fd) || watch(epoll_fd, timer_fd))
		die(EXIT_RUNTIME, "cannot set up the event loop: %s", strerror(errno));
	/* a regular file or /dev/null cannot be polled: its commands are read at once, then EOF */
	if (watch(epoll_fd, STDIN_FILENO)) {
		if (errno != EPERM)
			die(EXIT_RUNTIME, "cannot watch stdin: %s", strerror(errno));
		stdin_is_file = true;
	}

	json_begin("hello");
	json_key_u64("v", DL_FORMAT_VERSION);
	json_key_u64("pid", getpid());
	json_key_u64_str("t", boottime_ns());
	json_end();
	scanned = dl_scan_proc();
	if (scanned < 0)
		die(EXIT_RUNTIME, "cannot scan /proc: %s", strerror(errno));
	json_begin("ready");
	json_key_u64("scanned", scanned);
	json_end();
	flush_or_die();
	while (stdin_is_file && !reason)
		if (!read_commands(skel, &reader))
			reason = "eof";

	while (!reason) {
		struct epoll_event ready[4];
		/* the kernel wakes us per batch; the timeout picks up a partial one */
		int n = epoll_wait(epoll_fd, ready, 4, DL_POLL_MS);

		if (n < 0 && errno != EINTR)
			die(EXIT_RUNTIME, "event loop: epoll_wait: %s", strerror(errno));
		if (ring_buffer__consume(ring) < 0)
			die(EXIT_RUNTIME, "reading the event ring buffer: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			int fd = ready[i].data.fd;

			if (fd == ring_fd)
				continue;
			if (fd == STDIN_FILENO) {
				if (!read_commands(skel, &reader))
					reason = "eof";
			} else if (fd == signal_fd) {
				reason = "signal";
			} else if (fd == timer_fd) {
				uint64_t expirations;

				if (read(timer_fd, &expirations, sizeof(expirations)) > 0)
					dl_print_stats(skel);
			}
		}
		flush_or_die();
	}

	/* what the kernel wrote before we stopped still goes out */
	ring_buffer__consume(ring);
	dl_print_stats(skel);
	json_begin("bye");
	json_key_cstr("reason", reason);
	json_end();
	flush_or_die();
	ring_buffer__free(ring);
	driftlock__destroy(skel);
	return 0;
}
