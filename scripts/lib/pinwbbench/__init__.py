"""pinwb bench results: matrix files, fio/pinwb JSON parsing, set summaries,
comparisons and gnuplot plot data. Standard library only.

Modules, lower ones never importing higher ones:
  stats    medians and spreads
  fiojson  one fio JSON document -> result rows
  matrix   matrix file -> cells -> run plan (alternating pairs)
  jobfile  run plan entry -> a concrete fio job file
  meta     meta.json of a result set
  summary  a set's runs -> bench.json and summary.md
  compare  two sets (or two fio JSON files) -> ratios and verdicts
  plots    gnuplot data files and scripts
  guestplan a run plan for the VM guest's shell (tokens for its paths)
  vmimport a set from a VM run of tests/vm/suite/bench-matrix.sh
  cli      the command line (python3 -m pinwbbench)
"""
