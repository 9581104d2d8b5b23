/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb writeback driver: a thread that keeps writeback busy on the buffer
 * while I/O runs into it.  No fio dependency.
 */
#ifndef PINWB_WBDRIVER_H
#define PINWB_WBDRIVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "optcheck.h"
#include "record.h"

struct pwb_wb {
	pthread_t thread;
	bool running;
	int stop;			/* set by pwb_wb_stop */
	struct pwb_arena *arena;
	const struct pwb_record *rec;
	unsigned int modes[PWB_WB_MAX_LIST];
	unsigned int nmodes;
	unsigned int interval_us;
	uint64_t counts[PWB_WB_NR];	/* actions done, per mode */
	uint64_t errors;		/* syscalls that failed */
	int first_errno;
	char note[256];			/* modes skipped and why */
};

/*
 * Start the driver over @a with @modes (cycle order).  Modes that do not
 * apply to the arena kind are left out and named in wb->note.  With no
 * mode left no thread is started.  Returns 0 or -errno.
 */
int pwb_wb_start(struct pwb_wb *wb, struct pwb_arena *a,
		 const struct pwb_record *rec, const unsigned int *modes,
		 unsigned int nmodes, unsigned int interval_us);

void pwb_wb_stop(struct pwb_wb *wb);

/*
 * Dirty one page of an idle used slot through the CPU without changing
 * its data (atomic OR with 0).  Returns true if a page was touched.
 */
bool pwb_wb_touch(struct pwb_arena *a, const struct pwb_record *rec,
		  uint64_t *pos);

#endif
