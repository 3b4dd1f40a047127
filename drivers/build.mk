# SPDX-License-Identifier: MIT
# User-space device drivers, libexo programs: drivers/NAME/*.c -> $(BUILD)/user/NAME, for every
# NAME in DRIVERS (none yet; see drivers/README.md).

DRIVERS :=
$(call libexo_programs,drivers,$(DRIVERS))
