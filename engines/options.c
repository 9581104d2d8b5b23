// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb engine option table.  Enumerations are FIO_OPT_STR with posval so
 * fio itself rejects bad values (naming the option and the accepted ones);
 * lists and ranges fio cannot check are checked in init (optcheck.c).
 */
#include <numa.h>
#include <stddef.h>
#include <stdint.h>

#include "fio.h"
#include "optgroup.h"

#include "arena.h"
#include "optcheck.h"
#include "options.h"

#define OFF(m)	offsetof(struct pwb_options, m)

/*
 * Checks run by fio's parser as it reads the job, so a bad list or node
 * stops fio before any job starts (init() checks again).
 */
static int wb_modes_cb(void *data, const char *str)
{
	unsigned int modes[PWB_WB_MAX_LIST], n;
	char err[256];

	(void)data;
	if (pwb_parse_wb_modes(str, modes, &n, err, sizeof(err))) {
		log_err("fio: %s\n", err);
		return 1;
	}
	return 0;
}

/*
 * fio's FIO_OPT_INT lets negative values through when no minimum is set
 * (minval 0 means "none"): check the range here and store the value.
 */
static int int_range(void *data, const char *name, long long v,
		     long long max)
{
	if (v >= 0 && v <= max)
		return 0;
	log_err("fio: %s=%lld: accepted: 0..%lld\n", name, v, max);
	/*
	 * fio reads "-1" as a range and parses "1" next, ignoring this
	 * error: remember it so init() fails the job.
	 */
	((struct pwb_options *)data)->bad_value = 1;
	return 1;
}

static int wb_interval_cb(void *data, long long *val)
{
	if (int_range(data, "pinwb_wb_interval_us", *val, PWB_WB_INTERVAL_MAX))
		return 1;
	((struct pwb_options *)data)->wb_interval_us = (unsigned int)*val;
	return 0;
}

static int verify_every_cb(void *data, long long *val)
{
	if (int_range(data, "pinwb_verify_every", *val, INT32_MAX))
		return 1;
	((struct pwb_options *)data)->verify_every = (unsigned int)*val;
	return 0;
}

/* pinwb_race_*: a period in ms, one callback per racer */
#define RACE_CB(idx, name)						\
static int race_##name##_cb(void *data, long long *val)			\
{									\
	if (int_range(data, "pinwb_race_" #name, *val,			\
		      PWB_RACE_PERIOD_MAX))				\
		return 1;						\
	((struct pwb_options *)data)->race_ms[idx] = (unsigned int)*val;	\
	return 0;							\
}
RACE_CB(PWB_RACE_FORK, fork)
RACE_CB(PWB_RACE_REMAP, remap)
RACE_CB(PWB_RACE_MREMAP, mremap)
RACE_CB(PWB_RACE_TRUNCATE, truncate)
RACE_CB(PWB_RACE_PUNCH, punch)

static int numa_node_cb(void *data, const char *str)
{
	char err[256];
	int node;

	(void)data;
	if (pwb_parse_numa_node(str, numa_available() < 0 ? -1 :
				numa_max_node(), &node, err, sizeof(err))) {
		log_err("fio: %s\n", err);
		return 1;
	}
	return 0;
}

struct fio_option pwb_fio_options[] = {
	{
		.name	= "pinwb_buffer",
		.lname	= "pinwb buffer kind",
		.type	= FIO_OPT_STR,
		.off1	= OFF(buffer),
		.help	= "What backs the I/O buffers",
		.def	= "file",
		.posval = {
			{ .ival = "file", .oval = PWB_BUF_FILE,
			  .help = "MAP_SHARED mapping of a real file" },
			{ .ival = "shmem", .oval = PWB_BUF_SHMEM,
			  .help = "memfd (shmem)" },
			{ .ival = "anon", .oval = PWB_BUF_ANON,
			  .help = "anonymous private memory" },
			{ .ival = "hugetlb", .oval = PWB_BUF_HUGETLB,
			  .help = "2 MiB huge pages (needs vm.nr_hugepages)" },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_buffer_file",
		.lname	= "pinwb buffer file",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(buffer_file),
		.help	= "Buffer file for pinwb_buffer=file (default <first target>.pinwb-buf, created and removed by pinwb)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_buffer_size",
		.lname	= "pinwb arena size",
		.type	= FIO_OPT_STR_VAL,
		.off1	= OFF(buffer_size),
		.minval	= 1,
		.help	= "Size of the buffer arena (rounded up to whole bs slots, at least iodepth slots)",
		.def	= "8m",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_overwrite",
		.lname	= "pinwb overwrite buffer file",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(overwrite),
		.help	= "Allow using an existing pinwb_buffer_file that pinwb did not create",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_overwrite_target",
		.lname	= "pinwb overwrite target",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(overwrite_target),
		.help	= "Allow an existing target file pinwb did not create, or a block device: a job that writes overwrites it, one that only reads never writes it (its reads are then not checked)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_io",
		.lname	= "pinwb I/O path",
		.type	= FIO_OPT_STR,
		.off1	= OFF(io),
		.help	= "I/O path",
		.def	= "uring",
		.posval = {
			{ .ival = "sync", .oval = PWB_IO_SYNC,
			  .help = "synchronous pread/pwrite family" },
			{ .ival = "uring", .oval = PWB_IO_URING,
			  .help = "io_uring (liburing)" },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_sync_call",
		.lname	= "pinwb sync syscall",
		.type	= FIO_OPT_STR,
		.off1	= OFF(sync_call),
		.help	= "Syscall family for pinwb_io=sync",
		.def	= "pread",
		.posval = {
			{ .ival = "pread", .oval = PWB_CALL_PREAD,
			  .help = "pread/pwrite" },
			{ .ival = "preadv2", .oval = PWB_CALL_PREADV2,
			  .help = "preadv2/pwritev2" },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_fixedbufs",
		.lname	= "pinwb fixed buffers",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(fixedbufs),
		.help	= "Register the whole arena as io_uring fixed buffers",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_registerfiles",
		.lname	= "pinwb registered files",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(registerfiles),
		.help	= "Register the target files with io_uring",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_fixedbufs_fallback",
		.lname	= "pinwb fixed buffer fallback",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(fixedbufs_fallback),
		.help	= "If registering the buffers fails, carry on without fixed buffers",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_wb_modes",
		.lname	= "pinwb writeback modes",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(wb_modes),
		.cb	= wb_modes_cb,
		.help	= "Comma list the writeback driver cycles through: " PWB_WB_ACCEPTED,
		.def	= PWB_WB_DEFAULT,
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_wb_interval_us",
		.lname	= "pinwb writeback interval",
		.type	= FIO_OPT_INT,
		.off1	= OFF(wb_interval_us),
		.cb	= wb_interval_cb,
		.help	= "Pause between writeback driver actions in microseconds (0 = back to back)",
		.def	= "2000",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_verify",
		.lname	= "pinwb verify at end",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(verify),
		.help	= "Verify the buffer against the record at the end of the job",
		.def	= "1",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_verify_every",
		.lname	= "pinwb in-place verify interval",
		.type	= FIO_OPT_INT,
		.off1	= OFF(verify_every),
		.cb	= verify_every_cb,
		.help	= "Also check idle slots in place every N completed ops (0 = only at the end)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_report",
		.lname	= "pinwb JSON report",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(report),
		.help	= "Write the JSON report there (default $PINWB_REPORT_DIR/<job>.<subjob>.pinwb.json if set)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_keep_dir",
		.lname	= "pinwb keep directory",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(keep_dir),
		.help	= "Keep the verified buffer and record as DIR/<job>.<subjob>.buf/.rec (default $PINWB_KEEP_DIR)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_before_verify",
		.lname	= "pinwb before-verify hook",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(before_verify),
		.help	= "Shell command run after the buffer is synced and unmapped, before it is dropped and read back (env PINWB_BUFFER_FILE, PINWB_RECORD_FILE)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_check_reads",
		.lname	= "pinwb check reads",
		.type	= FIO_OPT_BOOL,
		.off1	= OFF(check_reads),
		.help	= "Check each read block's header and checksum as it completes",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_numa_node",
		.lname	= "pinwb NUMA node",
		.type	= FIO_OPT_STR_STORE,
		.off1	= OFF(numa_node),
		.cb	= numa_node_cb,
		.help	= "Bind the arena to this NUMA node (-1 = no placement)",
		.def	= "-1",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_seed",
		.lname	= "pinwb payload seed",
		.type	= FIO_OPT_ULL,
		.off1	= OFF(seed),
		.help	= "Seed of the block payloads (0 = time based, printed)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_fork",
		.lname	= "pinwb fork racer",
		.type	= FIO_OPT_INT,
		.off1	= OFF(race_ms[PWB_RACE_FORK]),
		.cb	= race_fork_cb,
		.help	= "Every N ms fork() while I/O is in flight; the child writes its copy-on-write copy of the buffer and exits (0 = off)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_remap",
		.lname	= "pinwb re-mmap racer",
		.type	= FIO_OPT_INT,
		.off1	= OFF(race_ms[PWB_RACE_REMAP]),
		.cb	= race_remap_cb,
		.help	= "Every N ms mmap(MAP_FIXED) the buffer over itself while I/O is in flight (file/shmem buffers; 0 = off)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_mremap",
		.lname	= "pinwb mremap racer",
		.type	= FIO_OPT_INT,
		.off1	= OFF(race_ms[PWB_RACE_MREMAP]),
		.cb	= race_mremap_cb,
		.help	= "Every N ms mremap a few busy slots to another address and back (not with pinwb_wb_modes touch or msync_sync; 0 = off)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_truncate",
		.lname	= "pinwb truncate racer",
		.type	= FIO_OPT_INT,
		.off1	= OFF(race_ms[PWB_RACE_TRUNCATE]),
		.cb	= race_truncate_cb,
		.help	= "Every N ms truncate the buffer file into its last slots and extend it back; those slots are excused (0 = off)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_punch",
		.lname	= "pinwb punch-hole racer",
		.type	= FIO_OPT_INT,
		.off1	= OFF(race_ms[PWB_RACE_PUNCH]),
		.cb	= race_punch_cb,
		.help	= "Every N ms punch a hole over a few busy slots of the buffer file; those slots are excused (0 = off)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= "pinwb_race_fault",
		.lname	= "pinwb racer fault (tests)",
		.type	= FIO_OPT_STR,
		.off1	= OFF(race_fault),
		.help	= "For tests: make a racer do damage the checks must find",
		.def	= "none",
		.posval = {
			{ .ival = "none", .oval = PWB_FAULT_NONE,
			  .help = "no fault" },
			{ .ival = "fork_shared", .oval = PWB_FAULT_FORK_SHARED,
			  .help = "the fork child writes the shared buffer itself" },
			{ .ival = "no_excuse", .oval = PWB_FAULT_NO_EXCUSE,
			  .help = "truncate/punch do not tell the ledger what they removed" },
			{ .ival = "remap_shift", .oval = PWB_FAULT_REMAP_SHIFT,
			  .help = "remap/mremap map the file one slot off" },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= NULL,
	},
};
