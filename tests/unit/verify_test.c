// SPDX-License-Identifier: GPL-2.0
/*
 * Checker: a buffer file of good blocks passes; a flipped byte, a
 * truncation, a zero-filled slot and a stale generation each fail with the
 * right message.  Uses O_DIRECT on a file in /var/tmp (skips if the file
 * system there has no O_DIRECT).  Also runs the pinwb-verify binary for its
 * exit codes and JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blockfmt.h"
#include "record.h"
#include "utest.h"
#include "verify.h"

#define BS	4096
#define NSLOTS	64
#define SEED	0x5eedULL
#define NONCE	0x4e4f4e4345ULL

static char dir[] = "/var/tmp/pinwb-verify-XXXXXX";
static char buf_path[160], rec_path[160], json_path[160];
static struct pwb_record rec;

static uint64_t target_of(uint64_t slot)
{
	return pwb_target_make(0, ((slot * 7) % NSLOTS) * BS);
}

/* slot 3 unused (holds garbage), slot 40 state 2 with gens 3..5 (holds 4) */
static int make_files(void)
{
	static unsigned char b[BS];
	char err[256];
	int fd;

	pwb_record_free(&rec);
	if (pwb_record_init(&rec, BS, NSLOTS, SEED, NSLOTS * BS))
		return -1;
	fd = open(buf_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (uint64_t i = 0; i < NSLOTS; i++) {
		struct pwb_rec_entry *e = &rec.e[i];

		e->target = target_of(i);
		e->nonce = NONCE;
		if (i == 3) {
			memset(b, 0xa5, BS);
		} else if (i == 40) {
			pwb_block_fill(b, BS, SEED, NONCE, e->target, 4);
			e->state = PWB_SLOT_EITHER;
			e->gen_lo = 3;
			e->gen_hi = 5;
		} else {
			pwb_block_fill(b, BS, SEED, NONCE, e->target, i + 1);
			e->state = PWB_SLOT_ONE;
			e->gen_lo = e->gen_hi = i + 1;
		}
		if (pwrite(fd, b, BS, (off_t)(i * BS)) != BS) {
			close(fd);
			return -1;
		}
	}
	if (fsync(fd) || close(fd))
		return -1;
	return pwb_record_write(&rec, rec_path, err, sizeof(err));
}

static int overwrite_slot(uint64_t slot, const void *b, size_t len,
			  size_t off)
{
	int fd = open(buf_path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = pwrite(fd, b, len, (off_t)(slot * BS + off)) == (ssize_t)len;
	return close(fd) || !ok ? -1 : 0;
}

static int odirect_ok(void)
{
	int fd = open(buf_path, O_RDONLY | O_DIRECT);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int check_one(const struct pwb_verify_result *r, const char *want)
{
	char msg[320];

	CHECK(r->outcome == PWB_V_MISMATCH, "outcome %s, want mismatch (%s)",
	      pwb_outcome_str(r->outcome), r->error);
	CHECK(r->mismatches >= 1 && r->ndetail >= 1, "no mismatch detail");
	pwb_mismatch_str(&r->detail[0], msg, sizeof(msg));
	CHECK(strstr(msg, want), "message '%s' lacks '%s'", msg, want);
	return T_PASS;
}

static int test_good_file_passes(void)
{
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.outcome == PWB_V_INTACT, "outcome %s (%s), %" PRIu64
	      " mismatches", pwb_outcome_str(r.outcome), r.error, r.mismatches);
	CHECK(r.slots_checked == NSLOTS - 1, "checked %" PRIu64 " slots, want %d",
	      r.slots_checked, NSLOTS - 1);
	CHECK(r.cache_dropped, "cache not reported dropped");
	return T_PASS;
}

static int test_byte_flip_fails(void)
{
	struct pwb_verify_result r;
	unsigned char x = 0x5a;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!overwrite_slot(10, &x, 1, 1000), "corrupt failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.mismatches == 1, "%" PRIu64 " mismatches, want 1", r.mismatches);
	return check_one(&r, "slot 10 offset 0xa000: expected target 0x6000 gen 11, found bad checksum");
}

static int test_truncation_fails(void)
{
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!truncate(buf_path, 60 * BS), "truncate failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.mismatches == 4, "%" PRIu64 " mismatches, want 4", r.mismatches);
	return check_one(&r, "slot 60 offset 0x3c000: expected target 0x");
}

static int test_truncation_message(void)
{
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!truncate(buf_path, 60 * BS), "truncate failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	return check_one(&r, "found short file");
}

static int test_zero_fill_fails(void)
{
	static unsigned char z[BS];
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!overwrite_slot(20, z, BS, 0), "zero fill failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.mismatches == 1, "%" PRIu64 " mismatches, want 1", r.mismatches);
	return check_one(&r, "slot 20 offset 0x14000: expected target 0x");
}

static int test_zero_fill_message(void)
{
	static unsigned char z[BS];
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	CHECK(!overwrite_slot(20, z, BS, 0), "zero fill failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	return check_one(&r, "gen 21, found bad magic");
}

/* the previous generation of the right block: a lost write-back */
static int test_stale_generation_fails(void)
{
	static unsigned char b[BS];
	struct pwb_verify_result r;
	char want[128];

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	pwb_block_fill(b, BS, SEED, NONCE, target_of(30), 30);
	CHECK(!overwrite_slot(30, b, BS, 0), "overwrite failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.mismatches == 1, "%" PRIu64 " mismatches, want 1", r.mismatches);
	snprintf(want, sizeof(want),
		 "slot 30 offset 0x1e000: expected target 0x%" PRIx64
		 " gen 31, found target 0x%" PRIx64 " gen 30",
		 target_of(30), target_of(30));
	return check_one(&r, want);
}

/* the right identity from another run (or file): another nonce */
static int test_other_nonce_fails(void)
{
	static unsigned char b[BS];
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	pwb_block_fill(b, BS, SEED, NONCE + 1, target_of(30), 31);
	CHECK(!overwrite_slot(30, b, BS, 0), "overwrite failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.mismatches == 1, "%" PRIu64 " mismatches, want 1", r.mismatches);
	return check_one(&r, "gen 31 of another run or file (nonce 0x");
}

/* state 2 accepts any generation in its range, nothing outside it */
static int test_either_state_range(void)
{
	static unsigned char b[BS];
	struct pwb_verify_result r;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	pwb_block_fill(b, BS, SEED, NONCE, target_of(40), 5);
	CHECK(!overwrite_slot(40, b, BS, 0), "overwrite failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	CHECK(r.outcome == PWB_V_INTACT, "gen 5 in 3..5 refused");
	pwb_block_fill(b, BS, SEED, NONCE, target_of(40), 6);
	CHECK(!overwrite_slot(40, b, BS, 0), "overwrite failed");
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	return check_one(&r, "gen 3..5, found target");
}

/* the in-memory checker applies the same rules */
static int test_memory_checker(void)
{
	static unsigned char mem[NSLOTS * BS];
	struct pwb_verify_result r;
	uint8_t skip[NSLOTS] = { 0 };
	int fd;

	CHECK(!make_files(), "setup failed");
	fd = open(buf_path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, mem, sizeof(mem)) == (ssize_t)sizeof(mem),
	      "read failed");
	close(fd);
	pwb_verify_result_init(&r);
	CHECK(pwb_verify_memory(mem, &rec, skip, &r) == PWB_V_INTACT,
	      "good memory refused");
	mem[5 * BS + 77] ^= 1;
	pwb_verify_result_init(&r);
	CHECK(pwb_verify_memory(mem, &rec, skip, &r) == PWB_V_MISMATCH,
	      "flip in memory not found");
	skip[5] = 1;	/* in flight: not checked */
	pwb_verify_result_init(&r);
	CHECK(pwb_verify_memory(mem, &rec, skip, &r) == PWB_V_INTACT,
	      "skipped slot was checked");
	return T_PASS;
}

/* pages that cannot be dropped must give a setup error, never a pass */
static int test_cache_not_dropped(void)
{
	struct pwb_verify_result r;
	void *map;
	int fd;

	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	fd = open(buf_path, O_RDONLY);
	CHECK(fd >= 0, "open");
	map = mmap(NULL, BS, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(map != MAP_FAILED, "mmap");
	if (mlock(map, BS)) {
		munmap(map, BS);
		return t_skipf("mlock: %s", strerror(errno));
	}
	pwb_verify_result_init(&r);
	pwb_verify_file(buf_path, &rec, &r);
	munlock(map, BS);
	munmap(map, BS);
	CHECK(r.outcome == PWB_V_SETUP, "outcome %s with a locked page",
	      pwb_outcome_str(r.outcome));
	CHECK(!r.cache_dropped && r.pages_resident >= 1 &&
	      strstr(r.error, "cache not dropped"), "error '%s'", r.error);
	return T_PASS;
}

static int run_cli(const char *args)
{
	char cmd[768];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", VERIFY_BIN, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int test_cli_exit_codes(void)
{
	char args[512], json[4096] = "";
	unsigned char x = 1;
	int rc, fd;
	ssize_t n;

	if (access(VERIFY_BIN, X_OK))
		return t_skipf("%s not built", VERIFY_BIN);
	CHECK(!make_files(), "setup failed");
	if (!odirect_ok())
		return t_skipf("O_DIRECT not supported on /var/tmp");
	snprintf(args, sizeof(args), "%s %s", buf_path, rec_path);
	rc = run_cli(args);
	CHECK(rc == 0, "intact file: exit %d, want 0", rc);
	CHECK(!overwrite_slot(50, &x, 1, 2000), "corrupt failed");
	snprintf(args, sizeof(args), "--json %s %s %s", json_path, buf_path,
		 rec_path);
	rc = run_cli(args);
	CHECK(rc == 1, "corrupt file: exit %d, want 1", rc);
	fd = open(json_path, O_RDONLY);
	CHECK(fd >= 0, "no JSON written");
	n = read(fd, json, sizeof(json) - 1);
	close(fd);
	CHECK(n > 0 && strstr(json, "\"result\": \"mismatch\"") &&
	      strstr(json, "\"slot\": 50"), "JSON lacks the mismatch: %s", json);
	rc = run_cli(buf_path);
	CHECK(rc == 2, "missing argument: exit %d, want 2", rc);
	snprintf(args, sizeof(args), "%s %s", buf_path, buf_path);
	rc = run_cli(args);
	CHECK(rc == 2, "buffer given as record: exit %d, want 2", rc);
	return T_PASS;
}

int main(void)
{
	int rc;

	if (!mkdtemp(dir)) {
		printf("SKIP verify: cannot create a directory in /var/tmp: %s\n",
		       strerror(errno));
		return 77;
	}
	snprintf(buf_path, sizeof(buf_path), "%s/b.buf", dir);
	snprintf(rec_path, sizeof(rec_path), "%s/b.rec", dir);
	snprintf(json_path, sizeof(json_path), "%s/v.json", dir);
	RUN(test_good_file_passes);
	RUN(test_byte_flip_fails);
	RUN(test_truncation_fails);
	RUN(test_truncation_message);
	RUN(test_zero_fill_fails);
	RUN(test_zero_fill_message);
	RUN(test_stale_generation_fails);
	RUN(test_other_nonce_fails);
	RUN(test_either_state_range);
	RUN(test_memory_checker);
	RUN(test_cache_not_dropped);
	RUN(test_cli_exit_codes);
	rc = t_exit();
	pwb_record_free(&rec);
	unlink(buf_path);
	unlink(rec_path);
	unlink(json_path);
	rmdir(dir);
	return rc;
}
