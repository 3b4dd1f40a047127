# SPDX-License-Identifier: MIT
# POSIX conformance programs: every tests/posix/NAME.c is built twice, with x86_64-exo-gcc for exo
# ($(BUILD)/posix/exo/NAME, run with exorun) and with Debian's musl-gcc -static for this Linux
# host ($(BUILD)/posix/native/NAME); tests/posix/run runs both and compares them.

POSIX_TEST_NAMES := $(patsubst tests/posix/%.c,%,$(wildcard tests/posix/*.c))
POSIX_TEST_EXO := $(addprefix $(BUILD)/posix/exo/,$(POSIX_TEST_NAMES))
POSIX_TEST_NATIVE := $(addprefix $(BUILD)/posix/native/,$(POSIX_TEST_NAMES))
POSIX_TEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

$(BUILD)/posix/exo/%: tests/posix/%.c tests/posix/check.h $(SYSROOT_FILES) $(EXO_GCC)
	@mkdir -p $(@D)
	@echo "  EXOGCC  $@"
	$(Q)$(EXO_GCC) $(POSIX_TEST_CFLAGS) -o $@ $<

$(BUILD)/posix/native/%: tests/posix/%.c tests/posix/check.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc $(POSIX_TEST_CFLAGS) -static -o $@ $<

.PHONY: posix-tests
posix-tests: $(POSIX_TEST_EXO) $(POSIX_TEST_NATIVE) $(KERNEL_ELF)
	$(Q)BUILD=$(BUILD) tests/posix/run
