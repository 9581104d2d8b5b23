// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb end-of-job evidence: hook, final check, keep, report, verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evidence.h"

extern char **environ;

char *pwb_job_file_name(struct thread_data *td, const char *dir,
			const char *suffix)
{
	char *s;

	if (asprintf(&s, "%s/%s.%u%s", dir, td->o.name ? td->o.name : "job",
		     td->subjob_number, suffix) < 0)
		return NULL;
	return s;
}

/*
 * Read back every written block of every target not in flight; mismatches
 * of a mid-job run are logged as they are found.  Returns the mismatches.
 */
static uint64_t readback(struct pwb_data *pd, const char *when)
{
	char msg[640];

	pwb_readback_begin(&pd->rb);
	for (unsigned int i = 0; i < pd->nfiles; i++)
		if (pwb_readback_target(&pd->led, i, pd->tf[i].path, &pd->rb))
			break;
	pwb_readback_end(&pd->rb);
	if (!when)
		return pd->rb.mismatches;
	for (unsigned int i = 0; i < pd->rb.ndetail; i++) {
		pwb_rb_mismatch_str(&pd->rb.detail[i],
				    pd->paths[pd->rb.detail[i].file], msg,
				    sizeof(msg));
		log_err("pinwb: %s: %s\n", when, msg);
	}
	if (pd->rb.outcome == PWB_V_SETUP)
		log_err("pinwb: %s: target read-back could not run: %s\n", when,
			pd->rb.error);
	return pd->rb.mismatches;
}

void pwb_evidence_every(struct pwb_data *pd)
{
	struct pwb_verify_result r;
	char msg[320];

	pwb_verify_result_init(&r);
	pwb_verify_memory(pd->arena.base, &pd->rec, pd->arena.busy, &r);
	pd->verify_every_runs++;
	/* what the writes delivered so far, past the page cache */
	if (pd->o->verify && pd->led.writes)
		pd->rb.every_mismatches += readback(pd, "pinwb_verify_every");
	if (!r.mismatches)
		return;
	if (!pd->verify_every_mismatches)
		for (unsigned int i = 0; i < r.ndetail; i++) {
			pwb_mismatch_str(&r.detail[i], msg, sizeof(msg));
			log_err("pinwb: pinwb_verify_every: %s\n", msg);
		}
	pd->verify_every_mismatches += r.mismatches;
}

/* the hook's variables, never inherited from another job's hook */
static const char *const hook_vars[] = {
	"PINWB_BUFFER_FILE=", "PINWB_RECORD_FILE=", "PINWB_TARGET_FILE=",
	"PINWB_JOB=",
};

static bool is_hook_var(const char *e)
{
	for (size_t i = 0; i < sizeof(hook_vars) / sizeof(hook_vars[0]); i++)
		if (!strncmp(e, hook_vars[i], strlen(hook_vars[i])))
			return true;
	return false;
}

/*
 * The environment of this job's hook: the process environment without any
 * PINWB_* hook variable, plus this job's.  Built per call, so with thread=1
 * one job's hook never sees another job's files.
 */
static char **hook_env(struct thread_data *td, struct pwb_data *pd)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 5, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!is_hook_var(environ[i]))
			env[k++] = strdup(environ[i]);
	if (pd->arena.kind == PWB_BUF_FILE) {
		if (asprintf(&env[k++], "PINWB_BUFFER_FILE=%s",
			     pd->arena.path) < 0 ||
		    asprintf(&env[k++], "PINWB_RECORD_FILE=%s",
			     pd->arena.rec_path) < 0)
			env[--k] = NULL;
	}
	if (asprintf(&env[k++], "PINWB_TARGET_FILE=%s",
		     pd->tf[0].path) < 0)
		env[--k] = NULL;
	if (asprintf(&env[k++], "PINWB_JOB=%s", td->o.name ? td->o.name :
		     "job") < 0)
		env[--k] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static int run_hook(struct thread_data *td, struct pwb_data *pd)
{
	const char *cmd = pd->o->before_verify;
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char **env;
	pid_t pid;
	int st = 0, err;

	if (!cmd || !*cmd)
		return 0;
	env = hook_env(td, pd);
	if (!env) {
		snprintf(pd->vres.error, sizeof(pd->vres.error),
			 "pinwb_before_verify: out of memory");
		return -1;
	}
	fflush(NULL);
	err = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, env);
	free_env(env);
	if (err) {
		snprintf(pd->vres.error, sizeof(pd->vres.error),
			 "pinwb_before_verify '%s': cannot start /bin/sh: %s",
			 cmd, strerror(err));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			snprintf(pd->vres.error, sizeof(pd->vres.error),
				 "pinwb_before_verify '%s': waitpid: %s", cmd,
				 strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(pd->vres.error, sizeof(pd->vres.error),
			 "pinwb_before_verify '%s' failed (status %d)", cmd,
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return -1;
	}
	return 0;
}

static int copy_file(const char *from, const char *to, char *err,
		     size_t errlen)
{
	char *buf = malloc(1 << 20);
	int in, out, ret = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		ret = -errno;
		snprintf(err, errlen, "copy %s to %s: %s", from, to,
			 strerror(errno));
	}
	while (!ret && (r = read(in, buf, 1 << 20)) != 0) {
		if (r < 0 || write(out, buf, (size_t)r) != r) {
			ret = -EIO;
			snprintf(err, errlen, "copy %s to %s: %s", from, to,
				 strerror(errno));
		}
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && !ret)
		ret = -errno;
	free(buf);
	return ret;
}

static int write_mem(const char *to, const void *p, size_t len, char *err,
		     size_t errlen)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *c = p;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", to, strerror(errno));
		return -errno;
	}
	while (len) {
		ssize_t r = write(fd, c, len);

		if (r <= 0) {
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			close(fd);
			return -EIO;
		}
		c += r;
		len -= (size_t)r;
	}
	return close(fd) ? -errno : 0;
}

static void keep(struct thread_data *td, struct pwb_data *pd,
		 char **kbuf, char **krec)
{
	char err[512];

	*kbuf = pwb_job_file_name(td, pd->keep_dir, ".buf");
	*krec = pwb_job_file_name(td, pd->keep_dir, ".rec");
	if (!*kbuf || !*krec)
		return;
	if (mkdir(pd->keep_dir, 0755) && errno != EEXIST) {
		log_err("pinwb: pinwb_keep_dir %s: %s\n", pd->keep_dir,
			strerror(errno));
		goto fail;
	}
	if ((pd->arena.kind == PWB_BUF_FILE ?
	     copy_file(pd->arena.path, *kbuf, err, sizeof(err)) :
	     write_mem(*kbuf, pd->arena.base, pd->arena.size, err,
		       sizeof(err))) ||
	    pwb_record_write(&pd->rec, *krec, err, sizeof(err))) {
		log_err("pinwb: pinwb_keep_dir: %s\n", err);
		goto fail;
	}
	return;
fail:
	free(*kbuf);
	free(*krec);
	*kbuf = *krec = NULL;
}

static void run_verify(struct thread_data *td, struct pwb_data *pd)
{
	struct pwb_arena *a = &pd->arena;
	char err[512];

	pwb_arena_query_nodes(a, &pd->rec);
	if (a->kind == PWB_BUF_FILE &&
	    (pwb_arena_unmap(a, err, sizeof(err)) ||
	     pwb_record_write(&pd->rec, a->rec_path, err, sizeof(err)))) {
		/* no pin remains: the ring is gone, every I/O has completed */
		pd->vres.ran = true;
		pd->vres.outcome = PWB_V_SETUP;
		snprintf(pd->vres.error, sizeof(pd->vres.error), "%s", err);
		return;
	}
	if (run_hook(td, pd)) {
		pd->vres.ran = true;
		pd->vres.outcome = PWB_V_SETUP;
		return;
	}
	if (a->kind != PWB_BUF_FILE)
		pwb_verify_memory(a->base, &pd->rec, NULL, &pd->vres);
	else
		pwb_verify_file(a->path, &pd->rec, &pd->vres);
}

static void report(struct thread_data *td, struct pwb_data *pd,
		   const char *kbuf, const char *krec)
{
	struct pwb_report r;
	char err[512];
	char *sum;

	memset(&r, 0, sizeof(r));
	r.job = td->o.name ? td->o.name : "job";
	r.subjob = td->subjob_number;
	r.kernel = pd->kernel;
	r.seed = pd->seed;
	r.nonce = pd->nonce;
	r.buffer_kind = pwb_buf_kind_names[pd->arena.kind];
	r.buffer_file = pd->arena.path;
	r.buffer_size = pd->arena.size;
	r.slot_size = pd->bs;
	r.slots = pd->arena.nslots;
	r.numa_node_requested = pd->numa_node;
	r.numa_nodes_seen = pd->arena.numa_seen;
	r.io_path = pd->o->io == PWB_IO_SYNC ? "sync" : "uring";
	r.sync_call = pd->o->sync_call == PWB_CALL_PREADV2 ? "preadv2" :
		      "pread";
	r.fixedbufs = pd->o->fixedbufs;
	r.fixedbufs_fallback_used = pd->tr.fallback_used;
	r.registerfiles = pd->o->registerfiles;
	r.ops = pd->led.ops;
	r.reads = pd->led.reads;
	r.writes = pd->led.writes;
	r.read_check_failures = pd->read_check_failures;
	r.verify_every_runs = pd->verify_every_runs;
	r.verify_every_mismatches = pd->verify_every_mismatches;
	r.verify_enabled = pd->o->verify;
	r.check_reads = pd->o->check_reads;
	r.reads_checked = pd->reads_checked;
	r.reads_unsure = pd->led.reads_unsure;
	r.reads_foreign = pd->led.reads_foreign;
	r.reads_short = pd->led.reads_short;
	r.writes_overlapped = pd->led.writes_overlapped;
	r.readback = &pd->rb;
	r.target_paths = pd->paths;
	r.wb_modes = pd->wb.modes;	/* the modes that ran */
	r.wb_nmodes = pd->wb.nmodes;
	r.wb_interval_us = pd->o->wb_interval_us;
	r.wb_counts = pd->wb.counts;
	pwb_report_wb_pages(&r, &pd->wb);
	r.wb_errors = pd->wb.errors;
	r.wb_note = pd->wb.note;
	r.racers = &pd->racers;
	r.verify = &pd->vres;
	r.keep_buffer = kbuf;
	r.keep_record = krec;
	r.vm_before = pd->vm_before;
	r.vm_after = pd->vm_after;
	if (pd->report_path && pwb_report_write(&r, pd->report_path, err,
						sizeof(err)))
		log_err("pinwb: %s\n", err);
	sum = malloc(4096);
	if (sum) {
		pwb_report_summary(&r, sum, 4096);
		pwb_info("%s", sum);
		free(sum);
	}
}

static void verdict(struct thread_data *td, struct pwb_data *pd)
{
	char msg[640];

	for (unsigned int i = 0; i < pd->vres.ndetail; i++) {
		pwb_mismatch_str(&pd->vres.detail[i], msg, sizeof(msg));
		log_err("pinwb: %s: %s\n", pd->arena.path ? pd->arena.path :
			"buffer", msg);
	}
	if (pd->vres.mismatches > pd->vres.ndetail)
		log_err("pinwb: ... and %" PRIu64 " more mismatching slot(s)\n",
			pd->vres.mismatches - pd->vres.ndetail);
	if (pd->vres.outcome == PWB_V_MISMATCH) {
		log_err("pinwb: %s: VERIFY FAILED: %" PRIu64 " of %" PRIu64
			" slot(s) do not hold the block last put there\n",
			td->o.name, pd->vres.mismatches,
			pd->vres.slots_checked);
		td_verror(td, EILSEQ, "pinwb verify");
	} else if (pd->vres.outcome == PWB_V_SETUP) {
		log_err("pinwb: %s: verification could not run: %s\n",
			td->o.name, pd->vres.error);
		td_verror(td, EIO, "pinwb verify setup");
	}
	for (unsigned int i = 0; i < pd->rb.ndetail; i++) {
		pwb_rb_mismatch_str(&pd->rb.detail[i],
				    pd->paths[pd->rb.detail[i].file], msg,
				    sizeof(msg));
		log_err("pinwb: %s\n", msg);
	}
	if (pd->rb.mismatches > pd->rb.ndetail)
		log_err("pinwb: ... and %" PRIu64 " more mismatching target block(s)\n",
			pd->rb.mismatches - pd->rb.ndetail);
	if (pd->rb.outcome == PWB_V_MISMATCH) {
		log_err("pinwb: %s: TARGET READ-BACK FAILED: %" PRIu64 " of %"
			PRIu64 " written block(s) do not hold what was written\n",
			td->o.name, pd->rb.mismatches, pd->rb.blocks_checked);
		td_verror(td, EILSEQ, "pinwb target read-back");
	} else if (pd->rb.outcome == PWB_V_SETUP) {
		log_err("pinwb: %s: target read-back could not run: %s\n",
			td->o.name, pd->rb.error);
		td_verror(td, EIO, "pinwb target read-back setup");
	}
	if (pd->rb.every_mismatches) {
		log_err("pinwb: %s: pinwb_verify_every found %" PRIu64
			" mismatching target block(s)\n", td->o.name,
			pd->rb.every_mismatches);
		td_verror(td, EILSEQ, "pinwb verify_every target");
	}
	if (pd->verify_every_mismatches) {
		log_err("pinwb: %s: pinwb_verify_every found %" PRIu64
			" mismatching slot(s)\n", td->o.name,
			pd->verify_every_mismatches);
		td_verror(td, EILSEQ, "pinwb verify_every");
	}
}

void pwb_evidence_end(struct thread_data *td, struct pwb_data *pd)
{
	char *kbuf = NULL, *krec = NULL;

	/* a job that never ran has nothing to verify, keep or report */
	if (!pd->init_done || pd->setup_failed || !pd->arena_ready ||
	    !pd->rec.e)
		return;
	if (pd->o->verify) {
		/* the hook has run: it may have damaged the target too */
		run_verify(td, pd);
		if (pd->led.writes && pd->vres.outcome != PWB_V_SETUP)
			readback(pd, NULL);
	}
	if (pd->keep_dir)
		keep(td, pd, &kbuf, &krec);
	pwb_vmstat_read(pd->vm_after);
	report(td, pd, kbuf, krec);
	verdict(td, pd);
	free(kbuf);
	free(krec);
}
