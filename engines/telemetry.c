// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb telemetry: vmstat deltas, JSON report, summary.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telemetry.h"

int pwb_vmstat_read(struct pwb_vmstat *vs)
{
	char line[128];
	FILE *f;

	vs->n = 0;
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -errno;
	while (vs->n < PWB_VMSTAT_MAX && fgets(line, sizeof(line), f)) {
		long long v;
		char name[64];

		if (sscanf(line, "%63s %lld", name, &v) != 2 ||
		    strlen(name) >= sizeof(vs->name[0]))
			continue;
		strcpy(vs->name[vs->n], name);
		vs->val[vs->n] = v;
		vs->n++;
	}
	fclose(f);
	return 0;
}

bool pwb_vmstat_selected(const char *name)
{
	return !strcmp(name, "nr_foll_pin_acquired") ||
	       !strcmp(name, "nr_foll_pin_released") ||
	       !strcmp(name, "nr_dirty") || !strcmp(name, "nr_writeback") ||
	       !strncmp(name, "pgsteal", 7) || !strncmp(name, "gup_", 4);
}

static int find(const struct pwb_vmstat *vs, const char *name, int64_t *v)
{
	for (unsigned int i = 0; i < vs->n; i++)
		if (!strcmp(vs->name[i], name)) {
			*v = vs->val[i];
			return 0;
		}
	return -1;
}

int64_t pwb_vmstat_delta(const struct pwb_vmstat *before,
			 const struct pwb_vmstat *after, const char *name)
{
	int64_t a = 0, b = 0;

	if (find(after, name, &a))
		return 0;
	find(before, name, &b);
	return a - b;
}

static void jkv_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "\"%s\": ", k);
	if (v)
		pwb_json_str(f, v);
	else
		fputs("null", f);
	if (comma)
		fputs(", ", f);
}

void pwb_report_wb_pages(struct pwb_report *r, const struct pwb_wb *wb)
{
	r->wb_pages_to_writeback = wb->pages_measured ?
				   wb->pages_to_writeback : NULL;
	r->wb_pages_dirtied = wb->pages_measured ? wb->pages_dirtied : NULL;
	r->wb_pages_note = wb->pages_measured ? NULL : wb->pages_note;
	r->wb_measure_us = wb->measure_ns / 1000;
}

/* "name": {"sfr": N, ...} per writeback mode, or null */
static void json_wb_map(FILE *f, const char *name, const uint64_t *v)
{
	fprintf(f, "\"%s\": ", name);
	if (!v) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (int m = 0; m < PWB_WB_NR; m++)
		fprintf(f, "%s\"%s\": %" PRIu64, m ? ", " : "",
			pwb_wb_mode_names[m], v[m]);
	fputc('}', f);
}

#define PWB_GAPS	8

/* What the run did not check, one phrase each; returns how many. */
static unsigned int coverage_gaps(const struct pwb_report *r,
				  char gap[PWB_GAPS][200])
{
	const struct pwb_verify_result *v = r->verify;
	const struct pwb_readback *rb = r->readback;
	unsigned int n = 0;

	if (!r->verify_enabled)
		snprintf(gap[n++], 200, "buffer final state: pinwb_verify=0");
	else if (v->ran && r->ops > v->slots_checked)
		snprintf(gap[n++], 200,
			 "buffer final state: only the last I/O of each slot (%"
			 PRIu64 " slots checked for %" PRIu64 " I/Os)",
			 v->slots_checked, r->ops);
	if (r->reads && !r->check_reads)
		snprintf(gap[n++], 200,
			 "reads at completion: pinwb_check_reads=0");
	if (r->reads_unsure)
		snprintf(gap[n++], 200,
			 "%" PRIu64 " read(s) overlapped a write to the same block (may hold a mix)",
			 r->reads_unsure);
	if (r->reads_foreign)
		snprintf(gap[n++], 200,
			 "%" PRIu64 " read(s) of a target pinwb did not lay out (pinwb_overwrite_target=1)",
			 r->reads_foreign);
	if (r->reads_short)
		snprintf(gap[n++], 200, "%" PRIu64 " read(s) failed or short",
			 r->reads_short);
	if (r->writes && !rb->ran)
		snprintf(gap[n++], 200,
			 "writes: not read back from the target%s",
			 r->verify_enabled ? "" : " (pinwb_verify=0)");
	if (rb->blocks_mixed)
		snprintf(gap[n++], 200,
			 "%" PRIu64 " target block(s) last written by overlapping writes (may hold a mix; serialize_overlap=1 avoids it)",
			 rb->blocks_mixed);
	if (rb->blocks_unknown)
		snprintf(gap[n++], 200,
			 "%" PRIu64 " target block(s) whose last write failed",
			 rb->blocks_unknown);
	return n;
}

static void coverage_json(FILE *f, const struct pwb_report *r)
{
	char gap[PWB_GAPS][200];
	unsigned int n = coverage_gaps(r, gap);

	fprintf(f, "  \"coverage\": {\"final_state_slots_checked\": %" PRIu64
		", \"check_reads\": %s, \"reads_checked_at_completion\": %"
		PRIu64 ", \"reads_not_checked_at_completion\": %" PRIu64
		", \"reads_not_checked_mixed\": %" PRIu64
		", \"reads_not_checked_foreign\": %" PRIu64
		", \"reads_not_checked_short\": %" PRIu64
		", \"writes_overlapped\": %" PRIu64
		", \"target_blocks_read_back\": %" PRIu64
		", \"target_blocks_not_checked_mixed\": %" PRIu64
		", \"target_blocks_not_checked_unknown\": %" PRIu64
		", \"not_checked\": [",
		r->verify->slots_checked, r->check_reads ? "true" : "false",
		r->reads_checked, r->reads - r->reads_checked, r->reads_unsure,
		r->reads_foreign, r->reads_short, r->writes_overlapped,
		r->readback->blocks_checked, r->readback->blocks_mixed,
		r->readback->blocks_unknown);
	for (unsigned int i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		pwb_json_str(f, gap[i]);
	}
	fprintf(f, "]},\n");
}

int pwb_report_write(const struct pwb_report *r, const char *path,
		     char *err, size_t errlen)
{
	char *tmp;
	FILE *f;
	int first = 1;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "pinwb_report: %s: %s", tmp,
			 strerror(errno));
		free(tmp);
		return -errno;
	}
	fprintf(f, "{\n  \"pinwb_version\": 1,\n  ");
	jkv_str(f, "job", r->job, true);
	fprintf(f, "\"subjob\": %u, ", r->subjob);
	jkv_str(f, "kernel", r->kernel, true);
	fprintf(f, "\"seed\": %" PRIu64 ", \"nonce\": %" PRIu64 ",\n",
		r->seed, r->nonce);

	fprintf(f, "  \"buffer\": {");
	jkv_str(f, "kind", r->buffer_kind, true);
	jkv_str(f, "file", r->buffer_file, true);
	fprintf(f, "\"size\": %" PRIu64 ", \"slot_size\": %" PRIu64
		", \"slots\": %" PRIu64 ", \"numa_node_requested\": %d, ",
		r->buffer_size, r->slot_size, r->slots,
		r->numa_node_requested);
	fprintf(f, "\"numa_nodes_seen\": [%s]},\n",
		r->numa_nodes_seen ? r->numa_nodes_seen : "");

	fprintf(f, "  \"io\": {");
	jkv_str(f, "path", r->io_path, true);
	jkv_str(f, "sync_call", r->sync_call, true);
	fprintf(f, "\"fixedbufs\": %s, \"fixedbufs_fallback_used\": %s, "
		"\"registerfiles\": %s, \"ops\": %" PRIu64 ", \"reads\": %"
		PRIu64 ", \"writes\": %" PRIu64 ", \"read_check_failures\": %"
		PRIu64 ", \"verify_every_runs\": %" PRIu64
		", \"verify_every_mismatches\": %" PRIu64 "},\n",
		r->fixedbufs ? "true" : "false",
		r->fixedbufs_fallback_used ? "true" : "false",
		r->registerfiles ? "true" : "false", r->ops, r->reads,
		r->writes, r->read_check_failures, r->verify_every_runs,
		r->verify_every_mismatches);

	fprintf(f, "  \"writeback\": {\"modes\": [");
	for (unsigned int i = 0; i < r->wb_nmodes; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "",
			pwb_wb_mode_names[r->wb_modes[i]]);
	fprintf(f, "], \"interval_us\": %u, \"errors\": %" PRIu64 ", ",
		r->wb_interval_us, r->wb_errors);
	jkv_str(f, "note", r->wb_note, true);
	json_wb_map(f, "counts", r->wb_counts);
	fputs(",\n    ", f);
	json_wb_map(f, "pages_to_writeback", r->wb_pages_to_writeback);
	fputs(", ", f);
	json_wb_map(f, "pages_dirtied", r->wb_pages_dirtied);
	fputs(", ", f);
	jkv_str(f, "pages_note", r->wb_pages_note, true);
	fprintf(f, "\"pages_measure_us\": %" PRIu64 "},\n", r->wb_measure_us);

	coverage_json(f, r);
	if (r->racers) {
		fprintf(f, "  \"racers\": ");
		pwb_racers_json(f, r->racers, "  ");
		fprintf(f, ",\n");
	}
	fprintf(f, "  \"verify\": ");
	pwb_verify_json(f, r->verify, "  ");
	fprintf(f, ",\n  \"target_readback\": ");
	pwb_readback_json(f, r->readback, r->target_paths, "  ");
	fprintf(f, ",\n  \"kept\": {");
	jkv_str(f, "buffer", r->keep_buffer, true);
	jkv_str(f, "record", r->keep_record, false);
	fprintf(f, "},\n  \"vmstat_delta\": {");
	if (r->vm_before && r->vm_after) {
		for (unsigned int i = 0; i < r->vm_after->n; i++) {
			const char *n = r->vm_after->name[i];

			if (!pwb_vmstat_selected(n))
				continue;
			fprintf(f, "%s\n    \"%s\": %" PRId64, first ? "" : ",",
				n, pwb_vmstat_delta(r->vm_before, r->vm_after,
						    n));
			first = 0;
		}
	}
	fprintf(f, "%s}\n}\n", first ? "" : "\n  ");
	if (fclose(f)) {
		snprintf(err, errlen, "pinwb_report: %s: %s", tmp,
			 strerror(errno));
		free(tmp);
		return -errno;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "pinwb_report: rename to %s: %s", path,
			 strerror(errno));
		free(tmp);
		return -errno;
	}
	free(tmp);
	return 0;
}

#define ADD(...) do {							\
	if (n < len)							\
		n += snprintf(buf + n, len - n, __VA_ARGS__);		\
} while (0)

void pwb_report_summary(const struct pwb_report *r, char *buf, size_t len)
{
	const struct pwb_verify_result *v = r->verify;
	char gap[PWB_GAPS][200];
	unsigned int ngap;
	size_t n = 0;
	int col = 0;

	buf[0] = '\0';
	ADD("pinwb: %s.%u: buffer %s%s%s (%" PRIu64 " slots of %" PRIu64
	    "), io %s%s%s%s\n", r->job, r->subjob, r->buffer_kind,
	    r->buffer_file ? " " : "", r->buffer_file ? r->buffer_file : "",
	    r->slots, r->slot_size,
	    r->io_path, r->fixedbufs ? " fixedbufs" : "",
	    r->fixedbufs_fallback_used ? " (fallback: not registered)" : "",
	    r->registerfiles ? " registerfiles" : "");
	ADD("pinwb:   ops %" PRIu64 " (reads %" PRIu64 ", writes %" PRIu64
	    "), seed %" PRIu64 ", run nonce 0x%" PRIx64 "\n", r->ops, r->reads,
	    r->writes, r->seed, r->nonce);
	ADD("pinwb:   writeback:");
	for (int m = 0; m < PWB_WB_NR; m++)
		if (r->wb_counts[m])
			ADD(" %s=%" PRIu64, pwb_wb_mode_names[m],
			    r->wb_counts[m]);
	if (!r->wb_nmodes)
		ADD(" none");
	if (r->wb_errors)
		ADD(" (errors %" PRIu64 ")", r->wb_errors);
	if (r->wb_note && *r->wb_note)
		ADD(" [%s]", r->wb_note);
	if (r->wb_nmodes && r->wb_pages_note)
		ADD(" [%s]", r->wb_pages_note);
	ADD("\n");
	/* what each mode caused: a mode that moved no page shows 0 */
	for (int m = 0; r->wb_pages_to_writeback && m < PWB_WB_NR; m++)
		if (r->wb_counts[m])
			ADD("pinwb:     %-10s %8" PRIu64 " actions, %8" PRIu64
			    " pages to writeback, %8" PRIu64
			    " pages dirtied\n", pwb_wb_mode_names[m],
			    r->wb_counts[m], r->wb_pages_to_writeback[m],
			    r->wb_pages_dirtied[m]);
	ADD("pinwb:   verify: %s", pwb_outcome_str(v->outcome));
	if (v->ran)
		ADD(", %" PRIu64 " slots checked, %" PRIu64 " mismatches%s",
		    v->slots_checked, v->mismatches,
		    v->cache_dropped ? ", cache dropped" : "");
	if (v->error[0])
		ADD(" (%s)", v->error);
	if (r->read_check_failures)
		ADD(", read checks failed %" PRIu64, r->read_check_failures);
	if (r->verify_every_runs)
		ADD(", in-place checks %" PRIu64 " (mismatches %" PRIu64 ")",
		    r->verify_every_runs, r->verify_every_mismatches);
	ADD("\n");
	if (r->readback->ran) {
		const struct pwb_readback *rb = r->readback;

		ADD("pinwb:   target read-back: %s, %" PRIu64
		    " written block(s) read back, %" PRIu64 " mismatches%s",
		    pwb_outcome_str(rb->outcome), rb->blocks_checked,
		    rb->mismatches, rb->cache_dropped ? ", cache dropped" : "");
		if (rb->error[0])
			ADD(" (%s)", rb->error);
		ADD("\n");
	}
	ADD("pinwb:   checked: %" PRIu64 " final-state slot(s), %" PRIu64
	    " of %" PRIu64 " read(s) at completion, %" PRIu64
	    " target block(s) read back\n", v->slots_checked,
	    r->reads_checked, r->reads, r->readback->blocks_checked);
	ngap = coverage_gaps(r, gap);
	for (unsigned int i = 0; i < ngap; i++)
		ADD("pinwb:   not checked: %s\n", gap[i]);
	if (r->racers && r->racers->on) {
		char line[512];

		pwb_racers_summary(r->racers, line, sizeof(line));
		ADD("pinwb:   %s", line);
	}
	if (r->vm_before && r->vm_after) {
		ADD("pinwb:   vmstat:");
		for (unsigned int i = 0; i < r->vm_after->n; i++) {
			const char *nm = r->vm_after->name[i];
			int64_t d;

			if (!pwb_vmstat_selected(nm) ||
			    !strncmp(nm, "pgsteal", 7))
				continue;
			d = pwb_vmstat_delta(r->vm_before, r->vm_after, nm);
			if (!d && strncmp(nm, "nr_foll_pin", 11))
				continue;
			if (++col % 4 == 0)
				ADD("\npinwb:          ");
			ADD(" %s %+" PRId64, nm, d);
		}
		ADD("\n");
	}
}
