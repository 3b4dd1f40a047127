# SPDX-License-Identifier: MIT
# `make bench`: the same benchmark source built for exo (init program, libexo) and for Linux
# (static, musl), both booted in the same QEMU with -icount shift=0,sleep=off; see tests/bench/run.

BENCH_EXO := $(BUILD)/user/bench
BENCH_LINUX := $(BUILD)/bench/bench-linux
BENCH_INITRAMFS := $(BUILD)/bench/initramfs.cpio
LINUX_KERNEL := $(BUILD)/bench/linux/vmlinuz

$(BUILD)/user-obj/tests/bench/bench.c.o: tests/bench/bench.c | $(DEPS_STAMP) $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) -D__exo__ -c $< -o $@

$(BENCH_EXO): $(BUILD)/user-obj/tests/bench/bench.c.o $(LIBEXO) toolchain/ld/user.ld
	@mkdir -p $(@D)
	@echo "  ULD     $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user-obj/libexo/crt0.S.o $< $(LIBEXO)

$(BENCH_LINUX): tests/bench/bench.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -std=gnu11 -O2 -static -Wall -Wextra -Werror -o $@ $<

$(BENCH_INITRAMFS): $(BENCH_LINUX)
	$(Q)rm -rf $@.dir && mkdir -p $@.dir && cp $< $@.dir/init
	$(Q)cd $@.dir && echo init | cpio -o -H newc --quiet > ../$(@F)

$(LINUX_KERNEL): toolchain/scripts/fetch-linux | $(DEPS_STAMP)
	$(Q)toolchain/scripts/fetch-linux $(@D)

.PHONY: bench
bench: $(KERNEL_ELF) $(BENCH_EXO) $(BENCH_INITRAMFS) $(LINUX_KERNEL) $(LIBEXO_SO) $(SO_MODULE_FILES)
	$(Q)BUILD=$(BUILD) tests/bench/run
