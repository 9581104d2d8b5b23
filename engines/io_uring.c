// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb io_uring path (liburing): a ring of iodepth entries, SQEs prepared
 * in queue(), submitted in one batch in commit(), completions peeked in
 * batches.  Optional fixed buffers (the whole arena, in iovecs of at most
 * 1 GiB) and registered files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pinwb.h"

#define REG_CHUNK	(1ULL << 30)

static void raise_memlock(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	if (!setrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	/* unprivileged: at least up to the hard limit */
	getrlimit(RLIMIT_MEMLOCK, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* what the pinwb kernel's switch says here, for the refusal message */
static const char *sysctl_state(void)
{
	FILE *f = fopen("/proc/sys/vm/longterm_pin_file_mappings", "r");
	int v = -1;

	if (!f)
		return "this kernel has no such sysctl";
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v == 0 ? "it is 0 here" : v == 1 ? "it is 1 here" :
	       "unreadable here";
}

static int register_buffers(struct thread_data *td, struct pwb_data *pd)
{
	struct pwb_arena *a = &pd->arena;
	uint64_t per = REG_CHUNK / a->slot_size;
	unsigned int n = (unsigned int)((a->nslots + per - 1) / per);
	struct iovec *iov;
	int ret;

	iov = calloc(n, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t first = (uint64_t)i * per;
		uint64_t cnt = a->nslots - first < per ? a->nslots - first : per;

		iov[i].iov_base = pwb_slot_addr(a, first);
		iov[i].iov_len = cnt * a->slot_size;
	}
	pd->slots_per_buf = per;
	raise_memlock();
	ret = io_uring_register_buffers(&pd->ring, iov, n);
	free(iov);
	if (!ret) {
		pd->fixed = true;
		return 0;
	}

	if (ret == -EFAULT && a->kind == PWB_BUF_FILE)
		log_err("pinwb: pinwb_fixedbufs=1: registering the buffer file %s as io_uring fixed buffers failed with EFAULT: this kernel refuses long-term pins (FOLL_LONGTERM) of writable shared file mappings. Ways out: pinwb_fixedbufs=0 (per-I/O pins), pinwb_buffer=anon|shmem, or on the pinwb kernel `sysctl vm.longterm_pin_file_mappings=1` (%s)%s\n",
			a->path, sysctl_state(),
			pd->o->fixedbufs_fallback ? "" :
			"; pinwb_fixedbufs_fallback=1 carries on without fixed buffers");
	else if (ret == -ENOMEM)
		log_err("pinwb: pinwb_fixedbufs=1: registering %llu bytes of fixed buffers failed with ENOMEM (RLIMIT_MEMLOCK too low? raise it with ulimit -l or run as root, or use pinwb_fixedbufs=0)\n",
			(unsigned long long)a->size);
	else
		log_err("pinwb: pinwb_fixedbufs=1: io_uring_register_buffers: %s\n",
			strerror(-ret));

	if (pd->o->fixedbufs_fallback) {
		log_err("pinwb: pinwb_fixedbufs_fallback=1: continuing WITHOUT fixed buffers (each I/O pins its pages)\n");
		pd->fallback_used = true;
		return 0;
	}
	td_verror(td, -ret, "pinwb io_uring_register_buffers");
	return ret;
}

static int register_files(struct thread_data *td, struct pwb_data *pd)
{
	struct fio_file *f;
	unsigned int i;
	int ret = 0;

	pd->fds = calloc(td->o.nr_files, sizeof(int));
	if (!pd->fds)
		return -ENOMEM;
	for_each_file(td, f, i) {
		pd->fds[i] = -1;
		if (generic_open_file(td, f)) {
			ret = -(td->error ? td->error : EIO);
			break;
		}
		pd->fds[i] = f->fd;
	}
	if (!ret)
		ret = io_uring_register_files(&pd->ring, pd->fds,
					      td->o.nr_files);
	/* fio opens and closes through open_file/close_file: look closed */
	for_each_file(td, f, i)
		f->fd = -1;
	if (ret) {
		log_err("pinwb: pinwb_registerfiles=1: io_uring_register_files: %s\n",
			strerror(-ret));
		td_verror(td, -ret, "pinwb io_uring_register_files");
		return ret;
	}
	pd->regfiles = true;
	return 0;
}

/*
 * Same ring flags as fio's io_uring engine so the bench compares like with
 * like: completions run as task work only when this thread enters the
 * kernel (DEFER_TASKRUN, one issuer), no IPIs (COOP_TASKRUN).  Older
 * kernels refuse the newer flags with EINVAL: drop them one by one.
 */
static int ring_init(struct pwb_data *pd, unsigned int depth)
{
	static const unsigned int tries[] = {
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
		IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	struct io_uring_params p;
	int ret = -EINVAL;

	for (unsigned int i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE | tries[i];
		p.cq_entries = depth;
		ret = io_uring_queue_init_params(depth, &pd->ring, &p);
		if (ret != -EINVAL)
			break;
	}
	return ret;
}

int pwb_uring_setup(struct thread_data *td, struct pwb_data *pd)
{
	unsigned int depth = td->o.iodepth;
	int ret;

	pd->events = calloc(depth, sizeof(*pd->events));
	pd->queued = calloc(depth, sizeof(*pd->queued));
	if (!pd->events || !pd->queued)
		return -ENOMEM;
	ret = ring_init(pd, depth);
	if (ret) {
		log_err("pinwb: pinwb_io=uring: io_uring_queue_init(%u): %s\n",
			depth, strerror(-ret));
		td_verror(td, -ret, "pinwb io_uring_queue_init");
		return ret;
	}
	pd->ring_ready = true;
	if (pd->o->fixedbufs) {
		ret = register_buffers(td, pd);
		if (ret)
			return ret;
	}
	if (pd->o->registerfiles) {
		if (td->o.nr_files != td->o.open_files) {
			log_err("pinwb: pinwb_registerfiles=1 needs open_files equal to nrfiles (%u != %u)\n",
				td->o.open_files, td->o.nr_files);
			td_verror(td, EINVAL, "pinwb_registerfiles");
			return -EINVAL;
		}
		ret = register_files(td, pd);
		if (ret)
			return ret;
	}
	return 0;
}

void pwb_uring_exit(struct pwb_data *pd)
{
	if (!pd->ring_ready)
		return;
	/* drops the long-term pins of the fixed buffers */
	if (pd->fixed)
		io_uring_unregister_buffers(&pd->ring);
	io_uring_queue_exit(&pd->ring);
	pd->ring_ready = false;
	for (unsigned int i = 0; pd->fds && i < pd->nfiles; i++)
		if (pd->fds[i] >= 0)
			close(pd->fds[i]);
	free(pd->fds);
	pd->fds = NULL;
	pd->regfiles = false;
	pd->fixed = false;
}

enum fio_q_status pwb_uring_queue(struct thread_data *td, struct io_u *io_u)
{
	struct pwb_data *pd = td->io_ops_data;
	struct io_uring_sqe *sqe;
	struct fio_file *f = io_u->file;
	int fd = pd->regfiles ? f->fileno : f->fd;
	char *addr = NULL;

	fio_ro_check(td, io_u);
	if (pd->nqueued == td->o.iodepth ||
	    !io_uring_sq_space_left(&pd->ring))
		return FIO_Q_BUSY;
	if (!ddir_sync(io_u->ddir) && pwb_io_begin(td, pd, io_u, &addr))
		return FIO_Q_COMPLETED;	/* io_u->error says why */
	sqe = io_uring_get_sqe(&pd->ring);

	if (ddir_sync(io_u->ddir)) {
		io_uring_prep_fsync(sqe, fd, io_u->ddir == DDIR_DATASYNC ?
				    IORING_FSYNC_DATASYNC : 0);
	} else if (pd->fixed) {
		unsigned int idx = (unsigned int)
			(pd->iou[io_u->index].slot / pd->slots_per_buf);

		if (io_u->ddir == DDIR_WRITE)
			io_uring_prep_write_fixed(sqe, fd, addr,
						  io_u->xfer_buflen,
						  io_u->offset, idx);
		else
			io_uring_prep_read_fixed(sqe, fd, addr,
						 io_u->xfer_buflen,
						 io_u->offset, idx);
	} else if (io_u->ddir == DDIR_WRITE) {
		io_uring_prep_write(sqe, fd, addr, io_u->xfer_buflen,
				    io_u->offset);
	} else {
		io_uring_prep_read(sqe, fd, addr, io_u->xfer_buflen,
				   io_u->offset);
	}
	if (pd->regfiles)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data(sqe, io_u);
	pd->queued[pd->nqueued++] = io_u;
	return FIO_Q_QUEUED;
}

static unsigned int reap(struct thread_data *td, struct pwb_data *pd,
			 unsigned int max)
{
	struct io_uring_cqe *cqes[64];
	unsigned int got = 0;

	while (got < max) {
		unsigned int want = max - got, n;

		if (want > 64)
			want = 64;
		n = io_uring_peek_batch_cqe(&pd->ring, cqes, want);
		if (!n)
			break;
		for (unsigned int i = 0; i < n; i++) {
			struct io_u *io_u = io_uring_cqe_get_data(cqes[i]);

			if (ddir_sync(io_u->ddir)) {
				if (cqes[i]->res < 0)
					io_u->error = -cqes[i]->res;
			} else {
				pwb_io_end(td, pd, io_u, cqes[i]->res);
			}
			pd->events[pd->nevents + got++] = io_u;
		}
		io_uring_cq_advance(&pd->ring, n);
	}
	return got;
}

int pwb_uring_commit(struct thread_data *td)
{
	struct pwb_data *pd = td->io_ops_data;
	unsigned int done = 0;
	struct timespec now;
	bool stamp;
	int ret;

	if (!pd->nqueued)
		return 0;
	stamp = fio_fill_issue_time(td);
	if (stamp)
		fio_gettime(&now, NULL);
	while (done < pd->nqueued) {
		/* submit and run completion work in the same syscall */
		ret = io_uring_submit_and_get_events(&pd->ring);
		if (ret == -EAGAIN || ret == -EINTR || ret == -EBUSY)
			continue;
		if (ret < 0) {
			td_verror(td, -ret, "pinwb io_uring_submit");
			return ret;
		}
		if (!ret)
			break;
		for (int i = 0; i < ret; i++) {
			struct io_u *io_u = pd->queued[done + i];

			if (stamp) {
				io_u->issue_time = now;
				io_u_queued(td, io_u);
			}
		}
		io_u_mark_submit(td, ret);
		done += (unsigned int)ret;
	}
	pd->nqueued = 0;
	return 0;
}

int pwb_uring_getevents(struct thread_data *td, unsigned int min,
			unsigned int max, const struct timespec *t)
{
	struct pwb_data *pd = td->io_ops_data;
	unsigned int events = 0;
	int ret;

	(void)t;
	pd->nevents = 0;
	for (;;) {
		unsigned int r = reap(td, pd, max - events);

		events += r;
		pd->nevents = events;
		if (events >= min)
			break;
		ret = io_uring_wait_cqes(&pd->ring, &(struct io_uring_cqe *){0},
					 min - events, NULL, NULL);
		if (ret < 0 && ret != -EAGAIN && ret != -EINTR &&
		    ret != -ETIME) {
			td_verror(td, -ret, "pinwb io_uring_wait_cqes");
			return ret;
		}
	}
	return (int)events;
}

struct io_u *pwb_uring_event(struct thread_data *td, int event)
{
	struct pwb_data *pd = td->io_ops_data;

	return pd->events[event];
}
