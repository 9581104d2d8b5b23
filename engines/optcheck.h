/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the pinwb options fio does not parse itself (lists, ranges,
 * layout).  No fio dependency so the unit tests can run them.
 */
#ifndef PINWB_OPTCHECK_H
#define PINWB_OPTCHECK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writeback driver modes.  Each one can put dirty buffer pages under
 * writeback (touch re-dirties them).  msync(MS_ASYNC) is not one: it has been
 * a no-op since Linux 2.6.19, so a mode built on it only counted actions.
 */
enum pwb_wb_mode {
	PWB_WB_SFR = 0,
	PWB_WB_FDATASYNC,
	PWB_WB_MSYNC_SYNC,
	PWB_WB_DONTNEED,
	PWB_WB_TOUCH,
	PWB_WB_NR,
};

#define PWB_WB_MAX_LIST	32
#define PWB_WB_INTERVAL_MAX	60000000	/* 1 minute */
#define PWB_WB_DEFAULT	"sfr,touch,fdatasync"
#define PWB_WB_ACCEPTED	"sfr, fdatasync, msync_sync, dontneed, touch, none"

extern const char *const pwb_wb_mode_names[PWB_WB_NR];

/*
 * Parse a comma list of writeback modes into @modes (cycle order).
 * "none" alone gives *nmodes == 0.  Returns 0 or -1 with a message naming
 * the option and the accepted values in @err.
 */
int pwb_parse_wb_modes(const char *s, unsigned int *modes,
		       unsigned int *nmodes, char *err, size_t errlen);

/*
 * Slot layout: @bs must be a multiple of 4096, @buffer_size at least
 * @bs; the arena holds
 * ceil(buffer_size / bs) slots but at least @iodepth.  @align is the
 * arena's granularity (huge page size or 4096).  Returns 0 or -1 + message.
 */
int pwb_layout(uint64_t bs_min, uint64_t bs_max, uint64_t buffer_size,
	       unsigned int iodepth, uint64_t align, uint64_t *nslots,
	       uint64_t *arena_size, char *err, size_t errlen);

/*
 * pinwb_numa_node: "-1" = no placement; otherwise 0..max_node.
 * max_node < 0: no NUMA on this system.  Returns 0 or -1 + message.
 */
int pwb_parse_numa_node(const char *s, int max_node, int *node,
			char *err, size_t errlen);

#endif
