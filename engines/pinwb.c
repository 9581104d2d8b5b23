// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb: fio external engine doing O_DIRECT / io_uring I/O into a buffer
 * arena (by default a MAP_SHARED mapping of a real file) while a writeback
 * driver runs, then proving the buffer file's integrity.
 *
 * fio glue: init, post_init, open/close, queue, commit, getevents, event,
 * cleanup, iomem hooks.  The engine's own I/O state is in struct pwb_data.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "optgroup.h"

#include "pinwb.h"
#include "fio_refuse.h"

#define PREP_CHUNK	(1U << 20)
#define READ_CHECK_LOG	10

/*
 * Notes and the summary go with fio's normal output; with
 * --output-format=json(+)/terse they go to stderr so stdout stays parseable.
 */
#define pwb_info(...) do {					\
	if (output_format & FIO_OUTPUT_NORMAL)			\
		log_info(__VA_ARGS__);				\
	else							\
		log_err(__VA_ARGS__);				\
} while (0)

/* ---------- targets ---------- */

static int target_alloc(struct pwb_data *pd, struct fio_file *f)
{
	struct pwb_target *tg = &pd->tg[f->fileno];
	uint64_t n = f->io_size / pd->bs;

	if (tg->gen_hi)
		return 0;
	tg->base = f->file_offset;
	tg->nblocks = n;
	tg->gen_lo = calloc(n ? n : 1, sizeof(uint64_t));
	tg->gen_hi = calloc(n ? n : 1, sizeof(uint64_t));
	tg->burst = calloc(n ? n : 1, sizeof(uint64_t));
	tg->wr_inflight = calloc(n ? n : 1, sizeof(uint32_t));
	if (!tg->gen_lo || !tg->gen_hi || !tg->burst || !tg->wr_inflight)
		return -ENOMEM;
	return 0;
}

static void target_free(struct pwb_target *tg)
{
	if (tg->lock_fd >= 0)
		close(tg->lock_fd);
	free(tg->gen_lo);
	free(tg->gen_hi);
	free(tg->burst);
	free(tg->wr_inflight);
	memset(tg, 0, sizeof(*tg));
}

/*
 * Jobs may share a target only if none of them writes: each job keeps its
 * own generation map, so another job's writes would look like corruption.
 * A shared flock for readers, an exclusive one for writers.
 */
static int target_lock(struct thread_data *td, struct pwb_target *tg,
		       struct fio_file *f)
{
	int fd = open(f->file_name, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		log_err("pinwb: target %s: %s\n", f->file_name, strerror(errno));
		return -errno;
	}
	if (flock(fd, (td_write(td) ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			log_err("pinwb: target %s is used by another running pinwb job and %s writes: each job keeps its own generation map, so jobs that write need their own target file (filename=, or nrfiles/filename_format per job)\n",
				f->file_name, td_write(td) ? "this job" :
				"that job");
		else
			log_err("pinwb: flock %s: %s\n", f->file_name,
				strerror(e));
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	tg->lock_fd = fd;
	return 0;
}

/*
 * Write generation-0 blocks over the job's range of @f with O_DIRECT from
 * a private buffer, so every read lands a block with a known identity.
 */
static int target_prepare(struct thread_data *td, struct pwb_data *pd,
			  struct fio_file *f)
{
	struct pwb_target *tg = &pd->tg[f->fileno];
	uint64_t per = PREP_CHUNK / pd->bs ? PREP_CHUNK / pd->bs : 1;
	char *buf;
	int fd, ret = 0;

	if (tg->prepared)
		return 0;
	if (target_alloc(pd, f))
		return -ENOMEM;
	ret = target_lock(td, tg, f);
	if (ret)
		return ret;
	if (!td_read(td)) {
		/* nothing reads: blocks get their identity when written */
		tg->prepared = true;
		return 0;
	}
	fd = open(f->file_name, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		log_err("pinwb: preparing target %s: open with O_DIRECT: %s\n",
			f->file_name, strerror(errno));
		return -errno;
	}
	if (posix_memalign((void **)&buf, 4096, per * pd->bs)) {
		close(fd);
		return -ENOMEM;
	}
	for (uint64_t k = 0; k < tg->nblocks && !ret; k += per) {
		uint64_t n = tg->nblocks - k < per ? tg->nblocks - k : per;
		uint64_t off = tg->base + k * pd->bs;
		size_t len = n * pd->bs, done = 0;

		for (uint64_t i = 0; i < n; i++)
			pwb_block_fill(buf + i * pd->bs, pd->bs, PWB_GEN0_SEED,
				       pwb_target_make(f->fileno,
						       off + i * pd->bs), 0);
		while (done < len) {
			ssize_t r = pwrite(fd, buf + done, len - done,
					   (off_t)(off + done));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ret = r < 0 ? -errno : -EIO;
				log_err("pinwb: preparing target %s at %" PRIu64
					": %s\n", f->file_name, off + done,
					strerror(-ret));
				break;
			}
			done += (size_t)r;
		}
	}
	free(buf);
	if (!ret && fdatasync(fd))
		ret = -errno;
	close(fd);
	if (!ret)
		tg->prepared = true;
	return ret;
}

static bool target_size_known(struct fio_file *f)
{
	return f->io_size && f->real_file_size >= f->file_offset + f->io_size;
}

/* ---------- per I/O ---------- */

int pwb_io_begin(struct thread_data *td __attribute__((unused)),
		 struct pwb_data *pd,
		 struct io_u *io_u, char **addr)
{
	struct fio_file *f = io_u->file;
	struct pwb_target *tg = &pd->tg[f->fileno];
	struct pwb_iou *iu = &pd->iou[io_u->index];
	uint64_t blk, slot, target;

	if (io_u->ddir != DDIR_READ && io_u->ddir != DDIR_WRITE) {
		log_err("pinwb: only reads and writes are supported (got %s)\n",
			io_ddir_name(io_u->ddir));
		io_u->error = EOPNOTSUPP;
		return -1;
	}
	if (!tg->gen_hi && target_alloc(pd, f)) {
		io_u->error = ENOMEM;
		return -1;
	}
	blk = (io_u->offset - tg->base) / pd->bs;
	if (io_u->xfer_buflen != pd->bs || io_u->offset < tg->base ||
	    (io_u->offset - tg->base) % pd->bs || blk >= tg->nblocks) {
		log_err("pinwb: I/O %s offset %llu length %llu is not one whole block of bs=%u inside the prepared range of %s\n",
			io_ddir_name(io_u->ddir), io_u->offset,
			io_u->xfer_buflen, pd->bs, f->file_name);
		io_u->error = EINVAL;
		return -1;
	}
	slot = pwb_slot_get(&pd->arena);
	*addr = pwb_slot_addr(&pd->arena, slot);
	iu->slot = slot;
	iu->blk = blk;
	iu->has_slot = true;
	iu->is_read = io_u->ddir == DDIR_READ;
	if (io_u->ddir == DDIR_WRITE) {
		struct pwb_rec_entry *e = &pd->rec.e[slot];
		uint64_t gen = ++pd->next_gen;

		target = pwb_target_make(f->fileno, io_u->offset);
		if (tg->wr_inflight[blk]++ == 0)
			tg->burst[blk] = gen;
		tg->gen_hi[blk] = gen;
		iu->gen = gen;
		/* the CPU writes the block through the mapping */
		pwb_block_fill(*addr, pd->bs, pd->seed, target, gen);
		e->target = target;
		e->gen_lo = e->gen_hi = gen;
		__atomic_store_n(&e->state, PWB_SLOT_ONE, __ATOMIC_RELEASE);
	} else {
		iu->gen = tg->gen_lo[blk];
	}
	return 0;
}

static void check_read(struct pwb_data *pd, struct io_u *io_u, uint64_t slot)
{
	struct pwb_mismatch m;
	char msg[320];

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

static void verify_in_place(struct pwb_data *pd)
{
	struct pwb_verify_result r;
	char msg[320];

	pwb_verify_result_init(&r);
	pwb_verify_memory(pd->arena.base, &pd->rec, pd->arena.busy, &r);
	pd->verify_every_runs++;
	if (!r.mismatches)
		return;
	if (!pd->verify_every_mismatches)
		for (unsigned int i = 0; i < r.ndetail; i++) {
			pwb_mismatch_str(&r.detail[i], msg, sizeof(msg));
			log_err("pinwb: pinwb_verify_every: %s\n", msg);
		}
	pd->verify_every_mismatches += r.mismatches;
}

void pwb_io_end(struct thread_data *td, struct pwb_data *pd,
		struct io_u *io_u, long long res)
{
	struct pwb_iou *iu = &pd->iou[io_u->index];
	struct pwb_target *tg = &pd->tg[io_u->file->fileno];
	uint64_t blk = iu->blk, slot = iu->slot;
	struct pwb_rec_entry *e = &pd->rec.e[slot];

	(void)td;
	if (res < 0)
		io_u->error = (int)-res;
	else if ((unsigned long long)res != io_u->xfer_buflen)
		io_u->resid = io_u->xfer_buflen - (unsigned long long)res;

	if (io_u->ddir == DDIR_WRITE) {
		/*
		 * Once no write to the block is in flight, the target holds
		 * one of the generations of the last burst of overlapping
		 * writes: the range [burst start, gen_hi].
		 */
		if (--tg->wr_inflight[blk] == 0 && !io_u->error)
			tg->gen_lo[blk] = tg->burst[blk];
		pd->writes++;
	} else {
		if (res == (long long)pd->bs) {
			uint64_t hi = tg->gen_hi[blk];

			e->target = pwb_target_make(io_u->file->fileno,
						    io_u->offset);
			e->gen_lo = iu->gen;
			e->gen_hi = hi;
			__atomic_store_n(&e->state, iu->gen == hi ?
					 PWB_SLOT_ONE : PWB_SLOT_EITHER,
					 __ATOMIC_RELEASE);
			if (pd->o->check_reads)
				check_read(pd, io_u, slot);
		} else {
			/* whatever landed is unknown: do not check it */
			__atomic_store_n(&e->state, PWB_SLOT_UNUSED,
					 __ATOMIC_RELEASE);
		}
		pd->reads++;
	}
	iu->has_slot = false;
	pwb_slot_put(&pd->arena, slot);
	pd->ops++;
	if (pd->o->verify_every && ++pd->since_verify >= pd->o->verify_every) {
		pd->since_verify = 0;
		verify_in_place(pd);
	}
}

/* ---------- init ---------- */

static uint64_t time_seed(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
	    ((uint64_t)getpid() << 32);
	return s ? s : 1;
}

static char *job_file_name(struct thread_data *td, const char *dir,
			   const char *suffix)
{
	char *s;

	if (asprintf(&s, "%s/%s.%u%s", dir, td->o.name ? td->o.name : "job",
		     td->subjob_number, suffix) < 0)
		return NULL;
	return s;
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
	if (pwb_fio_refuse(td))		/* fio options not honoured (issue 7 item 5) */
		return 1;
	/* fio verify.h (VERIFY_NONE == 0) clashes with ours by name */
	if (td->o.verify != 0) {
		log_err("pinwb: fio's verify= cannot be used with ioengine pinwb: the engine moves every I/O through its own buffer slots, not fio's io_u buffers, so fio's verify patterns never reach the target and its read-back checks would compare the wrong memory. pinwb verifies itself (pinwb_verify=1 at the end, pinwb_verify_every=N, pinwb_check_reads=1): remove verify=\n");
		return 1;
	}
	if (td->o.nr_files < 1 || !td->files || !td->files[0]) {
		log_err("pinwb: needs at least one target file (filename=)\n");
		return 1;
	}
	if (check_bs(td, &bs_min, &bs_max))
		return 1;

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return 1;
	pd->o = o;
	td->io_ops_data = pd;

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
	/* the record beside the buffer file marks it as pinwb's */
	pd->rec_existed = pd->arena.kind == PWB_BUF_FILE &&
			  !access(pd->arena.rec_path, F_OK);
	if (pd->arena.kind == PWB_BUF_FILE &&
	    pwb_record_write(&pd->rec, pd->arena.rec_path, err, sizeof(err))) {
		log_err("pinwb: %s\n", err);
		return 1;
	}

	pd->nfiles = td->o.nr_files;
	pd->tg = calloc(pd->nfiles, sizeof(*pd->tg));
	pd->niou = td->o.iodepth;
	pd->iou = calloc(pd->niou, sizeof(*pd->iou));
	pd->vm_before = calloc(1, sizeof(*pd->vm_before));
	pd->vm_after = calloc(1, sizeof(*pd->vm_after));
	if (!pd->tg || !pd->iou || !pd->vm_before || !pd->vm_after)
		return 1;
	for (unsigned int i = 0; i < pd->nfiles; i++)
		pd->tg[i].lock_fd = -1;
	pwb_verify_result_init(&pd->vres);

	if (o->report)
		pd->report_path = strdup(o->report);
	else if ((env = getenv("PINWB_REPORT_DIR")) && *env)
		pd->report_path = job_file_name(td, env, ".pinwb.json");
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

static int pwb_post_init(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;
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
	if (pd->o->io == PWB_IO_URING && pwb_uring_setup(td, pd))
		return 1;
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
	pd->setup_failed = false;
	return 0;
}

static int pwb_open_file(struct thread_data *td, struct fio_file *f)
{
	struct pwb_data *pd = td->io_ops_data;
	int ret;

	if (pd && pd->regfiles)
		f->fd = pd->fds[f->fileno];	/* registered in post_init */
	else if ((ret = generic_open_file(td, f)))
		return ret;
	if (pd && !pd->tg[f->fileno].prepared) {
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

	if (pd && pd->regfiles) {
		f->fd = -1;
		return 0;
	}
	return generic_close_file(td, f);
}

static enum fio_q_status pwb_queue(struct thread_data *td, struct io_u *io_u)
{
	struct pwb_data *pd = td->io_ops_data;

	if (pd->o->io == PWB_IO_SYNC)
		return pwb_sync_queue(td, io_u);
	return pwb_uring_queue(td, io_u);
}

static int pwb_commit(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;

	if (pd->o->io == PWB_IO_SYNC)
		return 0;
	return pwb_uring_commit(td);
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

static int run_hook(struct thread_data *td, struct pwb_data *pd)
{
	const char *cmd = pd->o->before_verify;
	int st;

	if (!cmd || !*cmd)
		return 0;
	if (pd->arena.kind != PWB_BUF_FILE) {
		pwb_info("pinwb: %s: pinwb_before_verify not run: no buffer file (pinwb_buffer=%s)\n",
			 td->o.name, pwb_buf_kind_names[pd->arena.kind]);
		return 0;
	}
	setenv("PINWB_BUFFER_FILE", pd->arena.path, 1);
	setenv("PINWB_RECORD_FILE", pd->arena.rec_path, 1);
	fflush(NULL);
	st = system(cmd);
	unsetenv("PINWB_BUFFER_FILE");
	unsetenv("PINWB_RECORD_FILE");
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(pd->vres.error, sizeof(pd->vres.error),
			 "pinwb_before_verify '%s' failed (status %d)", cmd,
			 st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 +
			 WTERMSIG(st));
		return -1;
	}
	return 0;
}

static int copy_file(const char *from, const char *to, char *err,
		     size_t errlen)
{
	char *buf = malloc(1 << 20);
	int in, out, ret = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		ret = -errno;
		snprintf(err, errlen, "copy %s to %s: %s", from, to,
			 strerror(errno));
	}
	while (!ret && (r = read(in, buf, 1 << 20)) != 0) {
		if (r < 0 || write(out, buf, (size_t)r) != r) {
			ret = -EIO;
			snprintf(err, errlen, "copy %s to %s: %s", from, to,
				 strerror(errno));
		}
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && !ret)
		ret = -errno;
	free(buf);
	return ret;
}

static int write_mem(const char *to, const void *p, size_t len, char *err,
		     size_t errlen)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *c = p;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		return -errno;
	}
	while (len) {
		ssize_t r = write(fd, c, len);

		if (r <= 0) {
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			close(fd);
			return -EIO;
		}
		c += r;
		len -= (size_t)r;
	}
	return close(fd) ? -errno : 0;
}

static void keep(struct thread_data *td, struct pwb_data *pd,
		 char **kbuf, char **krec)
{
	char err[512];

	*kbuf = job_file_name(td, pd->keep_dir, ".buf");
	*krec = job_file_name(td, pd->keep_dir, ".rec");
	if (!*kbuf || !*krec)
		return;
	if (mkdir(pd->keep_dir, 0755) && errno != EEXIST) {
		log_err("pinwb: pinwb_keep_dir %s: %s\n", pd->keep_dir,
			strerror(errno));
		goto fail;
	}
	if ((pd->arena.kind == PWB_BUF_FILE ?
	     copy_file(pd->arena.path, *kbuf, err, sizeof(err)) :
	     write_mem(*kbuf, pd->arena.base, pd->arena.size, err,
		       sizeof(err))) ||
	    pwb_record_write(&pd->rec, *krec, err, sizeof(err))) {
		log_err("pinwb: pinwb_keep_dir: %s\n", err);
		goto fail;
	}
	return;
fail:
	free(*kbuf);
	free(*krec);
	*kbuf = *krec = NULL;
}

static void run_verify(struct thread_data *td, struct pwb_data *pd)
{
	struct pwb_arena *a = &pd->arena;
	char err[512];

	pwb_arena_query_nodes(a, &pd->rec);
	if (a->kind != PWB_BUF_FILE) {
		pwb_verify_memory(a->base, &pd->rec, NULL, &pd->vres);
		return;
	}
	/* no pin remains: the ring is gone and every I/O has completed */
	if (pwb_arena_unmap(a, err, sizeof(err)) ||
	    pwb_record_write(&pd->rec, a->rec_path, err, sizeof(err))) {
		pd->vres.ran = true;
		pd->vres.outcome = PWB_V_SETUP;
		snprintf(pd->vres.error, sizeof(pd->vres.error), "%s", err);
		return;
	}
	if (run_hook(td, pd)) {
		pd->vres.ran = true;
		pd->vres.outcome = PWB_V_SETUP;
		return;
	}
	pwb_verify_file(a->path, &pd->rec, &pd->vres);
}

static void report(struct thread_data *td, struct pwb_data *pd,
		   const char *kbuf, const char *krec)
{
	struct pwb_report r;
	char err[512];
	char *sum;

	memset(&r, 0, sizeof(r));
	r.job = td->o.name ? td->o.name : "job";
	r.subjob = td->subjob_number;
	r.kernel = pd->kernel;
	r.seed = pd->seed;
	r.buffer_kind = pwb_buf_kind_names[pd->arena.kind];
	r.buffer_file = pd->arena.path;
	r.buffer_size = pd->arena.size;
	r.slot_size = pd->bs;
	r.slots = pd->arena.nslots;
	r.numa_node_requested = pd->numa_node;
	r.numa_nodes_seen = pd->arena.numa_seen;
	r.io_path = pd->o->io == PWB_IO_SYNC ? "sync" : "uring";
	r.sync_call = pd->o->sync_call == PWB_CALL_PREADV2 ? "preadv2" :
		      "pread";
	r.fixedbufs = pd->o->fixedbufs;
	r.fixedbufs_fallback_used = pd->fallback_used;
	r.registerfiles = pd->o->registerfiles;
	r.ops = pd->ops;
	r.reads = pd->reads;
	r.writes = pd->writes;
	r.read_check_failures = pd->read_check_failures;
	r.verify_every_runs = pd->verify_every_runs;
	r.verify_every_mismatches = pd->verify_every_mismatches;
	r.wb_modes = pd->wb.modes;	/* the modes that ran */
	r.wb_nmodes = pd->wb.nmodes;
	r.wb_interval_us = pd->o->wb_interval_us;
	r.wb_counts = pd->wb.counts;
	r.wb_errors = pd->wb.errors;
	r.wb_note = pd->wb.note;
	pwb_report_wb_pages(&r, &pd->wb);	/* writeback pages (issue 7 item 4) */
	r.verify = &pd->vres;
	r.keep_buffer = kbuf;
	r.keep_record = krec;
	r.vm_before = pd->vm_before;
	r.vm_after = pd->vm_after;
	if (pd->report_path && pwb_report_write(&r, pd->report_path, err,
						sizeof(err)))
		log_err("pinwb: %s\n", err);
	sum = malloc(4096);
	if (sum) {
		pwb_report_summary(&r, sum, 4096);
		pwb_info("%s", sum);
		free(sum);
	}
}

/*
 * fio reaps every I/O before cleanup; should one still have been in flight
 * when the ring closed, what a read left in its slot is unknown: do not
 * check it.  A write's slot holds what the CPU put there.
 */
static void forget_unreaped(struct pwb_data *pd)
{
	for (unsigned int i = 0; pd->iou && i < pd->niou; i++) {
		struct pwb_iou *iu = &pd->iou[i];

		if (iu->has_slot && iu->is_read)
			pd->rec.e[iu->slot].state = PWB_SLOT_UNUSED;
		if (iu->has_slot)
			pwb_slot_put(&pd->arena, iu->slot);
		iu->has_slot = false;
	}
}

static void pwb_cleanup(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;
	char *kbuf = NULL, *krec = NULL;
	char msg[320];

	if (!pd)
		return;
	pwb_uring_exit(pd);
	pwb_wb_stop(&pd->wb);
	forget_unreaped(pd);
	if (pd->wb.errors)
		log_err("pinwb: writeback driver: %" PRIu64 " failed action(s), first: %s\n",
			pd->wb.errors, strerror(pd->wb.first_errno));

	if (pd->setup_failed)
		snprintf(pd->vres.error, sizeof(pd->vres.error),
			 "job setup failed: nothing to verify");
	else if (pd->arena_ready && pd->rec.e && pd->o->verify)
		run_verify(td, pd);
	if (pd->arena_ready && pd->rec.e && pd->keep_dir && !pd->setup_failed)
		keep(td, pd, &kbuf, &krec);
	if (pd->vm_after)
		pwb_vmstat_read(pd->vm_after);
	if (pd->vm_before && pd->vm_after && pd->arena_ready)
		report(td, pd, kbuf, krec);

	for (unsigned int i = 0; i < pd->vres.ndetail; i++) {
		pwb_mismatch_str(&pd->vres.detail[i], msg, sizeof(msg));
		log_err("pinwb: %s: %s\n", pd->arena.path ? pd->arena.path :
			"buffer", msg);
	}
	if (pd->vres.mismatches > pd->vres.ndetail)
		log_err("pinwb: ... and %" PRIu64 " more mismatching slot(s)\n",
			pd->vres.mismatches - pd->vres.ndetail);
	if (pd->vres.outcome == PWB_V_MISMATCH) {
		log_err("pinwb: %s: VERIFY FAILED: %" PRIu64 " of %" PRIu64
			" slot(s) do not hold the block last put there\n",
			td->o.name, pd->vres.mismatches,
			pd->vres.slots_checked);
		td_verror(td, EILSEQ, "pinwb verify");
	} else if (pd->vres.outcome == PWB_V_SETUP) {
		log_err("pinwb: %s: verification could not run: %s\n",
			td->o.name, pd->vres.error);
		td_verror(td, EIO, "pinwb verify setup");
	}
	if (pd->verify_every_mismatches) {
		log_err("pinwb: %s: pinwb_verify_every found %" PRIu64
			" mismatching slot(s)\n", td->o.name,
			pd->verify_every_mismatches);
		td_verror(td, EILSEQ, "pinwb verify_every");
	}

	/* a buffer file this run created for a job that never ran goes away */
	if ((!pd->init_done || pd->setup_failed) && pd->arena.created)
		pd->arena.remove_at_end = true;
	else if ((!pd->init_done || pd->setup_failed) && pd->arena.rec_path &&
		 !pd->rec_existed && pd->rec.e)
		unlink(pd->arena.rec_path);	/* marker we just wrote */
	pwb_arena_close(&pd->arena);
	pwb_record_free(&pd->rec);
	for (unsigned int i = 0; pd->tg && i < pd->nfiles; i++)
		target_free(&pd->tg[i]);
	free(pd->tg);
	free(pd->iou);
	free(pd->events);
	free(pd->queued);
	free(pd->vm_before);
	free(pd->vm_after);
	free(pd->report_path);
	free(pd->keep_dir);
	free(kbuf);
	free(krec);
	free(pd);
	td->io_ops_data = NULL;
}

struct ioengine_ops ioengine = {
	.name			= "pinwb",
	.version		= FIO_IOOPS_VERSION,
	/* commit() stamps issue times; engine state is per job thread */
	.flags			= FIO_ASYNCIO_SETS_ISSUE_TIME | FIO_NO_OFFLOAD,
	.init			= pwb_init,
	.post_init		= pwb_post_init,
	.queue			= pwb_queue,
	.commit			= pwb_commit,
	.getevents		= pwb_uring_getevents,
	.event			= pwb_uring_event,
	.cleanup		= pwb_cleanup,
	.open_file		= pwb_open_file,
	.close_file		= pwb_close_file,
	.get_file_size		= generic_get_file_size,
	.iomem_alloc		= pwb_iomem_alloc,
	.iomem_free		= pwb_iomem_free,
	.options		= pwb_fio_options,
	.option_struct_size	= sizeof(struct pwb_options),
};
