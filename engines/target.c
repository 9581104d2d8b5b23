// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb targets: generation-0 layout and locking.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "blockfmt.h"
#include "target.h"

#define PREP_CHUNK	(1U << 20)

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

int pwb_target_prepare(const char *path, uint64_t base, uint64_t nblocks,
		       uint32_t bs, unsigned int file, char *err,
		       size_t errlen)
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
			pwb_block_fill(buf + i * bs, bs, PWB_GEN0_SEED,
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
