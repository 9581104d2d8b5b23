// SPDX-License-Identifier: GPL-2.0
/*
 * Target read-back: written blocks read back with O_DIRECT match the
 * ledger; a zeroed block, a block of the previous generation and a block
 * with another run's nonce each fail at their offset; blocks written by
 * overlapping writes are counted, not checked.  Uses a file in /var/tmp
 * (skips without O_DIRECT there).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockfmt.h"
#include "ledger.h"
#include "readback.h"
#include "utest.h"

#define BS	4096
#define NBLK	32
#define NONCE	0xfeedfaceULL

static char dir[] = "/var/tmp/pinwb-readback-XXXXXX";
static char path[160];
static struct pwb_arena arena;
static struct pwb_record rec;
static struct pwb_ledger led;

/* write block @blk through the ledger: slot filled, then pwrite'n */
static int write_block(int fd, unsigned int idx, uint64_t blk, bool end)
{
	char err[128], *addr;

	if (pwb_ledger_begin(&led, idx, 0, blk * BS, BS, true, &addr, err,
			     sizeof(err)))
		return -1;
	if (pwrite(fd, addr, BS, (off_t)(blk * BS)) != BS)
		return -1;
	if (end)
		pwb_ledger_end(&led, idx, true);
	return 0;
}

/* every block written once, block 7 twice, blocks 9 and 10 by two overlapping writes */
static int setup(void)
{
	int fd;

	pwb_ledger_free(&led);
	pwb_record_free(&rec);
	free(arena.base);
	free(arena.busy);
	memset(&arena, 0, sizeof(arena));
	arena.slot_size = BS;
	arena.nslots = 4;
	arena.base = aligned_alloc(4096, 4 * BS);
	arena.busy = calloc(4, 1);
	if (!arena.base || !arena.busy || pwb_record_init(&rec, BS, 4, 1, 4 * BS) ||
	    pwb_ledger_init(&led, &arena, &rec, BS, 0x5eed, 1, 2) ||
	    pwb_ledger_target(&led, 0, 0, NBLK, NONCE, false))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (uint64_t b = 0; b < NBLK; b++)
		if (write_block(fd, 0, b, true))
			return -1;
	if (write_block(fd, 0, 7, true) || write_block(fd, 0, 9, false) ||
	    write_block(fd, 1, 9, false))
		return -1;
	pwb_ledger_end(&led, 0, true);
	pwb_ledger_end(&led, 1, true);
	if (write_block(fd, 0, 10, false) || write_block(fd, 1, 10, false))
		return -1;
	pwb_ledger_end(&led, 1, true);
	pwb_ledger_end(&led, 0, true);
	return close(fd);
}

static int run(struct pwb_readback *r)
{
	pwb_readback_init(r);
	pwb_readback_begin(r);
	pwb_readback_target(&led, 0, path, r);
	pwb_readback_end(r);
	return r->outcome;
}

static bool odirect_ok(void)
{
	int fd = open(path, O_RDONLY | O_DIRECT);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int put(uint64_t blk, const void *b)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && pwrite(fd, b, BS, (off_t)(blk * BS)) == BS;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int test_intact(void)
{
	struct pwb_readback r;

	CHECK(!setup(), "setup: %s", strerror(errno));
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(run(&r) == PWB_V_INTACT, "outcome %s: %s",
	      pwb_outcome_str(r.outcome), r.error);
	CHECK(r.blocks_checked == NBLK - 2 && r.blocks_mixed == 2,
	      "checked %" PRIu64 " mixed %" PRIu64 ", want %d and 2",
	      r.blocks_checked, r.blocks_mixed, NBLK - 2);
	CHECK(r.cache_dropped, "cache not dropped");
	return T_PASS;
}

static int expect_one(uint64_t blk, const char *what)
{
	struct pwb_readback r;
	char msg[512];

	CHECK(run(&r) == PWB_V_MISMATCH && r.mismatches == 1,
	      "%s: outcome %s, %" PRIu64 " mismatches", what,
	      pwb_outcome_str(r.outcome), r.mismatches);
	CHECK(r.detail[0].offset == blk * BS, "%s: at %" PRIu64, what,
	      r.detail[0].offset);
	pwb_rb_mismatch_str(&r.detail[0], path, msg, sizeof(msg));
	CHECK(strstr(msg, path) && strstr(msg, "offset"), "message: %s", msg);
	return T_PASS;
}

static int test_zeroed_block(void)
{
	static char z[BS];

	CHECK(!setup(), "setup");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!put(3, z), "corrupt");
	return expect_one(3, "zeroed");
}

static int test_previous_generation(void)
{
	static char b[BS] __attribute__((aligned(4096)));

	CHECK(!setup(), "setup");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	/* block 7 first held gen 8, then gen 33 */
	pwb_block_fill(b, BS, 0x5eed, NONCE, pwb_target_make(0, 7 * BS), 8);
	CHECK(!put(7, b), "corrupt");
	return expect_one(7, "lost write");
}

static int test_other_run(void)
{
	static char b[BS] __attribute__((aligned(4096)));
	uint64_t lo, hi;

	CHECK(!setup(), "setup");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	pwb_ledger_expect(&led, 0, 5, &lo, &hi);
	pwb_block_fill(b, BS, 0x5eed, NONCE + 1, pwb_target_make(0, 5 * BS), lo);
	CHECK(!put(5, b), "corrupt");
	return expect_one(5, "other nonce");
}

int main(void)
{
	int rc;

	if (!mkdtemp(dir)) {
		printf("SKIP readback: mkdtemp in /var/tmp: %s\n", strerror(errno));
		return 77;
	}
	snprintf(path, sizeof(path), "%s/target", dir);
	RUN(test_intact);
	RUN(test_zeroed_block);
	RUN(test_previous_generation);
	RUN(test_other_run);
	rc = t_exit();
	pwb_ledger_free(&led);
	pwb_record_free(&rec);
	free(arena.base);
	free(arena.busy);
	unlink(path);
	rmdir(dir);
	return rc;
}
