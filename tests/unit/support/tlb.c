// SPDX-License-Identifier: MIT
// tlb_invalidate() fake: the only hardware access of the page-table code.
#include "mock_tlb.h"
#include <arch/pagetable.h>

unsigned tlb_calls;
struct tlb_call tlb_log[TLB_LOG_MAX];

void tlb_reset(void)
{
	tlb_calls = 0;
}

void tlb_invalidate(paddr_t root, vaddr_t va)
{
	if (tlb_calls < TLB_LOG_MAX)
		tlb_log[tlb_calls] = (struct tlb_call){ root, va };
	tlb_calls++;
}

unsigned tlb_calls_for(paddr_t root, vaddr_t va)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tlb_calls && i < TLB_LOG_MAX; i++)
		if (tlb_log[i].root == root && tlb_log[i].va == va)
			n++;
	return n;
}
