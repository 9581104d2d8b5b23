// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb sync transport: one pread/pwrite (or preadv2/pwritev2) per I/O at
 * the slot address the glue picked, on the target opened by fio (O_DIRECT).
 */
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "transport.h"

static ssize_t do_io(int fd, bool write, bool v2, char *addr, size_t len,
		     off_t off)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };

	if (v2)
		return write ? pwritev2(fd, &iov, 1, off, 0) :
			       preadv2(fd, &iov, 1, off, 0);
	return write ? pwrite(fd, addr, len, off) : pread(fd, addr, len, off);
}

static int sync_setup(struct thread_data *td, struct pwb_transport *t)
{
	(void)td;
	(void)t;
	return 0;
}

static enum fio_q_status sync_queue(struct thread_data *td,
				    struct pwb_transport *t,
				    struct io_u *io_u, char *addr)
{
	struct fio_file *f = io_u->file;
	ssize_t r;

	io_u_mark_submit(td, 1);
	io_u_mark_complete(td, 1);
	if (ddir_sync(io_u->ddir)) {
		if ((io_u->ddir == DDIR_DATASYNC ? fdatasync(f->fd) :
		     fsync(f->fd)))
			io_u->error = errno;
		return FIO_Q_COMPLETED;
	}
	do {
		r = do_io(f->fd, io_u->ddir == DDIR_WRITE, t->use_preadv2, addr,
			  io_u->xfer_buflen, (off_t)io_u->offset);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		io_u->error = errno;
	else if ((unsigned long long)r != io_u->xfer_buflen)
		io_u->resid = io_u->xfer_buflen - (unsigned long long)r;
	return FIO_Q_COMPLETED;
}

/* every I/O completes in queue(): nothing to commit or reap */
static int sync_commit(struct thread_data *td, struct pwb_transport *t)
{
	(void)td;
	(void)t;
	return 0;
}

static int sync_getevents(struct thread_data *td, struct pwb_transport *t,
			  unsigned int min, unsigned int max)
{
	(void)td;
	(void)t;
	(void)min;
	(void)max;
	return 0;
}

static void sync_exit(struct pwb_transport *t)
{
	(void)t;
}

const struct pwb_transport_ops pwb_transport_sync = {
	.name		= "sync",
	.setup		= sync_setup,
	.queue		= sync_queue,
	.commit		= sync_commit,
	.getevents	= sync_getevents,
	.exit		= sync_exit,
};
