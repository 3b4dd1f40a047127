# SPDX-License-Identifier: MIT
# POSIX conformance programs: every tests/posix/NAME.c is built twice, with x86_64-exo-gcc for exo
# ($(BUILD)/posix/exo/NAME, run with exorun) and with Debian's musl-gcc -static for this Linux
# host ($(BUILD)/posix/native/NAME); tests/posix/run runs both and compares them.

POSIX_TEST_NAMES := $(patsubst tests/posix/%.c,%,$(wildcard tests/posix/*.c))
POSIX_TEST_EXO := $(addprefix $(BUILD)/posix/exo/,$(POSIX_TEST_NAMES))
POSIX_TEST_NATIVE := $(addprefix $(BUILD)/posix/native/,$(POSIX_TEST_NAMES))

$(foreach t,$(POSIX_TEST_NAMES),$(eval $(call exo_gcc_program,$(BUILD)/posix/exo/$(t),tests/posix/$(t).c \
	tests/posix/check.h)))

# The same flags on both sides, so that the two programs compare.
$(BUILD)/posix/native/%: tests/posix/%.c tests/posix/check.h
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc $(EXO_GCC_CFLAGS) -static -o $@ $<

.PHONY: posix-tests
posix-tests: $(POSIX_TEST_EXO) $(POSIX_TEST_NATIVE) $(KERNEL_ELF) $(LIBEXO_SO) $(SO_MODULE_FILES)
	$(Q)BUILD=$(BUILD) tests/posix/run

# An existing autotools project cross-compiled with x86_64-exo-gcc: GNU Hello from Debian's
# source package (pinned in tests/posix/autotools/VERSION), configured with --host and built out
# of tree; tests/posix/autotools/run runs it with exorun.
AUTOTOOLS_HELLO := $(BUILD)/autotools-hello/obj/hello
$(AUTOTOOLS_HELLO): tests/posix/autotools/VERSION toolchain/scripts/fetch-source $(SYSROOT_FILES) $(EXO_GCC)
	$(Q)toolchain/scripts/fetch-source tests/posix/autotools/VERSION $(BUILD)/autotools-hello > /dev/null
	@echo "  AUTOTOOLS $@ (configure and make, about half a minute; log $(@D).log)"
	$(Q)rm -rf $(@D) && mkdir -p $(@D) && cd $(@D) && { \
	  CC=$(CURDIR)/$(EXO_GCC) ../src/configure --host=x86_64-linux-musl && $(MAKE); \
	} > ../obj.log 2>&1 || { tail -n 20 ../obj.log >&2; exit 1; }
