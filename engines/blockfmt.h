/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb block format (version 2): a 64-byte header followed by a payload
 * derived from (seed, nonce, target, generation).  No fio dependency: shared by the engine, the
 * verifier and the unit tests.
 */
#ifndef PINWB_BLOCKFMT_H
#define PINWB_BLOCKFMT_H

#include <stddef.h>
#include <stdint.h>

#define PWB_BLOCK_MAGIC		"PINWBBLK"
#define PWB_BLOCK_MAGIC_LEN	8
#define PWB_BLOCK_HDR_SIZE	64
#define PWB_BLOCK_MIN_SIZE	512
/*
 * Version 1 had no version field (zeros at 40) and no nonce: its blocks
 * decode as PWB_BLK_BAD_VERSION.
 */
#define PWB_BLOCK_VERSION	2

/* Byte offsets of the header fields (all little-endian). */
#define PWB_OFF_MAGIC	0
#define PWB_OFF_TARGET	8
#define PWB_OFF_GEN	16
#define PWB_OFF_SEED	24
#define PWB_OFF_BSIZE	32
#define PWB_OFF_CSUM	36
#define PWB_OFF_VERSION	40	/* u32 PWB_BLOCK_VERSION */
/* 44..47 zero */
#define PWB_OFF_NONCE	48	/* u64: the target file in this run */
/* 56..63 zero */

/*
 * "target" is the identity of the place on the target the block belongs to:
 * the byte offset in its file in the low 48 bits and the job's file number
 * in the high 16 bits (0 for the first file).
 */
#define PWB_TARGET_FILE_SHIFT	48
#define PWB_TARGET_OFF_MASK	((1ULL << PWB_TARGET_FILE_SHIFT) - 1)

static inline uint64_t pwb_target_make(unsigned int file, uint64_t off)
{
	return ((uint64_t)file << PWB_TARGET_FILE_SHIFT) |
	       (off & PWB_TARGET_OFF_MASK);
}

/*
 * Generation 0 is what the engine writes over the target when a job starts.
 * Those blocks always carry seed 0, so jobs with different seeds that only
 * read a shared target agree on its content.  Later generations carry the
 * job's seed.  Every block carries the nonce of its target file in this run
 * (pwb_target_nonce()): a block left by another run, or copied from
 * another file, does not match.
 */
#define PWB_GEN0_SEED	0

struct pwb_identity {
	uint64_t target;
	uint64_t gen;
	uint64_t seed;
	uint64_t nonce;
	uint32_t bsize;
	uint32_t version;
};

enum pwb_block_status {
	PWB_BLK_OK = 0,
	PWB_BLK_BAD_MAGIC,
	PWB_BLK_BAD_SIZE,
	PWB_BLK_BAD_CSUM,
	PWB_BLK_BAD_VERSION,
};

uint32_t pwb_crc32c(uint32_t crc, const void *buf, size_t len);

/* A 64-bit mixer (splitmix64 finalizer), for seeds and nonces. */
uint64_t pwb_mix64(uint64_t z);

/* Write a complete block of @bsize bytes into @buf. */
void pwb_block_fill(void *buf, uint32_t bsize, uint64_t seed, uint64_t nonce,
		    uint64_t target, uint64_t gen);

/* Checksum of a block as stored (the checksum field counted as zero). */
uint32_t pwb_block_csum(const void *buf, uint32_t bsize);

/*
 * Decode and check the block in @buf (@bsize bytes): magic, version, size,
 * checksum.  Fills @id when the magic is valid (even if the rest is not).
 */
enum pwb_block_status pwb_block_decode(const void *buf, uint32_t bsize,
				       struct pwb_identity *id);

const char *pwb_block_status_str(enum pwb_block_status st);

#endif
