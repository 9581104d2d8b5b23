// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb buffer arena: create/map the buffer memory, NUMA placement, node
 * query, ownership of the buffer file.
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "arena.h"

#define HUGE_2M		(2ULL << 20)
#define NODE_SAMPLES	4096

const char *const pwb_buf_kind_names[] = {
	[PWB_BUF_FILE] = "file",
	[PWB_BUF_SHMEM] = "shmem",
	[PWB_BUF_ANON] = "anon",
	[PWB_BUF_HUGETLB] = "hugetlb",
};

uint64_t pwb_arena_align(enum pwb_buf_kind kind)
{
	return kind == PWB_BUF_HUGETLB ? HUGE_2M : 4096;
}

static char *str_cat(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s", a, b) < 0)
		return NULL;
	return s;
}

bool pwb_buffer_file_is_ours(const char *path)
{
	struct pwb_record rec;
	struct stat st;
	char err[256];
	char *rp;
	bool ok;

	rp = str_cat(path, PWB_REC_SUFFIX);
	if (!rp)
		return false;
	ok = !stat(path, &st) && S_ISREG(st.st_mode) &&
	     !pwb_record_read(&rec, rp, err, sizeof(err));
	if (ok) {
		ok = rec.file_size == (uint64_t)st.st_size ||
		     rec.file_size == 0;
		pwb_record_free(&rec);
	}
	free(rp);
	return ok;
}

static int open_buffer_file(struct pwb_arena *a,
			    const struct pwb_arena_args *args,
			    char *err, size_t errlen)
{
	const char *what = args->user_path ? "pinwb_buffer_file" :
			   "pinwb buffer file (default <target>.<job>.<subjob>" PWB_BUF_SUFFIX ")";
	struct statfs sfs;
	struct stat st;
	bool ours;

	if (args->user_path)
		a->path = strdup(args->user_path);
	else if (asprintf(&a->path, "%s.%s%s", args->first_target,
			  args->default_tag, PWB_BUF_SUFFIX) < 0)
		a->path = NULL;
	if (!a->path)
		return -ENOMEM;
	a->rec_path = str_cat(a->path, PWB_REC_SUFFIX);
	if (!a->rec_path)
		return -ENOMEM;

	a->fd = open(a->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (a->fd >= 0) {
		a->created = true;
	} else if (errno == EEXIST) {
		ours = pwb_buffer_file_is_ours(a->path);
		if (!ours && !args->overwrite) {
			snprintf(err, errlen,
				 "%s: %s exists and was not created by pinwb (no valid pinwb record %s beside it); refusing to overwrite it. Set pinwb_overwrite=1 to use it anyway, or name another file",
				 what, a->path, a->rec_path);
			return -EEXIST;
		}
		a->fd = open(a->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (a->fd < 0) {
			snprintf(err, errlen, "%s: open %s: %s", what, a->path,
				 strerror(errno));
			return -errno;
		}
		if (fstat(a->fd, &st) || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen,
				 "%s: %s is not a regular file; pinwb only maps regular files",
				 what, a->path);
			return -EINVAL;
		}
		/* pinwb made it in an earlier run: treat as this run's own */
		a->created = ours;
	} else {
		snprintf(err, errlen, "%s: create %s: %s", what, a->path,
			 strerror(errno));
		return -errno;
	}
	/* the default file lives beside the target only for this job */
	a->remove_at_end = a->created && !args->user_path;

	/* one job per buffer file: a second one would scribble on our slots */
	if (flock(a->fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		a->remove_at_end = false;
		snprintf(err, errlen, "%s: %s: %s", what, a->path,
			 e == EWOULDBLOCK ?
			 "in use by another running pinwb job; give each job its own buffer file" :
			 strerror(e));
		return -e;
	}

	if (fstat(a->fd, &st)) {
		snprintf(err, errlen, "%s: fstat: %s", what, strerror(errno));
		return -errno;
	}
	if (!fstatfs(a->fd, &sfs) &&
	    (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC)) {
		snprintf(err, errlen,
			 "%s: %s is on tmpfs/ramfs: its pages cannot be written back, dropped and read back from storage; put it on a disk file system, or use pinwb_buffer=shmem",
			 what, a->path);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size < a->size && ftruncate(a->fd, (off_t)a->size)) {
		snprintf(err, errlen, "%s: extend %s to %llu bytes: %s", what,
			 a->path, (unsigned long long)a->size, strerror(errno));
		return -errno;
	}
	return 0;
}

static int arena_open(struct pwb_arena *a, const struct pwb_arena_args *args,
		      char *err, size_t errlen);

int pwb_arena_open(struct pwb_arena *a, const struct pwb_arena_args *args,
		   char *err, size_t errlen)
{
	int ret = arena_open(a, args, err, errlen);

	/* a buffer file this run created and cannot use goes away again */
	if (ret && a->created)
		a->remove_at_end = true;
	return ret;
}

static int arena_open(struct pwb_arena *a, const struct pwb_arena_args *args,
		      char *err, size_t errlen)
{
	int flags = MAP_SHARED, fd = -1, ret;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->kind = args->kind;
	a->size = args->size;
	a->slot_size = args->slot_size;
	a->nslots = args->size / args->slot_size;
	a->numa_node = args->numa_node;

	switch (args->kind) {
	case PWB_BUF_FILE:
		ret = open_buffer_file(a, args, err, errlen);
		if (ret)
			return ret;
		fd = a->fd;
		break;
	case PWB_BUF_SHMEM:
		a->fd = memfd_create("pinwb-arena", MFD_CLOEXEC);
		if (a->fd < 0 || ftruncate(a->fd, (off_t)a->size)) {
			snprintf(err, errlen, "pinwb_buffer=shmem: memfd: %s",
				 strerror(errno));
			return -errno;
		}
		fd = a->fd;
		break;
	case PWB_BUF_ANON:
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case PWB_BUF_HUGETLB:
		flags = MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	}

	a->base = mmap(NULL, a->size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (a->base == MAP_FAILED) {
		int e = errno;

		a->base = NULL;
		if (args->kind == PWB_BUF_HUGETLB)
			snprintf(err, errlen,
				 "pinwb_buffer=hugetlb: cannot map %llu bytes of 2 MiB huge pages (%s): no free huge pages reserved? Raise vm.nr_hugepages (e.g. sysctl vm.nr_hugepages=%llu) or choose pinwb_buffer=anon|shmem|file",
				 (unsigned long long)a->size, strerror(e),
				 (unsigned long long)(a->size / HUGE_2M));
		else
			snprintf(err, errlen, "pinwb_buffer=%s: mmap %llu bytes: %s",
				 pwb_buf_kind_names[args->kind],
				 (unsigned long long)a->size, strerror(e));
		return -e;
	}

	if (a->numa_node >= 0) {
		struct bitmask *bm;

		if (numa_available() < 0) {
			snprintf(err, errlen,
				 "pinwb_numa_node=%d: NUMA not available here; accepted: -1",
				 a->numa_node);
			return -EINVAL;
		}
		bm = numa_allocate_nodemask();
		numa_bitmask_setbit(bm, (unsigned int)a->numa_node);
		if (mbind(a->base, a->size, MPOL_BIND, bm->maskp, bm->size + 1,
			  0)) {
			snprintf(err, errlen, "pinwb_numa_node=%d: mbind: %s",
				 a->numa_node, strerror(errno));
			numa_free_nodemask(bm);
			return -errno;
		}
		/*
		 * Page cache pages of a shared file mapping follow the
		 * allocating task's policy, not the VMA's: prefer the node
		 * for this job thread as well.
		 */
		if (args->kind == PWB_BUF_FILE)
			numa_set_preferred(a->numa_node);
		numa_free_nodemask(bm);
	}

	a->busy = calloc(a->nslots, 1);
	if (!a->busy)
		return -ENOMEM;
	return 0;
}

void pwb_arena_query_nodes(struct pwb_arena *a, const struct pwb_record *rec)
{
	void **pages;
	int *status;
	unsigned long seen[16] = { 0 };
	uint64_t used = 0, step, n = 0;
	size_t len = 0;

	a->numa_seen[0] = '\0';
	if (!a->base || numa_available() < 0)
		return;
	for (uint64_t i = 0; i < rec->nslots; i++)
		used += rec->e[i].state != PWB_SLOT_UNUSED;
	if (!used)
		return;
	pages = calloc(NODE_SAMPLES, sizeof(*pages));
	status = calloc(NODE_SAMPLES, sizeof(*status));
	if (!pages || !status)
		goto out;
	step = used / NODE_SAMPLES + 1;
	for (uint64_t i = 0, k = 0; i < rec->nslots && n < NODE_SAMPLES; i++) {
		if (rec->e[i].state == PWB_SLOT_UNUSED)
			continue;
		if (k++ % step == 0)
			pages[n++] = pwb_slot_addr(a, i);
	}
	if (move_pages(0, n, pages, NULL, status, 0))
		goto out;
	for (uint64_t i = 0; i < n; i++)
		if (status[i] >= 0 && status[i] < 1024)
			seen[status[i] / 64] |= 1UL << (status[i] % 64);
	for (int node = 0; node < 1024; node++) {
		if (!(seen[node / 64] & (1UL << (node % 64))))
			continue;
		len += snprintf(a->numa_seen + len, sizeof(a->numa_seen) - len,
				"%s%d", len ? "," : "", node);
		if (len >= sizeof(a->numa_seen))
			break;
	}
out:
	free(pages);
	free(status);
}

int pwb_arena_unmap(struct pwb_arena *a, char *err, size_t errlen)
{
	int ret = 0;

	if (!a->base)
		return 0;
	if (a->kind == PWB_BUF_FILE) {
		if (msync(a->base, a->size, MS_SYNC)) {
			ret = -errno;
			snprintf(err, errlen, "msync %s: %s", a->path,
				 strerror(errno));
		} else if (fsync(a->fd)) {
			ret = -errno;
			snprintf(err, errlen, "fsync %s: %s", a->path,
				 strerror(errno));
		}
	}
	munmap(a->base, a->size);
	a->base = NULL;
	return ret;
}

void pwb_arena_close(struct pwb_arena *a)
{
	if (a->base) {
		munmap(a->base, a->size);
		a->base = NULL;
	}
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	if (a->remove_at_end && a->path)
		unlink(a->path);
	if (a->remove_at_end && a->rec_path)
		unlink(a->rec_path);
	a->remove_at_end = false;
	free(a->busy);
	free(a->path);
	free(a->rec_path);
	a->busy = NULL;
	a->path = NULL;
	a->rec_path = NULL;
}
