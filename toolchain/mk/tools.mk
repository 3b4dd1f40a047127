# SPDX-License-Identifier: MIT
# Compilers and flags for the kernel (freestanding, higher half) and the host (unit tests).

CC := gcc
LD := ld
HOSTCC := gcc

KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -fno-strict-aliasing -nostdlib \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -MMD -MP \
	-Iexo/include -Iexo/common/include -Iexo/arch/x86_64/include -I$(BUILD)/gen -Iexo/abi/include -DEXO_KERNEL
KERNEL_ASFLAGS := -g -MMD -MP -Iexo/include -Iexo/arch/x86_64/include -I$(BUILD)/gen -Iexo/abi/include -D__ASSEMBLY__
ifeq ($(RELEASE),1)
KERNEL_CFLAGS += -DEXO_NDEBUG
endif
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--build-id=none -T toolchain/ld/kernel.ld

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined -DEXO_HOSTED_TEST -MMD -MP \
	-Iexo/include -Iexo/common/include -Iexo/arch/x86_64/include -I$(BUILD)/gen -Iexo/abi/include -Itests/unit/support
HOST_LDFLAGS := -fsanitize=address,undefined
