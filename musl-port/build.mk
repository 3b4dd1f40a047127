# SPDX-License-Identifier: MIT
# musl's source, fetched through Debian's source package, checked against musl-port/VERSION and
# patched by musl-port/patches/series (toolchain/scripts/fetch-musl). Building it into the
# sysroot comes with the library OS.

MUSL_SRC := $(BUILD)/musl/src/.exo-prepared

$(MUSL_SRC): musl-port/VERSION musl-port/patches/series toolchain/scripts/fetch-musl | $(DEPS_STAMP)
	$(Q)rm -f $@
	$(Q)toolchain/scripts/fetch-musl $(BUILD)/musl

.PHONY: musl-source
musl-source: $(MUSL_SRC)
