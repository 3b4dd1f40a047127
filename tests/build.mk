# SPDX-License-Identifier: MIT
# Test targets. Unit tests: each T in UNIT_TESTS (tests/unit/build.mk) is built from $(T_SRCS)
# with the host compiler and sanitizers into $(BUILD)/unit/T (objects in $(BUILD)/unit-obj/T/). QEMU tests: tests/qemu/tests.list,
# run by tests/qemu/run; POSIX programs (tests/posix/build.mk), run by tests/posix/run. `make test`
# runs the format check, all of them and prints one summary.

UNIT_BINS := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

define unit_test_rules
$(BUILD)/unit-obj/$(1)/%.o: %.c | $(ABI_HEADER)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $$($(1)_CFLAGS) -c $$< -o $$@

$(BUILD)/unit/$(1): $(patsubst %.c,$(BUILD)/unit-obj/$(1)/%.o,$($(1)_SRCS))
	@mkdir -p $$(@D)
	@echo "  HOSTLD  $$@"
	$(Q)$(HOSTCC) $(HOST_LDFLAGS) -o $$@ $$^ -lcmocka

-include $(patsubst %.c,$(BUILD)/unit-obj/$(1)/%.d,$($(1)_SRCS))
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rules,$(t))))

.PHONY: test unit-tests qemu-tests
test: $(UNIT_BINS) $(KERNEL_ELF) $(KERNEL_TEST_ELF) $(KERNEL_ISO) $(TEST_ISO) $(USER_PROGS) $(MUSL_LIBC) $(POSIX_PROGS) $(POSIX_TEST_EXO) \
		$(POSIX_TEST_NATIVE) $(AUTOTOOLS_HELLO) $(PORTS_TESTED)
	+$(Q)BUILD=$(BUILD) OVMF=$(OVMF) MUSL_LIBC=$(MUSL_LIBC) PORTS_TESTED="$(PORTS_TESTED_NAMES)" \
		tests/run-all $(UNIT_BINS)

unit-tests: $(UNIT_BINS)
	$(Q)BUILD=$(BUILD) tests/run-all --only unit $(UNIT_BINS)

qemu-tests: $(KERNEL_ELF) $(KERNEL_TEST_ELF) $(KERNEL_ISO) $(TEST_ISO) $(USER_PROGS) $(POSIX_PROGS) $(POSIX_TEST_EXO) $(POSIX_TEST_NATIVE)
	$(Q)BUILD=$(BUILD) OVMF=$(OVMF) tests/run-all --only qemu
