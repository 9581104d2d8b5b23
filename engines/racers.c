// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb racers (racers.h): fork, re-mmap, mremap, truncate and punch-hole
 * of the buffer while the job's I/O into it is queued or in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "racers.h"

const char *const pwb_racer_names[PWB_RACE_NR] = {
	"fork", "remap", "mremap", "truncate", "punch",
};

/* a punch or mremap covers up to this many slots; truncate the last ones */
#define RACE_SPAN	4
#define TRUNC_TAIL	8

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_next(struct pwb_racers *rs)
{
	/* xorshift64: the racers' choices follow the job's seed */
	rs->rng ^= rs->rng << 13;
	rs->rng ^= rs->rng >> 7;
	rs->rng ^= rs->rng << 17;
	return rs->rng;
}

static void skip(struct pwb_racer_stat *s, const char *why)
{
	snprintf(s->skipped, sizeof(s->skipped), "%s", why);
	s->runs = false;
}

void pwb_racers_init(struct pwb_racers *rs, const unsigned int *period_ms,
		     struct pwb_arena *arena, struct pwb_ledger *led,
		     const struct pwb_racer_env *env)
{
	bool mapped_fd = arena->kind == PWB_BUF_FILE ||
			 arena->kind == PWB_BUF_SHMEM;
	uint64_t t0 = now_ns();

	memset(rs, 0, sizeof(*rs));
	rs->arena = arena;
	rs->led = led;
	rs->sync_io = env->sync_io;
	rs->fault = env->fault;
	rs->rng = env->seed * 0x9e3779b97f4a7c15ull + 0x5241434552ull;
	if (!rs->rng)
		rs->rng = 1;
	for (int i = 0; i < PWB_RACE_NR; i++) {
		struct pwb_racer_stat *s = &rs->r[i];

		s->period_ms = period_ms[i];
		s->runs = s->period_ms != 0;
		s->next_ns = t0 + (uint64_t)s->period_ms * 1000000ull;
	}
	if (!mapped_fd) {
		/* an anonymous arena has no file to map its data back from */
		skip(&rs->r[PWB_RACE_REMAP],
		     "the arena is anonymous memory: re-mapping it would lose its data");
		skip(&rs->r[PWB_RACE_TRUNCATE],
		     "the arena has no file (pinwb_buffer=file or shmem)");
		skip(&rs->r[PWB_RACE_PUNCH],
		     "the arena has no file (pinwb_buffer=file or shmem)");
	}
	if (env->numa_bound) {
		skip(&rs->r[PWB_RACE_REMAP],
		     "pinwb_numa_node is set: a new mapping would lose the arena's mbind policy");
	}
	if (env->fixedbufs) {
		/*
		 * The registered buffer keeps the old pages: the CPU would
		 * fill the file's new pages and the device read the old.
		 */
		skip(&rs->r[PWB_RACE_TRUNCATE],
		     "pinwb_fixedbufs=1: registered buffers keep the pages truncate removes from the file, so every later I/O of those slots is incoherent");
		skip(&rs->r[PWB_RACE_PUNCH],
		     "pinwb_fixedbufs=1: registered buffers keep the pages a punched hole removes from the file, so every later I/O of those slots is incoherent");
	}
	if ((env->wb_touch || env->wb_msync) && rs->r[PWB_RACE_MREMAP].runs)
		skip(&rs->r[PWB_RACE_MREMAP],
		     "pinwb_wb_modes has touch or msync_sync: the driver thread uses the mapping that mremap moves away and back");
	if (env->wb_touch && rs->r[PWB_RACE_TRUNCATE].runs)
		/* touch writes idle slots from its thread: SIGBUS past EOF */
		skip(&rs->r[PWB_RACE_TRUNCATE],
		     "pinwb_wb_modes has touch: the driver thread would write past the truncated end (SIGBUS)");
	for (int i = 0; i < PWB_RACE_NR; i++)
		rs->on |= rs->r[i].runs;
}

/* a slot an I/O of the job is queued or in flight on, or a drawn one */
static uint64_t busy_slot(struct pwb_racers *rs)
{
	const struct pwb_ledger *l = rs->led;
	unsigned int n = 0, pick;

	for (unsigned int i = 0; i < l->nio; i++)
		n += l->io[i].active;
	if (!n)
		return rng_next(rs) % rs->arena->nslots;
	pick = (unsigned int)(rng_next(rs) % n);
	for (unsigned int i = 0; i < l->nio; i++)
		if (l->io[i].active && !pick--)
			return l->io[i].slot;
	return 0;
}

/* [first, first + n) will have no pages for a moment (see ledger.h) */
static void expose(struct pwb_racers *rs, uint64_t first, uint64_t n)
{
	for (uint64_t s = first; s < first + n; s++)
		pwb_ledger_expose_slot(rs->led, s);
}

static void excuse(struct pwb_racers *rs, uint64_t first, uint64_t n)
{
	if (rs->fault == PWB_FAULT_NO_EXCUSE)
		return;
	for (uint64_t s = first; s < first + n; s++) {
		switch (pwb_ledger_excuse_slot(rs->led, s)) {
		case PWB_EXCUSED_IDLE:
			rs->slots_excused++;
			break;
		case PWB_EXCUSED_READ:
			rs->reads_excused++;
			break;
		case PWB_EXCUSED_WRITE:
			rs->writes_excused++;
			break;
		case PWB_EXCUSED_NONE:
			break;
		}
	}
}

/*
 * The child writes into its copy-on-write copy of the buffer and exits; the
 * parent's pinned pages must not change.  A MAP_SHARED mapping is shared,
 * not copied, across fork, so the child first maps the file privately over
 * its own copy of the arena.  hugetlb arenas are MAP_SHARED anonymous
 * memory with no file to map: the child only exits.
 */
static int race_fork(struct pwb_racers *rs)
{
	struct pwb_arena *a = rs->arena;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (a->fd >= 0 && rs->fault != PWB_FAULT_FORK_SHARED &&
		    mmap(a->base, a->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED, a->fd, 0) == MAP_FAILED)
			_exit(3);
		if (a->kind != PWB_BUF_HUGETLB)
			for (uint64_t off = 0; off < a->size; off += 4096)
				a->base[off] ^= 0x5a;
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return 0;
}

/*
 * munmap and re-mmap in one step: mmap(MAP_FIXED) over the live arena
 * unmaps it inside the kernel and maps the same file pages again.  The
 * writeback driver may touch any idle slot at any time, so a hole visible
 * to user space would be a SIGSEGV, not a test.
 */
/* the fault: map the file one slot off over [first, first + n) */
static int map_shifted(struct pwb_arena *a, uint64_t first, uint64_t n)
{
	uint64_t src = first ? first - 1 : first + 1;

	if (mmap(pwb_slot_addr(a, first), (size_t)(n * a->slot_size),
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, a->fd,
		 (off_t)(src * a->slot_size)) == MAP_FAILED)
		return -errno;
	return 0;
}

static int race_remap(struct pwb_racers *rs)
{
	struct pwb_arena *a = rs->arena;

	if (rs->fault == PWB_FAULT_REMAP_SHIFT && a->nslots > 1)
		return map_shifted(a, 1, a->nslots - 1);
	if (mmap(a->base, a->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, a->fd, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

/*
 * Move the page tables of a few slots (pinned pages among them) to another
 * address and back.  Between the two calls the range is a hole, which is
 * why mremap does not run with the writeback driver's touch or msync_sync
 * (they use the mapping from their own thread).  MREMAP_DONTUNMAP, which
 * would leave no hole, takes private anonymous mappings only.
 */
static int race_mremap(struct pwb_racers *rs)
{
	struct pwb_arena *a = rs->arena;
	uint64_t first = busy_slot(rs), n = 1 + rng_next(rs) % RACE_SPAN;
	char *old, *tmp;
	size_t len;
	int ret = 0;

	if (first + n > a->nslots)
		n = a->nslots - first;
	len = (size_t)(n * a->slot_size);
	old = pwb_slot_addr(a, first);
	expose(rs, first, n);
	/* a reservation the move replaces, so MREMAP_FIXED hits nothing */
	tmp = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		return -errno;
	if (mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, tmp) ==
	    MAP_FAILED) {
		ret = -errno;
		munmap(tmp, len);
		return ret;
	}
	if (rs->fault == PWB_FAULT_REMAP_SHIFT && a->fd >= 0 &&
	    a->nslots > n) {
		ret = map_shifted(a, first, n);
		munmap(tmp, len);
		return ret;
	}
	if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, old) ==
	    MAP_FAILED) {
		/* not seen in practice; without it the job cannot go on */
		fprintf(stderr, "pinwb: pinwb_race_mremap: cannot move slots %" PRIu64 "..%" PRIu64 " back: %s\n",
			first, first + n - 1, strerror(errno));
		abort();
	}
	return 0;
}

/*
 * Cut the file at a slot boundary among its last slots (at a busy slot
 * when one is there) and extend it back: the pages past the cut leave the
 * page cache, pinned or not.
 */
static int race_truncate(struct pwb_racers *rs)
{
	struct pwb_arena *a = rs->arena;
	uint64_t tail = a->nslots < TRUNC_TAIL ? a->nslots : TRUNC_TAIL;
	uint64_t cut = busy_slot(rs);
	int ret = 0;

	if (cut < a->nslots - tail)
		cut = a->nslots - 1 - rng_next(rs) % tail;
	excuse(rs, cut, a->nslots - cut);
	expose(rs, cut, a->nslots - cut);
	if (ftruncate(a->fd, (off_t)(cut * a->slot_size)))
		ret = -errno;
	if (ftruncate(a->fd, (off_t)a->size) && !ret)
		ret = -errno;
	return ret;
}

static int race_punch(struct pwb_racers *rs)
{
	struct pwb_arena *a = rs->arena;
	uint64_t first = busy_slot(rs), n = 1 + rng_next(rs) % RACE_SPAN;

	if (first + n > a->nslots)
		n = a->nslots - first;
	excuse(rs, first, n);
	if (fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(first * a->slot_size),
		      (off_t)(n * a->slot_size)))
		return -errno;
	return 0;
}

int pwb_racers_act(struct pwb_racers *rs, enum pwb_racer which)
{
	struct pwb_racer_stat *s = &rs->r[which];
	int ret;

	switch (which) {
	case PWB_RACE_FORK:
		ret = race_fork(rs);
		break;
	case PWB_RACE_REMAP:
		ret = race_remap(rs);
		break;
	case PWB_RACE_MREMAP:
		ret = race_mremap(rs);
		break;
	case PWB_RACE_TRUNCATE:
		ret = race_truncate(rs);
		break;
	case PWB_RACE_PUNCH:
		ret = race_punch(rs);
		break;
	default:
		return -EINVAL;
	}
	s->actions++;
	if (rs->led->inflight)
		s->in_flight++;
	if (ret) {
		if (!s->errors++)
			s->first_errno = -ret;
		/* the kernel or file system cannot do it: stop trying */
		if (ret == -EOPNOTSUPP || ret == -EINVAL) {
			snprintf(s->skipped, sizeof(s->skipped),
				 "%s failed: %s", pwb_racer_names[which],
				 strerror(-ret));
			s->runs = false;
		}
	}
	return ret;
}

void pwb_racers_tick(struct pwb_racers *rs)
{
	uint64_t t = 0;

	/* on io_uring wait for a moment with I/O queued or in flight */
	if (!rs->sync_io && !rs->led->inflight)
		return;
	for (int i = 0; i < PWB_RACE_NR; i++) {
		struct pwb_racer_stat *s = &rs->r[i];

		if (!s->runs)
			continue;
		if (!t)
			t = now_ns();
		if (t < s->next_ns)
			continue;
		pwb_racers_act(rs, (enum pwb_racer)i);
		s->next_ns = t + (uint64_t)s->period_ms * 1000000ull;
	}
}

void pwb_racers_json(FILE *f, const struct pwb_racers *rs,
		     const char *indent)
{
	fputs("{", f);
	for (int i = 0; i < PWB_RACE_NR; i++) {
		const struct pwb_racer_stat *s = &rs->r[i];

		fprintf(f, "\n%s  \"%s\": {\"period_ms\": %u, \"actions\": %"
			PRIu64 ", \"in_flight\": %" PRIu64 ", \"errors\": %"
			PRIu64 ", \"first_error\": ", indent,
			pwb_racer_names[i], s->period_ms, s->actions,
			s->in_flight, s->errors);
		if (s->errors)
			fprintf(f, "\"%s\"", strerror(s->first_errno));
		else
			fputs("null", f);
		fputs(", \"skipped\": ", f);
		if (s->skipped[0]) {
			fputc('"', f);
			for (const char *c = s->skipped; *c; c++)
				if (*c == '"' || *c == '\\')
					fprintf(f, "\\%c", *c);
				else
					fputc(*c, f);
			fputc('"', f);
		} else {
			fputs("null", f);
		}
		fputs("},", f);
	}
	fprintf(f, "\n%s  \"excused\": {\"slots\": %" PRIu64 ", \"reads\": %"
		PRIu64 ", \"writes\": %" PRIu64 ", \"faulted\": %" PRIu64
		"}\n%s}", indent, rs->slots_excused, rs->reads_excused,
		rs->writes_excused, rs->led->racer_faulted, indent);
}

void pwb_racers_summary(const struct pwb_racers *rs, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < PWB_RACE_NR; i++) {
		const struct pwb_racer_stat *s = &rs->r[i];

		if (!s->period_ms || n >= len)
			continue;
		if (s->skipped[0] && !s->actions)
			n += snprintf(buf + n, len - n, "%s%s skipped",
				      n ? ", " : "racers: ", pwb_racer_names[i]);
		else
			n += snprintf(buf + n, len - n, "%s%s %" PRIu64
				      " (%" PRIu64 " in flight, %" PRIu64
				      " failed)", n ? ", " : "racers: ",
				      pwb_racer_names[i], s->actions,
				      s->in_flight, s->errors);
	}
	if (n && n < len && (rs->slots_excused || rs->reads_excused ||
			     rs->writes_excused))
		n += snprintf(buf + n, len - n, "; excused %" PRIu64
			      " slots, %" PRIu64 " reads, %" PRIu64 " writes",
			      rs->slots_excused, rs->reads_excused,
			      rs->writes_excused);
	if (n && n < len && rs->led->racer_faulted)
		n += snprintf(buf + n, len - n, "; %" PRIu64
			      " I/O(s) failed with EFAULT in a racer's hole (excused)",
			      rs->led->racer_faulted);
	if (n && n < len)
		snprintf(buf + n, len - n, "\n");
}
