// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb verification record: read and write.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"

int pwb_record_init(struct pwb_record *rec, uint32_t slot_size,
		    uint64_t nslots, uint64_t seed, uint64_t file_size)
{
	memset(rec, 0, sizeof(*rec));
	rec->slot_size = slot_size;
	rec->nslots = nslots;
	rec->seed = seed;
	rec->file_size = file_size;
	rec->e = calloc(nslots ? nslots : 1, sizeof(*rec->e));
	return rec->e ? 0 : -ENOMEM;
}

void pwb_record_free(struct pwb_record *rec)
{
	free(rec->e);
	rec->e = NULL;
}

static void put64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int pwb_record_write(const struct pwb_record *rec, const char *path,
		     char *err, size_t errlen)
{
	unsigned char hdr[PWB_REC_HDR_SIZE];
	unsigned char *buf = NULL;
	size_t chunk = 4096, n = 0;
	char *tmp;
	int fd, ret;

	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "record %s: create %s: %s", path, tmp,
			 strerror(errno));
		free(tmp);
		return ret;
	}
	memcpy(hdr, PWB_REC_MAGIC, 8);
	put32(hdr + 8, PWB_REC_VERSION);
	put32(hdr + 12, rec->slot_size);
	put64(hdr + 16, rec->nslots);
	put64(hdr + 24, rec->seed);
	put64(hdr + 32, rec->file_size);
	put64(hdr + 40, rec->nonce);
	ret = write_all(fd, hdr, sizeof(hdr));
	buf = malloc(chunk * PWB_REC_ENTRY_SIZE);
	if (!buf)
		ret = -ENOMEM;
	for (uint64_t i = 0; !ret && i < rec->nslots; i++) {
		unsigned char *p = buf + n * PWB_REC_ENTRY_SIZE;
		const struct pwb_rec_entry *e = &rec->e[i];

		put32(p, e->state);
		put32(p + 4, 0);
		put64(p + 8, e->target);
		put64(p + 16, e->gen_lo);
		put64(p + 24, e->gen_hi);
		put64(p + 32, e->nonce);
		if (++n == chunk || i + 1 == rec->nslots) {
			ret = write_all(fd, buf, n * PWB_REC_ENTRY_SIZE);
			n = 0;
		}
	}
	free(buf);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "record %s: write: %s", path,
			 strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENODATA;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int pwb_record_read(struct pwb_record *rec, const char *path,
		    char *err, size_t errlen)
{
	unsigned char hdr[PWB_REC_HDR_SIZE], ent[PWB_REC_ENTRY_SIZE];
	uint32_t version, slot_size;
	uint64_t nslots;
	struct stat st;
	FILE *f;
	int fd, ret;

	memset(rec, 0, sizeof(*rec));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "record %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || read_all(fd, hdr, sizeof(hdr))) {
		snprintf(err, errlen, "record %s: too short for a header",
			 path);
		close(fd);
		return -EINVAL;
	}
	if (memcmp(hdr, PWB_REC_MAGIC, 8)) {
		snprintf(err, errlen, "record %s: not a pinwb record (bad magic)",
			 path);
		close(fd);
		return -EINVAL;
	}
	version = get32(hdr + 8);
	if (version != PWB_REC_VERSION) {
		snprintf(err, errlen,
			 "record %s: version %u, this tool reads version %u",
			 path, version, PWB_REC_VERSION);
		close(fd);
		return -EINVAL;
	}
	slot_size = get32(hdr + 12);
	nslots = get64(hdr + 16);
	if (slot_size < 512 || slot_size % 512 ||
	    (uint64_t)st.st_size != PWB_REC_HDR_SIZE +
	    nslots * PWB_REC_ENTRY_SIZE) {
		snprintf(err, errlen,
			 "record %s: inconsistent (slot size %u, %llu slots, %lld bytes)",
			 path, slot_size, (unsigned long long)nslots,
			 (long long)st.st_size);
		close(fd);
		return -EINVAL;
	}
	ret = pwb_record_init(rec, slot_size, nslots, get64(hdr + 24),
			      get64(hdr + 32));
	rec->nonce = get64(hdr + 40);
	if (ret) {
		close(fd);
		snprintf(err, errlen, "record %s: out of memory", path);
		return ret;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		pwb_record_free(rec);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < nslots; i++) {
		struct pwb_rec_entry *e = &rec->e[i];

		if (fread(ent, sizeof(ent), 1, f) != 1) {
			snprintf(err, errlen, "record %s: short read", path);
			fclose(f);
			pwb_record_free(rec);
			return -EIO;
		}
		e->state = get32(ent);
		e->target = get64(ent + 8);
		e->gen_lo = get64(ent + 16);
		e->gen_hi = get64(ent + 24);
		e->nonce = get64(ent + 32);
		if (e->state > PWB_SLOT_EITHER) {
			snprintf(err, errlen, "record %s: slot %llu has state %u",
				 path, (unsigned long long)i, e->state);
			fclose(f);
			pwb_record_free(rec);
			return -EINVAL;
		}
	}
	fclose(f);
	return 0;
}
