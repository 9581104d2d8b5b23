/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe-pattern.h: the data pattern the suite's io_uring probes write and
 * check, PROBE_SIZE bytes per file.  The caller defines PROBE_SIZE and
 * die(const char *) before including it.
 */
#ifndef PINWB_PROBE_PATTERN_H
#define PINWB_PROBE_PATTERN_H

#include <stddef.h>
#include <unistd.h>

/* Pattern of file @tag at byte @off: differs per file, per page and byte. */
static unsigned char pattern(unsigned char tag, size_t off)
{
	return (unsigned char)(tag ^ (off >> 12) ^ (off * 7));
}

static void fill(unsigned char *buf, unsigned char tag)
{
	for (size_t i = 0; i < PROBE_SIZE; i++)
		buf[i] = pattern(tag, i);
}

static size_t mismatches(const unsigned char *buf, unsigned char tag)
{
	size_t n = 0;

	for (size_t i = 0; i < PROBE_SIZE; i++)
		n += buf[i] != pattern(tag, i);
	return n;
}

static void write_file(int fd, const unsigned char *buf)
{
	if (pwrite(fd, buf, PROBE_SIZE, 0) != PROBE_SIZE)
		die("pwrite");
	if (fsync(fd))
		die("fsync");
}

#endif
