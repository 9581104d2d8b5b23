/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb ledger: the per-I/O bookkeeping of one job.  Which slot each I/O
 * uses, the generation map of every target block (what the target may hold
 * once no write to it is in flight), the record entry of every slot, and
 * which blocks and reads may legitimately hold a mix of overlapping I/Os.
 * No fio dependency: the engine's fio glue calls it around every transport
 * call, and tests/unit/ledger_test drives it directly.
 */
#ifndef PINWB_LEDGER_H
#define PINWB_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "record.h"

/* per target block flags */
enum {
	PWB_LB_WRITTEN = 1,	/* a write to it completed: read it back */
	PWB_LB_MIXED = 2,	/* overlapping writes: may hold a mix of them */
	PWB_LB_UNKNOWN = 4,	/* a write failed or was cut short */
};

struct pwb_ledger_target {
	uint64_t base;		/* file offset of block 0 */
	uint64_t nblocks;
	uint64_t nonce;		/* identity of this file in this run */
	bool known;		/* content laid out by pinwb (gen 0) */
	bool ready;		/* maps allocated */
	uint64_t *gen_lo;	/* lowest generation that may be on the target */
	uint64_t *gen_hi;	/* highest generation submitted */
	uint64_t *burst;	/* first generation of the current write burst */
	uint32_t *wr_inflight;
	uint8_t *flags;		/* PWB_LB_* */
	uint8_t *burst_mixed;	/* the current burst overlapped */
};

/* per in-flight I/O, by fio's io_u index */
struct pwb_ledger_io {
	uint64_t slot;
	uint64_t blk;
	uint64_t gen;		/* write: new gen; read: gen_hi at submit */
	unsigned int file;
	bool active;
	bool is_read;
	bool unsure;		/* read: a write to the block was in flight */
};

struct pwb_ledger {
	struct pwb_arena *arena;
	struct pwb_record *rec;
	uint32_t bs;
	uint64_t seed;
	unsigned int nfiles;
	struct pwb_ledger_target *tg;
	unsigned int nio;
	struct pwb_ledger_io *io;
	uint64_t next_gen;
	unsigned int inflight;
	/* counters for the report */
	uint64_t ops, reads, writes;
	uint64_t reads_unsure;		/* overlapped a write: not checkable */
	uint64_t reads_foreign;		/* content not laid out by pinwb */
	uint64_t reads_short;		/* error or short: not checkable */
	uint64_t writes_overlapped;	/* submitted while another was in flight */
};

int pwb_ledger_init(struct pwb_ledger *l, struct pwb_arena *arena,
		    struct pwb_record *rec, uint32_t bs, uint64_t seed,
		    unsigned int nfiles, unsigned int nio);
void pwb_ledger_free(struct pwb_ledger *l);

/*
 * Give file @file its range (@nblocks blocks from @base), its nonce and
 * whether its content is pinwb's (@known).  Returns 0 or -ENOMEM; a second
 * call for the same file changes nothing.
 */
int pwb_ledger_target(struct pwb_ledger *l, unsigned int file, uint64_t base,
		      uint64_t nblocks, uint64_t nonce, bool known);

/*
 * An I/O of @len bytes at @offset of @file (index @idx) starts: pick a slot,
 * and for a write fill it with the next generation's block.  *@addr is
 * where the data goes.  Returns 0, or -EINVAL (not one whole block inside
 * the range: message in @err) or -ENOMEM.
 */
int pwb_ledger_begin(struct pwb_ledger *l, unsigned int idx,
		     unsigned int file, uint64_t offset, uint64_t len,
		     bool write, char **addr, char *err, size_t errlen);

/*
 * The I/O @idx is over; @whole: it moved the whole block without error.
 * Returns true when a read landed a block whose identity the ledger knows
 * (its slot's record entry is then set and may be checked).
 */
bool pwb_ledger_end(struct pwb_ledger *l, unsigned int idx, bool whole);

/* Forget every I/O still active (never reaped): read slots unchecked. */
void pwb_ledger_forget(struct pwb_ledger *l);

static inline uint64_t pwb_ledger_slot(const struct pwb_ledger *l,
				       unsigned int idx)
{
	return l->io[idx].slot;
}

/* what pwb_ledger_excuse_slot found in the slot */
enum pwb_excused {
	PWB_EXCUSED_NONE = 0,	/* nothing checkable was there */
	PWB_EXCUSED_IDLE,	/* an idle slot's content */
	PWB_EXCUSED_READ,	/* a read queued or in flight into it */
	PWB_EXCUSED_WRITE,	/* a write queued or in flight from it */
};

/*
 * The content of @slot may have gone (its pages were truncated or punched
 * out of the buffer file): its record entry is no longer checked, a read
 * into it is not checked, and a write from it leaves its target block
 * unknown (not checked until written again).  Call from the thread that
 * calls begin/end.
 */
enum pwb_excused pwb_ledger_excuse_slot(struct pwb_ledger *l, uint64_t slot);

/* What block @blk of @file must hold on the target. */
enum pwb_expect {
	PWB_EXPECT_NONE = 0,	/* not written (or still in flight) */
	PWB_EXPECT_GEN,		/* exactly generation *lo (== *hi) */
	PWB_EXPECT_MIXED,	/* a mix of generations *lo..*hi: not checkable */
	PWB_EXPECT_UNKNOWN,	/* a write failed: not checkable */
};

enum pwb_expect pwb_ledger_expect(const struct pwb_ledger *l,
				  unsigned int file, uint64_t blk,
				  uint64_t *lo, uint64_t *hi);

#endif
