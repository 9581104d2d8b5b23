/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb engine state of one job: what the fio glue (pinwb.c) owns and the
 * end-of-job evidence (evidence.c) reads.  Data only: the files below the
 * glue get what they need through their own interfaces.
 */
#ifndef PINWB_ENGINE_H
#define PINWB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "fio.h"

#include "arena.h"
#include "ledger.h"
#include "options.h"
#include "racers.h"
#include "readback.h"
#include "record.h"
#include "telemetry.h"
#include "transport.h"
#include "verify.h"
#include "wbdriver.h"

/*
 * Notes and the summary go with fio's normal output; with
 * --output-format=json(+)/terse they go to stderr so stdout stays parseable.
 */
#define pwb_info(...) do {					\
	if (output_format & FIO_OUTPUT_NORMAL)			\
		log_info(__VA_ARGS__);				\
	else							\
		log_err(__VA_ARGS__);				\
} while (0)

/* per target file, by fileno */
struct pwb_tfile {
	char *path;		/* fio frees its files before cleanup() */
	bool ours;		/* created by pinwb or carries its marker */
	bool prepared;		/* ledger range set, lock taken, laid out */
	int lock_fd;		/* flock on the target, -1 if none */
};

struct pwb_data {
	struct pwb_options *o;
	struct pwb_arena arena;
	struct pwb_record rec;
	struct pwb_ledger led;
	struct pwb_transport tr;
	struct pwb_wb wb;
	struct pwb_racers racers;	/* racers.c, run from queue() */
	unsigned int wb_modes[PWB_WB_MAX_LIST];
	unsigned int wb_nmodes;
	int numa_node;
	uint32_t bs;
	uint64_t seed;
	uint64_t nonce;			/* this run's (all jobs of one fio) */
	bool arena_ready;
	bool led_ready;
	bool tr_ready;
	bool setup_failed;		/* post_init failed: no verify */
	bool init_done;
	bool rec_existed;		/* <buffer>.pinwb-rec was there before */
	bool to_commit;			/* the transport queued I/O since commit */
	bool uring;			/* tr is io_uring: call it inline */
	bool plain_reads;		/* no check at a read's completion */

	unsigned int nfiles;
	struct pwb_tfile *tf;

	uint64_t reads_checked, read_check_failures;
	uint64_t since_verify, verify_every_runs, verify_every_mismatches;

	struct pwb_vmstat *vm_before, *vm_after;
	struct pwb_verify_result vres;
	struct pwb_readback rb;		/* the targets' read-back */
	const char **paths;		/* target names by fileno, for reports */
	char kernel[128];
	char *report_path;
	char *keep_dir;
};

#endif
