# integrity: Lost blocks and detector counters per cell and policy (standalone: gnuplot integrity.gp writes integrity.png and integrity.svg)
set terminal pngcairo noenhanced size 1000,560
set output 'integrity.png'
set title "Lost blocks and detector counters per cell and policy\nkernel 6.12.117 +series v4, QEMU guest on Intel(R) Xeon(R) Processor x2 (tcg), fs ext4"
set key outside right top
set grid ytics
set ylabel 'count (events over all repetitions)'
set xlabel 'cell and side'
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set xtics rotate by -15 nomirror
plot 'integrity.dat' using 3:xtic(2) title "gup_fast_wb_fallback", 'integrity.dat' using 4 title "gup_longterm_file_deferred", 'integrity.dat' using 5 title "gup_longterm_file_dirtied", 'integrity.dat' using 6 title "gup_stable_changed", 'integrity.dat' using 7 title "gup_stable_dropped", 'integrity.dat' using 8 title "gup_stable_late_pin", 'integrity.dat' using 9 title "gup_stable_violation", 'integrity.dat' using 10 title "gup_wb_nowait", 'integrity.dat' using 11 title "gup_wb_pinned_bounced", 'integrity.dat' using 12 title "gup_wb_pinned_bounced_early", 'integrity.dat' using 13 title "gup_wb_pinned_skipped", 'integrity.dat' using 14 title "gup_wb_pinned_unbounced", 'integrity.dat' using 15 title "gup_wb_pinned_written", 'integrity.dat' using 16 title "gup_wb_wait", 'integrity.dat' using 17 title "lost blocks (verify mismatches)"
set terminal svg noenhanced size 1000,560 dynamic
set output 'integrity.svg'
replot
unset output
