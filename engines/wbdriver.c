// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb writeback driver thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "wbdriver.h"

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
	case PWB_WB_MSYNC_ASYNC:
		return msync(a->base, a->size, MS_ASYNC);
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
		unsigned int mode = wb->modes[i++ % wb->nmodes];

		if (wb_action(wb, mode, &pos)) {
			if (!wb->errors++)
				wb->first_errno = errno;
		} else {
			__atomic_fetch_add(&wb->counts[mode], 1,
					   __ATOMIC_RELAXED);
		}
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
