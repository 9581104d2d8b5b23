/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb verification: check slots against the record, in memory or in the
 * buffer file after dropping it from the page cache and reading it back with
 * O_DIRECT.  No fio dependency: the engine and pinwb-verify share it.
 */
#ifndef PINWB_VERIFY_H
#define PINWB_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blockfmt.h"
#include "record.h"

#define PWB_VERIFY_DETAIL	10

enum pwb_outcome {
	PWB_V_INTACT = 0,
	PWB_V_MISMATCH = 1,
	PWB_V_SETUP = 2,	/* could not check: cache not dropped, I/O error... */
	PWB_V_SKIPPED = 3,
};

/* what was found in a slot, beyond enum pwb_block_status */
enum {
	PWB_FOUND_WRONG_ID = 100,	/* valid block, not the expected one */
	PWB_FOUND_SHORT = 101,		/* file ends before the slot does */
};

struct pwb_mismatch {
	uint64_t slot;
	uint64_t buffer_offset;
	struct pwb_rec_entry expected;
	uint64_t expected_seed;
	int status;			/* pwb_block_status or PWB_FOUND_* */
	bool have_id;			/* found identity valid */
	struct pwb_identity found;
};

struct pwb_verify_result {
	enum pwb_outcome outcome;
	bool ran;
	bool cache_dropped;
	uint64_t slots_checked;
	uint64_t mismatches;
	uint64_t pages_resident;	/* after the last drop attempt */
	unsigned int ndetail;
	struct pwb_mismatch detail[PWB_VERIFY_DETAIL];
	char error[512];		/* setup error text */
};

void pwb_verify_result_init(struct pwb_verify_result *res);

/*
 * Check one slot's bytes against record entry @e.  Returns 0 when it
 * matches, 1 otherwise (and fills @m).
 */
int pwb_verify_slot(const void *data, const struct pwb_record *rec,
		    uint64_t slot, struct pwb_mismatch *m);

/*
 * Check every used slot of an in-memory arena at @base.  Slots with
 * @skip[slot] != 0 are left out (in flight).  Returns the outcome.
 */
enum pwb_outcome pwb_verify_memory(const void *base,
				   const struct pwb_record *rec,
				   const volatile uint8_t *skip,
				   struct pwb_verify_result *res);

/*
 * Write back and drop @fd from the page cache; confirm with mincore.
 * Retries a few times.  Returns the number of pages still resident (0 on
 * success) or -errno.
 */
long pwb_drop_cache(int fd, char *err, size_t errlen);

/*
 * Drop @path from the page cache, read it with O_DIRECT and check every
 * used slot.  Returns the outcome (also in @res).
 */
enum pwb_outcome pwb_verify_file(const char *path,
				 const struct pwb_record *rec,
				 struct pwb_verify_result *res);

/* "slot N offset 0xOFF: expected ..., found ..." */
void pwb_mismatch_str(const struct pwb_mismatch *m, char *buf, size_t len);

const char *pwb_outcome_str(enum pwb_outcome o);

/* a pwb_block_status or PWB_FOUND_* as the reports spell it */
const char *pwb_found_status_str(int st);

/* Print the "verify" JSON object (no trailing newline). */
void pwb_verify_json(FILE *f, const struct pwb_verify_result *res,
		     const char *indent);

/* JSON string with escaping */
void pwb_json_str(FILE *f, const char *s);

#endif
