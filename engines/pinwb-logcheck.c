// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb-logcheck: judge a dm-log-writes log from outside the code under test.
 *
 * The log (Documentation/admin-guide/device-mapper/log-writes.rst, layout in
 * drivers/md/dm-log-writes.c) is a super block in the first log sector
 * { le64 magic, le64 version, le64 nr_entries, le32 sectorsize }, then per
 * entry one sectorsize block holding { le64 sector, le64 nr_sectors,
 * le64 flags, le64 data_len } (a MARK's text follows it in the same block),
 * then nr_sectors * sectorsize bytes of written data (none for a DISCARD).
 * sector and nr_sectors count in units of sectorsize.
 *
 * Subcommands: list (parse and print), points (crash points: FLUSH/FUA
 * entries), fiemap (a file's extent map, device byte offsets), check (every
 * logged block of a file: pinwb block, initial content or torn), replay
 * (apply entries to an image), file (the same classification of a file as
 * read through a mounted file system), synth (append entries for the blocks
 * that differ between two images, for hosts without dm-log-writes), tear
 * (overwrite part of a logged block of the file: the fault the checks must
 * be seen to find).
 *
 * Blocks are judged with blockfmt.h's pwb_block_decode(), so a change of the
 * block format is picked up here by rebuilding.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockfmt.h"

#define LW_MAGIC	0x6a736677736872ULL
#define LW_VERSION	1ULL
#define LW_FLUSH	((uint64_t)1 << 0)
#define LW_FUA		((uint64_t)1 << 1)
#define LW_DISCARD	((uint64_t)1 << 2)
#define LW_MARK		((uint64_t)1 << 3)
#define LW_META		((uint64_t)1 << 4)
#define LW_KNOWN	(LW_FLUSH | LW_FUA | LW_DISCARD | LW_MARK | LW_META)
#define LW_ENTRY_SIZE	32
#define LW_SUPER_SIZE	28

#define EXIT_MISMATCH	1
#define EXIT_SETUP	2
#define MAX_REPORTED	20

static const char *prog = "pinwb-logcheck";

struct lw_log {
	int fd;
	const char *path;
	uint64_t size;		/* bytes in the log file/device */
	uint64_t nr_entries;	/* as the super says */
	uint32_t sectorsize;
	uint64_t pos;		/* log byte offset of the next entry */
	uint64_t index;		/* index of the next entry */
};

struct lw_entry {
	uint64_t index;
	uint64_t log_off;	/* byte offset of the entry header in the log */
	uint64_t data_off;	/* byte offset of its data in the log */
	uint64_t sector;	/* in sectorsize units */
	uint64_t nr_sectors;
	uint64_t flags;
	uint64_t data_len;
	char mark[256];
};

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = v & 0xff;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = v & 0xff;
}

static int read_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Size of a regular file or a block device. */
static int fd_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) ? -errno : 0;
	*size = (uint64_t)st.st_size;
	return 0;
}

static void flags_str(uint64_t flags, char *out, size_t len)
{
	static const char *const names[] = { "FLUSH", "FUA", "DISCARD", "MARK",
					     "META" };
	size_t used = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < 5; i++) {
		if (!(flags & (1ULL << i)))
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 used ? "|" : "", names[i]);
		if (used >= len)
			return;
	}
	if (flags & ~LW_KNOWN)
		snprintf(out + used, len - used, "%s0x%" PRIx64, used ? "|" : "",
			 flags & ~LW_KNOWN);
	else if (!used)
		snprintf(out, len, "-");
}

static int log_open(struct lw_log *log, const char *path, int mode)
{
	unsigned char sb[LW_SUPER_SIZE];
	uint64_t magic, version;
	int r;

	memset(log, 0, sizeof(*log));
	log->path = path;
	log->fd = open(path, mode | O_CLOEXEC);
	if (log->fd < 0) {
		fprintf(stderr, "%s: cannot open log %s: %s\n", prog, path,
			strerror(errno));
		return -1;
	}
	r = fd_size(log->fd, &log->size);
	if (!r)
		r = read_full(log->fd, sb, sizeof(sb), 0);
	if (r) {
		fprintf(stderr, "%s: %s: cannot read the super block: %s\n",
			prog, path, r == -ENODATA ? "log shorter than a super block" :
			strerror(-r));
		goto err;
	}
	magic = get_le64(sb);
	version = get_le64(sb + 8);
	log->nr_entries = get_le64(sb + 16);
	log->sectorsize = get_le32(sb + 24);
	if (magic != LW_MAGIC) {
		fprintf(stderr, "%s: %s: super block: bad magic 0x%" PRIx64 " (a dm-log-writes log has 0x%llx)\n",
			prog, path, magic, LW_MAGIC);
		goto err;
	}
	if (version != LW_VERSION) {
		fprintf(stderr, "%s: %s: super block: version %" PRIu64 " (only %llu is known)\n",
			prog, path, version, LW_VERSION);
		goto err;
	}
	if (log->sectorsize < 512 || log->sectorsize > 65536 ||
	    (log->sectorsize & (log->sectorsize - 1))) {
		fprintf(stderr, "%s: %s: super block: sectorsize %" PRIu32 " is not a power of two in 512..65536\n",
			prog, path, log->sectorsize);
		goto err;
	}
	log->pos = log->sectorsize;
	return 0;
err:
	close(log->fd);
	log->fd = -1;
	return -1;
}

/*
 * Parse the next entry.  Returns 1 with @e filled, 0 at the end (as many
 * entries as the super block says), -1 on a malformed entry (message printed,
 * naming it).
 */
static int log_next(struct lw_log *log, struct lw_entry *e)
{
	unsigned char hdr[LW_ENTRY_SIZE];
	uint64_t data_bytes;
	int r;

	if (log->index >= log->nr_entries)
		return 0;
	memset(e, 0, sizeof(*e));
	e->index = log->index;
	e->log_off = log->pos;
	if (log->pos + log->sectorsize > log->size) {
		fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": header past the end of the log (%" PRIu64 " bytes; the super block says %" PRIu64 " entries)\n",
			prog, log->path, e->index, e->log_off, log->size,
			log->nr_entries);
		return -1;
	}
	r = read_full(log->fd, hdr, sizeof(hdr), log->pos);
	if (r) {
		fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": cannot read header: %s\n",
			prog, log->path, e->index, e->log_off, strerror(-r));
		return -1;
	}
	e->sector = get_le64(hdr);
	e->nr_sectors = get_le64(hdr + 8);
	e->flags = get_le64(hdr + 16);
	e->data_len = get_le64(hdr + 24);
	e->data_off = log->pos + log->sectorsize;
	if (e->flags & ~LW_KNOWN) {
		fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": unknown flags 0x%" PRIx64 "\n",
			prog, log->path, e->index, e->log_off, e->flags);
		return -1;
	}
	if (e->flags & LW_MARK) {
		if (e->data_len > log->sectorsize - LW_ENTRY_SIZE ||
		    e->data_len >= sizeof(e->mark)) {
			fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": mark of %" PRIu64 " bytes does not fit its header block\n",
				prog, log->path, e->index, e->log_off,
				e->data_len);
			return -1;
		}
		r = read_full(log->fd, e->mark, e->data_len,
			      log->pos + LW_ENTRY_SIZE);
		if (r)
			return -1;
		e->mark[e->data_len] = '\0';
	}
	data_bytes = (e->flags & LW_DISCARD) ? 0 : e->nr_sectors;
	if (data_bytes > (log->size / log->sectorsize)) {
		fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": %" PRIu64 " sectors of data cannot be in a log of %" PRIu64 " bytes\n",
			prog, log->path, e->index, e->log_off, e->nr_sectors,
			log->size);
		return -1;
	}
	data_bytes *= log->sectorsize;
	if (e->data_off + data_bytes > log->size) {
		fprintf(stderr, "%s: %s: entry %" PRIu64 " at log offset %" PRIu64 ": data (%" PRIu64 " bytes) runs past the end of the log (%" PRIu64 " bytes)\n",
			prog, log->path, e->index, e->log_off, data_bytes,
			log->size);
		return -1;
	}
	log->pos = e->data_off + data_bytes;
	log->index++;
	return 1;
}

/* ---- extent maps ---- */

struct extent {
	uint64_t logical, physical, length;
};

struct extmap {
	struct extent *e;
	size_t n, cap;
	uint64_t file_size;	/* end of the last mapped byte */
};

static int map_add(struct extmap *m, uint64_t lo, uint64_t ph, uint64_t len)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct extent *e = realloc(m->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		m->e = e;
		m->cap = cap;
	}
	m->e[m->n++] = (struct extent){ lo, ph, len };
	if (lo + len > m->file_size)
		m->file_size = lo + len;
	return 0;
}

/* Lines "logical physical length" in bytes, as 'fiemap' prints them. */
static int map_read(struct extmap *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned int lineno = 0;

	if (!f) {
		fprintf(stderr, "%s: cannot open extent map %s: %s\n", prog,
			path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, ph, len;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64, &lo, &ph,
			   &len) != 3 || !len) {
			fprintf(stderr, "%s: %s:%u: not \"logical physical length\" in bytes\n",
				prog, path, lineno);
			fclose(f);
			return -1;
		}
		if (map_add(m, lo, ph, len)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static int cmd_fiemap(const char *path)
{
	size_t count = 256;
	struct fiemap *fm;
	uint64_t start = 0;
	int fd, rc = 0;
	bool last = false;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: fiemap: cannot open %s: %s\n", prog, path,
			strerror(errno));
		return EXIT_SETUP;
	}
	fm = calloc(1, sizeof(*fm) + count * sizeof(struct fiemap_extent));
	if (!fm)
		return EXIT_SETUP;
	printf("# logical physical length (bytes) of %s\n", path);
	while (!last) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = (uint32_t)count;
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			fprintf(stderr, "%s: fiemap: FS_IOC_FIEMAP on %s: %s\n",
				prog, path, strerror(errno));
			rc = EXIT_SETUP;
			break;
		}
		if (!fm->fm_mapped_extents)
			break;
		for (uint32_t i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *x = &fm->fm_extents[i];

			if (x->fe_flags & FIEMAP_EXTENT_LAST)
				last = true;
			start = x->fe_logical + x->fe_length;
			/* no device address to judge for these */
			if (x->fe_flags & (FIEMAP_EXTENT_UNKNOWN |
					   FIEMAP_EXTENT_DATA_INLINE |
					   FIEMAP_EXTENT_ENCODED |
					   FIEMAP_EXTENT_DATA_ENCRYPTED)) {
				fprintf(stderr, "%s: fiemap: %s: extent at %llu (flags 0x%x) has no plain device address; left out\n",
					prog, path, (unsigned long long)x->fe_logical,
					x->fe_flags);
				continue;
			}
			printf("%llu %llu %llu\n",
			       (unsigned long long)x->fe_logical,
			       (unsigned long long)x->fe_physical,
			       (unsigned long long)x->fe_length);
		}
	}
	free(fm);
	close(fd);
	return rc;
}

/* ---- block classification ---- */

enum kind { KIND_BUFFER, KIND_TARGET };

enum verdict { V_OK, V_INITIAL, V_STORE, V_DMA, V_TORN };

struct judge {
	uint32_t bsize;
	enum kind kind;
	bool have_seed;
	bool cpu_stores;	/* --cpu-stores: the CPU fills the buffer */
	bool dma_reads;		/* --dma-reads: reads fill it by DMA */
	uint64_t seed;
	const unsigned char *initial;	/* file content before, or NULL */
	uint64_t initial_size;
};

static bool all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* one step of the payload's xorshift64 stream (blockfmt.c) */
static uint64_t xs_step(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/*
 * --cpu-stores: is @b a block the CPU was still storing when writeback took
 * the page?  The engine fills a write's source slot through the mapping,
 * front to back (header with the checksum zeroed, payload, checksum last),
 * and a file system on a device without stable writes may send a page to
 * the device while that store is in progress: the device then holds the
 * front of one block and the back of the slot's other one (whichever of
 * the two the copy met first).  Only the CPU writes such a buffer (a write
 * job's DMA reads it), so that mix is a store in progress, not a DMA tear.
 * The test, word by word past the header: a front of words of the block
 * the header names (regenerated from its identity; zeros when the header is
 * zeros, a first fill copied before its header), then a back of at least
 * two words that are one xorshift stream at their positions (the other
 * block's payload, or zeros), or no back at all and the checksum field
 * still zero (only the last store missing).  Bytes of no block, a word
 * changed in the middle, a back that is not one stream stay torn.
 *
 * --dma-reads (@cpu false): the same mix, made by a read's DMA instead:
 * the file is a read job's buffer, and writeback took its stable copy of a
 * page (or wrote it) while a DIO or io_uring read was still filling it, so
 * the device got the front of the block the page held and the back of the
 * block the read brought, or the other way round (the copy and the DMA
 * both go front to back, so they cross once).  Neither the kernel nor the
 * file system can write such a block whole: the read had not completed, so
 * what the page held was in transition, as a block under a write(2) is at
 * a crash.  Whether the device was given data that changed while it read
 * it is the stable-page detector's question, not this one.  The CPU-only
 * case (whole, checksum field zero) does not apply: a DMA brings the
 * checksum with the block.
 */
static bool store_in_progress(const struct judge *j, const unsigned char *b,
			      const struct pwb_identity *id, bool have_a,
			      bool cpu, char *what, size_t len)
{
	const char *kind = cpu ? "store" : "read";
	static unsigned char a[1 << 20];
	uint64_t w, nw = j->bsize / 8, front, x, y;
	uint32_t csum = (uint32_t)b[PWB_OFF_CSUM] |
			(uint32_t)b[PWB_OFF_CSUM + 1] << 8 |
			(uint32_t)b[PWB_OFF_CSUM + 2] << 16 |
			(uint32_t)b[PWB_OFF_CSUM + 3] << 24;

	if (j->kind != KIND_BUFFER)
		return false;
	if (have_a) {
		if ((id->target & PWB_TARGET_OFF_MASK) % j->bsize ||
		    (j->have_seed && id->seed != j->seed &&
		     id->seed != PWB_GEN0_SEED))
			return false;
		pwb_block_fill(a, j->bsize, id->seed, id->nonce, id->target,
			       id->gen);
	} else {
		memset(a, 0, j->bsize);
	}
	for (w = PWB_BLOCK_HDR_SIZE / 8; w < nw; w++)
		if (memcmp(b + w * 8, a + w * 8, 8))
			break;
	front = w;
	if (front == nw) {
		if (!cpu || !have_a || csum)
			return false;
		snprintf(what, len, "store in progress: target 0x%" PRIx64 " gen %" PRIu64 " whole but its checksum not yet stored",
			 id->target, id->gen);
		return true;
	}
	if (nw - front < 2)
		return false;
	memcpy(&y, b + front * 8, 8);
	for (w = front + 1; w < nw; w++) {
		y = xs_step(y);
		memcpy(&x, b + w * 8, 8);
		if (x != y)
			return false;
	}
	if (have_a)
		snprintf(what, len, "%s in progress: payload words %" PRIu64 "-%" PRIu64 " of target 0x%" PRIx64 " gen %" PRIu64 ", %" PRIu64 "-%" PRIu64 " one other stream, checksum field 0x%" PRIx32,
			 kind, (uint64_t)PWB_BLOCK_HDR_SIZE / 8, front - 1, id->target,
			 id->gen, front, nw - 1, csum);
	else
		snprintf(what, len, "%s in progress: header and payload words %d-%" PRIu64 " zero, %" PRIu64 "-%" PRIu64 " one stream",
			 kind, PWB_BLOCK_HDR_SIZE / 8, front - 1, front, nw - 1);
	return true;
}

/* Say in @what what a block that is not acceptable looks like. */
static enum verdict judge_block(const struct judge *j, const unsigned char *b,
				uint64_t file_off, char *what, size_t len)
{
	struct pwb_identity id;
	enum pwb_block_status st;
	uint64_t off;

	if (all_zero(b, j->bsize))
		return V_INITIAL;
	if (j->initial && file_off + j->bsize <= j->initial_size &&
	    !memcmp(b, j->initial + file_off, j->bsize))
		return V_INITIAL;
	memset(&id, 0, sizeof(id));
	st = pwb_block_decode(b, j->bsize, &id);
	if (st == PWB_BLK_BAD_MAGIC) {
		size_t nz = 0;

		if ((j->cpu_stores || j->dma_reads) &&
		    all_zero(b, PWB_BLOCK_HDR_SIZE) &&
		    store_in_progress(j, b, &id, false, j->cpu_stores, what,
				      len))
			return j->cpu_stores ? V_STORE : V_DMA;
		for (size_t i = 0; i < j->bsize; i++)
			nz += b[i] != 0;
		snprintf(what, len, "bad magic (first bytes %02x %02x %02x %02x %02x %02x %02x %02x, %zu of %u bytes non-zero)",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], nz,
			 j->bsize);
		return V_TORN;
	}
	if (st == PWB_BLK_BAD_CSUM && (j->cpu_stores || j->dma_reads) &&
	    store_in_progress(j, b, &id, true, j->cpu_stores, what, len))
		return j->cpu_stores ? V_STORE : V_DMA;
	if (st != PWB_BLK_OK) {
		snprintf(what, len, "%s (header claims target 0x%" PRIx64 " gen %" PRIu64 " seed %" PRIu64 " bsize %" PRIu32 ")",
			 pwb_block_status_str(st), id.target, id.gen, id.seed,
			 id.bsize);
		return V_TORN;
	}
	off = id.target & PWB_TARGET_OFF_MASK;
	if (j->kind == KIND_TARGET && off != file_off) {
		snprintf(what, len, "valid block of target offset 0x%" PRIx64 " gen %" PRIu64 " at file offset 0x%" PRIx64,
			 off, id.gen, file_off);
		return V_TORN;
	}
	if (off % j->bsize) {
		snprintf(what, len, "valid block with unaligned target offset 0x%" PRIx64 " gen %" PRIu64,
			 off, id.gen);
		return V_TORN;
	}
	if (j->have_seed && id.seed != j->seed && id.seed != PWB_GEN0_SEED) {
		snprintf(what, len, "valid block of another seed %" PRIu64 " (target 0x%" PRIx64 " gen %" PRIu64 ")",
			 id.seed, id.target, id.gen);
		return V_TORN;
	}
	return V_OK;
}

static int load_file(const char *path, unsigned char **data, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path,
			strerror(errno));
		return -1;
	}
	r = fd_size(fd, size);
	if (!r) {
		*data = malloc(*size ? *size : 1);
		r = *data ? read_full(fd, *data, *size, 0) : -ENOMEM;
	}
	close(fd);
	if (r) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, path,
			strerror(-r));
		return -1;
	}
	return 0;
}

struct counts {
	uint64_t entries, blocks, ok, initial, stores, dma, torn, partial, discarded;
	uint64_t crash_points;
};

static void torn_json(FILE *jf, bool *first, uint64_t entry, uint64_t sector,
		      uint64_t dev_off, uint64_t file_off, const char *what)
{
	if (!jf)
		return;
	fprintf(jf, "%s\n    {\"entry\": %" PRIu64 ", \"sector\": %" PRIu64 ", \"device_offset\": %" PRIu64 ", \"file_offset\": %" PRIu64 ", \"what\": \"",
		*first ? "" : ",", entry, sector, dev_off, file_off);
	for (const char *p = what; *p; p++)
		fputc(*p == '"' || *p == '\\' ? '\'' : *p, jf);
	fputs("\"}", jf);
	*first = false;
}

/*
 * Walk the log keeping a shadow of the file's content as the device holds
 * it; after every write that touches the file judge each block it touched.
 */
static int cmd_check(const char *log_path, struct extmap *map,
		     const struct judge *j, const char *json_path)
{
	struct lw_log log;
	struct lw_entry e;
	struct counts c = { 0 };
	unsigned char *shadow, *data = NULL, *touched;
	uint64_t nblocks, data_cap = 0;
	FILE *jf = NULL;
	bool first = true;
	int r, rc = 0;

	if (log_open(&log, log_path, O_RDONLY))
		return EXIT_SETUP;
	nblocks = (map->file_size + j->bsize - 1) / j->bsize;
	shadow = calloc(nblocks ? nblocks : 1, j->bsize);
	touched = calloc(nblocks ? nblocks : 1, 2);
	if (!shadow || !touched)
		return EXIT_SETUP;
	if (j->initial)
		memcpy(shadow, j->initial, j->initial_size < nblocks * j->bsize ?
		       j->initial_size : nblocks * j->bsize);
	if (json_path) {
		jf = fopen(json_path, "w");
		if (!jf) {
			fprintf(stderr, "%s: check: cannot write %s: %s\n", prog,
				json_path, strerror(errno));
			return EXIT_SETUP;
		}
		fputs("{\"torn\": [", jf);
	}
	while ((r = log_next(&log, &e)) > 0) {
		uint64_t dev_lo = e.sector * log.sectorsize;
		uint64_t dev_len = e.nr_sectors * log.sectorsize;
		bool hit = false;

		c.entries++;
		if (e.flags & (LW_FLUSH | LW_FUA))
			c.crash_points++;
		if (!dev_len)
			continue;
		memset(touched, 0, nblocks * 2);
		for (size_t x = 0; x < map->n; x++) {
			struct extent *m = &map->e[x];
			uint64_t lo = dev_lo > m->physical ? dev_lo : m->physical;
			uint64_t hi = dev_lo + dev_len;

			if (m->physical + m->length < hi)
				hi = m->physical + m->length;
			if (lo >= hi)
				continue;
			if (!(e.flags & LW_DISCARD) && !hit) {
				if (dev_len > data_cap) {
					free(data);
					data = malloc(dev_len);
					data_cap = data ? dev_len : 0;
				}
				if (!data || read_full(log.fd, data, dev_len,
						       e.data_off)) {
					fprintf(stderr, "%s: %s: entry %" PRIu64 ": cannot read its data\n",
						prog, log_path, e.index);
					rc = EXIT_SETUP;
					goto out;
				}
			}
			hit = true;
			for (uint64_t d = lo; d < hi;) {
				uint64_t f = m->logical + (d - m->physical);
				uint64_t blk = f / j->bsize;
				uint64_t n = j->bsize - f % j->bsize;

				if (n > hi - d)
					n = hi - d;
				if (e.flags & LW_DISCARD)
					memset(shadow + f, 0, n);
				else
					memcpy(shadow + f, data + (d - dev_lo), n);
				touched[blk * 2] = 1;
				/* covered whole by this entry? */
				if (n == j->bsize)
					touched[blk * 2 + 1] = 1;
				d += n;
			}
		}
		if (!hit)
			continue;
		for (uint64_t blk = 0; blk < nblocks; blk++) {
			uint64_t f = blk * j->bsize, dev_off = 0;
			char what[256];
			enum verdict v;

			if (!touched[blk * 2])
				continue;
			c.blocks++;
			if (e.flags & LW_DISCARD) {
				c.discarded++;
				continue;
			}
			v = judge_block(j, shadow + f, f, what, sizeof(what));
			if (v == V_OK) {
				c.ok++;
				continue;
			}
			if (v == V_INITIAL) {
				c.initial++;
				continue;
			}
			if (v == V_STORE) {
				if (++c.stores <= MAX_REPORTED)
					printf("store entry %" PRIu64 " file offset 0x%" PRIx64 ": %s\n",
					       e.index, f, what);
				continue;
			}
			if (v == V_DMA) {
				if (++c.dma <= MAX_REPORTED)
					printf("read entry %" PRIu64 " file offset 0x%" PRIx64 ": %s\n",
					       e.index, f, what);
				continue;
			}
			if (!touched[blk * 2 + 1]) {
				/* the rest of the block may come in a later entry */
				c.partial++;
				continue;
			}
			for (size_t x = 0; x < map->n; x++)
				if (f >= map->e[x].logical &&
				    f < map->e[x].logical + map->e[x].length)
					dev_off = map->e[x].physical +
						  (f - map->e[x].logical);
			c.torn++;
			if (c.torn <= MAX_REPORTED)
				printf("TORN entry %" PRIu64 " sector %" PRIu64 " file offset 0x%" PRIx64 ": %s\n",
				       e.index, dev_off / log.sectorsize, f, what);
			if (c.torn <= MAX_REPORTED)
				torn_json(jf, &first, e.index,
					  dev_off / log.sectorsize, dev_off, f,
					  what);
		}
	}
	if (r < 0) {
		rc = EXIT_SETUP;
		goto out;
	}
	if (c.torn > MAX_REPORTED)
		printf("... and %" PRIu64 " more torn blocks\n",
		       c.torn - MAX_REPORTED);
	if (j->cpu_stores)
		printf("cpu stores: %" PRIu64 " blocks logged while the CPU was storing them (--cpu-stores), not counted as torn\n",
		       c.stores);
	if (j->dma_reads)
		printf("dma reads: %" PRIu64 " blocks logged while a read was filling them (--dma-reads), not counted as torn\n",
		       c.dma);
	printf("device check: %" PRIu64 " entries (%" PRIu64 " flush/fua), %" PRIu64 " blocks of the file logged: %" PRIu64 " pinwb, %" PRIu64 " initial, %" PRIu64 " torn, %" PRIu64 " partial, %" PRIu64 " discarded\n",
	       c.entries, c.crash_points, c.blocks, c.ok, c.initial, c.torn,
	       c.partial, c.discarded);
	rc = c.torn ? EXIT_MISMATCH : 0;
out:
	if (jf) {
		fprintf(jf, "%s],\n \"entries\": %" PRIu64 ", \"crash_points\": %" PRIu64 ", \"blocks_logged\": %" PRIu64 ", \"pinwb\": %" PRIu64 ", \"initial\": %" PRIu64 ", \"torn_count\": %" PRIu64 ", \"partial\": %" PRIu64 ", \"discarded\": %" PRIu64 ", \"cpu_stores\": %" PRIu64 ", \"dma_in_progress\": %" PRIu64 ", \"result\": \"%s\"}\n",
			first ? "" : "\n  ", c.entries, c.crash_points,
			c.blocks, c.ok, c.initial, c.torn, c.partial,
			c.discarded, c.stores, c.dma,
			rc == 0 ? "clean" : rc == EXIT_MISMATCH ? "torn" : "error");
		fclose(jf);
	}
	free(data);
	free(shadow);
	free(touched);
	close(log.fd);
	return rc;
}

/* The same judgement over a whole file, as a mounted file system shows it. */
static int cmd_file(const char *path, const struct judge *j)
{
	unsigned char *data;
	uint64_t size, ok = 0, initial = 0, stores = 0, dma = 0, torn = 0;

	if (load_file(path, &data, &size))
		return EXIT_SETUP;
	for (uint64_t f = 0; f + j->bsize <= size; f += j->bsize) {
		char what[256];

		switch (judge_block(j, data + f, f, what, sizeof(what))) {
		case V_OK:
			ok++;
			break;
		case V_INITIAL:
			initial++;
			break;
		case V_STORE:
			if (++stores <= MAX_REPORTED)
				printf("store file offset 0x%" PRIx64 ": %s\n", f,
				       what);
			break;
		case V_DMA:
			if (++dma <= MAX_REPORTED)
				printf("read file offset 0x%" PRIx64 ": %s\n", f,
				       what);
			break;
		case V_TORN:
			if (++torn <= MAX_REPORTED)
				printf("TORN file offset 0x%" PRIx64 ": %s\n", f,
				       what);
			break;
		}
	}
	if (size % j->bsize)
		printf("note: %" PRIu64 " bytes past the last whole block not judged\n",
		       size % j->bsize);
	if (j->cpu_stores)
		printf("cpu stores: %" PRIu64 " blocks the CPU was storing (--cpu-stores), not counted as torn\n",
		       stores);
	if (j->dma_reads)
		printf("dma reads: %" PRIu64 " blocks a read was filling (--dma-reads), not counted as torn\n",
		       dma);
	printf("file check: %s: %" PRIu64 " blocks: %" PRIu64 " pinwb, %" PRIu64 " initial, %" PRIu64 " torn\n",
	       path, size / j->bsize, ok, initial, torn);
	free(data);
	return torn ? EXIT_MISMATCH : 0;
}

static int cmd_list(const char *log_path, bool points_only)
{
	struct lw_log log;
	struct lw_entry e;
	int r;

	if (log_open(&log, log_path, O_RDONLY))
		return EXIT_SETUP;
	if (!points_only)
		printf("log %s: %" PRIu64 " entries, sectorsize %" PRIu32 "\n",
		       log_path, log.nr_entries, log.sectorsize);
	while ((r = log_next(&log, &e)) > 0) {
		char fl[64];

		if (points_only) {
			if (e.flags & (LW_FLUSH | LW_FUA))
				printf("%" PRIu64 "\n", e.index);
			continue;
		}
		flags_str(e.flags, fl, sizeof(fl));
		printf("entry %" PRIu64 " sector %" PRIu64 " nr_sectors %" PRIu64 " flags %s data_len %" PRIu64 " log_off %" PRIu64 " data_off %" PRIu64,
		       e.index, e.sector, e.nr_sectors, fl, e.data_len,
		       e.log_off, e.data_off);
		if (e.flags & LW_MARK)
			printf(" mark \"%s\"", e.mark);
		putchar('\n');
	}
	close(log.fd);
	return r < 0 ? EXIT_SETUP : 0;
}

static int discard_range(int fd, uint64_t off, uint64_t len, bool regular)
{
	static unsigned char zero[65536];

	if (regular && !fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  (off_t)off, (off_t)len))
		return 0;
	/* a device, or no hole punching: reads of a discarded range give zeros here */
	while (len) {
		size_t n = len < sizeof(zero) ? len : sizeof(zero);
		int r = write_full(fd, zero, n, off);

		if (r)
			return r;
		off += n;
		len -= n;
	}
	return 0;
}

/* Apply entries @from..@to (inclusive) to @dev, which the caller owns. */
static int cmd_replay(const char *log_path, const char *dev, uint64_t from,
		      uint64_t to)
{
	struct lw_log log;
	struct lw_entry e;
	unsigned char *data = NULL;
	uint64_t cap = 0, dev_size, applied = 0;
	struct stat st;
	int fd, r, rc = 0;

	if (log_open(&log, log_path, O_RDONLY))
		return EXIT_SETUP;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || fd_size(fd, &dev_size)) {
		fprintf(stderr, "%s: replay: cannot open %s: %s\n", prog, dev,
			strerror(errno));
		return EXIT_SETUP;
	}
	while ((r = log_next(&log, &e)) > 0 && e.index <= to) {
		uint64_t off = e.sector * log.sectorsize;
		uint64_t len = e.nr_sectors * log.sectorsize;

		if (e.index < from || !len)
			continue;
		if (off + len > dev_size) {
			fprintf(stderr, "%s: replay: entry %" PRIu64 " writes %" PRIu64 " bytes at %" PRIu64 ", past the end of %s (%" PRIu64 " bytes)\n",
				prog, e.index, len, off, dev, dev_size);
			rc = EXIT_SETUP;
			break;
		}
		if (e.flags & LW_DISCARD) {
			r = discard_range(fd, off, len, S_ISREG(st.st_mode));
		} else {
			if (len > cap) {
				free(data);
				data = malloc(len);
				cap = data ? len : 0;
			}
			r = data ? read_full(log.fd, data, len, e.data_off) :
				   -ENOMEM;
			if (!r)
				r = write_full(fd, data, len, off);
		}
		if (r) {
			fprintf(stderr, "%s: replay: entry %" PRIu64 ": %s\n",
				prog, e.index, strerror(-r));
			rc = EXIT_SETUP;
			break;
		}
		applied++;
	}
	if (r < 0)
		rc = EXIT_SETUP;
	if (!rc && fsync(fd)) {
		fprintf(stderr, "%s: replay: fsync %s: %s\n", prog, dev,
			strerror(errno));
		rc = EXIT_SETUP;
	}
	if (!rc)
		printf("replayed %" PRIu64 " entries (%" PRIu64 "..%" PRIu64 ") onto %s\n",
		       applied, from, to, dev);
	free(data);
	close(fd);
	close(log.fd);
	return rc;
}

/*
 * Fault injection for the checks themselves: in the last logged write up to
 * entry @to (or entry @only) that holds a whole block of the mapped file, overwrite 16
 * bytes in the middle of that block's data inside the log.  Prints where.
 */
static int cmd_tear(const char *log_path, struct extmap *map, uint32_t bsize,
		    uint64_t only, uint64_t to)
{
	static const unsigned char junk[16] = "pinwb-torn-here!";
	struct lw_log log;
	struct lw_entry e;
	uint64_t pos = 0, found_entry = 0, found_dev = 0, found_file = 0;
	bool found = false;
	int r;

	if (log_open(&log, log_path, O_RDWR))
		return EXIT_SETUP;
	while ((r = log_next(&log, &e)) > 0) {
		uint64_t dev_lo = e.sector * log.sectorsize;
		uint64_t dev_hi = dev_lo + e.nr_sectors * log.sectorsize;

		if (e.index > to)
			break;
		if ((e.flags & LW_DISCARD) || (only != UINT64_MAX && e.index != only))
			continue;
		for (size_t x = 0; x < map->n; x++) {
			struct extent *m = &map->e[x];
			uint64_t lo = dev_lo > m->physical ? dev_lo : m->physical;
			uint64_t hi = dev_hi < m->physical + m->length ?
				      dev_hi : m->physical + m->length;
			uint64_t f, d;

			if (lo >= hi)
				continue;
			f = m->logical + (lo - m->physical);
			f = (f + bsize - 1) / bsize * bsize;
			d = m->physical + (f - m->logical);
			if (d + bsize > hi)
				continue;
			found = true;
			found_entry = e.index;
			found_dev = d;
			found_file = f;
			pos = e.data_off + (d - dev_lo) + bsize / 2;
			break;
		}
	}
	if (r < 0) {
		close(log.fd);
		return EXIT_SETUP;
	}
	if (!found) {
		fprintf(stderr, "%s: tear: no logged write holds a whole %" PRIu32 "-byte block of the mapped file\n",
			prog, bsize);
		close(log.fd);
		return EXIT_SETUP;
	}
	r = write_full(log.fd, junk, sizeof(junk), pos);
	close(log.fd);
	if (r) {
		fprintf(stderr, "%s: tear: %s: %s\n", prog, log_path, strerror(-r));
		return EXIT_SETUP;
	}
	printf("tore entry %" PRIu64 " sector %" PRIu64 " file offset 0x%" PRIx64 "\n",
	       found_entry, found_dev / log.sectorsize, found_file);
	return 0;
}

/* Append one entry (header block + data) at the log's end; bump the super. */
static int log_append(int fd, uint32_t ss, uint64_t *end, uint64_t *nr,
		      uint64_t sector, uint64_t nr_sectors, uint64_t flags,
		      const void *data)
{
	unsigned char *hdr = calloc(1, ss);
	int r;

	if (!hdr)
		return -ENOMEM;
	put_le64(hdr, sector);
	put_le64(hdr + 8, nr_sectors);
	put_le64(hdr + 16, flags);
	r = write_full(fd, hdr, ss, *end);
	free(hdr);
	if (r)
		return r;
	*end += ss;
	if (data && nr_sectors) {
		r = write_full(fd, data, nr_sectors * ss, *end);
		if (r)
			return r;
		*end += nr_sectors * ss;
	}
	(*nr)++;
	return 0;
}

/*
 * Append to @log_path (created when missing) one entry per @block bytes that
 * differ between @old and @new, then a FLUSH entry: a log of what a device
 * received between two states, for hosts without dm-log-writes.
 */
static int cmd_synth(const char *log_path, const char *old, const char *new,
		     uint32_t block)
{
	unsigned char *a, *b, sb[LW_SUPER_SIZE];
	uint64_t asz, bsz, end, nr = 0, written = 0;
	const uint32_t ss = 512;
	struct stat st;
	int fd, r = 0;

	if (load_file(old, &a, &asz) || load_file(new, &b, &bsz))
		return EXIT_SETUP;
	if (asz != bsz) {
		fprintf(stderr, "%s: synth: %s and %s differ in size\n", prog,
			old, new);
		return EXIT_SETUP;
	}
	fd = open(log_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: synth: cannot open %s: %s\n", prog,
			log_path, strerror(errno));
		return EXIT_SETUP;
	}
	end = (uint64_t)st.st_size;
	if (end) {
		struct lw_log log;
		struct lw_entry e;

		close(fd);
		if (log_open(&log, log_path, O_RDWR))
			return EXIT_SETUP;
		if (log.sectorsize != ss) {
			fprintf(stderr, "%s: synth: %s has sectorsize %" PRIu32 ", synth writes %" PRIu32 "\n",
				prog, log_path, log.sectorsize, ss);
			return EXIT_SETUP;
		}
		while ((r = log_next(&log, &e)) > 0)
			;
		if (r < 0)
			return EXIT_SETUP;
		fd = log.fd;
		end = log.pos;
		nr = log.nr_entries;
	} else {
		end = ss;
	}
	for (uint64_t off = 0; off < asz && !r; off += block) {
		uint64_t n = asz - off < block ? asz - off : block;

		if (!memcmp(a + off, b + off, n))
			continue;
		r = log_append(fd, ss, &end, &nr, off / ss, n / ss, 0, b + off);
		written++;
	}
	if (!r)
		r = log_append(fd, ss, &end, &nr, 0, 0, LW_FLUSH, NULL);
	memset(sb, 0, sizeof(sb));
	put_le64(sb, LW_MAGIC);
	put_le64(sb + 8, LW_VERSION);
	put_le64(sb + 16, nr);
	put_le32(sb + 24, ss);
	if (!r)
		r = write_full(fd, sb, sizeof(sb), 0);
	if (!r && ftruncate(fd, (off_t)end))
		r = -errno;
	close(fd);
	free(a);
	free(b);
	if (r) {
		fprintf(stderr, "%s: synth: writing %s: %s\n", prog, log_path,
			strerror(-r));
		return EXIT_SETUP;
	}
	printf("synth: %" PRIu64 " blocks differ; %s now has %" PRIu64 " entries\n",
	       written, log_path, nr);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND ARGS\n"
		"  list LOG                  print the super block and every entry\n"
		"  points LOG                the index of every FLUSH or FUA entry (crash points)\n"
		"  fiemap FILE               FILE's extents: \"logical physical length\" in bytes\n"
		"  check LOG --map MAP [--map MAP...] [JUDGE]  [--json FILE]\n"
		"                            judge every logged block of the file MAP describes\n"
		"  file FILE [JUDGE]         judge every block of FILE as read now\n"
		"  replay LOG DEV [--from N] --to N   apply entries N..N onto DEV (an image you own)\n"
		"  synth LOG OLD NEW [--block B]      append entries for the blocks that differ, then a FLUSH\n"
		"  tear LOG --map MAP [--bsize B] [--entry N] [--to N]  overwrite 16 bytes of a logged\n"
		"                            block of the file (the last one up to entry --to, or in entry\n"
		"                            --entry): a fault for the checks\n"
		"JUDGE: --bsize B (4096, the slot size) --kind buffer|target (buffer: any aligned\n"
		"       target; target: identity must equal the file offset) --seed S (also\n"
		"       refuse valid blocks of other seeds) --initial FILE (content before the run;\n"
		"       zeros always count as initial) --cpu-stores (the CPU fills the file through\n"
		"       its mapping, as a write job's source: a block that is word for word a mix of\n"
		"       the block its header names and one other block's stream, or zeros, is a\n"
		"       store in progress, listed and counted, not torn) --dma-reads (reads fill\n"
		"       the file by DMA, as a read job's buffer: the same mix of two blocks, made by\n"
		"       a copy or write-out that met a read in flight, is a read in progress)\n"
		"Exit: 0 clean, 1 torn blocks found, 2 usage, malformed log or setup error.\n",
		prog);
}

static int parse_u64(const char *opt, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "%s: %s '%s' is not a non-negative integer\n",
			prog, opt, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "bsize", required_argument, NULL, 'b' },
		{ "kind", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "initial", required_argument, NULL, 'i' },
		{ "json", required_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "block", required_argument, NULL, 'B' },
		{ "entry", required_argument, NULL, 'e' },
		{ "cpu-stores", no_argument, NULL, 'c' },
		{ "dma-reads", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct judge j = { .bsize = 4096, .kind = KIND_BUFFER };
	struct extmap map = { 0 };
	const char *cmd, *json = NULL, *initial = NULL;
	uint64_t v, from = 0, to = UINT64_MAX, block = 4096, entry = UINT64_MAX;
	unsigned char *init_data = NULL;
	int c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_SETUP;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (map_read(&map, optarg))
				return EXIT_SETUP;
			break;
		case 'b':
			if (parse_u64("--bsize", optarg, &v))
				return EXIT_SETUP;
			if (v < PWB_BLOCK_MIN_SIZE || v > (1 << 20) || v % 512) {
				fprintf(stderr, "%s: --bsize %" PRIu64 ": accepted: a multiple of 512 from %d to 1048576\n",
					prog, v, PWB_BLOCK_MIN_SIZE);
				return EXIT_SETUP;
			}
			j.bsize = (uint32_t)v;
			break;
		case 'k':
			if (!strcmp(optarg, "buffer")) {
				j.kind = KIND_BUFFER;
			} else if (!strcmp(optarg, "target")) {
				j.kind = KIND_TARGET;
			} else {
				fprintf(stderr, "%s: --kind '%s': accepted: buffer, target\n",
					prog, optarg);
				return EXIT_SETUP;
			}
			break;
		case 's':
			if (parse_u64("--seed", optarg, &j.seed))
				return EXIT_SETUP;
			j.have_seed = true;
			break;
		case 'i':
			initial = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'f':
			if (parse_u64("--from", optarg, &from))
				return EXIT_SETUP;
			break;
		case 't':
			if (parse_u64("--to", optarg, &to))
				return EXIT_SETUP;
			break;
		case 'B':
			if (parse_u64("--block", optarg, &block))
				return EXIT_SETUP;
			if (!block || block % 512 || block > (1 << 20)) {
				fprintf(stderr, "%s: --block %" PRIu64 ": accepted: a multiple of 512 up to 1048576\n",
					prog, block);
				return EXIT_SETUP;
			}
			break;
		case 'e':
			if (parse_u64("--entry", optarg, &entry))
				return EXIT_SETUP;
			break;
		case 'c':
			j.cpu_stores = true;
			break;
		case 'D':
			j.dma_reads = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "%s: see %s --help\n", prog, prog);
			return EXIT_SETUP;
		}
	}
	argc -= optind;
	argv += optind;
	if (j.cpu_stores && j.dma_reads) {
		fprintf(stderr, "%s: --cpu-stores and --dma-reads: accepted: one of them (a write job's source or a read job's buffer)\n",
			prog);
		return EXIT_SETUP;
	}
	if (initial) {
		if (load_file(initial, &init_data, &j.initial_size))
			return EXIT_SETUP;
		j.initial = init_data;
	}
#define NEED(n, what) do {						\
	if (argc != (n)) {						\
		fprintf(stderr, "%s: %s needs %s (see %s --help)\n",	\
			prog, cmd, what, prog);				\
		return EXIT_SETUP;					\
	}								\
} while (0)
	if (!strcmp(cmd, "list") || !strcmp(cmd, "points")) {
		NEED(1, "LOG");
		return cmd_list(argv[0], !strcmp(cmd, "points"));
	}
	if (!strcmp(cmd, "fiemap")) {
		NEED(1, "FILE");
		return cmd_fiemap(argv[0]);
	}
	if (!strcmp(cmd, "check")) {
		NEED(1, "LOG");
		if (!map.n) {
			fprintf(stderr, "%s: check needs --map MAP with at least one extent (from '%s fiemap FILE')\n",
				prog, prog);
			return EXIT_SETUP;
		}
		return cmd_check(argv[0], &map, &j, json);
	}
	if (!strcmp(cmd, "file")) {
		NEED(1, "FILE");
		return cmd_file(argv[0], &j);
	}
	if (!strcmp(cmd, "replay")) {
		NEED(2, "LOG DEV");
		if (to == UINT64_MAX || from > to) {
			fprintf(stderr, "%s: replay needs --to N (the last entry to apply) and --from <= --to\n",
				prog);
			return EXIT_SETUP;
		}
		return cmd_replay(argv[0], argv[1], from, to);
	}
	if (!strcmp(cmd, "synth")) {
		NEED(3, "LOG OLD NEW");
		return cmd_synth(argv[0], argv[1], argv[2], (uint32_t)block);
	}
	if (!strcmp(cmd, "tear")) {
		NEED(1, "LOG");
		if (!map.n) {
			fprintf(stderr, "%s: tear needs --map MAP\n", prog);
			return EXIT_SETUP;
		}
		return cmd_tear(argv[0], &map, j.bsize, entry, to);
	}
	fprintf(stderr, "%s: unknown command '%s' (accepted: list, points, fiemap, check, file, replay, synth, tear, help)\n",
		prog, cmd);
	return EXIT_SETUP;
}
