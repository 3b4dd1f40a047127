// SPDX-License-Identifier: MIT
// Freestanding formatted output into a buffer: the kernel's console and log (exo/lib/printf.c)
// and libexo's exo_printf format with it.
#include <common/printf.h>
#include <common/string.h>

struct out {
	char *buf;
	size_t size;
	size_t len; // characters produced so far (may exceed size)
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_ALT = 4,
	F_PLUS = 8,
	F_SPACE = 16,
	F_UPPER = 32,
};

static void put_number(struct out *o, unsigned long long v, bool neg, unsigned base, int flags, int width,
                       int prec)
{
	const char *digits = (flags & F_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, pad;
	const char *prefix = "";
	int plen;

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (prec < 0 && n == 0)
		tmp[n++] = '0';
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = (flags & F_UPPER) ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0') && prec <= n)
		prec = n + 1;
	plen = (int)strlen(prefix);
	zeros = prec > n ? prec - n : 0;
	pad = width - plen - zeros - n;
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!(flags & F_LEFT))
		put_n(o, ' ', pad);
	while (*prefix)
		put(o, *prefix++);
	put_n(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		put_n(o, ' ', pad);
}

static void put_string(struct out *o, const char *s, int flags, int width, int prec)
{
	int n;

	if (!s)
		s = "(null)";
	n = (int)(prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s));
	if (!(flags & F_LEFT))
		put_n(o, ' ', width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		put_n(o, ' ', width - n);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int flags = 0, width = 0, prec = -1, lng = 0;
		unsigned long long u;
		long long s;
		unsigned base = 10;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (;; fmt++) {
			char c = fmt[1];

			if (c == '-')
				flags |= F_LEFT;
			else if (c == '0')
				flags |= F_ZERO;
			else if (c == '#')
				flags |= F_ALT;
			else if (c == '+')
				flags |= F_PLUS;
			else if (c == ' ')
				flags |= F_SPACE;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		// lng: -2 hh, -1 h, 0 int, 1 long, 2 long long (z, t, j are long-sized here)
		for (;; fmt++) {
			if (*fmt == 'h')
				lng--;
			else if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 1;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng >= 1 ? (lng == 1 ? va_arg(ap, long) : va_arg(ap, long long))
			             : va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng <= -2)
				s = (signed char)s;
			put_number(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, s < 0, 10,
			           flags, width, prec);
			break;
		case 'X':
			flags |= F_UPPER;
			/* fall through */
		case 'x':
			base = 16;
			goto unsigned_conv;
		case 'o':
			base = 8;
			/* fall through */
		case 'u':
unsigned_conv:
			u = lng >= 1 ? (lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long))
			             : va_arg(ap, unsigned int);
			if (lng == -1)
				u = (unsigned short)u;
			else if (lng <= -2)
				u = (unsigned char)u;
			put_number(&o, u, false, base, flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, flags | F_ALT, width, prec);
			break;
		case 's':
			put_string(&o, va_arg(ap, const char *), flags, width, prec);
			break;
		case 'c':
			put_n(&o, ' ', (flags & F_LEFT) ? 0 : width - 1);
			put(&o, (char)va_arg(ap, int));
			put_n(&o, ' ', (flags & F_LEFT) ? width - 1 : 0);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default: // unknown conversion: print it as it was written
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
