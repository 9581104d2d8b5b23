// SPDX-License-Identifier: GPL-2.0
/*
 * uring-fsync-probe: once the CQE of a READ_FIXED into an io_uring buffer
 * registered over a MAP_SHARED file mapping is seen, does fsync(2) of that
 * file put the data on disk?
 *
 * In DIR it makes a buffer file B and a data file D, writes both, maps B
 * shared and writes it again through the mapping (write fault), registers
 * the mapping as fixed buffer 0, msyncs it (writeback cleans B), notes where
 * B's blocks are (FIEMAP, without its sync flag), then READ_FIXEDs D into
 * the buffer (O_DIRECT: completion from task_work; --buffered: D's page
 * cache, completed inline at issue; --async: issued from io-wq), waits for the CQE, calls fsync(B) at once and
 * reads B's blocks back from DEV with O_DIRECT: from outside the file and
 * its page cache, so nothing but that fsync (or earlier writeback) can have
 * put the data there.
 *
 * Output, one key=value per line: register=ok|refused:ERRNO,
 * ondisk=written|stale:BYTES|skipped.
 * Exit: 0 the data is on disk (or registration refused), 1 it is not,
 * 2 usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define PROBE_SIZE	(256 * 1024)
#define MAX_EXTENTS	64

static const char *prog = "uring-fsync-probe";
static char path_b[4096], path_d[4096];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--buffered] [--async] DIR DEV\n"
		"\n"
		"  --buffered  read D through its page cache (the read completes at\n"
		"              issue) instead of O_DIRECT\n"
		"  --async     issue the read from io-wq (IOSQE_ASYNC)\n"
		"  DIR         an empty directory on the file system under test; the\n"
		"              probe creates and removes fsync-probe-buf and\n"
		"              fsync-probe-data in it\n"
		"  DEV         the block device that file system is on (read only,\n"
		"              with O_DIRECT)\n"
		"  -h, --help  this text\n"
		"\n"
		"Exit: 0 the data is on disk after fsync (or registration refused),\n"
		"1 it is not, 2 usage or setup error.\n", prog);
}

static void cleanup(void)
{
	unlink(path_b);
	unlink(path_d);
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	cleanup();
	exit(2);
}

#include "uring-ring.h"

#include "probe-pattern.h"

struct extents {
	struct fiemap fm;
	struct fiemap_extent fe[MAX_EXTENTS];
};

/*
 * Where B's blocks are.  No FIEMAP_FLAG_SYNC: it would write dirty pages
 * and so hide a missing re-dirtying.  B was written and synced, and ext4
 * overwrites in place, so the mapping does not change later.
 */
static void map_extents(int fd, struct extents *x)
{
	memset(x, 0, sizeof(*x));
	x->fm.fm_length = PROBE_SIZE;
	x->fm.fm_extent_count = MAX_EXTENTS;
	if (ioctl(fd, FS_IOC_FIEMAP, &x->fm) < 0)
		die("FS_IOC_FIEMAP");
	for (unsigned int i = 0; i < x->fm.fm_mapped_extents; i++) {
		if (x->fe[i].fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |
					 FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE |
					 FIEMAP_EXTENT_NOT_ALIGNED | FIEMAP_EXTENT_UNWRITTEN)) {
			errno = EINVAL;
			die("FIEMAP: an extent cannot be read from the device");
		}
	}
}

/* Read B's bytes from @dev with O_DIRECT through the extents. */
static void read_device(const char *dev, const struct extents *x, unsigned char *buf)
{
	int fd = open(dev, O_RDONLY | O_DIRECT);
	size_t covered = 0;

	if (fd < 0)
		die("open DEV O_DIRECT");
	memset(buf, 0, PROBE_SIZE);
	for (unsigned int i = 0; i < x->fm.fm_mapped_extents; i++) {
		const struct fiemap_extent *e = &x->fe[i];
		size_t len;

		if (e->fe_logical >= PROBE_SIZE)
			continue;
		len = e->fe_length;
		if (len > PROBE_SIZE - e->fe_logical)
			len = PROBE_SIZE - e->fe_logical;
		if (pread(fd, buf + e->fe_logical, len, (off_t)e->fe_physical) != (ssize_t)len)
			die("pread DEV");
		covered += len;
	}
	close(fd);
	if (covered != PROBE_SIZE) {
		errno = ERANGE;
		die("FIEMAP does not cover the buffer file");
	}
}

int main(int argc, char **argv)
{
	static unsigned char data[PROBE_SIZE] __attribute__((aligned(4096)));
	static struct extents ext;
	const char *dir = NULL, *dev = NULL;
	unsigned char sqe_flags = 0;
	int fd_b, fd_d, res, i;
	int buffered = 0;
	unsigned char *map;
	struct iovec iov;
	struct ring r;
	size_t bad;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--buffered")) {
			buffered = 1;
		} else if (!strcmp(argv[i], "--async")) {
			sqe_flags |= IOSQE_ASYNC;
		} else if (argv[i][0] == '-' || (dir && dev)) {
			fprintf(stderr, "%s: unknown argument '%s' (accepted: --buffered, --async, --help, DIR DEV)\n",
				prog, argv[i]);
			return 2;
		} else if (!dir) {
			dir = argv[i];
		} else {
			dev = argv[i];
		}
	}
	if (!dir || !dev) {
		usage(stderr);
		return 2;
	}
	snprintf(path_b, sizeof(path_b), "%s/fsync-probe-buf", dir);
	snprintf(path_d, sizeof(path_d), "%s/fsync-probe-data", dir);
	fd_b = open(path_b, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd_b < 0)
		die("create fsync-probe-buf");
	fd_d = open(path_d, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd_d < 0)
		die("create fsync-probe-data");

	fill(data, 0xd0);
	write_file(fd_d, data);
	fill(data, 0x5a);
	write_file(fd_b, data);
	close(fd_d);
	/* O_DIRECT: the read below comes from the device, completing later. */
	fd_d = open(path_d, buffered ? O_RDONLY : O_RDONLY | O_DIRECT);
	if (fd_d < 0)
		die("open fsync-probe-data");
	map_extents(fd_b, &ext);

	map = mmap(NULL, PROBE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_b, 0);
	if (map == MAP_FAILED)
		die("mmap fsync-probe-buf");
	memcpy(map, data, PROBE_SIZE);
	ring_setup(&r);
	iov.iov_base = map;
	iov.iov_len = PROBE_SIZE;
	if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
		printf("register=refused:%d\nondisk=skipped\n", errno);
		cleanup();
		return 0;
	}
	printf("register=ok\n");
	/* Clean every page, so that only the re-dirtying can save the read. */
	if (msync(map, PROBE_SIZE, MS_SYNC))
		die("msync after registration");

	res = ring_read_fixed_flags(&r, fd_d, map, PROBE_SIZE, sqe_flags);
	if (res != PROBE_SIZE) {
		errno = res < 0 ? -res : EIO;
		die("READ_FIXED");
	}
	/* What an application does on seeing the CQE. */
	if (fsync(fd_b))
		die("fsync fsync-probe-buf");
	read_device(dev, &ext, data);
	bad = mismatches(data, 0xd0);
	if (bad)
		printf("ondisk=stale:%zu\n", bad);
	else
		printf("ondisk=written\n");

	if (syscall(__NR_io_uring_register, r.fd, IORING_UNREGISTER_BUFFERS, NULL, 0) < 0)
		die("IORING_UNREGISTER_BUFFERS");
	close(r.fd);
	munmap(map, PROBE_SIZE);
	close(fd_b);
	close(fd_d);
	cleanup();
	return bad ? 1 : 0;
}
