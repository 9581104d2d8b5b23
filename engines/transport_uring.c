// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb io_uring transport (liburing): a ring of iodepth entries, SQEs
 * prepared in queue(), submitted in commit() as fio's io_uring engine does
 * (a partial submit keeps the rest queued, -EAGAIN/-EBUSY reap completions
 * before retrying, issue times stamped once the submit returned),
 * completions peeked in batches.  Optional fixed buffers (the whole arena,
 * in iovecs of at most 1 GiB) and registered files.  The per-I/O calls are
 * inline in transport_uring.h; this file has setup, exit, the ops table
 * and the rare paths.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "transport_uring.h"

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
			    struct pwb_uring *u)
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
	u->buf_bytes = per * a->slot_size;
	u->nbufs = n;
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
			  struct pwb_uring *u)
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
static int ring_init(struct pwb_uring *u, unsigned int depth)
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
	struct pwb_uring *u;
	int ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	t->priv = u;
	u->depth = depth;
	u->done = calloc(depth, sizeof(*u->done));
	u->events = calloc(depth, sizeof(*u->events));
	if (!u->done || !u->events)
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
	/* the kernel rounds the SQ ring up: queue() fills it, not depth */
	u->queued = calloc(u->ring.sq.ring_entries, sizeof(*u->queued));
	if (!u->queued)
		return -ENOMEM;
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
	struct pwb_uring *u = t->priv;

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

/* the ring looked empty: let liburing look again (and flush) */
unsigned int pwb_uring_reap_flush(struct pwb_uring *u, struct io_u **out,
				  unsigned int max)
{
	struct io_uring_cqe *cqes[64];
	unsigned int got;

	got = io_uring_peek_batch_cqe(&u->ring, cqes, max < 64 ? max : 64);
	for (unsigned int i = 0; i < got; i++)
		out[i] = pwb_uring_cqe_io_u(cqes[i]);
	return got;
}

/*
 * The kernel took none of the queued entries (0, -EAGAIN, -EBUSY: out of
 * resources or a full completion queue): reap what completed so the next
 * submit has room, waiting for one completion when none is there yet.
 */
int pwb_uring_make_room(struct thread_data *td, struct pwb_uring *u)
{
	unsigned int n = pwb_uring_reap(u, u->done + u->ndone,
					u->depth - u->ndone);
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
 * Reap until @events reaches @min, waiting in the kernel for the rest;
 * out of line: most calls find enough in the ring at the first look.
 */
int pwb_uring_wait_events(struct thread_data *td, struct pwb_uring *u,
			  unsigned int events, unsigned int min,
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
		events += pwb_uring_reap(u, u->events + events, max - events);
	}
	return (int)events;
}

/* first what commit reaped while making room (rarely any) */
unsigned int pwb_uring_take_done(struct pwb_uring *u, unsigned int max)
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

/* the ops table's entries: the inline calls of transport_uring.h */
static enum fio_q_status uring_queue(struct thread_data *td,
				     struct pwb_transport *t,
				     struct io_u *io_u, char *addr)
{
	(void)td;
	return pwb_uring_queue(t, io_u, addr);
}

static int uring_commit(struct thread_data *td, struct pwb_transport *t)
{
	return pwb_uring_commit(td, t);
}

static int uring_getevents(struct thread_data *td, struct pwb_transport *t,
			   unsigned int min, unsigned int max)
{
	return pwb_uring_getevents(td, t, min, max);
}

const struct pwb_transport_ops pwb_transport_uring = {
	.name		= "uring",
	.setup		= uring_setup,
	.queue		= uring_queue,
	.commit		= uring_commit,
	.getevents	= uring_getevents,
	.exit		= uring_exit,
};
