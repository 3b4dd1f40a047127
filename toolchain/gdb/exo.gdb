# gdb script for `make debug`: kernel symbols, connect to QEMU, stop in kmain.
file build/exo.elf
target remote localhost:1234
hbreak kmain
continue
