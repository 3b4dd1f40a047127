# SPDX-License-Identifier: MIT
# make soak: the kernel fuzzer (tests/qemu/user/fuzz.c) for 10 million calls - 2 runs (the second
# takes the next seeds) x 4 seeds x 25 batches x 50,000 calls; not part of make test. SOAK_ARGS
# replaces the fuzzer's command line, e.g. to replay one batch of a seed. See docs/testing.md.
SOAK_ARGS ?= fuzz_seed=1 fuzz_seeds=4 fuzz_batches=25 fuzz_calls=50000
SOAK_TIMEOUT ?= 7200

.PHONY: soak
soak: $(KERNEL_TEST_ELF) $(BUILD)/user/fuzz
	$(Q)BUILD=$(BUILD) tests/qemu/soak $(SOAK_TIMEOUT) $(SOAK_ARGS)
