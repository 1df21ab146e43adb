#ifndef IKC_TESTS_STATE_TMPDIR_H
#define IKC_TESTS_STATE_TMPDIR_H

/* Scratch folders for the state tests: made under $TMPDIR, removed after. */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes a fresh folder; its path goes into out[len]. 0 or -1. */
static inline int tmpdir_make(char *out, size_t len)
{
	const char *base = getenv("TMPDIR");

	snprintf(out, len, "%s/ikc-state-test-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(out) ? 0 : -1;
}

/* rm -rf of a folder made by tmpdir_make (no symlinks are followed). */
static inline void tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			char path[4096];
			struct stat st;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(path))
				continue;      /* cannot be one of ours */
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				tmpdir_remove(path);
			else
				(void)unlink(path);
		}
		closedir(d);
	}
	(void)rmdir(dir);
}

#endif /* IKC_TESTS_STATE_TMPDIR_H */
