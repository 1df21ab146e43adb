/* fs.c - whole-file reads and crash-safe atomic replacement */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ikc_fs_read_file(ikc_buf *out, const char *path, size_t max)
{
	char chunk[65536];
	size_t total = 0;
	int fd, error = 0;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ikc_error_set_code(IKC_ENOTFOUND, IKC_ERR_OS,
						  "%s: no such file", path);
		return ikc_error_set_os(IKC_ERR_OS, "cannot open %s", path);
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ikc_error_set(IKC_ERR_OS, "%s is a directory", path);
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = ikc_error_set_os(IKC_ERR_OS, "cannot read %s", path);
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			error = ikc_error_set_code(IKC_ELIMIT, IKC_ERR_LIMIT,
				"%s is larger than the limit of %zu bytes", path, max);
			break;
		}
		error = ikc_buf_put(out, chunk, (size_t)n);
		if (error < 0)
			break;
	}
	close(fd);
	if (error == 0 && !out->ptr)
		error = ikc_buf_put(out, "", 0);
	return error;
}

int ikc_fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char *ikc_fs_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	d = malloc((size_t)(slash - path) + 1);
	if (!d)
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int ikc_fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return ikc_error_set_os(IKC_ERR_OS, "cannot open folder %s", dir);
	rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0)
		return ikc_error_set_os(IKC_ERR_OS, "cannot fsync folder %s", dir);
	return 0;
}

int ikc_fs_write_atomic(const char *path, const void *data, size_t len,
			mode_t mode)
{
	ikc_buf tmp = IKC_BUF_INIT(0);
	char *dir = NULL;
	int fd = -1, rc, error = IKC_ERROR;

	if (ikc_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		goto done;
	dir = ikc_fs_dirname(path);
	if (!dir) {
		ikc_error_oom();
		goto done;
	}
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		ikc_error_set_os(IKC_ERR_OS, "cannot create %s", tmp.ptr);
		goto done;
	}
	rc = ikc_fs_write_all(fd, data, len);
	if (rc == 0)
		rc = fsync(fd);
	if (close(fd) < 0)   /* always close, even after a failed write */
		rc = -1;
	if (rc == 0)
		rc = rename(tmp.ptr, path);
	if (rc < 0) {
		ikc_error_set_os(IKC_ERR_OS, "cannot replace %s", path);
		(void)unlink(tmp.ptr);
		goto done;
	}
	error = ikc_fs_fsync_dir(dir);
done:
	free(dir);
	ikc_buf_dispose(&tmp);
	return error;
}

int ikc_fs_mkdirs(const char *path, mode_t mode)
{
	char *p = strdup(path), *s;
	int error = 0;

	if (!p)
		return ikc_error_oom();
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				error = ikc_error_set_os(IKC_ERR_OS,
							 "cannot create folder %s", p);
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return error;
}
