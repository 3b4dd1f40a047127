// SPDX-License-Identifier: MIT
// Unit tests for libos's path names (libos/file/path.c): absolute and relative names, ".",
// "..", repeated and trailing slashes, a base directory, the length limit, getcwd's buffer
// checks, the start directory and chdir (into what bootfs says is a directory, which the test
// decides here).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#include <libos/file.h>

// Where exorun's manifest says the program starts.
const char *libos_bootfs_start_dir(void)
{
	return "/a b";
}

// bootfs, as the test wants it: directories are /, /a b, /x, /x/y; /x/file is a file.
long libos_bootfs_stat(const char *path, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/") || !strcmp(path, "/a b") || !strcmp(path, "/x") || !strcmp(path, "/x/y"))
		st->st_mode = S_IFDIR;
	else if (!strcmp(path, "/x/file"))
		st->st_mode = S_IFREG;
	else
		return -ENOENT;
	return 0;
}

// The copies from and to the program (usercopy.S in libos): host memory is all there, except
// NULL, which stands for a pointer the program may not use.
long libos_copy(void *dst, const void *src, size_t n)
{
	if (!dst || !src)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

long libos_copy_str(char *dst, const char *src, size_t size)
{
	size_t n = src ? strnlen(src, size) : 0;

	if (!src)
		return -EFAULT;
	if (n == size)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

void libos_log(const char *fmt, ...)
{
	(void)fmt;
	fail_msg("no message expected");
}

static void expect(const char *base, const char *path, const char *want)
{
	char out[4096];
	long err = libos_path_resolve(base, path, out);

	if (err || strcmp(out, want))
		fail_msg("%s + %s: got %s (error %ld), want %s", base ? base : "(cwd)", path, out, err, want);
}

static void test_resolve(void **state)
{
	(void)state;
	expect(NULL, "/", "/");
	expect(NULL, "/usr/bin/", "/usr/bin");
	expect(NULL, "//usr///bin", "/usr/bin");
	expect(NULL, "/usr/./bin/.", "/usr/bin");
	expect(NULL, "/usr/bin/..", "/usr");
	expect(NULL, "/usr/..", "/");
	expect(NULL, "/..", "/");
	expect(NULL, "/../../a", "/a");
	expect(NULL, "/a/b/../../c/../d", "/d");
	expect(NULL, "/a/..b/.c", "/a/..b/.c"); // names that only start with dots
	expect("/x/y", "z", "/x/y/z");
	expect("/x/y", "../z", "/x/z");
	expect("/x/y", "/abs", "/abs");
	expect("/", ".", "/");
	expect(NULL, "rel", "/rel"); // the current directory is / at first
}

static void test_resolve_errors(void **state)
{
	char out[4096], longname[5000];

	(void)state;
	assert_int_equal(libos_path_resolve(NULL, "", out), -ENOENT);
	assert_int_equal(libos_path_resolve(NULL, NULL, out), -EFAULT);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(libos_path_resolve(NULL, longname, out), -ENAMETOOLONG);
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 800; i++) // many short components: the result stays short
		memcpy(longname + i * 5, "/a/..", 5);
	expect(NULL, longname, "/");
	for (int i = 800; i < 999; i++) // past PATH_MAX as given, whatever it resolves to (Linux too)
		memcpy(longname + i * 5, "/a/..", 5);
	assert_int_equal(libos_path_resolve(NULL, longname, out), -ENAMETOOLONG);
}

static void test_cwd(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(libos_getcwd(buf, sizeof(buf)), 2);
	assert_string_equal(buf, "/");
	libos_cwd_init(); // the manifest's start directory
	assert_int_equal(libos_getcwd(buf, sizeof(buf)), 5);
	assert_string_equal(buf, "/a b");
	assert_int_equal(libos_getcwd(buf, 4), -ERANGE);
	assert_int_equal(libos_getcwd(NULL, 64), -EFAULT);
	assert_int_equal(libos_chdir("/x"), 0);
	assert_int_equal(libos_chdir("y"), 0);
	libos_getcwd(buf, sizeof(buf));
	assert_string_equal(buf, "/x/y");
	assert_int_equal(libos_chdir("../file"), -ENOTDIR);
	assert_int_equal(libos_chdir("/nope"), -ENOENT);
	assert_int_equal(libos_chdir(""), -ENOENT);
	libos_getcwd(buf, sizeof(buf));
	assert_string_equal(buf, "/x/y"); // unchanged by the failures
	expect(NULL, "../file", "/x/file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_cwd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
