// SPDX-License-Identifier: GPL-2.0
/* Record: write/read round trip; wrong version, magic, size refused. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "utest.h"

static char dir[] = "/var/tmp/pinwb-rec-XXXXXX";
static char path[128];

static int make_record(uint64_t n)
{
	struct pwb_record r;
	char err[256];
	int ret;

	if (pwb_record_init(&r, 4096, n, 0xfeedULL, n * 4096))
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		r.e[i].state = (uint32_t)(i % 3);
		r.e[i].target = i * 4096 + (1ULL << 48);
		r.e[i].nonce = 0xabc0000ULL + i;
		r.e[i].gen_lo = i;
		r.e[i].gen_hi = i + (i % 3 == 2);
	}
	ret = pwb_record_write(&r, path, err, sizeof(err));
	pwb_record_free(&r);
	return ret;
}

static int patch(off_t off, const void *b, size_t len)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = pwrite(fd, b, len, off) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static int test_roundtrip(void)
{
	struct pwb_record r;
	char err[256];

	CHECK(!make_record(5000), "write failed");
	CHECK(!pwb_record_read(&r, path, err, sizeof(err)), "read: %s", err);
	CHECK(r.slot_size == 4096 && r.nslots == 5000 && r.seed == 0xfeed &&
	      r.file_size == 5000 * 4096ULL, "header did not round-trip");
	for (uint64_t i = 0; i < 5000; i++)
		CHECK(r.e[i].state == i % 3 &&
		      r.e[i].target == i * 4096 + (1ULL << 48) &&
		      r.e[i].nonce == 0xabc0000ULL + i &&
		      r.e[i].gen_lo == i && r.e[i].gen_hi == i + (i % 3 == 2),
		      "entry %llu differs", (unsigned long long)i);
	pwb_record_free(&r);
	return T_PASS;
}

static int test_version_mismatch_refused(void)
{
	unsigned char v2[4] = { 1, 0, 0, 0 };
	struct pwb_record r;
	char err[256] = "";

	CHECK(!make_record(4), "write failed");
	CHECK(!patch(8, v2, 4), "patch failed");
	CHECK(pwb_record_read(&r, path, err, sizeof(err)) != 0,
	      "version 1 record accepted");
	CHECK(strstr(err, "version 1"), "message does not name the version: %s",
	      err);
	return T_PASS;
}

static int test_bad_magic_refused(void)
{
	struct pwb_record r;
	char err[256] = "";

	CHECK(!make_record(4), "write failed");
	CHECK(!patch(0, "NOTAREC!", 8), "patch failed");
	CHECK(pwb_record_read(&r, path, err, sizeof(err)) != 0,
	      "bad magic accepted");
	CHECK(strstr(err, "not a pinwb record"), "message: %s", err);
	return T_PASS;
}

static int test_truncated_refused(void)
{
	struct pwb_record r;
	char err[256] = "";

	CHECK(!make_record(4), "write failed");
	CHECK(!truncate(path, PWB_REC_HDR_SIZE + 3 * PWB_REC_ENTRY_SIZE + 5), "truncate failed");
	CHECK(pwb_record_read(&r, path, err, sizeof(err)) != 0,
	      "truncated record accepted");
	CHECK(strstr(err, "inconsistent"), "message: %s", err);
	return T_PASS;
}

static int test_bad_state_refused(void)
{
	unsigned char st[4] = { 7, 0, 0, 0 };
	struct pwb_record r;
	char err[256] = "";

	CHECK(!make_record(4), "write failed");
	CHECK(!patch(PWB_REC_HDR_SIZE + PWB_REC_ENTRY_SIZE, st, 4), "patch failed");
	CHECK(pwb_record_read(&r, path, err, sizeof(err)) != 0,
	      "state 7 accepted");
	return T_PASS;
}

int main(void)
{
	int rc;

	if (!mkdtemp(dir)) {
		printf("SKIP record: cannot create a directory in /var/tmp\n");
		return 77;
	}
	snprintf(path, sizeof(path), "%s/r.rec", dir);
	RUN(test_roundtrip);
	RUN(test_version_mismatch_refused);
	RUN(test_bad_magic_refused);
	RUN(test_truncated_refused);
	RUN(test_bad_state_refused);
	rc = t_exit();
	unlink(path);
	rmdir(dir);
	return rc;
}
