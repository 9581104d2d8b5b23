// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb targets: generation-0 layout and locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockfmt.h"
#include "target.h"

#define PREP_CHUNK	(1U << 20)
#define MARK_MAGIC	"PINWBTGT 1"

/*
 * Paths this process created as targets.  fio may unlink and re-create a
 * file it lays out between the engine's setup() and init(), so the marker
 * written at creation can name a file that is gone; a path created here is
 * pinwb's for the whole run and its marker is rewritten for what is there.
 */
static pthread_mutex_t created_lock = PTHREAD_MUTEX_INITIALIZER;
static char **created;
static size_t ncreated;

static void remember_created(const char *path)
{
	char **n;

	pthread_mutex_lock(&created_lock);
	n = realloc(created, (ncreated + 1) * sizeof(*created));
	if (n) {
		created = n;
		created[ncreated] = strdup(path);
		if (created[ncreated])
			ncreated++;
	}
	pthread_mutex_unlock(&created_lock);
}

static bool was_created(const char *path)
{
	bool found = false;

	pthread_mutex_lock(&created_lock);
	for (size_t i = 0; i < ncreated && !found; i++)
		found = !strcmp(created[i], path);
	pthread_mutex_unlock(&created_lock);
	return found;
}

static char *marker_path(const char *path)
{
	char *m;

	if (asprintf(&m, "%s%s", path, PWB_TGT_SUFFIX) < 0)
		return NULL;
	return m;
}

/*
 * What a marker says about its file: device, inode and birth time (when the
 * file system records it), so a file put in the place of a marked one,
 * even on a reused inode number, is not taken for it.
 */
static int file_id(int dirfd, const char *path, int flags, char *buf,
		   size_t len)
{
	struct statx sx;

	if (statx(dirfd, path, flags, STATX_INO | STATX_TYPE | STATX_BTIME,
		  &sx))
		return -errno;
	if (!S_ISREG(sx.stx_mode))
		return -EINVAL;
	snprintf(buf, len, MARK_MAGIC " %u:%u %llu %lld.%u\n",
		 sx.stx_dev_major, sx.stx_dev_minor,
		 (unsigned long long)sx.stx_ino,
		 (sx.stx_mask & STATX_BTIME) ? (long long)sx.stx_btime.tv_sec : 0,
		 (sx.stx_mask & STATX_BTIME) ? sx.stx_btime.tv_nsec : 0);
	return 0;
}

bool pwb_target_is_marked(const char *path)
{
	char *m = marker_path(path);
	char line[160], want[160];
	bool ok = false;
	FILE *f;

	if (!m)
		return false;
	f = fopen(m, "re");
	free(m);
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) &&
	    !file_id(AT_FDCWD, path, 0, want, sizeof(want)))
		ok = !strcmp(line, want);
	fclose(f);
	return ok;
}

static int mark(const char *path, int fd, char *err, size_t errlen)
{
	char *m = marker_path(path);
	char id[160];
	FILE *f;
	int e;

	if (!m)
		return -ENOMEM;
	e = -file_id(fd, "", AT_EMPTY_PATH, id, sizeof(id));
	if (e)
		goto fail;
	f = fopen(m, "we");
	if (!f) {
		e = errno;
		goto fail;
	}
	fputs(id, f);
	if (fclose(f)) {
		e = errno;
		unlink(m);
		goto fail;
	}
	free(m);
	return 0;
fail:
	snprintf(err, errlen, "target %s: cannot write its ownership marker %s%s: %s",
		 path, path, PWB_TGT_SUFFIX, strerror(e));
	free(m);
	return -e;
}

int pwb_target_mark(const char *path, char *err, size_t errlen)
{
	int fd, ret;

	if (pwb_target_is_marked(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "target %s: %s", path, strerror(errno));
		return ret;
	}
	ret = mark(path, fd, err, errlen);
	close(fd);
	return ret;
}

int pwb_target_claim(const char *path, bool overwrite, bool *ours,
		     char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	*ours = false;
	if (stat(path, &st)) {
		if (errno != ENOENT) {
			ret = -errno;
			snprintf(err, errlen, "target %s: %s", path,
				 strerror(errno));
			return ret;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST)
			return pwb_target_claim(path, overwrite, ours, err,
						errlen);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "target %s: create: %s", path,
				 strerror(errno));
			return ret;
		}
		ret = mark(path, fd, err, errlen);
		close(fd);
		if (ret) {
			unlink(path);	/* just created, empty */
			return ret;
		}
		remember_created(path);
		*ours = true;
		return 0;
	}
	if (S_ISREG(st.st_mode) && pwb_target_is_marked(path)) {
		*ours = true;
		return 0;
	}
	if (S_ISREG(st.st_mode) && was_created(path)) {
		ret = pwb_target_mark(path, err, errlen);
		if (ret)
			return ret;
		*ours = true;
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(err, errlen,
			 "target %s is neither a regular file nor a block device: refused",
			 path);
		return -EPERM;
	}
	if (overwrite)
		return 0;
	if (S_ISBLK(st.st_mode))
		snprintf(err, errlen,
			 "target %s is a block device: refused, since a job that reads would lay out blocks over it and one that writes overwrites it; to hand the whole device to pinwb set pinwb_overwrite_target=1",
			 path);
	else
		snprintf(err, errlen,
			 "target %s exists and pinwb did not create it (no %s%s marker): refused, since a job that reads would lay out blocks over it and one that writes overwrites it; give a new file name, or set pinwb_overwrite_target=1 to let pinwb use it (a pure read job then never writes it)",
			 path, path, PWB_TGT_SUFFIX);
	return -EPERM;
}

int pwb_target_lock(const char *path, bool exclusive, int *fd, char *err,
		    size_t errlen)
{
	int e, lfd = open(path, O_RDONLY | O_CLOEXEC);

	if (lfd < 0) {
		e = errno;
		snprintf(err, errlen, "target %s: %s", path, strerror(e));
		return -e;
	}
	if (!flock(lfd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		*fd = lfd;
		return 0;
	}
	e = errno;
	close(lfd);
	if (e == EWOULDBLOCK) {
		snprintf(err, errlen,
			 "target %s is used by another running pinwb job and %s writes: each job keeps its own generation map, so jobs that write need their own target file (filename=, or nrfiles/filename_format per job)",
			 path, exclusive ? "this job" : "that job");
		return -EBUSY;
	}
	snprintf(err, errlen, "flock %s: %s", path, strerror(e));
	return -e;
}

static int write_all(int fd, const char *buf, size_t len, uint64_t off,
		     const char *path, char *err, size_t errlen)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, buf + done, len - done,
				   (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;

			snprintf(err, errlen, "preparing target %s at %" PRIu64
				 ": %s", path, off + done, strerror(e));
			return -e;
		}
		done += (size_t)r;
	}
	return 0;
}

uint64_t pwb_target_nonce(uint64_t run_nonce, const char *path)
{
	struct stat st;
	uint64_t dev, ino;

	if (stat(path, &st))
		return pwb_mix64(run_nonce);
	dev = S_ISBLK(st.st_mode) ? (uint64_t)st.st_rdev : (uint64_t)st.st_dev;
	ino = S_ISBLK(st.st_mode) ? 0 : (uint64_t)st.st_ino;
	return pwb_mix64(run_nonce ^ pwb_mix64(dev + 0x9e3779b97f4a7c15ULL) ^
			 pwb_mix64(ino * 0xbf58476d1ce4e5b9ULL + 1));
}

int pwb_target_prepare(const char *path, uint64_t base, uint64_t nblocks,
		       uint32_t bs, unsigned int file, uint64_t nonce,
		       char *err, size_t errlen)
{
	uint64_t per = PREP_CHUNK / bs ? PREP_CHUNK / bs : 1;
	char *buf;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen,
			 "preparing target %s: open with O_DIRECT: %s", path,
			 strerror(errno));
		return ret;
	}
	if (posix_memalign((void **)&buf, 4096, per * bs)) {
		close(fd);
		snprintf(err, errlen, "preparing target %s: out of memory",
			 path);
		return -ENOMEM;
	}
	for (uint64_t k = 0; k < nblocks && !ret; k += per) {
		uint64_t n = nblocks - k < per ? nblocks - k : per;
		uint64_t off = base + k * bs;

		for (uint64_t i = 0; i < n; i++)
			pwb_block_fill(buf + i * bs, bs, PWB_GEN0_SEED, nonce,
				       pwb_target_make(file, off + i * bs), 0);
		ret = write_all(fd, buf, n * bs, off, path, err, errlen);
	}
	free(buf);
	if (!ret && fdatasync(fd)) {
		ret = -errno;
		snprintf(err, errlen, "preparing target %s: fdatasync: %s",
			 path, strerror(errno));
	}
	close(fd);
	return ret;
}
