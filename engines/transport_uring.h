/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb io_uring transport, its per-I/O half: queue, submit and reap are
 * inline so the glue (pinwb.c) calls them directly, with no call through
 * the ops table and no extra call frame per I/O (fio's own io_uring engine
 * has none either).  Setup, exit, the ops table and the rare paths (a full
 * ring, waiting, an empty look at the completions) are transport_uring.c's.
 */
#ifndef PINWB_TRANSPORT_URING_H
#define PINWB_TRANSPORT_URING_H

#include <liburing.h>
#include <string.h>

#include "transport.h"

struct pwb_uring {
	struct io_uring ring;
	bool ready;
	uint64_t buf_bytes;		/* bytes (whole slots) per registered iovec */
	unsigned int nbufs;		/* registered iovecs */
	unsigned int depth;
	/* prepared, not yet taken by the kernel: room for the whole SQ ring */
	struct io_u **queued;
	unsigned int nqueued;
	unsigned int inflight;		/* taken by the kernel, not reaped */
	struct io_u **done;		/* reaped in commit, not yet returned */
	unsigned int ndone;
	struct io_u **events;		/* what getevents returned */
};

/* the rare paths, out of line in transport_uring.c */
__attribute__((cold)) unsigned int
pwb_uring_reap_flush(struct pwb_uring *u, struct io_u **out, unsigned int max);
__attribute__((cold)) int pwb_uring_make_room(struct thread_data *td,
					       struct pwb_uring *u);
__attribute__((cold)) int pwb_uring_wait_events(struct thread_data *td,
						 struct pwb_uring *u,
						 unsigned int events,
						 unsigned int min,
						 unsigned int max);
__attribute__((cold)) unsigned int pwb_uring_take_done(struct pwb_uring *u,
							unsigned int max);

/*
 * The next free SQE, or NULL when the SQ ring is full.  The ring has
 * neither SQE128 nor SQPOLL (ring_init() sets neither): the SQE is the
 * tail's slot, and only this thread moves the kernel's head (in
 * io_uring_enter).  No other count is needed: what queue() prepared and
 * commit() has not handed over is exactly tail - head.
 */
static inline struct io_uring_sqe *pwb_uring_sqe(struct pwb_uring *u)
{
	struct io_uring_sq *sq = &u->ring.sq;
	unsigned int tail = sq->sqe_tail;

	if (tail - IO_URING_READ_ONCE(*sq->khead) >= sq->ring_entries)
		return NULL;
	sq->sqe_tail = tail + 1;
	return &sq->sqes[tail & sq->ring_mask];
}

static inline enum fio_q_status pwb_uring_queue(const struct pwb_transport *t,
						struct io_u *io_u, char *addr)
{
	struct pwb_uring *u = t->priv;
	struct io_uring_sqe *sqe = pwb_uring_sqe(u);
	enum fio_ddir ddir = io_u->ddir;
	struct fio_file *f = io_u->file;
	int fd = t->regfiles ? (int)f->fileno : f->fd;

	if (!sqe)
		return FIO_Q_BUSY;
	if (__builtin_expect(ddir_sync(ddir), 0)) {
		io_uring_prep_fsync(sqe, fd, ddir == DDIR_DATASYNC ?
				    IORING_FSYNC_DATASYNC : 0);
	} else if (t->fixed) {
		/* one iovec unless the arena is over 1 GiB: no division */
		unsigned int idx = u->nbufs == 1 ? 0 :
			(unsigned int)((uint64_t)(addr - t->arena->base) /
				       u->buf_bytes);

		if (ddir == DDIR_WRITE)
			io_uring_prep_write_fixed(sqe, fd, addr,
						  io_u->xfer_buflen,
						  io_u->offset, idx);
		else
			io_uring_prep_read_fixed(sqe, fd, addr,
						 io_u->xfer_buflen,
						 io_u->offset, idx);
	} else if (ddir == DDIR_WRITE) {
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
static inline struct io_u *pwb_uring_cqe_io_u(const struct io_uring_cqe *cqe)
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

/*
 * Move up to @max completions into @out; returns how many.  The ring is
 * read in place: one look at the tail, the entries by index (the ring has
 * no IORING_SETUP_CQE32), one advance of the head for the lot.  Only when
 * it looks empty does io_uring_peek_batch_cqe() look again, which also
 * flushes completions the kernel holds back (overflow, pending task work)
 * by entering it.
 */
static inline unsigned int pwb_uring_reap(struct pwb_uring *u,
					  struct io_u **out, unsigned int max)
{
	struct io_uring_cq *cq = &u->ring.cq;
	unsigned int head = *cq->khead;
	unsigned int got = io_uring_cq_ready(&u->ring);

	if (got > max)
		got = max;
	for (unsigned int i = 0; i < got; i++)
		out[i] = pwb_uring_cqe_io_u(&cq->cqes[(head + i) &
						      cq->ring_mask]);
	if (!got && max)
		got = pwb_uring_reap_flush(u, out, max);
	if (got)
		io_uring_cq_advance(&u->ring, got);
	u->inflight -= got;
	return got;
}

/*
 * Hand the kernel the SQEs prepared since the last submit and run the
 * completion work it holds (IORING_ENTER_GETEVENTS), in one io_uring_enter
 * on the ring as it is, the way fio's own engine submits: what
 * io_uring_submit_and_get_events() does for a ring without SQPOLL or a
 * registered ring fd (ring_init() makes no other), without its
 * tests for those.  Each new SQE's SQ array entry is written here, so it
 * holds whether or not liburing keeps that array as the identity map.
 * Returns what io_uring_enter returns: SQEs taken, or -errno.
 */
static inline int pwb_uring_submit(struct pwb_uring *u)
{
	struct io_uring_sq *sq = &u->ring.sq;
	unsigned int tail = sq->sqe_tail;

	for (unsigned int i = sq->sqe_head; i != tail; i++)
		sq->array[i & sq->ring_mask] = i & sq->ring_mask;
	sq->sqe_head = tail;
	/* the SQEs are written before the kernel can see the new tail */
	io_uring_smp_store_release(sq->ktail, tail);
	return io_uring_enter((unsigned int)u->ring.ring_fd, tail - *sq->khead,
			      0, IORING_ENTER_GETEVENTS, NULL);
}

/*
 * Submit everything queued.  The glue calls commit only when something
 * was queued since the last one (fio also commits with nothing queued).
 */
static inline int pwb_uring_commit(struct thread_data *td,
				   const struct pwb_transport *t)
{
	struct pwb_uring *u = t->priv;
	struct timespec now;
	int ret;

	while (u->nqueued) {
		/* submit and run completion work in the same syscall */
		ret = pwb_uring_submit(u);
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
			ret = pwb_uring_make_room(td, u);
			if (ret)
				return ret;
			continue;
		}
		td_verror(td, -ret, "pinwb io_uring_submit");
		return ret;
	}
	return 0;
}

/* what commit reaped while making room (rarely any), then the ring */
static inline int pwb_uring_getevents(struct thread_data *td,
				      const struct pwb_transport *t,
				      unsigned int min, unsigned int max)
{
	struct pwb_uring *u = t->priv;
	unsigned int events = 0;

	if (u->ndone)
		events = pwb_uring_take_done(u, max);
	events += pwb_uring_reap(u, u->events + events, max - events);
	if (events >= min)
		return (int)events;
	return pwb_uring_wait_events(td, u, events, min, max);
}

#endif
