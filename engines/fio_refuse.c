// SPDX-License-Identifier: GPL-2.0
/*
 * The one table of fio options pinwb refuses.  An option is refused only
 * when the job sets it (fio_option_is_set: fio marks every option given in
 * the job file or on the command line) to a value the engine would not
 * honour, so fio's own defaults (scramble_buffers=1, refill_buffers set
 * for verify or compression) never trip it, and setting an option to what
 * the engine does anyway (direct=1, scramble_buffers=0) is fine.
 *
 * Options fio honours for this engine too and that are therefore not here:
 * fsync=, fdatasync=, end_fsync, fsync_on_close (run as DDIR_SYNC/DATASYNC
 * by both I/O paths), sync= and atomic= (open flags on the target fd the
 * engine uses), fadvise_hint, invalidate, pre_read (done by fio itself).
 * io_submit_mode=offload is refused by fio (FIO_NO_OFFLOAD), trims by
 * pwb_init.
 */
#include <stddef.h>

#include "fio_refuse.h"

enum refuse_when {
	WHEN_SET,		/* any value the job sets */
	WHEN_NONZERO,		/* set to anything but 0 */
	WHEN_ZERO,		/* set to 0 */
};

struct refusal {
	const char *name;	/* as the user writes it */
	size_t off;		/* in struct thread_options */
	enum refuse_when when;
	const char *instead;	/* why, and what to use instead */
};

#define OFF(field)	offsetof(struct thread_options, field)

/* the engine writes its own blocks into its own slots, not fio's buffers */
#define OWN_DATA "pinwb writes its own verifiable block (pinwb_seed, target, generation) into every write slot, never fio's buffer contents: remove it"

static const struct refusal refusals[] = {
	{ "sync_file_range", OFF(sync_file_range), WHEN_SET,
	  "both I/O paths would run it as a full fsync of the target: use fsync=N or fdatasync=N for the target, or pinwb_wb_modes=sfr for sync_file_range on the buffer file" },
	{ "direct=0 (or buffered=1)", OFF(odirect), WHEN_ZERO,
	  "pinwb always does O_DIRECT I/O, the DMA into the buffer is what it tests: remove it (direct=1 is implied)" },
	{ "scramble_buffers", OFF(scramble_buffers), WHEN_NONZERO, OWN_DATA },
	{ "refill_buffers", OFF(refill_buffers), WHEN_NONZERO, OWN_DATA },
	{ "zero_buffers", OFF(zero_buffers), WHEN_NONZERO, OWN_DATA },
	{ "buffer_pattern", OFF(buffer_pattern), WHEN_SET, OWN_DATA },
	{ "buffer_compress_percentage", OFF(compress_percentage), WHEN_SET,
	  OWN_DATA },
	{ "buffer_compress_chunk", OFF(compress_chunk), WHEN_SET, OWN_DATA },
	{ "dedupe_percentage", OFF(dedupe_percentage), WHEN_SET, OWN_DATA },
	{ "dedupe_mode", OFF(dedupe_mode), WHEN_SET, OWN_DATA },
	{ "dedupe_working_set_percentage", OFF(dedupe_working_set_percentage),
	  WHEN_SET, OWN_DATA },
	{ "dedupe_global", OFF(dedupe_global), WHEN_SET, OWN_DATA },
	{ "verify", OFF(verify), WHEN_NONZERO,
	  "fio's patterns never reach the target (every I/O goes through pinwb's slots, not fio's io_u buffers) and its read-back would compare the wrong memory: use pinwb_verify=1 (end of job), pinwb_verify_every=N, pinwb_check_reads=1" },
	{ "iomem (mem)", OFF(mem_type), WHEN_SET,
	  "the engine owns the I/O memory: use pinwb_buffer=file|shmem|anon|hugetlb, and pinwb_buffer_file=PATH for a file of your choice" },
	{ "iomem_align (mem_align)", OFF(mem_align), WHEN_SET,
	  "the engine's slots are page aligned: remove it" },
	{ "hugepage-size", OFF(hugepage_size), WHEN_SET,
	  "pinwb_buffer=hugetlb maps the system's 2 MiB huge pages: remove it" },
	{ "write_barrier", OFF(barrier_blocks), WHEN_NONZERO,
	  "pinwb issues plain O_DIRECT writes, never barrier writes: use fsync=N or fdatasync=N" },
};

_Static_assert(sizeof(enum fio_memtype) == sizeof(unsigned int),
	       "mem_type is read as an unsigned int");

static bool refused(struct thread_options *o, const struct refusal *r)
{
	unsigned int v;

	if (!__fio_option_is_set(o, r->off))
		return false;
	if (r->when == WHEN_SET)
		return true;
	v = *(const unsigned int *)((const char *)o + r->off);
	return r->when == WHEN_ZERO ? v == 0 : v != 0;
}

unsigned int pwb_fio_refuse(struct thread_data *td)
{
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];

		if (!refused(&td->o, r))
			continue;
		log_err("pinwb: %s: fio option %s is not honoured by ioengine pinwb: %s\n",
			td->o.name ? td->o.name : "job", r->name, r->instead);
		n++;
	}
	return n;
}
