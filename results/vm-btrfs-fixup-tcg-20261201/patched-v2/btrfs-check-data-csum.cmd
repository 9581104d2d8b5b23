btrfs check --readonly --check-data-csum disks/btrfs.img  (host, btrfs-progs v6.2, on the image kept by --keep-disks)
