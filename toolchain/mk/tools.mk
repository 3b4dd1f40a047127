# SPDX-License-Identifier: MIT
# Compilers and flags for the kernel (freestanding, higher half) and the host (unit tests).

CC := gcc
LD := ld
HOSTCC := gcc

# The kernel's headers, the code it shares with user space (exo/common) and the ABI.
KERNEL_INCLUDES := -Iexo/include -Iexo/arch/x86_64/include -Iexo/common/include -I$(BUILD)/gen -Iexo/abi/include
KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -fno-strict-aliasing -nostdlib \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -MMD -MP \
	$(KERNEL_INCLUDES) -DEXO_KERNEL
KERNEL_ASFLAGS := -g -MMD -MP $(KERNEL_INCLUDES) -D__ASSEMBLY__
ifeq ($(RELEASE),1)
KERNEL_CFLAGS += -DEXO_NDEBUG
endif
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--build-id=none -T toolchain/ld/kernel.ld

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined -DEXO_HOSTED_TEST -MMD -MP \
	$(KERNEL_INCLUDES) -Itests/unit/support
HOST_LDFLAGS := -fsanitize=address,undefined
