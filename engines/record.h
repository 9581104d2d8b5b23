/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb verification record: the expected identity of every buffer slot.
 * No fio dependency.  On-disk layout (little-endian):
 *   header (48 bytes): magic "PINWBREC", u32 version (2), u32 slot size,
 *                      u64 number of slots, u64 seed, u64 buffer file size,
 *                      u64 run nonce
 *   entry (40 bytes) per slot: u32 state, u32 zero, u64 target,
 *                      u64 generation low, u64 generation high, u64 nonce
 *                      (of the slot's target file in this run)
 */
#ifndef PINWB_RECORD_H
#define PINWB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define PWB_REC_MAGIC		"PINWBREC"
#define PWB_REC_VERSION		2
#define PWB_REC_HDR_SIZE	48
#define PWB_REC_ENTRY_SIZE	40

enum pwb_slot_state {
	PWB_SLOT_UNUSED = 0,	/* never used: not checked */
	PWB_SLOT_ONE = 1,	/* holds (target, gen_lo); gen_hi == gen_lo */
	PWB_SLOT_EITHER = 2,	/* holds target with any gen in [gen_lo, gen_hi] */
};

struct pwb_rec_entry {
	uint32_t state;
	uint32_t pad;
	uint64_t target;
	uint64_t gen_lo;
	uint64_t gen_hi;
	uint64_t nonce;		/* the block's nonce (blockfmt.h) */
};

struct pwb_record {
	uint32_t slot_size;
	uint64_t nslots;
	uint64_t seed;
	uint64_t file_size;
	uint64_t nonce;			/* the run's nonce */
	struct pwb_rec_entry *e;	/* nslots entries */
};

/* Allocate entries (all unused).  Returns 0 or -errno. */
int pwb_record_init(struct pwb_record *rec, uint32_t slot_size,
		    uint64_t nslots, uint64_t seed, uint64_t file_size);
void pwb_record_free(struct pwb_record *rec);

/*
 * Write atomically (temp file + rename).  Returns 0 or -errno; on error a
 * message is put in @err.
 */
int pwb_record_write(const struct pwb_record *rec, const char *path,
		     char *err, size_t errlen);

/* Read and validate.  Returns 0, or -errno / -EINVAL with a message. */
int pwb_record_read(struct pwb_record *rec, const char *path,
		    char *err, size_t errlen);

#endif
