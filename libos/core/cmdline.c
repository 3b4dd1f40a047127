// SPDX-License-Identifier: MIT
// The kernel command line as libos reads it: "OPTION=VALUE ... -- ARG ...". The words before
// "--" are options for libos (exorun's tty=); the words after it are the program's arguments
// when it is booted by hand (exorun passes them in a file, without a length limit). Spaces
// separate words, so a space, a percent sign or another byte outside the printable range is
// written %XX (hex) and decoded here.
#include <libos/libos.h>

static int hex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

// Copies the word at s (up to a space or the end) into out (size bytes), decoding %XX; returns
// the end of the word.
static const char *word(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && *s != ' '; s++) {
		char c = *s;

		if (c == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			c = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
		}
		if (n + 1 < size)
			out[n++] = c;
	}
	if (size)
		out[n] = 0;
	return s;
}

static bool is_separator(const char *s)
{
	return s[0] == '-' && s[1] == '-' && (s[2] == ' ' || !s[2]);
}

int libos_cmdline_args(char **argv, int max)
{
	static char copy[sizeof(((struct exo_bootinfo *)0)->cmdline)]; // the decoded words
	const char *s = libos_boot->cmdline;
	char *out = copy;
	int argc = 0;

	while (*s && !is_separator(s)) { // skip the options
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	if (*s)
		s += 2;
	while (argc < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		argv[argc++] = out;
		s = word(s, out, sizeof(copy) - (size_t)(out - copy));
		out += __builtin_strlen(out) + 1;
	}
	return argc;
}

bool libos_cmdline_option(const char *name, char *value, size_t size)
{
	const char *s = libos_boot->cmdline;
	size_t n = __builtin_strlen(name);

	while (*s && !is_separator(s)) {
		if (!__builtin_memcmp(s, name, n) && s[n] == '=') {
			word(s + n + 1, value, size);
			return true;
		}
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return false;
}
