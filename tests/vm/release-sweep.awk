#!/usr/bin/awk -f
# Aggregates gup_test -R output (one "PUT_USER_PAGES_BENCHMARK:" line per
# method and round, kernel patch 7) into one TSV row per page kind, pages per
# release call and method: the median, minimum and maximum ns/page over the
# rounds. Input lines are prefixed with the page kind: "KIND <gup_test line>".
# Variables: kinds, batches, methods (space-separated lists of the cells that
# must be present), rounds (figures each cell needs). Exits 1, naming the
# first cell, when a cell has fewer figures: a sweep with holes is not a
# result. Sorting is done here (busybox awk has no asort), insertion sort on
# at most a few dozen values per cell.

function field(line, key,    re, s) {
	re = " " key "=[^ ]*"
	if (!match(line, re))
		return ""
	s = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
	return s
}

function median(arr, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = arr[i]
		for (j = i - 1; j >= 1 && arr[j] > t; j--)
			arr[j + 1] = arr[j]
		arr[j + 1] = t
	}
	if (n % 2)
		return arr[(n + 1) / 2]
	return (arr[n / 2] + arr[n / 2 + 1]) / 2
}

/PUT_USER_PAGES_BENCHMARK: / {
	kind = $1
	m = field($0, "method")
	b = field($0, "per_call")
	ns = field($0, "ns_per_page")
	if (m == "" || b == "" || ns == "")
		next
	key = kind SUBSEP b SUBSEP m
	n[key]++
	v[key, n[key]] = ns + 0
	pages[key] = field($0, "pages")
}

END {
	print "kind\tbatch\tmethod\tpages\truns\tns_per_page\tns_per_page_min\tns_per_page_max"
	nk = split(kinds, K, " ")
	nb = split(batches, B, " ")
	nm = split(methods, M, " ")
	bad = ""
	for (i = 1; i <= nk; i++)
		for (j = 1; j <= nb; j++)
			for (l = 1; l <= nm; l++) {
				key = K[i] SUBSEP B[j] SUBSEP M[l]
				c = n[key] + 0
				if (c < rounds) {
					if (bad == "")
						bad = K[i] " batch " B[j] " method " M[l] ": " c " of " rounds " figures"
					continue
				}
				lo = hi = v[key, 1]
				for (r = 1; r <= c; r++) {
					x[r] = v[key, r]
					if (x[r] < lo) lo = x[r]
					if (x[r] > hi) hi = x[r]
				}
				printf "%s\t%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\n", K[i], B[j], M[l], pages[key], c, median(x, c), lo, hi
			}
	if (bad != "") {
		print "release-sweep.awk: missing figures: " bad > "/dev/stderr"
		exit 1
	}
}
