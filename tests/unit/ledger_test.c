// SPDX-License-Identifier: GPL-2.0
/*
 * Ledger: what each target block must hold after writes that did or did not
 * overlap, which reads land a block of known identity (and which may hold a
 * mix or content pinwb did not lay out), failed writes, refused offsets,
 * and I/Os never reaped.  No fio, no files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blockfmt.h"
#include "ledger.h"
#include "utest.h"
#include "verify.h"

#define BS	4096
#define NSLOTS	8
#define NBLK	16
#define SEED	0x1234ULL

static struct pwb_arena arena;
static struct pwb_record rec;
static struct pwb_ledger led;
static char err[256];

/* a fresh ledger: file 0 laid out by pinwb, file 1 a user's file */
static int setup(void)
{
	pwb_ledger_free(&led);
	pwb_record_free(&rec);
	free(arena.base);
	free(arena.busy);
	memset(&arena, 0, sizeof(arena));
	arena.slot_size = BS;
	arena.nslots = NSLOTS;
	arena.base = aligned_alloc(4096, NSLOTS * BS);
	arena.busy = calloc(NSLOTS, 1);
	if (!arena.base || !arena.busy ||
	    pwb_record_init(&rec, BS, NSLOTS, SEED, NSLOTS * BS) ||
	    pwb_ledger_init(&led, &arena, &rec, BS, SEED, 2, 4) ||
	    pwb_ledger_target(&led, 0, 0, NBLK, 0, true) ||
	    pwb_ledger_target(&led, 1, 0, NBLK, 0, false))
		return -1;
	return 0;
}

static int begin(unsigned int idx, unsigned int file, uint64_t blk,
		 bool write)
{
	char *addr;

	return pwb_ledger_begin(&led, idx, file, blk * BS, BS, write, &addr,
				err, sizeof(err));
}

static int test_write_then_expect(void)
{
	struct pwb_mismatch m;
	uint64_t lo = 99, hi = 99, slot;

	CHECK(!setup(), "setup");
	CHECK(pwb_ledger_expect(&led, 0, 3, &lo, &hi) == PWB_EXPECT_NONE,
	      "unwritten block expected something");
	CHECK(!begin(0, 0, 3, true), "begin: %s", err);
	slot = pwb_ledger_slot(&led, 0);
	CHECK(arena.busy[slot], "slot not busy while in flight");
	CHECK(pwb_ledger_expect(&led, 0, 3, &lo, &hi) == PWB_EXPECT_NONE,
	      "block with a write in flight is checkable");
	CHECK(!pwb_verify_slot(pwb_slot_addr(&arena, slot), &rec, slot, &m),
	      "the slot does not hold the block the record names");
	pwb_ledger_end(&led, 0, true);
	CHECK(!arena.busy[slot], "slot still busy");
	CHECK(pwb_ledger_expect(&led, 0, 3, &lo, &hi) == PWB_EXPECT_GEN &&
	      lo == 1 && hi == 1, "expect gen 1, got %llu..%llu",
	      (unsigned long long)lo, (unsigned long long)hi);
	CHECK(led.writes == 1 && led.ops == 1 && !led.inflight, "counters");
	return T_PASS;
}

static int test_overlapping_writes_mixed(void)
{
	uint64_t lo, hi;

	CHECK(!setup(), "setup");
	CHECK(!begin(0, 0, 5, true) && !begin(1, 0, 5, true), "begin");
	CHECK(led.writes_overlapped == 1, "overlap not counted");
	pwb_ledger_end(&led, 1, true);
	CHECK(pwb_ledger_expect(&led, 0, 5, &lo, &hi) == PWB_EXPECT_NONE,
	      "checkable while the first write is in flight");
	pwb_ledger_end(&led, 0, true);
	CHECK(pwb_ledger_expect(&led, 0, 5, &lo, &hi) == PWB_EXPECT_MIXED &&
	      lo == 1 && hi == 2, "overlapping writes not marked mixed 1..2");
	/* a later write alone makes the block one generation again */
	CHECK(!begin(2, 0, 5, true), "begin");
	pwb_ledger_end(&led, 2, true);
	CHECK(pwb_ledger_expect(&led, 0, 5, &lo, &hi) == PWB_EXPECT_GEN &&
	      lo == 3, "a lone write after a mix: not gen 3");
	return T_PASS;
}

static int test_read_during_write_unsure(void)
{
	uint64_t slot;

	CHECK(!setup(), "setup");
	CHECK(!begin(0, 0, 2, true) && !begin(1, 0, 2, false), "begin");
	slot = pwb_ledger_slot(&led, 1);
	pwb_ledger_end(&led, 0, true);
	CHECK(!pwb_ledger_end(&led, 1, true),
	      "a read that overlapped a write counts as known");
	CHECK(rec.e[slot].state == PWB_SLOT_UNUSED, "its slot would be checked");
	CHECK(led.reads_unsure == 1, "reads_unsure %llu",
	      (unsigned long long)led.reads_unsure);
	/* and a write submitted while a read is in flight */
	CHECK(!begin(2, 0, 2, false) && !begin(3, 0, 2, true), "begin");
	pwb_ledger_end(&led, 3, true);
	CHECK(!pwb_ledger_end(&led, 2, true), "read overlapping a later write known");
	return T_PASS;
}

static int test_read_known_and_foreign(void)
{
	uint64_t slot;

	CHECK(!setup(), "setup");
	CHECK(!begin(0, 0, 7, false), "begin");
	slot = pwb_ledger_slot(&led, 0);
	CHECK(pwb_ledger_end(&led, 0, true), "read of a laid-out block unknown");
	CHECK(rec.e[slot].state == PWB_SLOT_ONE && rec.e[slot].gen_lo == 0 &&
	      rec.e[slot].target == pwb_target_make(0, 7 * BS),
	      "record entry not gen 0 of block 7");
	CHECK(!begin(1, 1, 7, false), "begin");
	CHECK(!pwb_ledger_end(&led, 1, true),
	      "read of a user's block counts as known");
	CHECK(led.reads_foreign == 1, "reads_foreign not counted");
	/* a block of the user's file that this job wrote is known */
	CHECK(!begin(2, 1, 7, true), "begin");
	pwb_ledger_end(&led, 2, true);
	CHECK(!begin(3, 1, 7, false), "begin");
	CHECK(pwb_ledger_end(&led, 3, true), "read of a block we wrote unknown");
	/* a short read is never checked */
	CHECK(!begin(0, 0, 8, false), "begin");
	CHECK(!pwb_ledger_end(&led, 0, false), "short read known");
	CHECK(led.reads_short == 1, "short read not counted");
	return T_PASS;
}

static int test_failed_write_unknown(void)
{
	uint64_t lo, hi;

	CHECK(!setup(), "setup");
	CHECK(!begin(0, 0, 1, true), "begin");
	pwb_ledger_end(&led, 0, false);
	CHECK(pwb_ledger_expect(&led, 0, 1, &lo, &hi) == PWB_EXPECT_UNKNOWN,
	      "failed write not unknown");
	CHECK(!begin(1, 0, 1, false), "begin");
	CHECK(!pwb_ledger_end(&led, 1, true), "read after a failed write known");
	return T_PASS;
}

static int test_refused_and_forgotten(void)
{
	char *addr;
	uint64_t lo, hi, slot;

	CHECK(!setup(), "setup");
	CHECK(pwb_ledger_begin(&led, 0, 0, 100, BS, false, &addr, err,
			       sizeof(err)) == -EINVAL, "unaligned accepted");
	CHECK(strstr(err, "not one whole block"), "message: %s", err);
	CHECK(pwb_ledger_begin(&led, 0, 0, 0, BS / 2, false, &addr, err,
			       sizeof(err)) == -EINVAL, "short length accepted");
	CHECK(pwb_ledger_begin(&led, 0, 0, NBLK * BS, BS, false, &addr, err,
			       sizeof(err)) == -EINVAL, "past the range accepted");
	CHECK(!led.inflight, "a refused I/O is in flight");
	CHECK(!begin(0, 0, 4, false) && !begin(1, 0, 9, true), "begin");
	slot = pwb_ledger_slot(&led, 0);
	pwb_ledger_forget(&led);
	CHECK(rec.e[slot].state == PWB_SLOT_UNUSED, "unreaped read checked");
	CHECK(!led.inflight && !arena.busy[slot], "forgotten I/O still busy");
	CHECK(pwb_ledger_expect(&led, 0, 9, &lo, &hi) == PWB_EXPECT_UNKNOWN,
	      "unreaped write's block checkable");
	return T_PASS;
}

/*
 * Slots go round robin: the first free one at or after the cursor,
 * wrapping; a slot freed behind the cursor waits its turn.
 */
static int test_slots_round_robin(void)
{
	/* with I/Os 0-3 in slots 0-3: end I/O ends[k], begin it again */
	static const unsigned int ends[] = { 0, 1, 2, 3, 1, 3, 0 };
	static const uint64_t want[] = { 4, 5, 6, 7, 0, 1, 2 };

	CHECK(!setup(), "setup");
	for (unsigned int i = 0; i < 4; i++) {
		CHECK(!begin(i, 0, i, false), "begin %u: %s", i, err);
		CHECK(pwb_ledger_slot(&led, i) == i, "I/O %u in slot %llu", i,
		      (unsigned long long)pwb_ledger_slot(&led, i));
	}
	for (unsigned int k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
		unsigned int idx = ends[k];
		uint64_t was = pwb_ledger_slot(&led, idx);

		pwb_ledger_end(&led, idx, true);
		CHECK(!arena.busy[was], "ended slot %llu busy",
		      (unsigned long long)was);
		CHECK(!begin(idx, 0, k, false), "begin again: %s", err);
		CHECK(pwb_ledger_slot(&led, idx) == want[k],
		      "step %u: slot %llu, want %llu (round robin from the cursor)",
		      k, (unsigned long long)pwb_ledger_slot(&led, idx),
		      (unsigned long long)want[k]);
		CHECK(arena.busy[want[k]], "taken slot not busy in the arena");
	}
	for (unsigned int i = 0; i < 4; i++)
		pwb_ledger_end(&led, i, true);
	CHECK(!led.inflight, "I/Os left in flight");
	return T_PASS;
}

/* what truncate/punch racers tell the ledger about a slot whose pages went */
static int test_excused_slots(void)
{
	uint64_t lo, hi, rslot, wslot, idle;

	CHECK(!setup(), "setup");
	/* an idle slot holding a written block */
	CHECK(!begin(0, 0, 2, true), "begin");
	idle = pwb_ledger_slot(&led, 0);
	pwb_ledger_end(&led, 0, true);
	CHECK(rec.e[idle].state == PWB_SLOT_ONE, "written slot not checked");
	CHECK(!begin(1, 0, 5, false) && !begin(2, 0, 7, true), "begin");
	rslot = pwb_ledger_slot(&led, 1);
	wslot = pwb_ledger_slot(&led, 2);
	CHECK(pwb_ledger_excuse_slot(&led, idle) == PWB_EXCUSED_IDLE, "idle");
	CHECK(rec.e[idle].state == PWB_SLOT_UNUSED, "excused slot still checked");
	CHECK(pwb_ledger_excuse_slot(&led, rslot) == PWB_EXCUSED_READ, "read");
	CHECK(pwb_ledger_excuse_slot(&led, wslot) == PWB_EXCUSED_WRITE, "write");
	CHECK(pwb_ledger_excuse_slot(&led, NSLOTS - 1) == PWB_EXCUSED_NONE,
	      "an unused slot was excused");
	CHECK(!pwb_ledger_end(&led, 1, true), "excused read checkable");
	CHECK(rec.e[rslot].state == PWB_SLOT_UNUSED, "excused read's slot checked");
	pwb_ledger_end(&led, 2, true);
	CHECK(pwb_ledger_expect(&led, 0, 7, &lo, &hi) == PWB_EXPECT_UNKNOWN,
	      "block of an excused write checkable");
	CHECK(rec.e[wslot].state == PWB_SLOT_UNUSED, "excused write's slot checked");
	CHECK(pwb_ledger_expect(&led, 0, 2, &lo, &hi) == PWB_EXPECT_GEN,
	      "the idle slot's earlier write no longer checked on the target");
	/* a later write of the block makes it checkable again */
	CHECK(!begin(3, 0, 7, true), "begin");
	pwb_ledger_end(&led, 3, true);
	CHECK(pwb_ledger_expect(&led, 0, 7, &lo, &hi) == PWB_EXPECT_GEN,
	      "rewritten block not checkable");
	return T_PASS;
}

/*
 * A racer's hole (mremap away and back, truncate and extend): the I/Os on
 * those slots that were queued or in flight may fail with EFAULT, and only
 * those, and only with EFAULT.
 */
static int test_racer_hole_fault(void)
{
	uint64_t lo, hi, wslot, rslot;

	CHECK(!setup(), "setup");
	CHECK(!begin(0, 0, 4, true) && !begin(1, 0, 6, false) &&
	      !begin(2, 0, 8, true), "begin");
	wslot = pwb_ledger_slot(&led, 0);
	rslot = pwb_ledger_slot(&led, 1);
	pwb_ledger_expose_slot(&led, wslot);
	pwb_ledger_expose_slot(&led, rslot);
	CHECK(!pwb_ledger_racer_fault(&led, 0, EIO),
	      "an EIO excused as a racer's fault");
	CHECK(!pwb_ledger_racer_fault(&led, 2, EFAULT),
	      "EFAULT of an I/O outside the hole excused");
	CHECK(pwb_ledger_racer_fault(&led, 0, EFAULT), "write in the hole");
	CHECK(pwb_ledger_racer_fault(&led, 1, EFAULT), "read in the hole");
	CHECK(led.racer_faulted == 2, "racer_faulted %llu, want 2",
	      (unsigned long long)led.racer_faulted);
	pwb_ledger_end(&led, 0, false);
	CHECK(!pwb_ledger_end(&led, 1, false), "failed read checkable");
	pwb_ledger_end(&led, 2, true);
	CHECK(pwb_ledger_expect(&led, 0, 4, &lo, &hi) == PWB_EXPECT_UNKNOWN,
	      "block of a faulted write checkable");
	/* a new I/O on the same slot starts outside any hole */
	CHECK(!begin(3, 0, 4, true), "begin");
	CHECK(!pwb_ledger_racer_fault(&led, 3, EFAULT),
	      "EFAULT of an I/O begun after the hole excused");
	CHECK(!pwb_ledger_racer_fault(&led, 0, EFAULT),
	      "an ended I/O excused");
	pwb_ledger_end(&led, 3, true);
	return T_PASS;
}

int main(void)
{
	RUN(test_write_then_expect);
	RUN(test_overlapping_writes_mixed);
	RUN(test_read_during_write_unsure);
	RUN(test_read_known_and_foreign);
	RUN(test_failed_write_unknown);
	RUN(test_refused_and_forgotten);
	RUN(test_slots_round_robin);
	RUN(test_excused_slots);
	RUN(test_racer_hole_fault);
	pwb_ledger_free(&led);
	pwb_record_free(&rec);
	free(arena.base);
	free(arena.busy);
	return t_exit();
}
