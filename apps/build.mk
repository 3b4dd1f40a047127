# SPDX-License-Identifier: MIT
# Programs of the image, one directory each: apps/NAME/*.c -> $(BUILD)/user/NAME, linked with
# libexo (APPS_LIBEXO) or built with x86_64-exo-gcc against the sysroot (APPS_POSIX).

APPS_LIBEXO := modctl launch
APPS_POSIX := eagermem
$(call libexo_programs,apps,$(APPS_LIBEXO))
$(foreach a,$(APPS_POSIX),$(eval $(call exo_gcc_program,$(BUILD)/user/$(a),$(wildcard apps/$(a)/*.c))))
POSIX_PROGS += $(APPS_POSIX:%=$(BUILD)/user/%)
