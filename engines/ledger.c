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

/* burst_mixed bits: what happened to the current burst of writes */
#define BURST_OVERLAP	1
#define BURST_FAILED	2

int pwb_ledger_init(struct pwb_ledger *l, struct pwb_arena *arena,
		    struct pwb_record *rec, uint32_t bs, uint64_t seed,
		    unsigned int nfiles, unsigned int nio)
{
	memset(l, 0, sizeof(*l));
	l->arena = arena;
	l->rec = rec;
	l->bs = bs;
	l->seed = seed;
	l->nfiles = nfiles;
	l->nio = nio;
	l->tg = calloc(nfiles ? nfiles : 1, sizeof(*l->tg));
	l->io = calloc(nio ? nio : 1, sizeof(*l->io));
	if (!l->tg || !l->io) {
		pwb_ledger_free(l);
		return -ENOMEM;
	}
	return 0;
}

static void target_free(struct pwb_ledger_target *t)
{
	free(t->gen_lo);
	free(t->gen_hi);
	free(t->burst);
	free(t->wr_inflight);
	free(t->flags);
	free(t->burst_mixed);
	memset(t, 0, sizeof(*t));
}

void pwb_ledger_free(struct pwb_ledger *l)
{
	for (unsigned int i = 0; l->tg && i < l->nfiles; i++)
		target_free(&l->tg[i]);
	free(l->tg);
	free(l->io);
	l->tg = NULL;
	l->io = NULL;
}

int pwb_ledger_target(struct pwb_ledger *l, unsigned int file, uint64_t base,
		      uint64_t nblocks, uint64_t nonce, bool known)
{
	struct pwb_ledger_target *t;
	size_t n = nblocks ? nblocks : 1;

	if (file >= l->nfiles)
		return -EINVAL;
	t = &l->tg[file];
	if (t->ready)
		return 0;
	t->base = base;
	t->nblocks = nblocks;
	t->nonce = nonce;
	t->known = known;
	t->gen_lo = calloc(n, sizeof(uint64_t));
	t->gen_hi = calloc(n, sizeof(uint64_t));
	t->burst = calloc(n, sizeof(uint64_t));
	t->wr_inflight = calloc(n, sizeof(uint32_t));
	t->flags = calloc(n, 1);
	t->burst_mixed = calloc(n, 1);
	if (!t->gen_lo || !t->gen_hi || !t->burst || !t->wr_inflight ||
	    !t->flags || !t->burst_mixed) {
		target_free(t);
		return -ENOMEM;
	}
	t->ready = true;
	return 0;
}

int pwb_ledger_begin(struct pwb_ledger *l, unsigned int idx,
		     unsigned int file, uint64_t offset, uint64_t len,
		     bool write, char **addr, char *err, size_t errlen)
{
	struct pwb_ledger_target *t;
	struct pwb_ledger_io *io;
	uint64_t blk, slot;

	if (idx >= l->nio || file >= l->nfiles || !l->tg[file].ready) {
		snprintf(err, errlen, "I/O %u on file %u: no such I/O or target",
			 idx, file);
		return -EINVAL;
	}
	t = &l->tg[file];
	io = &l->io[idx];
	blk = (offset - t->base) / l->bs;
	if (len != l->bs || offset < t->base || (offset - t->base) % l->bs ||
	    blk >= t->nblocks) {
		snprintf(err, errlen, "offset %" PRIu64 " length %" PRIu64
			 " is not one whole block of bs=%u inside the prepared range",
			 offset, len, l->bs);
		return -EINVAL;
	}
	slot = pwb_slot_get(l->arena);
	*addr = pwb_slot_addr(l->arena, slot);
	io->slot = slot;
	io->blk = blk;
	io->file = file;
	io->active = true;
	io->is_read = !write;
	if (write) {
		struct pwb_rec_entry *e = &l->rec->e[slot];
		uint64_t gen = ++l->next_gen;
		uint64_t target = pwb_target_make(file, offset);

		if (t->wr_inflight[blk]++ == 0) {
			t->burst[blk] = gen;
			t->burst_mixed[blk] = 0;
		} else {
			t->burst_mixed[blk] |= BURST_OVERLAP;
			l->writes_overlapped++;
		}
		t->gen_hi[blk] = gen;
		io->gen = gen;
		io->unsure = false;
		/* the CPU writes the block through the mapping */
		pwb_block_fill(*addr, l->bs, l->seed, t->nonce, target, gen);
		e->target = target;
		e->gen_lo = e->gen_hi = gen;
		e->nonce = t->nonce;
		__atomic_store_n(&e->state, PWB_SLOT_ONE, __ATOMIC_RELEASE);
	} else {
		io->gen = t->gen_hi[blk];
		io->unsure = t->wr_inflight[blk] != 0;
	}
	l->inflight++;
	return 0;
}

static void end_write(struct pwb_ledger_target *t, uint64_t blk, bool whole)
{
	if (!whole)
		t->burst_mixed[blk] |= BURST_FAILED;
	if (--t->wr_inflight[blk])
		return;
	/*
	 * No write to the block is in flight: it holds the last burst of
	 * overlapping writes, one generation when they did not overlap.
	 */
	t->gen_lo[blk] = t->burst[blk];
	t->flags[blk] &= (uint8_t)~(PWB_LB_MIXED | PWB_LB_UNKNOWN);
	if (t->burst_mixed[blk] & BURST_FAILED)
		t->flags[blk] |= PWB_LB_UNKNOWN;
	else if (t->burst_mixed[blk] & BURST_OVERLAP)
		t->flags[blk] |= PWB_LB_MIXED | PWB_LB_WRITTEN;
	else
		t->flags[blk] |= PWB_LB_WRITTEN;
}

/* is what the read of @io landed known to be one generation? */
static bool read_known(struct pwb_ledger *l, const struct pwb_ledger_io *io)
{
	const struct pwb_ledger_target *t = &l->tg[io->file];
	uint64_t blk = io->blk;

	if (io->unsure || t->wr_inflight[blk] || t->gen_hi[blk] != io->gen ||
	    (t->flags[blk] & (PWB_LB_MIXED | PWB_LB_UNKNOWN))) {
		l->reads_unsure++;
		return false;
	}
	if (!t->known && !(t->flags[blk] & PWB_LB_WRITTEN)) {
		l->reads_foreign++;
		return false;
	}
	return true;
}

bool pwb_ledger_end(struct pwb_ledger *l, unsigned int idx, bool whole)
{
	struct pwb_ledger_io *io = &l->io[idx];
	struct pwb_ledger_target *t = &l->tg[io->file];
	struct pwb_rec_entry *e = &l->rec->e[io->slot];
	bool known = false;

	if (!io->active)
		return false;
	if (!io->is_read) {
		end_write(t, io->blk, whole);
		l->writes++;
	} else {
		if (!whole)
			l->reads_short++;
		else
			known = read_known(l, io);
		if (known) {
			e->target = pwb_target_make(io->file,
						    t->base + io->blk * l->bs);
			e->gen_lo = e->gen_hi = t->gen_lo[io->blk];
			e->nonce = t->nonce;
		}
		/* an unknown block in the slot is never checked */
		__atomic_store_n(&e->state, known ? PWB_SLOT_ONE :
				 PWB_SLOT_UNUSED, __ATOMIC_RELEASE);
		l->reads++;
	}
	io->active = false;
	pwb_slot_put(l->arena, io->slot);
	l->inflight--;
	l->ops++;
	return known;
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
			end_write(&l->tg[io->file], io->blk, false);
		pwb_slot_put(l->arena, io->slot);
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
			l->tg[io->file].burst_mixed[io->blk] |= BURST_FAILED;
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

enum pwb_expect pwb_ledger_expect(const struct pwb_ledger *l,
				  unsigned int file, uint64_t blk,
				  uint64_t *lo, uint64_t *hi)
{
	const struct pwb_ledger_target *t;

	if (file >= l->nfiles || !l->tg[file].ready ||
	    blk >= l->tg[file].nblocks)
		return PWB_EXPECT_NONE;
	t = &l->tg[file];
	if (t->wr_inflight[blk])
		return PWB_EXPECT_NONE;
	*lo = t->gen_lo[blk];
	*hi = t->gen_hi[blk];
	if (t->flags[blk] & PWB_LB_UNKNOWN)
		return PWB_EXPECT_UNKNOWN;
	if (!(t->flags[blk] & PWB_LB_WRITTEN))
		return PWB_EXPECT_NONE;
	if (t->flags[blk] & PWB_LB_MIXED)
		return PWB_EXPECT_MIXED;
	return PWB_EXPECT_GEN;
}
