# release: Release cost against batch size (standalone: gnuplot release.gp writes release.png and release.svg)
set terminal pngcairo noenhanced size 1000,560
set output 'release.png'
set title "Release cost against batch size\nkernel 6.12.117 +series v3, QEMU guest on Intel(R) Xeon(R) Processor x2 (tcg), fs ext4"
set key outside right top
set grid ytics
set logscale xy 2
set xlabel 'pages released per call (batch)'
set ylabel 'release cost, ns per page'
plot 'release.dat' index 0 using 1:2 with linespoints title "hugetlb batched", 'release.dat' index 1 using 1:2 with linespoints title "hugetlb folio-run", 'release.dat' index 2 using 1:2 with linespoints title "hugetlb per-page", 'release.dat' index 3 using 1:2 with linespoints title "hugetlb unpin", 'release.dat' index 4 using 1:2 with linespoints title "order0 batched", 'release.dat' index 5 using 1:2 with linespoints title "order0 folio-run", 'release.dat' index 6 using 1:2 with linespoints title "order0 per-page", 'release.dat' index 7 using 1:2 with linespoints title "order0 unpin", 'release.dat' index 8 using 1:2 with linespoints title "thp batched", 'release.dat' index 9 using 1:2 with linespoints title "thp folio-run", 'release.dat' index 10 using 1:2 with linespoints title "thp per-page", 'release.dat' index 11 using 1:2 with linespoints title "thp unpin"
set terminal svg noenhanced size 1000,560 dynamic
set output 'release.svg'
replot
unset output
