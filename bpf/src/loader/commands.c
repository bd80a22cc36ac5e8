// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stdin commands, one per line (docs/sensor.md):
 *   mode <cgroup-id> off|detect|protect
 *   clear <cgroup-id>
 *   except <path>      unexcept <path>
 *   stats
 * Each line gets exactly one ack line, in order, so the caller can match
 * answers to commands without ids.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "driftlock.h"
#include "driftlock.skel.h"
#include "json.h"
#include "sensor.h"

static void ack_ok(const char *verb)
{
	json_begin("ack");
	json_key_bool("ok", true);
	json_key_cstr("cmd", verb);
	json_end();
}

static void ack_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ack_error(const char *verb, const char *fmt, ...)
{
	char message[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	json_begin("ack");
	json_key_bool("ok", false);
	json_key_cstr("cmd", verb);
	json_key_cstr("err", message);
	json_end();
}

static int parse_cgroup_id(const char *verb, const char *text, __u64 *id)
{
	char *end;

	errno = 0;
	*id = strtoull(text, &end, 10);
	if (errno || end == text || *end != '\0' || text[0] == '-') {
		ack_error(verb, "%s: cgroup id '%s' is not a decimal number", verb, text);
		return -1;
	}
	return 0;
}

static int parse_mode(const char *text, __u8 *mode)
{
	if (strcmp(text, "off") == 0)
		*mode = DL_MODE_OFF;
	else if (strcmp(text, "detect") == 0)
		*mode = DL_MODE_DETECT;
	else if (strcmp(text, "protect") == 0)
		*mode = DL_MODE_PROTECT;
	else
		return -1;
	return 0;
}

static void set_mode(struct driftlock *skel, char *args)
{
	char *mode_text = strchr(args, ' ');
	__u64 cgroup_id;
	__u8 mode;

	if (!mode_text) {
		ack_error("mode", "mode: expected 'mode <cgroup-id> off|detect|protect', got 'mode %s'", args);
		return;
	}
	*mode_text++ = '\0';
	if (parse_cgroup_id("mode", args, &cgroup_id))
		return;
	if (parse_mode(mode_text, &mode)) {
		ack_error("mode", "mode: unknown mode '%s' (off, detect or protect)", mode_text);
		return;
	}
	if (bpf_map__update_elem(skel->maps.modes, &cgroup_id, sizeof(cgroup_id), &mode, sizeof(mode),
				 BPF_ANY)) {
		ack_error("mode", "mode: cannot set cgroup %llu to %s: %s", (unsigned long long)cgroup_id,
			  mode_text, strerror(errno));
		return;
	}
	ack_ok("mode");
}

static void clear_mode(struct driftlock *skel, char *args)
{
	__u64 cgroup_id;

	if (parse_cgroup_id("clear", args, &cgroup_id))
		return;
	if (bpf_map__delete_elem(skel->maps.modes, &cgroup_id, sizeof(cgroup_id), 0) && errno != ENOENT) {
		ack_error("clear", "clear: cannot clear cgroup %llu: %s", (unsigned long long)cgroup_id,
			  strerror(errno));
		return;
	}
	ack_ok("clear");
}

/*
 * The path is resolved here, once: the kernel matches dev, inode and ctime,
 * so a file later replaced or modified at that path is not excepted.
 */
static void change_exception(struct driftlock *skel, const char *verb, const char *path, bool add)
{
	struct dl_exception_key key = {};
	struct dl_exception_value value = {};
	struct stat st;
	int err;

	if (path[0] != '/') {
		ack_error(verb, "%s: path must be absolute, got '%s'", verb, path);
		return;
	}
	if (stat(path, &st)) {
		ack_error(verb, "%s: cannot stat %s: %s", verb, path, strerror(errno));
		return;
	}
	key.dev = dl_dev_to_kernel(st.st_dev);
	key.ino = st.st_ino;
	value.ctime_sec = st.st_ctim.tv_sec;
	value.ctime_nsec = st.st_ctim.tv_nsec;
	if (add)
		err = bpf_map__update_elem(skel->maps.exceptions, &key, sizeof(key), &value, sizeof(value),
					   BPF_ANY);
	else
		err = bpf_map__delete_elem(skel->maps.exceptions, &key, sizeof(key), 0);
	if (err && !(errno == ENOENT && !add)) {
		ack_error(verb, "%s: cannot update exception for %s: %s", verb, path, strerror(errno));
		return;
	}
	json_begin("ack");
	json_key_bool("ok", true);
	json_key_cstr("cmd", verb);
	json_key_u64("dev", st.st_dev);
	json_key_u64_str("ino", st.st_ino);
	json_end();
}

void dl_handle_command(struct driftlock *skel, char *line)
{
	char *args = strchr(line, ' ');

	if (args)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(line, "mode") == 0)
		set_mode(skel, args);
	else if (strcmp(line, "clear") == 0)
		clear_mode(skel, args);
	else if (strcmp(line, "except") == 0)
		change_exception(skel, "except", args, true);
	else if (strcmp(line, "unexcept") == 0)
		change_exception(skel, "unexcept", args, false);
	else if (strcmp(line, "stats") == 0) {
		dl_print_stats(skel);
		ack_ok("stats");
	} else
		ack_error(line, "unknown command '%s' (mode, clear, except, unexcept, stats)", line);
}
