// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb ledger: slot choice, generation map and record entries per I/O.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockfmt.h"
#include "ledger.h"

int pwb_ledger_init(struct pwb_ledger *l, struct pwb_arena *arena,
		    struct pwb_record *rec, uint32_t bs, uint64_t seed,
		    unsigned int nfiles, unsigned int nio)
{
	memset(l, 0, sizeof(*l));
	l->arena = arena;
	l->rec = rec;
	l->bs = bs;
	l->bs_shift = bs && !(bs & (bs - 1)) ? __builtin_ctz(bs) : -1;
	l->seed = seed;
	l->nfiles = nfiles;
	l->nio = nio;
	l->tg = calloc(nfiles ? nfiles : 1, sizeof(*l->tg));
	l->io = calloc(nio ? nio : 1, sizeof(*l->io));
	l->slot_words = (arena->nslots + 63) / 64;
	l->slot_free = calloc(l->slot_words ? l->slot_words : 1,
			      sizeof(uint64_t));
	if (!l->tg || !l->io || !l->slot_free) {
		pwb_ledger_free(l);
		return -ENOMEM;
	}
	/* every slot the arena does not mark in flight is free */
	for (uint64_t i = 0; i < arena->nslots; i++)
		if (!arena->busy[i])
			l->slot_free[i >> 6] |= 1ULL << (i & 63);
	return 0;
}

void pwb_ledger_free(struct pwb_ledger *l)
{
	for (unsigned int i = 0; l->tg && i < l->nfiles; i++) {
		free(l->tg[i].blk);
		memset(&l->tg[i], 0, sizeof(l->tg[i]));
	}
	free(l->tg);
	free(l->io);
	free(l->slot_free);
	l->tg = NULL;
	l->io = NULL;
	l->slot_free = NULL;
}

int pwb_ledger_target(struct pwb_ledger *l, unsigned int file, uint64_t base,
		      uint64_t nblocks, uint64_t nonce, bool known)
{
	struct pwb_ledger_target *t;
	size_t n = nblocks ? nblocks : 1;
	void *p;

	if (file >= l->nfiles)
		return -EINVAL;
	t = &l->tg[file];
	if (t->ready)
		return 0;
	/* cache-line aligned: a block's entry never straddles two lines */
	if (n > SIZE_MAX / sizeof(*t->blk) ||
	    posix_memalign(&p, 64, n * sizeof(*t->blk)))
		return -ENOMEM;
	memset(p, 0, n * sizeof(*t->blk));
	t->blk = p;
	t->base = base;
	t->nblocks = nblocks;
	t->span = nblocks * l->bs;
	t->nonce = nonce;
	t->known = known;
	t->ready = true;
	return 0;
}

void pwb_ledger_refuse(const struct pwb_ledger *l, unsigned int idx,
		       unsigned int file, uint64_t offset, uint64_t len,
		       char *err, size_t errlen)
{
	if (idx >= l->nio || file >= l->nfiles || !l->tg[file].ready ||
	    l->inflight >= l->arena->nslots)
		snprintf(err, errlen, "I/O %u on file %u: no such I/O or target, or no free slot",
			 idx, file);
	else
		snprintf(err, errlen, "offset %" PRIu64 " length %" PRIu64
			 " is not one whole block of bs=%u inside the prepared range",
			 offset, len, l->bs);
}

/* a write starts: the next generation of the block, filled into the slot */
void pwb_ledger_begin_write(struct pwb_ledger *l, struct pwb_ledger_io *io,
			    unsigned int file, char *addr)
{
	const struct pwb_ledger_target *t = io->t;
	struct pwb_ledger_block *b = io->b;
	struct pwb_rec_entry *e = &l->rec->e[io->slot];
	uint64_t gen = ++l->next_gen;
	uint64_t target = pwb_target_make(file, io->offset);

	if (b->wr_inflight++ == 0) {
		b->burst = gen;
		b->burst_mixed = 0;
	} else {
		b->burst_mixed |= PWB_BURST_OVERLAP;
		l->writes_overlapped++;
	}
	b->gen_hi = gen;
	io->gen = gen;
	io->unsure = false;
	/* the CPU writes the block through the mapping */
	pwb_block_fill(addr, l->bs, l->seed, t->nonce, target, gen);
	e->target = target;
	e->gen_lo = e->gen_hi = gen;
	e->nonce = t->nonce;
	__atomic_store_n(&e->state, PWB_SLOT_ONE, __ATOMIC_RELEASE);
}

void pwb_ledger_end_write(struct pwb_ledger_block *b, bool whole)
{
	if (!whole)
		b->burst_mixed |= PWB_BURST_FAILED;
	if (--b->wr_inflight)
		return;
	/*
	 * No write to the block is in flight: it holds the last burst of
	 * overlapping writes, one generation when they did not overlap.
	 */
	b->gen_lo = b->burst;
	b->flags &= (uint8_t)~(PWB_LB_MIXED | PWB_LB_UNKNOWN);
	if (b->burst_mixed & PWB_BURST_FAILED)
		b->flags |= PWB_LB_UNKNOWN;
	else if (b->burst_mixed & PWB_BURST_OVERLAP)
		b->flags |= PWB_LB_MIXED | PWB_LB_WRITTEN;
	else
		b->flags |= PWB_LB_WRITTEN;
}

void pwb_ledger_forget(struct pwb_ledger *l)
{
	for (unsigned int i = 0; l->io && i < l->nio; i++) {
		struct pwb_ledger_io *io = &l->io[i];

		if (!io->active)
			continue;
		if (io->is_read)
			l->rec->e[io->slot].state = PWB_SLOT_UNUSED;
		else
			pwb_ledger_end_write(io->b, false);
		pwb_ledger_slot_give(l, io->slot);
		io->active = false;
		l->inflight--;
	}
}

enum pwb_excused pwb_ledger_excuse_slot(struct pwb_ledger *l, uint64_t slot)
{
	struct pwb_rec_entry *e = &l->rec->e[slot];
	enum pwb_excused what = PWB_EXCUSED_NONE;

	for (unsigned int i = 0; i < l->nio; i++) {
		struct pwb_ledger_io *io = &l->io[i];

		if (!io->active || io->slot != slot)
			continue;
		if (io->is_read) {
			io->unsure = true;
			what = PWB_EXCUSED_READ;
		} else {
			io->b->burst_mixed |= PWB_BURST_FAILED;
			what = PWB_EXCUSED_WRITE;
		}
		break;
	}
	if (what == PWB_EXCUSED_NONE &&
	    __atomic_load_n(&e->state, __ATOMIC_RELAXED) != PWB_SLOT_UNUSED)
		what = PWB_EXCUSED_IDLE;
	__atomic_store_n(&e->state, PWB_SLOT_UNUSED, __ATOMIC_RELEASE);
	return what;
}

void pwb_ledger_expose_slot(struct pwb_ledger *l, uint64_t slot)
{
	for (unsigned int i = 0; i < l->nio; i++)
		if (l->io[i].active && l->io[i].slot == slot)
			l->io[i].hole = true;
}

bool pwb_ledger_racer_fault(struct pwb_ledger *l, unsigned int idx, int err)
{
	if (err != EFAULT || idx >= l->nio || !l->io[idx].active ||
	    !l->io[idx].hole)
		return false;
	l->racer_faulted++;
	return true;
}

enum pwb_expect pwb_ledger_expect(const struct pwb_ledger *l,
				  unsigned int file, uint64_t blk,
				  uint64_t *lo, uint64_t *hi)
{
	const struct pwb_ledger_block *b;

	if (file >= l->nfiles || !l->tg[file].ready ||
	    blk >= l->tg[file].nblocks)
		return PWB_EXPECT_NONE;
	b = &l->tg[file].blk[blk];
	if (b->wr_inflight)
		return PWB_EXPECT_NONE;
	*lo = b->gen_lo;
	*hi = b->gen_hi;
	if (b->flags & PWB_LB_UNKNOWN)
		return PWB_EXPECT_UNKNOWN;
	if (!(b->flags & PWB_LB_WRITTEN))
		return PWB_EXPECT_NONE;
	if (b->flags & PWB_LB_MIXED)
		return PWB_EXPECT_MIXED;
	return PWB_EXPECT_GEN;
}
