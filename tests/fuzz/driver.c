/* driver.c - replays fuzz corpus files through a target without libFuzzer */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	ikc_buf b = IKC_BUF_INIT((size_t)16 << 20);

	if (ikc_fs_read_file(&b, path, (size_t)16 << 20) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	(void)LLVMFuzzerTestOneInput((const uint8_t *)b.ptr, b.len);
	ikc_buf_dispose(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int i, n = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "no corpus at %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= run_file(argv[i]);
			n++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			failed |= run_file(path);
			n++;
		}
		closedir(d);
	}
	printf("%d inputs replayed\n", n);
	return failed || n == 0;
}
