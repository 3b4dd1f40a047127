# SPDX-License-Identifier: MIT
# Services and loadable modules (docs/modules.md). A service is a static libexo program started
# from a boot module: modules/NAME/*.c -> $(BUILD)/user/NAME. A module is an ET_DYN shared object
# the module manager loads: modules/NAME/NAME.c -> $(BUILD)/user/NAME.so. A new one: its name here.

MODULE_SERVICES := names modmgr
MODULE_SOS := console counter kv
$(call libexo_programs,modules,$(MODULE_SERVICES))
$(foreach m,$(MODULE_SOS),$(eval $(call so_module,$(m),modules/$(m)/$(m).c)))

# Variants for the tests: a next version to hot-swap to, one whose init fails, one that crashes.
MODULE_VARIANTS := counter2 counter_bad counter_crash kv2
$(eval $(call so_module,counter2,modules/counter/counter.c,-DCOUNTER_VERSION=2))
$(eval $(call so_module,counter_bad,modules/counter/counter.c,-DCOUNTER_VERSION=3 -DCOUNTER_FAIL_INIT))
$(eval $(call so_module,counter_crash,modules/counter/counter.c,-DCOUNTER_VERSION=4 -DCOUNTER_CRASH_OP \
	-DCOUNTER_CAPS=1))
$(eval $(call so_module,kv2,modules/kv/kv.c,-DKV_VERSION=2))

SO_MODULE_FILES := $(patsubst %,$(BUILD)/user/%.so,$(MODULE_SOS) $(MODULE_VARIANTS))
USER_PROGS += $(SO_MODULE_FILES)
