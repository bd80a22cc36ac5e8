/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Newline-delimited JSON on stdout: the sensor's only output channel. */
#ifndef DRIFTLOCK_JSON_H
#define DRIFTLOCK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void json_begin(const char *kind);
void json_key_str(const char *key, const char *bytes, size_t len);
void json_key_cstr(const char *key, const char *str);
void json_key_u64(const char *key, uint64_t value);
void json_key_i64(const char *key, int64_t value);
/* 64-bit ids go out as decimal strings: a JSON number loses precision past 2^53. */
void json_key_u64_str(const char *key, uint64_t value);
void json_key_bool(const char *key, bool value);
/* argv: a NUL-separated block as an array of strings */
void json_key_nul_list(const char *key, const char *block, size_t len);
void json_key_flags(const char *key, uint32_t flags);
void json_end(void);
/* 0 on success, -errno when stdout is gone */
int json_flush(void);

#endif
