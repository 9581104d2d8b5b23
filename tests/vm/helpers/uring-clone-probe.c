// SPDX-License-Identifier: GPL-2.0
/*
 * uring-clone-probe: does a READ_FIXED into an io_uring buffer registered over
 * a MAP_SHARED file mapping reach the file, and only that file?
 *
 * In DIR it makes a source file S, a data file D and a clone C, and does:
 * write S, map it shared and write it again through the mapping (so the
 * write fault ran), register the mapping as a fixed buffer, msync (writeback
 * cleans S), FICLONE S into C, READ_FIXED D into the buffer, fsync S,
 * syncfs, unregister, unmap, drop caches, then read C and S back from disk.
 *
 * Checks: C still holds what S held when it was cloned (a re-dirtied S must
 * not have been written in place into the blocks C shares), and S holds D
 * (the read was not lost).  A refused registration is reported, not judged:
 * the caller decides whether the file system had to refuse.  With --fault
 * clone-write the probe writes into C itself, and must then report it changed.
 *
 * Output, one key=value per line: register=ok|refused:ERRNO,
 * clone=unchanged|changed:BYTES|unsupported:ERRNO|skipped,
 * source=written|lost:BYTES|skipped.
 * Exit: 0 every check passed (or registration refused), 1 a check failed,
 * 2 usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PROBE_SIZE	(256 * 1024)

static const char *prog = "uring-clone-probe";
static char path_s[4096], path_c[4096], path_d[4096];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--fault clone-write] DIR\n"
		"\n"
		"  DIR                 an empty directory on the file system under test;\n"
		"                      the probe creates and removes probe-src, probe-data\n"
		"                      and probe-clone in it\n"
		"  --fault clone-write write into the clone after FICLONE, so that the\n"
		"                      clone check must fail (shows the check works); a\n"
		"                      refused registration then reads with pread(2)\n"
		"  -h, --help          this text\n"
		"\n"
		"Runs only in the pinwb test guest (/etc/pinwb-build): it needs root\n"
		"and writes /proc/sys/vm/drop_caches.\n"
		"Exit: 0 checks passed or registration refused, 1 a check failed,\n"
		"2 usage or setup error.\n", prog);
}

static void cleanup(void)
{
	unlink(path_s);
	unlink(path_c);
	unlink(path_d);
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	cleanup();
	exit(2);
}

#include "probe-pattern.h"

static void read_back(const char *path, unsigned char *buf)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("open for read-back");
	if (pread(fd, buf, PROBE_SIZE, 0) != PROBE_SIZE)
		die("pread for read-back");
	close(fd);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		die("drop_caches");
	close(fd);
}

#include "uring-ring.h"

int main(int argc, char **argv)
{
	static unsigned char data[PROBE_SIZE] __attribute__((aligned(4096)));
	int fault_clone_write = 0, registered = 1, clone_ok = 1, res, rc = 0;
	int fd_s, fd_c, fd_d;
	const char *dir = NULL;
	unsigned char *map;
	struct iovec iov;
	struct ring r;
	size_t bad;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--fault")) {
			if (i + 1 >= argc || strcmp(argv[i + 1], "clone-write")) {
				fprintf(stderr, "%s: --fault: accepted values: clone-write\n", prog);
				return 2;
			}
			fault_clone_write = 1;
			i++;
		} else if (argv[i][0] == '-' || dir) {
			fprintf(stderr, "%s: unknown argument '%s' (accepted: --fault clone-write, --help, DIR)\n",
				prog, argv[i]);
			return 2;
		} else {
			dir = argv[i];
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	/* It drops every page cache of the machine: the test guest only. */
	if (access("/etc/pinwb-build", F_OK)) {
		fprintf(stderr, "%s: not in the pinwb test guest (no /etc/pinwb-build): refusing to drop the page cache here\n",
			prog);
		return 2;
	}
	snprintf(path_s, sizeof(path_s), "%s/probe-src", dir);
	snprintf(path_c, sizeof(path_c), "%s/probe-clone", dir);
	snprintf(path_d, sizeof(path_d), "%s/probe-data", dir);
	fd_s = open(path_s, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd_s < 0)
		die("create probe-src");
	fd_c = open(path_c, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd_c < 0)
		die("create probe-clone");
	fd_d = open(path_d, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd_d < 0)
		die("create probe-data");

	fill(data, 0xd0);
	write_file(fd_d, data);
	fill(data, 0x5a);
	write_file(fd_s, data);
	close(fd_d);
	/* The read below comes from the device, not from D's page cache. */
	fd_d = open(path_d, O_RDONLY | O_DIRECT);
	if (fd_d < 0)
		die("open probe-data O_DIRECT");

	map = mmap(NULL, PROBE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_s, 0);
	if (map == MAP_FAILED)
		die("mmap probe-src");
	/* Write fault on every page, then let writeback clean them all. */
	memcpy(map, data, PROBE_SIZE);
	if (msync(map, PROBE_SIZE, MS_SYNC))
		die("msync");

	ring_setup(&r);
	iov.iov_base = map;
	iov.iov_len = PROBE_SIZE;
	if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
		printf("register=refused:%d\n", errno);
		if (!fault_clone_write) {
			printf("clone=skipped\nsource=skipped\n");
			cleanup();
			return 0;
		}
		/* The fault still has to show that the clone check fails. */
		registered = 0;
	} else {
		printf("register=ok\n");
	}
	/*
	 * Pinning for writing write-faulted the pages, dirtying them again:
	 * writeback cleans them now, so that only the re-dirtying after the
	 * read below can get its data written.
	 */
	if (msync(map, PROBE_SIZE, MS_SYNC))
		die("msync after registration");

	if (ioctl(fd_c, FICLONE, fd_s) < 0) {
		printf("clone=unsupported:%d\n", errno);
		clone_ok = 0;
	} else if (fault_clone_write) {
		fill(data, 0xd0);
		write_file(fd_c, data);
	}

	if (registered) {
		res = ring_read_fixed(&r, fd_d, map, PROBE_SIZE);
	} else {
		/*
		 * Through the page tables, so the write fault unshares as it
		 * must; buffered, so no direct I/O pins the mapping's pages.
		 */
		int fd_b = open(path_d, O_RDONLY);

		if (fd_b < 0)
			die("open probe-data");
		res = (int)pread(fd_b, map, PROBE_SIZE, 0);
		close(fd_b);
	}
	if (res != PROBE_SIZE) {
		errno = res < 0 ? -res : EIO;
		die("READ_FIXED");
	}
	if (fsync(fd_s))
		die("fsync probe-src");
	if (syncfs(fd_s))
		die("syncfs");
	if (registered &&
	    syscall(__NR_io_uring_register, r.fd, IORING_UNREGISTER_BUFFERS, NULL, 0) < 0)
		die("IORING_UNREGISTER_BUFFERS");
	close(r.fd);
	munmap(map, PROBE_SIZE);
	close(fd_s);
	close(fd_c);
	close(fd_d);
	drop_caches();

	if (clone_ok) {
		read_back(path_c, data);
		bad = mismatches(data, 0x5a);
		if (bad) {
			printf("clone=changed:%zu\n", bad);
			rc = 1;
		} else {
			printf("clone=unchanged\n");
		}
	}
	read_back(path_s, data);
	bad = mismatches(data, 0xd0);
	if (bad) {
		printf("source=lost:%zu\n", bad);
		rc = 1;
	} else {
		printf("source=written\n");
	}
	cleanup();
	return rc;
}
