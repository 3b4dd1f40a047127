// SPDX-License-Identifier: MIT
// The kernel console on COM1 (16550 UART) and the legacy PIC, which boot turns off.
#pragma once

void serial_init(void);
// From now on console output ignores its lock (panic: the holder may never release it).
void console_force_unlocked(void);
// Remaps both 8259 PICs off the exception vectors and masks every line (the APICs take over).
void pic_disable(void);
