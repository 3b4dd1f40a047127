# SPDX-License-Identifier: MIT
# musl for the library OS: the source fetched through Debian's source package, checked against
# musl-port/VERSION and patched by musl-port/patches/series (toolchain/scripts/fetch-source), then
# built out of tree into $(BUILD)/musl/lib/libc.a, where every system call is a call to
# __libos_syscall. make test checks that no syscall instruction is left in it.

MUSL_SRC := $(BUILD)/musl/src/.exo-prepared
MUSL_LIBC := $(BUILD)/musl/obj/lib/libc.a

$(MUSL_SRC): musl-port/VERSION musl-port/patches/series $(wildcard musl-port/patches/*.patch) \
		toolchain/scripts/fetch-source
	$(Q)rm -f $@
	$(Q)toolchain/scripts/fetch-source musl-port/VERSION $(BUILD)/musl

$(MUSL_LIBC): $(MUSL_SRC)
	@echo "  MUSL    $@ (configure and build, about half a minute; log $(BUILD)/musl/build.log)"
	$(Q)rm -rf $(BUILD)/musl/obj && mkdir -p $(BUILD)/musl/obj
	$(Q)cd $(BUILD)/musl/obj && { CC=gcc ../src/configure --prefix=/nonexistent --disable-shared \
		CFLAGS=-O2 && $(MAKE) lib/libc.a; } > ../build.log 2>&1 || { tail -n 20 ../build.log >&2; exit 1; }

# crti.o and crtn.o: the _init/_fini frame around .init and .fini, for the sysroot. One recipe
# makes both (a grouped target: it runs once, also under -j).
MUSL_CRT := $(BUILD)/musl/obj/lib/crti.o $(BUILD)/musl/obj/lib/crtn.o
$(MUSL_CRT) &: $(MUSL_LIBC)
	$(Q)$(MAKE) -s -C $(BUILD)/musl/obj lib/crti.o lib/crtn.o >> $(BUILD)/musl/build.log 2>&1

.PHONY: musl-source musl
musl-source: $(MUSL_SRC)
musl: $(MUSL_LIBC)
