# SPDX-License-Identifier: MIT
# make verify: the SPIN model checks of the endpoint IPC and the module hot-swap protocol
# (verify/*.pml, run by verify/run; docs/verification.md). Products go in $(BUILD)/verify.
# `make test` runs them too (tests/run-all).

.PHONY: verify
verify:
	$(Q)BUILD=$(BUILD) verify/run
