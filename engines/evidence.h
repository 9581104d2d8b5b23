/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb end-of-job evidence: the before-verify hook, the final check of the
 * buffer, pinwb_keep_dir, the JSON report and the summary, and what fails
 * the job.  Also the in-place check every pinwb_verify_every ops.
 */
#ifndef PINWB_EVIDENCE_H
#define PINWB_EVIDENCE_H

#include "pinwb.h"

/* "DIR/<job>.<subjob>SUFFIX", malloc'ed (NULL when out of memory) */
char *pwb_job_file_name(struct thread_data *td, const char *dir,
			const char *suffix);

/* pinwb_verify_every: check every used slot not in flight, in memory. */
void pwb_evidence_every(struct pwb_data *pd);

/*
 * After the last I/O, the ring closed and the writeback driver stopped:
 * verify, keep, report, log, and td_verror() on a mismatch or a check that
 * could not run.  Nothing at all when the job's setup failed.
 */
void pwb_evidence_end(struct thread_data *td, struct pwb_data *pd);

#endif
