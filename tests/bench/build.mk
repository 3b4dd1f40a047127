# SPDX-License-Identifier: MIT
# `make bench`: benchmark sources built for exo and for Linux (static, musl, as /init with
# linux-init.c), both booted in the same QEMU with -icount shift=0,sleep=off; see tests/bench/run.
# bench.c: the kernel interface (an exo init program with libexo). posix.c: POSIX (an
# x86_64-exo-gcc program with libos, run through the exorun path).

BENCH_EXO := $(BUILD)/user/bench
BENCH_POSIX_EXO := $(BUILD)/bench/posix-exo
BENCH_INITRAMFS := $(BUILD)/bench/bench.cpio $(BUILD)/bench/posix.cpio
LINUX_KERNEL := $(BUILD)/bench/linux/vmlinuz

$(BUILD)/user-obj/tests/bench/bench.c.o: OBJ_CFLAGS := -D__exo__
$(eval $(call libexo_program,bench,tests/bench/bench.c))
$(eval $(call exo_gcc_program,$(BENCH_POSIX_EXO),tests/bench/posix.c tests/bench/measure.h))

$(BUILD)/bench/%-linux: tests/bench/%.c tests/bench/linux-init.c tests/bench/measure.h
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc $(EXO_GCC_CFLAGS) -static -pthread -o $@ $< tests/bench/linux-init.c

$(BUILD)/bench/%.cpio: $(BUILD)/bench/%-linux
	$(Q)rm -rf $@.dir && mkdir -p $@.dir && cp $< $@.dir/init
	$(Q)cd $@.dir && echo init | cpio -o -H newc --quiet > ../$(@F)

$(LINUX_KERNEL): toolchain/scripts/fetch-linux
	$(Q)toolchain/scripts/fetch-linux $(@D)

# `make bench-profile`: instructions per function of one call of each kernel fast path (gdb).
.PHONY: bench-profile
bench-profile: $(KERNEL_TEST_ELF) $(BENCH_EXO) $(LIBEXO_SO) $(SO_MODULE_FILES)
	$(Q)BUILD=$(BUILD) tests/bench/profile

.PHONY: bench
bench: $(KERNEL_ELF) $(KERNEL_TEST_ELF) $(BENCH_EXO) $(BENCH_POSIX_EXO) $(BUILD)/user/launch $(BENCH_INITRAMFS) $(LINUX_KERNEL) $(LIBEXO_SO) $(SO_MODULE_FILES)
	$(Q)BUILD=$(BUILD) tests/bench/run
