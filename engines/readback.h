/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb target read-back: what the writes delivered.  Drop the target from
 * the page cache, read every block the ledger knows was written with
 * O_DIRECT and check it against the generation recorded for it.  No fio
 * dependency.
 */
#ifndef PINWB_READBACK_H
#define PINWB_READBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blockfmt.h"
#include "ledger.h"
#include "verify.h"

struct pwb_rb_mismatch {
	unsigned int file;		/* job's file number */
	uint64_t offset;		/* byte offset in the target */
	uint64_t gen;			/* expected generation */
	uint64_t nonce;			/* expected nonce */
	int status;			/* pwb_block_status or PWB_FOUND_* */
	bool have_id;
	struct pwb_identity found;
};

struct pwb_readback {
	enum pwb_outcome outcome;	/* intact, mismatch, setup_error, skipped */
	bool ran;
	bool cache_dropped;		/* every target read back was dropped */
	uint64_t runs;			/* read-backs done (end + every N ops) */
	uint64_t blocks_checked;	/* in the last run */
	uint64_t mismatches;		/* in the last run */
	uint64_t blocks_mixed;		/* may hold a mix of overlapping writes */
	uint64_t blocks_unknown;	/* a write failed: content unknown */
	uint64_t every_mismatches;	/* over the pinwb_verify_every runs */
	unsigned int ndetail;
	struct pwb_rb_mismatch detail[PWB_VERIFY_DETAIL];
	char error[512];
};

void pwb_readback_init(struct pwb_readback *r);

/*
 * Read back every written block of file @file (at @path) of @l not in
 * flight and add to @r (call pwb_readback_begin first).  @drop: drop the
 * page cache first (and prove it for a regular file).  Returns 0, or -errno
 * when the check could not run (message in r->error, outcome setup_error).
 */
void pwb_readback_begin(struct pwb_readback *r);
int pwb_readback_target(const struct pwb_ledger *l, unsigned int file,
			const char *path, struct pwb_readback *r);
/* intact or mismatch from the counts, unless a setup error was noted */
void pwb_readback_end(struct pwb_readback *r);

/* "target PATH offset N: expected gen G, found ..." */
void pwb_rb_mismatch_str(const struct pwb_rb_mismatch *m, const char *path,
			 char *buf, size_t len);

/* the "target_readback" JSON object; @paths by file number */
void pwb_readback_json(FILE *f, const struct pwb_readback *r,
		       const char *const *paths, const char *indent);

#endif
