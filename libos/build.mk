# SPDX-License-Identifier: MIT
# libos and the sysroot. libos is one archive per component (docs/libos.md): core (program start,
# the system call entry, logging), mem (mmap, brk, demand paging), thread (clone, futex), time,
# file (descriptors, boot files), console (fds 0-2), proc (identity, exit), signal (actions, mask).
# `make sysroot` fills sysroot/ with musl's headers, Linux's UAPI headers, libc.a, musl's empty
# libm.a & co., the libos archives, libexo.a, the link script and gcc specs;
# toolchain/bin/x86_64-exo-gcc compiles and links against it (toolchain/mk/user.mk's
# exo_gcc_program).

LIBOS_COMPONENTS := core mem thread time file console proc signal
libos_objs = $(patsubst %,$(BUILD)/user-obj/%.o,$(wildcard libos/$(1)/*.c libos/$(1)/*.S))
LIBOS_ARCHIVES := $(foreach c,$(LIBOS_COMPONENTS),$(BUILD)/libos/libos-$(c).a)
SYSROOT := sysroot
SYSROOT_LIBOS := $(foreach c,$(LIBOS_COMPONENTS),$(SYSROOT)/lib/libos-$(c).a)
# Headers for programs that bring their own libos component or call the kernel: libos's
# component interfaces and the exo ABI.
SYSROOT_HEADERS := $(patsubst libos/include/%,$(SYSROOT)/include/%,$(wildcard libos/include/libos/*.h)) \
	$(patsubst exo/abi/include/%,$(SYSROOT)/include/%,$(wildcard exo/abi/include/exo/*.h)) \
	$(SYSROOT)/include/exo/exo.h
# As in musl's own install: these libraries' functions are in libc.a, the archives are empty, so
# -lm -lpthread ... link musl's (and never the host's).
SYSROOT_EMPTY_LIBS := $(foreach l,m pthread rt dl crypt util resolv xnet,$(SYSROOT)/lib/lib$(l).a)
SYSROOT_UAPI := $(SYSROOT)/include/linux/version.h
SYSROOT_FILES := $(SYSROOT)/include/stdio.h $(SYSROOT)/lib/libc.a $(SYSROOT_LIBOS) \
	$(SYSROOT)/lib/crt1.o $(SYSROOT)/lib/crti.o $(SYSROOT)/lib/crtn.o \
	$(SYSROOT)/lib/libexo.a $(SYSROOT)/lib/exo.ld $(SYSROOT)/lib/exo-gcc.specs $(SYSROOT_HEADERS) \
	$(SYSROOT_EMPTY_LIBS) $(SYSROOT_UAPI)

$(BUILD)/user-obj/libos/%: OBJ_CFLAGS := -Ilibos/include

# The names of Linux's system calls, for libos's "not implemented" messages, from musl's header.
LIBOS_SYSCALL_NAMES := $(BUILD)/gen/linux_syscall_names.c
$(LIBOS_SYSCALL_NAMES): $(SYSROOT)/include/stdio.h
	@mkdir -p $(@D)
	$(Q){ echo '// Generated from musl'"'"'s bits/syscall.h by libos/build.mk: Linux x86_64 system call names.'; \
	  echo 'const char *const linux_syscall_names[512] = {'; \
	  awk '/^#define __NR_/ { printf "\t[%s] = \"%s\",\n", $$3, substr($$2, 6) }' \
	    $(SYSROOT)/include/bits/syscall.h; echo '};'; } > $@
$(BUILD)/user-obj/gen/linux_syscall_names.c.o: $(LIBOS_SYSCALL_NAMES)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
$(BUILD)/libos/libos-core.a: $(BUILD)/user-obj/gen/linux_syscall_names.c.o

define libos_archive
$(BUILD)/libos/libos-$(1).a: $(call libos_objs,$(1))
	$$(archive)
endef
$(foreach c,$(LIBOS_COMPONENTS),$(eval $(call libos_archive,$(c))))
-include $(foreach c,$(LIBOS_COMPONENTS),$(patsubst %.o,%.d,$(call libos_objs,$(c))))

$(SYSROOT)/include/stdio.h: $(MUSL_LIBC)
	$(Q)$(MAKE) -s -C $(BUILD)/musl/obj install-headers prefix=$(CURDIR)/$(SYSROOT) > /dev/null
	$(Q)touch $@
$(SYSROOT)/lib/libc.a: $(MUSL_LIBC)
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/include/libos/%.h: libos/include/libos/%.h $(SYSROOT)/include/stdio.h
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/include/exo/exo.h: $(ABI_HEADER) $(SYSROOT)/include/stdio.h
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/include/exo/%.h: exo/abi/include/exo/%.h $(SYSROOT)/include/stdio.h
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/crt1.o: $(BUILD)/user-obj/libos/crt1.S.o
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/crt%.o: $(BUILD)/musl/obj/lib/crt%.o
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/libos-%.a: $(BUILD)/libos/libos-%.a
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/libexo.a: $(LIBEXO)
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/exo.ld: toolchain/ld/user.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/exo-gcc.specs: toolchain/ld/exo-gcc.specs
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT_EMPTY_LIBS):
	@mkdir -p $(@D)
	$(Q)printf '!<arch>\n' > $@
# Linux's UAPI headers (linux/, asm/, asm-generic/, ...), as musl cross toolchains install them:
# every header of Debian's linux-libc-dev, asm/ from its x86_64 multiarch directory.
$(SYSROOT_UAPI): /usr/include/linux/version.h $(SYSROOT)/include/stdio.h
	$(Q)dpkg -L linux-libc-dev | sed -n 's|^/usr/include/\(.*\.h\)$$|\1|p' | \
	  tar -C /usr/include -cf - -T - | \
	  tar -C $(SYSROOT)/include -xf - --transform 's|^x86_64-linux-gnu/asm/|asm/|'
	$(Q)touch $@

.PHONY: sysroot
sysroot: $(SYSROOT_FILES)
