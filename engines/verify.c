// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb verification: slot check, page cache drop with mincore proof,
 * O_DIRECT read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "verify.h"

#define DROP_TRIES	5
#define READ_CHUNK	(4U << 20)

void pwb_verify_result_init(struct pwb_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	res->outcome = PWB_V_SKIPPED;
}

const char *pwb_outcome_str(enum pwb_outcome o)
{
	switch (o) {
	case PWB_V_INTACT:
		return "intact";
	case PWB_V_MISMATCH:
		return "mismatch";
	case PWB_V_SETUP:
		return "setup_error";
	case PWB_V_SKIPPED:
		return "skipped";
	}
	return "?";
}

static bool id_matches(const struct pwb_identity *id,
		       const struct pwb_rec_entry *e, uint64_t seed)
{
	/* generation 0 is the prepared target content, seed 0 (blockfmt.h) */
	if (id->target != e->target || id->seed != (id->gen ? seed : 0) ||
	    id->nonce != e->nonce)
		return false;
	if (e->state == PWB_SLOT_ONE)
		return id->gen == e->gen_lo;
	return id->gen >= e->gen_lo && id->gen <= e->gen_hi;
}

int pwb_verify_slot(const void *data, const struct pwb_record *rec,
		    uint64_t slot, struct pwb_mismatch *m)
{
	const struct pwb_rec_entry *e = &rec->e[slot];
	struct pwb_identity id;
	enum pwb_block_status st;

	memset(&id, 0, sizeof(id));
	st = pwb_block_decode(data, rec->slot_size, &id);
	if (st == PWB_BLK_OK && id_matches(&id, e, rec->seed))
		return 0;
	memset(m, 0, sizeof(*m));
	m->slot = slot;
	m->buffer_offset = slot * rec->slot_size;
	m->expected = *e;
	m->expected_seed = rec->seed;
	m->status = st == PWB_BLK_OK ? PWB_FOUND_WRONG_ID : (int)st;
	m->have_id = st != PWB_BLK_BAD_MAGIC;
	m->found = id;
	return 1;
}

static void note_mismatch(struct pwb_verify_result *res,
			  const struct pwb_mismatch *m)
{
	if (res->ndetail < PWB_VERIFY_DETAIL)
		res->detail[res->ndetail++] = *m;
	res->mismatches++;
}

enum pwb_outcome pwb_verify_memory(const void *base,
				   const struct pwb_record *rec,
				   const volatile uint8_t *skip,
				   struct pwb_verify_result *res)
{
	const char *p = base;
	struct pwb_mismatch m;

	res->ran = true;
	for (uint64_t i = 0; i < rec->nslots; i++) {
		if (rec->e[i].state == PWB_SLOT_UNUSED || (skip && skip[i]))
			continue;
		res->slots_checked++;
		if (pwb_verify_slot(p + i * rec->slot_size, rec, i, &m))
			note_mismatch(res, &m);
	}
	res->outcome = res->mismatches ? PWB_V_MISMATCH : PWB_V_INTACT;
	return res->outcome;
}

static long resident_pages(int fd, size_t size, char *err, size_t errlen)
{
	long psz = sysconf(_SC_PAGESIZE);
	size_t npages = (size + psz - 1) / psz;
	unsigned char *vec;
	long n = 0;
	void *map;

	if (!size)
		return 0;
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "mmap for mincore: %s", strerror(errno));
		return -errno;
	}
	vec = malloc(npages);
	if (!vec) {
		munmap(map, size);
		return -ENOMEM;
	}
	if (mincore(map, size, vec)) {
		int e = errno;

		snprintf(err, errlen, "mincore: %s", strerror(e));
		free(vec);
		munmap(map, size);
		return -e;
	}
	for (size_t i = 0; i < npages; i++)
		n += vec[i] & 1;
	free(vec);
	munmap(map, size);
	return n;
}

long pwb_drop_cache(int fd, char *err, size_t errlen)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct stat st;
	long left = 0;
	int r;

	if (fstat(fd, &st)) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < DROP_TRIES; i++) {
		if (fsync(fd)) {
			snprintf(err, errlen, "fsync: %s", strerror(errno));
			return -errno;
		}
		r = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (r) {
			snprintf(err, errlen, "posix_fadvise(DONTNEED): %s",
				 strerror(r));
			return -r;
		}
		left = resident_pages(fd, st.st_size, err, errlen);
		if (left <= 0)
			return left;
		nanosleep(&ts, NULL);
	}
	snprintf(err, errlen,
		 "cache not dropped: %ld page(s) still resident after %d tries",
		 left, DROP_TRIES);
	return left;
}

enum pwb_outcome pwb_verify_file(const char *path,
				 const struct pwb_record *rec,
				 struct pwb_verify_result *res)
{
	size_t chunk = READ_CHUNK - READ_CHUNK % rec->slot_size;
	uint64_t slot = 0, have;
	struct pwb_mismatch m;
	char *buf = NULL;
	struct stat st;
	long left;
	int fd;

	res->ran = true;
	if (chunk < rec->slot_size)
		chunk = rec->slot_size;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(res->error, sizeof(res->error), "open %s: %s", path,
			 strerror(errno));
		return res->outcome = PWB_V_SETUP;
	}
	left = pwb_drop_cache(fd, res->error, sizeof(res->error));
	res->pages_resident = left > 0 ? (uint64_t)left : 0;
	if (left != 0) {
		close(fd);
		return res->outcome = PWB_V_SETUP;
	}
	res->cache_dropped = true;
	if (fstat(fd, &st)) {
		snprintf(res->error, sizeof(res->error), "fstat %s: %s", path,
			 strerror(errno));
		close(fd);
		return res->outcome = PWB_V_SETUP;
	}
	close(fd);

	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		snprintf(res->error, sizeof(res->error),
			 "open %s with O_DIRECT: %s%s", path, strerror(errno),
			 errno == EINVAL ? " (file system without O_DIRECT)" :
			 "");
		return res->outcome = PWB_V_SETUP;
	}
	if (posix_memalign((void **)&buf, 4096, chunk)) {
		close(fd);
		snprintf(res->error, sizeof(res->error), "out of memory");
		return res->outcome = PWB_V_SETUP;
	}
	have = (uint64_t)st.st_size / rec->slot_size;
	while (slot < rec->nslots) {
		uint64_t n = chunk / rec->slot_size, got;
		ssize_t r;

		if (slot >= have) {
			/* the file ends before this slot does */
			if (rec->e[slot].state != PWB_SLOT_UNUSED) {
				res->slots_checked++;
				memset(&m, 0, sizeof(m));
				m.slot = slot;
				m.buffer_offset = slot * rec->slot_size;
				m.expected = rec->e[slot];
				m.status = PWB_FOUND_SHORT;
				note_mismatch(res, &m);
			}
			slot++;
			continue;
		}
		if (n > have - slot)
			n = have - slot;
		r = pread(fd, buf, n * rec->slot_size,
			  (off_t)(slot * rec->slot_size));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(res->error, sizeof(res->error),
				 "O_DIRECT read of %s at %" PRIu64 ": %s", path,
				 slot * rec->slot_size, strerror(errno));
			free(buf);
			close(fd);
			return res->outcome = PWB_V_SETUP;
		}
		got = (uint64_t)r / rec->slot_size;
		if (!got) {
			have = slot;	/* treat the rest as short */
			continue;
		}
		for (uint64_t i = 0; i < got; i++, slot++) {
			if (rec->e[slot].state == PWB_SLOT_UNUSED)
				continue;
			res->slots_checked++;
			if (pwb_verify_slot(buf + i * rec->slot_size, rec, slot,
					    &m))
				note_mismatch(res, &m);
		}
	}
	free(buf);
	close(fd);
	res->outcome = res->mismatches ? PWB_V_MISMATCH : PWB_V_INTACT;
	return res->outcome;
}

const char *pwb_found_status_str(int st)
{
	if (st == PWB_FOUND_SHORT)
		return "short file";
	if (st == PWB_FOUND_WRONG_ID)
		return "ok";
	return pwb_block_status_str((enum pwb_block_status)st);
}

void pwb_mismatch_str(const struct pwb_mismatch *m, char *buf, size_t len)
{
	const struct pwb_rec_entry *e = &m->expected;
	char exp[96], found[200];

	if (e->state == PWB_SLOT_EITHER)
		snprintf(exp, sizeof(exp), "target 0x%" PRIx64 " gen %" PRIu64
			 "..%" PRIu64, e->target, e->gen_lo, e->gen_hi);
	else
		snprintf(exp, sizeof(exp), "target 0x%" PRIx64 " gen %" PRIu64,
			 e->target, e->gen_lo);
	if (m->status == PWB_FOUND_WRONG_ID && m->found.nonce != e->nonce)
		snprintf(found, sizeof(found),
			 "target 0x%" PRIx64 " gen %" PRIu64 " of another run or file (nonce 0x%" PRIx64 ", expected 0x%" PRIx64 ")",
			 m->found.target, m->found.gen, m->found.nonce,
			 e->nonce);
	else if (m->status == PWB_FOUND_WRONG_ID &&
		 m->found.seed != (m->found.gen ? m->expected_seed : 0))
		snprintf(found, sizeof(found),
			 "target 0x%" PRIx64 " gen %" PRIu64 " seed %" PRIu64,
			 m->found.target, m->found.gen, m->found.seed);
	else if (m->status == PWB_FOUND_WRONG_ID)
		snprintf(found, sizeof(found),
			 "target 0x%" PRIx64 " gen %" PRIu64,
			 m->found.target, m->found.gen);
	else if (m->status == PWB_BLK_BAD_CSUM)
		snprintf(found, sizeof(found),
			 "bad checksum (header says target 0x%" PRIx64
			 " gen %" PRIu64 ")", m->found.target, m->found.gen);
	else
		snprintf(found, sizeof(found), "%s", pwb_found_status_str(m->status));
	snprintf(buf, len, "slot %" PRIu64 " offset 0x%" PRIx64
		 ": expected %s, found %s", m->slot, m->buffer_offset, exp,
		 found);
}

void pwb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void pwb_verify_json(FILE *f, const struct pwb_verify_result *res,
		     const char *ind)
{
	fprintf(f, "{\n%s  \"ran\": %s,\n%s  \"result\": \"%s\",\n", ind,
		res->ran ? "true" : "false", ind, pwb_outcome_str(res->outcome));
	fprintf(f, "%s  \"slots_checked\": %" PRIu64 ",\n%s  \"mismatches\": %"
		PRIu64 ",\n", ind, res->slots_checked, ind, res->mismatches);
	fprintf(f, "%s  \"cache_dropped\": %s,\n%s  \"pages_resident\": %"
		PRIu64 ",\n", ind, res->cache_dropped ? "true" : "false", ind,
		res->pages_resident);
	fprintf(f, "%s  \"error\": ", ind);
	pwb_json_str(f, res->error);
	fprintf(f, ",\n%s  \"first_mismatches\": [", ind);
	for (unsigned int i = 0; i < res->ndetail; i++) {
		const struct pwb_mismatch *m = &res->detail[i];
		char msg[320];

		pwb_mismatch_str(m, msg, sizeof(msg));
		fprintf(f, "%s\n%s    {\"slot\": %" PRIu64
			", \"buffer_offset\": %" PRIu64
			", \"expected\": {\"state\": %u, \"target\": %" PRIu64
			", \"gen_lo\": %" PRIu64 ", \"gen_hi\": %" PRIu64
			", \"nonce\": %" PRIu64 "}",
			i ? "," : "", ind, m->slot, m->buffer_offset,
			m->expected.state, m->expected.target,
			m->expected.gen_lo, m->expected.gen_hi,
			m->expected.nonce);
		fprintf(f, ", \"found\": {\"status\": \"%s\"",
			pwb_found_status_str(m->status));
		if (m->have_id)
			fprintf(f, ", \"target\": %" PRIu64 ", \"gen\": %" PRIu64
				", \"seed\": %" PRIu64 ", \"nonce\": %" PRIu64
				", \"version\": %u", m->found.target,
				m->found.gen, m->found.seed, m->found.nonce,
				m->found.version);
		fprintf(f, "}, \"message\": ");
		pwb_json_str(f, msg);
		fputc('}', f);
	}
	if (res->ndetail)
		fprintf(f, "\n%s  ", ind);
	fprintf(f, "]\n%s}", ind);
}
