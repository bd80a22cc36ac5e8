// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "driftlock.h"

static bool first_key;

/*
 * The loader formats about 1 KB of JSON per exec on a busy host, and stdio's
 * printf was most of its CPU: keys and numbers are written by hand instead
 * (docs/bench/exec-overhead.md).
 */
static void key(const char *name)
{
	if (!first_key)
		putchar_unlocked(',');
	first_key = false;
	putchar_unlocked('"');
	fwrite_unlocked(name, 1, strlen(name), stdout);
	fwrite_unlocked("\":", 1, 2, stdout);
}

static void decimal(uint64_t value)
{
	char digits[20];
	size_t at = sizeof(digits);

	do {
		digits[--at] = '0' + value % 10;
		value /= 10;
	} while (value);
	fwrite_unlocked(digits + at, 1, sizeof(digits) - at, stdout);
}

void json_begin(const char *kind)
{
	first_key = true;
	putchar_unlocked('{');
	json_key_cstr("k", kind);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (avail < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * argv and paths are bytes, JSON strings are Unicode. Valid UTF-8 passes
 * through; every byte that is not part of valid UTF-8 becomes the lone
 * surrogate U+DC00+byte (Python's "surrogateescape"), which no real text
 * contains, so the original bytes can always be recovered.
 */
static void string(const char *bytes, size_t len)
{
	const unsigned char *s = (const unsigned char *)bytes;

	putchar_unlocked('"');
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t seq, run;

		/* printable ASCII needing no escape, the common case, goes out in one piece */
		for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\'; run++)
			;
		if (run > i) {
			fwrite_unlocked(s + i, 1, run - i, stdout);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			putchar_unlocked('\\');
			putchar_unlocked(c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
		} else if ((seq = utf8_sequence(s + i, len - i)) > 0) {
			fwrite_unlocked(s + i, 1, seq, stdout);
			i += seq;
		} else {
			printf("\\udc%02x", c);
			i++;
		}
	}
	putchar_unlocked('"');
}

void json_key_str(const char *name, const char *bytes, size_t len)
{
	key(name);
	string(bytes, len);
}

void json_key_cstr(const char *name, const char *str)
{
	json_key_str(name, str, strlen(str));
}

void json_key_u64(const char *name, uint64_t value)
{
	key(name);
	decimal(value);
}

void json_key_i64(const char *name, int64_t value)
{
	key(name);
	if (value < 0) {
		putchar_unlocked('-');
		decimal(-(uint64_t)value);
	} else {
		decimal(value);
	}
}

void json_key_u64_str(const char *name, uint64_t value)
{
	key(name);
	putchar_unlocked('"');
	decimal(value);
	putchar_unlocked('"');
}

void json_key_bool(const char *name, bool value)
{
	key(name);
	fputs(value ? "true" : "false", stdout);
}

void json_key_nul_list(const char *name, const char *block, size_t len)
{
	size_t start = 0;

	/* the block ends with a NUL unless it was truncated mid-argument */
	if (len > 0 && block[len - 1] == '\0')
		len--;
	key(name);
	putchar_unlocked('[');
	for (size_t i = 0; len > 0 && i <= len; i++) {
		if (i < len && block[i] != '\0')
			continue;
		if (start > 0)
			putchar_unlocked(',');
		string(block + start, i - start);
		start = i + 1;
	}
	putchar_unlocked(']');
}

void json_key_flags(const char *name, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} known[] = {
		{ DL_FLAG_UPPER_LAYER, "upper_layer" },
		{ DL_FLAG_MEMFD, "memfd" },
		{ DL_FLAG_NON_IMAGE_FS, "non_image_fs" },
		{ DL_FLAG_INTERPRETER, "interpreter" },
	};
	bool first = true;

	key(name);
	putchar_unlocked('[');
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!(flags & known[i].bit))
			continue;
		printf("%s\"%s\"", first ? "" : ",", known[i].name);
		first = false;
	}
	putchar_unlocked(']');
}

void json_end(void)
{
	fwrite_unlocked("}\n", 1, 2, stdout);
}

int json_flush(void)
{
	if (fflush(stdout) == 0)
		return 0;
	return errno ? -errno : -EIO;
}
