# SPDX-License-Identifier: MIT
# Everything generated from exo/abi/exo.abi: the shared header <exo/exo.h>, the kernel's handler
# prototypes and call dispatch, libexo's stubs, and docs/abi.md (committed; `make test` checks it
# is current).

ABI_SRC := exo/abi/exo.abi
GEN_ABI := toolchain/scripts/gen-abi
ABI_HEADER := $(BUILD)/gen/exo/exo.h
ABI_HANDLERS := $(BUILD)/gen/kern/syscall_handlers.h
ABI_KERNEL := $(BUILD)/gen/syscall_table.c
ABI_STUBS := $(BUILD)/gen/libexo_stubs.S

$(ABI_HEADER): $(ABI_SRC) $(GEN_ABI)
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(GEN_ABI) header $(ABI_SRC) > $@
$(ABI_HANDLERS): $(ABI_SRC) $(GEN_ABI)
	@mkdir -p $(@D)
	$(Q)$(GEN_ABI) handlers $(ABI_SRC) > $@
$(ABI_KERNEL): $(ABI_SRC) $(GEN_ABI)
	@mkdir -p $(@D)
	$(Q)$(GEN_ABI) kernel $(ABI_SRC) > $@
$(ABI_STUBS): $(ABI_SRC) $(GEN_ABI)
	@mkdir -p $(@D)
	$(Q)$(GEN_ABI) stubs $(ABI_SRC) > $@

.PHONY: abi-doc abi-doc-check
abi-doc:
	$(GEN_ABI) doc $(ABI_SRC) > docs/abi.md
abi-doc-check: exo/abi/messages.md exo/abi/accounting.md exo/abi/bootinfo.md
	$(Q)$(GEN_ABI) doc $(ABI_SRC) | diff -u docs/abi.md - || \
		{ echo "docs/abi.md is out of date: run 'make abi-doc'"; exit 1; }
