// SPDX-License-Identifier: GPL-2.0
/*
 * The engine inside fio: clean runs exit 0 and report "intact" with the
 * reads, writes and checks they did; a buffer file corrupted by
 * pinwb_before_verify, a shmem buffer damaged from exec_postrun and a
 * target damaged from exec_prerun (pinwb_check_reads) each make fio exit
 * non-zero; fixed buffers on a file mapping are used where the kernel
 * allows it and fail the job with the one clear message where it does not
 * (the other case skips); the report counts writeback pages; bad options
 * and foreign buffer files are refused.  Needs the
 * fio binary and engines/pinwb.so (skips otherwise) and O_DIRECT in
 * /var/tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

static char dir[] = "/var/tmp/pinwb-engine-XXXXXX";
static char target[160], out[160], json[160];
static char text[65536];

/*
 * run fio in the test directory (exec_prerun/postrun leave their output
 * there) with the common job plus @extra; returns its exit status
 */
__attribute__((format(printf, 1, 2)))
static int fio(const char *extra, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	ssize_t n;
	int st, fd;

	va_start(ap, extra);
	vsnprintf(args, sizeof(args), extra, ap);
	va_end(ap);
	unlink(json);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && %s --name=ut --ioengine=external:%s --filename=%s --size=4m --bs=4k --direct=1 --iodepth=8 --number_ios=3000 --pinwb_buffer_size=1m --pinwb_wb_interval_us=200 --pinwb_seed=7 --pinwb_report=%s %s >%s 2>&1",
		 dir, FIO_BIN, ENGINE_SO, target, json, args, out);
	st = system(cmd);
	text[0] = '\0';
	fd = open(out, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char jtext[65536];

static const char *json_read(void)
{
	ssize_t n;
	int fd = open(json, O_RDONLY);

	jtext[0] = '\0';
	if (fd < 0)
		return jtext;
	n = read(fd, jtext, sizeof(jtext) - 1);
	close(fd);
	jtext[n > 0 ? n : 0] = '\0';
	return jtext;
}

static int json_has(const char *s)
{
	return strstr(json_read(), s) != NULL;
}

/*
 * The number after the first "@key": at or after @within (a key such as
 * "\"writeback\": {" that opens the object; NULL = anywhere) in the report.
 * Returns -1 when absent or not a number.
 */
static long long json_num(const char *within, const char *key)
{
	const char *j = json_read(), *p;
	char pat[96];
	char *end;
	long long v;

	if (within && !(j = strstr(j, within)))
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(j, pat);
	if (!p)
		return -1;
	v = strtoll(p + strlen(pat), &end, 10);
	return end == p + strlen(pat) ? -1 : v;
}

static int test_uring_randrw_intact(void)
{
	int rc = fio("--rw=randrw --pinwb_io=uring");

	CHECK(rc == 0, "fio exit %d, want 0:\n%s", rc, text);
	CHECK(json_has("\"result\": \"intact\""), "report not intact:\n%s", text);
	CHECK(json_has("\"cache_dropped\": true"), "cache not dropped");
	return T_PASS;
}

/*
 * iodepth 5: the kernel rounds the SQ ring up to 8 entries, which the
 * engine's own SQE and submit code wraps hundreds of times, with fsyncs
 * among the reads and writes and every read checked as it completes.
 */
static int test_uring_odd_depth_intact(void)
{
	int rc = fio("--rw=randrw --pinwb_io=uring --iodepth=5 --fsync=16 --pinwb_check_reads=1");

	CHECK(rc == 0, "fio exit %d, want 0:\n%s", rc, text);
	CHECK(json_has("\"result\": \"intact\""), "report not intact:\n%s", text);
	CHECK(json_num(NULL, "reads_checked_at_completion") > 0, "no read checked:\n%s",
	      json_read());
	return T_PASS;
}

static int test_sync_preadv2_intact(void)
{
	int rc = fio("--rw=randrw --pinwb_io=sync --pinwb_sync_call=preadv2");

	CHECK(rc == 0, "fio exit %d, want 0:\n%s", rc, text);
	CHECK(json_has("\"result\": \"intact\""), "report not intact");
	CHECK(json_has("\"path\": \"sync\""), "sync path not reported");
	return T_PASS;
}

/*
 * A shmem buffer with reads checked at completion and in-place checks: the
 * job must have read, written, checked every read and run the in-place
 * check, not merely exited 0.
 */
static int test_shmem_randrw_checked(void)
{
	int rc = fio("--rw=randrw --pinwb_buffer=shmem --pinwb_check_reads=1 --pinwb_verify_every=200");
	long long reads, writes;

	CHECK(rc == 0, "fio exit %d, want 0:\n%s", rc, text);
	CHECK(json_has("\"result\": \"intact\""), "report not intact");
	reads = json_num("\"io\": {", "reads");
	writes = json_num("\"io\": {", "writes");
	CHECK(reads > 0 && writes > 0, "reads %lld writes %lld: want both > 0",
	      reads, writes);
	CHECK(json_num("\"io\": {", "read_check_failures") == 0,
	      "read check failures on a clean run");
	/* 4m of 4k blocks: 1024 ops, an in-place check every 200 */
	CHECK(json_num("\"io\": {", "verify_every_runs") >= (reads + writes) / 200,
	      "pinwb_verify_every=200 ran %lld times in %lld ops",
	      json_num("\"io\": {", "verify_every_runs"), reads + writes);
	CHECK(json_num("\"verify\": {", "slots_checked") > 0,
	      "end-of-job check saw no slot");
	return T_PASS;
}

/*
 * pinwb_check_reads must fail the job on a read of a damaged target block:
 * fio's exec_prerun runs after the engine prepared the target and before
 * the first I/O, and zeroes its first 64 blocks; randread reads each block.
 */
static int test_check_reads_catches_bad_target(void)
{
	int rc = fio("--rw=randread --pinwb_buffer=shmem --pinwb_check_reads=1 --exec_prerun='dd if=/dev/zero of=%s bs=4k count=64 conv=notrunc oflag=direct status=none'",
		     target);

	CHECK(rc != 0, "fio exit 0 although the target was zeroed:\n%s", text);
	CHECK(strstr(text, "pinwb_check_reads: read of"),
	      "no pinwb_check_reads mismatch message:\n%s", text);
	CHECK(json_num("\"io\": {", "read_check_failures") > 0,
	      "report counts no read check failure");
	return T_PASS;
}

/*
 * The end-of-job check of a shmem buffer must see damage to it: fio's
 * exec_postrun runs after the I/O and before the engine's cleanup, in a
 * shell whose parent is the job process holding the buffer's memfd.
 */
static int test_shmem_damage_fails_fio(void)
{
	int rc = fio("--rw=randread --pinwb_buffer=shmem --exec_postrun='for f in /proc/$PPID/fd/*; do case $(readlink $f) in /memfd:pinwb-arena*) dd if=/dev/zero of=$f bs=64 seek=2 count=1 conv=notrunc status=none;; esac; done'");

	CHECK(rc != 0, "fio exit 0 although the shmem buffer was damaged:\n%s",
	      text);
	CHECK(strstr(text, "VERIFY FAILED") && strstr(text, "slot 0 offset 0x0"),
	      "no mismatch of slot 0:\n%s", text);
	CHECK(json_has("\"result\": \"mismatch\""), "report not mismatch");
	return T_PASS;
}

/* the proof that a mismatch turns into a failing fio exit status */
static int test_corruption_fails_fio(void)
{
	int rc = fio("--rw=randread --pinwb_before_verify='printf Z | dd of=\"$PINWB_BUFFER_FILE\" bs=1 seek=12345 conv=notrunc status=none'");

	CHECK(rc != 0, "fio exit 0 although the buffer file was corrupted:\n%s",
	      text);
	CHECK(strstr(text, "VERIFY FAILED") &&
	      strstr(text, "slot 3 offset 0x3000: expected target"),
	      "no mismatch message:\n%s", text);
	CHECK(json_has("\"result\": \"mismatch\""), "report not mismatch");
	return T_PASS;
}

static int test_hook_failure_fails_fio(void)
{
	int rc = fio("--rw=randread --pinwb_before_verify='exit 3'");

	CHECK(rc != 0, "fio exit 0 although the hook failed");
	CHECK(json_has("\"result\": \"setup_error\""), "report not setup_error");
	return T_PASS;
}

/* where the kernel lets fixed buffers pin file pages they must really be used */
static int test_fixedbufs_file_allowed(void)
{
	int rc = fio("--rw=randread --pinwb_fixedbufs=1");

	if (rc != 0)
		return t_skipf("this kernel refuses long-term pins of file pages (test_fixedbufs_file_refused covers it)");
	CHECK(json_has("\"fixedbufs\": true") &&
	      json_has("\"fixedbufs_fallback_used\": false"),
	      "fio exit 0 but fixed buffers not in use:\n%s", json_read());
	CHECK(json_num("\"io\": {", "reads") > 0 &&
	      json_has("\"result\": \"intact\""),
	      "fixed-buffer run did no reads or is not intact:\n%s", json_read());
	return T_PASS;
}

/* where it refuses, the job fails with the cause and both ways out */
static int test_fixedbufs_file_refused(void)
{
	int rc = fio("--rw=randread --pinwb_fixedbufs=1");

	if (rc == 0)
		return t_skipf("this kernel allows long-term pins of file pages (vm.longterm_pin_file_mappings=1): no refusal to check");
	CHECK(strstr(text, "EFAULT") &&
	      strstr(text, "vm.longterm_pin_file_mappings=1") &&
	      strstr(text, "pinwb_fixedbufs=0"),
	      "refusal lacks cause or ways out:\n%s", text);
	rc = fio("--rw=randread --pinwb_fixedbufs=1 --pinwb_fixedbufs_fallback=1");
	CHECK(rc == 0, "fallback run exit %d:\n%s", rc, text);
	CHECK(json_has("\"fixedbufs_fallback_used\": true"),
	      "fallback not recorded");
	return T_PASS;
}

static int test_fixedbufs_anon(void)
{
	int rc = fio("--rw=randrw --pinwb_buffer=anon --pinwb_fixedbufs=1 --pinwb_registerfiles=1");

	CHECK(rc == 0, "fio exit %d:\n%s", rc, text);
	CHECK(json_has("\"fixedbufs_fallback_used\": false"), "fallback used");
	return T_PASS;
}

/*
 * The report says what the writeback driver caused: reads DMA into the
 * buffer file and dirty it, so the flushing modes sent pages to writeback;
 * a buffer with no file has no measured pages (null, not 0).
 */
static int test_wb_pages_reported(void)
{
	const char *wb = "\"pages_to_writeback\": {";
	long long sfr = 0, fds = 0;
	int rc, tries;

	/*
	 * A page the host's own flusher cleans between the driver's two
	 * cachestat() readings is not counted: on a host with heavy dirty
	 * traffic beside the test that can take all of a short job's pages,
	 * so the job gets up to three runs to move some.
	 */
	for (tries = 0; tries < 3 && sfr + fds == 0; tries++) {
		rc = fio("--rw=randread --pinwb_wb_modes=sfr,fdatasync");
		CHECK(rc == 0, "fio exit %d:\n%s", rc, text);
		sfr = json_num(wb, "sfr");
		fds = json_num(wb, "fdatasync");
		if (sfr < 0 || fds < 0)
			break;
	}
	CHECK(sfr >= 0 && fds >= 0 && sfr + fds > 0,
	      "pages_to_writeback sfr %lld fdatasync %lld in %d runs: want some:\n%s",
	      sfr, fds, tries, json_read());
	CHECK(json_num(wb, "touch") == 0 && json_num(wb, "dontneed") == 0,
	      "modes that did not run moved pages");
	CHECK(strstr(text, "pages to writeback"), "summary lacks the per-mode pages");
	rc = fio("--rw=randread --pinwb_buffer=anon --pinwb_wb_modes=touch");
	CHECK(rc == 0, "anon fio exit %d:\n%s", rc, text);
	CHECK(json_has("\"pages_to_writeback\": null") &&
	      json_has("\"pages_note\": \"pages not measured"),
	      "anon buffer: pages not reported as unmeasured:\n%s", json_read());
	return T_PASS;
}

static int test_bad_option_refused(void)
{
	int rc = fio("--rw=read --pinwb_wb_modes=sfr,flush");

	CHECK(rc != 0, "bad pinwb_wb_modes accepted");
	CHECK(strstr(text, "pinwb_wb_modes") && strstr(text, "accepted"),
	      "message lacks option/accepted values:\n%s", text);
	rc = fio("--rw=read --pinwb_io=aio");
	CHECK(rc != 0 && strstr(text, "pinwb_io"), "bad pinwb_io accepted");
	/* fio parses "-1" as a range and would keep "1" */
	rc = fio("--rw=read --pinwb_wb_interval_us=-1");
	CHECK(rc != 0 && strstr(text, "pinwb_wb_interval_us=-1: accepted"),
	      "negative pinwb_wb_interval_us accepted:\n%s", text);
	rc = fio("--rw=read --pinwb_verify_every=-1");
	CHECK(rc != 0 && strstr(text, "pinwb_verify_every"),
	      "negative pinwb_verify_every accepted");
	rc = fio("--rw=read --pinwb_buffer_size=0");
	CHECK(rc != 0 && strstr(text, "pinwb_buffer_size"),
	      "pinwb_buffer_size=0 accepted");
	rc = fio("--rw=read --verify=md5");
	CHECK(rc != 0 && strstr(text, "verify="), "verify= accepted");
	return T_PASS;
}

static int test_foreign_buffer_file_kept(void)
{
	char path[200], buf[16] = "";
	int fd, rc;

	snprintf(path, sizeof(path), "%s/precious", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "precious", 8) == 8, "setup");
	close(fd);
	rc = fio("--rw=read --pinwb_buffer_file=%s", path);
	CHECK(rc != 0, "foreign buffer file used");
	CHECK(strstr(text, "pinwb_overwrite=1"), "message lacks the way out");
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "foreign file removed");
	CHECK(read(fd, buf, 8) == 8 && !memcmp(buf, "precious", 8),
	      "foreign file changed");
	close(fd);
	unlink(path);
	return T_PASS;
}

static int test_default_buffer_removed(void)
{
	char path[200];
	int rc = fio("--rw=read");

	CHECK(rc == 0, "fio exit %d", rc);
	snprintf(path, sizeof(path), "%s.ut.0.pinwb-buf", target);
	CHECK(access(path, F_OK) && errno == ENOENT,
	      "default buffer file left behind");
	return T_PASS;
}

/* a buffer file created for a job that then fails is not left behind */
static int test_failed_job_leaves_no_buffer_file(void)
{
	char path[200], rec[220];
	int rc;

	snprintf(path, sizeof(path), "%s/new.buf", dir);
	snprintf(rec, sizeof(rec), "%s.pinwb-rec", path);
	rc = fio("--rw=randread --pinwb_buffer_file=%s --pinwb_fixedbufs=1", path);
	if (rc == 0) {
		unlink(path);
		unlink(rec);
		return t_skipf("this kernel lets fixed buffers pin file pages: no failing job to test");
	}
	CHECK(access(path, F_OK) && access(rec, F_OK),
	      "failed job left %s or its record behind", path);
	return T_PASS;
}

/* tmpfs pages cannot be dropped and read back: refused up front */
static int test_tmpfs_buffer_refused(void)
{
	char path[200];
	int rc;

	if (access("/dev/shm", W_OK))
		return t_skipf("no writable /dev/shm");
	snprintf(path, sizeof(path), "/dev/shm/pinwb-ut-%d.buf", (int)getpid());
	rc = fio("--rw=read --pinwb_buffer_file=%s", path);
	if (rc == 0 && strstr(text, "intact")) {
		unlink(path);
		unlink(strcat(path, ".pinwb-rec"));
		return t_skipf("/dev/shm is not tmpfs here");
	}
	CHECK(rc != 0 && strstr(text, "tmpfs"), "exit %d:\n%s", rc, text);
	CHECK(access(path, F_OK), "refused buffer file left behind");
	return T_PASS;
}

/* jobs that write may not share a target: their generation maps differ */
static int test_shared_target_writers_refused(void)
{
	int rc = fio("--rw=randrw --numjobs=2");

	CHECK(rc != 0, "two writing jobs on one target accepted");
	CHECK(strstr(text, "need their own target file"), "message:\n%s", text);
	rc = fio("--rw=randread --numjobs=2 --pinwb_seed=0");
	CHECK(rc == 0, "two reading jobs with different seeds on one target: exit %d:\n%s",
	      rc, text);
	return T_PASS;
}

int main(void)
{
	char probe[200];
	int rc, fd;

	if (access(FIO_BIN, X_OK) || access(ENGINE_SO, R_OK)) {
		printf("SKIP engine: %s or %s not built\n", FIO_BIN, ENGINE_SO);
		return 77;
	}
	if (!mkdtemp(dir)) {
		printf("SKIP engine: mkdtemp in /var/tmp: %s\n", strerror(errno));
		return 77;
	}
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(out, sizeof(out), "%s/fio.out", dir);
	snprintf(json, sizeof(json), "%s/report.json", dir);
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	fd = open(probe, O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (fd < 0) {
		printf("SKIP engine: O_DIRECT not supported in /var/tmp: %s\n",
		       strerror(errno));
		rmdir(dir);
		return 77;
	}
	close(fd);
	unlink(probe);

	RUN(test_uring_randrw_intact);
	RUN(test_uring_odd_depth_intact);
	RUN(test_sync_preadv2_intact);
	RUN(test_shmem_randrw_checked);
	RUN(test_check_reads_catches_bad_target);
	RUN(test_shmem_damage_fails_fio);
	RUN(test_corruption_fails_fio);
	RUN(test_hook_failure_fails_fio);
	RUN(test_fixedbufs_file_allowed);
	RUN(test_fixedbufs_file_refused);
	RUN(test_fixedbufs_anon);
	RUN(test_wb_pages_reported);
	RUN(test_bad_option_refused);
	RUN(test_foreign_buffer_file_kept);
	RUN(test_default_buffer_removed);
	RUN(test_shared_target_writers_refused);
	RUN(test_failed_job_leaves_no_buffer_file);
	RUN(test_tmpfs_buffer_refused);
	rc = t_exit();
	unlink(target);
	snprintf(probe, sizeof(probe), "%s.pinwb-tgt", target);
	unlink(probe);	/* the target's ownership marker */
	unlink(out);
	unlink(json);
	/* what fio's exec_prerun/exec_postrun printed */
	snprintf(probe, sizeof(probe), "%s/ut.prerun.txt", dir);
	unlink(probe);
	snprintf(probe, sizeof(probe), "%s/ut.postrun.txt", dir);
	unlink(probe);
	rmdir(dir);
	return rc;
}
