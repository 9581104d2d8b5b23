# ratio: IOPS ratio pinwb / fio per cell (engine) (standalone: gnuplot ratio.gp writes ratio.png and ratio.svg)
set terminal pngcairo noenhanced size 1000,560
set output 'ratio.png'
set title "IOPS ratio pinwb / fio per cell (engine)\nkernel 6.18.44-fc-v657, Intel(R) Xeon(R) Processor x2 (docker), fs ext4"
set key outside right top
set grid ytics
set ylabel 'IOPS ratio pinwb / fio (1 = equal)'
set xlabel 'cell (matrix axes)'
set style fill solid 0.5 border -1
set boxwidth 0.6
set yrange [0:*]
set xrange [-0.7:0.700000]
set xtics rotate by -15 nomirror
plot 'ratio.dat' using 1:3:xtic(2) with boxes title 'median', '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0 title 'min-max', 1 with lines dt 2 lc rgb 'gray40' title 'equal'
set terminal svg noenhanced size 1000,560 dynamic
set output 'ratio.svg'
replot
unset output
