// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb-logcheck on dm-log-writes logs built here by a writer of its own
 * (not the tool's synth): a clean log passes; a torn block is reported with
 * its entry, sector and file offset; malformed logs are refused naming the
 * entry; replay applies exactly the entries asked for; the file check finds
 * a torn block by offset; --cpu-stores calls a block the CPU was still
 * storing (the front of one block, the back of another) a store in
 * progress, and still finds a changed word, junk or a foreign back;
 * --dma-reads does the same for a read job's buffer (a read in progress).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blockfmt.h"
#include "utest.h"

#ifndef LOGCHECK_BIN
#define LOGCHECK_BIN "../../engines/pinwb-logcheck"
#endif

#define BS	4096
#define SS	512
#define SEED	0x77ULL
#define NONCE	0x5eedULL	/* any run nonce: the checker judges CRC and identity */
/* the file: 8 blocks at device byte 1 MiB, then 8 more at 3 MiB */
#define EXT0_PHYS	(1ULL << 20)
#define EXT1_PHYS	(3ULL << 20)
#define EXT1_LOGICAL	(8ULL * BS)

static char dir[] = "/var/tmp/pinwb-logcheck-XXXXXX";
static char log_path[160], map_path[160], img_path[160], file_path[160];
static char out[16384];

struct wlog {
	int fd;
	uint64_t end, nr;
};

static void le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = v & 0xff;
}

static int wlog_super(struct wlog *w, uint64_t magic, uint64_t nr)
{
	unsigned char sb[SS] = { 0 };

	le64(sb, magic);
	le64(sb + 8, 1);
	le64(sb + 16, nr);
	sb[24] = SS & 0xff;
	sb[25] = SS >> 8;
	return pwrite(w->fd, sb, SS, 0) == SS ? 0 : -1;
}

static int wlog_open(struct wlog *w)
{
	w->fd = open(log_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	w->end = SS;
	w->nr = 0;
	return w->fd < 0 ? -1 : 0;
}

static int wlog_close(struct wlog *w)
{
	int r = wlog_super(w, 0x6a736677736872ULL, w->nr);

	close(w->fd);
	return r;
}

static int wlog_entry(struct wlog *w, uint64_t dev_off, uint64_t len,
		      uint64_t flags, const void *data, const char *mark)
{
	unsigned char hdr[SS] = { 0 };

	le64(hdr, dev_off / SS);
	le64(hdr + 8, len / SS);
	le64(hdr + 16, flags);
	if (mark) {
		le64(hdr + 24, strlen(mark));
		memcpy(hdr + 32, mark, strlen(mark));
	}
	if (pwrite(w->fd, hdr, SS, (off_t)w->end) != SS)
		return -1;
	w->end += SS;
	if (data && len) {
		if (pwrite(w->fd, data, len, (off_t)w->end) != (ssize_t)len)
			return -1;
		w->end += len;
	}
	w->nr++;
	return 0;
}

/* Device byte offset of file offset @f. */
static uint64_t phys_of(uint64_t f)
{
	return f < EXT1_LOGICAL ? EXT0_PHYS + f : EXT1_PHYS + (f - EXT1_LOGICAL);
}

static int write_map(void)
{
	FILE *f = fopen(map_path, "w");

	if (!f)
		return -1;
	fprintf(f, "# logical physical length\n%llu %llu %llu\n%llu %llu %llu\n",
		0ULL, EXT0_PHYS, 8ULL * BS, EXT1_LOGICAL, EXT1_PHYS, 8ULL * BS);
	return fclose(f);
}

/* Runs pinwb-logcheck ARGS; output in out[], returns its exit status. */
static int run(const char *args)
{
	char cmd[1200];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", LOGCHECK_BIN, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int check_run(const char *extra)
{
	char args[1024];

	snprintf(args, sizeof(args), "check %s --map %s --seed %llu %s",
		 log_path, map_path, (unsigned long long)SEED, extra);
	return run(args);
}

/*
 * A run's log: entry 0 a write outside the file, 1 three pinwb blocks at
 * file offsets 0..2, 2 a FLUSH, 3 a zero block at 0x9000 (second extent), 4
 * one block at 0xa000 (FUA), 5 a MARK.  @torn_entry gets a flipped byte in
 * its first block.
 */
static int build_log(int torn_entry)
{
	static unsigned char b[3 * BS], junk[BS];
	struct wlog w;

	if (wlog_open(&w))
		return -1;
	memset(junk, 0xa5, sizeof(junk));
	for (int i = 0; i < 3; i++)
		pwb_block_fill(b + i * BS, BS, SEED, NONCE, pwb_target_make(0, 0x40000 + i * BS), 2 + i);
	if (torn_entry == 1)
		b[BS + 100] ^= 0x20;	/* file offset 0x1000 */
	if (wlog_entry(&w, 8192, BS, 0, junk, NULL) ||
	    wlog_entry(&w, phys_of(0), 3 * BS, 0, b, NULL) ||
	    wlog_entry(&w, 0, 0, 1, NULL, NULL))
		return -1;
	memset(b, 0, BS);
	if (wlog_entry(&w, phys_of(0x9000), BS, 0, b, NULL))
		return -1;
	pwb_block_fill(b, BS, SEED, NONCE, pwb_target_make(0, 0x8000), 9);
	if (torn_entry == 4)
		memset(b + 2048, 0x11, 2048);	/* second half overwritten */
	if (wlog_entry(&w, phys_of(0xa000), BS, 2, b, NULL) ||
	    wlog_entry(&w, 0, 0, 8, NULL, "after-fua"))
		return -1;
	return wlog_close(&w);
}

static int test_list(void)
{
	CHECK(build_log(-1) == 0, "build log: %s", strerror(errno));
	CHECK(run(log_path) == 2, "no command accepted");
	{
		char args[256];

		snprintf(args, sizeof(args), "list %s", log_path);
		CHECK(run(args) == 0, "list failed: %s", out);
		CHECK(strstr(out, "6 entries, sectorsize 512"), "super: %s", out);
		CHECK(strstr(out, "entry 1 sector 2048 nr_sectors 24 flags - "), "entry 1: %s", out);
		CHECK(strstr(out, "entry 2 sector 0 nr_sectors 0 flags FLUSH "), "flush: %s", out);
		CHECK(strstr(out, "entry 4 sector 6160 nr_sectors 8 flags FUA "), "fua: %s", out);
		CHECK(strstr(out, "flags MARK data_len 9") && strstr(out, "mark \"after-fua\""), "mark: %s", out);
		snprintf(args, sizeof(args), "points %s", log_path);
		CHECK(run(args) == 0 && !strcmp(out, "2\n4\n"), "points: %s", out);
	}
	return T_PASS;
}

static int test_clean(void)
{
	CHECK(build_log(-1) == 0, "build log");
	CHECK(check_run("") == 0, "clean log not clean: %s", out);
	CHECK(strstr(out, "6 entries (2 flush/fua), 5 blocks of the file logged: 4 pinwb, 1 initial, 0 torn"),
	      "counts: %s", out);
	return T_PASS;
}

static int test_torn_flip(void)
{
	CHECK(build_log(1) == 0, "build log");
	CHECK(check_run("") == 1, "flipped byte not found: %s", out);
	/* file offset 0x1000 sits at device byte 1 MiB + 4096 = sector 2056 */
	CHECK(strstr(out, "TORN entry 1 sector 2056 file offset 0x1000: bad checksum (header claims target 0x41000 gen 3 seed 119"),
	      "report: %s", out);
	CHECK(strstr(out, "1 torn"), "count: %s", out);
	return T_PASS;
}

static int test_torn_half(void)
{
	char args[512];

	CHECK(build_log(4) == 0, "build log");
	snprintf(args, sizeof(args), "--json %s/check.json", dir);
	CHECK(check_run(args) == 1, "half-overwritten block not found: %s", out);
	CHECK(strstr(out, "TORN entry 4 sector 6160 file offset 0xa000: bad checksum"),
	      "report: %s", out);
	{
		FILE *f;
		char js[4096];
		size_t n;

		snprintf(args, sizeof(args), "%s/check.json", dir);
		f = fopen(args, "r");
		CHECK(f, "no json");
		n = fread(js, 1, sizeof(js) - 1, f);
		js[n] = '\0';
		fclose(f);
		CHECK(strstr(js, "\"entry\": 4, \"sector\": 6160, \"device_offset\": 3153920, \"file_offset\": 40960"),
		      "json torn: %s", js);
		CHECK(strstr(js, "\"torn_count\": 1") && strstr(js, "\"result\": \"torn\""),
		      "json counts: %s", js);
	}
	return T_PASS;
}

/* Identity rules: --kind target wants target == file offset; --seed refuses others. */
static int test_identity(void)
{
	CHECK(build_log(-1) == 0, "build log");
	CHECK(check_run("--kind target") == 1, "wrong identity for a target file not found: %s", out);
	CHECK(strstr(out, "file offset 0x0: valid block of target offset 0x40000 gen 2 at file offset 0x0"),
	      "report: %s", out);
	{
		char args[512];

		snprintf(args, sizeof(args), "check %s --map %s --seed 5", log_path, map_path);
		CHECK(run(args) == 1 && strstr(out, "valid block of another seed 119"),
		      "other seed not refused: %s", out);
	}
	CHECK(check_run("--kind tgt") == 2 && strstr(out, "--kind 'tgt': accepted: buffer, target"),
	      "bad --kind: %s", out);
	return T_PASS;
}

static int test_malformed(void)
{
	static unsigned char b[BS];
	struct wlog w;
	struct stat st;

	/* bad super magic */
	CHECK(build_log(-1) == 0, "build log");
	CHECK(wlog_open(&w) == 0, "open");
	CHECK(wlog_super(&w, 0x1234, 0) == 0, "super");
	close(w.fd);
	CHECK(check_run("") == 2 && strstr(out, "super block: bad magic 0x1234"), "bad magic: %s", out);

	/* the super says more entries than the log holds */
	CHECK(wlog_open(&w) == 0, "open");
	pwb_block_fill(b, BS, SEED, NONCE, 0, 1);
	CHECK(wlog_entry(&w, phys_of(0), BS, 0, b, NULL) == 0, "entry");
	w.nr = 3;
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("") == 2 && strstr(out, "entry 1 at log offset 5120: header past the end of the log"),
	      "short log: %s", out);

	/* data cut short */
	CHECK(wlog_open(&w) == 0, "open");
	CHECK(wlog_entry(&w, 0, 0, 1, NULL, NULL) == 0 &&
	      wlog_entry(&w, phys_of(0), BS, 0, b, NULL) == 0, "entries");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(stat(log_path, &st) == 0 && truncate(log_path, st.st_size - 100) == 0, "truncate");
	CHECK(check_run("") == 2 && strstr(out, "entry 1 at log offset 1024: data (4096 bytes) runs past the end"),
	      "cut data: %s", out);

	/* unknown flag bits */
	CHECK(wlog_open(&w) == 0, "open");
	CHECK(wlog_entry(&w, 0, 0, 0x100, NULL, NULL) == 0, "entry");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("") == 2 && strstr(out, "entry 0 at log offset 512: unknown flags 0x100"),
	      "flags: %s", out);
	return T_PASS;
}

static int test_replay(void)
{
	static unsigned char b[BS], want[BS];
	char args[512];
	int fd;

	CHECK(build_log(-1) == 0, "build log");
	fd = open(img_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 4 << 20) == 0, "image");
	snprintf(args, sizeof(args), "replay %s %s --to 2", log_path, img_path);
	CHECK(run(args) == 0 && strstr(out, "replayed 2 entries"), "replay to 2: %s", out);
	pwb_block_fill(want, BS, SEED, NONCE, pwb_target_make(0, 0x41000), 3);
	CHECK(pread(fd, b, BS, (off_t)phys_of(0x1000)) == BS && !memcmp(b, want, BS),
	      "block at file offset 0x1000 not replayed");
	CHECK(pread(fd, b, BS, (off_t)phys_of(0xa000)) == BS && b[0] == 0,
	      "entry 4 applied though --to 2");
	snprintf(args, sizeof(args), "replay %s %s --from 3 --to 5", log_path, img_path);
	CHECK(run(args) == 0, "replay 3..5: %s", out);
	pwb_block_fill(want, BS, SEED, NONCE, pwb_target_make(0, 0x8000), 9);
	CHECK(pread(fd, b, BS, (off_t)phys_of(0xa000)) == BS && !memcmp(b, want, BS),
	      "entry 4 not replayed");
	CHECK(ftruncate(fd, 1 << 20) == 0, "shrink");
	close(fd);
	CHECK(run(args) == 2 && strstr(out, "past the end of"), "write past the image end: %s", out);
	snprintf(args, sizeof(args), "replay %s %s", log_path, img_path);
	CHECK(run(args) == 2 && strstr(out, "needs --to N"), "no --to: %s", out);
	return T_PASS;
}

static int test_file(void)
{
	static unsigned char b[BS];
	char args[512];
	int fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && ftruncate(fd, 8 * BS) == 0, "file");
	for (int i = 0; i < 5; i++) {
		pwb_block_fill(b, BS, SEED, NONCE, pwb_target_make(0, (uint64_t)(7 - i) * BS), 1);
		CHECK(pwrite(fd, b, BS, i * BS) == BS, "write");
	}
	snprintf(args, sizeof(args), "file %s --seed %llu", file_path, (unsigned long long)SEED);
	CHECK(run(args) == 0 && strstr(out, "8 blocks: 5 pinwb, 3 initial, 0 torn"), "clean file: %s", out);
	pwb_block_fill(b, BS, SEED, NONCE, pwb_target_make(0, 0), 2);
	CHECK(pwrite(fd, b, 1024, 3 * BS) == 1024, "tear");
	close(fd);
	CHECK(run(args) == 1 && strstr(out, "TORN file offset 0x3000: bad checksum (header claims target 0x0 gen 2"),
	      "torn file: %s", out);
	return T_PASS;
}

/* @b: the front @cut bytes of @to's block (checksum not yet stored) over @from's */
static void mid_store(unsigned char *b, uint64_t target, uint64_t from, uint64_t to,
		      size_t cut)
{
	static unsigned char nb[BS];

	pwb_block_fill(b, BS, SEED, NONCE, target, from);
	pwb_block_fill(nb, BS, SEED, NONCE, target, to);
	memset(nb + PWB_OFF_CSUM, 0, 4);
	memcpy(b, nb, cut);
}

/*
 * A write job's source slot copied by writeback while the CPU refilled it
 * (seen on xfs: the device got the front of gen 533 and the back of the
 * slot's earlier block): torn without --cpu-stores, a store in progress
 * with it; faults in such a log are still torn.
 */
static int test_cpu_stores(void)
{
	static unsigned char b[4 * BS];
	char args[512];
	struct wlog w;
	int fd;

	CHECK(wlog_open(&w) == 0, "open");
	pwb_block_fill(b, BS, SEED, NONCE, pwb_target_make(0, 0x5000), 5);
	mid_store(b + BS, pwb_target_make(0, 0x6000), 7, 8, 1024);	/* old back */
	mid_store(b + 2 * BS, pwb_target_make(0, 0x7000), 7, 8, BS);	/* no checksum yet */
	memset(b + 3 * BS, 0, BS);					/* first fill: */
	pwb_block_fill(b + 3 * BS, BS, SEED, NONCE, pwb_target_make(0, 0x8000), 9);
	memset(b + 3 * BS + PWB_OFF_CSUM, 0, 4);
	memset(b + 3 * BS + 2048, 0, 2048);				/* zeros behind */
	CHECK(wlog_entry(&w, phys_of(0), 4 * BS, 0, b, NULL) == 0, "entry");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("") == 1 && strstr(out, "1 pinwb, 0 initial, 3 torn"), "mixes not torn without --cpu-stores: %s", out);
	snprintf(args, sizeof(args), "--cpu-stores --json %s/check.json", dir);
	CHECK(check_run(args) == 0, "stores in progress called torn: %s", out);
	CHECK(strstr(out, "store entry 0 file offset 0x1000: store in progress: payload words 8-127 of target 0x6000 gen 8, 128-511 one other stream, checksum field 0x0"),
	      "old back: %s", out);
	CHECK(strstr(out, "file offset 0x2000: store in progress: target 0x7000 gen 8 whole but its checksum not yet stored"),
	      "no checksum: %s", out);
	CHECK(strstr(out, "file offset 0x3000: store in progress: payload words 8-255 of target 0x8000 gen 9, 256-511 one other stream"),
	      "zeros behind: %s", out);
	CHECK(strstr(out, "1 pinwb, 0 initial, 0 torn") && strstr(out, "cpu stores: 3 blocks"), "counts: %s", out);

	/* the faults: a changed word, junk, a back of no stream, a stale checksum */
	CHECK(wlog_open(&w) == 0, "open");
	mid_store(b, pwb_target_make(0, 0x6000), 7, 8, BS);
	memset(b + 2000, 0x20, 8);
	mid_store(b + BS, pwb_target_make(0, 0x6000), 7, 8, 1024);
	memcpy(b + BS + 3000, "pinwb-torn-here!", 16);
	mid_store(b + 2 * BS, pwb_target_make(0, 0x6000), 7, 8, 1024);
	memset(b + 2 * BS + 2048, 0x11, 2048);
	pwb_block_fill(b + 3 * BS, BS, SEED, NONCE, pwb_target_make(0, 0x6000), 8);
	b[3 * BS + PWB_OFF_CSUM] ^= 1;
	CHECK(wlog_entry(&w, phys_of(0), 4 * BS, 0, b, NULL) == 0, "entry");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("--cpu-stores") == 1 && strstr(out, "0 pinwb, 0 initial, 4 torn"),
	      "faults excused as stores: %s", out);
	CHECK(strstr(out, "TORN entry 0 sector 2048 file offset 0x0: bad checksum") &&
	      strstr(out, "file offset 0x3000: bad checksum"), "report: %s", out);

	/* the file check (crash replay) the same way */
	fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "file");
	mid_store(b, pwb_target_make(0, 0x6000), 7, 8, 1024);
	CHECK(pwrite(fd, b, BS, 0) == BS, "write");
	close(fd);
	snprintf(args, sizeof(args), "file %s --seed %llu", file_path, (unsigned long long)SEED);
	CHECK(run(args) == 1 && strstr(out, "TORN file offset 0x0"), "file: %s", out);
	snprintf(args, sizeof(args), "file %s --seed %llu --cpu-stores", file_path, (unsigned long long)SEED);
	CHECK(run(args) == 0 && strstr(out, "store file offset 0x0: store in progress") &&
	      strstr(out, "1 blocks: 0 pinwb, 0 initial, 0 torn"), "file --cpu-stores: %s", out);
	return T_PASS;
}

/* @b: the front @cut bytes of block (@tf, @gf) over block (@tb, @gb), both whole */
static void mid_dma(unsigned char *b, uint64_t tf, uint64_t gf, uint64_t tb,
		    uint64_t gb, size_t cut)
{
	static unsigned char fb[BS];

	pwb_block_fill(b, BS, SEED, NONCE, tb, gb);
	pwb_block_fill(fb, BS, SEED, NONCE, tf, gf);
	memcpy(b, fb, cut);
}

/*
 * A read job's buffer page copied by writeback while a read was filling it
 * (seen on xfs under fdatasync: "bad checksum" with a whole header): the
 * front of one whole block and the back of another, either way round, or
 * zeros in front. Torn without --dma-reads, a read in progress with it;
 * the CPU-only case (whole block, checksum zero), junk and a changed word
 * stay torn; the file check (crash replay) the same way.
 */
static int test_dma_reads(void)
{
	static unsigned char b[4 * BS];
	char args[512];
	struct wlog w;
	int fd;

	CHECK(wlog_open(&w) == 0, "open");
	pwb_block_fill(b, BS, SEED, NONCE, pwb_target_make(0, 0x5000), 5);
	mid_dma(b + BS, pwb_target_make(0, 0x9000), 3, pwb_target_make(0, 0x2000), 1, 1024);
	mid_dma(b + 2 * BS, pwb_target_make(0, 0x2000), 1, pwb_target_make(0, 0x9000), 3, 3000);
	pwb_block_fill(b + 3 * BS, BS, SEED, NONCE, pwb_target_make(0, 0x8000), 9);
	memset(b + 3 * BS, 0, 1536);				/* zeros in front */
	CHECK(wlog_entry(&w, phys_of(0), 4 * BS, 0, b, NULL) == 0, "entry");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("") == 1 && strstr(out, "1 pinwb, 0 initial, 3 torn"), "mixes not torn without --dma-reads: %s", out);
	snprintf(args, sizeof(args), "--dma-reads --json %s/check.json", dir);
	CHECK(check_run(args) == 0, "reads in progress called torn: %s", out);
	CHECK(strstr(out, "read entry 0 file offset 0x1000: read in progress: payload words 8-127 of target 0x9000 gen 3, 128-511 one other stream"),
	      "new front: %s", out);
	CHECK(strstr(out, "read entry 0 file offset 0x2000: read in progress: payload words 8-374 of target 0x2000 gen 1"),
	      "old front: %s", out);
	CHECK(strstr(out, "file offset 0x3000: read in progress: header and payload words"), "zeros in front: %s", out);
	CHECK(strstr(out, "1 pinwb, 0 initial, 0 torn") && strstr(out, "dma reads: 3 blocks"), "counts: %s", out);

	/* the faults: CPU-only whole-without-checksum, junk, a changed word */
	CHECK(wlog_open(&w) == 0, "open");
	mid_store(b, pwb_target_make(0, 0x6000), 7, 8, BS);
	mid_dma(b + BS, pwb_target_make(0, 0x9000), 3, pwb_target_make(0, 0x2000), 1, 1024);
	memcpy(b + BS + 3000, "pinwb-torn-here!", 16);
	mid_dma(b + 2 * BS, pwb_target_make(0, 0x9000), 3, pwb_target_make(0, 0x2000), 1, 1024);
	memset(b + 2 * BS + 200, 0x20, 8);
	pwb_block_fill(b + 3 * BS, BS, SEED, NONCE, pwb_target_make(0, 0x6000), 8);
	CHECK(wlog_entry(&w, phys_of(0), 4 * BS, 0, b, NULL) == 0, "entry");
	CHECK(wlog_close(&w) == 0, "close");
	CHECK(check_run("--dma-reads") == 1 && strstr(out, "1 pinwb, 0 initial, 3 torn"),
	      "faults excused as reads: %s", out);

	fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "file");
	mid_dma(b, pwb_target_make(0, 0x9000), 3, pwb_target_make(0, 0x2000), 1, 2048);
	CHECK(pwrite(fd, b, BS, 0) == BS, "write");
	close(fd);
	snprintf(args, sizeof(args), "file %s --seed %llu", file_path, (unsigned long long)SEED);
	CHECK(run(args) == 1 && strstr(out, "TORN file offset 0x0"), "file: %s", out);
	snprintf(args, sizeof(args), "file %s --seed %llu --dma-reads", file_path, (unsigned long long)SEED);
	CHECK(run(args) == 0 && strstr(out, "read file offset 0x0: read in progress") &&
	      strstr(out, "1 blocks: 0 pinwb, 0 initial, 0 torn"), "file --dma-reads: %s", out);
	snprintf(args, sizeof(args), "file %s --cpu-stores --dma-reads", file_path);
	CHECK(run(args) == 2, "both flags accepted: %s", out);
	return T_PASS;
}

int main(void)
{
	if (access(LOGCHECK_BIN, X_OK)) {
		printf("SKIP logcheck: %s not built (make -C engines pinwb-logcheck)\n", LOGCHECK_BIN);
		return T_SKIP;
	}
	if (!mkdtemp(dir)) {
		printf("FAIL setup: mkdtemp: %s\n", strerror(errno));
		return T_FAIL;
	}
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	snprintf(map_path, sizeof(map_path), "%s/map", dir);
	snprintf(img_path, sizeof(img_path), "%s/img", dir);
	snprintf(file_path, sizeof(file_path), "%s/buf", dir);
	if (write_map()) {
		printf("FAIL setup: map\n");
		return T_FAIL;
	}
	t_run("list_and_points", test_list);
	t_run("clean_log_passes", test_clean);
	t_run("torn_flipped_byte", test_torn_flip);
	t_run("torn_half_block_json", test_torn_half);
	t_run("identity_rules", test_identity);
	t_run("malformed_logs", test_malformed);
	t_run("replay_range", test_replay);
	t_run("file_check", test_file);
	t_run("cpu_stores", test_cpu_stores);
	t_run("dma_reads", test_dma_reads);
	unlink(log_path);
	unlink(map_path);
	unlink(img_path);
	unlink(file_path);
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/check.json", dir);
		unlink(p);
	}
	rmdir(dir);
	return t_exit();
}
