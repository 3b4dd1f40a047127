// SPDX-License-Identifier: MIT
// The wall-clock time from the PC's CMOS real-time clock (ports 0x70/0x71), read once by the
// launcher with init's I/O-port capability (QEMU's RTC follows the host's UTC time) and handed to
// the program as data (exo_bootinfo.realtime_ns), so that the program needs no port.
#include "launch.h"
#include <exo/io.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos(uint8_t reg)
{
	exo_outb(CMOS_INDEX, reg);
	return exo_inb(CMOS_DATA);
}

// Seconds, minutes, hours, day, month, year, century - once no update is in progress.
static void read_time(uint8_t r[7])
{
	static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };

	while (cmos(0x0a) & 0x80)
		;
	for (int i = 0; i < 7; i++)
		r[i] = cmos(regs[i]);
}

static int from_bcd(uint8_t v, int bcd)
{
	return bcd ? (v >> 4) * 10 + (v & 15) : v;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian; the usual days-from-civil computation).
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

uint64_t launch_rtc_seconds(exo_ioport_t ioports)
{
	uint8_t regs[7], again[7], status_b;
	int bcd, hour;

	if (!ioports || exo_ioport_enable(ioports, CMOS_INDEX, 2) != 0)
		return 0;
	do { // until two reads agree (none torn by an update)
		read_time(regs);
		read_time(again);
	} while (memcmp(regs, again, sizeof(regs)));
	status_b = cmos(0x0b);
	bcd = !(status_b & 0x04);
	hour = from_bcd(regs[2] & 0x7f, bcd);
	if (!(status_b & 0x02) && (regs[2] & 0x80)) // 12-hour clock, PM
		hour = (hour % 12) + 12;
	int year = from_bcd(regs[5], bcd) + 100 * (regs[6] ? from_bcd(regs[6], bcd) : 20);
	int64_t days = days_from_civil(year, from_bcd(regs[4], bcd), from_bcd(regs[3], bcd));
	int64_t secs = days * 86400 + hour * 3600 + from_bcd(regs[1], bcd) * 60 + from_bcd(regs[0], bcd);

	return secs > 0 ? (uint64_t)secs : 0;
}
