# latency: Latency percentiles per cell (with and without writeback where the matrix varies it) (standalone: gnuplot latency.gp writes latency.png and latency.svg)
set terminal pngcairo noenhanced size 1000,560
set output 'latency.png'
set title "Latency percentiles per cell (with and without writeback where the matrix varies it)\nkernel 6.18.44-fc-v657, Intel(R) Xeon(R) Processor x2 (docker), fs ext4"
set key outside right top
set grid ytics
set ylabel 'total latency (submit to completion), us'
set xlabel 'cell and side'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.6 border -1
set xtics rotate by -15 nomirror
plot 'latency.dat' using 3:xtic(2) title 'p50', '' using 4 title 'p99', '' using 5 title 'p99.9'
set terminal svg noenhanced size 1000,560 dynamic
set output 'latency.svg'
replot
unset output
