// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb option checks that fio's parser does not do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optcheck.h"

const char *const pwb_wb_mode_names[PWB_WB_NR] = {
	[PWB_WB_SFR] = "sfr",
	[PWB_WB_FDATASYNC] = "fdatasync",
	[PWB_WB_MSYNC_SYNC] = "msync_sync",
	[PWB_WB_DONTNEED] = "dontneed",
	[PWB_WB_TOUCH] = "touch",
};

int pwb_parse_wb_modes(const char *s, unsigned int *modes,
		       unsigned int *nmodes, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int none = 0, ret = 0;

	*nmodes = 0;
	if (!s || !*s)
		s = PWB_WB_DEFAULT;
	copy = strdup(s);
	if (!copy) {
		snprintf(err, errlen, "pinwb_wb_modes: out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int m;

		while (*tok == ' ')
			tok++;
		if (!strcmp(tok, "none")) {
			none = 1;
			continue;
		}
		for (m = 0; m < PWB_WB_NR; m++)
			if (!strcmp(tok, pwb_wb_mode_names[m]))
				break;
		if (m == PWB_WB_NR) {
			snprintf(err, errlen,
				 "pinwb_wb_modes: unknown mode '%s'; accepted: %s",
				 tok, PWB_WB_ACCEPTED);
			ret = -1;
			break;
		}
		if (*nmodes == PWB_WB_MAX_LIST) {
			snprintf(err, errlen,
				 "pinwb_wb_modes: more than %d entries",
				 PWB_WB_MAX_LIST);
			ret = -1;
			break;
		}
		modes[(*nmodes)++] = (unsigned int)m;
	}
	if (!ret && none && *nmodes) {
		snprintf(err, errlen,
			 "pinwb_wb_modes: 'none' cannot be combined with other modes; accepted: %s",
			 PWB_WB_ACCEPTED);
		ret = -1;
	}
	if (!ret && !none && !*nmodes) {
		snprintf(err, errlen, "pinwb_wb_modes: empty list; accepted: %s",
			 PWB_WB_ACCEPTED);
		ret = -1;
	}
	if (ret)
		*nmodes = 0;
	free(copy);
	return ret;
}

int pwb_layout(uint64_t bs_min, uint64_t bs_max, uint64_t buffer_size,
	       unsigned int iodepth, uint64_t align, uint64_t *nslots,
	       uint64_t *arena_size, char *err, size_t errlen)
{
	uint64_t n, size;

	if (bs_min != bs_max) {
		snprintf(err, errlen,
			 "pinwb: needs one block size (bs=%llu..%llu given); set bs= to a single multiple of 4096",
			 (unsigned long long)bs_min, (unsigned long long)bs_max);
		return -1;
	}
	if (!bs_min || bs_min % 4096) {
		snprintf(err, errlen,
			 "pinwb: bs=%llu; accepted: a multiple of 4096 (one buffer slot per block)",
			 (unsigned long long)bs_min);
		return -1;
	}
	if (buffer_size < bs_min) {
		snprintf(err, errlen,
			 "pinwb_buffer_size=%llu: smaller than one slot; accepted: a size of at least bs (%llu)",
			 (unsigned long long)buffer_size,
			 (unsigned long long)bs_min);
		return -1;
	}
	n = (buffer_size + bs_min - 1) / bs_min;
	if (n < iodepth)
		n = iodepth;
	size = n * bs_min;
	if (align > 1 && size % align) {
		size = (size + align - 1) / align * align;
		n = size / bs_min;
	}
	*nslots = n;
	*arena_size = size;
	return 0;
}

int pwb_parse_numa_node(const char *s, int max_node, int *node,
			char *err, size_t errlen)
{
	char *end;
	long v;

	*node = -1;
	if (!s || !*s)
		return 0;
	v = strtol(s, &end, 10);
	if (*end || end == s || v < -1 || v > 65535) {
		snprintf(err, errlen,
			 "pinwb_numa_node=%s: accepted: -1 (no placement) or a node number 0..%d",
			 s, max_node < 0 ? 0 : max_node);
		return -1;
	}
	if (v == -1)
		return 0;
	if (max_node < 0) {
		snprintf(err, errlen,
			 "pinwb_numa_node=%ld: this system has no NUMA support; accepted: -1",
			 v);
		return -1;
	}
	if (v > max_node) {
		snprintf(err, errlen,
			 "pinwb_numa_node=%ld: no such node; accepted: -1 (no placement) or 0..%d",
			 v, max_node);
		return -1;
	}
	*node = (int)v;
	return 0;
}
