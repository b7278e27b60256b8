/*
 * Replays a corpus through a libFuzzer harness without libFuzzer, so every
 * build (gcc, sanitizers) runs the fuzz corpora as ordinary tests.
 *
 * usage: replay_<target> <dir-or-file>...
 * Every regular file in each directory (names starting with '.' skipped,
 * sorted for a stable order) and every file named directly is passed to
 * LLVMFuzzerTestOneInput in a buffer of exactly its size, so a sanitizer
 * sees any read past the end.  Exits 1 when an argument is missing, a
 * directory holds no input, or a file cannot be read; a harness that finds
 * a bug aborts on its own.
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	struct stat st;
	uint8_t *data;
	size_t size, got;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < 0) {
		fprintf(stderr, "%s: not a regular file\n", path);
		fclose(f);
		return -1;
	}
	size = (size_t)st.st_size;
	/* malloc(0) may return NULL; keep a real, empty buffer. */
	data = malloc(size > 0 ? size : 1);
	if (data == NULL) {
		fprintf(stderr, "%s: out of memory\n", path);
		fclose(f);
		return -1;
	}
	got = size > 0 ? fread(data, 1, size, f) : 0;
	fclose(f);
	if (got != size) {
		fprintf(stderr, "%s: short read\n", path);
		free(data);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the files of one directory; returns how many, or -1. */
static long
replay_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL, **grown, path[4096];
	size_t n = 0, cap = 0, i;
	long done = 0;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL)
				goto oom;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

		if (len < 0 || (size_t)len >= sizeof(path) || replay_file(path) == -1) {
			done = -1;
			break;
		}
		done++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (done == 0) {
		fprintf(stderr, "%s: no inputs\n", dir);
		return -1;
	}
	return done;
oom:
	fprintf(stderr, "%s: out of memory\n", dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d != NULL)
		closedir(d);
	return -1;
}

int
main(int argc, char **argv)
{
	struct stat st;
	long total = 0, n;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <corpus-dir-or-file>...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if ((n = replay_dir(argv[i])) == -1)
				return 1;
			total += n;
		} else {
			if (replay_file(argv[i]) == -1)
				return 1;
			total++;
		}
	}
	printf("%ld inputs replayed\n", total);
	return 0;
}
