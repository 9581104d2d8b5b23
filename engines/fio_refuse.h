/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fio options the pinwb engine does not honour: refused at init, each with
 * its name and what to use instead, so no option is silently ignored.
 */
#ifndef PINWB_FIO_REFUSE_H
#define PINWB_FIO_REFUSE_H

#include "fio.h"

/*
 * Log one "pinwb: fio option NAME ..." line per refused option the job
 * sets.  Returns how many there were (0: the job may run).
 */
unsigned int pwb_fio_refuse(struct thread_data *td);

#endif
