# SPDX-License-Identifier: MIT
# exo: one non-recursive build. `make` builds the kernel ELF and the bootable ISO; `make run`
# boots it in QEMU; `make test` runs the host unit tests and the QEMU tests. See README.md.
# Each directory builds itself with a build.mk fragment, included below in dependency order:
# toolchain/mk/ (compilers, the user-program functions, ISO images, QEMU), exo/ (the kernel and
# its ABI), libexo/, musl-port/, libos/ (and the sysroot), modules/, apps/, drivers/ and tests/
# (the test kernel and programs in tests/qemu/, unit, posix, bench, fuzz; tests/build.mk: `make test`);
# ports/ (Debian sources built for exo); verify/ (the SPIN model checks).

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD ?= build
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

# toolchain/scripts/deps installs the Debian packages that are missing before anything else runs:
# its stamp is an included makefile, and make brings included makefiles up to date (and re-reads
# the Makefile) before it starts on any goal, whatever the goal order or -j. No rule needs to
# name it. It is re-run when the script changes or the build directory is new.
# tests/build/deps-order checks that it runs first in a fresh build directory.
NO_DEPS_GOALS := clean help deps
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(BUILD)/.deps.mk
endif
$(BUILD)/.deps.mk: toolchain/scripts/deps
	@mkdir -p $(@D)
	$(Q)toolchain/scripts/deps
	@echo '# toolchain/scripts/deps ran here; make remakes this file when the script changes' > $@

include toolchain/mk/tools.mk
include exo/abi/build.mk
include toolchain/mk/proto.mk
include toolchain/mk/user.mk
include exo/build.mk
include libexo/build.mk
include musl-port/build.mk
include libos/build.mk
include modules/build.mk
include apps/build.mk
include drivers/build.mk
include tests/qemu/build.mk
include tests/unit/build.mk
include toolchain/mk/image.mk
include toolchain/mk/qemu.mk
include tests/posix/build.mk
include ports/build.mk
include tests/build.mk
include tests/bench/build.mk
include tests/fuzz/build.mk
include tests/qemu/soak.mk
include verify/build.mk

.PHONY: all clean format format-check help deps
all: $(KERNEL_ELF) $(KERNEL_ISO) $(USER_PROGS) $(MUSL_LIBC) $(POSIX_PROGS)

deps:
	toolchain/scripts/deps

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find exo tests -name '*.[ch]')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) $(filter-out $(SYSROOT)/README.md,$(wildcard $(SYSROOT)/*))

help:
	@echo "make            build $(KERNEL_ELF) and $(KERNEL_ISO)"
	@echo "make run        install missing packages, build, boot in QEMU (serial console; Ctrl-A X quits)"
	@echo "make run UEFI=1 the same through OVMF (UEFI firmware)"
	@echo "make test       unit tests (host, cmocka) + QEMU tests; ends with 'N passed, N failed'"
	@echo "make ports      build the ports (ports/NAME: Debian sources) into $(BUILD)/root with exo-port"
	@echo "make ports-check  build every port and run all their checks on exo (tests/ports/run)"
	@echo "make bench      instruction counts of kernel paths, exo beside Linux in the same QEMU"
	@echo "make bench-profile  instructions per function of the kernel's fast paths (docs/performance.md)"
	@echo "make verify     SPIN model checks of the endpoint and hot-swap protocols (docs/verification.md)"
	@echo "make fuzz       libFuzzer on the module validator (make fuzz-check: compare with ld.so)"
	@echo "make soak       the kernel fuzzer for 10 million calls in QEMU (SOAK_ARGS="fuzz_seed=N ...")"
	@echo "make debug      boot with QEMU waiting for gdb (gdb -x toolchain/gdb/exo.gdb)"
	@echo "make format     clang-format the C sources (make test checks the format)"
	@echo "make clean      remove $(BUILD)/"
	@echo "variables: RELEASE=1 (no debug checks), V=1 (show commands), MEM=256M, SMP=1"
