/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb writeback driver: a thread that keeps writeback busy on the buffer
 * while I/O runs into it, and counts per mode the actions it took and the
 * buffer pages each action moved (see wb_measure in wbdriver.c).  No fio
 * dependency.
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
	/*
	 * Per mode, summed over its actions: pages of the buffer file that
	 * left the dirty state across the action (sent to writeback) and
	 * pages that entered it (touch).  Only when pages_measured.
	 */
	uint64_t pages_to_writeback[PWB_WB_NR];
	uint64_t pages_dirtied[PWB_WB_NR];
	bool pages_measured;
	uint64_t measure_ns;		/* time spent measuring (cost shown) */
	char pages_note[128];		/* why pages are not measured */
	uint64_t errors;		/* syscalls that failed */
	int first_errno;
	char note[256];			/* modes skipped and why */
};

/*
 * Start the driver over @a with @modes (cycle order).  Modes that do not
 * apply to the arena kind are left out and named in wb->note.  With no
 * mode left no thread is started (wb is still set up for pwb_wb_act).
 * Returns 0 or -errno.
 */
int pwb_wb_start(struct pwb_wb *wb, struct pwb_arena *a,
		 const struct pwb_record *rec, const unsigned int *modes,
		 unsigned int nmodes, unsigned int interval_us);

void pwb_wb_stop(struct pwb_wb *wb);

/*
 * One action of @mode, measured and counted as the thread does it.
 * Returns 0, or -1 with errno when the action's syscall failed (counted
 * in wb->errors, not in wb->counts).
 */
int pwb_wb_act(struct pwb_wb *wb, unsigned int mode, uint64_t *pos);

/*
 * Dirty one page of an idle used slot through the CPU without changing
 * its data (atomic OR with 0).  Returns true if a page was touched.
 */
bool pwb_wb_touch(struct pwb_arena *a, const struct pwb_record *rec,
		  uint64_t *pos);

#endif
