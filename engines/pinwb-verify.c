// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb-verify: check a kept pinwb buffer file against its record, with the
 * same code the engine runs at the end of a job.
 * Exit 0 intact, 1 mismatch, 2 usage or setup error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pinwb-verify [--json FILE] [--quiet] BUFFER_FILE RECORD_FILE\n"
		"\n"
		"Drop BUFFER_FILE from the page cache (confirmed with mincore), read it\n"
		"back with O_DIRECT and check every used slot against RECORD_FILE.\n"
		"  --json FILE  write the verify result as JSON to FILE ('-' = stdout,\n"
		"               the text then goes to stderr)\n"
		"  --quiet      print only mismatches and errors\n"
		"Exit: 0 intact, 1 mismatch, 2 usage or setup error.\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pwb_verify_result res;
	struct pwb_record rec;
	const char *json = NULL;
	FILE *txt;
	char err[512], msg[320];
	int c, quiet = 0, rc;

	while ((c = getopt_long(argc, argv, "j:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (pwb_record_read(&rec, argv[optind + 1], err, sizeof(err))) {
		fprintf(stderr, "pinwb-verify: %s\n", err);
		return 2;
	}
	/* with --json - the JSON owns stdout: the text goes to stderr */
	txt = json && !strcmp(json, "-") ? stderr : stdout;
	pwb_verify_result_init(&res);
	pwb_verify_file(argv[optind], &rec, &res);
	for (unsigned int i = 0; i < res.ndetail; i++) {
		pwb_mismatch_str(&res.detail[i], msg, sizeof(msg));
		fprintf(txt, "%s\n", msg);
	}
	if (res.mismatches > res.ndetail)
		fprintf(txt, "... and %" PRIu64 " more mismatching slot(s)\n",
			res.mismatches - res.ndetail);
	if (res.outcome == PWB_V_SETUP)
		fprintf(stderr, "pinwb-verify: %s: %s\n", argv[optind],
			res.error);
	else if (!quiet || res.mismatches)
		fprintf(txt, "pinwb-verify: %s: %s, %" PRIu64
			" slot(s) checked, %" PRIu64 " mismatch(es)\n",
			argv[optind], pwb_outcome_str(res.outcome),
			res.slots_checked, res.mismatches);
	if (json) {
		FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;

		if (!f) {
			perror(json);
			pwb_record_free(&rec);
			return 2;
		}
		fprintf(f, "{\"buffer_file\": ");
		pwb_json_str(f, argv[optind]);
		fprintf(f, ", \"record_file\": ");
		pwb_json_str(f, argv[optind + 1]);
		fprintf(f, ", \"verify\": ");
		pwb_verify_json(f, &res, "");
		fprintf(f, "}\n");
		if (f != stdout && fclose(f)) {
			perror(json);
			pwb_record_free(&rec);
			return 2;
		}
	}
	pwb_record_free(&rec);
	rc = res.outcome == PWB_V_INTACT ? 0 :
	     res.outcome == PWB_V_MISMATCH ? 1 : 2;
	return rc;
}
