# SPDX-License-Identifier: MIT
# Fuzzing the module loader core (libexo/modelf.c); see tests/fuzz/README.md.
#   make fuzz-check  real modules built with gcc -shared -fPIC -nostdlib (tests/fuzz/corpus_src) must
#                    load: parse, copy, relocate (needs only gcc)
#   make fuzz        fuzz-check, then libFuzzer for FUZZ_SECONDS from a corpus seeded with those
#                    modules (needs clang with libFuzzer: Debian clang-14 + libclang-rt-14-dev)

FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := tests/fuzz/modelf_fuzz.c libexo/modelf.c exo/common/elf64.c exo/common/printf.c
FUZZ_HDRS := libexo/include/exo/modelf.h $(wildcard exo/common/include/common/*.h)
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer -I$(BUILD)/gen \
	-Iexo/abi/include -Iexo/common/include -Ilibexo/include
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined

# The corpus modules: position-independent shared objects without libc, linked against a stub
# libexo.so (which gives them DT_NEEDED "libexo.so"). Three link styles: gcc's defaults (.gnu.hash,
# lazy PLT, RELRO), a SysV .hash only, and both hashes with -z now and no PLT.
FUZZ_MOD_DIR := $(FUZZ_DIR)/corpus_src
FUZZ_MOD_CFLAGS := -std=gnu11 -O2 -fPIC -Wall -Wextra -Werror -I$(BUILD)/gen -Iexo/abi/include -Ilibexo/include \
	-Iexo/common/include
FUZZ_MOD_LDFLAGS := -shared -nostdlib -L$(FUZZ_MOD_DIR) -lexo
FUZZ_SEEDS := $(FUZZ_MOD_DIR)/hello.so $(FUZZ_MOD_DIR)/hello-sysv.so $(FUZZ_MOD_DIR)/hello-now.so

# The tree's own libexo.so and modules (libexo/build.mk and modules/build.mk define them: include this
# file after them),
# checked the same way and added to the corpus. Empty if the tree builds none.
FUZZ_TREE_LIB := $(LIBEXO_SO)
FUZZ_TREE_MODULES := $(SO_MODULE_FILES)

$(FUZZ_MOD_DIR)/libexo.so: tests/fuzz/corpus_src/libexo_stub.c | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(FUZZ_MOD_CFLAGS) -shared -nostdlib -Wl,-soname,libexo.so -o $@ $<

$(FUZZ_MOD_DIR)/hello.so: tests/fuzz/corpus_src/hello.c $(FUZZ_MOD_DIR)/libexo.so $(FUZZ_HDRS)
	@echo "  CC      $@"
	$(Q)$(CC) $(FUZZ_MOD_CFLAGS) -o $@ $< $(FUZZ_MOD_LDFLAGS)

$(FUZZ_MOD_DIR)/hello-sysv.so: tests/fuzz/corpus_src/hello.c $(FUZZ_MOD_DIR)/libexo.so $(FUZZ_HDRS)
	@echo "  CC      $@"
	$(Q)$(CC) $(FUZZ_MOD_CFLAGS) -o $@ $< $(FUZZ_MOD_LDFLAGS) -Wl,--hash-style=sysv

$(FUZZ_MOD_DIR)/hello-now.so: tests/fuzz/corpus_src/hello.c $(FUZZ_MOD_DIR)/libexo.so $(FUZZ_HDRS)
	@echo "  CC      $@"
	$(Q)$(CC) $(FUZZ_MOD_CFLAGS) -fno-plt -o $@ $< $(FUZZ_MOD_LDFLAGS) -Wl,--hash-style=both -Wl,-z,now

# The same harness as a command-line check of real modules (gcc, ASan, UBSan).
$(FUZZ_DIR)/modelf_check: $(FUZZ_SRCS) $(FUZZ_HDRS) | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(FUZZ_CFLAGS) $(FUZZ_SANITIZE) -DMODELF_CHECK -o $@ $(FUZZ_SRCS) -ldl

# libFuzzer comes with clang's compiler-rt; without it, say what to install.
$(FUZZ_DIR)/modelf_fuzz: $(FUZZ_SRCS) $(FUZZ_HDRS) | $(ABI_HEADER)
	@mkdir -p $(@D)
	$(Q)printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{\n\treturn 0;\n}\n' \
		> $(FUZZ_DIR)/probe.c
	$(Q)if ! $(FUZZ_CC) -fsanitize=fuzzer -o $(FUZZ_DIR)/probe $(FUZZ_DIR)/probe.c >/dev/null 2>&1; then \
		echo "fuzz: '$(FUZZ_CC) -fsanitize=fuzzer' does not work: libFuzzer is missing." >&2; \
		echo "fuzz: on Debian 12: apt-get install clang-14 libclang-rt-14-dev (or: clang libclang-rt-dev)," >&2; \
		echo "fuzz: or name another clang with FUZZ_CC=... ('make fuzz-check' needs only gcc)." >&2; \
		exit 1; \
	fi
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $(FUZZ_SRCS)

.PHONY: fuzz fuzz-check
fuzz-check: $(FUZZ_DIR)/modelf_check $(FUZZ_SEEDS) $(FUZZ_TREE_LIB) $(FUZZ_TREE_MODULES)
	$(Q)LD_LIBRARY_PATH=$(FUZZ_MOD_DIR) $(FUZZ_DIR)/modelf_check $(FUZZ_SEEDS)
ifneq ($(FUZZ_TREE_LIB)$(FUZZ_TREE_MODULES),)
	$(Q)LD_LIBRARY_PATH=$(dir $(FUZZ_TREE_LIB)) $(FUZZ_DIR)/modelf_check $(FUZZ_TREE_MODULES) \
		$(if $(FUZZ_TREE_LIB),--library $(FUZZ_TREE_LIB))
endif

# The corpus is kept between runs in $(FUZZ_DIR)/corpus; crashes are written to $(FUZZ_DIR)/.
fuzz: fuzz-check $(FUZZ_DIR)/modelf_fuzz
	@mkdir -p $(FUZZ_DIR)/corpus
	$(Q)cp $(FUZZ_SEEDS) $(FUZZ_TREE_LIB) $(FUZZ_TREE_MODULES) $(FUZZ_DIR)/corpus/
	$(Q)$(FUZZ_DIR)/modelf_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus
