// SPDX-License-Identifier: MIT
// Path names: the current directory and turning a (dirfd, path) pair into one absolute,
// normalised path ("." and ".." resolved, no repeated or trailing "/") that bootfs looks up.
#include <libos/file.h>

#define PATH_MAX 4096

static char cwd[PATH_MAX] = "/";

size_t strlen(const char *s); // musl's

// Appends path's components to out (absolute, normalised, length *n), resolving "." and "..".
static long append(char *out, size_t *n, const char *path)
{
	while (*path) {
		const char *end = path;
		size_t len;

		while (*end && *end != '/')
			end++;
		len = (size_t)(end - path);
		if (len == 2 && path[0] == '.' && path[1] == '.') { // up one ("/.." is "/")
			while (*n > 1 && out[*n - 1] != '/')
				(*n)--;
			if (*n > 1)
				(*n)--;
			out[*n] = 0;
		} else if (len && !(len == 1 && path[0] == '.')) {
			if (*n + 1 + len >= PATH_MAX)
				return -ENAMETOOLONG;
			if (*n > 1)
				out[(*n)++] = '/';
			memcpy(out + *n, path, len);
			*n += len;
			out[*n] = 0;
		}
		path = *end ? end + 1 : end;
	}
	return 0;
}

long libos_path_resolve(const char *base, const char *path, char *out)
{
	char in[PATH_MAX];
	size_t n = 1;
	long err = libos_copy_str(in, path, sizeof(in)); // the program's string, or EFAULT

	if (err)
		return err;
	if (!in[0])
		return -ENOENT;
	out[0] = '/', out[1] = 0;
	if (in[0] != '/')
		err = append(out, &n, base ? base : cwd);
	return err ? err : append(out, &n, in);
}

long libos_getcwd(char *buf, uint64_t size)
{
	size_t n = strlen(cwd) + 1;

	if (size < n)
		return -ERANGE;
	return libos_copy(buf, cwd, n) ?: (long)n;
}

void libos_cwd_init(void)
{
	const char *dir = libos_bootfs_start_dir();

	if (dir && libos_chdir(dir))
		libos_log("%s: cannot start there; the current directory is /", dir);
}

long libos_chdir(const char *path)
{
	char abs[PATH_MAX];
	struct linux_stat st;
	long err = libos_path_resolve(NULL, path, abs);

	if (!err)
		err = libos_bootfs_stat(abs, &st);
	if (!err && !(st.st_mode & S_IFDIR))
		err = -ENOTDIR;
	if (!err)
		memcpy(cwd, abs, strlen(abs) + 1);
	return err;
}
