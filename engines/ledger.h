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

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "blockfmt.h"
#include "record.h"

/* per target block flags */
enum {
	PWB_LB_WRITTEN = 1,	/* a write to it completed: read it back */
	PWB_LB_MIXED = 2,	/* overlapping writes: may hold a mix of them */
	PWB_LB_UNKNOWN = 4,	/* a write failed or was cut short */
};

/*
 * What the ledger knows of one target block.  One 32-byte entry per block
 * (two per cache line) rather than one array per field: an I/O touches
 * one line of the map, not six.
 */
struct pwb_ledger_block {
	uint64_t gen_lo;	/* lowest generation that may be on the target */
	uint64_t gen_hi;	/* highest generation submitted */
	uint64_t burst;		/* first generation of the current write burst */
	uint32_t wr_inflight;
	uint8_t flags;		/* PWB_LB_* */
	uint8_t burst_mixed;	/* the current burst overlapped */
};

struct pwb_ledger_target {
	uint64_t base;		/* file offset of block 0 */
	uint64_t nblocks;
	/* nblocks * bs: offsets base .. base+span; 0 until ready */
	uint64_t span;
	uint64_t nonce;		/* identity of this file in this run */
	bool known;		/* content laid out by pinwb (gen 0) */
	bool ready;		/* map allocated */
	struct pwb_ledger_block *blk;	/* nblocks entries */
};

/*
 * per in-flight I/O, by fio's io_u index.  Its target and block entry are
 * kept as pointers (the end of the I/O finds them without recomputing
 * them from file and block number); the maps are allocated once and
 * never move.
 */
struct pwb_ledger_io {
	const struct pwb_ledger_target *t;
	struct pwb_ledger_block *b;	/* its block: &t->blk[block number] */
	uint64_t slot;
	uint64_t gen;		/* write: new gen; read: gen_hi at submit */
	uint64_t offset;	/* in the file: pwb_target_make(file, offset) */
	unsigned int file;
	bool active;
	bool is_read;
	bool unsure;		/* read: a write to the block was in flight */
	bool hole;		/* a racer unmapped or cut its slot meanwhile */
};

struct pwb_ledger {
	struct pwb_arena *arena;
	struct pwb_record *rec;
	uint32_t bs;
	int bs_shift;		/* log2(bs) when bs is a power of two, else -1 */
	uint64_t *slot_free;	/* bit per arena slot: 1 = not in flight */
	uint64_t slot_words;
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
	uint64_t racer_faulted;		/* failed in a racer's hole (EFAULT) */
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

/* burst_mixed bits: what happened to the current burst of writes */
#define PWB_BURST_OVERLAP	1
#define PWB_BURST_FAILED	2

/* Out of line, for the inline functions below (ledger.c). */
void pwb_ledger_refuse(const struct pwb_ledger *l, unsigned int idx,
		       unsigned int file, uint64_t offset, uint64_t len,
		       char *err, size_t errlen);
void pwb_ledger_begin_write(struct pwb_ledger *l, struct pwb_ledger_io *io,
			    unsigned int file, char *addr);
void pwb_ledger_end_write(struct pwb_ledger_block *b, bool whole);

/*
 * The per-I/O calls are inline (the engine makes them for every I/O and
 * the slot choice and the read path are a few dozen instructions); the
 * rarer halves (refusals, writes, reads that are not plainly known) are
 * out of line in ledger.c.
 */

/*
 * The next slot not in flight, round robin from the arena's cursor (the
 * first free one at or after it, wrapping), found in the free bitmap a
 * word at a time instead of byte by byte.  The arena's busy map and
 * cursor stay up to date: the writeback driver reads them.  The caller
 * made sure a slot is free.
 */
static inline uint64_t pwb_ledger_slot_take(struct pwb_ledger *l)
{
	struct pwb_arena *a = l->arena;
	uint64_t i = a->cursor, w = i >> 6;
	uint64_t m = l->slot_free[w] & (~0ULL << (i & 63));

	while (!m) {
		if (++w == l->slot_words)
			w = 0;
		m = l->slot_free[w];
	}
	i = (w << 6) + (uint64_t)__builtin_ctzll(m);
	l->slot_free[w] &= ~(1ULL << (i & 63));
	a->busy[i] = 1;
	a->cursor = i + 1 == a->nslots ? 0 : i + 1;
	return i;
}

static inline void pwb_ledger_slot_give(struct pwb_ledger *l, uint64_t slot)
{
	l->slot_free[slot >> 6] |= 1ULL << (slot & 63);
	l->arena->busy[slot] = 0;
}

/*
 * An I/O of @len bytes at @offset of @file (index @idx) starts: pick a slot,
 * and for a write fill it with the next generation's block.  *@addr is
 * where the data goes.  Returns 0, or -EINVAL (not one whole block inside
 * the range, no such I/O or target, no free slot: message in @err).
 */
static inline int pwb_ledger_begin(struct pwb_ledger *l, unsigned int idx,
				   unsigned int file, uint64_t offset,
				   uint64_t len, bool write, char **addr,
				   char *err, size_t errlen)
{
	const struct pwb_ledger_target *t;
	struct pwb_ledger_block *b;
	struct pwb_ledger_io *io;
	uint64_t rel, blk, part, slot;

	if (idx >= l->nio || file >= l->nfiles ||
	    l->inflight >= l->arena->nslots || len != l->bs)
		goto refuse;
	t = &l->tg[file];
	/*
	 * Below base wraps around: one compare for both ends of the range,
	 * and for a target that is not ready (its span is still 0).
	 */
	rel = offset - t->base;
	if (rel >= t->span)
		goto refuse;
	/* bs is a power of two in every job but odd sizes like 12k */
	if (l->bs_shift >= 0) {
		blk = rel >> l->bs_shift;
		part = rel & (l->bs - 1);
	} else {
		blk = rel / l->bs;
		part = rel % l->bs;
	}
	if (part)
		goto refuse;
	io = &l->io[idx];
	b = &t->blk[blk];
	slot = pwb_ledger_slot_take(l);
	*addr = pwb_slot_addr(l->arena, slot);
	io->t = t;
	io->b = b;
	io->slot = slot;
	io->file = file;
	io->offset = offset;
	io->active = true;
	io->is_read = !write;
	io->hole = false;
	if (write) {
		pwb_ledger_begin_write(l, io, file, *addr);
	} else {
		io->gen = b->gen_hi;
		io->unsure = b->wr_inflight != 0;
	}
	l->inflight++;
	return 0;
refuse:
	pwb_ledger_refuse(l, idx, file, offset, len, err, errlen);
	return -EINVAL;
}

/*
 * Is what the whole read of @io landed known to be one generation?  If so,
 * its slot's record entry names it (the caller marks the other ones
 * unused).
 */
static inline bool pwb_ledger_read_known(struct pwb_ledger *l,
					 const struct pwb_ledger_io *io)
{
	const struct pwb_ledger_target *t = io->t;
	const struct pwb_ledger_block *b = io->b;
	struct pwb_rec_entry *e;

	if (io->unsure || b->wr_inflight || b->gen_hi != io->gen ||
	    (b->flags & (PWB_LB_MIXED | PWB_LB_UNKNOWN))) {
		l->reads_unsure++;
		return false;
	}
	if (!t->known && !(b->flags & PWB_LB_WRITTEN)) {
		l->reads_foreign++;
		return false;
	}
	e = &l->rec->e[io->slot];
	e->target = pwb_target_make(io->file, io->offset);
	e->gen_lo = e->gen_hi = b->gen_lo;
	e->nonce = t->nonce;
	__atomic_store_n(&e->state, PWB_SLOT_ONE, __ATOMIC_RELEASE);
	return true;
}

/* what every end does last: the I/O and its slot are free again */
static inline void pwb_ledger_retire(struct pwb_ledger *l,
				     struct pwb_ledger_io *io)
{
	io->active = false;
	pwb_ledger_slot_give(l, io->slot);
	l->inflight--;
	l->ops++;
}

/*
 * The end of the read @io (active): the read half of pwb_ledger_end(),
 * with no call in it, for a caller whose common path must not need a
 * frame.  Returns what pwb_ledger_end() returns.
 */
static inline __attribute__((always_inline)) bool
pwb_ledger_end_read(struct pwb_ledger *l, struct pwb_ledger_io *io,
		    bool whole)
{
	bool known = false;

	if (!whole)
		l->reads_short++;
	else
		known = pwb_ledger_read_known(l, io);
	/* an unknown block in the slot is never checked */
	if (!known)
		__atomic_store_n(&l->rec->e[io->slot].state, PWB_SLOT_UNUSED,
				 __ATOMIC_RELEASE);
	l->reads++;
	pwb_ledger_retire(l, io);
	return known;
}

/*
 * The I/O @idx is over; @whole: it moved the whole block without error.
 * Returns true when a read landed a block whose identity the ledger knows
 * (its slot's record entry is then set and may be checked).
 */
static inline __attribute__((always_inline)) bool
pwb_ledger_end(struct pwb_ledger *l, unsigned int idx, bool whole)
{
	struct pwb_ledger_io *io = &l->io[idx];

	if (!io->active)
		return false;
	if (io->is_read)
		return pwb_ledger_end_read(l, io, whole);
	pwb_ledger_end_write(io->b, whole);
	l->writes++;
	pwb_ledger_retire(l, io);
	return false;
}

/* the entry of I/O @idx (active while the ledger has it in flight) */
static inline struct pwb_ledger_io *pwb_ledger_io(struct pwb_ledger *l,
						  unsigned int idx)
{
	return &l->io[idx];
}

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

/*
 * For a moment @slot has no pages for the kernel to pin: a racer moved its
 * page tables away (mremap) or cut it off the end of the buffer file
 * (truncate).  An I/O queued or in flight on it that the kernel had not
 * pinned yet (an io_uring request a worker thread issues, say) fails with
 * EFAULT, and that failure is the racer's, not the kernel's: see
 * pwb_ledger_racer_fault().  Call from the thread that calls begin/end.
 */
void pwb_ledger_expose_slot(struct pwb_ledger *l, uint64_t slot);

/*
 * Did I/O @idx (not ended yet) fail with @err because of a racer's hole
 * (pwb_ledger_expose_slot)?  Counts it in racer_faulted.  Only EFAULT
 * qualifies: a missing page is all a hole can cause.
 */
bool pwb_ledger_racer_fault(struct pwb_ledger *l, unsigned int idx, int err);

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
