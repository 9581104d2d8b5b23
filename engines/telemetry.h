/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb telemetry: /proc/vmstat snapshots and deltas, the JSON report and
 * the one-screen summary.  No fio dependency.
 */
#ifndef PINWB_TELEMETRY_H
#define PINWB_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "optcheck.h"
#include "racers.h"
#include "readback.h"
#include "verify.h"
#include "wbdriver.h"

#define PWB_VMSTAT_MAX	512

struct pwb_vmstat {
	unsigned int n;
	char name[PWB_VMSTAT_MAX][48];
	int64_t val[PWB_VMSTAT_MAX];
};

/* Read /proc/vmstat.  Returns 0 or -errno. */
int pwb_vmstat_read(struct pwb_vmstat *vs);

/*
 * Is @name one of the counters the report carries: nr_foll_pin_acquired,
 * nr_foll_pin_released, nr_dirty, nr_writeback, pgsteal*, gup_*.
 */
bool pwb_vmstat_selected(const char *name);

/* after - before for @name; 0 if missing. */
int64_t pwb_vmstat_delta(const struct pwb_vmstat *before,
			 const struct pwb_vmstat *after, const char *name);

struct pwb_report {
	const char *job;
	unsigned int subjob;
	const char *kernel;
	uint64_t seed;
	uint64_t nonce;			/* the run's (blockfmt.h) */
	/* buffer */
	const char *buffer_kind;
	const char *buffer_file;
	uint64_t buffer_size, slot_size, slots;
	int numa_node_requested;
	const char *numa_nodes_seen;
	/* io */
	const char *io_path, *sync_call;
	bool fixedbufs, fixedbufs_fallback_used, registerfiles;
	uint64_t ops, reads, writes, read_check_failures;
	uint64_t verify_every_runs, verify_every_mismatches;
	/* coverage: what was checked, and what could not be */
	bool verify_enabled, check_reads;
	uint64_t reads_checked;		/* at completion (pinwb_check_reads) */
	uint64_t reads_unsure;		/* overlapped a write to their block */
	uint64_t reads_foreign;		/* of content pinwb did not lay out */
	uint64_t reads_short;		/* failed or short */
	uint64_t writes_overlapped;
	const struct pwb_readback *readback;	/* the targets' read-back */
	const char *const *target_paths;	/* by file number */
	/* writeback */
	const unsigned int *wb_modes;
	unsigned int wb_nmodes, wb_interval_us;
	const uint64_t *wb_counts;	/* PWB_WB_NR entries */
	uint64_t wb_errors;
	const char *wb_note;
	/* PWB_WB_NR entries each, or NULL when not measured (see wbdriver.h) */
	const uint64_t *wb_pages_to_writeback, *wb_pages_dirtied;
	const char *wb_pages_note;	/* why not measured */
	uint64_t wb_measure_us;		/* driver time spent measuring */
	const struct pwb_racers *racers;	/* racers.h, NULL: none */
	/* verify */
	const struct pwb_verify_result *verify;
	const char *keep_buffer, *keep_record;
	/* vmstat */
	const struct pwb_vmstat *vm_before, *vm_after;
};

/* The writeback pages of @wb into @r (NULL maps when not measured). */
void pwb_report_wb_pages(struct pwb_report *r, const struct pwb_wb *wb);

int pwb_report_write(const struct pwb_report *r, const char *path,
		     char *err, size_t errlen);

/* One-screen summary into @buf (lines ending in \n). */
void pwb_report_summary(const struct pwb_report *r, char *buf, size_t len);

#endif
