# SPDX-License-Identifier: MIT
# Service protocols (docs/protocols.md): each NAME in PROTOCOLS has an interface definition,
# modules/NAME/NAME.idl unless PROTO_IDL_NAME says otherwise, from which toolchain/scripts/gen-proto
# makes <proto/NAME.h> (labels, message structs, client stubs), <proto/NAME_server.h> (handler
# prototypes, the dispatch) and docs/protocols/NAME.md (committed; `make test` checks it is current).
# The headers come from an included makefile, like the deps step: make brings it up to date before
# it compiles anything, so no compile rule needs to name them; a header is only replaced when its
# text changes, and the compilers' .d files do the rest.

PROTOCOLS := names modmgr console module procmgr
PROTO_IDL_procmgr := apps/launch/procmgr.idl
PROTO_IDL_module := libexo/module.idl
GEN_PROTO := toolchain/scripts/gen-proto
proto_idl = $(or $(PROTO_IDL_$(1)),modules/$(1)/$(1).idl)
PROTO_STAMP := $(BUILD)/gen/proto/.headers.mk

# $(1): protocol, $(2): header or server, $(3): the file
define proto_gen
	$(Q)$(GEN_PROTO) $(2) $(call proto_idl,$(1)) > $(3).tmp && { cmp -s $(3).tmp $(3) || mv $(3).tmp $(3); } && rm -f $(3).tmp

endef
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(PROTO_STAMP)
endif
$(PROTO_STAMP): $(foreach p,$(PROTOCOLS),$(call proto_idl,$(p))) $(GEN_PROTO)
	@mkdir -p $(@D)
	@echo "  GEN     $(@D)/ ($(PROTOCOLS))"
	$(foreach p,$(PROTOCOLS),$(call proto_gen,$(p),header,$(@D)/$(p).h)$(call proto_gen,$(p),server,$(@D)/$(p)_server.h))
	@echo '# the protocol headers were generated here; make remakes this file when a definition changes' > $@

.PHONY: proto-doc proto-doc-check
proto-doc:
	$(Q)mkdir -p docs/protocols
	$(Q)$(foreach p,$(PROTOCOLS),$(GEN_PROTO) doc $(call proto_idl,$(p)) > docs/protocols/$(p).md &&) true
proto-doc-check:
	$(Q)$(foreach p,$(PROTOCOLS),$(GEN_PROTO) doc $(call proto_idl,$(p)) | diff -u docs/protocols/$(p).md - &&) true || \
		{ echo "docs/protocols/ is out of date: run 'make proto-doc'"; exit 1; }
