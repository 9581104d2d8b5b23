/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb targets: whether pinwb may write a target at all (ownership),
 * preparing a job's range of it (generation-0 blocks) and the flock that
 * keeps writing jobs apart.  No fio dependency.
 */
#ifndef PINWB_TARGET_H
#define PINWB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ownership marker beside a target pinwb created: "<target>.pinwb-tgt"
 * holding "PINWBTGT 1 <major>:<minor> <inode> <birth time>\n" of the
 * target it marks, so a marker left beside a file that was since replaced
 * does not count.
 */
#define PWB_TGT_SUFFIX	".pinwb-tgt"

/*
 * May pinwb lay out (write) @path?  A missing file is created here (empty,
 * O_EXCL) and marked: pinwb's.  A regular file with a valid marker is
 * pinwb's.  Anything else that exists, a user's file or a block device, is
 * refused (-EPERM, the message names the file and pinwb_overwrite_target=1)
 * unless @overwrite: then it is used but stays the user's (*@ours false).
 * Other file types are always refused.  Returns 0 or -errno.
 */
int pwb_target_claim(const char *path, bool overwrite, bool *ours,
		     char *err, size_t errlen);

/*
 * (Re)write the marker of a target that is pinwb's, for the file now at
 * @path: fio may have unlinked and re-created it while laying it out.
 */
int pwb_target_mark(const char *path, char *err, size_t errlen);

/* Does a valid marker beside @path name it? */
bool pwb_target_is_marked(const char *path);

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
 * buffer, so every read lands a block with a known identity (@nonce: the
 * target's, pwb_target_nonce()).  Returns 0 or
 * -errno with a message in @err.
 */
int pwb_target_prepare(const char *path, uint64_t base, uint64_t nblocks,
		       uint32_t bs, unsigned int file, uint64_t nonce,
		       char *err, size_t errlen);

/*
 * The nonce of @path in the run @run_nonce: the run's nonce mixed with the
 * file's device and inode (a block device's device number), so jobs of one
 * run that share a target agree and no other file or run matches.
 */
uint64_t pwb_target_nonce(uint64_t run_nonce, const char *path);

#endif
