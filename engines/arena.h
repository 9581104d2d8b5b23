/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb buffer arena: the memory every I/O goes through, divided into slots
 * of bs bytes.  Kinds: a MAP_SHARED mapping of a real file, shmem (memfd),
 * anonymous memory, hugetlb.  No fio dependency.
 */
#ifndef PINWB_ARENA_H
#define PINWB_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum pwb_buf_kind {
	PWB_BUF_FILE = 0,
	PWB_BUF_SHMEM,
	PWB_BUF_ANON,
	PWB_BUF_HUGETLB,
};

extern const char *const pwb_buf_kind_names[];

#define PWB_REC_SUFFIX	".pinwb-rec"
#define PWB_BUF_SUFFIX	".pinwb-buf"

struct pwb_arena {
	enum pwb_buf_kind kind;
	char *path;		/* buffer file (file kind) */
	char *rec_path;		/* <path>.pinwb-rec: record and ownership marker */
	bool created;		/* this run created path */
	bool remove_at_end;	/* unlink path and rec_path in close */
	int fd;			/* file or memfd, -1 otherwise */
	char *base;
	uint64_t size;
	uint32_t slot_size;
	uint64_t nslots;
	uint8_t *busy;		/* 1 while a slot is in flight */
	uint64_t cursor;	/* round robin position */
	int numa_node;
	char numa_seen[128];	/* e.g. "0,1" or "" */
};

struct pwb_arena_args {
	enum pwb_buf_kind kind;
	const char *user_path;		/* pinwb_buffer_file or NULL */
	const char *first_target;	/* for the default path */
	const char *default_tag;	/* <job>.<subjob>, keeps jobs apart */
	bool overwrite;
	uint64_t size;			/* multiple of slot_size */
	uint32_t slot_size;
	int numa_node;			/* -1: none */
};

/* Granularity the arena size must be rounded to for @kind. */
uint64_t pwb_arena_align(enum pwb_buf_kind kind);

/*
 * Is @path (which exists) a buffer file pinwb made?  True when a valid
 * pinwb record sits beside it as <path>.pinwb-rec describing a file of its
 * size or smaller.
 */
bool pwb_buffer_file_is_ours(const char *path);

int pwb_arena_open(struct pwb_arena *a, const struct pwb_arena_args *args,
		   char *err, size_t errlen);

/* Record the NUMA nodes the used pages sit on into a->numa_seen. */
void pwb_arena_query_nodes(struct pwb_arena *a, const struct pwb_record *rec);

/* msync + fsync (file kind) then munmap.  Returns 0 or -errno. */
int pwb_arena_unmap(struct pwb_arena *a, char *err, size_t errlen);

/* Close; remove the buffer file and its record if this run owns them. */
void pwb_arena_close(struct pwb_arena *a);

static inline char *pwb_slot_addr(const struct pwb_arena *a, uint64_t slot)
{
	return a->base + slot * a->slot_size;
}

#endif
