// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb io_uring transport (liburing): a ring of iodepth entries, SQEs
 * prepared in queue(), submitted in commit() as fio's io_uring engine does
 * (a partial submit keeps the rest queued, -EAGAIN/-EBUSY reap completions
 * before retrying, issue times stamped once the submit returned),
 * completions peeked in batches.  Optional fixed buffers (the whole arena,
 * in iovecs of at most 1 GiB) and registered files.
 */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "transport.h"

struct uring {
	struct io_uring ring;
	bool ready;
	uint64_t slots_per_buf;		/* slots per registered iovec */
	unsigned int depth;
	struct io_u **queued;		/* prepared, not yet taken by the kernel */
	unsigned int nqueued;
	unsigned int inflight;		/* taken by the kernel, not reaped */
	struct io_u **done;		/* reaped in commit, not yet returned */
	unsigned int ndone;
	struct io_u **events;		/* what getevents returned */
};

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

static int register_buffers(struct thread_data *td, struct pwb_transport *t,
			    struct uring *u)
{
	const struct pwb_arena *a = t->arena;
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
	u->slots_per_buf = per;
	raise_memlock();
	ret = io_uring_register_buffers(&u->ring, iov, n);
	free(iov);
	if (!ret) {
		t->fixed = true;
		return 0;
	}

	if (ret == -EFAULT && a->kind == PWB_BUF_FILE)
		log_err("pinwb: pinwb_fixedbufs=1: registering the buffer file %s as io_uring fixed buffers failed with EFAULT: this kernel refuses long-term pins (FOLL_LONGTERM) of writable shared file mappings. Ways out: pinwb_fixedbufs=0 (per-I/O pins), pinwb_buffer=anon|shmem, or on the pinwb kernel `sysctl vm.longterm_pin_file_mappings=1` (%s)%s\n",
			a->path, sysctl_state(),
			t->fixed_fallback ? "" :
			"; pinwb_fixedbufs_fallback=1 carries on without fixed buffers");
	else if (ret == -ENOMEM)
		log_err("pinwb: pinwb_fixedbufs=1: registering %llu bytes of fixed buffers failed with ENOMEM (RLIMIT_MEMLOCK too low? raise it with ulimit -l or run as root, or use pinwb_fixedbufs=0)\n",
			(unsigned long long)a->size);
	else
		log_err("pinwb: pinwb_fixedbufs=1: io_uring_register_buffers: %s\n",
			strerror(-ret));

	if (t->fixed_fallback) {
		log_err("pinwb: pinwb_fixedbufs_fallback=1: continuing WITHOUT fixed buffers (each I/O pins its pages)\n");
		t->fallback_used = true;
		return 0;
	}
	td_verror(td, -ret, "pinwb io_uring_register_buffers");
	return ret;
}

static int register_files(struct thread_data *td, struct pwb_transport *t,
			  struct uring *u)
{
	struct fio_file *f;
	unsigned int i;
	int ret = 0;

	t->fds = calloc(td->o.nr_files, sizeof(int));
	if (!t->fds)
		return -ENOMEM;
	for_each_file(td, f, i) {
		t->fds[i] = -1;
		if (generic_open_file(td, f)) {
			ret = -(td->error ? td->error : EIO);
			break;
		}
		t->fds[i] = f->fd;
	}
	if (!ret)
		ret = io_uring_register_files(&u->ring, t->fds,
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
	t->regfiles = true;
	return 0;
}

/*
 * Same ring flags as fio's io_uring engine so the bench compares like with
 * like: completions run as task work only when this thread enters the
 * kernel (DEFER_TASKRUN, one issuer), no IPIs (COOP_TASKRUN).  Older
 * kernels refuse the newer flags with EINVAL: drop them one by one.
 */
static int ring_init(struct uring *u, unsigned int depth)
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
		ret = io_uring_queue_init_params(depth, &u->ring, &p);
		if (ret != -EINVAL)
			break;
	}
	return ret;
}

static int uring_setup(struct thread_data *td, struct pwb_transport *t)
{
	unsigned int depth = t->depth;
	struct uring *u;
	int ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	t->priv = u;
	u->depth = depth;
	u->queued = calloc(depth, sizeof(*u->queued));
	u->done = calloc(depth, sizeof(*u->done));
	u->events = calloc(depth, sizeof(*u->events));
	if (!u->queued || !u->done || !u->events)
		return -ENOMEM;
	t->events = u->events;
	ret = ring_init(u, depth);
	if (ret) {
		log_err("pinwb: pinwb_io=uring: io_uring_queue_init(%u): %s\n",
			depth, strerror(-ret));
		td_verror(td, -ret, "pinwb io_uring_queue_init");
		return ret;
	}
	u->ready = true;
	if (t->want_fixed) {
		ret = register_buffers(td, t, u);
		if (ret)
			return ret;
	}
	if (t->want_regfiles) {
		if (td->o.nr_files != td->o.open_files) {
			log_err("pinwb: pinwb_registerfiles=1 needs open_files equal to nrfiles (%u != %u)\n",
				td->o.open_files, td->o.nr_files);
			td_verror(td, EINVAL, "pinwb_registerfiles");
			return -EINVAL;
		}
		ret = register_files(td, t, u);
		if (ret)
			return ret;
	}
	return 0;
}

static void uring_exit(struct pwb_transport *t)
{
	struct uring *u = t->priv;

	if (!u)
		return;
	if (u->ready) {
		/* drops the long-term pins of the fixed buffers */
		if (t->fixed)
			io_uring_unregister_buffers(&u->ring);
		io_uring_queue_exit(&u->ring);
	}
	for (unsigned int i = 0; t->fds && i < t->nfiles; i++)
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	free(t->fds);
	t->fds = NULL;
	t->regfiles = false;
	t->fixed = false;
	free(u->queued);
	free(u->done);
	free(u->events);
	free(u);
	t->priv = NULL;
	t->events = NULL;
}

static enum fio_q_status uring_queue(struct thread_data *td,
				     struct pwb_transport *t,
				     struct io_u *io_u, char *addr)
{
	struct uring *u = t->priv;
	struct io_uring_sqe *sqe;
	struct fio_file *f = io_u->file;
	int fd = t->regfiles ? (int)f->fileno : f->fd;

	(void)td;
	if (u->nqueued == u->depth)
		return FIO_Q_BUSY;
	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return FIO_Q_BUSY;

	if (ddir_sync(io_u->ddir)) {
		io_uring_prep_fsync(sqe, fd, io_u->ddir == DDIR_DATASYNC ?
				    IORING_FSYNC_DATASYNC : 0);
	} else if (t->fixed) {
		uint64_t slot = (uint64_t)(addr - t->arena->base) /
				t->arena->slot_size;
		unsigned int idx = (unsigned int)(slot / u->slots_per_buf);

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
	if (t->regfiles)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data(sqe, io_u);
	u->queued[u->nqueued++] = io_u;
	return FIO_Q_QUEUED;
}

/* the completion's result into its io_u; the whole transfer is the rule */
static struct io_u *cqe_io_u(const struct io_uring_cqe *cqe)
{
	struct io_u *io_u = io_uring_cqe_get_data(cqe);
	int res = cqe->res;

	if (__builtin_expect(res >= 0 &&
			     (unsigned long long)res == io_u->xfer_buflen, 1))
		return io_u;
	if (res < 0)
		io_u->error = -res;
	else if (!ddir_sync(io_u->ddir))
		io_u->resid = io_u->xfer_buflen - (unsigned long long)res;
	return io_u;
}

/* the ring looked empty: let liburing look again (and flush) */
static __attribute__((noinline)) unsigned int
reap_flush(struct uring *u, struct io_u **out, unsigned int max)
{
	struct io_uring_cqe *cqes[64];
	unsigned int got;

	got = io_uring_peek_batch_cqe(&u->ring, cqes, max < 64 ? max : 64);
	for (unsigned int i = 0; i < got; i++)
		out[i] = cqe_io_u(cqes[i]);
	return got;
}

/*
 * Move up to @max completions into @out; returns how many.  The ring is
 * read in place: one look at the tail, the entries by index (the ring has
 * no IORING_SETUP_CQE32), one advance of the head for the lot.  Only when
 * it looks empty does io_uring_peek_batch_cqe() look again, which also
 * flushes completions the kernel holds back (overflow, pending task work)
 * by entering it.
 */
static inline unsigned int reap(struct uring *u, struct io_u **out,
				unsigned int max)
{
	struct io_uring_cq *cq = &u->ring.cq;
	unsigned int head = *cq->khead;
	unsigned int got = io_uring_cq_ready(&u->ring);

	if (got > max)
		got = max;
	for (unsigned int i = 0; i < got; i++)
		out[i] = cqe_io_u(&cq->cqes[(head + i) & cq->ring_mask]);
	if (!got && max)
		got = reap_flush(u, out, max);
	if (got)
		io_uring_cq_advance(&u->ring, got);
	u->inflight -= got;
	return got;
}

/*
 * The kernel took none of the queued entries (0, -EAGAIN, -EBUSY: out of
 * resources or a full completion queue): reap what completed so the next
 * submit has room, waiting for one completion when none is there yet.
 */
static int make_room(struct thread_data *td, struct uring *u)
{
	unsigned int n = reap(u, u->done + u->ndone, u->depth - u->ndone);
	struct io_uring_cqe *cqe;
	int ret;

	if (n) {
		u->ndone += n;
		return 0;
	}
	if (!u->inflight) {
		usleep(1);
		return 0;
	}
	ret = io_uring_wait_cqe(&u->ring, &cqe);
	if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -ETIME) {
		td_verror(td, -ret, "pinwb io_uring_wait_cqe");
		return ret;
	}
	return 0;
}

/*
 * Submit everything queued.  The glue calls commit only when something
 * was queued since the last one (fio also commits with nothing queued),
 * so this is the submit itself, one call deep.
 */
static int uring_commit(struct thread_data *td, struct pwb_transport *t)
{
	struct uring *u = t->priv;
	struct timespec now;
	int ret;

	while (u->nqueued) {
		/* submit and run completion work in the same syscall */
		ret = io_uring_submit_and_get_events(&u->ring);
		if (ret > 0) {
			unsigned int n = (unsigned int)ret;

			if (n > u->nqueued)
				n = u->nqueued;
			/* issued once the kernel has them, as fio stamps it */
			if (fio_fill_issue_time(td)) {
				fio_gettime(&now, NULL);
				for (unsigned int i = 0; i < n; i++) {
					u->queued[i]->issue_time = now;
					io_u_queued(td, u->queued[i]);
				}
			}
			io_u_mark_submit(td, n);
			u->inflight += n;
			u->nqueued -= n;
			/* a partial submit keeps the rest, in order */
			if (u->nqueued)
				memmove(u->queued, u->queued + n,
					u->nqueued * sizeof(*u->queued));
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret == 0 || ret == -EAGAIN || ret == -EBUSY) {
			ret = make_room(td, u);
			if (ret)
				return ret;
			continue;
		}
		td_verror(td, -ret, "pinwb io_uring_submit");
		return ret;
	}
	return 0;
}

/*
 * Reap until @events reaches @min, waiting in the kernel for the rest;
 * out of line: most calls find enough in the ring at the first look.
 */
static __attribute__((noinline)) int wait_events(struct thread_data *td,
						 struct uring *u,
						 unsigned int events,
						 unsigned int min,
						 unsigned int max)
{
	int ret;

	for (;;) {
		if (events >= min)
			break;
		ret = io_uring_wait_cqes(&u->ring, &(struct io_uring_cqe *){0},
					 min - events, NULL, NULL);
		if (ret < 0 && ret != -EAGAIN && ret != -EINTR &&
		    ret != -ETIME) {
			td_verror(td, -ret, "pinwb io_uring_wait_cqes");
			return ret;
		}
		events += reap(u, u->events + events, max - events);
	}
	return (int)events;
}

/* first what commit reaped while making room (rarely any) */
static __attribute__((noinline)) unsigned int take_done(struct uring *u,
							 unsigned int max)
{
	unsigned int events = 0;

	while (events < max && events < u->ndone) {
		u->events[events] = u->done[events];
		events++;
	}
	memmove(u->done, u->done + events, (u->ndone - events) *
		sizeof(*u->done));
	u->ndone -= events;
	return events;
}

static int uring_getevents(struct thread_data *td, struct pwb_transport *t,
			   unsigned int min, unsigned int max)
{
	struct uring *u = t->priv;
	unsigned int events = 0;

	if (u->ndone)
		events = take_done(u, max);
	events += reap(u, u->events + events, max - events);
	if (events >= min)
		return (int)events;
	return wait_events(td, u, events, min, max);
}

const struct pwb_transport_ops pwb_transport_uring = {
	.name		= "uring",
	.setup		= uring_setup,
	.queue		= uring_queue,
	.commit		= uring_commit,
	.getevents	= uring_getevents,
	.exit		= uring_exit,
};
