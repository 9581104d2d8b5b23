// SPDX-License-Identifier: GPL-2.0
/*
 * The writeback driver counts what each mode caused: on a clean buffer file
 * every flushing mode moves 0 pages, on a dirty one it moves some, touch
 * dirties a clean page, and a buffer without a file says its pages are not
 * measured.  Needs cachestat(2) (Linux 6.5) and a file system with
 * writeback in /var/tmp (skips otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "utest.h"
#include "wbdriver.h"

#define NPAGES	16
#define PG	4096
#define TMPFS_MAGIC_NR	0x01021994

static char path[] = "/var/tmp/pinwb-wbdriver-XXXXXX";
static struct pwb_arena a;
static struct pwb_record rec;
static uint8_t busy[NPAGES];

static int start(struct pwb_wb *wb, enum pwb_buf_kind kind)
{
	a.kind = kind;
	return pwb_wb_start(wb, &a, &rec, NULL, 0, 0);
}

/* write every page back and wait, so the file has no dirty page */
static int clean(void)
{
	return msync(a.base, a.size, MS_SYNC) || fsync(a.fd);
}

static const unsigned int flushers[] = {
	PWB_WB_SFR, PWB_WB_FDATASYNC, PWB_WB_MSYNC_SYNC, PWB_WB_DONTNEED,
};

static int test_clean_file_moves_nothing(void)
{
	struct pwb_wb wb;
	uint64_t pos = 0;

	CHECK(!start(&wb, PWB_BUF_FILE) && wb.pages_measured, "setup");
	for (unsigned int i = 0; i < sizeof(flushers) / sizeof(*flushers); i++) {
		unsigned int m = flushers[i];

		CHECK(!clean(), "msync/fsync: %s", strerror(errno));
		CHECK(!pwb_wb_act(&wb, m, &pos), "%s: %s",
		      pwb_wb_mode_names[m], strerror(errno));
		CHECK(wb.counts[m] == 1, "%s: action not counted",
		      pwb_wb_mode_names[m]);
		CHECK(wb.pages_to_writeback[m] == 0 && wb.pages_dirtied[m] == 0,
		      "%s on a clean file: %llu pages to writeback, %llu dirtied, want 0",
		      pwb_wb_mode_names[m],
		      (unsigned long long)wb.pages_to_writeback[m],
		      (unsigned long long)wb.pages_dirtied[m]);
	}
	return T_PASS;
}

static int test_dirty_file_moves_pages(void)
{
	struct pwb_wb wb;
	uint64_t pos = 0;

	CHECK(!start(&wb, PWB_BUF_FILE) && wb.pages_measured, "setup");
	for (unsigned int i = 0; i < sizeof(flushers) / sizeof(*flushers); i++) {
		unsigned int m = flushers[i];

		CHECK(!clean(), "msync/fsync: %s", strerror(errno));
		/* dirty 8 pages through the mapping, as a DMA or the CPU would */
		for (int p = 0; p < 8; p++)
			a.base[p * 2 * PG + 100] ^= 1;
		CHECK(!pwb_wb_act(&wb, m, &pos), "%s: %s",
		      pwb_wb_mode_names[m], strerror(errno));
		/* the kernel's flusher may have taken a few before the action */
		CHECK(wb.pages_to_writeback[m] > 0 &&
		      wb.pages_to_writeback[m] <= 8,
		      "%s on 8 dirty pages: %llu pages to writeback, want 1..8",
		      pwb_wb_mode_names[m],
		      (unsigned long long)wb.pages_to_writeback[m]);
	}
	CHECK(!clean(), "msync/fsync: %s", strerror(errno));
	return T_PASS;
}

static int test_touch_dirties_clean_page(void)
{
	struct pwb_wb wb;
	uint64_t pos = 0;

	CHECK(!start(&wb, PWB_BUF_FILE) && wb.pages_measured, "setup");
	CHECK(!clean(), "msync/fsync: %s", strerror(errno));
	CHECK(!pwb_wb_act(&wb, PWB_WB_TOUCH, &pos), "touch failed");
	CHECK(wb.counts[PWB_WB_TOUCH] == 1, "touch not counted");
	CHECK(wb.pages_dirtied[PWB_WB_TOUCH] == 1 &&
	      wb.pages_to_writeback[PWB_WB_TOUCH] == 0,
	      "touch of a clean page: %llu dirtied, %llu to writeback; want 1, 0",
	      (unsigned long long)wb.pages_dirtied[PWB_WB_TOUCH],
	      (unsigned long long)wb.pages_to_writeback[PWB_WB_TOUCH]);
	CHECK(!clean(), "msync/fsync: %s", strerror(errno));
	return T_PASS;
}

static int test_no_file_not_measured(void)
{
	struct pwb_wb wb;
	uint64_t pos = 0;

	CHECK(!start(&wb, PWB_BUF_ANON), "setup");
	CHECK(!wb.pages_measured && strstr(wb.pages_note, "not measured"),
	      "anonymous buffer claims measured pages (note '%s')",
	      wb.pages_note);
	CHECK(!pwb_wb_act(&wb, PWB_WB_TOUCH, &pos) &&
	      wb.counts[PWB_WB_TOUCH] == 1 &&
	      !wb.pages_dirtied[PWB_WB_TOUCH], "unmeasured touch counted pages");
	return T_PASS;
}

int main(void)
{
	struct pwb_wb probe;
	struct statfs sfs;
	int fd, rc;

	fd = mkstemp(path);
	if (fd < 0) {
		printf("SKIP wbdriver: mkstemp in /var/tmp: %s\n", strerror(errno));
		return 77;
	}
	if (!fstatfs(fd, &sfs) && sfs.f_type == TMPFS_MAGIC_NR) {
		printf("SKIP wbdriver: /var/tmp is tmpfs: no writeback to count\n");
		unlink(path);
		return 77;
	}
	if (ftruncate(fd, NPAGES * PG)) {
		printf("FAIL wbdriver: ftruncate: %s\n", strerror(errno));
		unlink(path);
		return 1;
	}
	a.fd = fd;
	a.size = NPAGES * PG;
	a.slot_size = PG;
	a.nslots = NPAGES;
	a.busy = busy;
	a.base = mmap(NULL, a.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a.base == MAP_FAILED || pwb_record_init(&rec, PG, NPAGES, 1, a.size)) {
		printf("FAIL wbdriver: mmap/record: %s\n", strerror(errno));
		unlink(path);
		return 1;
	}
	/* every slot used, so touch may pick any */
	for (int i = 0; i < NPAGES; i++)
		rec.e[i].state = PWB_SLOT_ONE;
	memset(a.base, 0x5a, a.size);
	a.kind = PWB_BUF_FILE;
	if (pwb_wb_start(&probe, &a, &rec, NULL, 0, 0) || !probe.pages_measured) {
		printf("SKIP wbdriver: %s\n", probe.pages_note);
		unlink(path);
		return 77;
	}

	RUN(test_clean_file_moves_nothing);
	RUN(test_dirty_file_moves_pages);
	RUN(test_touch_dirties_clean_page);
	RUN(test_no_file_not_measured);
	rc = t_exit();
	munmap(a.base, a.size);
	close(fd);
	pwb_record_free(&rec);
	unlink(path);
	return rc;
}
