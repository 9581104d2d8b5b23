// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb synchronous path: one pread/pwrite (or preadv2/pwritev2) per I/O
 * from the slot the engine picked, on the target opened by fio (O_DIRECT).
 */
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pinwb.h"

static ssize_t do_io(int fd, bool write, bool v2, char *addr, size_t len,
		     off_t off)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };

	if (v2)
		return write ? pwritev2(fd, &iov, 1, off, 0) :
			       preadv2(fd, &iov, 1, off, 0);
	return write ? pwrite(fd, addr, len, off) : pread(fd, addr, len, off);
}

enum fio_q_status pwb_sync_queue(struct thread_data *td, struct io_u *io_u)
{
	struct pwb_data *pd = td->io_ops_data;
	struct fio_file *f = io_u->file;
	bool v2 = pd->o->sync_call == PWB_CALL_PREADV2;
	long long res;
	char *addr = NULL;
	ssize_t r;

	fio_ro_check(td, io_u);
	io_u_mark_submit(td, 1);
	io_u_mark_complete(td, 1);

	if (ddir_sync(io_u->ddir)) {
		if ((io_u->ddir == DDIR_DATASYNC ? fdatasync(f->fd) :
		     fsync(f->fd)))
			io_u->error = errno;
		return FIO_Q_COMPLETED;
	}
	if (pwb_io_begin(td, pd, io_u, &addr))
		return FIO_Q_COMPLETED;

	do {
		r = do_io(f->fd, io_u->ddir == DDIR_WRITE, v2, addr,
			  io_u->xfer_buflen, (off_t)io_u->offset);
	} while (r < 0 && errno == EINTR);
	res = r < 0 ? -errno : r;
	pwb_io_end(td, pd, io_u, res);
	return FIO_Q_COMPLETED;
}
