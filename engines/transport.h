/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb transports: the I/O paths (sync syscalls, io_uring) behind one small
 * ops table.  The fio glue (pinwb.c) picks a slot and does the bookkeeping
 * (ledger.c) around every call; a transport only moves io_u's data to or
 * from the address it is given and reports the result in io_u->error and
 * io_u->resid.  Transports never call back into the glue or the ledger.
 */
#ifndef PINWB_TRANSPORT_H
#define PINWB_TRANSPORT_H

#include <stdbool.h>

#include "fio.h"

#include "arena.h"

struct pwb_transport;

struct pwb_transport_ops {
	const char *name;
	/* after the arena exists, before the first I/O; 0 or -errno */
	int (*setup)(struct thread_data *td, struct pwb_transport *t);
	/*
	 * Start io_u with its data at @addr (NULL for fsync/fdatasync).
	 * FIO_Q_COMPLETED: done (error/resid set), FIO_Q_QUEUED: submitted
	 * at the next commit and seen again through getevents/event.
	 */
	enum fio_q_status (*queue)(struct thread_data *td,
				   struct pwb_transport *t,
				   struct io_u *io_u, char *addr);
	int (*commit)(struct thread_data *td, struct pwb_transport *t);
	/*
	 * Reap at least @min, at most @max completions; returns how many
	 * (or -errno) and leaves them in t->events[0..n), where they stay
	 * until the next call.
	 */
	int (*getevents)(struct thread_data *td, struct pwb_transport *t,
			 unsigned int min, unsigned int max);
	void (*exit)(struct pwb_transport *t);
};

struct pwb_transport {
	const struct pwb_transport_ops *ops;
	/* set by the glue before setup */
	const struct pwb_arena *arena;
	unsigned int depth;
	unsigned int nfiles;
	bool use_preadv2;		/* sync: preadv2/pwritev2 */
	bool want_fixed;		/* uring: register the arena */
	bool fixed_fallback;		/* uring: carry on if that fails */
	bool want_regfiles;		/* uring: register the targets */
	/* set by the transport */
	bool fixed;			/* fixed buffers in use */
	bool fallback_used;
	bool regfiles;
	int *fds;			/* registered files, by fileno */
	struct io_u **events;		/* what getevents returned */
	void *priv;
};

extern const struct pwb_transport_ops pwb_transport_sync;
extern const struct pwb_transport_ops pwb_transport_uring;

#endif
