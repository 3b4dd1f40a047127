// SPDX-License-Identifier: MIT
// The direct map: every usable physical frame is visible at PHYSMAP_BASE + paddr.
#pragma once

#include <kern/types.h>

#define PHYSMAP_BASE 0xffff800000000000ull

#ifdef EXO_HOSTED_TEST
// Host unit tests simulate physical memory and provide these.
void *phys_to_virt(paddr_t pa);
paddr_t virt_to_phys(const void *va);
#else
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + PHYSMAP_BASE);
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)va - PHYSMAP_BASE;
}
#endif
