# SPDX-License-Identifier: MIT
# make soak: the kernel fuzzer for at least 10 million calls (2 runs x SOAK_SEEDS seeds x
# SOAK_BATCHES batches x SOAK_CALLS calls); not part of make test. See docs/testing.md.
SOAK_SEED ?= 1
SOAK_SEEDS ?= 4
SOAK_BATCHES ?= 25
SOAK_CALLS ?= 50000
SOAK_TIMEOUT ?= 7200

.PHONY: soak
soak: $(KERNEL_ELF) $(BUILD)/user/fuzz
	$(Q)BUILD=$(BUILD) tests/qemu/soak $(SOAK_SEED) $(SOAK_SEEDS) $(SOAK_BATCHES) $(SOAK_CALLS) $(SOAK_TIMEOUT)
