/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Pieces of the loader that main.c wires together. */
#ifndef DRIFTLOCK_SENSOR_H
#define DRIFTLOCK_SENSOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Version of the stdout stream; bump on any incompatible change (docs/sensor.md). */
#define DL_FORMAT_VERSION 1

struct driftlock;

/* ring-buffer callback: one record -> one JSON line */
int dl_print_event(void *ctx, void *data, size_t size);

/* Emit a synthetic exec event (scan: true) for every process alive now; returns the count. */
int dl_scan_proc(void);

/* Handle one stdin line; always prints exactly one ack line. */
void dl_handle_command(struct driftlock *skel, char *line);

/* cumulative event, drop and kill counters as a stats line */
void dl_print_stats(struct driftlock *skel);

/* kernel dev_t (MAJOR << 20 | MINOR) <-> the st_dev that stat(2) reports */
uint64_t dl_dev_to_user(uint32_t kernel_dev);
uint32_t dl_dev_to_kernel(dev_t user_dev);

const char *dl_mode_name(unsigned int mode);

#endif
