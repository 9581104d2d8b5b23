// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb: fio external engine doing O_DIRECT / io_uring I/O into a buffer
 * arena (by default a MAP_SHARED mapping of a real file) while a writeback
 * driver runs, then proving what the I/O delivered.
 *
 * This file is the fio glue: init, post_init, open/close, queue, commit,
 * getevents, event, cleanup, iomem hooks.  Around every transport call it
 * does the bookkeeping (ledger.c); targets are prepared by target.c; the
 * end-of-job checks and the report are evidence.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "optgroup.h"

#include "evidence.h"
#include "optcheck.h"
#include "pinwb.h"
#include "fio_refuse.h"
#include "target.h"
#include "transport_uring.h"

#define READ_CHECK_LOG	10

/* ---------- targets ---------- */

/*
 * Refuse every target pinwb may not write (target.c decides), create and
 * mark the missing ones.  Runs before fio sizes or lays out any file (from
 * setup()) and again in init(), which learns each file's ownership.  A
 * user's file given with pinwb_overwrite_target=1 must still not be
 * written by fio itself when the job only reads it, nor unlinked.
 */
static int claim_targets(struct thread_data *td, struct pwb_tfile *tf)
{
	struct pwb_options *o = td->eo;
	struct fio_file *f;
	unsigned int i;
	char err[640];

	for_each_file(td, f, i) {
		uint64_t need = td->o.start_offset +
				(td->o.size ? td->o.size / td->o.nr_files : 0);
		struct stat st;
		bool ours;

		if (pwb_target_claim(f->file_name, o->overwrite_target, &ours,
				     err, sizeof(err))) {
			log_err("pinwb: %s\n", err);
			return 1;
		}
		if (tf)
			tf[i].ours = ours;
		if (ours)
			continue;
		if (td->o.unlink || td->o.unlink_each_loop) {
			log_err("pinwb: target %s is not pinwb's (pinwb_overwrite_target=1) and unlink=1 would remove it: refused; drop unlink=\n",
				f->file_name);
			return 1;
		}
		if (!td_write(td) && !stat(f->file_name, &st) &&
		    S_ISREG(st.st_mode) && (uint64_t)st.st_size < need) {
			log_err("pinwb: target %s is not pinwb's and holds %lld bytes, less than the job's range (%llu): fio would extend it, writing to it in a job that only reads; give size= that fits\n",
				f->file_name, (long long)st.st_size,
				(unsigned long long)need);
			return 1;
		}
	}
	return 0;
}

/* fio's get_file_sizes(), which a setup() hook replaces */
static int pwb_setup(struct thread_data *td)
{
	struct fio_file *f;
	unsigned int i;

	if (claim_targets(td, NULL))
		return 1;
	for_each_file(td, f, i) {
		if (generic_get_file_size(td, f)) {
			if (td->error != ENOENT) {
				log_err("%s\n", td->verror);
				return 1;
			}
			td_clear_error(td);
		}
		if (f->real_file_size == -1ULL && td->o.size)
			f->real_file_size = td->o.size / td->o.nr_files;
	}
	return 0;
}

static bool target_size_known(struct fio_file *f)
{
	return f->io_size && f->real_file_size >= f->file_offset + f->io_size;
}

/*
 * Give the ledger @f's range, lock it against writing jobs and, when the
 * job reads, lay out generation-0 blocks so every read has an identity:
 * on a target that is pinwb's, or a user's one the job writes anyway
 * (pinwb_overwrite_target=1).  A job that only reads a user's target never
 * writes it; its reads of blocks it did not write are not checked.
 */
static int target_prepare(struct thread_data *td, struct pwb_data *pd,
			  struct fio_file *f)
{
	struct pwb_tfile *tf = &pd->tf[f->fileno];
	bool layout = td_read(td) && (tf->ours || td_write(td));
	uint64_t nonce = pwb_target_nonce(pd->nonce, f->file_name);
	char err[512];
	int ret;

	if (tf->prepared)
		return 0;
	ret = pwb_ledger_target(&pd->led, f->fileno, f->file_offset,
				f->io_size / pd->bs, nonce, layout);
	if (ret)
		return ret;
	/* fio lays files out after setup(): the marker names what is there */
	if (tf->ours && f->filetype == FIO_TYPE_FILE) {
		ret = pwb_target_mark(f->file_name, err, sizeof(err));
		if (ret) {
			log_err("pinwb: %s\n", err);
			return ret;
		}
	}
	if (tf->lock_fd < 0) {
		ret = pwb_target_lock(f->file_name, td_write(td),
				      &tf->lock_fd, err, sizeof(err));
		if (ret) {
			log_err("pinwb: %s\n", err);
			return ret;
		}
	}
	/* a job that only writes gives blocks their identity as it writes */
	if (layout) {
		ret = pwb_target_prepare(f->file_name, f->file_offset,
					 f->io_size / pd->bs, pd->bs,
					 f->fileno, nonce, err, sizeof(err));
		if (ret) {
			log_err("pinwb: %s\n", err);
			return ret;
		}
	}
	tf->prepared = true;
	return 0;
}

/* ---------- init ---------- */

/*
 * This run's nonce, the same in every job of one fio invocation (jobs that
 * share a target must agree on its generation-0 blocks) and different in
 * every other: the boot id, the fio main process's pid and start time.
 */
static uint64_t run_nonce(struct thread_data *td)
{
	pid_t pid = td->o.use_thread ? getpid() : getppid();
	unsigned long long start = 0;
	char path[64], buf[1024], *p;
	uint64_t h = pwb_mix64((uint64_t)pid);
	FILE *f;

	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			h ^= pwb_crc32c(0, buf, strlen(buf));
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f) {
		/* field 22, after the parenthesised command name */
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			   &start) != 1)
			start = 0;
		fclose(f);
	}
	h = pwb_mix64(h ^ pwb_mix64(start + 0x2545f4914f6cdd1dULL));
	return h ? h : 1;
}

static uint64_t time_seed(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
	    ((uint64_t)getpid() << 32);
	return s ? s : 1;
}

static int check_bs(struct thread_data *td, uint64_t *bs_min,
		    uint64_t *bs_max)
{
	*bs_min = UINT64_MAX;
	*bs_max = 0;
	for (int d = DDIR_READ; d <= DDIR_WRITE; d++) {
		if ((d == DDIR_READ && !td_read(td)) ||
		    (d == DDIR_WRITE && !td_write(td)))
			continue;
		if (td->o.min_bs[d] < *bs_min)
			*bs_min = td->o.min_bs[d];
		if (td->o.max_bs[d] > *bs_max)
			*bs_max = td->o.max_bs[d];
	}
	if (td_trim(td)) {
		log_err("pinwb: trims are not supported; use rw=read|write|randread|randwrite|rw|randrw\n");
		return -1;
	}
	return 0;
}

static int pwb_init(struct thread_data *td)
{
	struct pwb_options *o = td->eo;
	struct pwb_arena_args aa;
	struct pwb_data *pd;
	struct utsname un;
	uint64_t bs_min, bs_max, nslots, size;
	const char *env;
	char err[768];
	char *tag;
	int ret;

	if (o->bad_value) {
		log_err("pinwb: refusing the job: an option value was out of range (see above)\n");
		return 1;
	}
	/* every fio option the engine does not honour (fio_refuse.c) */
	if (pwb_fio_refuse(td))
		return 1;
	if (td->o.nr_files < 1 || !td->files || !td->files[0]) {
		log_err("pinwb: needs at least one target file (filename=)\n");
		return 1;
	}
	if (check_bs(td, &bs_min, &bs_max))
		return 1;
	/* setup() did this unless fio lays files out in the job itself */
	if (claim_targets(td, NULL))
		return 1;

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return 1;
	pd->o = o;
	td->io_ops_data = pd;
	/* nothing to do at a read's completion but the ledger's end */
	pd->plain_reads = !o->check_reads && !o->verify_every;

	if (pwb_parse_wb_modes(o->wb_modes, pd->wb_modes, &pd->wb_nmodes, err,
			       sizeof(err)) ||
	    pwb_parse_numa_node(o->numa_node,
				numa_available() < 0 ? -1 : numa_max_node(),
				&pd->numa_node, err, sizeof(err)) ||
	    pwb_layout(bs_min, bs_max, o->buffer_size, td->o.iodepth,
		       pwb_arena_align(o->buffer), &nslots, &size, err,
		       sizeof(err))) {
		log_err("%s\n", err);
		return 1;
	}
	if (o->io == PWB_IO_SYNC && (o->fixedbufs || o->registerfiles)) {
		log_err("pinwb: pinwb_fixedbufs/pinwb_registerfiles need pinwb_io=uring (pinwb_io=sync given)\n");
		return 1;
	}
	if (o->buffer_file && o->buffer != PWB_BUF_FILE) {
		log_err("pinwb: pinwb_buffer_file is only used with pinwb_buffer=file\n");
		return 1;
	}
	pd->bs = (uint32_t)bs_min;
	pd->seed = o->seed ? o->seed : time_seed();
	pd->nonce = run_nonce(td);
	if (!o->seed)
		pwb_info("pinwb: %s: pinwb_seed=%" PRIu64 " (time based)\n",
			 td->o.name, pd->seed);

	/* the data path must bypass the page cache of the target */
	if (!td->o.odirect) {
		pwb_info("pinwb: %s: using direct=1 (pinwb always does O_DIRECT I/O)\n",
			 td->o.name);
		td->o.odirect = 1;
	}
	if (o->io == PWB_IO_SYNC)
		td->flags |= (unsigned long long)FIO_SYNCIO << TD_ENG_FLAG_SHIFT;

	memset(&aa, 0, sizeof(aa));
	aa.kind = o->buffer;
	aa.user_path = o->buffer_file;
	aa.first_target = td->files[0]->file_name;
	if (asprintf(&tag, "%s.%u", td->o.name ? td->o.name : "job",
		     td->subjob_number) < 0)
		return 1;
	for (char *c = tag; *c; c++)
		if (*c == '/')
			*c = '_';
	aa.default_tag = tag;
	aa.overwrite = o->overwrite;
	aa.size = size;
	aa.slot_size = pd->bs;
	aa.numa_node = pd->numa_node;
	ret = pwb_arena_open(&pd->arena, &aa, err, sizeof(err));
	free(tag);
	if (ret) {
		log_err("pinwb: %s\n", err);
		pwb_arena_close(&pd->arena);
		return 1;
	}
	pd->arena_ready = true;
	if (pd->arena.kind == PWB_BUF_FILE && o->verify) {
		/* the end-of-job check reads the buffer file with O_DIRECT */
		int fd = open(pd->arena.path, O_RDONLY | O_DIRECT | O_CLOEXEC);

		if (fd < 0) {
			log_err("pinwb: buffer file %s: open with O_DIRECT: %s: the end-of-job check must read it back past the page cache; put it on a file system with O_DIRECT (or pinwb_verify=0)\n",
				pd->arena.path, strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (pwb_record_init(&pd->rec, pd->bs, pd->arena.nslots, pd->seed,
			    pd->arena.size))
		return 1;
	pd->rec.nonce = pd->nonce;
	/* the record beside the buffer file marks it as pinwb's */
	pd->rec_existed = pd->arena.kind == PWB_BUF_FILE &&
			  !access(pd->arena.rec_path, F_OK);
	if (pd->arena.kind == PWB_BUF_FILE &&
	    pwb_record_write(&pd->rec, pd->arena.rec_path, err, sizeof(err))) {
		log_err("pinwb: %s\n", err);
		return 1;
	}

	pd->nfiles = td->o.nr_files;
	pd->tf = calloc(pd->nfiles, sizeof(*pd->tf));
	pd->vm_before = calloc(1, sizeof(*pd->vm_before));
	pd->vm_after = calloc(1, sizeof(*pd->vm_after));
	if (!pd->tf || !pd->vm_before || !pd->vm_after ||
	    pwb_ledger_init(&pd->led, &pd->arena, &pd->rec, pd->bs, pd->seed,
			    pd->nfiles, td->o.iodepth))
		return 1;
	pd->led_ready = true;
	for (unsigned int i = 0; i < pd->nfiles; i++)
		pd->tf[i].lock_fd = -1;
	pd->paths = calloc(pd->nfiles, sizeof(*pd->paths));
	if (!pd->paths || claim_targets(td, pd->tf))
		return 1;
	for (unsigned int i = 0; i < pd->nfiles; i++) {
		pd->tf[i].path = strdup(td->files[i]->file_name);
		if (!pd->tf[i].path)
			return 1;
		pd->paths[i] = pd->tf[i].path;
	}
	pwb_readback_init(&pd->rb);
	pwb_verify_result_init(&pd->vres);

	if (o->report)
		pd->report_path = strdup(o->report);
	else if ((env = getenv("PINWB_REPORT_DIR")) && *env)
		pd->report_path = pwb_job_file_name(td, env, ".pinwb.json");
	if (o->keep_dir)
		pd->keep_dir = strdup(o->keep_dir);
	else if ((env = getenv("PINWB_KEEP_DIR")) && *env)
		pd->keep_dir = strdup(env);
	if (!uname(&un))
		snprintf(pd->kernel, sizeof(pd->kernel), "%s", un.release);

	pwb_vmstat_read(pd->vm_before);
	pd->init_done = true;
	return 0;
}

/* the racers asked for, and a note for each that cannot run here */
static void racers_setup(struct thread_data *td, struct pwb_data *pd)
{
	struct pwb_racer_env env = {
		.fixedbufs = pd->tr.fixed,
		.numa_bound = pd->numa_node >= 0,
		.sync_io = pd->o->io == PWB_IO_SYNC,
		.seed = pd->seed,
		.fault = (enum pwb_race_fault)pd->o->race_fault,
	};

	for (unsigned int i = 0; i < pd->wb.nmodes; i++) {
		env.wb_touch |= pd->wb.modes[i] == PWB_WB_TOUCH;
		env.wb_msync |= pd->wb.modes[i] == PWB_WB_MSYNC_SYNC;
	}
	pwb_racers_init(&pd->racers, pd->o->race_ms, &pd->arena, &pd->led,
			&env);
	for (int i = 0; i < PWB_RACE_NR; i++)
		if (pd->racers.r[i].skipped[0])
			pwb_info("pinwb: %s: pinwb_race_%s skipped: %s\n",
				 td->o.name, pwb_racer_names[i],
				 pd->racers.r[i].skipped);
}

static int pwb_post_init(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;
	struct pwb_transport *t = &pd->tr;
	struct fio_file *f;
	unsigned int i;
	int ret;

	/* cleared when everything below worked */
	pd->setup_failed = true;

	for_each_file(td, f, i) {
		if (!target_size_known(f))
			continue;	/* prepared when fio opens it */
		ret = target_prepare(td, pd, f);
		if (ret) {
			td_verror(td, -ret, "pinwb target prepare");
			return 1;
		}
	}
	t->ops = pd->o->io == PWB_IO_SYNC ? &pwb_transport_sync :
		 &pwb_transport_uring;
	t->arena = &pd->arena;
	t->depth = td->o.iodepth;
	t->nfiles = pd->nfiles;
	t->use_preadv2 = pd->o->sync_call == PWB_CALL_PREADV2;
	t->want_fixed = pd->o->fixedbufs;
	t->fixed_fallback = pd->o->fixedbufs_fallback;
	t->want_regfiles = pd->o->registerfiles;
	pd->tr_ready = true;
	ret = t->ops->setup(td, t);
	if (ret) {
		if (!td->error)
			td_verror(td, -ret, "pinwb transport setup");
		return 1;
	}
	/* the io_uring calls per I/O go straight to transport_uring.h */
	pd->uring = t->ops == &pwb_transport_uring;
	if (pd->wb_nmodes) {
		ret = pwb_wb_start(&pd->wb, &pd->arena, &pd->rec, pd->wb_modes,
				   pd->wb_nmodes, pd->o->wb_interval_us);
		if (ret) {
			td_verror(td, -ret, "pinwb writeback driver");
			return 1;
		}
		if (pd->wb.note[0])
			pwb_info("pinwb: %s: pinwb_wb_modes: %s\n", td->o.name,
				 pd->wb.note);
	}
	racers_setup(td, pd);
	pd->setup_failed = false;
	return 0;
}

static int pwb_open_file(struct thread_data *td, struct fio_file *f)
{
	struct pwb_data *pd = td->io_ops_data;
	int ret;

	if (pd && pd->tr.regfiles)
		f->fd = pd->tr.fds[f->fileno];	/* registered in post_init */
	else if ((ret = generic_open_file(td, f)))
		return ret;
	if (pd && !pd->tf[f->fileno].prepared) {
		ret = target_prepare(td, pd, f);
		if (ret) {
			td_verror(td, -ret, "pinwb target prepare");
			return 1;
		}
	}
	return 0;
}

static int pwb_close_file(struct thread_data *td, struct fio_file *f)
{
	struct pwb_data *pd = td->io_ops_data;

	if (pd && pd->tr.regfiles) {
		f->fd = -1;
		return 0;
	}
	return generic_close_file(td, f);
}

/* ---------- per I/O: bookkeeping around the transport ---------- */

static void check_read(struct pwb_data *pd, struct io_u *io_u, uint64_t slot)
{
	struct pwb_mismatch m;
	char msg[320];

	pd->reads_checked++;
	if (!pwb_verify_slot(pwb_slot_addr(&pd->arena, slot), &pd->rec, slot,
			     &m))
		return;
	if (pd->read_check_failures++ < READ_CHECK_LOG) {
		pwb_mismatch_str(&m, msg, sizeof(msg));
		log_err("pinwb: pinwb_check_reads: read of %s at %llu: %s\n",
			io_u->file->file_name, io_u->offset, msg);
	}
	io_u->error = EILSEQ;
}

/*
 * An I/O the transport finished: account it in the ledger.  Inlined into
 * the completion loop: it runs once per I/O.
 */
static inline __attribute__((always_inline)) void
io_done(struct pwb_data *pd, struct io_u *io_u)
{
	bool racer_fault = false;

	if (ddir_sync(io_u->ddir))
		return;
	if (__builtin_expect(io_u->error != 0, 0))
		racer_fault = pwb_ledger_racer_fault(&pd->led, io_u->index,
						     io_u->error);
	if (pwb_ledger_end(&pd->led, io_u->index,
			   !io_u->error && !io_u->resid) && pd->o->check_reads)
		check_read(pd, io_u, pwb_ledger_slot(&pd->led, io_u->index));
	/*
	 * The racer the job asked for took the pages away: the ledger has
	 * the slot's or target block's content as unknown, and fio is told
	 * the I/O completed (the report counts it, racers.excused.faulted).
	 */
	if (racer_fault)
		io_u->error = 0;
	if (pd->o->verify_every && ++pd->since_verify >= pd->o->verify_every) {
		pd->since_verify = 0;
		pwb_evidence_every(pd);
	}
}

/*
 * The transport was busy: the I/O was never issued, its slot is free
 * again, its block unsure.  Out of line: the ledger's end is inline and
 * this is not the path queue() takes.
 */
static __attribute__((noinline, cold)) void unissue(struct pwb_data *pd,
						    struct io_u *io_u)
{
	pwb_ledger_end(&pd->led, io_u->index, false);
}

/* the ledger refused the I/O (not one whole block of a prepared range) */
static __attribute__((noinline, cold)) enum fio_q_status
refuse_io(struct io_u *io_u, const char *err)
{
	log_err("pinwb: I/O %s of %s: %s\n", io_ddir_name(io_u->ddir),
		io_u->file->file_name, err);
	io_u->error = EINVAL;
	return FIO_Q_COMPLETED;
}

static __attribute__((noinline, cold)) enum fio_q_status
unsupported_io(struct io_u *io_u)
{
	log_err("pinwb: only reads and writes are supported (got %s)\n",
		io_ddir_name(io_u->ddir));
	io_u->error = EOPNOTSUPP;
	return FIO_Q_COMPLETED;
}

/*
 * The ledger takes a slot for every read and write, and refuses one when
 * none is free: fio never has more than iodepth (the ledger's I/O count)
 * in flight, and there are at least as many slots (pwb_layout).
 */
static enum fio_q_status pwb_queue(struct thread_data *td, struct io_u *io_u)
{
	struct pwb_data *pd = td->io_ops_data;
	enum fio_q_status st;
	char *addr = NULL;
	char err[256];

	fio_ro_check(td, io_u);
	if (__builtin_expect(pd->racers.on, 0))
		pwb_racers_tick(&pd->racers);
	if (__builtin_expect(ddir_rw(io_u->ddir), 1)) {
		if (__builtin_expect(pwb_ledger_begin(&pd->led, io_u->index,
						      io_u->file->fileno,
						      io_u->offset,
						      io_u->xfer_buflen,
						      io_u->ddir == DDIR_WRITE,
						      &addr, err,
						      sizeof(err)), 0))
			return refuse_io(io_u, err);
	} else if (!ddir_sync(io_u->ddir)) {
		return unsupported_io(io_u);
	}
	if (__builtin_expect(pd->uring, 1))
		st = pwb_uring_queue(&pd->tr, io_u, addr);
	else
		st = pd->tr.ops->queue(td, &pd->tr, io_u, addr);
	if (__builtin_expect(st == FIO_Q_QUEUED, 1)) {
		pd->to_commit = true;
		return st;
	}
	if (st == FIO_Q_BUSY && addr) {
		unissue(pd, io_u);
		return st;
	}
	if (st == FIO_Q_COMPLETED)
		io_done(pd, io_u);
	return st;
}

/* submit what queue() prepared; a commit that failed is tried again */
static __attribute__((noinline)) int commit_queued(struct thread_data *td,
						   struct pwb_data *pd)
{
	int ret = pd->uring ? pwb_uring_commit(td, &pd->tr) :
		  pd->tr.ops->commit(td, &pd->tr);

	pd->to_commit = ret != 0;
	return ret;
}

/*
 * fio commits after every queue() and again with nothing queued: the empty
 * one returns before any register is saved (the submit is out of line).
 */
static int pwb_commit(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;

	return pd->to_commit ? commit_queued(td, pd) : 0;
}

/*
 * The transport leaves what it reaped in t->events[]; fio then hands each
 * one to event() before it accounts any, and that is where the ledger
 * learns it is over: one pass over the completions, not two.
 */
static int pwb_getevents(struct thread_data *td, unsigned int min,
			 unsigned int max, const struct timespec *t)
{
	struct pwb_data *pd = td->io_ops_data;

	(void)t;
	if (__builtin_expect(pd->uring, 1))
		return pwb_uring_getevents(td, &pd->tr, min, max);
	return pd->tr.ops->getevents(td, &pd->tr, min, max);
}

/* io_done() out of line, returning @io_u: event()'s tail call */
static __attribute__((noinline)) struct io_u *
io_done_call(struct pwb_data *pd, struct io_u *io_u)
{
	io_done(pd, io_u);
	return io_u;
}

/*
 * When nothing is checked at completion (pinwb_check_reads=0, no
 * pinwb_verify_every), a read's end in the ledger has no call in it:
 * event() ends it without a frame of its own.  Every other completion
 * (writes, fsyncs, reads to check) goes through io_done().  An fsync's
 * io_u has no active ledger entry (its index is not in flight as a read
 * or write), so it takes io_done() too.
 */
static struct io_u *pwb_event(struct thread_data *td, int event)
{
	struct pwb_data *pd = td->io_ops_data;
	struct io_u *io_u = pd->tr.events[event];
	struct pwb_ledger_io *io = pwb_ledger_io(&pd->led, io_u->index);

	if (__builtin_expect(pd->plain_reads && io->active && io->is_read &&
			     !io_u->error, 1)) {
		pwb_ledger_end_read(&pd->led, io,
				    !io_u->error && !io_u->resid);
		return io_u;
	}
	return io_done_call(pd, io_u);
}

/* fio's own io_u buffers are not used for data: give it plain memory */
static int pwb_iomem_alloc(struct thread_data *td, size_t size)
{
	void *p;

	if (posix_memalign(&p, 4096, size ? size : 4096))
		return 1;
	td->orig_buffer = p;
	return 0;
}

static void pwb_iomem_free(struct thread_data *td)
{
	free(td->orig_buffer);
	td->orig_buffer = NULL;
}

/* ---------- end of job ---------- */

static void pwb_cleanup(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;

	if (!pd)
		return;
	if (pd->tr_ready)
		pd->tr.ops->exit(&pd->tr);
	pwb_wb_stop(&pd->wb);
	/*
	 * fio reaps every I/O before cleanup; should one still have been in
	 * flight when the ring closed, what a read left in its slot is
	 * unknown: it is not checked.
	 */
	if (pd->led_ready)
		pwb_ledger_forget(&pd->led);
	if (pd->wb.errors)
		log_err("pinwb: writeback driver: %" PRIu64 " failed action(s), first: %s\n",
			pd->wb.errors, strerror(pd->wb.first_errno));

	pwb_evidence_end(td, pd);

	/* a buffer file this run created for a job that never ran goes away */
	if ((!pd->init_done || pd->setup_failed) && pd->arena.created)
		pd->arena.remove_at_end = true;
	else if ((!pd->init_done || pd->setup_failed) && pd->arena.rec_path &&
		 !pd->rec_existed && pd->rec.e)
		unlink(pd->arena.rec_path);	/* marker we just wrote */
	pwb_arena_close(&pd->arena);
	pwb_record_free(&pd->rec);
	if (pd->led_ready)
		pwb_ledger_free(&pd->led);
	for (unsigned int i = 0; pd->tf && i < pd->nfiles; i++) {
		if (pd->tf[i].lock_fd >= 0)
			close(pd->tf[i].lock_fd);
		free(pd->tf[i].path);
	}
	free(pd->tf);
	free(pd->paths);
	free(pd->vm_before);
	free(pd->vm_after);
	free(pd->report_path);
	free(pd->keep_dir);
	free(pd);
	td->io_ops_data = NULL;
}

struct ioengine_ops ioengine = {
	.name			= "pinwb",
	.version		= FIO_IOOPS_VERSION,
	/* commit() stamps issue times; engine state is per job thread */
	.flags			= FIO_ASYNCIO_SETS_ISSUE_TIME | FIO_NO_OFFLOAD,
	.setup			= pwb_setup,
	.init			= pwb_init,
	.post_init		= pwb_post_init,
	.queue			= pwb_queue,
	.commit			= pwb_commit,
	.getevents		= pwb_getevents,
	.event			= pwb_event,
	.cleanup		= pwb_cleanup,
	.open_file		= pwb_open_file,
	.close_file		= pwb_close_file,
	.get_file_size		= generic_get_file_size,
	.iomem_alloc		= pwb_iomem_alloc,
	.iomem_free		= pwb_iomem_free,
	.options		= pwb_fio_options,
	.option_struct_size	= sizeof(struct pwb_options),
};
