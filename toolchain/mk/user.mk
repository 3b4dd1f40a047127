# SPDX-License-Identifier: MIT
# User-space programs: compiler flags, the object rules and the make functions with which every
# component's build.mk declares its programs, so that no link rule is written twice:
#   $(call libexo_program,NAME,SOURCES[,LIBS]) $(BUILD)/user/NAME: a static libexo program
#   $(call libexo_programs,DIR,NAMES)          one per DIR/NAME/ from its C files, in USER_PROGS
#   $(call so_module,NAME,SOURCE[,CFLAGS])     $(BUILD)/user/NAME.so: a loadable module
#   $(call exo_gcc_program,OUTPUT,SOURCES)     a POSIX program built with x86_64-exo-gcc
# Each is used as $(eval $(call ...)) after libexo/build.mk (and, for exo_gcc_program, after
# libos/build.mk), whose libraries they link. An object's own flags: OBJ_CFLAGS, target-specific.

# User space sees the ABI (exo/abi, $(BUILD)/gen), the code it shares with the kernel (exo/common)
# and libexo: never the kernel's own headers (tests/build/kernel-headers checks it).
USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -MMD -MP -I$(BUILD)/gen \
	-Iexo/abi/include -Iexo/common/include -Ilibexo/include
USER_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --build-id=none \
	-T toolchain/ld/user.ld
PIC_CFLAGS := $(filter-out -fno-pic -fno-pie,$(USER_CFLAGS)) -fPIC
SO_LDFLAGS := -shared -nostdlib -z max-page-size=0x1000 -z noexecstack -z relro --hash-style=both \
	--build-id=none
EXO_GCC := toolchain/bin/x86_64-exo-gcc
EXO_GCC_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

$(BUILD)/user-obj/%.c.o: %.c | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) $(OBJ_CFLAGS) -c $< -o $@
$(BUILD)/user-obj/%.S.o: %.S | $(ABI_HEADER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) $(OBJ_CFLAGS) -c $< -o $@
$(BUILD)/pic-obj/%.c.o: %.c | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  PICCC   $<"
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@
$(BUILD)/pic-obj/%.S.o: %.S | $(ABI_HEADER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@

user_objs = $(patsubst %,$(BUILD)/user-obj/%.o,$(1))

# An archive of its prerequisites (a canned recipe: `$(archive)`).
define archive
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
endef

# crt0 first, the program's objects, its own archives (LIBS), then libexo and exo/common's string
# functions (no libc).
define libexo_program
$(BUILD)/user/$(1): $(call user_objs,$(2)) $(3) $(LIBEXO) $(LIBSTRING) toolchain/ld/user.ld
	@mkdir -p $$(@D)
	@echo "  ULD     $$@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $$@ $(LIBEXO_CRT0) $(call user_objs,$(2)) $(3) $(LIBEXO) $(LIBSTRING)
-include $(patsubst %.o,%.d,$(call user_objs,$(2)))
endef

libexo_programs = $(foreach n,$(2),$(eval $(call libexo_program,$(n),$(wildcard $(1)/$(n)/*.c)))) \
	$(eval USER_PROGS += $(2:%=$(BUILD)/user/%))

# A module is one C file linked against libexo.so (DT_NEEDED), which the loader maps beside it.
define so_module
$(BUILD)/so-obj/$(1).o: $(2) | $(ABI_HEADER)
	@mkdir -p $$(@D)
	@echo "  PICCC   $$< ($(1))"
	$(Q)$(CC) $(PIC_CFLAGS) $(3) -c $$< -o $$@
$(BUILD)/user/$(1).so: $(BUILD)/so-obj/$(1).o $(LIBEXO_SO)
	@mkdir -p $$(@D)
	@echo "  MODULE  $$@"
	$(Q)$(LD) $(SO_LDFLAGS) -soname $(1).so -o $$@ $$< $(LIBEXO_SO)
-include $(BUILD)/so-obj/$(1).d
endef

# Headers among SOURCES are prerequisites only.
define exo_gcc_program
$(1): $(2) $(SYSROOT_FILES) $(EXO_GCC)
	@mkdir -p $$(@D)
	@echo "  EXOGCC  $$@"
	$(Q)$(EXO_GCC) $(EXO_GCC_CFLAGS) -o $$@ $(filter %.c,$(2))
endef
