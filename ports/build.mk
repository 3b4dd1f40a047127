# SPDX-License-Identifier: MIT
# Ports: Debian source packages built for exo by toolchain/bin/exo-port (ports/NAME/VERSION,
# recipe, patches/, check) and installed into $(BUILD)/root. `make ports` builds every port;
# make test builds zlib and runs its checks (tests/ports/run).

PORTS := $(patsubst ports/%/recipe,%,$(wildcard ports/*/recipe))
port_stamp = $(BUILD)/ports/$(1)/.installed
define port_rules
$(call port_stamp,$(1)): $(wildcard ports/$(1)/* ports/$(1)/patches/*) toolchain/bin/exo-port \
		toolchain/scripts/fetch-source $(SYSROOT_FILES) $(EXO_GCC)
	$(Q)BUILD=$(BUILD) toolchain/bin/exo-port $(1)
	$(Q)touch $$@
endef
$(foreach p,$(PORTS),$(eval $(call port_rules,$(p))))
# What make test builds (the ports it checks).
PORTS_TESTED := $(call port_stamp,zlib)

.PHONY: ports
ports: $(foreach p,$(PORTS),$(call port_stamp,$(p)))
