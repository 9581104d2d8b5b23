/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny harness for the pinwb unit tests: each case returns PASS, FAIL or
 * SKIP and prints "ok NAME", "FAIL NAME: why" or "SKIP NAME: why".  The
 * binary exits 0 when all ran cases passed, 1 on any failure, 77 when every
 * case was skipped.
 */
#ifndef PINWB_UTEST_H
#define PINWB_UTEST_H

#include <stdarg.h>
#include <stdio.h>

enum { T_PASS = 0, T_FAIL = 1, T_SKIP = 77 };

static char t_why[512];
static int t_pass, t_fail, t_skip;

__attribute__((format(printf, 1, 2), unused))
static int t_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t_why, sizeof(t_why), fmt, ap);
	va_end(ap);
	return T_FAIL;
}

__attribute__((format(printf, 1, 2), unused))
static int t_skipf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t_why, sizeof(t_why), fmt, ap);
	va_end(ap);
	return T_SKIP;
}

#define CHECK(cond, ...) do {				\
	if (!(cond))					\
		return t_failf(__VA_ARGS__);		\
} while (0)

static inline void t_run(const char *name, int (*fn)(void))
{
	int r;

	t_why[0] = '\0';
	r = fn();
	if (r == T_PASS) {
		printf("ok %s\n", name);
		t_pass++;
	} else if (r == T_SKIP) {
		printf("SKIP %s: %s\n", name, t_why);
		t_skip++;
	} else {
		printf("FAIL %s: %s\n", name, t_why);
		t_fail++;
	}
	fflush(stdout);
}

#define RUN(fn) t_run(#fn, fn)

static inline int t_exit(void)
{
	printf("%d passed, %d failed, %d skipped\n", t_pass, t_fail, t_skip);
	if (t_fail)
		return 1;
	if (!t_pass && t_skip)
		return 77;
	return 0;
}

#endif
