// SPDX-License-Identifier: MIT
// Simulated physical memory: a 2 MiB aligned host buffer standing in for RAM at paddr 0.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "physmem.h"
#include <kern/frame.h>
#include <kern/physmap.h>

static uint8_t *physmem;

uint8_t *physmem_base(void)
{
	if (!physmem) {
		physmem = aligned_alloc(2 * MiB, PHYSMEM_SIZE);
		if (!physmem) {
			fprintf(stderr, "physmem: cannot allocate %llu bytes\n",
			        (unsigned long long)PHYSMEM_SIZE);
			abort();
		}
		memset(physmem, 0, PHYSMEM_SIZE);
	}
	return physmem;
}

void physmem_fill(uint8_t c)
{
	memset(physmem_base(), c, PHYSMEM_SIZE);
}

void *phys_to_virt(paddr_t pa)
{
	if (pa >= PHYSMEM_SIZE) {
		print_error("phys_to_virt(%#llx): outside simulated memory\n", (unsigned long long)pa);
		fail();
	}
	return physmem_base() + pa;
}

paddr_t virt_to_phys(const void *va)
{
	const uint8_t *p = va;

	if (p < physmem_base() || p >= physmem_base() + PHYSMEM_SIZE) {
		print_error("virt_to_phys(%p): not in simulated memory\n", va);
		fail();
	}
	return (paddr_t)(p - physmem_base());
}

void physmem_frames_init(paddr_t base, uint64_t len)
{
	struct mem_range r = { base, len };

	physmem_base();
	assert_int_equal(frame_init(&r, 1, NULL, 0, 0), 0);
}

uint64_t physmem_frames_free(void)
{
	struct frame_stats st;

	frame_get_stats(&st);
	return st.free;
}
