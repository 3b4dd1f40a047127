# SPDX-License-Identifier: MIT
# libexo, the user side of the kernel interface: libexo.a (generated stubs, start-up, console
# printf, spawning from an ELF in frames, message queues, names, the module loader; with
# exo/common's formatter and ELF validator), libstring.a (exo/common's string functions, for the
# libexo programs that have no libc; musl programs get musl's) and libexo.so (stubs, console
# output, string functions and exo_module_entry, which every loadable module links against).
# Programs and modules are declared by their own directories (toolchain/mk/user.mk's functions).

LIBEXO := $(BUILD)/libexo.a
LIBEXO_CRT0 := $(BUILD)/user-obj/libexo/crt0.S.o
LIBEXO_OBJS := $(LIBEXO_CRT0) $(addprefix $(BUILD)/user-obj/,libexo/ipc.S.o libexo/print.c.o \
	libexo/spawn.c.o libexo/mqueue.c.o libexo/names.c.o libexo/modelf.c.o \
	libexo/modload.c.o libexo/modswap.c.o libexo/modmgr_client.c.o exo/common/printf.c.o \
	exo/common/elf64.c.o exo/common/elf.c.o libexo_stubs.S.o)
LIBSTRING := $(BUILD)/libstring.a
LIBEXO_SO := $(BUILD)/user/libexo.so
LIBEXO_SO_OBJS := $(addprefix $(BUILD)/pic-obj/,libexo/ipc.S.o libexo/print.c.o libexo/module_entry.c.o \
	exo/common/printf.c.o exo/common/string.c.o libexo_stubs.S.o)
USER_PROGS += $(LIBEXO_SO)

$(BUILD)/user-obj/libexo_stubs.S.o: $(ABI_STUBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
$(BUILD)/pic-obj/libexo_stubs.S.o: $(ABI_STUBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@

$(LIBEXO): $(LIBEXO_OBJS)
	$(archive)
$(LIBSTRING): $(BUILD)/user-obj/exo/common/string.c.o
	$(archive)

$(LIBEXO_SO): $(LIBEXO_SO_OBJS)
	@mkdir -p $(@D)
	@echo "  SO      $@"
	$(Q)$(LD) $(SO_LDFLAGS) -soname libexo.so -o $@ $^

-include $(LIBEXO_OBJS:.o=.d) $(BUILD)/user-obj/exo/common/string.c.d $(LIBEXO_SO_OBJS:.o=.d)
