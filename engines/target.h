/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb targets: preparing a job's range of a target file (generation-0
 * blocks) and the flock that keeps writing jobs apart.  No fio dependency.
 */
#ifndef PINWB_TARGET_H
#define PINWB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * flock @path: shared for a job that only reads, exclusive for one that
 * writes.  *@fd gets the lock's descriptor.  Returns 0, -EBUSY (another
 * job holds it) or -errno, with a message in @err.
 */
int pwb_target_lock(const char *path, bool exclusive, int *fd, char *err,
		    size_t errlen);

/*
 * Write generation-0 blocks over @nblocks blocks of @bs bytes from @base
 * of @path (file number @file in the job) with O_DIRECT from a private
 * buffer, so every read lands a block with a known identity.  Returns 0 or
 * -errno with a message in @err.
 */
int pwb_target_prepare(const char *path, uint64_t base, uint64_t nblocks,
		       uint32_t bs, unsigned int file, char *err,
		       size_t errlen);

#endif
