# SPDX-License-Identifier: MIT
# Ports: Debian source packages built for exo by toolchain/bin/exo-port (ports/NAME/VERSION,
# recipe, patches/, check) and installed into $(BUILD)/root. `make ports` builds every port;
# make test builds the quick ones, PORTS_TESTED_NAMES, and runs their checks (tests/ports/run).

PORTS := $(patsubst ports/%/recipe,%,$(wildcard ports/*/recipe))
port_stamp = $(BUILD)/ports/$(1)/.installed
define port_rules
$(call port_stamp,$(1)): $(wildcard ports/$(1)/* ports/$(1)/patches/*) toolchain/bin/exo-port \
		toolchain/scripts/fetch-source $(SYSROOT_FILES) $(EXO_GCC)
	$(Q)BUILD=$(BUILD) toolchain/bin/exo-port $(1)
	$(Q)touch $$@
endef
$(foreach p,$(PORTS),$(eval $(call port_rules,$(p))))
# What make test builds and checks: quick ports (zlib's and lua5.4's checks take seconds).
PORTS_TESTED_NAMES := zlib lua5.4
PORTS_TESTED := $(foreach p,$(PORTS_TESTED_NAMES),$(call port_stamp,$(p)))

.PHONY: ports ports-check
ports: $(foreach p,$(PORTS),$(call port_stamp,$(p)))
# Every port's checks (minutes: bc's test scripts, sqlite3's speedtest1).
ports-check: ports
	$(Q)BUILD=$(BUILD) tests/ports/run
