// SPDX-License-Identifier: GPL-2.0
/* Options fio does not parse itself: writeback mode lists, layout, NUMA. */
#include <string.h>

#include "optcheck.h"
#include "utest.h"

static int test_wb_modes_default(void)
{
	unsigned int m[PWB_WB_MAX_LIST], n;
	char err[256];

	CHECK(!pwb_parse_wb_modes(NULL, m, &n, err, sizeof(err)), "%s", err);
	CHECK(n == 3 && m[0] == PWB_WB_SFR && m[1] == PWB_WB_TOUCH &&
	      m[2] == PWB_WB_FDATASYNC,
	      "default list parsed wrong");
	return T_PASS;
}

static int test_wb_modes_all(void)
{
	unsigned int m[PWB_WB_MAX_LIST], n;
	char err[256];

	CHECK(!pwb_parse_wb_modes("dontneed,msync_sync,touch,sfr,sfr", m, &n,
				  err, sizeof(err)), "%s", err);
	CHECK(n == 5 && m[0] == PWB_WB_DONTNEED && m[1] == PWB_WB_MSYNC_SYNC &&
	      m[4] == PWB_WB_SFR, "order or repeats lost");
	CHECK(!pwb_parse_wb_modes("none", m, &n, err, sizeof(err)) && n == 0,
	      "none not accepted as empty");
	return T_PASS;
}

static int test_wb_modes_bad(void)
{
	unsigned int m[PWB_WB_MAX_LIST], n;
	char err[256] = "";

	CHECK(pwb_parse_wb_modes("sfr,flush", m, &n, err, sizeof(err)),
	      "unknown mode accepted");
	CHECK(strstr(err, "pinwb_wb_modes") && strstr(err, "'flush'") &&
	      strstr(err, "msync_sync"),
	      "message must name option, value, accepted values: %s", err);
	/* msync(MS_ASYNC) does nothing since 2.6.19: no longer a mode */
	CHECK(pwb_parse_wb_modes("sfr,msync_async", m, &n, err, sizeof(err)),
	      "msync_async accepted");
	CHECK(strstr(err, "'msync_async'") && strstr(err, "accepted: ") &&
	      !strstr(strstr(err, "accepted: "), "msync_async"),
	      "msync_async message must name it and not list it: %s", err);
	CHECK(pwb_parse_wb_modes("none,touch", m, &n, err, sizeof(err)),
	      "none mixed with modes accepted");
	CHECK(pwb_parse_wb_modes(",", m, &n, err, sizeof(err)),
	      "empty list accepted");
	return T_PASS;
}

static int test_layout(void)
{
	uint64_t n, size;
	char err[256] = "";

	CHECK(!pwb_layout(4096, 4096, 8 << 20, 16, 4096, &n, &size, err,
			  sizeof(err)), "%s", err);
	CHECK(n == 2048 && size == 8 << 20, "8m/4k: %llu slots",
	      (unsigned long long)n);
	/* rounded up to whole slots, at least iodepth slots */
	CHECK(!pwb_layout(8192, 8192, 10000, 4, 4096, &n, &size, err,
			  sizeof(err)) && n == 4 && size == 4 * 8192,
	      "iodepth floor: %llu", (unsigned long long)n);
	CHECK(!pwb_layout(8192, 8192, 20000, 1, 4096, &n, &size, err,
			  sizeof(err)) && n == 3, "round up: %llu",
	      (unsigned long long)n);
	/* hugetlb: size rounded to 2 MiB */
	CHECK(!pwb_layout(12288, 12288, 1 << 20, 1, 2 << 20, &n, &size, err,
			  sizeof(err)) && size == 2 << 20 && n == (2 << 20) / 12288,
	      "hugetlb rounding: size %llu", (unsigned long long)size);
	return T_PASS;
}

static int test_layout_bad(void)
{
	uint64_t n, size;
	char err[256] = "";

	CHECK(pwb_layout(4096, 8192, 1 << 20, 1, 4096, &n, &size, err,
			 sizeof(err)), "bs range accepted");
	CHECK(strstr(err, "bs="), "message: %s", err);
	CHECK(pwb_layout(6144, 6144, 1 << 20, 1, 4096, &n, &size, err,
			 sizeof(err)), "bs=6k accepted");
	CHECK(strstr(err, "multiple of 4096"), "message: %s", err);
	CHECK(pwb_layout(4096, 4096, 0, 1, 4096, &n, &size, err, sizeof(err)),
	      "size 0 accepted");
	CHECK(strstr(err, "pinwb_buffer_size"), "message: %s", err);
	CHECK(pwb_layout(4096, 4096, 1024, 1, 4096, &n, &size, err,
			 sizeof(err)), "arena below one slot accepted");
	CHECK(strstr(err, "pinwb_buffer_size=1024") && strstr(err, "at least bs"),
	      "message: %s", err);
	return T_PASS;
}

static int test_numa_node(void)
{
	char err[256] = "";
	int node;

	CHECK(!pwb_parse_numa_node("-1", 3, &node, err, sizeof(err)) &&
	      node == -1, "-1 refused");
	CHECK(!pwb_parse_numa_node("2", 3, &node, err, sizeof(err)) &&
	      node == 2, "2 of 0..3 refused");
	CHECK(pwb_parse_numa_node("4", 3, &node, err, sizeof(err)),
	      "node 4 of 0..3 accepted");
	CHECK(strstr(err, "pinwb_numa_node") && strstr(err, "0..3"),
	      "message: %s", err);
	CHECK(pwb_parse_numa_node("0", -1, &node, err, sizeof(err)),
	      "node on a non-NUMA system accepted");
	CHECK(pwb_parse_numa_node("x1", 3, &node, err, sizeof(err)),
	      "garbage accepted");
	CHECK(pwb_parse_numa_node("-2", 3, &node, err, sizeof(err)),
	      "-2 accepted");
	return T_PASS;
}

int main(void)
{
	RUN(test_wb_modes_default);
	RUN(test_wb_modes_all);
	RUN(test_wb_modes_bad);
	RUN(test_layout);
	RUN(test_layout_bad);
	RUN(test_numa_node);
	return t_exit();
}
