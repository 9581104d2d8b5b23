/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb engine options: the struct fio fills (td->eo) and the option table.
 */
#ifndef PINWB_OPTIONS_H
#define PINWB_OPTIONS_H

#include "racers.h"

enum pwb_io_path {
	PWB_IO_SYNC = 0,
	PWB_IO_URING,
};

enum pwb_sync_call {
	PWB_CALL_PREAD = 0,
	PWB_CALL_PREADV2,
};

struct pwb_options {
	void *pad;			/* keep every option off offset 0 */
	unsigned int buffer;		/* enum pwb_buf_kind */
	char *buffer_file;
	unsigned long long buffer_size;
	unsigned int overwrite;
	unsigned int overwrite_target;
	unsigned int io;		/* enum pwb_io_path */
	unsigned int sync_call;		/* enum pwb_sync_call */
	unsigned int fixedbufs;
	unsigned int registerfiles;
	unsigned int fixedbufs_fallback;
	char *wb_modes;
	unsigned int wb_interval_us;
	unsigned int verify;
	unsigned int verify_every;
	char *report;
	char *keep_dir;
	char *before_verify;
	unsigned int check_reads;
	char *numa_node;
	unsigned long long seed;
	unsigned int race_ms[PWB_RACE_NR];	/* ms, by enum pwb_racer */
	unsigned int race_fault;	/* enum pwb_race_fault (tests) */
	unsigned int bad_value;		/* a callback refused a value */
};

struct fio_option;
extern struct fio_option pwb_fio_options[];

#endif
