// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb target read-back: drop, O_DIRECT read, compare with the ledger.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readback.h"

#define RB_CHUNK	(1U << 20)

void pwb_readback_init(struct pwb_readback *r)
{
	memset(r, 0, sizeof(*r));
	r->outcome = PWB_V_SKIPPED;
}

void pwb_readback_begin(struct pwb_readback *r)
{
	r->ran = true;
	r->runs++;
	r->cache_dropped = true;
	r->blocks_checked = r->mismatches = 0;
	r->blocks_mixed = r->blocks_unknown = 0;
	r->ndetail = 0;
	r->error[0] = '\0';
	r->outcome = PWB_V_INTACT;
}

void pwb_readback_end(struct pwb_readback *r)
{
	if (r->outcome != PWB_V_SETUP)
		r->outcome = r->mismatches ? PWB_V_MISMATCH : PWB_V_INTACT;
}

static int setup_error(struct pwb_readback *r, int fd, char *buf, int e)
{
	if (fd >= 0)
		close(fd);
	free(buf);
	r->outcome = PWB_V_SETUP;
	return e ? -e : -EIO;
}

static void note(struct pwb_readback *r, const struct pwb_rb_mismatch *m)
{
	if (r->ndetail < PWB_VERIFY_DETAIL)
		r->detail[r->ndetail++] = *m;
	r->mismatches++;
}

/* the block @p read from offset @off must be generation @gen of @file */
static void check_block(const struct pwb_ledger *l, unsigned int file,
			uint64_t off, uint64_t gen, const void *p,
			struct pwb_readback *r)
{
	const struct pwb_ledger_target *t = &l->tg[file];
	struct pwb_rb_mismatch m;
	struct pwb_identity id;
	enum pwb_block_status st;

	memset(&id, 0, sizeof(id));
	r->blocks_checked++;
	st = pwb_block_decode(p, l->bs, &id);
	if (st == PWB_BLK_OK && id.target == pwb_target_make(file, off) &&
	    id.gen == gen && id.seed == l->seed && id.nonce == t->nonce)
		return;
	memset(&m, 0, sizeof(m));
	m.file = file;
	m.offset = off;
	m.gen = gen;
	m.nonce = t->nonce;
	m.status = st == PWB_BLK_OK ? PWB_FOUND_WRONG_ID : (int)st;
	m.have_id = st != PWB_BLK_BAD_MAGIC;
	m.found = id;
	note(r, &m);
}

/* the target's page cache dropped: O_DIRECT then sees what the device has */
static int drop(int fd, const struct stat *st, const char *path,
		struct pwb_readback *r)
{
	char err[256];
	long left;

	if (S_ISBLK(st->st_mode)) {
		/* O_DIRECT reads of a block device bypass its cache anyway */
		if (fdatasync(fd) ||
		    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) {
			snprintf(r->error, sizeof(r->error),
				 "target %s: flush: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	left = pwb_drop_cache(fd, err, sizeof(err));
	if (left) {
		r->cache_dropped = false;
		snprintf(r->error, sizeof(r->error), "target %s: %s", path, err);
		return -1;
	}
	return 0;
}

int pwb_readback_target(const struct pwb_ledger *l, unsigned int file,
			const char *path, struct pwb_readback *r)
{
	const struct pwb_ledger_target *t = &l->tg[file];
	uint64_t per = RB_CHUNK / l->bs ? RB_CHUNK / l->bs : 1;
	char *buf = NULL;
	struct stat st;
	int fd;

	if (file >= l->nfiles || !t->ready)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(r->error, sizeof(r->error), "target %s: %s", path,
			 strerror(errno));
		return setup_error(r, fd, NULL, errno);
	}
	if (drop(fd, &st, path, r))
		return setup_error(r, fd, NULL, EIO);
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		snprintf(r->error, sizeof(r->error),
			 "target %s: open with O_DIRECT: %s", path,
			 strerror(errno));
		return setup_error(r, -1, NULL, errno);
	}
	if (posix_memalign((void **)&buf, 4096, per * l->bs)) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return setup_error(r, fd, NULL, ENOMEM);
	}
	for (uint64_t k = 0; k < t->nblocks; k += per) {
		uint64_t n = t->nblocks - k < per ? t->nblocks - k : per;
		uint64_t off = t->base + k * l->bs, lo, hi, got;
		enum pwb_expect ex[RB_CHUNK / 512];
		bool any = false;
		ssize_t rd;

		for (uint64_t i = 0; i < n; i++) {
			ex[i] = pwb_ledger_expect(l, file, k + i, &lo, &hi);
			any |= ex[i] != PWB_EXPECT_NONE;
		}
		if (!any)
			continue;
		do {
			rd = pread(fd, buf, n * l->bs, (off_t)off);
		} while (rd < 0 && errno == EINTR);
		if (rd < 0) {
			snprintf(r->error, sizeof(r->error),
				 "target %s: O_DIRECT read at %" PRIu64 ": %s",
				 path, off, strerror(errno));
			return setup_error(r, fd, buf, errno);
		}
		got = (uint64_t)rd / l->bs;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t boff = off + i * l->bs;

			switch (ex[i]) {
			case PWB_EXPECT_NONE:
				break;
			case PWB_EXPECT_MIXED:
				r->blocks_mixed++;
				break;
			case PWB_EXPECT_UNKNOWN:
				r->blocks_unknown++;
				break;
			case PWB_EXPECT_GEN:
				pwb_ledger_expect(l, file, k + i, &lo, &hi);
				if (i < got) {
					check_block(l, file, boff, lo,
						    buf + i * l->bs, r);
				} else {
					struct pwb_rb_mismatch m = {
						.file = file, .offset = boff,
						.gen = lo, .nonce = t->nonce,
						.status = PWB_FOUND_SHORT,
					};

					r->blocks_checked++;
					note(r, &m);
				}
				break;
			}
		}
	}
	free(buf);
	close(fd);
	return 0;
}

void pwb_rb_mismatch_str(const struct pwb_rb_mismatch *m, const char *path,
			 char *buf, size_t len)
{
	char found[200];

	if (m->status == PWB_FOUND_WRONG_ID && m->found.nonce != m->nonce)
		snprintf(found, sizeof(found), "target 0x%" PRIx64 " gen %"
			 PRIu64 " of another run or file (nonce 0x%" PRIx64 ")",
			 m->found.target, m->found.gen, m->found.nonce);
	else if (m->status == PWB_FOUND_WRONG_ID)
		snprintf(found, sizeof(found), "target 0x%" PRIx64 " gen %"
			 PRIu64 " seed %" PRIu64, m->found.target,
			 m->found.gen, m->found.seed);
	else if (m->status == PWB_BLK_BAD_CSUM)
		snprintf(found, sizeof(found),
			 "bad checksum (header says target 0x%" PRIx64 " gen %"
			 PRIu64 ")", m->found.target, m->found.gen);
	else
		snprintf(found, sizeof(found), "%s", pwb_found_status_str(m->status));
	snprintf(buf, len, "target %s offset %" PRIu64 " (0x%" PRIx64
		 "): expected target 0x%" PRIx64 " gen %" PRIu64 ", found %s",
		 path, m->offset, m->offset,
		 pwb_target_make(m->file, m->offset), m->gen, found);
}

void pwb_readback_json(FILE *f, const struct pwb_readback *r,
		       const char *const *paths, const char *ind)
{
	fprintf(f, "{\n%s  \"ran\": %s,\n%s  \"result\": \"%s\",\n", ind,
		r->ran ? "true" : "false", ind, pwb_outcome_str(r->outcome));
	fprintf(f, "%s  \"runs\": %" PRIu64 ",\n%s  \"blocks_checked\": %"
		PRIu64 ",\n%s  \"mismatches\": %" PRIu64 ",\n", ind, r->runs,
		ind, r->blocks_checked, ind, r->mismatches);
	fprintf(f, "%s  \"blocks_mixed_not_checked\": %" PRIu64
		",\n%s  \"blocks_unknown_not_checked\": %" PRIu64
		",\n%s  \"every_mismatches\": %" PRIu64
		",\n%s  \"cache_dropped\": %s,\n", ind, r->blocks_mixed, ind,
		r->blocks_unknown, ind, r->every_mismatches, ind,
		r->cache_dropped ? "true" : "false");
	fprintf(f, "%s  \"error\": ", ind);
	pwb_json_str(f, r->error);
	fprintf(f, ",\n%s  \"first_mismatches\": [", ind);
	for (unsigned int i = 0; i < r->ndetail; i++) {
		const struct pwb_rb_mismatch *m = &r->detail[i];
		char msg[512];

		pwb_rb_mismatch_str(m, paths[m->file], msg, sizeof(msg));
		fprintf(f, "%s\n%s    {\"file\": ", i ? "," : "", ind);
		pwb_json_str(f, paths[m->file]);
		fprintf(f, ", \"offset\": %" PRIu64 ", \"expected\": {\"target\": %"
			PRIu64 ", \"gen\": %" PRIu64 ", \"nonce\": %" PRIu64
			"}, \"found\": {\"status\": \"%s\"",
			m->offset, pwb_target_make(m->file, m->offset), m->gen,
			m->nonce, pwb_found_status_str(m->status));
		if (m->have_id)
			fprintf(f, ", \"target\": %" PRIu64 ", \"gen\": %" PRIu64
				", \"seed\": %" PRIu64 ", \"nonce\": %" PRIu64,
				m->found.target, m->found.gen, m->found.seed,
				m->found.nonce);
		fprintf(f, "}, \"message\": ");
		pwb_json_str(f, msg);
		fputc('}', f);
	}
	if (r->ndetail)
		fprintf(f, "\n%s  ", ind);
	fprintf(f, "]\n%s}", ind);
}
