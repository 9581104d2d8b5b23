/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pinwb racers: operations on the buffer that race with the job's own I/O
 * while its pages are pinned.  fork() (the child writes its copy-on-write
 * copy of the buffer and exits), re-mmap of the buffer over itself
 * (MAP_FIXED), mremap of part of it away and back, truncate and punch-hole
 * of the buffer file.  They run in the job thread, from the engine's queue hook, so they
 * never race with the job's own CPU access to a slot; the I/O they race
 * with is what the job queued or submitted before.  Truncate and punch
 * destroy buffer content: the ledger is told which slots and writes may
 * differ (pwb_ledger_excuse_slot) and the report counts them.  No fio
 * dependency.
 */
#ifndef PINWB_RACERS_H
#define PINWB_RACERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "ledger.h"

enum pwb_racer {
	PWB_RACE_FORK = 0,
	PWB_RACE_REMAP,
	PWB_RACE_MREMAP,
	PWB_RACE_TRUNCATE,
	PWB_RACE_PUNCH,
	PWB_RACE_NR,
};

/* "fork", "remap", "mremap", "truncate", "punch" */
extern const char *const pwb_racer_names[PWB_RACE_NR];

#define PWB_RACE_PERIOD_MAX	60000	/* ms */

/*
 * Faults the tests inject to see the checks fail (pinwb_race_fault): each
 * makes its racer do what a broken kernel might, or skip what it must do.
 */
enum pwb_race_fault {
	PWB_FAULT_NONE = 0,
	PWB_FAULT_FORK_SHARED,	/* the child writes the shared buffer itself */
	PWB_FAULT_NO_EXCUSE,	/* truncate/punch do not tell the ledger */
	PWB_FAULT_REMAP_SHIFT,	/* remap/mremap map the file one slot off */
};

struct pwb_racer_stat {
	unsigned int period_ms;		/* 0: off */
	bool runs;			/* asked for and able to run */
	uint64_t next_ns;		/* when it acts next */
	uint64_t actions;		/* times it acted */
	uint64_t in_flight;		/* ... with an I/O queued or in flight */
	uint64_t errors;		/* actions whose syscall failed */
	int first_errno;
	char skipped[192];		/* why it did not run ("" if it ran) */
};

/* what the racers' job looks like: decides which racers can run */
struct pwb_racer_env {
	bool fixedbufs;			/* io_uring registered buffers */
	bool wb_touch;			/* the writeback driver dirties via CPU */
	bool wb_msync;			/* ... or msyncs the mapping */
	bool numa_bound;		/* the arena is mbind()ed to a node */
	bool sync_io;			/* nothing is ever in flight at queue */
	uint64_t seed;
	enum pwb_race_fault fault;
};

struct pwb_racers {
	bool on;			/* any racer runs */
	bool sync_io;
	enum pwb_race_fault fault;
	struct pwb_arena *arena;
	struct pwb_ledger *led;
	uint64_t rng;
	struct pwb_racer_stat r[PWB_RACE_NR];
	/* what truncate and punch told the ledger may differ */
	uint64_t slots_excused;		/* idle slots whose content went */
	uint64_t reads_excused;		/* reads queued or in flight into them */
	uint64_t writes_excused;	/* writes queued or in flight from them */
};

/*
 * Set up @rs for @period_ms (PWB_RACE_NR entries, 0 = off).  A racer that
 * cannot run with this arena or job is left out, with its reason in
 * r[i].skipped.  No failure: the caller reports what is skipped.
 */
void pwb_racers_init(struct pwb_racers *rs, const unsigned int *period_ms,
		     struct pwb_arena *arena, struct pwb_ledger *led,
		     const struct pwb_racer_env *env);

/*
 * Called from the engine's queue hook: every racer whose time has come
 * acts once.  On the io_uring path a racer waits for a moment when an I/O
 * of the job is queued or in flight.
 */
void pwb_racers_tick(struct pwb_racers *rs);

/* Act racer @which once now (tests). Returns 0 or -errno. */
int pwb_racers_act(struct pwb_racers *rs, enum pwb_racer which);

/* The report's "racers" object (no trailing newline). */
void pwb_racers_json(FILE *f, const struct pwb_racers *rs,
		     const char *indent);

/* One summary line ("racers: fork 12 (10 in flight), ..."), "" if none. */
void pwb_racers_summary(const struct pwb_racers *rs, char *buf, size_t len);

#endif
