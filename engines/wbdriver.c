// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb writeback driver thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wbdriver.h"

/* cachestat(2), Linux 6.5; glibc has no wrapper yet */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct wb_cachestat_range {
	uint64_t off, len;
};

struct wb_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted;
	uint64_t nr_recently_evicted;
};

/*
 * How many pages an action moved is measured with cachestat(2) on the
 * buffer file, before and after the action: pages that left the dirty
 * state were sent to writeback by it (sync_file_range, fdatasync,
 * msync(MS_SYNC) and fadvise(DONTNEED) all clear the dirty mark when they
 * start writing a page), pages that entered it were dirtied (touch).
 * Why this counter: it is the buffer file's own, one syscall each side,
 * and a mode that writes nothing reads 0.  /proc/vmstat nr_written and
 * nr_writeback are machine wide (other files' writeback lands in them) and
 * nr_written only moves when the write completes; mincore() cannot tell
 * dirty from clean.  What it cannot separate: I/O into the buffer and the
 * kernel's flusher run at the same time, so a DMA that dirties a page during
 * the action hides one written page, and a flusher pass inside the window
 * counts for the action.  Both are rare next to an action's own pages.
 * Cost: cachestat walks the file's cached pages, ~60 ns each here (about
 * 120 us per call for the default 8 MiB buffer); the time is summed in
 * wb->measure_ns and reported, since it delays the next action.
 */
static int wb_cachestat(int fd, struct wb_cachestat *cs)
{
	struct wb_cachestat_range r = { 0, 0 };	/* whole file */

	return (int)syscall(__NR_cachestat, fd, &r, cs, 0);
}

static void wb_measure_setup(struct pwb_wb *wb)
{
	struct wb_cachestat cs;

	if (wb->arena->kind != PWB_BUF_FILE) {
		/* shmem and anonymous pages never go under file writeback */
		snprintf(wb->pages_note, sizeof(wb->pages_note),
			 "pages not measured: only a pinwb_buffer=file buffer has file writeback");
		return;
	}
	if (wb_cachestat(wb->arena->fd, &cs)) {
		snprintf(wb->pages_note, sizeof(wb->pages_note),
			 "pages not measured: cachestat: %s (needs Linux 6.5)",
			 strerror(errno));
		return;
	}
	wb->pages_measured = true;
}

#define TOUCH_WINDOW	256	/* look this many slots behind the cursor */

bool pwb_wb_touch(struct pwb_arena *a, const struct pwb_record *rec,
		  uint64_t *pos)
{
	uint64_t window = a->nslots < TOUCH_WINDOW ? a->nslots : TOUCH_WINDOW;
	uint64_t cursor = __atomic_load_n(&a->cursor, __ATOMIC_RELAXED);

	for (uint64_t tries = 0; tries < window; tries++) {
		uint64_t back = (*pos)++ % window + 1;
		uint64_t slot = (cursor + a->nslots - back) % a->nslots;
		uint64_t pages = a->slot_size / 4096, word;
		uint64_t *p;

		if (__atomic_load_n(&a->busy[slot], __ATOMIC_RELAXED) ||
		    __atomic_load_n(&rec->e[slot].state, __ATOMIC_RELAXED) ==
		    PWB_SLOT_UNUSED)
			continue;
		/*
		 * A word past the block header of one page of the slot.  The
		 * RMW leaves the value as it is, so even a DMA that raced the
		 * busy check cannot be clobbered; the write fault still
		 * dirties the page and its PTE.
		 */
		word = (*pos % pages) * 4096 + 64 + (*pos % 8) * 8;
		p = (uint64_t *)(pwb_slot_addr(a, slot) + word);
		__atomic_fetch_or(p, 0, __ATOMIC_SEQ_CST);
		return true;
	}
	return false;
}

static int wb_action(struct pwb_wb *wb, unsigned int mode, uint64_t *pos)
{
	struct pwb_arena *a = wb->arena;

	switch (mode) {
	case PWB_WB_SFR:
		return sync_file_range(a->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	case PWB_WB_FDATASYNC:
		return fdatasync(a->fd);
	case PWB_WB_MSYNC_SYNC:
		return msync(a->base, a->size, MS_SYNC);
	case PWB_WB_DONTNEED:
		errno = posix_fadvise(a->fd, 0, 0, POSIX_FADV_DONTNEED);
		return errno ? -1 : 0;
	case PWB_WB_TOUCH:
		pwb_wb_touch(a, wb->rec, pos);
		return 0;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pwb_wb_act(struct pwb_wb *wb, unsigned int mode, uint64_t *pos)
{
	struct wb_cachestat before, after;
	bool measure = wb->pages_measured;
	uint64_t t0 = 0;

	if (measure) {
		t0 = now_ns();
		measure = !wb_cachestat(wb->arena->fd, &before);
		wb->measure_ns += now_ns() - t0;
	}
	if (wb_action(wb, mode, pos)) {
		if (!wb->errors++)
			wb->first_errno = errno;
		return -1;
	}
	__atomic_fetch_add(&wb->counts[mode], 1, __ATOMIC_RELAXED);
	if (!measure)
		return 0;
	t0 = now_ns();
	if (!wb_cachestat(wb->arena->fd, &after)) {
		if (before.nr_dirty > after.nr_dirty)
			__atomic_fetch_add(&wb->pages_to_writeback[mode],
					   before.nr_dirty - after.nr_dirty,
					   __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&wb->pages_dirtied[mode],
					   after.nr_dirty - before.nr_dirty,
					   __ATOMIC_RELAXED);
	}
	wb->measure_ns += now_ns() - t0;
	return 0;
}

/* sleep @us in slices so pwb_wb_stop() never waits long */
static void wb_sleep(struct pwb_wb *wb, unsigned int us)
{
	while (us && !__atomic_load_n(&wb->stop, __ATOMIC_ACQUIRE)) {
		unsigned int d = us > 10000 ? 10000 : us;
		struct timespec ts = { 0, (long)d * 1000 };

		nanosleep(&ts, NULL);
		us -= d;
	}
}

static void *wb_thread(void *arg)
{
	struct pwb_wb *wb = arg;
	uint64_t pos = 0, i = 0;

	while (!__atomic_load_n(&wb->stop, __ATOMIC_ACQUIRE)) {
		pwb_wb_act(wb, wb->modes[i++ % wb->nmodes], &pos);
		wb_sleep(wb, wb->interval_us);
	}
	return NULL;
}

static bool mode_applies(enum pwb_buf_kind kind, unsigned int mode)
{
	if (kind == PWB_BUF_FILE)
		return true;
	/* without a file behind the arena only the CPU touch means anything */
	return mode == PWB_WB_TOUCH;
}

int pwb_wb_start(struct pwb_wb *wb, struct pwb_arena *a,
		 const struct pwb_record *rec, const unsigned int *modes,
		 unsigned int nmodes, unsigned int interval_us)
{
	size_t len = 0;
	int ret;

	memset(wb, 0, sizeof(*wb));
	wb->arena = a;
	wb->rec = rec;
	wb->interval_us = interval_us;
	for (unsigned int i = 0; i < nmodes; i++) {
		if (mode_applies(a->kind, modes[i])) {
			wb->modes[wb->nmodes++] = modes[i];
			continue;
		}
		if (len < sizeof(wb->note))
			len += snprintf(wb->note + len, sizeof(wb->note) - len,
					"%s%s", len ? "," : "",
					pwb_wb_mode_names[modes[i]]);
	}
	if (len && len < sizeof(wb->note))
		snprintf(wb->note + len, sizeof(wb->note) - len,
			 " skipped: only meaningful for pinwb_buffer=file");
	wb_measure_setup(wb);
	if (!wb->nmodes)
		return 0;
	ret = pthread_create(&wb->thread, NULL, wb_thread, wb);
	if (ret)
		return -ret;
	wb->running = true;
	return 0;
}

void pwb_wb_stop(struct pwb_wb *wb)
{
	if (!wb->running)
		return;
	__atomic_store_n(&wb->stop, 1, __ATOMIC_RELEASE);
	pthread_join(wb->thread, NULL);
	wb->running = false;
}
