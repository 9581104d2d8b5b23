/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb engine state shared by pinwb.c, io_sync.c and io_uring.c (fio side).
 */
#ifndef PINWB_ENGINE_H
#define PINWB_ENGINE_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#include "fio.h"

#include "arena.h"
#include "blockfmt.h"
#include "optcheck.h"
#include "options.h"
#include "record.h"
#include "telemetry.h"
#include "verify.h"
#include "wbdriver.h"

/* per target file: where its blocks are and which generation each holds */
struct pwb_target {
	uint64_t base;		/* file offset of block 0 */
	uint64_t nblocks;
	uint64_t *gen_lo;	/* lowest generation that may be on the target */
	uint64_t *gen_hi;	/* highest generation submitted */
	uint64_t *burst;	/* first generation of the current write burst */
	uint32_t *wr_inflight;
	bool prepared;
	int lock_fd;		/* flock on the target, -1 if none */
};

/* per fio io_u (by io_u->index) */
struct pwb_iou {
	uint64_t slot;
	uint64_t blk;
	uint64_t gen;		/* write: new gen; read: gen_lo at submit */
	bool has_slot;
	bool is_read;
};

struct pwb_data {
	struct pwb_options *o;
	struct pwb_arena arena;
	struct pwb_record rec;
	struct pwb_wb wb;
	unsigned int wb_modes[PWB_WB_MAX_LIST];
	unsigned int wb_nmodes;
	int numa_node;
	uint32_t bs;
	uint64_t seed;
	bool arena_ready;
	bool setup_failed;		/* post_init failed: no verify */
	bool init_done;
	bool rec_existed;		/* <buffer>.pinwb-rec was there before */

	unsigned int nfiles;
	struct pwb_target *tg;
	struct pwb_iou *iou;
	unsigned int niou;
	uint64_t next_gen;

	uint64_t ops, reads, writes;
	uint64_t read_check_failures;
	uint64_t since_verify, verify_every_runs, verify_every_mismatches;

	/* io_uring */
	struct io_uring ring;
	bool ring_ready;
	bool fixed;			/* fixed buffers in use */
	bool fallback_used;
	bool regfiles;
	int *fds;			/* registered files, by fileno */
	uint64_t slots_per_buf;		/* slots per registered iovec */
	struct io_u **events;
	unsigned int nevents;
	struct io_u **queued;
	unsigned int nqueued;

	/* scratch for fio's own io_u buffers (iomem hooks) */
	void *fio_mem;
	size_t fio_mem_size;

	struct pwb_vmstat *vm_before, *vm_after;
	struct pwb_verify_result vres;
	char kernel[128];
	char *report_path;
	char *keep_dir;
};

/* pinwb.c: per-I/O bookkeeping around the syscall / SQE */
int pwb_io_begin(struct thread_data *td, struct pwb_data *pd,
		 struct io_u *io_u, char **addr);
void pwb_io_end(struct thread_data *td, struct pwb_data *pd,
		struct io_u *io_u, long long res);

/* io_sync.c */
enum fio_q_status pwb_sync_queue(struct thread_data *td, struct io_u *io_u);

/* io_uring.c */
int pwb_uring_setup(struct thread_data *td, struct pwb_data *pd);
enum fio_q_status pwb_uring_queue(struct thread_data *td, struct io_u *io_u);
int pwb_uring_commit(struct thread_data *td);
int pwb_uring_getevents(struct thread_data *td, unsigned int min,
			unsigned int max, const struct timespec *t);
struct io_u *pwb_uring_event(struct thread_data *td, int event);
void pwb_uring_exit(struct pwb_data *pd);

#endif
