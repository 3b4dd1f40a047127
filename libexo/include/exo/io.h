// SPDX-License-Identifier: MIT
// Port I/O for user-space drivers: in and out on ports the process was allowed to use
// (ioport_enable with an I/O-port capability covering them); any other port faults.
#pragma once

#include <stdint.h>

static inline uint8_t exo_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void exo_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
